"""Dash's app-wide ``on_error``: what happens when a callback raises.

- an HTTP error (``abort(403)`` from a role check) keeps its status;
- a ``ServiceError`` (bad input that reached a service) becomes 400 with its message;
- anything else is logged with its traceback and answered 500 without one (see ``security.errors``).
"""

from __future__ import annotations

import logging

from flask import abort
from werkzeug.exceptions import HTTPException

from services.errors import NotFound, ServiceError

log = logging.getLogger("powerdesk.callbacks")


def callback_error(error: Exception):
    if isinstance(error, HTTPException):
        raise error
    if isinstance(error, ServiceError):
        log.warning("callback refused input: %s", error)
        abort(404 if isinstance(error, NotFound) else 400, description=str(error))
    raise error
