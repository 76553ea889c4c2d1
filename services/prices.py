"""Prices: load the demo file, and read prices by GB settlement date for pages and the optimiser."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from data_access import prices as price_store
from data_access.engine import Database
from data_access.price_files import SEED_SOURCE, PriceFileError, read_seed_prices, read_wide_price_csv
from domain.markets import MARKETS
from domain.settlement_time import (
    day_start_utc,
    periods_in_day,
    settlement_periods_of,
    to_settlement_period,
)
from services.errors import InvalidInput

MAX_EXPLORER_DAYS = 400
LOOKBACK_DAYS = 7


def load_demo_prices(db: Database) -> int:
    """Load the shipped seed DA/ID prices; returns the number of new rows (0 when already loaded)."""
    long = read_seed_prices()
    with db.session() as session:
        return price_store.insert_prices(session, long, SEED_SOURCE)


@dataclass(frozen=True)
class CoverageRow:
    """Stored prices of one market, as GB settlement dates and periods."""

    market: str
    first_date: date
    first_period: int
    last_date: date
    last_period: int
    intervals: int


def market_coverage(db: Database) -> list[CoverageRow]:
    with db.session() as session:
        rows = price_store.coverage(session)
    result = []
    for row in rows:
        first = to_settlement_period(row.first_interval_utc)
        last = to_settlement_period(row.last_interval_utc)
        result.append(
            CoverageRow(
                market=row.market,
                first_date=first.settlement_date,
                first_period=first.settlement_period,
                last_date=last.settlement_date,
                last_period=last.settlement_period,
                intervals=row.intervals,
            )
        )
    return result


def prices_for_dates(db: Database, first: date, last: date, markets: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Wide prices for settlement dates ``first``..``last`` (inclusive) with settlement columns.

    Index: aware UTC interval start. Columns: one per market [£/MWh], ``settlement_date``,
    ``settlement_period``.
    """
    if last < first:
        raise InvalidInput(f"the end date {last.isoformat()} is before the start date {first.isoformat()}")
    if (last - first).days + 1 > MAX_EXPLORER_DAYS:
        raise InvalidInput(f"choose at most {MAX_EXPLORER_DAYS} days at a time")
    with db.session() as session:
        wide = price_store.prices_between(session, day_start_utc(first), day_start_utc(last + timedelta(days=1)), markets)
    dates, periods = settlement_periods_of(wide.index)
    return wide.assign(settlement_date=dates, settlement_period=periods)


@dataclass(frozen=True)
class DaySummary:
    """One market on one settlement date [£/MWh]."""

    market: str
    settlement_date: date
    intervals: int
    mean: float
    minimum: float
    maximum: float
    min_period: int
    max_period: int

    @property
    def spread(self) -> float:
        return self.maximum - self.minimum


def last_complete_date(db: Database, coverage: list[CoverageRow]) -> date | None:
    """The last settlement date on which some market has a price for every one of its
    46/48/50 periods (a trailing partial date, from a file that stops mid-day, is passed over).
    ``coverage`` is ``market_coverage(db)``, which callers already hold. None when nothing is
    stored; the last date seen when no recent date is complete."""
    if not coverage:
        return None
    last = max(row.last_date for row in coverage)
    recent = prices_for_dates(db, last - timedelta(days=LOOKBACK_DAYS), last)
    complete = [
        day
        for day, rows in recent.groupby("settlement_date")
        if any(rows[m].notna().sum() == periods_in_day(day) for m in MARKETS if m in rows)
    ]
    return max(complete) if complete else last


def latest_day_summary(db: Database, coverage: list[CoverageRow]) -> list[DaySummary]:
    """Summary per market of the last complete settlement date ("yesterday in the data");
    ``coverage`` is ``market_coverage(db)``."""
    day = last_complete_date(db, coverage)
    if day is None:
        return []
    frame = prices_for_dates(db, day, day)
    summaries = []
    for market in [m for m in MARKETS if m in frame.columns]:
        series = frame[market].dropna()
        if series.empty:
            continue
        summaries.append(
            DaySummary(
                market=market,
                settlement_date=day,
                intervals=int(series.size),
                mean=float(series.mean()),
                minimum=float(series.min()),
                maximum=float(series.max()),
                min_period=int(frame.loc[series.idxmin(), "settlement_period"]),
                max_period=int(frame.loc[series.idxmax(), "settlement_period"]),
            )
        )
    return summaries


MAX_UPLOAD_ROWS = 200_000


@dataclass(frozen=True)
class ImportReport:
    source: str
    rows_read: int
    rows_added: int
    first_utc: pd.Timestamp
    last_utc: pd.Timestamp


def import_price_file(db: Database, content: bytes, filename: str) -> ImportReport:
    """Check a whole uploaded CSV, then store it in one transaction (all rows or none).

    Rows already stored for the same market, interval and source are left as they are.
    """
    try:
        long = read_wide_price_csv(io.BytesIO(content), filename)
    except PriceFileError as error:
        raise InvalidInput(str(error)) from error
    if len(long) > MAX_UPLOAD_ROWS:
        raise InvalidInput(f"{filename}: {len(long):,} prices is more than the {MAX_UPLOAD_ROWS:,} allowed per file")
    source = f"upload:{filename}"[:64]
    with db.session() as session:
        added = price_store.insert_prices(session, long, source)
    return ImportReport(source, len(long), added, long["interval_start_utc"].min(), long["interval_start_utc"].max())
