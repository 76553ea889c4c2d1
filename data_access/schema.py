"""SQLAlchemy 2.0 schema. Alembic (data_access/migrations) owns how it reaches a database.

All instants are aware UTC (``UTCDateTime``); ``settlement_date`` columns are GB local
calendar dates and always travel with a settlement period.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from data_access.types import UTCDateTime, utc_now

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("viewer", "trader", "admin")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A person who logs in. ``role`` is one of viewer < trader < admin."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'trader', 'admin')", name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Bumped by logout, password change, disable and role change: every session cookie signed
    with an older value stops working at its next request (the ``security`` section's sessions)."""


class ApiKey(Base):
    """A machine credential (meter, turbine). Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MarketPrice(Base):
    """One market's price for one half-hour interval from one source [£/MWh]."""

    __tablename__ = "market_prices"
    __table_args__ = (
        UniqueConstraint("market", "interval_start_utc", "source", name="uq_market_prices_market_interval_source"),
        Index("ix_market_prices_market_interval", "market", "interval_start_utc"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    market: Mapped[str] = mapped_column(String(32))
    interval_start_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    price_gbp_per_mwh: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class OptimisationRun(Base):
    """One optimisation run: who asked, with what, on which input data, and how it ended."""

    __tablename__ = "optimisation_runs"
    __table_args__ = (Index("ix_optimisation_runs_reuse", "params_hash", "input_fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    markets: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    params_hash: Mapped[str] = mapped_column(String(64))
    input_fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default="queued")
    message: Mapped[str] = mapped_column(Text, default="")
    solver_stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    totals: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    created_by: Mapped[User | None] = relationship()


class RunInterval(Base):
    """One half-hour of a run's schedule: positions [MW], flows [MW], SoC [MWh], prices, cash [£]."""

    __tablename__ = "run_intervals"

    run_id: Mapped[int] = mapped_column(ForeignKey("optimisation_runs.id", ondelete="CASCADE"), primary_key=True)
    interval_start_utc: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    settlement_date: Mapped[date] = mapped_column(Date)
    settlement_period: Mapped[int] = mapped_column(Integer)
    da_buy_mw: Mapped[float] = mapped_column(Float)
    da_sell_mw: Mapped[float] = mapped_column(Float)
    id_buy_mw: Mapped[float] = mapped_column(Float)
    id_sell_mw: Mapped[float] = mapped_column(Float)
    charge_mw: Mapped[float] = mapped_column(Float)
    discharge_mw: Mapped[float] = mapped_column(Float)
    soc_mwh: Mapped[float] = mapped_column(Float)
    da_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    id_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    da_cash_gbp: Mapped[float] = mapped_column(Float)
    id_cash_gbp: Mapped[float] = mapped_column(Float)


class AuditEvent(Base):
    """Who did what, when: logins, role changes, run submissions, imports. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"), Index("ix_audit_events_action", "action"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(String(64))
    """User name, ``apikey:<name>`` for a machine, ``system`` for scheduled work, or the name tried at login."""
    action: Mapped[str] = mapped_column(String(64))
    """Dotted verb, e.g. ``login.failed``, ``user.role_changed``, ``run.submitted``, ``prices.imported``."""
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64), nullable=True)
