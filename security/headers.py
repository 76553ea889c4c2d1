"""Security headers on every response, and session-cookie flags per environment.

The Content-Security-Policy allows scripts from this origin only, plus the exact inline scripts
Dash writes into its page (the renderer bootstrap and any clientside-callback scripts), by their
SHA-256 hashes (``dash.Dash.csp_hashes``). Dash's ``<script type="application/json">`` config
block is data, not script, so CSP does not apply to it. Styles allow 'unsafe-inline' because
Plotly and AG Grid set element styles at run time; styles cannot run code.
"""

from __future__ import annotations

from flask import current_app, request

SECURE_COOKIE_NAME = "__Host-powerdesk_session"
PLAIN_COOKIE_NAME = "session"
DASH_APP_KEY = "powerdesk.dash_app"
CSP_KEY = "powerdesk.csp"


def cookie_config(behind_tls: bool, secure_requested: bool) -> dict:
    """Flask config for the session cookie: behind TLS, Secure with the ``__Host-`` prefix (which
    browsers only accept with Secure, Path=/ and no Domain); on plain HTTP the demo keeps working."""
    secure = behind_tls or secure_requested
    return {
        "SESSION_COOKIE_NAME": SECURE_COOKIE_NAME if behind_tls else PLAIN_COOKIE_NAME,
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "REMEMBER_COOKIE_SECURE": secure,
    }


def content_security_policy(script_hashes: list[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _csp() -> str:
    # Dash adds inline scripts (clientside callbacks, including the one ``use_pages`` registers)
    # while it finishes setting up on its first requests, so the policy is rebuilt whenever the
    # set of hashes changes; hashing a few short scripts costs microseconds.
    dash_app = current_app.extensions.get(DASH_APP_KEY)
    hashes = tuple(dash_app.csp_hashes()) if dash_app is not None else ()
    cached = current_app.extensions.get(CSP_KEY)
    if cached is None or cached[0] != hashes:
        cached = current_app.extensions[CSP_KEY] = (hashes, content_security_policy(list(hashes)))
    return cached[1]


PERSONAL_DASH_PATHS = ("/_dash-layout", "/_dash-update-component", "/_dash-dependencies")
"""Dash responses built for the logged-in user (layout by role, callback output): never cached."""


def came_over_tls(behind_tls: bool) -> bool:
    """Whether this request reached us over HTTPS: directly, or (``BEHIND_TLS``) via a proxy that says
    ``X-Forwarded-Proto: https``. HSTS on a plain-HTTP answer is wrong (and browsers ignore it)."""
    if request.is_secure:
        return True
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
    return behind_tls and forwarded == "https"


def add_security_headers(response):
    """after_request: the same headers on every response, errors included."""
    settings = current_app.extensions["powerdesk"].settings
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _csp())
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if settings.behind_tls and came_over_tls(True):
        headers.setdefault("Strict-Transport-Security", f"max-age={settings.hsts_max_age_s}; includeSubDomains")
    if request.path.startswith(PERSONAL_DASH_PATHS):
        headers["Cache-Control"] = "no-store"
    elif request.path in ("/login",) or request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")
    return response
