"""Powerdesk settings: one typed object, read from the environment.

Every field maps to the environment variable of the same name in upper case
(``DATABASE_URL``, ``SECRET_KEY``, ...). README's "Settings" table documents
each one; keep the two in step.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. Relative paths are resolved against the working directory."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    instance_path: Path = Field(
        Path("instance"),
        validation_alias="POWERDESK_INSTANCE_PATH",
        description="Folder for local state: SQLite database, generated secret key, background-job cache.",
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL. SQLite (WAL mode) or postgresql+psycopg://user@host/db; unset: the SQLite "
        "file powerdesk.db in the instance folder.",
    )
    redis_url: str | None = Field(
        None,
        description="Redis URL. When set: login rate limits are shared through Redis and background "
        "optimisation runs go to Celery workers instead of the local diskcache manager.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Flask session signing key. When unset, one is generated once and kept in "
        "<instance>/secret_key (mode 0600).",
    )
    powerdesk_admin_password: SecretStr | None = Field(
        None,
        description="Password for the `admin` user created on the first start with an empty database. "
        "When unset, a random password is printed once to the console.",
    )
    port: int = Field(8050, ge=1, le=65535, description="Port `python app.py` serves on.")
    host: str = Field("127.0.0.1", description="Interface `python app.py` binds to.")
    session_cookie_secure: bool = Field(
        False, description="Send the session cookie over HTTPS only. Turn on behind TLS."
    )
    load_demo_data: bool = Field(True, description="`flask setup` loads the shipped demo prices when true.")
    mail_server: str = Field("localhost", description="SMTP host for outgoing mail.")
    mail_port: int = Field(25, description="SMTP port.")
    mail_use_tls: bool = Field(False, description="STARTTLS on the SMTP connection.")
    mail_use_ssl: bool = Field(False, description="Implicit TLS on the SMTP connection.")
    mail_username: str | None = Field(None, description="SMTP user name, if the server needs one.")
    mail_password: SecretStr | None = Field(None, description="SMTP password, if the server needs one.")
    mail_default_sender: str = Field("powerdesk@localhost", description="From address of Powerdesk mail.")
    mail_timeout_s: float = Field(10.0, gt=0, description="SMTP connect/read timeout [s].")
    background_manager: Literal["auto", "diskcache", "celery"] = Field(
        "auto",
        validation_alias="POWERDESK_BACKGROUND",
        description="Background job manager: `auto` picks Celery when REDIS_URL is set, else diskcache.",
    )
    # prices: price sources for `flask prices fetch`
    prices_folder: Path | None = Field(
        None,
        description="Folder source: price files (seed, Elexon MID or EPEX CSV, .csv.gz too) dropped here are "
        "imported by `flask prices fetch --source folder`; also the HTTP source's file fallback.",
    )
    elexon_mid_url: str = Field(
        "https://data.elexon.co.uk/bmrs/api/v1/balancing/pricing/market-index",
        description="HTTP source `elexon-mid`: the Elexon Insights Market Index Data endpoint (JSON).",
    )
    price_fetch_timeout_s: float = Field(
        10.0, gt=0, le=300, description="Connect and read timeout of each HTTP price request [s]."
    )
    price_fetch_retries: int = Field(
        2, ge=0, le=10, description="Retries after a failed HTTP price request (timeouts, 5xx), with backoff."
    )

    # --- Sizing studies ---
    study_max_points: int = Field(200, ge=1, le=10_000, description="Most grid points one sizing study may have.")
    study_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, le=64,
        description="Local processes that solve a study's points when Celery is not configured "
        "(default: the machine's cores).",
    )

    # --- Forecast-driven runs: when each decision is taken ---
    forecast_da_gate_time: str = Field(
        "09:20",
        description="Forecast-driven runs: the day-ahead gate closure, UK local time (HH:MM) on the day before "
        "delivery. The day-ahead leg is forecast from prices known before it. A run keeps the time it was "
        "submitted with.",
    )
    forecast_id_decision_time: str = Field(
        "15:00",
        description="Forecast-driven runs: the intraday decision for all of the next day, UK local time (HH:MM) "
        "on the day before delivery; at or after the day-ahead gate closure, whose positions it holds.",
    )

    # --- Daily price email ---
    price_email_time: str = Field(
        "07:00",
        description="UK local time (Europe/London, HH:MM) at which the scheduler sends the previous "
        "settlement day's price email to everyone who opted in.",
    )
    price_email_attempts: int = Field(
        3, ge=1, le=10, description="SMTP attempts per price email before it is logged as failed."
    )
    price_email_backoff_s: float = Field(
        5.0, ge=0, description="Wait before the second SMTP attempt [s]; doubled before each later one."
    )
    price_email_claim_lease_s: float = Field(
        900.0,
        gt=0,
        description="A price email claimed by a sender that never finished (crashed) may be claimed again "
        "after this long [s]. Keep it above attempts x (MAIL_TIMEOUT_S x 3 + backoff).",
    )

    # --- Carbon footprint ---
    carbon_intensity_api_url: str = Field(
        "https://api.carbonintensity.org.uk",
        description="Base URL of the National Grid ESO / NESO Carbon Intensity API (`/intensity/{from}/{to}`).",
    )
    carbon_intensity_timeout_s: float = Field(
        10.0, gt=0, description="Connect and read timeout of each Carbon Intensity API request [s]."
    )
    carbon_intensity_fallback_dir: Path | None = Field(
        None,
        description="Folder of JSON files in the API's shape, read when the API cannot be reached. "
        "Unset: the shipped demo intensity folder (data_access/demo_data/carbon/intensity).",
    )

    # --- Turbines: the wind fleet, metric ingest and repair dispatch ---
    turbine_crew: str = Field(
        "Alex Morgan,Priya Shah,Sam Okafor",
        description="Repair engineers, comma-separated names; the crew size is the number of names.",
    )
    turbine_repair_min_s: float = Field(30.0, ge=0, description="Shortest repair time [s] (drawn uniformly).")
    turbine_repair_max_s: float = Field(90.0, ge=0, description="Longest repair time [s] (drawn uniformly).")
    turbine_travel_s: float = Field(5.0, ge=0, description="Time from assignment to the start of a repair [s].")
    turbine_auto_register: bool = Field(
        False, description="Register a turbine on its first metric (with the default rating) instead of refusing it."
    )
    turbine_default_rating_kw: float = Field(
        3000.0, gt=0, description="Rating [kW] of auto-registered and demo turbines."
    )
    turbine_report_interval_s: float = Field(
        1.0, gt=0, description="How often turbines are expected to report [s]; 3 missed reports mark one stale."
    )
    turbine_max_future_skew_s: float = Field(
        30.0, ge=0, le=300, description="How far ahead of the server's clock a turbine report may be stamped [s]; "
        "later ones are refused (422), so no report can hide the ones after it. At most 300."
    )
    turbine_failed_again_after_s: float = Field(
        5.0, ge=0, description="A turbine still reporting broken this long after its repair was done [s] failed "
        "again: its incident closes (\"failed again after repair\") and a new incident and ticket open."
    )
    turbine_curve_tolerance_pct: float = Field(
        10.0, ge=0, le=100, description="A report whose power is more than this share of the turbine's rating [%] "
        "above the power curve at its wind is flagged implausible (tile, metrics CSV); power at zero wind always is."
    )
    turbine_dispatch_interval_s: float = Field(
        2.0, gt=0, description="How often the repair dispatcher runs [s] (`python -m jobs.turbines`, scheduler)."
    )
    turbine_max_body_bytes: int = Field(
        1_000_000, gt=0, description="Largest metric ingest request body [bytes] (about 6,500 metrics); larger gets HTTP 413."
    )

    meter_max_gap_s: float = Field(
        7200.0, gt=0, description="Smart-meter readings further apart than this [s] leave a gap: not carried "
        "across (shown as a gap on the Meters page) and costed as unknown on every plan."
    )

    # runs-engine: run deadlines and the "your run finished" email
    run_time_limit_s: float = Field(
        1800.0, gt=0,
        description="Overall limit on one optimisation run [s]; a run still going then ends `timed_out` "
        "(with Celery also the task's soft limit, the hard limit a minute later).",
    )
    run_heartbeat_deadline_s: float = Field(
        120.0, gt=0,
        description="A running run whose heartbeat is older than this [s] is marked `failed` by the reaper "
        "(the worker stopped responding), and so is a queued study point whose holding process stopped beating; "
        "a queued run nobody holds is failed once it has waited the run time limit.",
    )
    celery_visibility_timeout_s: float | None = Field(
        None, gt=0,
        description="Celery (Redis broker): a task whose worker died without acknowledging it (killed, power "
        "lost) is delivered again to another worker after this many seconds [s]. Default: the run time limit "
        "plus its hard-limit grace plus a minute, so a task still running is never delivered twice. With a "
        "shorter value than the heartbeat deadline, a killed worker's run is taken over and finished; with "
        "the default, the reaper fails it first (\"stopped responding\").",
    )
    run_cancel_grace_s: float = Field(
        30.0, ge=0,
        description="A cancelled run's worker stops itself after the day it is solving and keeps the days solved; "
        "if it is still running this many seconds [s] after the cancel (one day's solve outlasting it), it is "
        "killed, and the run keeps no schedule.",
    )
    run_email_after_s: float = Field(
        120.0, ge=0,
        description="When a run that took longer than this [s] ends, its submitter gets an email with the outcome.",
    )
    run_views_when_finished: bool = Field(
        True,
        description="A background worker that finishes a run then draws the run's view (figures, day list, the "
        "grid's first page) in both colour modes and stores it, so the run opens as quickly the first time as any "
        "other. Off: each view is drawn and stored the first time it is opened.",
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8050",
        description="The address people open Powerdesk at; links in emails start with it.",
    )

    # --- security: sessions, headers, login throttling, request limits, logging -----------------
    session_lifetime_minutes: float = Field(
        720, gt=0, description="A login lasts at most this long [min], however active; then log in again."
    )
    session_idle_timeout_minutes: float = Field(
        60, gt=0, description="A session with no request for this long [min] has ended."
    )
    behind_tls: bool = Field(
        False,
        description="The app is served over HTTPS (directly or behind a TLS proxy): the session cookie "
        "becomes Secure with the `__Host-` name prefix, and responses carry HSTS. Leave off for plain-HTTP demos.",
    )
    hsts_max_age_s: int = Field(31536000, ge=0, description="HSTS max-age [s] when BEHIND_TLS is on.")
    trusted_proxy_count: int = Field(
        0, ge=0, le=5,
        description="Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (0: none). "
        "Login throttling counts per client address, so set this behind a proxy.",
    )
    login_free_failures: int = Field(
        5, ge=1, description="Failed logins per user name before each further attempt must wait (backoff)."
    )
    login_backoff_base_s: float = Field(
        5.0, gt=0, description="First backoff delay [s] after the free failures; it doubles with each failure."
    )
    login_backoff_max_s: float = Field(
        300.0, gt=0, description="Longest backoff delay [s]: a user name is never locked for longer than this."
    )
    login_failure_memory_s: float = Field(
        3600.0, gt=0, description="A user name's failure count is forgotten this long [s] after its last failure."
    )
    login_address_failure_limit: int = Field(
        30, ge=1, description="Failed logins from one client address (any user names) within the window "
        "before that address gets HTTP 429."
    )
    login_address_window_s: float = Field(900.0, gt=0, description="Window [s] for the per-address limit.")
    max_request_mb: float = Field(
        20.0, gt=0, description="Largest request body [MB] (uploads included); larger ones get HTTP 413."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="`json` writes one JSON object per log line (with the request id) for log collectors."
    )
    log_level: str = Field("INFO", description="Log level of the `powerdesk` loggers.")

    @field_validator("instance_path")
    @classmethod
    def _absolute_instance(cls, value: Path) -> Path:
        return value if value.is_absolute() else (Path.cwd() / value)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError(f"DATABASE_URL must be a sqlite:// or postgresql:// URL, not {value.split(':')[0]!r}")
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("celery_visibility_timeout_s", mode="before")
    @classmethod
    def _empty_means_default(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("price_email_time", "forecast_da_gate_time", "forecast_id_decision_time")
    @classmethod
    def _clock_time(cls, value: str, info) -> str:
        match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
        if not match:
            example = {"price_email_time": "07:00", "forecast_da_gate_time": "09:20"}.get(info.field_name, "15:00")
            raise ValueError(f"{info.field_name.upper()} must be a 24-hour UK time like {example}, not {value!r}")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    @model_validator(mode="after")
    def _intraday_after_the_gate(self) -> Settings:
        if self.forecast_id_decision_time < self.forecast_da_gate_time:  # both zero-padded HH:MM
            raise ValueError(f"FORECAST_ID_DECISION_TIME ({self.forecast_id_decision_time}) must not come before "
                             f"FORECAST_DA_GATE_TIME ({self.forecast_da_gate_time}): the intraday decision holds "
                             "the day-ahead positions decided at the gate")
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        # A lease shorter than one whole send would let a second sender take over a live one. A send is
        # taken to fail within about three socket timeouts per attempt (connect, greeting, a stalled command).
        longest_send_s = self.price_email_attempts * self.mail_timeout_s * 3 + sum(
            self.price_email_backoff_s * 2**i for i in range(self.price_email_attempts - 1))
        if self.price_email_claim_lease_s <= longest_send_s:
            raise ValueError(f"PRICE_EMAIL_CLAIM_LEASE_S ({self.price_email_claim_lease_s:g} s) must be longer than "
                             f"one whole send with retries (up to {longest_send_s:g} s with these settings)")
        return self

    def price_email_hour_minute(self) -> tuple[int, int]:
        """``price_email_time`` as (hour, minute), UK local time."""
        hour, minute = self.price_email_time.split(":")
        return int(hour), int(minute)

    def forecast_decision_times(self) -> tuple[str, str]:
        """(day-ahead gate closure, intraday decision), UK local ``HH:MM`` on the day before delivery."""
        return self.forecast_da_gate_time, self.forecast_id_decision_time

    @field_validator("turbine_crew")
    @classmethod
    def _crew_named(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names:
            raise ValueError("TURBINE_CREW needs at least one engineer name")
        if len(set(names)) != len(names):
            raise ValueError("TURBINE_CREW has the same name twice")
        return ",".join(names)

    def turbine_crew_names(self) -> tuple[str, ...]:
        """The repair engineers, in the order they are given work."""
        return tuple(self.turbine_crew.split(","))

    def resolved_database_url(self) -> str:
        """``database_url`` with a relative SQLite path made absolute (against the working directory); unset,
        the SQLite file ``powerdesk.db`` in the instance folder."""
        prefix = "sqlite:///"
        if not self.database_url:
            return f"{prefix}{self.instance_path / 'powerdesk.db'}"
        if self.database_url.startswith(prefix):
            path = self.database_url.removeprefix(prefix)
            if path and path != ":memory:" and not path.startswith("/"):
                return prefix + str(Path.cwd() / path)
        return self.database_url

    def uses_celery(self) -> bool:
        """True when background runs go to Celery workers (Redis broker)."""
        if self.background_manager == "auto":
            return self.redis_url is not None
        return self.background_manager == "celery"

    def flask_secret_key(self) -> str:
        """The configured key, or the one persisted in the instance folder (created on first use)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        self.instance_path.mkdir(parents=True, exist_ok=True)
        key_file = self.instance_path / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        # Write a private temp file, then hard-link it into place: concurrent workers either
        # win the link or read the winner's complete key, never a half-written file.
        fd, tmp_name = tempfile.mkstemp(dir=self.instance_path, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):
                os.link(tmp_name, key_file)
        finally:
            os.unlink(tmp_name)
        return key_file.read_text().strip()
