"""Rows stored through the bulk path read back exactly as rows stored through the ORM."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select, text

from data_access.bulk_insert import SQLITE_DATETIME_FORMAT, insert_ignoring_duplicates, sqlite_datetime_text, utc_column
from data_access.schema import MarketPrice

COLUMNS = ("market", "interval_start_utc", "price_gbp_per_mwh", "source", "ingested_at", "import_id")


def test_bulk_rows_read_back_like_orm_rows_and_duplicates_are_counted_out(db):
    starts = pd.DatetimeIndex([datetime(2023, 3, 26, 0, 30, 0, 250_000, tzinfo=UTC),
                              datetime(2023, 10, 29, 0, 0, tzinfo=UTC)])
    now = datetime(2024, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC)
    with db.session() as session:
        session.add(MarketPrice(market="orm", interval_start_utc=starts[0].to_pydatetime(), price_gbp_per_mwh=1.5,
                                source="s", ingested_at=now))
        session.flush()
        connection = session.connection()
        rows = list(zip(["bulk", "bulk"], utc_column(starts, connection), [1.5, -2.0], ["s", "s"],
                        utc_column(pd.DatetimeIndex([now, now]), connection), [None, None], strict=True))
        assert insert_ignoring_duplicates(connection, MarketPrice.__table__, COLUMNS, rows,
                                          ("market", "interval_start_utc", "source")) == 2
        assert insert_ignoring_duplicates(connection, MarketPrice.__table__, COLUMNS, rows[:1] + rows,
                                          ("market", "interval_start_utc", "source")) == 0
    with db.session() as session:
        stored = {(p.market, p.interval_start_utc): p for p in session.scalars(select(MarketPrice))}
        raw = session.execute(text("SELECT market, interval_start_utc FROM market_prices ORDER BY id")).all()
    assert stored[("bulk", starts[0].to_pydatetime())].ingested_at == now == stored[("orm", starts[0])].ingested_at
    assert stored[("bulk", datetime(2023, 10, 29, 0, 0, tzinfo=UTC))].price_gbp_per_mwh == -2.0
    assert raw[0][1] == raw[1][1]  # the same stored form, text on SQLite and timestamptz on PostgreSQL


def test_naive_timestamps_are_refused(db):
    with db.session() as session, pytest.raises(ValueError, match="naive"):
        utc_column(pd.DatetimeIndex([datetime(2023, 1, 1)]), session.connection())


def test_run_intervals_stored_in_one_executemany_read_back_like_orm_rows(db):
    from datetime import date

    from data_access import runs as run_store
    from data_access.schema import OptimisationRun, RunInterval

    starts = pd.DatetimeIndex([datetime(2023, 3, 26, 0, 0, tzinfo=UTC), datetime(2023, 3, 26, 0, 30, tzinfo=UTC)])
    values = {"settlement_period": [1, 2], "da_buy_mw": [0.0, 1.5], "da_sell_mw": [2.25, 0.0], "id_buy_mw": [0.0, 0.0],
              "id_sell_mw": [0.0, 3.0], "charge_mw": [0.0, 1.5], "discharge_mw": [2.25, 0.0], "soc_mwh": [7.0, 7.75],
              "da_price": [55.5, float("nan")], "id_price": [60.25, 61.0], "da_cash_gbp": [62.4, -41.6],
              "id_cash_gbp": [0.0, 91.5]}
    intervals = pd.DataFrame({"interval_start_utc": starts, "settlement_date": [date(2023, 3, 26)] * 2, **values})
    with db.session() as session:
        runs = []
        for name in ("bulk", "orm"):
            run = OptimisationRun(first_date=date(2023, 3, 26), last_date=date(2023, 3, 26), markets="da+id",
                                  params={}, params_hash=name, input_fingerprint=name, name=name, status="running")
            session.add(run)
            session.flush()
            runs.append(run.id)
        run_store._write_intervals(session, runs[0], intervals)
        for row in intervals.to_dict("records"):
            row["interval_start_utc"] = row["interval_start_utc"].to_pydatetime()
            row["da_price"] = None if pd.isna(row["da_price"]) else row["da_price"]
            session.add(RunInterval(run_id=runs[1], **row))
    with db.session() as session:
        bulk, orm = (run_store.run_intervals(session, run_id) for run_id in runs)
        raw = session.execute(text("SELECT run_id, interval_start_utc, settlement_date, settlement_period, da_price "
                                   "FROM run_intervals ORDER BY interval_start_utc, run_id")).all()
    pd.testing.assert_frame_equal(bulk, orm)
    assert len(bulk) == 2 and pd.isna(bulk["da_price"].iloc[1]) and bulk["soc_mwh"].tolist() == [7.0, 7.75]
    assert [row[1:] for row in raw[0::2]] == [row[1:] for row in raw[1::2]]  # the same stored form, bulk or ORM


def test_sqlite_datetime_text_is_sqlalchemys_form_of_every_instant():
    rng = np.random.default_rng(4)
    first, last = (np.datetime64(t, "us").astype(np.int64) for t in ("1000-01-01", "9999-12-31T23:59:59.999999"))
    micros = np.concatenate([[first, last, -1, 0, 951_782_400_000_000], rng.integers(first, last, 20_000)])
    expected = [datetime(1970, 1, 1) + timedelta(microseconds=int(m)) for m in micros]
    assert sqlite_datetime_text(micros).astype("U26").tolist() == [e.strftime(SQLITE_DATETIME_FORMAT) for e in expected]
    far = np.datetime64("12000-01-01", "us").astype(np.int64)  # five-digit years take numpy's ISO text, as before
    assert sqlite_datetime_text(np.array([0, far])).tolist() == [b"1970-01-01 00:00:00.000000",
                                                                 b"12000-01-0 T00:00:00.00000"]
