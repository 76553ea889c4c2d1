"""Optimisation runs in SQL: the run row (the truth about a run's state), its intervals, reuse lookups,
progress and heartbeat, cancellation and the reaper.

Every state change is a conditional UPDATE on the current status, so two workers, a cancel and the
reaper racing on one run leave exactly one of them in charge and the row always ends in one final status.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session, aliased

from data_access.schema import MarketPrice, OptimisationRun, RunInterval, StudyPoint
from data_access.types import utc_now

if TYPE_CHECKING:
    import pandas as pd

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
INFEASIBLE = "infeasible"
TIMED_OUT = "timed_out"
CANCELLED = "cancelled"
ACTIVE_STATUSES = (QUEUED, RUNNING)
FINAL_STATUSES = (SUCCEEDED, FAILED, INFEASIBLE, TIMED_OUT, CANCELLED)
STATUSES = ACTIVE_STATUSES + FINAL_STATUSES
REUSABLE_STATUSES = (SUCCEEDED,)
INTERVAL_FIELDS = (
    "interval_start_utc", "settlement_date", "settlement_period", "da_buy_mw", "da_sell_mw", "id_buy_mw",
    "id_sell_mw", "charge_mw", "discharge_mw", "soc_mwh", "da_price", "id_price", "da_cash_gbp", "id_cash_gbp",
)


def find_reusable(session: Session, params_hash: str, input_fingerprint: str) -> OptimisationRun | None:
    """A run for the same parameters over the same input data that succeeded, or is still queued or
    running (asking again while it solves must not solve it twice). The unique index
    ``uq_optimisation_runs_live_reuse`` allows one such run at most."""
    return session.scalar(
        select(OptimisationRun)
        .where(
            OptimisationRun.params_hash == params_hash,
            OptimisationRun.input_fingerprint == input_fingerprint,
            OptimisationRun.status.in_(REUSABLE_STATUSES + ACTIVE_STATUSES),
            OptimisationRun.duplicate_of_id.is_(None),
        )
        .order_by(OptimisationRun.id.desc())
        .limit(1)
    )


def claim(session: Session, run_id: int, job_id: str | None = None, worker: str | None = None,
          stale_before: datetime | None = None) -> bool:
    """Move a run from queued to running; False when it was not queued (already claimed, cancelled or done).

    A redelivered job (``job_id`` equal to the one that claimed the run, as Celery redelivers an unacked
    task after its worker was killed) may take the run over while it is still ``running`` only when the
    run's heartbeat is older than ``stale_before``: the first holder is dead, so the run is solved once,
    never twice at the same time. ``worker`` records the host that claimed it."""
    now = utc_now()
    values: dict[str, Any] = {"status": RUNNING, "started_at": now, "heartbeat_at": now}
    if job_id is not None:
        values["job_id"] = job_id
    if worker is not None:
        values["worker"] = worker
    claimable = OptimisationRun.status == QUEUED
    if job_id is not None and stale_before is not None:
        claimable = or_(claimable, and_(OptimisationRun.status == RUNNING, OptimisationRun.job_id == job_id,
                                        OptimisationRun.heartbeat_at < stale_before))
    result = session.execute(update(OptimisationRun).where(OptimisationRun.id == run_id, claimable).values(**values))
    return result.rowcount == 1


def set_job_id(session: Session, run_id: int, job_id: str) -> None:
    """Record the job that will solve a run (only while it is still queued or running)."""
    session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.id == run_id, OptimisationRun.status.in_(ACTIVE_STATUSES))
        .values(job_id=job_id)
    )


def beat(session: Session, run_id: int, done: int | None = None, total: int | None = None) -> str | None:
    """Write the heartbeat (and progress, when given) of a running run; returns the run's status now,
    so the worker learns about a cancel or the reaper at its next beat."""
    values: dict[str, Any] = {"heartbeat_at": utc_now()}
    if done is not None:
        values["progress_done"] = done
    if total is not None:
        values["progress_total"] = total
    session.execute(
        update(OptimisationRun).where(OptimisationRun.id == run_id, OptimisationRun.status == RUNNING).values(**values)
    )
    return status_of(session, run_id)


def progress_at_stop(session: Session, run_id: int, done: int) -> None:
    """Record that ``done`` days were solved when the worker saw its run had been cancelled: progress writes
    are spaced out, so the last one may be days behind, and the run says how far it got."""
    session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.id == run_id, OptimisationRun.status == CANCELLED,
               or_(OptimisationRun.progress_done.is_(None), OptimisationRun.progress_done < done))
        .values(progress_done=done)
    )


_STATUS_OF = select(OptimisationRun.status).where(OptimisationRun.id == bindparam("run_id"))
"""Built once: a run reads its status after every day, and building the statement each time cost more than
running it."""


def status_of(session: Session | Connection, run_id: int) -> str | None:
    """The run's status now (None when there is no such run); a bare connection reads it cheapest."""
    return session.scalar(_STATUS_OF, {"run_id": run_id})


