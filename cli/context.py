"""What every `flask --app app ...` command shares: the app's services, and one way to report errors
meant for the person at the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from flask import current_app

from optimiser import OptimiserError
from services.errors import ServiceError

if TYPE_CHECKING:
    from app import AppContext


def context() -> AppContext:
    """The running app's settings, database, mail and job manager (``create_app`` builds it)."""
    return current_app.extensions["powerdesk"]


@contextmanager
def user_errors() -> Iterator[None]:
    """Show errors meant for the user (bad input, unknown names, refused files) as one line and exit non-zero."""
    try:
        yield
    except (ServiceError, OptimiserError) as error:
        raise click.ClickException(str(error)) from error
