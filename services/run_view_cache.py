"""A finished run's view, built once per process and kept (a run is immutable once it has finished).

Opening a run of a year read its 17,520 intervals and built every figure again on each view, then again
for the daily operation chart and the CSV. Here a finished run's intervals (read only when something asks
for them: a stored view, one day's chart and the span need none), its grid rows and whatever the page built
from them (figures per colour mode) are kept in a small LRU. The run row itself is read
every time (its status, the heartbeat rule, whether it still exists): the cache only answers for a run
whose row says it has finished, under a key that includes when it was created and finished, so a run
id reused by another database or after a restore never hits another run's entry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from data_access import runs as run_store
from data_access.engine import Database
from data_access.schema import OptimisationRun
from domain.run_status import in_progress
from domain.settlement_time import day_start_utc
from services.runs import get_run_row
from settings import Settings

MAX_RUNS = 6
"""Runs kept; a 2,344-day run's intervals and rows take about 40 MB."""


class RunViewEntry:
    """One run's intervals, read when first asked for, and what was built from them (``built``: name -> value)."""

    def __init__(self, db: Database, run_id: int):
        self._db, self.run_id = db, run_id
        self._intervals: pd.DataFrame | None = None
        self.built: dict[Any, Any] = {}
        self.lock = threading.RLock()  # a build may ask for another built value (the view for the rows)

    @property
    def intervals(self) -> pd.DataFrame:
        """Every interval of the run, in time order (read once)."""
        with self.lock:
            if self._intervals is None:
                self._intervals = _read_intervals(self._db, self.run_id)
            return self._intervals

    def day_intervals(self, day: date) -> pd.DataFrame:
        """The intervals of one settlement date: from the run's intervals when they are read, else only that day's."""
        with self.lock:
            if self._intervals is not None:
                return self._intervals[self._intervals["settlement_date"] == day]
        with self._db.session() as session:
            return run_store.run_intervals(session, self.run_id, day_start_utc(day),
                                           day_start_utc(day + timedelta(days=1)))

    def span(self) -> tuple[datetime | None, datetime | None, int]:
        """(first interval's start, last interval's end, number of intervals), without reading them all."""
        with self.lock:
            if self._intervals is not None:
                return _span_of(self._intervals)
        return self.get("span", lambda: _read_span(self._db, self.run_id))

    def get(self, name, build: Callable[[], Any]):
        """``built[name]``, built by ``build()`` the first time (once, even with concurrent callers)."""
        with self.lock:
            if name not in self.built:
                self.built[name] = build()
            return self.built[name]


def _span_of(intervals: pd.DataFrame) -> tuple[datetime | None, datetime | None, int]:
    if intervals.empty:
        return None, None, 0
    starts = intervals["interval_start_utc"]
    return (starts.iloc[0].to_pydatetime(), (starts.iloc[-1] + pd.Timedelta(minutes=30)).to_pydatetime(),
            len(intervals))


def _read_span(db: Database, run_id: int) -> tuple[datetime | None, datetime | None, int]:
    with db.session() as session:
        first, last, count = run_store.interval_span(session, run_id)
    return first, (last + timedelta(minutes=30) if last is not None else None), count


_entries: OrderedDict[tuple, RunViewEntry] = OrderedDict()
_lock = threading.Lock()


def _key(db: Database, run: OptimisationRun) -> tuple:
    return (str(db.engine.url), run.id, run.created_at, run.finished_at, run.status)


def _read_intervals(db: Database, run_id: int) -> pd.DataFrame:
    with db.session() as session:
        return run_store.run_intervals(session, run_id)


def run_entry(db: Database, run_id: int, settings: Settings | None = None) -> tuple[OptimisationRun, RunViewEntry]:
    """The run row (read now; NotFound if absent) and its view entry: cached when the run has finished,
    built afresh (and not kept) while it is queued or running."""
    run = get_run_row(db, run_id, settings)
    if in_progress(run.status):
        return run, RunViewEntry(db, run_id)
    key = _key(db, run)
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
            entry._db = db  # the caller's, which may have replaced a disposed one for the same database
            return run, entry
    entry = RunViewEntry(db, run_id)
    with _lock:
        entry = _entries.setdefault(key, entry)
        _entries.move_to_end(key)
        while len(_entries) > MAX_RUNS:
            _entries.popitem(last=False)
    return run, entry


def clear() -> None:
    """Forget every cached run (tests; a process that wants its memory back)."""
    with _lock:
        _entries.clear()
