"""Sessions that really end.

Flask's session is a signed cookie, which the server cannot revoke. So the cookie carries the
user's ``session_version`` from login time, and every request compares it with the database:
logout, a password change, disabling the account and a role change bump the version, and
every older cookie stops working at its next request. The cookie also carries when the user
logged in and when they were last seen, for an absolute lifetime and an idle timeout.
"""

from __future__ import annotations

import time

from flask import session

from security.principal import SessionUser

VERSION_KEY = "pd_sv"
LOGIN_AT_KEY = "pd_login"
SEEN_AT_KEY = "pd_seen"
SEEN_RESOLUTION_S = 30
"""Last-seen is rewritten at most this often, so not every Dash request re-sends the cookie."""


def start_session(user_id: int, session_version: int) -> None:
    """Call right after ``login_user``: stamp the cookie with the version and the login time."""
    now = int(time.time())
    session.permanent = True
    session[VERSION_KEY] = int(session_version)
    session[LOGIN_AT_KEY] = now
    session[SEEN_AT_KEY] = now


def session_problem(stored_version: int, lifetime_s: float, idle_timeout_s: float, now: float | None = None) -> str | None:
    """Why the current cookie no longer stands for a live session, or None when it does."""
    now = time.time() if now is None else now
    version = session.get(VERSION_KEY)
    login_at = session.get(LOGIN_AT_KEY)
    seen_at = session.get(SEEN_AT_KEY)
    if not isinstance(version, int) or version != stored_version:
        return "ended (logout, password, role or account change)"
    if not isinstance(login_at, int) or now - login_at > lifetime_s:
        return "older than the session lifetime"
    if not isinstance(seen_at, int) or now - seen_at > idle_timeout_s:
        return "idle for longer than the idle timeout"
    return None


def touch() -> None:
    """Record activity for the idle timeout (at most every ``SEEN_RESOLUTION_S``)."""
    now = int(time.time())
    if now - int(session.get(SEEN_AT_KEY, 0)) >= SEEN_RESOLUTION_S:
        session[SEEN_AT_KEY] = now


def load_session_user(db, user_id: str, lifetime_s: float, idle_timeout_s: float) -> SessionUser | None:
    """Flask-Login's user loader: the active user whose cookie is current, fresh and not idle."""
    from services.users import get_active_user

    if not isinstance(user_id, str) or not user_id.isdigit():
        return None
    user = get_active_user(db, int(user_id))
    if user is None:
        return None
    if session_problem(user.session_version or 0, lifetime_s, idle_timeout_s) is not None:
        # The cookie is left as it is (it is useless now): rewriting it here would race with the
        # login page the browser is being sent to, whose fresh CSRF token lives in the same cookie.
        return None
    touch()
    return SessionUser(user.id, user.username, user.role)
