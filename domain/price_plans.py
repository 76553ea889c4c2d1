"""Price plans and what a meter's readings would cost on each (pure; numpy and pandas only).

Readings are instantaneous power samples [kW] at epoch-second times (UTC).

Energy [kWh] is the time integral of power over the stored window by the **trapezoid rule**:
the interval between consecutive readings i and i+1 carries

    E_i = (P_i + P_{i+1}) / 2 × (t_{i+1} − t_i) / 3600        [kWh]

so two readings of 35 kW and 5 kW half an hour apart are 10 kWh. One reading spans no time and is
0 kWh. A gap between readings is bridged by the straight line between its ends.

Cost [p] of each interval is its energy × the plan's unit rate [p/kWh] × the plan's peak
multiplier for the **UK local (Europe/London) weekday of the interval's first reading**
(Monday = 1 … Sunday = 7; a weekday without a multiplier uses 1):

    cost = Σ_i E_i × rate_i × multiplier(weekday(t_i))        [p]

The JOI original instead divided the mean reading [kW] by the elapsed hours ("kW / h") and
multiplied by the rate, so its cost shrank as the window grew; and its weekday table numbered
Sunday 0 against Python's isoweekday() (Sunday 7), so a Sunday multiplier never applied.

A **day-ahead tracker** plan (a dynamic time-of-use tariff) has a half-hourly rate following
the stored GB day-ahead price of the half-hour in which the interval starts:

    rate_i = min(cap, unit_rate + day_ahead_multiplier × DA_i / 10)        [p/kWh]

(DA_i in £/MWh; £/MWh ÷ 10 = p/kWh.) With no cap the rate follows negative prices below zero.
Intervals whose half-hour has no stored price are not costed: the result says how much energy
that left out, and such a plan is not ranked against plans costed over the whole window.

**Gaps.** An interval between consecutive readings longer than ``max_gap_s`` (the setting
``METER_MAX_GAP_S``, default 2 h) is a *gap*: the meter said nothing, so carrying its last reading
forward (or drawing a line across) would invent usage. Its energy and cost are unknown: they are
left out of every plan's cost alike, and ``PlanCost.gap_intervals`` / ``gap_hours`` say how much.

**Ties.** Plans that cost the same (to 1e-9 p) are ranked by unit rate [p/kWh], lower first, then by
plan id (the plan's name), so the order never depends on how the plans were stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from domain.settlement_time import LONDON

SECONDS_PER_HOUR = 3600.0
HALF_HOUR_S = 1800
HOURS_PER_YEAR = 365.25 * 24
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""ISO weekday names: index + 1 is the ISO number (Monday 1 … Sunday 7)."""

FLAT = "flat"
DAY_AHEAD_TRACKER = "day_ahead_tracker"
PLAN_KINDS = (FLAT, DAY_AHEAD_TRACKER)


@dataclass(frozen=True)
class PricePlan:
    """A supplier's plan.

    ``unit_rate_p_per_kwh``: the flat rate [p/kWh], or for a tracker the adder on top of the
    day-ahead price. ``peak_multipliers``: ISO weekday (1 = Monday … 7 = Sunday) → multiplier [-].
    """

    plan_id: str
    supplier: str
    unit_rate_p_per_kwh: float
    peak_multipliers: Mapping[int, float] = field(default_factory=dict)
    kind: str = FLAT
    day_ahead_multiplier: float = 0.0
    """Tracker only: p/kWh of rate per p/kWh of day-ahead price [-]."""
    rate_cap_p_per_kwh: float | None = None
    """Tracker only: the highest rate charged [p/kWh]; None for no cap."""

    @property
    def is_dynamic(self) -> bool:
        return self.kind == DAY_AHEAD_TRACKER


