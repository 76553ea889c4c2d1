"""Optimisation runs as stored: read side used by the Overview."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from data_access.engine import Database
from data_access.schema import OptimisationRun


def latest_run(db: Database) -> OptimisationRun | None:
    """The most recently created run, with its author loaded, or None."""
    with db.session() as session:
        return session.scalar(
            select(OptimisationRun)
            .options(joinedload(OptimisationRun.created_by))
            .order_by(OptimisationRun.created_at.desc(), OptimisationRun.id.desc())
            .limit(1)
        )
