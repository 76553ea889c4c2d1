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
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
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
    """A user's key (acts as the user) or a machine's (acts within its scopes). Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # runs-engine: a key may belong to a user (scripts, notebooks: it acts with that user's role);
    # a key without one is a machine's (meters, turbines), which may not submit runs.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    scopes: Mapped[str | None] = mapped_column(String(255), nullable=True)
    """A machine key's scopes (``domain.key_kinds.MACHINE_SCOPES``), space-separated; None for a user key."""
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_address: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ApiKeyAddress(Base):
    """An address a key has been used from (the first use from a new one is audited)."""

    __tablename__ = "api_key_addresses"

    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class ApiKeyScope(Base):
    """One thing a machine key may write for (``domain.key_scope``); a key with no rows is a fleet key.

    ``ref`` is a turbine number, a smart meter id or a carbon asset id, by ``kind``."""

    __tablename__ = "api_key_scopes"
    __table_args__ = (CheckConstraint("kind IN ('turbine', 'meter', 'asset')", name="kind_known"),)

    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), primary_key=True)


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
    import_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    """The ``price_imports`` row that added it (NULL for rows stored before imports were recorded)."""


class PriceImport(Base):
    """One price import: who, what file, what it added (``market_prices.import_id``) and what it displaced."""

    __tablename__ = "price_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(16))
    good_lines_only: Mapped[bool] = mapped_column(Boolean, default=False)
    """True when the trader imported the good lines of a file that had rejected ones."""
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    rows_displaced: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    undone_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    """SHA-256 (hex) of the file as uploaded; NULL for imports recorded before it was kept."""


class PriceImportDisplaced(Base):
    """A stored price an import took over from (readers used it before, the import's price after).

    The displaced row itself stays in ``market_prices``, so undoing the import makes it used again."""

    __tablename__ = "price_import_displaced"
    __table_args__ = (Index("ix_price_import_displaced_import", "import_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("price_imports.id", ondelete="CASCADE"))
    market: Mapped[str] = mapped_column(String(32))
    interval_start_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(64))
    price_gbp_per_mwh: Mapped[float] = mapped_column(Float)


class PricePrecedence(Base):
    """Which kind of source wins an interval of one market, best first (e.g. ``feed,seed,upload``)."""

    __tablename__ = "price_precedence"

    market: Mapped[str] = mapped_column(String(32), primary_key=True)
    order: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")


LIVE_REUSE = "status IN ('queued', 'running', 'succeeded') AND duplicate_of_id IS NULL"
"""The runs an identical request reopens; the unique reuse index covers exactly these."""


class OptimisationRun(Base):
    """One optimisation run: who asked, with what, on which input data, and how it ended."""

    __tablename__ = "optimisation_runs"
    __table_args__ = (Index("ix_optimisation_runs_reuse", "params_hash", "input_fingerprint"),
                      Index("ix_optimisation_runs_status", "status"),
                      # At most one live run (queued, running or succeeded) per reuse fingerprint: two identical
                      # requests at once make one run (services.optimisation_runs.queue_run).
                      Index("uq_optimisation_runs_live_reuse", "params_hash", "input_fingerprint", unique=True,
                            sqlite_where=text(LIVE_REUSE), postgresql_where=text(LIVE_REUSE)))

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
    # runs-engine: lifecycle (queued -> running -> succeeded | failed | infeasible | timed_out | cancelled),
    # the job that solves it, its progress and heartbeat, who cancelled it, and the price series it read.
    solver_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """The optimiser's own outcome (optimal, suboptimal, infeasible, time_limit_no_solution, solver_error)."""
    job_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """``pid:<pid>@<host>`` for a local process, ``celery:<task id>`` for a Celery task."""
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """The host (container) whose process or Celery worker claimed the run last; NULL before it was recorded."""
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error_traceback: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The Python traceback of an unexpected failure: shown to admins only."""
    da_series: Mapped[str] = mapped_column(String(32), default="day_ahead")
    id_series: Mapped[str] = mapped_column(String(32), default="intraday")
    prices_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the newest price row the run read was stored."""
    duplicate_of_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The identical run kept when the dedupe index came (migration 0013) and this one duplicated it."""

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])


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


class RunForecastInterval(Base):
    """One half-hour of a forecast-driven run: the forecasts its decisions used [£/MWh] and the cash the
    perfect-foresight run of the same battery made in it [£] (``data_access.forecast_runs``)."""

    __tablename__ = "run_forecast_intervals"

    run_id: Mapped[int] = mapped_column(ForeignKey("optimisation_runs.id", ondelete="CASCADE"), primary_key=True)
    interval_start_utc: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    da_forecast: Mapped[float | None] = mapped_column(Float, nullable=True)
    id_forecast: Mapped[float | None] = mapped_column(Float, nullable=True)
    perfect_cash_gbp: Mapped[float | None] = mapped_column(Float, nullable=True)


class RunCarbonTotals(Base):
    """A finished run's schedule carbon, computed once (``services.run_carbon_totals``) [tCO2].

    Deleted whenever grid intensity is stored (``data_access.carbon.store_intensity``), so a later
    import is never hidden behind totals computed before it; the next view computes them again."""

    __tablename__ = "run_carbon_totals"

    run_id: Mapped[int] = mapped_column(ForeignKey("optimisation_runs.id", ondelete="CASCADE"), primary_key=True)
    emitted_tco2: Mapped[float | None] = mapped_column(Float, nullable=True)
    avoided_tco2: Mapped[float | None] = mapped_column(Float, nullable=True)
    net_tco2: Mapped[float | None] = mapped_column(Float, nullable=True)
    coverage_share: Mapped[float] = mapped_column(Float)
    intervals: Mapped[int] = mapped_column(Integer)
    intervals_with_intensity: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class RunView(Base):
    """What a finished run's view draws from its intervals, in one colour mode, as compressed JSON
    (``services.run_views``): built once, when the run finishes or when it is first shown.

    ``view_format`` names the code that built it; a view built by other code is never shown (it is built
    again), so an upgrade never shows a figure drawn by the version before it."""

    __tablename__ = "run_views"

    run_id: Mapped[int] = mapped_column(ForeignKey("optimisation_runs.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(8), primary_key=True)
    view_format: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


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


# --- Sizing studies -------------------------------------------------------------------------------


class Study(Base):
    """A named grid of runs over one date range; each point is an ordinary stored run."""

    __tablename__ = "studies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The submitted body: name, start, end, base, grid."""
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    created_by: Mapped[User | None] = relationship()


class StudyPoint(Base):
    """One grid point of a study and the run that answers it (shared with other studies when identical)."""

    __tablename__ = "study_points"

    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True)
    point_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    varied: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("optimisation_runs.id", ondelete="SET NULL"), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    """Why the point has no run (its parameters were refused), when it has none."""


