"""The whole-year price files (issue 20): Elexon system prices 2019-01..2025-06 and the portal's MID
exports 2024 and 2025-01..06, parsed and imported through the same path as any other price file."""

from datetime import date

import pandas as pd
from sqlalchemy import func, select

from data_access.price_files import (
    EPEX_DEMO_FILE,
    MID_PORTAL_2024_FILE,
    MID_PORTAL_2025_FILE,
    SYSTEM_DEMO_FILE,
    parse_price_file,
)
from data_access.schema import MarketPrice
from domain.settlement_time import settlement_periods_of
from services.prices import import_prices, load_demo_prices, market_coverage, prices_for_dates


def periods_per_day(parsed, market: str) -> pd.Series:
    prices = parsed.prices[parsed.prices["market"] == market]
    dates, _ = settlement_periods_of(prices["interval_start_utc"])
    return pd.Series(dates).value_counts().sort_index()


def test_system_prices_have_every_period_of_every_day_including_46_and_50_period_days():
    parsed = parse_price_file(SYSTEM_DEMO_FILE)
    assert parsed.format == "system" and parsed.rejected.empty
    counts = periods_per_day(parsed, "system_price")
    assert len(counts) == 2344 and counts.sum() == 112_510
    assert counts[date(2024, 3, 31)] == 46 and counts[date(2024, 10, 27)] == 50
    assert counts[date(2019, 10, 27)] == 50 and counts[date(2024, 6, 1)] == 48
    assert counts.value_counts().to_dict() == {48: 2331, 46: 7, 50: 6}
    # Since the single-price reform SBP equals SSP in every row, so no separate buy price is stored.
    assert set(parsed.prices["market"]) == {"system_price"}
    first = parsed.prices.iloc[0]
    assert first["interval_start_utc"] == pd.Timestamp("2019-01-01T00:00Z") and first["price_gbp_per_mwh"] == 15


def test_system_buy_price_is_kept_where_it_differs_from_the_sell_price():
    content = (b"Settlement Date,Settlement Period,System Sell Price(GBP/MWh),System Buy Price(GBP/MWh),"
               b"Net Imbalance Volume(MWh)\n01/01/2015,1,30,45.5,1\n01/01/2015,2,31,31,1\n")
    parsed = parse_price_file(content, "old.csv")
    assert parsed.format == "system"
    buy = parsed.prices[parsed.prices["market"] == "system_buy_price"]
    assert list(buy["price_gbp_per_mwh"]) == [45.5]
    assert list(parsed.prices[parsed.prices["market"] == "system_price"]["price_gbp_per_mwh"]) == [30, 31]


def test_portal_mid_2024_is_latin_1_with_a_50_period_day_and_97_intervals_without_a_trade():
    parsed = parse_price_file(MID_PORTAL_2024_FILE)
    assert parsed.format == "mid_portal" and parsed.rejected.empty
    assert parsed.missing == 97
    counts = periods_per_day(parsed, "market_index")
    assert len(counts) == 366
    assert counts[date(2024, 3, 31)] == 46
    # 2024-10-27 has 50 periods, 29 of them without a trade; 10-13 and 10-14 lose 31 and 37.
    assert counts[date(2024, 10, 27)] == 50 - 29
    assert counts[date(2024, 10, 13)] == 48 - 31 and counts[date(2024, 10, 14)] == 48 - 37
    assert counts.sum() == 17_568 - 97
    # A zero-volume, zero-price row is missing, never £0/MWh: no stored price is exactly 0 on those days.
    assert "2024-10-13 (31), 2024-10-14 (37), 2024-10-27 (29)" in " ".join(parsed.notes)
    assert "17,568 N2EXMIDP rows skipped" in " ".join(parsed.notes)


def test_portal_mid_2025_has_the_spring_clock_change_and_no_missing_interval():
    parsed = parse_price_file(MID_PORTAL_2025_FILE)
    counts = periods_per_day(parsed, "market_index")
    assert parsed.missing == 0 and len(counts) == 156 and counts.sum() == 7486
    assert counts[date(2025, 3, 30)] == 46 and set(counts.drop(date(2025, 3, 30))) == {48}


