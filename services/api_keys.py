"""API keys: ``pdk_<prefix>_<secret>``, shown once, stored as SHA-256.

A key either belongs to a user (scripts and notebooks: it acts with that user's role, and only while
that user is active) or to a machine (meters, turbines: it may post their own data, not submit runs).
A machine key may be scoped to the turbines, meters and assets it writes for (``domain.key_scope``);
without a scope it is a fleet key that may write for all of them.

API keys are long random secrets, so a fast hash is enough (no password KDF needed);
the prefix lets a key be found without scanning, and comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from data_access.engine import Database
from data_access.schema import ApiKey, ApiKeyScope, CarbonAsset, SmartMeter, Turbine, User
from data_access.types import utc_now
from domain.key_scope import FLEET, KeyScope
from services import audit
from services.errors import Conflict, InvalidInput, NotFound

KEY_PATTERN = re.compile(r"^pdk_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32,})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is accurate to this."""
MAX_TURBINE_NUMBER = 2_147_483_647
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class IssuedKey:
    name: str
    key: str
    """The full secret; shown once and never stored."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _missing_scope_refs(session, scope: KeyScope) -> list[str]:
    """The scope's turbines, meters and assets that are not registered, as ``kind ref``."""
    missing = []
    for kind, column, refs in (("turbine", Turbine.turbine_number, scope.turbines),
                               ("meter", SmartMeter.id, scope.meters),
                               ("asset", CarbonAsset.asset_id, scope.assets)):
        if refs:
            known = set(session.scalars(select(column).where(column.in_(sorted(refs)))))
            missing += [f"{kind} {ref}" for ref in sorted(refs) if ref not in known]
    return missing


def create_api_key(db: Database, name: str, username: str | None = None, scope: KeyScope = FLEET,
                   actor: str | None = None) -> IssuedKey:
    """A new key called ``name``; with ``username`` it belongs to that user and acts with their role.

    A machine key (no ``username``) with a ``scope`` may write only for the turbines, meters and
    assets it names, each of which must exist; an empty scope makes a fleet key. With an ``actor``
    the creation is recorded in the audit log (never the secret)."""
    if not NAME_PATTERN.match(name):
        raise InvalidInput(f"API key name {name!r} is not valid: use letters, digits, dots, dashes or underscores")
    if username is not None and not scope.is_fleet:
        raise InvalidInput("a key with --user acts as that user and cannot be scoped; "
                           "scope a machine key (without --user) instead")
    bad_turbines = sorted(n for n in scope.turbines if not 1 <= n <= MAX_TURBINE_NUMBER)
    if bad_turbines:
        raise InvalidInput(f"turbine {bad_turbines[0]} is not a turbine number (1 to {MAX_TURBINE_NUMBER:,})")
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
        missing = _missing_scope_refs(session, scope)
        if missing:
            raise NotFound(f"cannot scope the key to what does not exist: {', '.join(missing)}; "
                           "register it first")
        api_key = ApiKey(name=name, prefix=prefix, key_hash=_digest(key), user_id=user_id)
        session.add(api_key)
        session.flush()
        session.add_all(ApiKeyScope(api_key_id=api_key.id, kind=kind, ref=ref) for kind, ref in scope.rows())
        if actor is not None:
            writes_for = f"user {username}" if username is not None else scope.describe()
            audit.record(session, actor, "apikey.created", target=name,
                         detail={"prefix": prefix, "acts_as_or_scope": writes_for})
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


def key_scope(db: Database, api_key_id: int) -> KeyScope:
    """What the key may write for (``FLEET`` when unscoped)."""
    with db.session() as session:
        return KeyScope.from_rows(session.execute(
            select(ApiKeyScope.kind, ApiKeyScope.ref).where(ApiKeyScope.api_key_id == api_key_id)))


@dataclass(frozen=True)
class KeyListing:
    """A key as ``apikey list`` shows it (never its secret)."""

    name: str
    prefix: str
    revoked_at: datetime | None
    last_used_at: datetime | None
    username: str | None
    """The user a user key acts as; None for a machine key."""
    scope: KeyScope


def describe_api_keys(db: Database) -> list[KeyListing]:
    """Every key by name, with its owner and scope."""
    with db.session() as session:
        rows: dict[int, list[tuple[str, str]]] = {}
        for key_id, kind, ref in session.execute(select(ApiKeyScope.api_key_id, ApiKeyScope.kind, ApiKeyScope.ref)):
            rows.setdefault(key_id, []).append((kind, ref))
        keys = session.execute(select(ApiKey, User.username).outerjoin(User, ApiKey.user_id == User.id)
                               .order_by(ApiKey.name))
        return [KeyListing(key.name, key.prefix, key.revoked_at, key.last_used_at, username,
                           KeyScope.from_rows(rows.get(key.id, ()))) for key, username in keys]


def revoke_api_key(db: Database, name: str, actor: str | None = None) -> ApiKey:
    """Revoke the key ``name`` (again is harmless); with an ``actor`` the first revocation is audited."""
    with db.session() as session:
        api_key = session.scalar(select(ApiKey).where(ApiKey.name == name))
        if api_key is None:
            raise NotFound(f"no API key called {name!r}")
        if api_key.revoked_at is None and actor is not None:
            audit.record(session, actor, "apikey.revoked", target=name, detail={"prefix": api_key.prefix})
        api_key.revoked_at = api_key.revoked_at or utc_now()
    return api_key


def key_user(db: Database, api_key_id: int) -> User | None:
    """The user an API key belongs to (check ``is_active``), or None for a machine key."""
    with db.session() as session:
        return session.scalar(select(User).join(ApiKey, ApiKey.user_id == User.id).where(ApiKey.id == api_key_id))