def beat_waiting(session: Session, run_ids: list[int]) -> int:
    """Write the heartbeat of those of ``run_ids`` still queued: their holder (a local study's process,
    which hands them to its workers one by one) is alive. Returns how many were still queued."""
    if not run_ids:
        return 0
    result = session.execute(
        update(OptimisationRun).where(OptimisationRun.id.in_(run_ids), OptimisationRun.status == QUEUED)
        .values(heartbeat_at=utc_now())
    )
    return result.rowcount


def store_result(session: Session, run_id: int, status: str, message: str, totals: dict[str, Any] | None,
                 solver_stats: dict[str, Any], intervals: pd.DataFrame, solver_status: str | None = None,
                 error_traceback: str | None = None) -> bool:
    """Write a running run's outcome and its intervals together (the caller's transaction makes it
    all-or-nothing). Returns False, writing nothing, when the run is no longer running (cancelled or
    reaped meanwhile): a final status is never overwritten."""
    finished = session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.id == run_id, OptimisationRun.status == RUNNING)
        .values(status=status, message=message, totals=totals, solver_stats=solver_stats, finished_at=utc_now(),
                solver_status=solver_status, error_traceback=error_traceback, heartbeat_at=utc_now())
    )
    if finished.rowcount != 1:
        return False
    _write_intervals(session, run_id, intervals)
    return True


def store_stopped(session: Session, run_id: int, days_done: int, totals: dict[str, Any],
                  solver_stats: dict[str, Any], intervals: pd.DataFrame, note: str) -> bool:
    """Keep what a cancelled run solved before its worker stopped: the intervals of its first ``days_done``
    days, their totals and solver statistics, with ``note`` added to the cancel message; ``finished_at``
    moves to now, when the run truly ended. Once only, and only on a cancelled run (False otherwise)."""
    message = session.scalar(select(OptimisationRun.message).where(OptimisationRun.id == run_id))
    kept = session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.id == run_id, OptimisationRun.status == CANCELLED, OptimisationRun.totals.is_(None))
        .values(totals=totals, solver_stats=solver_stats, progress_done=days_done, finished_at=utc_now(),
                message=" ".join(part for part in (message, note) if part))
    )
    if kept.rowcount != 1:
        return False
    _write_intervals(session, run_id, intervals)
    return True


def _write_intervals(session: Session, run_id: int, intervals: pd.DataFrame) -> None:
    # With the function: the reaper every command runs at start-up needs no pandas.
    from data_access.bulk_insert import date_column, float_column, insert_rows, utc_column

    session.execute(delete(RunInterval).where(RunInterval.run_id == run_id))
    if intervals.empty:
        return
    # One executemany of rows in stored form (a year is 17,520): building a dict a row and binding each value
    # through its column type cost more than the insert itself.
    connection = session.connection()
    columns = [[run_id] * len(intervals),
               utc_column(intervals["interval_start_utc"], connection),
               date_column(intervals["settlement_date"], connection),
               intervals["settlement_period"].astype(int).tolist()]
    columns += [float_column(intervals[field]) for field in INTERVAL_FIELDS[3:]]
    insert_rows(connection, RunInterval.__table__, ("run_id", *INTERVAL_FIELDS), list(zip(*columns, strict=True)))


def finish_active(session: Session, run_id: int, status: str, message: str, error_traceback: str | None = None) -> bool:
    """End a queued or running run with a final status and no schedule; False when it had already ended."""
    result = session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.id == run_id, OptimisationRun.status.in_(ACTIVE_STATUSES))
        .values(status=status, message=message, finished_at=utc_now(), error_traceback=error_traceback)
    )
    return result.rowcount == 1


