"""The one ``before_request`` guard: every route needs a session or an API key, except a few.

Dash's own routes (``/_dash-layout``, ``/_dash-dependencies``, ``/_dash-update-component``)
serve data too, so they are guarded here rather than trusted to the page layouts.

API routes are checked against ``domain.key_kinds.ROUTE_ACCESS`` on every request: a session or a
user key passes on its user's current role (a user key is resolved to its user each time, so a
disable, delete or role change takes effect on the next call), a machine key on its scopes. Every
refused use of a real key is in the audit log.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import current_app, g, jsonify, make_response, redirect, request
from flask_login import current_user
from flask_login.mixins import AnonymousUserMixin
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from domain.key_kinds import describe, route_access
from domain.roles import role_allows
from security.authz import callback_role
from security.principal import MachinePrincipal, SessionUser
from services import audit
from services.api_keys import KeyPrincipal, check_api_key

log = logging.getLogger(__name__)

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


def _db():
    return current_app.extensions["powerdesk"].db


def _audit_denied(key_name: str, reason: str) -> None:
    audit.record(_db(), f"apikey:{key_name}", "apikey.denied", target=request.path[:120],
                 detail={"method": request.method, "reason": reason}, remote_addr=request.remote_addr)


def _key_from_header() -> KeyPrincipal | None | object:
    """The API-key principal; None when no Bearer header; else the 401 response for a dead key.

    For a user key, ``current_user`` becomes the key's user for this request (never the session's);
    for a machine key it becomes anonymous, so no cookie sent alongside adds a person's rights."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    checked = check_api_key(_db(), header.removeprefix("Bearer ").strip(), request.remote_addr)
    if checked.principal is None:
        if checked.key_name is not None:
            _audit_denied(checked.key_name, checked.refusal or "refused")
        return _unauthorised(checked.refusal or "the API key is not valid")
    principal = checked.principal
    g.api_key = principal
    if principal.is_user_key:
        g._login_user = SessionUser(principal.user_id, principal.username, principal.role)
    else:
        g._login_user = AnonymousUserMixin()
        g.machine = MachinePrincipal(principal.api_key_id, principal.name, principal.scopes)
    return principal


def _authorise_api():
    """403 unless the route's row in ``ROUTE_ACCESS`` lets this principal call it."""
    rule = request.url_rule
    if rule is None or request.method == "OPTIONS" or rule.rule in (DASH_CATCH_ALL, "/"):
        return None  # no such API route (the request checks answer 404/405) or a preflight, which runs no endpoint
    access = route_access(request.method, rule.rule)
    key = g.get("api_key")
    if access is None:
        log.error("no ROUTE_ACCESS row for %s %s: refused for everyone", request.method, rule.rule)
        problem = "this route has no access rule yet, so it is refused"
    elif g.machine is not None:
        if access.allows_machine(g.machine.scopes):
            return None
        problem = (f"machine keys may not call {request.method} {rule.rule}; use a user key ({describe(access)})"
                   if not access.scopes else
                   f"this machine key's scopes ({', '.join(sorted(g.machine.scopes)) or 'none'}) do not allow "
                   f"{request.method} {rule.rule} ({describe(access)})")
    else:
        if access.role is not None and role_allows(current_user.role, access.role):
            return None
        needed = f"the {access.role} role" if access.role else "a machine key"
        problem = f"this needs {needed}; you are a {current_user.role} ({describe(access)})"
    if key is not None:
        _audit_denied(key.name, problem)
    return _forbidden(problem)


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
    import dash  # imported by then: only the served UI's requests get here

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
    g.api_key = None
    if is_public(path):
        return None
    if path.startswith(API_PREFIXES):
        key = _key_from_header()
        if key is not None and not isinstance(key, KeyPrincipal):
            return key
        if key is None:
            if not current_user.is_authenticated:
                return _unauthorised("send Authorization: Bearer <api key>, or log in")
            if request.method in UNSAFE_METHODS:
                problem = _csrf_problem()
                if problem:
                    return _forbidden(problem)
        return _authorise_api()
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
