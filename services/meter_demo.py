"""Demo meters and plans: the JOI trial's five meters and three plans, a day-ahead tracker plan,
and a real London household's two years of half-hourly use. Loading is idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import numpy as np
import pandas as pd

from data_access import meters as meter_store
from data_access.engine import Database
from domain.price_plans import DAY_AHEAD_TRACKER, FLAT
from domain.settlement_time import LONDON

DEMO_METER_FILE = (Path(__file__).resolve().parent.parent / "data_access" / "demo_data" / "meters"
                   / "lcl_MAC000060_halfhourly_2011-12_2014-02.csv")
DEMO_METER_ID = "lcl-MAC000060"
DEMO_METER_OWNER = "London household MAC000060"
DEMO_METER_PLAN = "price-plan-1"

WEEKDAYS_PEAK = {str(day): 1.5 for day in range(1, 6)}
"""Dr Evil's plan charges 1.5× its rate Monday to Friday (UK local weekday of each reading)."""

PLANS = (
    {"id": "price-plan-0", "supplier": "Dr Evil's Dark Energy", "kind": FLAT, "unit_rate_p_per_kwh": 10.0,
     "peak_multipliers": WEEKDAYS_PEAK, "day_ahead_multiplier": None, "rate_cap_p_per_kwh": None},
    {"id": "price-plan-1", "supplier": "The Green Eco", "kind": FLAT, "unit_rate_p_per_kwh": 2.0,
     "peak_multipliers": {}, "day_ahead_multiplier": None, "rate_cap_p_per_kwh": None},
    {"id": "price-plan-2", "supplier": "Power for Everyone", "kind": FLAT, "unit_rate_p_per_kwh": 1.0,
     "peak_multipliers": {}, "day_ahead_multiplier": None, "rate_cap_p_per_kwh": None},
    {"id": "price-plan-3", "supplier": "Half-Hourly Tracker", "kind": DAY_AHEAD_TRACKER,
     "unit_rate_p_per_kwh": 0.5, "peak_multipliers": {}, "day_ahead_multiplier": 1.0, "rate_cap_p_per_kwh": 35.0},
)
"""The JOI trial's three plans (ids, suppliers and rates as in the original, p/kWh) and one dynamic plan:
rate = min(35, 0.5 + 1.0 × day-ahead £/MWh ÷ 10) p/kWh."""


@dataclass(frozen=True)
class TrialMeter:
    meter_id: str
    owner: str
    price_plan_id: str
    first_day: str
    """UK local date the week of synthetic readings starts (the original generated random ones)."""
    scale_kw: float


TRIAL_METERS = (
    TrialMeter("smart-meter-0", "Sarah", "price-plan-0", "2023-03-20", 0.9),   # all priced; clock change
    TrialMeter("smart-meter-1", "Peter", "price-plan-1", "2023-04-27", 0.6),   # prices stop 30 Apr
    TrialMeter("smart-meter-2", "Charlie", "price-plan-0", "2023-02-06", 1.3),
    TrialMeter("smart-meter-3", "Andrea", "price-plan-2", "2023-01-16", 0.7),
    TrialMeter("smart-meter-4", "Alex", "price-plan-1", "2024-01-08", 0.5),    # no day-ahead prices
)
TRIAL_DAYS = 7


def trial_readings(meter: TrialMeter, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A week of half-hourly readings [kW]: a base load with morning and evening peaks in UK local
    time, plus seeded noise (deterministic, so every install shows the same numbers)."""
    start = pd.Timestamp(meter.first_day, tz=LONDON)
    end = pd.Timestamp(start.date() + pd.Timedelta(days=TRIAL_DAYS), tz=LONDON)  # local midnight, 46/50-aware
    instants = pd.date_range(start.tz_convert(UTC), end.tz_convert(UTC), freq="30min", inclusive="left")
    local_hours = instants.tz_convert(LONDON).hour + instants.tz_convert(LONDON).minute / 60
    hours = np.asarray(local_hours, dtype=float)
    shape = 0.25 + 0.6 * np.exp(-((hours - 7.5) ** 2) / 2) + 1.2 * np.exp(-((hours - 18.5) ** 2) / 3)
    noise = np.random.default_rng(seed).uniform(0.85, 1.15, hours.size)
    power = np.round(meter.scale_kw * shape * noise, 3)
    return instants.as_unit("s").asi8, power


def read_demo_meter_file(path: Path = DEMO_METER_FILE) -> tuple[np.ndarray, np.ndarray]:
    """(epoch s, kW) from the LCL file: each half-hour's kWh as average kW (× 2) at its start (UTC)."""
    frame = pd.read_csv(path)
    starts = pd.to_datetime(frame.iloc[:, 0], format="%Y-%m-%d %H:%M:%S", utc=True)
    kwh = pd.to_numeric(frame.iloc[:, 1], errors="coerce")
    keep = kwh.notna().to_numpy()
    return pd.DatetimeIndex(starts[keep]).as_unit("s").asi8, kwh[keep].to_numpy(dtype=float) * 2.0


def load_plans_and_trial_meters(db: Database) -> int:
    """The four plans and the five trial meters with a week of readings each; returns new readings."""
    added = 0
    with db.session() as session:
        for plan in PLANS:
            meter_store.ensure_plan(session, plan)
        for index, meter in enumerate(TRIAL_METERS):
            if meter_store.ensure_meter(session, meter.meter_id, meter.owner, meter.price_plan_id):
                times, power = trial_readings(meter, seed=index)
                added += meter_store.insert_readings(session, meter.meter_id, times, power)
    return added


def load_household_meter(db: Database) -> int:
    """The LCL household's 38,784 half-hours, once (after the plans); returns new readings."""
    with db.session() as session:
        if not meter_store.ensure_meter(session, DEMO_METER_ID, DEMO_METER_OWNER, DEMO_METER_PLAN):
            return 0
        times, power = read_demo_meter_file()
        return meter_store.insert_readings(session, DEMO_METER_ID, times, power)


def load_demo_meters(db: Database) -> int:
    """Plans, trial meters and the LCL household; returns the number of new readings (0 when loaded)."""
    return load_plans_and_trial_meters(db) + load_household_meter(db)