def cancel(session: Session, run_id: int, user_id: int | None, message: str) -> bool:
    """Mark a queued or running run cancelled by ``user_id``; False when it had already ended."""
    now = utc_now()
    result = session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.id == run_id, OptimisationRun.status.in_(ACTIVE_STATUSES))
        .values(status=CANCELLED, message=message, finished_at=now, cancelled_at=now, cancelled_by_id=user_id)
    )
    return result.rowcount == 1


def run_intervals(session: Session, run_id: int, first_utc: datetime | None = None,
                  end_utc: datetime | None = None) -> pd.DataFrame:
    """A stored run's intervals in time order (only ``first_utc <= start < end_utc`` when given), with aware
    UTC ``interval_start_utc`` and ``settlement_date`` as ``date`` objects.

    Read as the driver's own tuples and converted a column at a time: a Row and a type-processed timestamp
    per interval cost 1.5 s for a run of 2,344 days."""
    import numpy as np
    import pandas as pd

    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":  # integer microseconds, not a datetime object per interval
        when = func.floor(func.extract("epoch", RunInterval.interval_start_utc) * 1_000_000).cast(BigInteger)
    else:
        when = type_coerce(RunInterval.interval_start_utc, String)  # the stored text, parsed below in one pass
    day = type_coerce(RunInterval.settlement_date, String) if dialect == "sqlite" else RunInterval.settlement_date
    query = (select(when, day, *(getattr(RunInterval, name) for name in INTERVAL_FIELDS[2:]))
             .where(RunInterval.run_id == run_id).order_by(RunInterval.interval_start_utc))
    if first_utc is not None:
        query = query.where(RunInterval.interval_start_utc >= first_utc)
    if end_utc is not None:
        query = query.where(RunInterval.interval_start_utc < end_utc)
    result = connection.execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in INTERVAL_FIELDS})
    columns = list(zip(*rows, strict=True))
    if dialect == "postgresql":
        starts = pd.to_datetime(np.asarray(columns[0], dtype=np.int64), unit="us", utc=True)
    else:
        starts = pd.to_datetime(pd.Series(columns[0], dtype=object), format="ISO8601", utc=True)
    # A day's intervals share one date object, converted once per day.
    names, positions = np.unique(np.asarray(columns[1], dtype=object), return_inverse=True)
    days = np.array([name if isinstance(name, date) else date.fromisoformat(str(name)) for name in names],
                    dtype=object)
    frame = pd.DataFrame({"interval_start_utc": pd.DatetimeIndex(starts).as_unit("us"),
                          "settlement_date": days[positions],
                          "settlement_period": np.asarray(columns[2], dtype=np.int64)})
    # NULL (the ID price of a day-ahead-only run) is NaN: the figures and checks read it as "no price".
    for name, values in zip(INTERVAL_FIELDS[3:], columns[3:], strict=True):
        frame[name] = np.asarray(values, dtype=float)
    return frame


def interval_span(session: Session, run_id: int) -> tuple[datetime | None, datetime | None, int]:
    """(first interval's start, last interval's start, number of intervals) of a run; (None, None, 0) without."""
    first, last, count = session.execute(
        select(func.min(RunInterval.interval_start_utc), func.max(RunInterval.interval_start_utc),
               func.count()).where(RunInterval.run_id == run_id)).one()
    return _aware(first), _aware(last), int(count or 0)