@dataclass(frozen=True)
class PlanCost:
    """What the readings' window costs on one plan.

    ``cost_p`` covers the costed energy only; ``complete`` is True when that is all of it.
    """

    plan_id: str
    cost_p: float
    energy_kwh: float
    costed_energy_kwh: float
    uncosted_intervals: int
    window_hours: float
    gap_intervals: int = 0
    """Intervals longer than the allowed gap: their energy and cost are unknown (left out)."""
    gap_hours: float = 0.0

    @property
    def complete(self) -> bool:
        return self.uncosted_intervals == 0

    @property
    def costed_fraction(self) -> float:
        """Share of the window's energy that was costed [0..1] (1 when there is no energy)."""
        return 1.0 if self.energy_kwh <= 0 else self.costed_energy_kwh / self.energy_kwh

    @property
    def annual_cost_p(self) -> float | None:
        """The window's cost scaled to a year of 365.25 days [p]; None for a window of no length."""
        if self.window_hours <= 0:
            return None
        return self.cost_p * HOURS_PER_YEAR / self.window_hours


def interval_energy_kwh(times_s: np.ndarray, power_kw: np.ndarray) -> np.ndarray:
    """Trapezoid energy of each interval between consecutive readings [kWh] (length n − 1).

    ``times_s``: strictly increasing epoch seconds; ``power_kw``: power at those times [kW].
    """
    times = np.asarray(times_s, dtype=np.float64)
    power = np.asarray(power_kw, dtype=np.float64)
    if times.size < 2:
        return np.zeros(0)
    return (power[:-1] + power[1:]) / 2.0 * np.diff(times) / SECONDS_PER_HOUR


def gap_mask(times_s: np.ndarray, max_gap_s: float | None) -> np.ndarray:
    """True for each interval (length n − 1) longer than ``max_gap_s`` [s] (none when None)."""
    gaps = np.diff(np.asarray(times_s, dtype=np.float64))
    return np.zeros(gaps.size, dtype=bool) if max_gap_s is None else gaps > max_gap_s


def energy_kwh(times_s: np.ndarray, power_kw: np.ndarray, max_gap_s: float | None = None) -> float:
    """Energy over the whole window [kWh] (trapezoid rule), gaps longer than ``max_gap_s`` [s] left out
    (unknown); 0 for fewer than two readings."""
    energy = interval_energy_kwh(times_s, power_kw)
    return float(energy[~gap_mask(times_s, max_gap_s)].sum())


def uk_weekdays(times_s: np.ndarray) -> np.ndarray:
    """ISO weekday (1 = Monday … 7 = Sunday) of each epoch-second time in UK local time."""
    local = pd.to_datetime(np.asarray(times_s, dtype=np.int64), unit="s", utc=True).tz_convert(LONDON)
    return np.asarray(local.day_of_week, dtype=np.int64) + 1


def weekday_multipliers(plan: PricePlan, weekdays: np.ndarray) -> np.ndarray:
    """The plan's multiplier for each ISO weekday [-] (1 where the plan names none)."""
    table = np.ones(8)
    for weekday, multiplier in plan.peak_multipliers.items():
        table[int(weekday)] = float(multiplier)
    return table[np.asarray(weekdays, dtype=np.int64)]


def half_hour_starts_s(times_s: np.ndarray) -> np.ndarray:
    """Start of the half-hour (UTC, epoch s) containing each time. UK offsets are whole hours, so
    these are also the local half-hours and GB settlement periods."""
    times = np.asarray(times_s, dtype=np.int64)
    return times - np.mod(times, HALF_HOUR_S)


def tracker_rates_p_per_kwh(plan: PricePlan, day_ahead_gbp_per_mwh: np.ndarray) -> np.ndarray:
    """A day-ahead tracker's rate for each day-ahead price [p/kWh]; NaN stays NaN (no price)."""
    rates = plan.unit_rate_p_per_kwh + plan.day_ahead_multiplier * np.asarray(day_ahead_gbp_per_mwh, float) / 10.0
    if plan.rate_cap_p_per_kwh is not None:
        rates = np.where(np.isnan(rates), np.nan, np.minimum(rates, plan.rate_cap_p_per_kwh))
    return rates