# --- Daily price email -------------------------------------------------------------------------


class PriceEmailRecipient(Base):
    """A user's choice about the daily price email: the address to send to and whether to send."""

    __tablename__ = "price_email_recipients"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    user: Mapped[User] = relationship()


class PriceEmailSent(Base):
    """One email of one kind about one settlement date to one address: the idempotency key.

    ``status``: ``claimed`` (a sender owns it and is sending), ``sent`` or ``failed`` (may be
    claimed again). A claim older than the lease is treated as abandoned by a crashed sender.
    """

    __tablename__ = "price_email_sent"
    __table_args__ = (
        UniqueConstraint("settlement_date", "recipient", "kind", name="uq_price_email_sent_date_recipient_kind"),
        CheckConstraint("status IN ('claimed', 'sent', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settlement_date: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


# --- Carbon footprint -----------------------------------------------------------------------------


class CarbonAsset(Base):
    """A metered asset whose power readings give a carbon footprint (a battery, a site)."""

    __tablename__ = "carbon_assets"

    asset_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    rating_kw: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Registered rating [kW]; readings beyond ±10 × it are refused (±10 GW when None)."""


class PowerReading(Base):
    """One change-of-value power reading [kW, import positive]; it holds until the asset's next reading."""

    __tablename__ = "power_readings"
    __table_args__ = {"sqlite_with_rowid": False}
    """On SQLite the rows live in the key's b-tree (migration 0018). On PostgreSQL the asset foreign key is kept by
    statement-level triggers (migration 0017), one check per import instead of one per reading."""

    asset_id: Mapped[str] = mapped_column(ForeignKey("carbon_assets.asset_id", ondelete="CASCADE"), primary_key=True)
    time_utc: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    power_kw: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(120), default="")
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    invalid_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """Why the row fails today's rules (set by migration 0013 on rows an older version stored); reads skip it."""


class CarbonIntensity(Base):
    """GB national grid carbon intensity of one half-hour [gCO2/kWh]: forecast and (later) actual."""

    __tablename__ = "carbon_intensity"

    interval_start_utc: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    forecast_g_per_kwh: Mapped[float | None] = mapped_column(Float, nullable=True)
    actual_g_per_kwh: Mapped[float | None] = mapped_column(Float, nullable=True)
    index_label: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source: Mapped[str] = mapped_column(String(120), default="")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class AssetFootprint(Base):
    """An asset's footprint for one half-hour (HalfHourId = settlement period of the UK local date).

    Nulls mean unknown (no reading yet, or no intensity), never zero. Rows are recomputed when the
    asset's readings or the intensity change.
    """

    __tablename__ = "asset_footprints"

    asset_id: Mapped[str] = mapped_column(ForeignKey("carbon_assets.asset_id", ondelete="CASCADE"), primary_key=True)
    settlement_date: Mapped[date] = mapped_column(Date, primary_key=True)
    half_hour_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    power_kw: Mapped[float | None] = mapped_column(Float, nullable=True)
    """Time-weighted average power [kW]."""
    known_share: Mapped[float] = mapped_column(Float)
    """Share of the half-hour after the asset's first reading (0..1)."""
    energy_kwh: Mapped[float | None] = mapped_column(Float, nullable=True)
    intensity_g_per_kwh: Mapped[float | None] = mapped_column(Float, nullable=True)
    intensity_kind: Mapped[str | None] = mapped_column(String(8), nullable=True)
    footprint_g: Mapped[float | None] = mapped_column(Float, nullable=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


# --- Turbines: the wind fleet, its metrics and repair tickets ---------------------------------


class Turbine(Base):
    """A wind turbine of the fleet; metrics are checked against its rating [kW]."""

    __tablename__ = "turbines"

    turbine_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(64))
    rated_power_kw: Mapped[float] = mapped_column(Float)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    auto_registered: Mapped[bool] = mapped_column(Boolean, default=False)


class TurbineMetric(Base):
    """One report from a turbine: wind [m/s], power [kW], status, at its measured time (UTC).

    (turbine_number, measured_at) is unique: a report sent twice is stored once.
    """

    __tablename__ = "turbine_metrics"
    __table_args__ = (
        UniqueConstraint("turbine_number", "measured_at", name="uq_turbine_metrics_turbine_measured"),
        Index("ix_turbine_metrics_measured_at", "measured_at"),
        CheckConstraint("status IN ('ok', 'broken')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    turbine_number: Mapped[int] = mapped_column(ForeignKey("turbines.turbine_number"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    wind_speed_m_per_s: Mapped[float] = mapped_column(Float)
    power_kw: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=utc_now)
    """When the server took the report (None on rows stored before migration 0013)."""


class TurbineTicket(Base):
    """A repair ticket: one per broken incident. See ``domain.turbine_fleet`` for the states.

    ``open_turbine_number`` equals ``turbine_number`` while the incident is open and is NULL once
    it is resolved; being unique, it lets the database refuse a second open ticket for a turbine.
    ``busy_engineer`` likewise holds the engineer while assigned or repairing, so two dispatchers
    cannot give one engineer two jobs.
    """

    __tablename__ = "turbine_tickets"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'assigned', 'in_repair', 'done')", name="status_known"),
        Index("ix_turbine_tickets_turbine_opened", "turbine_number", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    turbine_number: Mapped[int] = mapped_column(ForeignKey("turbines.turbine_number"))
    open_turbine_number: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    incident_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    engineer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    busy_engineer: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    repair_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_again_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """The turbine still reported broken after this repair was done: the incident closed here and a new
    incident (and ticket) opened."""


# --- Operational data (runs-view) ------------------------------------------------------------------


class OperationalReading(Base):
    """Metered output of an asset (the battery) for one settlement period [MW, + exports, − imports].

    Keyed by the asset and the period's UTC start, so a re-imported file updates rather than
    duplicates, and joins to a run's schedule on the same UTC instant on clock-change days too.
    """

    __tablename__ = "operational_readings"
    __table_args__ = (
        UniqueConstraint("asset", "interval_start_utc", name="uq_operational_readings_asset_interval"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset: Mapped[str] = mapped_column(String(64))
    interval_start_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    settlement_date: Mapped[date] = mapped_column(Date)
    settlement_period: Mapped[int] = mapped_column(Integer)
    metered_mw: Mapped[float] = mapped_column(Float)
    source_file: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


# --- Meters (issue 10): smart meters, their readings and the price plans they are compared on ---


class PricePlan(Base):
    """A supplier's price plan. ``kind`` ``flat``: ``unit_rate_p_per_kwh`` everywhere;
    ``day_ahead_tracker``: that rate is an adder on the half-hour's day-ahead price
    (``domain.price_plans`` has the formulas)."""

    __tablename__ = "price_plans"
    __table_args__ = (CheckConstraint("kind IN ('flat', 'day_ahead_tracker')", name="kind_known"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    supplier: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32), default="flat")
    unit_rate_p_per_kwh: Mapped[float] = mapped_column(Float)
    peak_multipliers: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    """ISO weekday ("1" = Monday … "7" = Sunday) → multiplier on the rate."""
    day_ahead_multiplier: Mapped[float | None] = mapped_column(Float, nullable=True)
    rate_cap_p_per_kwh: Mapped[float | None] = mapped_column(Float, nullable=True)


class SmartMeter(Base):
    """A customer's smart meter; ``price_plan_id`` is the plan the customer is on now."""

    __tablename__ = "smart_meters"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(120), default="")
    price_plan_id: Mapped[str | None] = mapped_column(ForeignKey("price_plans.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class MeterReading(Base):
    """One instantaneous power reading [kW] of one meter; one row per meter and instant."""

    __tablename__ = "meter_readings"

    meter_id: Mapped[str] = mapped_column(ForeignKey("smart_meters.id", ondelete="CASCADE"), primary_key=True)
    reading_time_utc: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    power_kw: Mapped[float] = mapped_column(Float)