def _aware(value) -> datetime | None:
    """MIN/MAX of a ``UTCDateTime`` column: SQLite returns its stored text, not the column's type."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


STOPPED_RESPONDING = "The worker stopped responding (no heartbeat), so the run was stopped. Run it again."
NEVER_PICKED_UP = "The run was queued but no worker picked it up. Check the workers, then run it again."
HOLDER_STOPPED = ("The run was waiting for a worker, but the process holding it stopped (no heartbeat), so it was "
                  "stopped. Run it again.")
OVER_TIME = "The run took longer than the overall run time limit and was stopped."
INTERRUPTED = ("The run was interrupted: the server process that started it stopped (it was killed or the machine "
               "restarted) and its process is gone. Nothing was stored. Run it again.")


def local_jobs(session: Session, host: str) -> list[tuple[int, int, datetime | None]]:
    """Queued or running runs whose job is a local process on ``host``: (run id, pid, when the run was claimed
    by that process, or None while still queued)."""
    rows = session.execute(
        select(OptimisationRun.id, OptimisationRun.job_id, OptimisationRun.started_at)
        .where(OptimisationRun.status.in_(ACTIVE_STATUSES), OptimisationRun.job_id.like(f"pid:%@{host}"))
    ).all()
    jobs = []
    for run_id, job_id, started_at in rows:
        pid = job_id[len("pid:"):].partition("@")[0]
        if pid.isdigit():
            jobs.append((run_id, int(pid), started_at))
    return jobs


def interrupt(session: Session, run_ids: list[int]) -> list[int]:
    """End queued or running ``run_ids`` as ``failed`` with ``INTERRUPTED``; returns those that were still active."""
    return [run_id for run_id in run_ids if finish_active(session, run_id, FAILED, INTERRUPTED)]


def _study_progressing_since(cutoff: datetime):
    """SQL: the run is a point of a study one of whose runs started, beat or finished since ``cutoff``."""
    mine, sibling = aliased(StudyPoint), aliased(StudyPoint)
    other = aliased(OptimisationRun)
    return (
        select(mine.run_id)
        .join(sibling, sibling.study_id == mine.study_id)
        .join(other, other.id == sibling.run_id)
        .where(mine.run_id == OptimisationRun.id,
               or_(other.started_at >= cutoff, other.heartbeat_at >= cutoff, other.finished_at >= cutoff))
        .exists()
    )


def reap_stale(session: Session, heartbeat_cutoff: datetime, queued_cutoff: datetime,
               overdue_cutoff: datetime | None = None, run_ids: list[int] | None = None) -> list[int]:
    """End runs that will never finish by themselves (only ``run_ids`` when given: one run being read);
    returns the ids marked.

    - running with a heartbeat older than ``heartbeat_cutoff`` (the worker died): ``failed``;
    - running since before ``overdue_cutoff`` (past the overall limit, a worker that did not stop): ``timed_out``;
    - queued, held by a waiting process (it writes the queued row's heartbeat, see ``beat_waiting``) whose
      heartbeat is older than ``heartbeat_cutoff`` (the holder died): ``failed``, however young the row;
    - queued, held by nobody, since before ``queued_cutoff`` (no worker read the queue): ``failed``, unless
      it is a point of a study another of whose runs started, beat or finished since ``queued_cutoff``: the
      study's workers are getting through it (with Celery its points wait in the broker, held by nobody).
      A held row is judged by its heartbeat alone: a large study legitimately keeps points waiting for
      longer than the run limit.

    The run row, not the job manager, is the source of truth: a dead worker leaves a row that says so.
    """
    marked: list[int] = []
    checks = [
        (RUNNING, func.coalesce(OptimisationRun.heartbeat_at, OptimisationRun.started_at) < heartbeat_cutoff,
         FAILED, STOPPED_RESPONDING),
        (QUEUED, OptimisationRun.heartbeat_at < heartbeat_cutoff, FAILED, HOLDER_STOPPED),
        (QUEUED, OptimisationRun.heartbeat_at.is_(None) & (OptimisationRun.created_at < queued_cutoff)
         & ~_study_progressing_since(queued_cutoff), FAILED, NEVER_PICKED_UP),
    ]
    if overdue_cutoff is not None:
        checks.append((RUNNING, OptimisationRun.started_at < overdue_cutoff, TIMED_OUT, OVER_TIME))
    only = OptimisationRun.id.in_(run_ids) if run_ids is not None else true()
    for status, condition, final, message in checks:
        ids = list(session.scalars(select(OptimisationRun.id).where(OptimisationRun.status == status, condition,
                                                                    only)))
        if not ids:
            continue
        session.execute(
            update(OptimisationRun)
            .where(OptimisationRun.id.in_(ids), OptimisationRun.status == status)
            .values(status=final, finished_at=utc_now(), message=message)
        )
        marked.extend(ids)
    return marked


def prices_as_of(session: Session, markets: tuple[str, ...], start_utc: datetime, end_utc: datetime) -> datetime | None:
    """When the newest stored price of ``markets`` in [start_utc, end_utc) was ingested."""
    return session.scalar(
        select(func.max(MarketPrice.ingested_at))
        .where(MarketPrice.market.in_(markets), MarketPrice.interval_start_utc >= start_utc,
               MarketPrice.interval_start_utc < end_utc)
    )
