"""Not found: show the address that no page serves, as text."""

from __future__ import annotations

from urllib.parse import unquote

import dash
from dash import Input, Output


def missing_path_text(pathname: str | None) -> str:
    """The address as typed (percent-escapes decoded), for a text node: React escapes it, so
    markup in it stays text."""
    return unquote(pathname or "/")


def register(app: dash.Dash) -> None:
    from pages import not_found_404 as page

    app.callback(Output(page.MISSING_PATH, "children"), Input(page.PAGES_LOCATION, "pathname"))(missing_path_text)
