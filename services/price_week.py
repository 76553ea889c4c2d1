"""Where the Prices page opens: the most recent run of whole settlement days on which every chosen market
has a price for every period (a desk comparing day-ahead with intraday wants a week that has both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from data_access.engine import Database
from domain.settlement_time import periods_in_day
from services.prices import CoverageRow, market_coverage, prices_for_dates

LOOKBACK_DAYS = 399
"""How far back from the markets' common last day the search reads prices [days]: one read, within
``prices_for_dates``' 400-day limit."""


@dataclass(frozen=True)
class OpeningWeek:
    first: date
    last: date
    common: bool
    """True when every chosen market is priced on every day of ``first``..``last``; False for the fallback
    (the last ``days`` of any market) when the chosen markets share no complete day."""


def complete_days(prices: pd.DataFrame, markets: tuple[str, ...]) -> pd.Series:
    """Per settlement date of ``prices`` (``prices_for_dates`` frame): whether every market in ``markets`` has
    a price for each of its 46/48/50 periods."""
    if prices.empty:
        return pd.Series(dtype=bool)
    priced = prices[list(markets)].notna().all(axis=1)
    counts = priced.groupby(prices["settlement_date"].to_numpy()).sum()
    expected = pd.Series([periods_in_day(d) for d in counts.index], index=counts.index)
    return counts == expected


def opening_week(db: Database, markets: tuple[str, ...], days: int = 7,
                 coverage: list[CoverageRow] | None = None) -> OpeningWeek | None:
    """The latest ``days`` settlement dates ending on the last date on which all ``markets`` are complete
    (None without prices). A market with no prices at all is left out of the search."""
    coverage = market_coverage(db) if coverage is None else coverage
    rows = [row for row in coverage if row.market in markets and row.last_complete_date is not None]
    if not coverage:
        return None
    if not rows:
        last = max(row.last_date for row in coverage)
        return OpeningWeek(last - timedelta(days=days - 1), last, False)
    chosen = tuple(row.market for row in rows)
    end = min(row.last_complete_date for row in rows)
    start = max(max(row.first_date for row in rows), end - timedelta(days=LOOKBACK_DAYS))
    complete = complete_days(prices_for_dates(db, start, end, chosen), chosen) if start <= end else pd.Series()
    good = complete[complete].index
    if len(good) == 0:
        last = max(row.last_complete_date for row in rows)
        return OpeningWeek(max(min(r.first_date for r in rows), last - timedelta(days=days - 1)), last, False)
    last = good.max()
    first = max(start, last - timedelta(days=days - 1))
    return OpeningWeek(first, last, True)
