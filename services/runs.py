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


# --- runs-engine: reads for the runs API -------------------------------------------------------------------


def find_runs(db: Database, status: str | None = None, username: str | None = None, first=None, last=None,
              limit: int = 500) -> list[OptimisationRun]:
    """Runs newest first, filtered by status, submitter's user name, and settlement dates overlapping
    ``first``..``last`` (either may be None)."""
    from data_access.schema import User

    query = (select(OptimisationRun).options(joinedload(OptimisationRun.created_by))
             .order_by(OptimisationRun.created_at.desc(), OptimisationRun.id.desc()).limit(limit))
    if status:
        query = query.where(OptimisationRun.status == status)
    if username:
        query = query.join(User, OptimisationRun.created_by_id == User.id).where(User.username == username)
    if first is not None:
        query = query.where(OptimisationRun.last_date >= first)
    if last is not None:
        query = query.where(OptimisationRun.first_date <= last)
    with db.session() as session:
        return list(session.scalars(query).unique())


def get_run_row(db: Database, run_id: int) -> OptimisationRun:
    """A stored run with its author and canceller loaded; NotFound if absent."""
    with db.session() as session:
        run = session.scalar(
            select(OptimisationRun)
            .options(joinedload(OptimisationRun.created_by), joinedload(OptimisationRun.cancelled_by))
            .where(OptimisationRun.id == run_id)
        )
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        return run


def delete_run(db: Database, run_id: int, user_id: int | None, is_admin: bool) -> None:
    """Delete a run and its intervals (its owner or an admin; not while it is queued or running).

    A minimal version so the runs API can call it; the runs-view branch owns the full one."""
    from sqlalchemy import delete

    from data_access.schema import RunInterval
    from services.errors import Conflict, Forbidden

    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        if not is_admin and (user_id is None or run.created_by_id != user_id):
            raise Forbidden(f"run #{run_id} is not yours; only its owner or an admin may delete it")
        if run.status in run_store.ACTIVE_STATUSES:
            raise Conflict(f"run #{run_id} is {run.status}; cancel it before deleting it")
        session.execute(delete(RunInterval).where(RunInterval.run_id == run_id))
        session.delete(run)