def interval_rates_p_per_kwh(plan: PricePlan, interval_starts_s: np.ndarray,
                             day_ahead: pd.Series | None) -> np.ndarray:
    """The plan's rate for each interval [p/kWh], before weekday multipliers; NaN where a tracker
    has no day-ahead price. ``day_ahead``: £/MWh indexed by half-hour start, epoch seconds (int)."""
    starts = np.asarray(interval_starts_s, dtype=np.int64)
    if not plan.is_dynamic:
        return np.full(starts.size, float(plan.unit_rate_p_per_kwh))
    if day_ahead is None or day_ahead.empty:
        prices = np.full(starts.size, np.nan)
    else:
        prices = day_ahead.reindex(half_hour_starts_s(starts)).to_numpy(dtype=np.float64)
    return tracker_rates_p_per_kwh(plan, prices)


def plan_cost(plan: PricePlan, times_s: np.ndarray, power_kw: np.ndarray,
              day_ahead: pd.Series | None = None, max_gap_s: float | None = None) -> PlanCost:
    """Cost of the readings on ``plan`` [p]; see the module docstring for the formulas. Intervals
    longer than ``max_gap_s`` [s] are gaps: unknown, left out of energy and cost."""
    times = np.asarray(times_s, dtype=np.int64)
    gaps = gap_mask(times, max_gap_s)
    energy = np.where(gaps, 0.0, interval_energy_kwh(times, power_kw))
    starts = times[:-1]
    rates = interval_rates_p_per_kwh(plan, starts, day_ahead)
    costed = ~np.isnan(rates) | gaps  # a gap needs no price: it is unknown whatever the plan
    multipliers = weekday_multipliers(plan, uk_weekdays(starts)) if starts.size else np.zeros(0)
    cost = float(np.sum(energy[costed] * np.nan_to_num(rates[costed]) * multipliers[costed]))
    window_hours = float(times[-1] - times[0]) / SECONDS_PER_HOUR if times.size else 0.0
    return PlanCost(plan_id=plan.plan_id, cost_p=cost, energy_kwh=float(energy.sum()),
                    costed_energy_kwh=float(energy[costed].sum()), uncosted_intervals=int((~costed).sum()),
                    window_hours=window_hours, gap_intervals=int(gaps.sum()),
                    gap_hours=float(np.diff(times)[gaps].sum()) / SECONDS_PER_HOUR if gaps.any() else 0.0)


def compare_plans(plans: list[PricePlan], times_s: np.ndarray, power_kw: np.ndarray,
                  day_ahead: pd.Series | None = None,
                  max_gap_s: float | None = None) -> tuple[list[PlanCost], list[PlanCost]]:
    """(ranked, incomplete): plans costed over the whole window, cheapest first (ties: lower unit rate,
    then plan id); and dynamic plans that could be costed over part of it only (by plan id)."""
    by_id = {plan.plan_id: plan for plan in plans}
    costs = [plan_cost(plan, times_s, power_kw, day_ahead, max_gap_s) for plan in plans]
    ranked = sorted((c for c in costs if c.complete),
                    key=lambda c: (round(c.cost_p, 9), by_id[c.plan_id].unit_rate_p_per_kwh, c.plan_id))
    incomplete = sorted((c for c in costs if not c.complete), key=lambda c: c.plan_id)
    return ranked, incomplete


def daily_energy_kwh(times_s: np.ndarray, power_kw: np.ndarray, max_gap_s: float | None = None) -> pd.Series:
    """Energy per UK local date [kWh], each interval counted on the date its first reading falls;
    gaps longer than ``max_gap_s`` [s] count nothing (unknown)."""
    times = np.asarray(times_s, dtype=np.int64)
    energy = np.where(gap_mask(times, max_gap_s), 0.0, interval_energy_kwh(times, power_kw))
    if energy.size == 0:
        return pd.Series(dtype=float, name="energy_kwh")
    local_dates = pd.to_datetime(times[:-1], unit="s", utc=True).tz_convert(LONDON).normalize().tz_localize(None)
    return pd.Series(energy, index=local_dates).groupby(level=0).sum().rename("energy_kwh")
