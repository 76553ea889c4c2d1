from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import prices as price_store
from data_access.price_files import PriceFileError, read_seed_prices, read_wide_price_csv
from data_access.schema import MarketPrice, User


def long_prices(starts, market="day_ahead", values=None):
    values = values if values is not None else [float(i) for i in range(len(starts))]
    return pd.DataFrame({"market": market, "interval_start_utc": pd.DatetimeIndex(starts, tz="UTC"),
                         "price_gbp_per_mwh": values})


def test_inserting_the_same_prices_twice_adds_nothing_the_second_time(db):
    rows = long_prices(pd.date_range("2023-01-01", periods=4, freq="30min"))
    with db.session() as session:
        assert price_store.insert_prices(session, rows, "test") == 4
    with db.session() as session:
        assert price_store.insert_prices(session, rows, "test") == 0
        assert len(session.scalars(select(MarketPrice)).all()) == 4


def test_timestamps_come_back_as_aware_utc(db):
    rows = long_prices(["2023-03-26T01:00:00"])
    with db.session() as session:
        price_store.insert_prices(session, rows, "test")
    with db.session() as session:
        stored = session.scalars(select(MarketPrice)).one()
    assert stored.interval_start_utc == datetime(2023, 3, 26, 1, 0, tzinfo=UTC)
    assert stored.interval_start_utc.tzinfo is not None


def test_naive_datetimes_are_refused_on_write(db):
    with pytest.raises(Exception, match="naive"), db.session() as session:
        session.add(User(username="x", password_hash="h", role="viewer", created_at=datetime(2023, 1, 1)))
        session.flush()


def test_latest_ingested_source_wins_when_sources_overlap(db):
    start = ["2023-01-01T00:00:00"]
    with db.session() as session:
        price_store.insert_prices(session, long_prices(start, values=[10.0]), "first")
    with db.session() as session:
        price_store.insert_prices(session, long_prices(start, values=[20.0]), "second")
    with db.session() as session:
        wide = price_store.prices_between(session, datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 1, 2, tzinfo=UTC))
    assert wide["day_ahead"].tolist() == [20.0]


def test_coverage_reports_first_last_and_count_per_market(db):
    with db.session() as session:
        price_store.insert_prices(session, long_prices(pd.date_range("2023-01-01", periods=3, freq="30min")), "s")
        price_store.insert_prices(session, long_prices(["2023-02-01"], market="intraday"), "s")
    with db.session() as session:
        rows = price_store.coverage(session)
    assert [(r.market, r.intervals) for r in rows] == [("day_ahead", 3), ("intraday", 1)]
    assert rows[0].last_interval_utc == datetime(2023, 1, 1, 1, 0, tzinfo=UTC)


def test_seed_file_is_read_as_utc_with_both_markets():
    prices = read_seed_prices()
    assert set(prices["market"]) == {"day_ahead", "intraday"}
    assert len(prices) == 2 * 5135
    first = prices["interval_start_utc"].min()
    assert first == pd.Timestamp("2023-01-14T00:00:00Z")
    # the seed is UTC: on the spring clock-change day 01:00-01:30 UTC exists
    assert pd.Timestamp("2023-03-26T01:00:00Z") in set(prices["interval_start_utc"])


def test_wide_csv_rejects_missing_offsets_duplicates_and_non_numbers(tmp_path):
    cases = {
        "interval_start_utc,day_ahead\n2023-01-01T00:00:00,1\n": "no UTC offset",
        "interval_start_utc,day_ahead\n2023-01-01T00:00Z,1\n2023-01-01T00:00Z,2\n": "more than once",
        "interval_start_utc,day_ahead\n2023-01-01T00:00Z,abc\n": "not a number",
        "interval_start_utc,day_ahead\n2023-01-01T00:10Z,1\n": "half-hour",
        "when,day_ahead\n2023-01-01T00:00Z,1\n": "interval_start_utc column",
        "interval_start_utc,other\n2023-01-01T00:00Z,1\n": "day_ahead, intraday or market_index",
    }
    for index, (content, message) in enumerate(cases.items()):
        path = tmp_path / f"case{index}.csv"
        path.write_text(content)
        with pytest.raises(PriceFileError, match=message):
            read_wide_price_csv(path)


def test_wide_csv_reads_offsets_into_utc(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("interval_start_utc,day_ahead,intraday\n2023-06-01T00:00:00+01:00,50,55\n")
    prices = read_wide_price_csv(path)
    assert prices["interval_start_utc"].iloc[0] == pd.Timestamp("2023-05-31T23:00Z")
    assert sorted(prices["price_gbp_per_mwh"]) == [50, 55]
    assert date(2023, 5, 31) == prices["interval_start_utc"].iloc[0].date()
