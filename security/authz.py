"""Role checks that callbacks and endpoints call on the server (hiding a button is not a check)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, current_app, g
from flask_login import current_user

from domain.key_scope import FLEET, KeyScope
from domain.roles import role_allows
from services.api_keys import key_scope

CALLBACK_ROLES_KEY = "powerdesk.callback_roles"


def current_role() -> str | None:
    """The logged-in user's role, or None for anonymous requests."""
    if current_user and current_user.is_authenticated:
        return current_user.role
    return None


def require_role(needed: str) -> None:
    """Abort with 401 (no session) or 403 (role too low) unless the user has at least ``needed``."""
    role = current_role()
    if role is None:
        abort(401, description="log in first")
    if not role_allows(role, needed):
        abort(403, description=f"this needs the {needed} role; you are a {role}")


def require_machine_or_role(needed: str) -> None:
    """Allow a request with a valid API key, or a session with at least ``needed``."""
    if g.get("machine") is not None:
        return
    require_role(needed)


def write_scope() -> KeyScope:
    """What the request may write for: the API key's scope, or ``FLEET`` for a session (whose role
    the endpoint checks). Loaded once per request, only by the endpoints that write."""
    machine = g.get("machine")
    if machine is None:
        return FLEET
    if "key_scope" not in g:
        g.key_scope = key_scope(current_app.extensions["powerdesk"].db, machine.api_key_id)
    return g.key_scope


def role_callback(app, needed: str, *dependencies, **kwargs) -> Callable:
    """``app.callback`` that only runs for users with at least ``needed``.

    The role is checked twice on the server: by the request guard, which looks the
    callback's output up in the registry this fills (before Dash parses anything), and
    inside the callback itself. A background callback (``background=True``) runs in a job
    process with no request to check, so there the guard's check, made on the request that
    starts the job and on every poll, is the check.
    """

    def decorator(function: Callable) -> Callable:
        @functools.wraps(function)
        def guarded(*args, **inner_kwargs):
            require_role(needed)
            return function(*args, **inner_kwargs)

        if kwargs.get("background"):
            guarded = function

        before = set(app.callback_map)
        app.callback(*dependencies, **kwargs)(guarded)
        registry = app.server.extensions.setdefault(CALLBACK_ROLES_KEY, {})
        for callback_key in set(app.callback_map) - before:
            registry[callback_key] = needed
        return guarded

    return decorator


def callback_role(callback_key: str) -> str:
    """The least role allowed to fire a Dash callback, by its callback-map key (default viewer)."""
    return current_app.extensions.get(CALLBACK_ROLES_KEY, {}).get(callback_key, "viewer")