def test_portal_mid_rows_are_checked_and_the_provider_is_trimmed():
    header = "Settlement Date,Settlement Period,Market Index Data Provider Id,Market Index Volume (MWh),Market Index Price (£/MWh)\n"
    body = ("31 March 2024,46,APXMIDP ,10,50\n"      # the last period of a 46-period day
            "31 March 2024,47,APXMIDP ,10,50\n"      # does not exist on that day
            "32 March 2024,1,APXMIDP ,10,50\n"       # not a date
            "01 April 2024,1,APXMIDP ,0,0\n"         # no trade: missing
            "01 April 2024,2,APXMIDP ,0,12\n")       # zero volume with a price: kept
    parsed = parse_price_file((header + body).encode("latin-1"), "portal.csv")
    assert parsed.format == "mid_portal" and parsed.missing == 1
    assert list(parsed.rejected["line"]) == [3, 4]
    assert "settlement period '47' does not exist on 31 March 2024 (46 periods)" in parsed.rejected["reason"][0]
    assert list(parsed.prices["interval_start_utc"]) == [pd.Timestamp("2024-03-31T22:30Z"),
                                                         pd.Timestamp("2024-03-31T23:30Z")]


def test_epex_clock_change_day_is_named_in_the_report_and_listed_as_a_gap(db):
    load_demo_prices(db, feeds=("epex",))
    report = import_prices(db, EPEX_DEMO_FILE.read_bytes(), "epex.csv.gz", fmt="epex")
    assert any(day.startswith("2025-10-26: 24 hourly values for a 25-hour day; refused") for day in report.refused_days)
    assert any(day.startswith("2025-03-30: 24 hourly values for a 23-hour day; refused") for day in report.refused_days)
    row = next(r for r in market_coverage(db) if r.market == "day_ahead")
    described = [gap.describe() for gap in row.gaps]
    assert "2025-10-26 missing (1 day)" in described and "2026-06-23 missing (1 day)" in described


def test_year_files_import_once_then_change_nothing_and_coverage_lists_every_gap(db):
    first = [import_prices(db, path.read_bytes(), path.name, source="years")
             for path in (MID_PORTAL_2024_FILE, MID_PORTAL_2025_FILE)]
    assert [r.rows_added for r in first] == [17_568 - 97, 7486] and first[0].rows_missing == 97
    assert "97 missing (no trade; not stored as £0)" in first[0].summary()
    with db.session() as session:
        stored = session.scalar(select(func.count(MarketPrice.id)).where(MarketPrice.market == "market_index"))
    again = [import_prices(db, path.read_bytes(), path.name, source="years")
             for path in (MID_PORTAL_2024_FILE, MID_PORTAL_2025_FILE)]
    assert [r.rows_added for r in again] == [0, 0] and [r.rows_unchanged for r in again] == [17_471, 7486]
    with db.session() as session:
        assert session.scalar(select(func.count(MarketPrice.id)).where(MarketPrice.market == "market_index")) == stored
    day = prices_for_dates(db, date(2024, 10, 27), date(2024, 10, 27), ("market_index",))
    assert len(day) == 21 and (day["market_index"] != 0).all()
    row = next(r for r in market_coverage(db) if r.market == "market_index")
    described = [gap.describe() for gap in row.gaps]
    assert described == ["2024-10-13 partial: 17 of 48 periods", "2024-10-14 partial: 11 of 48 periods",
                         "2024-10-27 partial: 21 of 50 periods"]
    assert row.ranges[0] == (date(2024, 1, 1), date(2024, 10, 12)) and row.ranges[-1] == (date(2024, 10, 28),
                                                                                          date(2025, 6, 5))


def test_system_prices_import_idempotently(db):
    report = import_prices(db, SYSTEM_DEMO_FILE.read_bytes(), SYSTEM_DEMO_FILE.name)
    assert report.format == "system" and report.rows_added == 112_510 and report.rows_rejected == 0
    again = import_prices(db, SYSTEM_DEMO_FILE.read_bytes(), SYSTEM_DEMO_FILE.name)
    assert again.rows_added == 0 and again.rows_unchanged == 112_510
    row = next(r for r in market_coverage(db) if r.market == "system_price")
    assert row.ranges == ((date(2019, 1, 1), date(2025, 6, 1)),) and row.gaps == ()
