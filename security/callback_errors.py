"""Dash's app-wide ``on_error``: what happens when a callback raises.

- an HTTP error (``abort(403)`` from a role check) keeps its status;
- a lost database connection becomes 503 with Retry-After (nothing was stored; retry);
- a ``ServiceError`` (bad input that reached a service) becomes 400 with its message;
- a TypeError, ValueError, KeyError, IndexError, AttributeError or OverflowError — what a callback raises when a
  crafted request sends a value of the wrong type or shape that its own checks missed — is logged
  with its traceback (it may also be a bug) and answered 400;
- anything else is logged with its traceback and answered 500 without one (see ``security.errors``).

Callbacks should still check their inputs at the edge (``services.validation``) and show a
message; this is the net under them.
"""

from __future__ import annotations

import logging

from flask import abort
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from security.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_S, is_database_unavailable
from services.errors import NotFound, ServiceError

log = logging.getLogger("powerdesk.callbacks")
BAD_SHAPE_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError)


def callback_error(error: Exception):
    if isinstance(error, HTTPException):
        raise error
    if is_database_unavailable(error):
        log.warning("callback: database unavailable: %s", type(error).__name__)
        raise ServiceUnavailable(description=DATABASE_UNAVAILABLE, retry_after=RETRY_AFTER_S)
    if isinstance(error, ServiceError):
        log.warning("callback refused input: %s", error)
        abort(404 if isinstance(error, NotFound) else 400, description=str(error))
    if isinstance(error, BAD_SHAPE_ERRORS):
        log.exception("callback failed on its input (a malformed request, or a bug)")
        abort(400, description="the values sent could not be handled; reload the page and try again")
    raise error
