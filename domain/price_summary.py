"""One settlement day's prices in a few figures: what the daily price email reports.

Pure and vectorised (numpy/pandas): prices in, figures out. All prices are £/MWh. A day has
46, 48 or 50 settlement periods; ``day_table`` lays the stored prices on that full grid so a
missing period is a visible gap (NaN), never a silently shorter day.

The prices feature keeps the desk's general price statistics; this module holds only the
figures the email needs, so the two can be unified later without changing the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from domain.settlement_time import LONDON, day_period_starts_utc, settlement_periods_of

PEAK_START_HOUR = 7
PEAK_END_HOUR = 19
"""Peak is 07:00–19:00 UK local time (periods starting at or after 07:00 and before 19:00)."""

WINDOW_PERIODS = {"1h": 2, "2h": 4}
"""Charge/discharge window lengths reported, in settlement periods (30 min each)."""


@dataclass(frozen=True)
class PriceWindow:
    """Consecutive settlement periods ``first_period``..``last_period`` and their mean price [£/MWh]."""

    first_period: int
    last_period: int
    start_local: str
    """UK local start time, ``HH:MM``."""
    mean_gbp_per_mwh: float


@dataclass(frozen=True)
class MarketDaySummary:
    """One market on one settlement date. Price figures are None when no period is priced."""

    market: str
    settlement_date: date
    expected_periods: int
    missing_periods: tuple[int, ...]
    min_gbp_per_mwh: float | None
    min_period: int | None
    max_gbp_per_mwh: float | None
    max_period: int | None
    mean_gbp_per_mwh: float | None
    peak_mean_gbp_per_mwh: float | None
    off_peak_mean_gbp_per_mwh: float | None
    negative_periods: tuple[int, ...]
    cheapest: dict[str, PriceWindow | None]
    """Best charge window per length (``"1h"``, ``"2h"``): the lowest mean price."""
    dearest: dict[str, PriceWindow | None]
    """Best discharge window per length: the highest mean price."""

    @property
    def priced_periods(self) -> int:
        return self.expected_periods - len(self.missing_periods)

    @property
    def complete(self) -> bool:
        return not self.missing_periods

    @property
    def has_prices(self) -> bool:
        return self.priced_periods > 0


def day_table(prices: pd.DataFrame, settlement_date: date, markets: list[str]) -> pd.DataFrame:
    """Every settlement period of ``settlement_date`` with each market's price (NaN where missing).

    ``prices``: index aware UTC interval start, one column per market [£/MWh] (other columns
    ignored). Returns columns ``interval_start_utc``, ``uk_local_time`` (aware Europe/London),
    ``settlement_period`` and one per market, one row per period (46, 48 or 50 rows).
    """
    starts = day_period_starts_utc(settlement_date)
    _, periods = settlement_periods_of(starts)
    table = pd.DataFrame(
        {"interval_start_utc": starts, "uk_local_time": starts.tz_convert(LONDON), "settlement_period": periods}
    )
    for market in markets:
        column = prices[market] if market in prices.columns else pd.Series(dtype=float)
        table[market] = column.reindex(starts).to_numpy(dtype=float)
    return table


def _windows(values: np.ndarray, length: int) -> np.ndarray:
    """Mean of every run of ``length`` consecutive values; NaN where the run has a gap."""
    if values.size < length:
        return np.array([])
    runs = np.lib.stride_tricks.sliding_window_view(values, length)
    return runs.mean(axis=1)  # any NaN in a run makes its mean NaN


def _best_window(table: pd.DataFrame, means: np.ndarray, length: int, pick) -> PriceWindow | None:
    if means.size == 0 or np.isnan(means).all():
        return None
    first = int(pick(means))
    local = table["uk_local_time"].iloc[first]
    return PriceWindow(
        first_period=int(table["settlement_period"].iloc[first]),
        last_period=int(table["settlement_period"].iloc[first + length - 1]),
        start_local=local.strftime("%H:%M"),
        mean_gbp_per_mwh=float(means[first]),
    )


def _mean_or_none(values: np.ndarray) -> float | None:
    priced = values[~np.isnan(values)]
    return float(priced.mean()) if priced.size else None


def summarise_market(table: pd.DataFrame, market: str, settlement_date: date) -> MarketDaySummary:
    """Figures for one market from ``day_table``'s output."""
    values = table[market].to_numpy(dtype=float)
    periods = table["settlement_period"].to_numpy()
    missing = np.isnan(values)
    hours = table["uk_local_time"].dt.hour.to_numpy()
    peak = (hours >= PEAK_START_HOUR) & (hours < PEAK_END_HOUR)
    has_any = not missing.all()
    min_index = int(np.nanargmin(values)) if has_any else None
    max_index = int(np.nanargmax(values)) if has_any else None
    cheapest, dearest = {}, {}
    for name, length in WINDOW_PERIODS.items():
        means = _windows(values, length)
        cheapest[name] = _best_window(table, means, length, np.nanargmin)
        dearest[name] = _best_window(table, means, length, np.nanargmax)
    return MarketDaySummary(
        market=market,
        settlement_date=settlement_date,
        expected_periods=int(values.size),
        missing_periods=tuple(int(p) for p in periods[missing]),
        min_gbp_per_mwh=float(values[min_index]) if has_any else None,
        min_period=int(periods[min_index]) if has_any else None,
        max_gbp_per_mwh=float(values[max_index]) if has_any else None,
        max_period=int(periods[max_index]) if has_any else None,
        mean_gbp_per_mwh=_mean_or_none(values),
        peak_mean_gbp_per_mwh=_mean_or_none(values[peak]),
        off_peak_mean_gbp_per_mwh=_mean_or_none(values[~peak]),
        negative_periods=tuple(int(p) for p in periods[~missing & (np.nan_to_num(values) < 0)]),
        cheapest=cheapest,
        dearest=dearest,
    )


def summarise_day(table: pd.DataFrame, markets: list[str], settlement_date: date) -> list[MarketDaySummary]:
    """``summarise_market`` for each market of ``day_table``'s output, in the order given."""
    return [summarise_market(table, market, settlement_date) for market in markets]


def period_ranges(periods: tuple[int, ...]) -> str:
    """Compact text for a set of settlement periods: ``SP3–5, SP9``."""
    if not periods:
        return "none"
    values = np.asarray(periods)
    breaks = np.flatnonzero(np.diff(values) != 1) + 1
    parts = []
    for run in np.split(values, breaks):
        parts.append(f"SP{run[0]}" if run.size == 1 else f"SP{run[0]}–{run[-1]}")
    return ", ".join(parts)
