"""Price forecasters for forecast-driven backtests: one small interface, the naive baselines, a registry.

A forecaster is anything with a ``name`` and ``forecast(inputs) -> np.ndarray`` returning one price
[£/MWh] per target half-hour of ``inputs`` (``domain.forecast_inputs.ForecastInputs``). It sees only
``inputs.known``, the rows known before the decision time, so it cannot look ahead however it is written.

- ``naive-week``: the same settlement period seven days earlier (a fortnight, then yesterday, when missing);
- ``naive-day``: the same settlement period on the latest day whose price for it is known (usually the day
  before yesterday at the day-ahead gate, yesterday for an afternoon decision);
- ``gbm``: gradient-boosted trees (``domain.forecast_gbm``).

Lags are by settlement period, not by 24 h of UTC: on and after a clock change "the same period a week
earlier" is the same local half-hour. A period that does not exist on the lag day (49, 50 after an
autumn change, 47, 48 before a spring one) takes that day's last period.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Protocol

import numpy as np
import pandas as pd

from domain.forecast_inputs import ForecastInputs
from domain.settlement_time import PERIOD, day_start_utc, periods_in_day, settlement_periods_of


class Forecaster(Protocol):
    name: str

    def forecast(self, inputs: ForecastInputs) -> np.ndarray:
        """One price per ``inputs.targets`` [£/MWh], from ``inputs.known`` only."""


def same_period_starts(targets: pd.DatetimeIndex, lag_days: int,
                       periods_of: tuple[list, list] | None = None) -> pd.DatetimeIndex:
    """UTC start of the same settlement period ``lag_days`` settlement dates before each target.

    ``periods_of``: ``settlement_periods_of(targets)``, when the caller has it already."""
    dates, periods = periods_of if periods_of is not None else settlement_periods_of(targets)
    if not len(dates):
        return targets[:0]
    codes, unique = pd.factorize(pd.Series(dates), sort=False)
    lag_unique = [d - timedelta(days=lag_days) for d in unique]
    day_starts = pd.DatetimeIndex([day_start_utc(d) for d in lag_unique]).tz_convert("UTC")
    counts = np.array([periods_in_day(d) for d in lag_unique], dtype=int)
    period = np.minimum(np.asarray(periods, dtype=int), counts[codes])
    return day_starts[codes] + pd.to_timedelta((period - 1) * int(PERIOD.total_seconds()), unit="s")


def lagged(series: pd.Series, targets: pd.DatetimeIndex, lag_days: int,
           periods_of: tuple[list, list] | None = None) -> np.ndarray:
    """``series`` at the same settlement period ``lag_days`` earlier, NaN where it is not there."""
    return series.reindex(same_period_starts(targets, lag_days, periods_of)).to_numpy(dtype=float)


def fallback_level(series: pd.Series) -> float:
    """The mean of the last day of known values [£/MWh] (0 when nothing is known): the last resort."""
    recent = series.dropna().iloc[-48:]
    return float(recent.mean()) if len(recent) else 0.0


class NaiveLag:
    """The same settlement period ``lags[0]`` days earlier, the next lag where that is unknown."""

    def __init__(self, name: str, lags: Sequence[int]):
        self.name = name
        self.lags = tuple(lags)

    def forecast(self, inputs: ForecastInputs) -> np.ndarray:
        series = inputs.known[inputs.column] if inputs.column in inputs.known else pd.Series(dtype=float)
        values = np.full(len(inputs.targets), np.nan)
        for lag in self.lags:
            missing = np.isnan(values)
            if not missing.any():
                break
            values[missing] = lagged(series, inputs.targets[missing], lag)
        values[np.isnan(values)] = fallback_level(series)
        return values


class Constant:
    """The same price for every half-hour (a test and a floor: a schedule must still come out valid)."""

    def __init__(self, price_gbp_per_mwh: float = 50.0):
        self.name = "constant"
        self.price = float(price_gbp_per_mwh)

    def forecast(self, inputs: ForecastInputs) -> np.ndarray:
        return np.full(len(inputs.targets), self.price)


def _gbm(**options) -> Forecaster:
    from domain.forecast_gbm import GbmForecaster

    return GbmForecaster(**options)


FORECASTERS: dict[str, Callable[..., Forecaster]] = {
    "naive-week": lambda: NaiveLag("naive-week", (7, 14, 1, 2)),
    "naive-day": lambda: NaiveLag("naive-day", (1, 2, 3, 7)),
    "gbm": _gbm,
}
"""Forecaster name -> a factory making a fresh one (each backtest gets its own, with its own model cache)."""
FORECASTER_DESCRIPTIONS = {
    "naive-week": "same settlement period a week earlier",
    "naive-day": "same settlement period on the latest day known",
    "gbm": "gradient-boosted trees on lagged prices and the calendar, retrained weekly on 90 days",
}


def make_forecaster(name: str) -> Forecaster:
    try:
        return FORECASTERS[name]()
    except KeyError:
        raise ValueError(f"forecaster {name!r} is not one of {', '.join(FORECASTERS)}") from None
