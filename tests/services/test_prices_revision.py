"""What is computed from the stored prices alone (coverage, gaps, the last complete day, when they were
loaded) is kept between page opens, and follows every change: an import, its undo, rows added without an
import and rows deleted by hand."""

from datetime import UTC, date, datetime

from sqlalchemy import delete

from data_access import prices as price_store
from data_access.schema import MarketPrice
from services.optimisation_runs import series_freshness
from services.price_imports import undo_import
from services.prices import import_prices, market_coverage, price_dates

SEED = (b"interval_start_utc,day_ahead,intraday\n"
        + b"".join(f"2023-01-{d:02d}T{h:02d}:{m:02d}:00Z,{50 + h},{40 + m / 10}\n".encode()
                   for d in (14, 15, 16) for h in range(24) for m in (0, 30)))
LATER = (b"interval_start_utc,day_ahead\n"
         + b"".join(f"2023-01-18T{h:02d}:{m:02d}:00Z,{70 + h}\n".encode() for h in range(24) for m in (0, 30)))


def day_ahead(db):
    return next(row for row in market_coverage(db) if row.market == "day_ahead")


def test_coverage_follows_imports_undo_and_changes_made_by_hand(db):
    import_prices(db, SEED, "seed.csv", source="seed:test")
    first = day_ahead(db)
    assert (first.first_date, first.last_date, first.intervals, first.gaps) == (date(2023, 1, 14), date(2023, 1, 16),
                                                                                144, ())
    assert day_ahead(db) is first  # kept: nothing changed
    assert price_dates(db).last_complete_date == date(2023, 1, 16)

    later = import_prices(db, LATER, "later.csv", source="later:test")
    grown = day_ahead(db)
    assert (grown.last_date, grown.intervals) == (date(2023, 1, 18), 192)
    assert [gap.describe() for gap in grown.gaps] == ["2023-01-17 missing (1 day)"]
    assert price_dates(db).last_complete_date == date(2023, 1, 18)

    undo_import(db, later.import_id, "tester")
    assert (day_ahead(db).last_date, day_ahead(db).intervals) == (date(2023, 1, 16), 144)
    assert price_dates(db).last_complete_date == date(2023, 1, 16)

    with db.session() as session:  # by hand, in the middle: no import, no undo, the last id unchanged
        session.execute(delete(MarketPrice).where(MarketPrice.interval_start_utc >= datetime(2023, 1, 15, tzinfo=UTC),
                                                  MarketPrice.interval_start_utc < datetime(2023, 1, 16, tzinfo=UTC)))
    holed = day_ahead(db)
    assert holed.intervals == 96 and [gap.describe() for gap in holed.gaps] == ["2023-01-15 missing (1 day)"]

    with db.session() as session:  # added without an import (as the demo loader and benchmarks do)
        price_store.insert_prices(session, _long("2023-01-20"), "loose:test")
    assert day_ahead(db).last_date == date(2023, 1, 20)


def test_freshness_says_when_the_newest_prices_were_loaded_and_follows_a_new_load(db):
    import_prices(db, SEED, "seed.csv", source="seed:test")
    before = {row.market: row.stored_at for row in series_freshness(db, ("day_ahead", "intraday"))}
    assert before["day_ahead"] is not None and before["intraday"] is not None
    import_prices(db, LATER, "later.csv", source="later:test")
    after = {row.market: row for row in series_freshness(db, ("day_ahead", "intraday"))}
    assert after["day_ahead"].stored_at > before["day_ahead"] and after["day_ahead"].last_date == date(2023, 1, 18)
    assert after["intraday"].stored_at == before["intraday"]


def _long(day: str):
    import pandas as pd

    starts = pd.date_range(f"{day}T00:00:00Z", periods=48, freq="30min")
    return pd.DataFrame({"market": "day_ahead", "interval_start_utc": starts, "price_gbp_per_mwh": 60.0})
