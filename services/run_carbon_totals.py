"""A finished run's schedule carbon totals, computed once and stored (``run_carbon_totals``).

The run view showed them by recomputing the footprint of every interval against the stored grid
intensity on each view (0.5–0.8 s for a year). A run's schedule never changes once it has finished,
so the totals are computed when it finishes (``store_run_carbon_totals``) and read back after; runs
stored before that, or whose totals were dropped because grid intensity was stored since, get them
computed and stored on their next view (``run_carbon_totals``).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from data_access.engine import Database
from data_access.schema import RunCarbonTotals
from data_access.types import utc_now
from services.carbon import RunFootprintTotals, footprint_totals, schedule_footprint


def _as_totals(row: RunCarbonTotals) -> RunFootprintTotals:
    return RunFootprintTotals(row.emitted_tco2, row.avoided_tco2, row.net_tco2, row.coverage_share, row.intervals,
                              row.intervals_with_intensity)


def store_run_carbon_totals(db: Database, run_id: int, intervals: pd.DataFrame) -> RunFootprintTotals:
    """Compute the totals of a run's schedule (its intervals, in time order) and store them; an existing
    row is replaced (an upsert, so two viewers computing at once cannot collide)."""
    totals = footprint_totals(schedule_footprint(db, intervals))
    values = {"run_id": run_id, **totals.as_dict(), "computed_at": utc_now()}
    with db.session() as session:
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(RunCarbonTotals.__table__).values(**values)
        session.execute(statement.on_conflict_do_update(
            index_elements=["run_id"], set_={k: v for k, v in values.items() if k != "run_id"}))
    return totals


def stored_run_carbon_totals(db: Database, run_id: int) -> RunFootprintTotals | None:
    """The stored totals of a run, or None when none are stored."""
    with db.session() as session:
        row = session.scalar(select(RunCarbonTotals).where(RunCarbonTotals.run_id == run_id))
        return _as_totals(row) if row is not None else None


def run_carbon_totals(db: Database, run_id: int, read_intervals: Callable[[], pd.DataFrame]) -> RunFootprintTotals:
    """The run's stored totals, computed and stored first when there are none (only then are its intervals read,
    by ``read_intervals``)."""
    stored = stored_run_carbon_totals(db, run_id)
    return stored if stored is not None else store_run_carbon_totals(db, run_id, read_intervals())

