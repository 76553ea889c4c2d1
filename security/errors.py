"""Error responses: JSON ``{"error", "detail"}`` for API and Dash routes, a short page elsewhere;
never a traceback. Unexpected errors are logged with the request id."""

from __future__ import annotations

import logging

from flask import g, jsonify, request
from markupsafe import escape
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, NotFound

from security.guard import API_PREFIXES

log = logging.getLogger("powerdesk.errors")


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIXES) or request.path.startswith("/_dash") or request.is_json


def http_error(error: HTTPException):
    if error.code is None or error.code < 400:  # redirects (e.g. a missing trailing slash) pass through
        return error
    if error.code and error.code >= 500:
        log.error("%s %s -> %s", request.method, request.path, error.code)
    else:
        log.warning("%s %s -> %s %s", request.method, request.path, error.code, error.description)
    name = (error.name or "error").lower()
    detail = error.description or name
    if error.code == 413:
        from security.request_checks import too_large

        return too_large()
    if _wants_json():
        response = jsonify(error=name, detail=detail)
    else:
        body = (f"<!doctype html><title>{escape(error.name)} · Powerdesk</title>"
                f"<h1>{escape(error.name)}</h1><p>{escape(detail)}</p><p><a href=\"/\">Back to Powerdesk</a></p>")
        response = error.get_response()
        response.set_data(body)
        response.mimetype = "text/html"
    response.status_code = error.code or 500
    for header in ("Allow", "WWW-Authenticate", "Retry-After"):
        if header in error.get_response().headers:
            response.headers[header] = error.get_response().headers[header]
    return response


DATABASE_UNAVAILABLE = "the database is not available right now; nothing was stored by this request. Retry in a few seconds."
RETRY_AFTER_S = 2


def database_unavailable(error: Exception):
    """A lost or refused database connection (PostgreSQL restarting, a terminated backend, SQLite
    busy beyond its timeout): 503 with Retry-After, so clients retry; the transaction rolled back.
    The connection pool's pre-ping replaces dead connections, so the next request recovers."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, type(error).__name__)
    response = jsonify(error="service unavailable", detail=DATABASE_UNAVAILABLE)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def is_database_unavailable(error: BaseException) -> bool:
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError)


def is_number_out_of_range(error: BaseException) -> bool:
    """A number in the request too large for an SQL integer column (an id, a filter), which the driver
    refuses: SQLite raises OverflowError, PostgreSQL NumericValueOutOfRange (a DataError)."""
    from sqlalchemy.exc import DataError, StatementError

    if isinstance(error, OverflowError):
        return True
    return isinstance(error, StatementError) and isinstance(error.orig, OverflowError) or \
        isinstance(error, DataError) and "out of range" in str(error.orig)


def unexpected_error(error: Exception):
    """Anything not an HTTPException: logged with its traceback, answered without one."""
    if isinstance(error, HTTPException):
        return http_error(error)
    if is_database_unavailable(error):
        return database_unavailable(error)
    if type(error).__name__ == "DependencyException":  # dash: a component-suite file it does not serve
        return http_error(NotFound("no such component file"))
    if is_number_out_of_range(error):
        if any(isinstance(value, int) and value > 2**31 - 1 for value in (request.view_args or {}).values()):
            return http_error(NotFound("there is nothing with that number"))
        log.warning("%s %s -> 400: a number out of range (%s)", request.method, request.path, type(error).__name__)
        return http_error(BadRequest("a number in the request is out of range (ids and counts are at most "
                                     "2147483647)"))
    log.exception("unhandled error on %s %s", request.method, request.path)
    reference = g.get("request_id", "")
    wrapped = InternalServerError(f"something went wrong on the server; reference {reference}".strip())
    return http_error(wrapped)
