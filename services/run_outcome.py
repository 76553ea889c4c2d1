"""How far a stopped run got: a cancelled (or timed-out, failed) run's view says "cancelled at day k of N",
which settlement dates were solved before it stopped, and who stopped it and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from data_access import runs as run_store

STOPPED_STATUSES = (run_store.CANCELLED, run_store.TIMED_OUT, run_store.FAILED, run_store.INFEASIBLE)


@dataclass(frozen=True)
class StoppedAt:
    status: str
    days_done: int
    """Settlement dates solved before the run stopped (the last progress the worker wrote)."""
    days_total: int
    first_solved: date | None
    last_solved: date | None
    """The dates solved, ``first_date`` onwards; None when no day was solved."""
    stopped_at: datetime | None
    """When it stopped (aware UTC), or None."""
    stopped_by: str | None
    """Who cancelled it (user name), or None."""
    schedule_kept: bool
    """Whether the run stored intervals: a cancelled run keeps the days its worker solved before it stopped."""

    def headline(self) -> str:
        """``cancelled at day 2 of 5``."""
        return f"{self.status.replace('_', ' ')} at day {self.days_done} of {self.days_total}"


def stopped_at(run, interval_count: int = 0) -> StoppedAt | None:
    """How far ``run`` (an OptimisationRun row, its ``cancelled_by`` loaded) got, or None when it did not stop
    early (it succeeded, or it is still queued or running)."""
    if run.status not in STOPPED_STATUSES:
        return None
    total = run.progress_total or (run.last_date - run.first_date).days + 1
    done = max(0, min(run.progress_done or 0, total))
    by = getattr(run, "cancelled_by", None)
    return StoppedAt(
        status=run.status, days_done=done, days_total=total,
        first_solved=run.first_date if done else None,
        last_solved=run.first_date + timedelta(days=done - 1) if done else None,
        stopped_at=run.cancelled_at or run.finished_at,
        stopped_by=by.username if by is not None else None,
        schedule_kept=interval_count > 0,
    )
