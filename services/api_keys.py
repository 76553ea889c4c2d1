"""API keys: ``pdk_<prefix>_<secret>``, shown once, stored as SHA-256.

A key either belongs to a user (scripts and notebooks: it acts with that user's role, and only while
that user is active) or to a machine (meters, turbines: it may post their own data, not submit runs).

API keys are long random secrets, so a fast hash is enough (no password KDF needed);
the prefix lets a key be found without scanning, and comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from data_access.engine import Database
from data_access.schema import ApiKey, User
from data_access.types import utc_now
from services.errors import Conflict, InvalidInput, NotFound

KEY_PATTERN = re.compile(r"^pdk_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32,})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is accurate to this."""
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class IssuedKey:
    name: str
    key: str
    """The full secret; shown once and never stored."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(db: Database, name: str, username: str | None = None) -> IssuedKey:
    """A new key called ``name``; with ``username`` it belongs to that user and acts with their role."""
    if not NAME_PATTERN.match(name):
        raise InvalidInput(f"API key name {name!r} is not valid: use letters, digits, dots, dashes or underscores")
    prefix = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(8))
    key = f"pdk_{prefix}_{secrets.token_urlsafe(32)}"
    with db.session() as session:
        if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
            raise Conflict(f"an API key called {name!r} already exists")
        user_id = None
        if username is not None:
            user_id = session.scalar(select(User.id).where(User.username == username))
            if user_id is None:
                raise NotFound(f"there is no user called {username!r}")
        session.add(ApiKey(name=name, prefix=prefix, key_hash=_digest(key), user_id=user_id))
    return IssuedKey(name=name, key=key)


def verify_api_key(db: Database, presented: str) -> ApiKey | None:
    """The live key matching ``presented``, or None. Records when it was last used."""
    match = KEY_PATTERN.match(presented or "")
    if not match:
        return None
    with db.session() as session:
        api_key = session.scalar(select(ApiKey).where(ApiKey.prefix == match.group(1)))
        if api_key is None or api_key.revoked_at is not None:
            return None
        if not hmac.compare_digest(api_key.key_hash, _digest(presented)):
            return None
        now = utc_now()
        # Written at most once a minute: a write per request would serialise busy machines (ingest).
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            api_key.last_used_at = now
    return api_key


def list_api_keys(db: Database) -> list[ApiKey]:
    with db.session() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def revoke_api_key(db: Database, name: str) -> ApiKey:
    with db.session() as session:
        api_key = session.scalar(select(ApiKey).where(ApiKey.name == name))
        if api_key is None:
            raise NotFound(f"no API key called {name!r}")
        api_key.revoked_at = api_key.revoked_at or utc_now()
    return api_key


def key_user(db: Database, api_key_id: int) -> User | None:
    """The user an API key belongs to (check ``is_active``), or None for a machine key."""
    with db.session() as session:
        return session.scalar(select(User).join(ApiKey, ApiKey.user_id == User.id).where(ApiKey.id == api_key_id))
