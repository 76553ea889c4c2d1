"""Optimisation runs in SQL: the run row, its intervals, reuse lookups and the reaper."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from data_access.schema import OptimisationRun, RunInterval
from data_access.types import utc_now

QUEUED = "queued"
RUNNING = "running"
FAILED = "failed"
REUSABLE_STATUSES = ("optimal", "suboptimal")
INTERVAL_FIELDS = (
    "interval_start_utc", "settlement_date", "settlement_period", "da_buy_mw", "da_sell_mw", "id_buy_mw",
    "id_sell_mw", "charge_mw", "discharge_mw", "soc_mwh", "da_price", "id_price", "da_cash_gbp", "id_cash_gbp",
)


def find_reusable(session: Session, params_hash: str, input_fingerprint: str) -> OptimisationRun | None:
    """A finished run with a schedule for the same parameters over the same input data, newest first."""
    return session.scalar(
        select(OptimisationRun)
        .where(
            OptimisationRun.params_hash == params_hash,
            OptimisationRun.input_fingerprint == input_fingerprint,
            OptimisationRun.status.in_(REUSABLE_STATUSES),
        )
        .order_by(OptimisationRun.id.desc())
        .limit(1)
    )


def claim(session: Session, run_id: int) -> bool:
    """Move a run from queued to running; False when it was not queued (already claimed or done)."""
    result = session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.id == run_id, OptimisationRun.status == QUEUED)
        .values(status=RUNNING, started_at=utc_now())
    )
    return result.rowcount == 1


def store_result(session: Session, run_id: int, status: str, message: str, totals: dict[str, Any] | None,
                 solver_stats: dict[str, Any], intervals: pd.DataFrame) -> None:
    """Write a run's outcome and its intervals together (the caller's transaction makes it all-or-nothing)."""
    session.execute(delete(RunInterval).where(RunInterval.run_id == run_id))
    if not intervals.empty:
        frame = intervals[list(INTERVAL_FIELDS)].copy()
        frame["interval_start_utc"] = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert("UTC").to_pydatetime()
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        for row in rows:
            row["run_id"] = run_id
            row["settlement_period"] = int(row["settlement_period"])
        session.execute(insert(RunInterval), rows)
    session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.id == run_id)
        .values(status=status, message=message, totals=totals, solver_stats=solver_stats, finished_at=utc_now())
    )


def run_intervals(session: Session, run_id: int) -> pd.DataFrame:
    """A stored run's intervals in time order, with aware UTC ``interval_start_utc``."""
    rows = session.execute(
        select(*(getattr(RunInterval, name) for name in INTERVAL_FIELDS))
        .where(RunInterval.run_id == run_id)
        .order_by(RunInterval.interval_start_utc)
    ).all()
    frame = pd.DataFrame(rows, columns=list(INTERVAL_FIELDS))
    if not frame.empty:
        frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    return frame


def reap_stale(session: Session, cutoff: datetime) -> int:
    """Mark runs 'running' since before ``cutoff``, or 'queued' since before it, as failed.

    The run row, not the job manager, is the source of truth: a worker that died, or a queue
    no worker ever read, leaves a row that says so instead of a spinner that never stops.
    Returns how many runs were marked.
    """
    running = session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.status == RUNNING, OptimisationRun.started_at < cutoff)
        .values(status=FAILED, finished_at=utc_now(),
                message="The run stopped without finishing (its worker died or was restarted). Run it again.")
    )
    queued = session.execute(
        update(OptimisationRun)
        .where(OptimisationRun.status == QUEUED, OptimisationRun.created_at < cutoff)
        .values(status=FAILED, finished_at=utc_now(),
                message="The run was queued but no worker picked it up. Check the workers, then run it again.")
    )
    return running.rowcount + queued.rowcount
