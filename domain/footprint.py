"""Carbon footprint of a metered asset: change-of-value (COV) power readings, resampled to half-hours.

A COV meter records a value only when the power moves by more than a threshold, so each reading
holds until the next one (a step-held signal). The power of a half-hour is the *time-weighted*
average of that signal over the half-hour, not one sample, the maximum, or the plain mean of the
samples that happen to fall inside it.

- Half-hours are GB settlement periods of a UK local date (``HalfHourId`` 1..48; 46 or 50 on
  clock-change days), from ``domain.settlement_time``.
- Before the first reading the signal is unknown: a half-hour wholly before it is null (NaN),
  never zero. The caller passes the last stored reading from before the day, so a day whose
  first reading comes late carries the earlier value.
- A half-hour only partly after the first reading is averaged over the known part; its
  ``known_share`` (0..1) says how much was known.
- Energy [kWh] = average power [kW] × 0.5 h. Footprint [gCO2] = energy [kWh] × intensity
  [gCO2/kWh], using the actual intensity where known, else the forecast, recording which.

Everything here is vectorised numpy (no loop per reading): a year of one-minute readings
resamples in milliseconds (``benchmarks/footprint.py``). Pure: no Flask, Dash or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from domain.settlement_time import PERIOD_HOURS, day_period_starts_utc, day_start_utc, settlement_index

ACTUAL = "actual"
FORECAST = "forecast"
NS_PER_S = 1_000_000_000


def day_edges_utc(settlement_date: date) -> pd.DatetimeIndex:
    """The 47, 49 or 51 UTC edges of a local date's 46, 48 or 50 half-hours (start of each, then the day's end)."""
    starts = day_period_starts_utc(settlement_date)
    return starts.append(pd.DatetimeIndex([pd.Timestamp(day_start_utc(settlement_date + timedelta(days=1)))]))


def _as_utc_ns(times) -> np.ndarray:
    index = pd.DatetimeIndex(times)
    if index.tz is None:
        raise ValueError("reading times have no timezone; pass UTC-aware values")
    return index.tz_convert("UTC").as_unit("ns").asi8


@dataclass(frozen=True)
class Resampled:
    """Per half-hour: time-weighted average power [kW] (NaN when unknown) and the known share (0..1)."""

    power_kw: np.ndarray
    known_share: np.ndarray


def time_weighted_power_kw(times_utc, power_kw, edges_utc) -> Resampled:
    """Time-weighted average of the step-held signal over each interval between consecutive edges.

    ``times_utc``: aware instants of the readings, in any order (ties keep their given order and
    the later one wins). ``power_kw``: signed power [kW] (import positive, export negative).
    ``edges_utc``: N+1 increasing aware instants bounding N intervals.

    With F(x) the integral of the held signal from the first reading to x, the average over the
    known part [max(a, t0), b) of an interval [a, b) is (F(b) − F(max(a, t0))) / (b − max(a, t0)).
    F is piecewise linear between readings, so it is evaluated with one ``searchsorted``.
    """
    edges_ns = _as_utc_ns(edges_utc)
    n = len(edges_ns) - 1
    if n < 1:
        return Resampled(np.array([]), np.array([]))
    times_ns = _as_utc_ns(times_utc)
    values = np.asarray(power_kw, dtype=float)
    if times_ns.shape != values.shape:
        raise ValueError("times and power values differ in length")
    if times_ns.size == 0:
        return Resampled(np.full(n, np.nan), np.zeros(n))
    if not np.isfinite(values).all():
        raise ValueError("power values must be finite numbers")
    order = np.argsort(times_ns, kind="stable")
    origin = edges_ns[0]
    # Seconds relative to the first edge keep the float sums small and exact enough (µs on a year).
    t = (times_ns[order] - origin) / NS_PER_S
    v = values[order]
    area = np.concatenate(([0.0], np.cumsum(v[:-1] * np.diff(t))))
    x = (edges_ns - origin) / NS_PER_S

    def integral(at: np.ndarray) -> np.ndarray:
        k = np.searchsorted(t, at, side="right") - 1
        k = np.clip(k, 0, None)
        return area[k] + v[k] * (at - t[k])

    lo = np.maximum(x[:-1], t[0])
    hi = x[1:]
    known = np.clip(hi - lo, 0.0, None)
    width = x[1:] - x[:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        average = np.where(known > 0, (integral(hi) - integral(np.minimum(lo, hi))) / np.where(known > 0, known, 1),
                           np.nan)
    return Resampled(average, known / width)


def energy_kwh(power_kw: np.ndarray) -> np.ndarray:
    """Energy of each half-hour [kWh] = average power [kW] × 0.5 h (NaN stays NaN)."""
    return np.asarray(power_kw, dtype=float) * PERIOD_HOURS


@dataclass(frozen=True)
class Intensity:
    """Intensity used per half-hour [gCO2/kWh] (NaN when neither is known) and which kind (or None)."""

    g_per_kwh: np.ndarray
    kind: np.ndarray


def chosen_intensity(actual_g_per_kwh, forecast_g_per_kwh) -> Intensity:
    """The actual intensity where known, else the forecast, with ``actual``/``forecast``/None per half-hour."""
    actual = np.asarray(actual_g_per_kwh, dtype=float)
    forecast = np.asarray(forecast_g_per_kwh, dtype=float)
    has_actual = np.isfinite(actual)
    has_forecast = np.isfinite(forecast)
    value = np.where(has_actual, actual, np.where(has_forecast, forecast, np.nan))
    kind = np.where(has_actual, ACTUAL, np.where(has_forecast, FORECAST, None)).astype(object)
    return Intensity(value, kind)


def footprint_g(energy: np.ndarray, intensity_g_per_kwh: np.ndarray) -> np.ndarray:
    """Footprint of each half-hour [gCO2] = energy [kWh] × intensity [gCO2/kWh]; negative for exports."""
    return np.asarray(energy, dtype=float) * np.asarray(intensity_g_per_kwh, dtype=float)


def day_footprint(settlement_date: date, times_utc, power_kw, actual_g_per_kwh, forecast_g_per_kwh) -> pd.DataFrame:
    """One row per half-hour of ``settlement_date`` (46, 48 or 50 rows).

    ``times_utc``/``power_kw``: the day's readings plus the last one before it (if any).
    ``actual_g_per_kwh``/``forecast_g_per_kwh``: arrays aligned to the day's half-hours (NaN when unknown).

    Columns: ``half_hour_id``, ``start_utc``, ``power_kw``, ``known_share``, ``energy_kwh``,
    ``intensity_g_per_kwh``, ``intensity_kind``, ``footprint_g``.
    """
    return range_footprint(settlement_date, settlement_date, times_utc, power_kw, actual_g_per_kwh,
                           forecast_g_per_kwh).drop(columns="settlement_date")


def range_footprint(first: date, last: date, times_utc, power_kw, actual_g_per_kwh,
                    forecast_g_per_kwh) -> pd.DataFrame:
    """``day_footprint`` of every date ``first``..``last`` in one vectorised pass: one row per half-hour, the
    columns of ``day_footprint`` and ``settlement_date``. ``times_utc``/``power_kw``: the range's readings plus
    the last one before it; the intensities are aligned to the range's half-hours. Each day's rows equal its
    ``day_footprint`` (a reading holds across midnight as it holds into a day from the one before it)."""
    index = settlement_index(first, last)
    edges = pd.DatetimeIndex(index["interval_start_utc"]).append(
        pd.DatetimeIndex([pd.Timestamp(day_start_utc(last + timedelta(days=1)))]))
    resampled = time_weighted_power_kw(times_utc, power_kw, edges)
    intensity = chosen_intensity(actual_g_per_kwh, forecast_g_per_kwh)
    energy = energy_kwh(resampled.power_kw)
    return pd.DataFrame({
        "settlement_date": index["settlement_date"].to_numpy(),
        "half_hour_id": index["settlement_period"].to_numpy(dtype=int),
        "start_utc": edges[:-1],
        "power_kw": resampled.power_kw,
        "known_share": resampled.known_share,
        "energy_kwh": energy,
        "intensity_g_per_kwh": intensity.g_per_kwh,
        "intensity_kind": intensity.kind,
        "footprint_g": footprint_g(energy, intensity.g_per_kwh),
    })


def naive_time_weighted_power_kw(times_utc, power_kw, edges_utc) -> np.ndarray:
    """Reference: the same average with a Python loop over half-hours and readings (for the benchmark and tests)."""
    pairs = sorted(zip(pd.DatetimeIndex(times_utc).tz_convert("UTC"), power_kw, strict=True), key=lambda p: p[0])
    edges = list(pd.DatetimeIndex(edges_utc).tz_convert("UTC"))
    result = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        total = 0.0
        covered = 0.0
        for i, (t, value) in enumerate(pairs):
            until = pairs[i + 1][0] if i + 1 < len(pairs) else b
            start, stop = max(t, a), min(until, b)
            if stop > start:
                seconds = (stop - start).total_seconds()
                total += value * seconds
                covered += seconds
        result.append(total / covered if covered else float("nan"))
    return np.array(result)
