"""A run's intervals stored by the bulk executemany read back exactly as SQLAlchemy's typed insert stores them."""

import uuid
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import insert, text

from data_access import runs as run_store
from data_access.schema import OptimisationRun, RunInterval
from optimiser import BatteryParams, optimise, read_price_csv
from tests.optimiser.helpers import SEED_PRICE_FILE


def _run(session) -> int:
    run = OptimisationRun(first_date=date(2023, 3, 25), last_date=date(2023, 3, 27), markets="da+id", params={},
                          params_hash=uuid.uuid4().hex, input_fingerprint="f", status="running")
    session.add(run)
    session.flush()
    return run.id


def _typed_insert(session, run_id: int, intervals: pd.DataFrame) -> None:
    """The previous path: SQLAlchemy's Core insert, each value through its column type."""
    frame = intervals[list(run_store.INTERVAL_FIELDS)].copy()
    frame["interval_start_utc"] = pd.DatetimeIndex(frame["interval_start_utc"]).tz_convert("UTC").to_pydatetime()
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in rows:
        row["run_id"] = run_id
        row["settlement_period"] = int(row["settlement_period"])
    session.execute(insert(RunInterval.__table__), rows)


def test_bulk_stored_intervals_equal_typed_ones_on_a_clock_change_with_missing_prices(db):
    # 2023-03-26 has 46 periods; one day's ID prices blanked, as a skipped day's are (NULL, not NaN text).
    result = optimise(read_price_csv(SEED_PRICE_FILE), "2023-03-25", "2023-03-27", BatteryParams(), baselines=False)
    intervals = result.intervals.copy()
    intervals.loc[intervals["settlement_date"] == date(2023, 3, 27), "id_price"] = np.nan
    with db.session() as session:
        bulk, typed = _run(session), _run(session)
        run_store._write_intervals(session, bulk, intervals)
        _typed_insert(session, typed, intervals)
    with db.session() as session:
        read_bulk, read_typed = run_store.run_intervals(session, bulk), run_store.run_intervals(session, typed)
        raw = {run_id: session.execute(text(
            "SELECT interval_start_utc, settlement_date, settlement_period, id_price, soc_mwh FROM run_intervals "
            "WHERE run_id = :r ORDER BY interval_start_utc"), {"r": run_id}).all() for run_id in (bulk, typed)}
    assert len(read_bulk) == 46 + 48 * 2
    pd.testing.assert_frame_equal(read_bulk, read_typed)
    assert raw[bulk] == raw[typed]  # the same stored text on SQLite, the same typed values on PostgreSQL
    assert read_bulk["id_price"].isna().sum() == 48


def _typed_read(session, run_id: int) -> pd.DataFrame:
    """The previous read: a Row per interval, each timestamp through ``UTCDateTime``."""
    from sqlalchemy import select

    rows = session.execute(select(*(getattr(RunInterval, name) for name in run_store.INTERVAL_FIELDS))
                           .where(RunInterval.run_id == run_id).order_by(RunInterval.interval_start_utc)).all()
    frame = pd.DataFrame(rows, columns=list(run_store.INTERVAL_FIELDS))
    frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    return frame.astype({name: float for name in run_store.INTERVAL_FIELDS[3:]})


def test_columnar_read_equals_a_typed_row_read_and_a_window_is_half_open(db):
    result = optimise(read_price_csv(SEED_PRICE_FILE), "2023-03-25", "2023-03-27", BatteryParams(), baselines=False)
    intervals = result.intervals.copy()
    intervals.loc[intervals["settlement_date"] == date(2023, 3, 25), "id_price"] = np.nan
    with db.session() as session:
        run_id = _run(session)
        run_store._write_intervals(session, run_id, intervals)
        empty_id = _run(session)
    with db.session() as session:
        read, typed = run_store.run_intervals(session, run_id), _typed_read(session, run_id)
        starts = typed["interval_start_utc"]
        day = run_store.run_intervals(session, run_id, starts.iloc[48].to_pydatetime(),
                                      starts.iloc[48 + 46].to_pydatetime())
        empty = run_store.run_intervals(session, empty_id)
    pd.testing.assert_frame_equal(read, typed)
    assert all(type(value) is date for value in read["settlement_date"])
    assert read["interval_start_utc"].dt.tz is not None and str(read["interval_start_utc"].dt.tz) == "UTC"
    assert set(day["settlement_date"]) == {date(2023, 3, 26)} and list(day["settlement_period"]) == list(range(1, 47))
    pd.testing.assert_frame_equal(day.reset_index(drop=True), typed.iloc[48:94].reset_index(drop=True))
    assert empty.empty and list(empty.columns) == list(run_store.INTERVAL_FIELDS)
