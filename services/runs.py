"""Optimisation runs as stored: the read side used by the Overview and the Runs page."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from data_access import runs as run_store
from data_access.engine import Database
from data_access.schema import OptimisationRun
from services.errors import NotFound


def latest_run(db: Database) -> OptimisationRun | None:
    """The most recently created run, with its author loaded, or None."""
    with db.session() as session:
        return session.scalar(
            select(OptimisationRun)
            .options(joinedload(OptimisationRun.created_by))
            .order_by(OptimisationRun.created_at.desc(), OptimisationRun.id.desc())
            .limit(1)
        )


def list_runs(db: Database, limit: int = 500) -> list[OptimisationRun]:
    """Stored runs, newest first, with their authors loaded."""
    with db.session() as session:
        return list(session.scalars(
            select(OptimisationRun)
            .options(joinedload(OptimisationRun.created_by))
            .order_by(OptimisationRun.created_at.desc(), OptimisationRun.id.desc())
            .limit(limit)
        ))


def get_run(db: Database, run_id: int) -> tuple[OptimisationRun, pd.DataFrame]:
    """A stored run and its intervals (empty when the run has no schedule); NotFound if absent."""
    with db.session() as session:
        run = session.scalar(
            select(OptimisationRun).options(joinedload(OptimisationRun.created_by)).where(OptimisationRun.id == run_id)
        )
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        return run, run_store.run_intervals(session, run_id)
