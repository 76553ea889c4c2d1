"""``gbm``: scikit-learn's HistGradientBoostingRegressor on lagged prices and the GB calendar.

Features of a target half-hour (all known at any decision taken on the day before delivery or later):

- every stored series at the same settlement period 2 and 7 days earlier, the forecast series also 3 and
  14 days earlier, and its mean over the settlement date 2 days earlier [£/MWh];
- the calendar: settlement period, local hour, weekday, England and Wales bank holiday, clock-change day.

The model is trained on the half-hours of the last ``window_days`` (default 90) known at the decision,
and retrained when the decision is ``retrain_days`` (default 7) or more after the last training; each
trained model is kept per (series, training time), so a backtest trains about once a week per leg.
Fixed ``random_state`` and no early stopping: the same inputs give the same forecasts. One OpenMP thread:
on a shared machine, scikit-learn's spinning thread pool cost a backtest a hundred times its single-thread time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from domain.forecast_inputs import ForecastInputs
from domain.forecasters import fallback_level, lagged, same_period_starts
from domain.settlement_time import LONDON
from domain.uk_calendar import is_bank_holiday, is_clock_change_day

ALL_SERIES_LAGS_DAYS = (2, 7)
TARGET_LAGS_DAYS = (3, 14)
MIN_TRAINING_ROWS = 7 * 48
"""Fewer known half-hours than this (a week) and the forecaster falls back to the naive week."""


def _calendar(index: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Settlement date (``datetime64[D]``) and period (1-based) of every UTC interval start, vectorised."""
    local_midnight = index.tz_convert(LONDON).normalize()
    days = local_midnight.tz_localize(None).to_numpy().astype("datetime64[D]")
    periods = ((index - local_midnight.tz_convert("UTC")) // pd.Timedelta(minutes=30)).to_numpy() + 1
    return days, periods.astype(int)


def _day_starts(days: np.ndarray) -> pd.DatetimeIndex:
    """UTC start of each settlement date (local midnight, which a GB clock change never skips or repeats)."""
    return pd.DatetimeIndex(days.astype("datetime64[ns]")).tz_localize(LONDON).tz_convert("UTC")


def _lag_starts(days: np.ndarray, periods: np.ndarray, lag_days: int) -> pd.DatetimeIndex:
    """The same settlement period ``lag_days`` dates earlier (the lag day's last period where it is shorter);
    the vectorised form of ``domain.forecasters.same_period_starts``."""
    lag = days - np.timedelta64(lag_days, "D")
    starts = _day_starts(lag)
    counts = ((_day_starts(lag + np.timedelta64(1, "D")) - starts) // pd.Timedelta(minutes=30)).to_numpy()
    return starts + pd.to_timedelta((np.minimum(periods, counts) - 1) * 30, unit="min")


def features(known: pd.DataFrame, column: str, starts: pd.DatetimeIndex) -> pd.DataFrame:
    """The feature table of ``starts`` from the ``known`` series (NaN where a lag is not known)."""
    columns: dict[str, np.ndarray] = {}
    days, periods = _calendar(starts)
    for lag in (*ALL_SERIES_LAGS_DAYS, *TARGET_LAGS_DAYS):
        at = _lag_starts(days, periods, lag)
        for name in (known.columns if lag in ALL_SERIES_LAGS_DAYS else [column]):
            columns[f"{name}_lag{lag}d"] = known[name].reindex(at).to_numpy(dtype=float)
    daily_mean = known[column].groupby(_calendar(known.index)[0]).mean()
    columns[f"{column}_mean_2d_before"] = daily_mean.reindex(days - np.timedelta64(2, "D")).to_numpy(dtype=float)
    unique = pd.unique(days)
    as_dates = pd.DatetimeIndex(unique).date
    holiday = dict(zip(unique, [is_bank_holiday(d) for d in as_dates], strict=True))
    change = dict(zip(unique, [is_clock_change_day(d) for d in as_dates], strict=True))
    local = starts.tz_convert(LONDON)
    columns["settlement_period"] = periods.astype(float)
    columns["local_hour"] = np.asarray(local.hour, dtype=float)
    columns["weekday"] = np.asarray(local.day_of_week, dtype=float)
    columns["bank_holiday"] = pd.Series(days).map(holiday).to_numpy(dtype=float)
    columns["clock_change_day"] = pd.Series(days).map(change).to_numpy(dtype=float)
    return pd.DataFrame(columns, index=starts)


class GbmForecaster:
    def __init__(self, window_days: int = 90, retrain_days: int = 7, max_iter: int = 60):
        self.name = "gbm"
        self.window = pd.Timedelta(days=window_days)
        self.retrain = pd.Timedelta(days=retrain_days)
        self.max_iter = max_iter
        self.models: dict[tuple[str, pd.Timestamp], HistGradientBoostingRegressor | None] = {}
        self._latest: dict[str, pd.Timestamp] = {}
        self.trainings = 0

    def _model(self, inputs: ForecastInputs) -> HistGradientBoostingRegressor | None:
        column, now = inputs.column, inputs.decision_time_utc
        trained_at = self._latest.get(column)
        if trained_at is None or now - trained_at >= self.retrain or now < trained_at:
            trained_at = now
            self._latest[column] = now
            self.models[(column, now)] = self._train(inputs)
        return self.models[(column, trained_at)]

    def _train(self, inputs: ForecastInputs) -> HistGradientBoostingRegressor | None:
        # Lags reach 14 days back, so the features of the window's first day need 14 more days of history.
        known = inputs.known.loc[inputs.known.index >= inputs.decision_time_utc - self.window - pd.Timedelta(days=15)]
        target = known[inputs.column]
        rows = target.index[(target.index >= inputs.decision_time_utc - self.window) & target.notna().to_numpy()]
        if len(rows) < MIN_TRAINING_ROWS:
            return None
        self.trainings += 1
        model = HistGradientBoostingRegressor(max_iter=self.max_iter, learning_rate=0.15, max_leaf_nodes=15, max_bins=64,
                                              early_stopping=False, random_state=0)
        with threadpool_limits(limits=1, user_api="openmp"):
            model.fit(features(known, inputs.column, rows).to_numpy(), target.reindex(rows).to_numpy(dtype=float))
        return model

    def forecast(self, inputs: ForecastInputs) -> np.ndarray:
        model = self._model(inputs)
        series = inputs.known[inputs.column]
        if model is None:
            values = lagged(series, inputs.targets, 7)
            values[np.isnan(values)] = fallback_level(series)
            return values
        known = inputs.known.loc[inputs.known.index >= inputs.targets.min() - pd.Timedelta(days=15)]
        table = features(known, inputs.column, inputs.targets).to_numpy()
        with threadpool_limits(limits=1, user_api="openmp"):
            return model.predict(table)


__all__ = ["GbmForecaster", "features", "same_period_starts"]
