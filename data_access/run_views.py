"""Stored run views (``RunView``): compressed JSON per run and colour mode, under the format that built it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from data_access.schema import RunView
from data_access.types import utc_now


def stored_views(session: Session, run_id: int, view_format: str) -> dict[str, bytes]:
    """The run's stored payloads built by ``view_format``, by theme (none for a view built by other code)."""
    rows = session.execute(select(RunView.theme, RunView.payload)
                           .where(RunView.run_id == run_id, RunView.view_format == view_format)).all()
    return {theme: bytes(payload) for theme, payload in rows}


def store_view(session: Session, run_id: int, theme: str, view_format: str, payload: bytes) -> None:
    """Store (or replace: an upsert, so two processes building the same view cannot collide) one view."""
    values = {"run_id": run_id, "theme": theme, "view_format": view_format, "payload": payload,
              "built_at": utc_now()}
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(RunView.__table__).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["run_id", "theme"], set_={k: v for k, v in values.items() if k not in ("run_id", "theme")}))
