"""Price statistics per settlement day, vectorised (numpy/pandas): daily min/max/mean, peak and
off-peak means, negative periods and the best charge-then-discharge window spread.

Input everywhere is a *price frame*: index = aware UTC interval starts, one float column per
market [£/MWh] (NaN where missing), plus ``settlement_date`` and ``settlement_period`` columns,
as returned by ``services.prices.prices_for_dates``. Nothing here touches a database.

Peak is 07:00–19:00 UK local time (periods starting at 07:00 up to the one starting 18:30),
off-peak the rest of the settlement day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from domain.settlement_time import LONDON, PERIOD_HOURS

PEAK_START_HOUR = 7
PEAK_END_HOUR = 19
MAX_PERIODS = 50
WINDOW_HOURS = (1, 2)
"""Window lengths [h] of the best charge/discharge spreads in ``daily_statistics``."""

DAILY_COLUMNS = [
    "settlement_date", "market", "periods", "min", "min_period", "max", "max_period", "mean", "peak_mean",
    "offpeak_mean", "negative_periods",
    "best_1h_spread", "best_1h_charge_period", "best_1h_discharge_period",
    "best_2h_spread", "best_2h_charge_period", "best_2h_discharge_period",
]
"""Columns of ``daily_statistics``; prices and spreads in £/MWh, periods are settlement periods."""


def is_peak(index: pd.DatetimeIndex) -> np.ndarray:
    """True for intervals starting 07:00 to 18:30 UK local time."""
    hours = pd.DatetimeIndex(index).tz_convert(LONDON).hour
    return np.asarray((hours >= PEAK_START_HOUR) & (hours < PEAK_END_HOUR))


def day_matrix(prices: pd.DataFrame, market: str) -> tuple[list, np.ndarray]:
    """One market as a (days x 50) matrix by settlement period (NaN where a period is missing or
    does not exist that day) and the list of settlement dates (rows)."""
    frame = prices[["settlement_date", "settlement_period", market]]
    days = sorted(frame["settlement_date"].unique())
    matrix = np.full((len(days), MAX_PERIODS), np.nan)
    if days:
        row = pd.Index(days).get_indexer(frame["settlement_date"])
        matrix[row, frame["settlement_period"].to_numpy(dtype=int) - 1] = frame[market].to_numpy(dtype=float)
    return days, matrix


def best_window_spreads(matrix: np.ndarray, window_periods: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best spread per day (row) of buying over one window and selling over a later one.

    ``matrix``: (days x periods) prices [£/MWh]. A window is ``window_periods`` consecutive
    periods all priced; the discharge window starts no earlier than the charge window ends.
    Returns (spread = mean discharge price − mean charge price [£/MWh], charge start period,
    discharge start period), 1-based periods; NaN spread and 0 periods where no pair fits.
    """
    days, periods = matrix.shape
    w = window_periods
    nan = np.full(days, np.nan)
    if periods < 2 * w or days == 0:
        return nan, np.zeros(days, dtype=int), np.zeros(days, dtype=int)
    windows = np.lib.stride_tricks.sliding_window_view(matrix, w, axis=1).mean(axis=2)  # NaN if any missing
    n = windows.shape[1]
    filled = np.where(np.isnan(windows), np.inf, windows)
    running_min = np.minimum.accumulate(filled, axis=1)
    arg = np.arange(n)[None, :].repeat(days, axis=0)
    arg = np.where(filled == running_min, arg, -1)
    running_arg = np.maximum.accumulate(arg, axis=1)  # index of the latest minimum so far
    # discharge window j pairs with the cheapest charge window ending by j (i <= j - w)
    discharge = windows[:, w:]
    cheapest = running_min[:, : n - w]
    cheapest_at = running_arg[:, : n - w]
    spread = np.where(np.isfinite(cheapest), discharge - cheapest, np.nan)
    has = ~np.all(np.isnan(spread), axis=1)
    best_j = np.where(has, np.nanargmax(np.where(np.isnan(spread), -np.inf, spread), axis=1), 0)
    rows = np.arange(days)
    best = np.where(has, spread[rows, best_j], np.nan)
    charge = np.where(has, cheapest_at[rows, best_j] + 1, 0)
    discharge_start = np.where(has, best_j + w + 1, 0)
    return best, charge.astype(int), discharge_start.astype(int)


def daily_statistics(prices: pd.DataFrame, markets: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """One row per settlement date and market with ``DAILY_COLUMNS``; days where a market has
    no price are left out. Extremes report the first period at which they occur."""
    if prices.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    peak = is_peak(prices.index)
    parts = []
    for market in [m for m in markets if m in prices.columns]:
        days, matrix = day_matrix(prices, market)
        peak_matrix = np.full_like(matrix, np.nan)
        row = pd.Index(days).get_indexer(prices["settlement_date"])
        col = prices["settlement_period"].to_numpy(dtype=int) - 1
        peak_matrix[row, col] = peak
        with np.errstate(all="ignore"):
            counts = np.sum(~np.isnan(matrix), axis=1)
            keep = counts > 0
            if not keep.any():
                continue
            m = matrix[keep]
            pk = peak_matrix[keep] == 1
            frame = pd.DataFrame({
                "settlement_date": np.asarray(days, dtype=object)[keep],
                "market": market,
                "periods": counts[keep],
                "min": np.nanmin(m, axis=1),
                "min_period": np.nanargmin(m, axis=1) + 1,
                "max": np.nanmax(m, axis=1),
                "max_period": np.nanargmax(m, axis=1) + 1,
                "mean": np.nanmean(m, axis=1),
                "peak_mean": _masked_mean(m, pk),
                "offpeak_mean": _masked_mean(m, ~pk & ~np.isnan(m)),
                "negative_periods": np.sum(m < 0, axis=1),
            })
        for hours in WINDOW_HOURS:
            spread, charge, discharge = best_window_spreads(m, int(hours / PERIOD_HOURS))
            frame[f"best_{hours}h_spread"] = spread
            frame[f"best_{hours}h_charge_period"] = charge
            frame[f"best_{hours}h_discharge_period"] = discharge
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(["settlement_date", "market"], kind="stable")[
        DAILY_COLUMNS].reset_index(drop=True)


def _masked_mean(matrix: np.ndarray, mask: np.ndarray) -> np.ndarray:
    values = np.where(mask, matrix, np.nan)
    counts = np.sum(mask & ~np.isnan(matrix), axis=1)
    sums = np.nansum(values, axis=1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def spread_series(prices: pd.DataFrame, first: str = "day_ahead", second: str = "intraday") -> pd.Series:
    """``first`` − ``second`` per interval [£/MWh] (NaN where either is missing)."""
    return prices[first] - prices[second]
