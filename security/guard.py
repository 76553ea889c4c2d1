"""The one ``before_request`` guard: every route needs a session or an API key, except a few.

Dash's own routes (``/_dash-layout``, ``/_dash-dependencies``, ``/_dash-update-component``)
serve data too, so they are guarded here rather than trusted to the page layouts.
"""

from __future__ import annotations

from urllib.parse import quote

import dash
from flask import current_app, g, jsonify, make_response, redirect, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from domain.roles import role_allows
from security.authz import callback_role
from security.principal import MachinePrincipal
from services.api_keys import verify_api_key

PUBLIC_PATHS = frozenset({"/login", "/health", "/ready", "/favicon.ico", "/_favicon.ico"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
API_PREFIXES = ("/api/", "/readings/", "/price-plans/", "/post_metrics", "/footprint/")
"""Paths answered as an API: an API key or a session, and 401 JSON (never a login redirect) without.
Besides /api/, the seed systems' own paths, kept so their existing clients work."""


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _unauthorised(message: str):
    response = jsonify(error="unauthorised", detail=message)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="powerdesk"'
    return response


def _forbidden(message: str):
    response = jsonify(error="forbidden", detail=message)
    response.status_code = 403
    return response


def _machine_from_header() -> MachinePrincipal | None | bool:
    """The API-key principal; None when no Bearer header; False when one was sent but is invalid."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    api_key = verify_api_key(current_app.extensions["powerdesk"].db, header.removeprefix("Bearer ").strip())
    return MachinePrincipal(api_key.id, api_key.name) if api_key else False


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _csrf_problem() -> str | None:
    """Why a session-authenticated API write lacks a valid ``X-CSRFToken`` header, or None."""
    token = request.headers.get("X-CSRFToken", "")
    try:
        validate_csrf(token)
    except ValidationError as error:
        return f"send the CSRF token in the X-CSRFToken header ({error})"
    return None


def _page_role(path: str) -> str | None:
    """The least role for the page at ``path``, matched as Dash matches it (ignoring end slashes)."""
    for page in dash.page_registry.values():
        if page.get("path", "").strip("/") == path.strip("/"):
            return page.get("min_role", "viewer")
    return None


DASH_CATCH_ALL = "/<path:path>"
"""The endpoint Dash serves every other address from (its page shell)."""


def _callback_output() -> str:
    """The ``output`` a Dash callback request names ("" for a malformed body, which
    ``security.request_checks`` then refuses with a 4xx)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return ""
    output = body.get("output") if isinstance(body, dict) else None
    return output if isinstance(output, str) else ""


def guard():
    """Allow, redirect to /login, or refuse with 401/403 JSON."""
    path = request.path
    g.machine = None
    if is_public(path):
        return None
    if path.startswith(API_PREFIXES):
        machine = _machine_from_header()
        if machine is False:
            return _unauthorised("the API key is not valid or has been revoked")
        if machine is not None:
            g.machine = machine
            return None
        if current_user.is_authenticated:
            if request.method in UNSAFE_METHODS:
                problem = _csrf_problem()
                if problem:
                    return _forbidden(problem)
            return None
        return _unauthorised("send Authorization: Bearer <api key>, or log in")
    if not current_user.is_authenticated:
        if path.startswith("/_") or request.method != "GET" or request.is_json:
            return _unauthorised("log in first")
        target = request.full_path.rstrip("?") if request.query_string else path
        return redirect(f"/login?next={quote(target, safe='/')}")
    if path == "/_dash-update-component":
        needed = callback_role(_callback_output())
        if not role_allows(current_user.role, needed):
            return _forbidden(f"this action needs the {needed} role; you are a {current_user.role}")
    if request.method == "GET":
        needed = _page_role(path)
        if needed and not role_allows(current_user.role, needed):
            if _wants_html():
                return _page_shell(403)
            return _forbidden(f"this page needs the {needed} role; you are a {current_user.role}")
        if needed is None and request.url_rule is not None and request.url_rule.endpoint == DASH_CATCH_ALL:
            if _wants_html():
                return _page_shell(404)
            response = jsonify(error="not found", detail=f"no page at {path}")
            response.status_code = 404
            return response
    return None


def _wants_html() -> bool:
    return request.accept_mimetypes.accept_html and not request.is_json


def _page_shell(status: int):
    """The app shell (navbar included) with ``status``, for a person typing an address.

    403: a page they may not open; its own layout then shows the "not available to your role"
    notice, so nothing of the page is served. 404: no page there; Dash then shows
    ``pages/not_found_404``. Machines and ``Accept: application/json`` callers get JSON instead.
    """
    endpoint, arguments = current_app.url_map.bind_to_environ(request.environ).match()
    response = make_response(current_app.view_functions[endpoint](**arguments))  # the page as Dash serves it
    response.status_code = status
    return response
