"""Optimisation runs as stored: the read side used by the Overview and the Runs page, and deletion."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from data_access import runs as run_store
from data_access.engine import Database
from data_access.schema import OptimisationRun, RunInterval, User
from data_access.types import utc_now
from domain.run_status import in_progress
from services import audit
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from settings import Settings

if TYPE_CHECKING:
    import pandas as pd

MAX_COMPARED_RUNS = 4


def latest_run(db: Database) -> OptimisationRun | None:
    """The most recently created run, with its author loaded, or None."""
    with db.session() as session:
        return session.scalar(
            select(OptimisationRun)
            .options(joinedload(OptimisationRun.created_by))
            .order_by(OptimisationRun.created_at.desc(), OptimisationRun.id.desc())
            .limit(1)
        )


def list_runs(db: Database, *, status: str | None = None, user: str | None = None, first: date | None = None,
              last: date | None = None, limit: int = 500) -> list[OptimisationRun]:
    """Stored runs, newest first, with their author and canceller loaded (the Runs page, the Carbon page,
    ``GET /api/v1/runs`` and ``flask optimise list`` all read them here).

    Filters, each optional: ``status`` (exact), ``user`` (the submitter's user name), and settlement
    dates: runs whose range overlaps ``first``..``last``. At most ``limit`` runs.
    """
    query = (select(OptimisationRun)
             .options(joinedload(OptimisationRun.created_by), joinedload(OptimisationRun.cancelled_by))
             .order_by(OptimisationRun.created_at.desc(), OptimisationRun.id.desc()).limit(limit))
    if status:
        query = query.where(OptimisationRun.status == status)
    if user:
        query = query.join(User, OptimisationRun.created_by_id == User.id).where(User.username == user)
    if first is not None:
        query = query.where(OptimisationRun.last_date >= first)
    if last is not None:
        query = query.where(OptimisationRun.first_date <= last)
    with db.session() as session:
        return list(session.scalars(query).unique())


def reap(db: Database, settings: Settings | None = None, now: datetime | None = None,
         run_ids: list[int] | None = None) -> list[int]:
    """The heartbeat rule (``data_access.runs.reap_stale``), applied to every run or only to ``run_ids``, at
    ``now`` (default: the clock): a run whose worker died ends ``failed``, an overdue one ``timed_out``.
    Every read of a run applies it first, so no page or API answer shows a dead run as running. Audited
    ``run.reaped``; returns the ids marked."""
    settings = settings or Settings()
    now = now or utc_now()
    heartbeat = timedelta(seconds=settings.run_heartbeat_deadline_s)
    limit = timedelta(seconds=settings.run_time_limit_s)
    with db.session() as session:
        marked = run_store.reap_stale(session, now - heartbeat, now - limit, now - limit - heartbeat, run_ids=run_ids)
        for run_id in marked:
            audit.record(session, "system", "run.reaped", f"run #{run_id}", {"run_id": run_id})
    return marked


def process_alive(pid: int, claimed_at: datetime | None) -> bool:
    """Whether local process ``pid`` may still be the one solving a run it claimed at ``claimed_at``: it exists,
    is not a zombie, and was not started after the claim (a pid the system has since given to another process)."""
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return psutil.pid_exists(pid) and pid != os.getpid()
    return claimed_at is None or created <= claimed_at.timestamp() + 1.0


def interrupt_orphaned_runs(db: Database, host: str | None = None,
                            alive: Callable[[int, datetime | None], bool] = process_alive) -> list[int]:
    """At start-up: runs left queued or running by local processes of this host that are gone (the server was
    killed with its runs, or the machine restarted) end ``failed`` with "interrupted" at once, instead of after
    the heartbeat deadline. A run whose process still lives is left to finish. Audited ``run.interrupted``."""
    host = host or socket.gethostname()
    with db.session() as session:
        gone = [run_id for run_id, pid, claimed_at in run_store.local_jobs(session, host)
                if not alive(pid, claimed_at)]
        ended = run_store.interrupt(session, gone)
        for run_id in ended:
            audit.record(session, "system", "run.interrupted", f"run #{run_id}", {"run_id": run_id})
    return ended


def get_run(db: Database, run_id: int, settings: Settings | None = None) -> tuple[OptimisationRun, pd.DataFrame]:
    """A stored run and its intervals (empty when the run has no schedule); NotFound if absent. The heartbeat
    rule is applied to it first (``reap``)."""
    reap(db, settings, run_ids=[run_id])
    with db.session() as session:
        run = session.scalar(
            select(OptimisationRun)
            .options(joinedload(OptimisationRun.created_by), joinedload(OptimisationRun.cancelled_by))
            .where(OptimisationRun.id == run_id)
        )
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        return run, run_store.run_intervals(session, run_id)


def get_run_row(db: Database, run_id: int, settings: Settings | None = None) -> OptimisationRun:
    """A stored run with its author and canceller loaded; NotFound if absent. The heartbeat rule is applied
    to it first (``reap``)."""
    reap(db, settings, run_ids=[run_id])
    with db.session() as session:
        run = session.scalar(
            select(OptimisationRun)
            .options(joinedload(OptimisationRun.created_by), joinedload(OptimisationRun.cancelled_by))
            .where(OptimisationRun.id == run_id)
        )
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        return run


def get_runs(db: Database, run_ids: list[int]) -> list[tuple[OptimisationRun, pd.DataFrame]]:
    """Several runs with their intervals, in the order asked, for a comparison of 2–4 runs."""
    unique = list(dict.fromkeys(int(run_id) for run_id in run_ids))
    if not 2 <= len(unique) <= MAX_COMPARED_RUNS:
        raise InvalidInput(f"choose between 2 and {MAX_COMPARED_RUNS} runs to compare (you chose {len(unique)})")
    return [get_run(db, run_id) for run_id in unique]


def delete_run(db: Database, run_id: int, user_id: int | None, is_admin: bool) -> None:
    """Delete a run and its intervals, in one transaction with its audit event.

    Only the run's owner or an admin may; a queued or running run cannot be deleted (cancel it
    first). Operational readings belong to the battery, not to a run, so they stay.
    Raises NotFound, Forbidden or Conflict with a message for the user.
    """
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        if run is None:
            raise NotFound(f"there is no run #{run_id}")
        if not is_admin and (user_id is None or run.created_by_id != user_id):
            raise Forbidden(f"only the run's owner or an admin may delete run #{run_id}")
        if in_progress(run.status):
            raise Conflict(f"run #{run_id} is {run.status}; cancel it or wait for it to finish before deleting it")
        actor = session.get(User, user_id).username if user_id is not None and session.get(User, user_id) else "system"
        detail = {"name": run.name, "status": run.status, "first_date": run.first_date.isoformat(),
                  "last_date": run.last_date.isoformat(), "markets": run.markets}
        session.execute(delete(RunInterval).where(RunInterval.run_id == run_id))
        session.delete(run)
        audit.record(session, actor, "run.deleted", target=f"run:{run_id}", detail=detail)
