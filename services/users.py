"""People: create, authenticate, list, disable, enable, change role, reset password.

Every change that should end a user's sessions (disable, role change, password change, logout)
bumps ``User.session_version``; the login manager refuses cookies carrying an older one. Changes
made by a person are recorded in the audit log in the same transaction.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from data_access.engine import Database
from data_access.schema import User
from data_access.types import utc_now
from domain.roles import ROLE_ORDER, is_known_role
from security.passwords import hash_password, password_problem, verify_password
from services import audit
from services.errors import Conflict, InvalidInput, NotFound

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_role(role: str) -> None:
    if not is_known_role(role):
        raise InvalidInput(f"role {role!r} is not one of {', '.join(ROLE_ORDER)}")


def create_user(db: Database, username: str, password: str, role: str, actor: str | None = None,
                remote_addr: str | None = None) -> User:
    """Create an active user; raises InvalidInput or Conflict with a message for the user.
    With an ``actor`` the creation is recorded in the audit log."""
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput(
            f"user name {username!r} is not valid: use 2-64 letters, digits, dots, dashes or underscores"
        )
    _check_role(role)
    problem = password_problem(password)
    if problem:
        raise InvalidInput(problem)
    try:
        with db.session() as session:
            if session.scalar(select(User.id).where(User.username == name)) is not None:
                raise Conflict(f"user {name!r} already exists")
            user = User(username=name, password_hash=hash_password(password), role=role, is_active=True,
                        session_version=0)
            session.add(user)
            if actor:
                audit.record(session, actor, "user.created", target=name, detail={"role": role},
                             remote_addr=remote_addr)
    except IntegrityError as error:  # a concurrent create won the race for the name
        raise Conflict(f"user {name!r} already exists") from error
    return user


def authenticate(db: Database, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same timing whether or not the user exists)."""
    name = normalise_username(username)
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == name))
        if not verify_password(user.password_hash if user else None, password):
            return None
        if not user.is_active:
            return None
        user.last_login_at = utc_now()
    return user


def get_active_user(db: Database, user_id: int) -> User | None:
    with db.session() as session:
        user = session.get(User, user_id)
        return user if user is not None and user.is_active else None


def list_users(db: Database) -> list[User]:
    with db.session() as session:
        return list(session.scalars(select(User).order_by(User.username)))


def count_users(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(User.id))) or 0


def _get_by_name(session, username: str) -> User:
    if not isinstance(username, str):
        raise InvalidInput("choose a user")
    name = normalise_username(username)
    if not name:
        raise InvalidInput("choose a user")
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise NotFound(f"no user called {name!r}")
    return user


def _end_sessions(user: User) -> None:
    user.session_version = (user.session_version or 0) + 1


def disable_user(db: Database, username: str, actor: str = "system", remote_addr: str | None = None) -> User:
    """Disable the account and end its sessions at their next request."""
    with db.session() as session:
        user = _get_by_name(session, username)
        user.is_active = False
        _end_sessions(user)
        audit.record(session, actor, "user.disabled", target=user.username, remote_addr=remote_addr)
    return user


def enable_user(db: Database, username: str, actor: str = "system", remote_addr: str | None = None) -> User:
    with db.session() as session:
        user = _get_by_name(session, username)
        if user.is_active:
            raise InvalidInput(f"{user.username!r} is already enabled")
        user.is_active = True
        audit.record(session, actor, "user.enabled", target=user.username, remote_addr=remote_addr)
    return user


def set_role(db: Database, username: str, role: str, actor: str = "system", remote_addr: str | None = None) -> User:
    """Change a role and end the user's sessions (they log in again with the new role).
    A disabled account cannot be made admin: enable it first, so an admin is never dormant."""
    if not isinstance(role, str):
        raise InvalidInput("choose a role")
    _check_role(role)
    with db.session() as session:
        user = _get_by_name(session, username)
        if role == "admin" and not user.is_active:
            raise InvalidInput(f"{user.username!r} is disabled; enable the account before making it admin")
        if user.role == role:
            raise InvalidInput(f"{user.username!r} is already {role}")
        previous, user.role = user.role, role
        _end_sessions(user)
        audit.record(session, actor, "user.role_changed", target=user.username,
                     detail={"from": previous, "to": role}, remote_addr=remote_addr)
    return user


def reset_password(db: Database, username: str, new_password: str | None = None, actor: str = "system",
                   remote_addr: str | None = None) -> tuple[User, str | None]:
    """Set a new password (given, or generated when ``new_password`` is empty) and end the user's
    sessions. Returns the user and the generated password (shown once), or None when one was given."""
    generated = None
    if not new_password:
        generated = new_password = secrets.token_urlsafe(15)
    if not isinstance(new_password, str):
        raise InvalidInput("the password must be text")
    problem = password_problem(new_password)
    if problem:
        raise InvalidInput(problem)
    with db.session() as session:
        user = _get_by_name(session, username)
        user.password_hash = hash_password(new_password)
        _end_sessions(user)
        audit.record(session, actor, "user.password_reset", target=user.username,
                     detail={"generated": generated is not None}, remote_addr=remote_addr)
    return user, generated


def end_sessions(db: Database, user_id: int) -> None:
    """Log a user out everywhere (used by logout: a signed cookie cannot be revoked, its version can)."""
    with db.session() as session:
        user = session.get(User, user_id)
        if user is not None:
            _end_sessions(user)


def ensure_admin(db: Database, configured_password: str | None) -> str | None:
    """Create ``admin`` when the database has no users at all.

    Returns the generated password when one had to be made up (so it can be shown
    once), else None. Never overwrites an existing user.
    """
    if count_users(db) > 0:
        return None
    generated = None
    password = configured_password
    if not password:
        generated = password = secrets.token_urlsafe(18)
    try:
        create_user(db, "admin", password, "admin")
    except Conflict:
        return None
    return generated


def get_user_by_name(db: Database, username: str) -> User:
    """An active user by name; NotFound (with the name) otherwise."""
    with db.session() as session:
        user = _get_by_name(session, username)
        if not user.is_active:
            raise NotFound(f"user {username!r} is disabled")
        return user
