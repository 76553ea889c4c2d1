"""Powerdesk settings: one typed object, read from the environment.

Every field maps to the environment variable of the same name in upper case
(``DATABASE_URL``, ``SECRET_KEY``, ...). README's "Settings" table documents
each one; keep the two in step.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
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
        "sqlite:///instance/powerdesk.db",
        description="SQLAlchemy URL. SQLite (default, WAL mode) or postgresql+psycopg://user@host/db.",
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
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError(f"DATABASE_URL must be a sqlite:// or postgresql:// URL, not {value.split(':')[0]!r}")
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    def resolved_database_url(self) -> str:
        """``database_url`` with a relative SQLite path made absolute (against the working directory)."""
        prefix = "sqlite:///"
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
