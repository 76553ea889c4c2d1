"""Messages shown to the user: errors, confirmations, access refusals."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html


def error_alert(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="danger", className="py-2 mb-2", dismissable=True)


def success_alert(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="success", className="py-2 mb-2", dismissable=True, duration=8000)


def info_alert(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="info", className="py-2 mb-2")


def forbidden_notice(needed: str, role: str | None) -> html.Div:
    return html.Div(
        dbc.Alert(
            [html.H4("Not available to your role", className="alert-heading"),
             html.P(f"This page needs the {needed} role; you are signed in as a {role or 'visitor'}."),
             html.P(["Ask an admin if you need it, or go back to the ", dcc.Link("Overview", href="/"), "."],
                    className="mb-0")],
            color="warning",
        ),
        className="mt-3",
    )
