"""API keys: ``pdk_<prefix>_<secret>``, shown once, stored as SHA-256.

A key either belongs to a user (scripts and notebooks: it acts as that user, with the user's role as
it is at each request, and only while that user exists and is active) or to a machine (meters,
turbines), which may call only the routes its scopes allow (``domain.key_kinds``) and never submit
runs. A machine key may also be narrowed to the turbines, meters and assets it writes for
(``domain.key_scope``); without that it may write for all of them. Any key may expire.

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
from sqlalchemy.dialects import postgresql, sqlite

from data_access.engine import Database
from data_access.schema import ApiKey, ApiKeyAddress, ApiKeyScope, CarbonAsset, SmartMeter, Turbine, User
from data_access.types import utc_now
from domain.key_kinds import FLEET_GATEWAY_SCOPES, MACHINE_SCOPES, unknown_scopes
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


def _check_scopes(username: str | None, scopes) -> frozenset[str] | None:
    if username is not None:
        if scopes:
            raise InvalidInput("a user key acts as its user (with the user's role) and takes no machine scopes; "
                               "give scopes to a machine key instead")
        return None
    chosen = FLEET_GATEWAY_SCOPES if scopes is None else frozenset(scopes)
    unknown = unknown_scopes(chosen)
    if unknown:
        raise InvalidInput(f"unknown scope {unknown[0]!r}; the scopes are {', '.join(sorted(MACHINE_SCOPES))}")
    if not chosen:
        raise InvalidInput("a machine key needs at least one scope (for example turbines:write)")
    return chosen


def create_api_key(db: Database, name: str, username: str | None = None, scope: KeyScope = FLEET,
                   actor: str | None = None, scopes=None, expires_at: datetime | None = None) -> IssuedKey:
    """A new key called ``name``; with ``username`` it belongs to that user and acts as them.

    A machine key (no ``username``) may call the routes its ``scopes`` allow (``domain.key_kinds``;
    None gives ``FLEET_GATEWAY_SCOPES``, what machine keys could do before scopes: the CLI and the keys
    page always pass an explicit choice). With a ``scope`` it may write only for the turbines, meters
    and assets it names, each of which must exist. ``expires_at`` (aware UTC) ends it. With an
    ``actor`` the creation is recorded in the audit log (never the secret)."""
    if not NAME_PATTERN.match(name):
        raise InvalidInput(f"API key name {name!r} is not valid: use letters, digits, dots, dashes or underscores")
    if username is not None and not scope.is_fleet:
        raise InvalidInput("a key with --user acts as that user and cannot be scoped; "
                           "scope a machine key (without --user) instead")
    chosen_scopes = _check_scopes(username, scopes)
    if expires_at is not None and expires_at <= utc_now():
        raise InvalidInput("the expiry must be in the future")
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
        api_key = ApiKey(name=name, prefix=prefix, key_hash=_digest(key), user_id=user_id, expires_at=expires_at,
                         scopes=" ".join(sorted(chosen_scopes)) if chosen_scopes is not None else None)
        session.add(api_key)
        session.flush()
        session.add_all(ApiKeyScope(api_key_id=api_key.id, kind=kind, ref=ref) for kind, ref in scope.rows())
        if actor is not None:
            writes_for = f"user {username}" if username is not None else scope.describe()
            audit.record(session, actor, "apikey.created", target=name,
                         detail={"prefix": prefix, "acts_as_or_scope": writes_for,
                                 "scopes": sorted(chosen_scopes or ()),
                                 "expires_at": expires_at.isoformat() if expires_at else None})
    return IssuedKey(name=name, key=key)


@dataclass(frozen=True)
class KeyPrincipal:
    """A live key as the request guard sees it, read afresh on every request."""

    api_key_id: int
    name: str
    user_id: int | None
    username: str | None
    role: str | None
    """The user's role now; None for a machine key."""
    scopes: frozenset[str]
    """A machine key's scopes; empty for a user key."""

    @property
    def is_user_key(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class KeyCheck:
    principal: KeyPrincipal | None
    refusal: str | None = None
    """Why the key may not be used (for the 401 body)."""
    key_name: str | None = None
    """The key's name when the secret matched a stored key (its refused uses are audited)."""


def _first_use_from(session, api_key: ApiKey, address: str, now: datetime) -> bool:
    """Record ``address`` for the key; True when it was new (one atomic insert-if-absent)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(insert(ApiKeyAddress).values(api_key_id=api_key.id, address=address,
                                                          first_seen_at=now).on_conflict_do_nothing())
    return result.rowcount == 1


def check_api_key(db: Database, presented: str, address: str | None = None,
                  now: datetime | None = None) -> KeyCheck:
    """The principal for ``presented``, or why not: unknown, revoked, expired, or its user deleted or
    disabled. Records when and from where it was last used; the first use from a new address is audited."""
    match = KEY_PATTERN.match(presented or "")
    if not match:
        return KeyCheck(None, "the API key is not valid or has been revoked")
    now = now or utc_now()
    address = (address or "unknown")[:64]
    with db.session() as session:
        api_key = session.scalar(select(ApiKey).where(ApiKey.prefix == match.group(1)))
        if api_key is None or not hmac.compare_digest(api_key.key_hash, _digest(presented)):
            return KeyCheck(None, "the API key is not valid or has been revoked")
        if api_key.revoked_at is not None:
            return KeyCheck(None, "the API key has been revoked", api_key.name)
        if api_key.expires_at is not None and api_key.expires_at <= now:
            return KeyCheck(None, "the API key has expired", api_key.name)
        user = None
        if api_key.user_id is not None:
            user = session.get(User, api_key.user_id)
            if user is None:
                return KeyCheck(None, "the API key's user no longer exists", api_key.name)
            if not user.is_active:
                return KeyCheck(None, f"the API key belongs to {user.username!r}, whose account is disabled",
                                api_key.name)
        if address != api_key.last_used_address:
            if _first_use_from(session, api_key, address, now):
                audit.record(session, f"apikey:{api_key.name}", "apikey.new_address", target=api_key.name,
                             detail={"prefix": api_key.prefix}, remote_addr=address)
            api_key.last_used_address = address
            api_key.last_used_at = now
        # Written at most once a minute: a write per request would serialise busy machines (ingest).
        elif api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            api_key.last_used_at = now
        return KeyCheck(KeyPrincipal(
            api_key.id, api_key.name, api_key.user_id, user.username if user else None, user.role if user else None,
            frozenset((api_key.scopes or "").split()) if user is None else frozenset()), None, api_key.name)


def verify_api_key(db: Database, presented: str) -> ApiKey | None:
    """The live key matching ``presented`` (not revoked, not expired, its user active), or None."""
    checked = check_api_key(db, presented)
    if checked.principal is None:
        return None
    with db.session() as session:
        return session.get(ApiKey, checked.principal.api_key_id)


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
    scopes: tuple[str, ...] = ()
    """A machine key's scopes (``domain.key_kinds``)."""
    expires_at: datetime | None = None
    last_used_address: str | None = None


def describe_api_keys(db: Database, username: str | None = None) -> list[KeyListing]:
    """Every key by name, with its owner and scope; with ``username`` only that user's keys."""
    with db.session() as session:
        rows: dict[int, list[tuple[str, str]]] = {}
        for key_id, kind, ref in session.execute(select(ApiKeyScope.api_key_id, ApiKeyScope.kind, ApiKeyScope.ref)):
            rows.setdefault(key_id, []).append((kind, ref))
        query = select(ApiKey, User.username).outerjoin(User, ApiKey.user_id == User.id).order_by(ApiKey.name)
        if username is not None:
            query = query.where(User.username == username)
        return [KeyListing(key.name, key.prefix, key.revoked_at, key.last_used_at, owner,
                           KeyScope.from_rows(rows.get(key.id, ())), tuple(sorted((key.scopes or "").split())),
                           key.expires_at, key.last_used_address)
                for key, owner in session.execute(query)]


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


def revoke_key_of(db: Database, name: str, actor: str, actor_is_admin: bool) -> ApiKey:
    """Revoke ``name`` for the keys page: an admin any key, anyone else only a key of their own."""
    if not actor_is_admin:
        with db.session() as session:
            owner = session.scalar(select(User.username).join(ApiKey, ApiKey.user_id == User.id)
                                   .where(ApiKey.name == name))
        if owner != actor:
            raise NotFound(f"you have no API key called {name!r}")
    return revoke_api_key(db, name, actor=actor)
