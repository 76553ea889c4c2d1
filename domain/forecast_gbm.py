"""``gbm``: scikit-learn's HistGradientBoostingRegressor on lagged prices and the GB calendar.

Features of a target half-hour (all known at any decision taken on the day before delivery or later):

- every stored series at the same settlement period 2 and 7 days earlier, the forecast series also 3 and
  14 days earlier, and its mean over the settlement date 2 days earlier [£/MWh];
- the calendar: settlement period, local hour, weekday, England and Wales bank holiday, clock-change day.

The model is trained on the half-hours of the last ``window_days`` (default 90) known at the decision,
and retrained when the decision is ``retrain_days`` (default 7) or more after the latest training at or
before it; each trained model is kept per (series, training time), so a backtest trains about once a week
per leg. A decision always uses a model trained at or before it, whatever order decisions come in (a
backtest forecasts every day's 15:00 decision first, then re-forecasts each day hourly): the hourly
re-forecasts of a day use the models its daily decisions trained.

Predictions are kept per (model, target half-hour) once every input of the target's features is known
(``ready_times``: the end of the settlement date two days before it, for the lags used here); a later
decision with the same model reads them back instead of building the features again. Before that moment a
target's features are built from what is known at the decision, and nothing is kept. So a kept prediction
is exactly the one a fresh computation at the later decision would give: the hourly re-forecasts of a day
cost a look-up, and stay leak-free.
Fixed ``random_state`` and no early stopping: the same inputs give the same forecasts. One OpenMP thread:
on a shared machine, scikit-learn's spinning thread pool cost a backtest a hundred times its single-thread time.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import ThreadpoolController

from domain.forecast_inputs import ForecastInputs
from domain.forecasters import fallback_level, lagged, same_period_starts
from domain.settlement_time import LONDON, PERIOD
from domain.uk_calendar import is_bank_holiday, is_clock_change_day

ALL_SERIES_LAGS_DAYS = (2, 7)
TARGET_LAGS_DAYS = (3, 14)
MIN_TRAINING_ROWS = 7 * 48
"""Fewer known half-hours than this (a week) and the forecaster falls back to the naive week."""


@lru_cache(maxsize=1)
def _threads() -> ThreadpoolController:
    """The process's thread pools, found once: ``threadpool_limits`` searches every loaded library on each
    use, which cost more than the prediction it wrapped (hourly re-optimisation predicts 24 times a day)."""
    return ThreadpoolController()


def _one_thread():
    return _threads().limit(limits=1, user_api="openmp")


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


@dataclass(frozen=True)
class _Calendar:
    """Everything of a feature table that depends on the target half-hours alone (no price)."""

    days: np.ndarray
    lag_starts: dict[int, pd.DatetimeIndex]
    columns: dict[str, np.ndarray]

    def take(self, positions: np.ndarray) -> _Calendar:
        return _Calendar(self.days[positions], {lag: at[positions] for lag, at in self.lag_starts.items()},
                         {name: values[positions] for name, values in self.columns.items()})


STATIC_CACHE_SIZE = 64
"""Calendars of whole settlement-date ranges kept (``_static``): a backtest asks for the same days' targets
again and again (hourly re-optimisation forecasts each day's remaining periods 23–25 times)."""


def _static(starts: pd.DatetimeIndex) -> _Calendar:
    """The calendar part of ``starts``' features, cut from the cached calendar of the settlement dates they
    span (each half-hour's values depend on that half-hour alone, so a cut equals a fresh computation)."""
    if not len(starts):
        return _compute_static(starts)
    ends, _ = _calendar(starts[[0, -1]])
    first, last = (int(d) for d in ends.astype("datetime64[D]").astype(np.int64))
    full_index, full = _static_days(first, last)
    positions = full_index.get_indexer(starts)
    if (positions < 0).any():  # not on the half-hour grid: computed as it is
        return _compute_static(starts)
    return full.take(positions)


@lru_cache(maxsize=STATIC_CACHE_SIZE)
def _static_days(first: int, last: int) -> tuple[pd.DatetimeIndex, _Calendar]:
    """The calendar of every half-hour of settlement dates ``first``..``last`` (days since 1970-01-01)."""
    days = np.array([first, last + 1], dtype="datetime64[D]")
    low, high = _day_starts(days)
    index = pd.date_range(low, high, freq="30min", inclusive="left")
    return index, _compute_static(index)


def _compute_static(starts: pd.DatetimeIndex) -> _Calendar:
    days, periods = _calendar(starts)
    lag_starts = {lag: _lag_starts(days, periods, lag) for lag in (*ALL_SERIES_LAGS_DAYS, *TARGET_LAGS_DAYS)}
    unique = pd.unique(days)
    as_dates = pd.DatetimeIndex(unique).date
    holiday = dict(zip(unique, [is_bank_holiday(d) for d in as_dates], strict=True))
    change = dict(zip(unique, [is_clock_change_day(d) for d in as_dates], strict=True))
    local = starts.tz_convert(LONDON)
    columns = {
        "settlement_period": periods.astype(float),
        "local_hour": np.asarray(local.hour, dtype=float),
        "weekday": np.asarray(local.day_of_week, dtype=float),
        "bank_holiday": pd.Series(days).map(holiday).to_numpy(dtype=float),
        "clock_change_day": pd.Series(days).map(change).to_numpy(dtype=float),
    }
    return _Calendar(days, lag_starts, columns)


def features(known: pd.DataFrame, column: str, starts: pd.DatetimeIndex) -> pd.DataFrame:
    """The feature table of ``starts`` from the ``known`` series (NaN where a lag is not known)."""
    columns: dict[str, np.ndarray] = {}
    static = _static(pd.DatetimeIndex(starts).tz_convert("UTC"))
    days = static.days
    for lag in (*ALL_SERIES_LAGS_DAYS, *TARGET_LAGS_DAYS):
        at = static.lag_starts[lag]
        for name in (known.columns if lag in ALL_SERIES_LAGS_DAYS else [column]):
            columns[f"{name}_lag{lag}d"] = known[name].reindex(at).to_numpy(dtype=float)
    # The mean of each settlement date 2 days before a target: grouped over those dates' rows only.
    before = days - np.timedelta64(2, "D")
    if not len(before):
        return pd.DataFrame(columns, index=starts).assign(**{f"{column}_mean_2d_before": []}, **static.columns)
    low, high = _day_starts(before.min(keepdims=True))[0], _day_starts(before.max(keepdims=True) + 1)[0]
    series = known[column]
    window = series.iloc[series.index.searchsorted(low):series.index.searchsorted(high)]
    daily_mean = window.groupby(_calendar(window.index)[0]).mean()
    columns[f"{column}_mean_2d_before"] = daily_mean.reindex(before).to_numpy(dtype=float)
    columns.update(static.columns)
    return pd.DataFrame(columns, index=starts)


def ready_times(starts: pd.DatetimeIndex) -> np.ndarray:
    """When every input of each target's features is known (UTC ``datetime64[ns]``): the end of its latest
    lagged half-hour, or of the settlement date two days before (whose mean is a feature), if later."""
    static = _static(pd.DatetimeIndex(starts).tz_convert("UTC"))
    latest = np.max([at.asi8 for at in static.lag_starts.values()], axis=0) + pd.Timedelta(PERIOD).value
    mean_day_end = _day_starts(static.days - np.timedelta64(1, "D")).asi8
    return np.maximum(latest, mean_day_end)


class GbmForecaster:
    def __init__(self, window_days: int = 90, retrain_days: int = 7, max_iter: int = 60):
        self.name = "gbm"
        self.window = pd.Timedelta(days=window_days)
        self.retrain = pd.Timedelta(days=retrain_days)
        self.max_iter = max_iter
        self.models: dict[tuple[str, pd.Timestamp], HistGradientBoostingRegressor | None] = {}
        self._trained_at: dict[str, list[pd.Timestamp]] = {}
        """Per series, the training times so far, sorted."""
        self._predicted: dict[tuple[str, pd.Timestamp], dict[int, float]] = {}
        """Per model: target start [ns since epoch] -> prediction, for targets whose inputs were all known."""
        self._ready: dict[int, int] = {}
        """Target start -> ``ready_times`` of it [ns since epoch], worked out once per target."""
        self.trainings = 0
        self.predicted_rows = 0
        """Rows run through a model (kept predictions read back are not counted)."""

    def _model(self, inputs: ForecastInputs) -> tuple[pd.Timestamp, HistGradientBoostingRegressor | None]:
        """The model trained latest at or before the decision, trained now if there is none younger than
        ``retrain``; returns (training time, model)."""
        column, now = inputs.column, inputs.decision_time_utc
        times = self._trained_at.setdefault(column, [])
        position = bisect.bisect_right(times, now)
        if position and now - times[position - 1] < self.retrain:
            trained_at = times[position - 1]
        else:
            trained_at = now
            times.insert(position, now)
            self.models[(column, now)] = self._train(inputs)
        return trained_at, self.models[(column, trained_at)]

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
        with _one_thread():
            model.fit(features(known, inputs.column, rows).to_numpy(), target.reindex(rows).to_numpy(dtype=float))
        return model

    def forecast(self, inputs: ForecastInputs) -> np.ndarray:
        trained_at, model = self._model(inputs)
        targets = inputs.targets
        if model is None:
            series = inputs.known[inputs.column]
            values = lagged(series, targets, 7)
            values[np.isnan(values)] = fallback_level(series)
            return values
        if not len(targets):
            return np.zeros(0)
        kept = self._predicted.setdefault((inputs.column, trained_at), {})
        keys = targets.asi8
        cacheable = self._ready_times(targets, keys) <= inputs.decision_time_utc.value
        values = np.fromiter((kept.get(k, np.nan) if ok else np.nan
                              for k, ok in zip(keys.tolist(), cacheable.tolist(), strict=True)),
                             dtype=float, count=len(keys))
        missing = np.isnan(values)
        if missing.any():
            values[missing] = self._predict(model, inputs, targets[missing])
            keep = missing & cacheable
            kept.update(zip(keys[keep].tolist(), values[keep].tolist(), strict=True))
        return values

    def _ready_times(self, targets: pd.DatetimeIndex, keys: np.ndarray) -> np.ndarray:
        """``ready_times(targets)``, each target's computed once (a day's targets are asked for 24 times)."""
        ready = self._ready
        new = np.fromiter((key not in ready for key in keys), dtype=bool, count=len(keys))
        if new.any():
            ready.update(zip(keys[new].tolist(), ready_times(targets[new]).tolist(), strict=True))
        return np.fromiter((ready[key] for key in keys.tolist()), dtype=np.int64, count=len(keys))

    def _predict(self, model: HistGradientBoostingRegressor, inputs: ForecastInputs,
                 targets: pd.DatetimeIndex) -> np.ndarray:
        known = inputs.known.iloc[inputs.known.index.searchsorted(targets.min() - pd.Timedelta(days=15)):]
        table = features(known, inputs.column, targets).to_numpy()
        self.predicted_rows += len(targets)
        with _one_thread():
            return model.predict(table)


__all__ = ["GbmForecaster", "features", "same_period_starts"]
