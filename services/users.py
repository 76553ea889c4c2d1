"""People: create, authenticate, list, disable, change role."""

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
from services.errors import Conflict, InvalidInput, NotFound

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_role(role: str) -> None:
    if not is_known_role(role):
        raise InvalidInput(f"role {role!r} is not one of {', '.join(ROLE_ORDER)}")


def create_user(db: Database, username: str, password: str, role: str) -> User:
    """Create an active user; raises InvalidInput or Conflict with a message for the user."""
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
            user = User(username=name, password_hash=hash_password(password), role=role, is_active=True)
            session.add(user)
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
    name = normalise_username(username)
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise NotFound(f"no user called {name!r}")
    return user


def disable_user(db: Database, username: str) -> User:
    with db.session() as session:
        user = _get_by_name(session, username)
        user.is_active = False
    return user


def set_role(db: Database, username: str, role: str) -> User:
    _check_role(role)
    with db.session() as session:
        user = _get_by_name(session, username)
        user.role = role
    return user


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
