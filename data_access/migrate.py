"""Alembic, driven from code so `flask db ...`, `flask setup` and the tests share one path.

Alembic (with Mako and Pygments, a third of a second) is imported by the functions that use it, not with this
module: the app imports it for ``/health`` and ``flask setup``, and most commands never migrate."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at this package's migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


MIGRATION_LOCK_ID = 0x70D35C
"""PostgreSQL advisory-lock key held while migrating (any constant shared by every process)."""


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Only one process migrates at a time; the others wait, then find nothing left to do.

    PostgreSQL: a session advisory lock (works across machines). SQLite: an exclusive ``flock``
    on ``<database>.migrate.lock`` beside the file (SQLite lives on one machine's disk)."""
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_ID})
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_ID})
        finally:
            engine.dispose()
        return
    path = database_url.split(":///", 1)[-1] if database_url.startswith("sqlite:///") else ""
    if not path or path == ":memory:":
        yield
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


POSTGRES_FKS_KEPT_BY_TRIGGERS = frozenset({"fk_power_readings_asset_id_carbon_assets"})
"""Foreign keys of ``schema.py`` that PostgreSQL enforces with statement-level triggers instead (migration 0017)."""


def include_object(dialect_name: str):
    """Autogenerate's ``include_object`` for a database of ``dialect_name``: everything but the foreign keys that
    the migrations replaced by triggers there (so comparing the models with such a database finds nothing)."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        return not (dialect_name == "postgresql" and type_ == "foreign_key_constraint"
                    and name in POSTGRES_FKS_KEPT_BY_TRIGGERS)

    return include


def upgrade(database_url: str, revision: str = "head") -> None:
    with migration_lock(database_url):
        from alembic import command

        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


def revision(database_url: str, message: str, autogenerate: bool = True) -> None:
    from alembic import command

    command.revision(alembic_config(database_url), message=message, autogenerate=autogenerate)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
