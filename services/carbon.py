"""Carbon of battery schedules: each stored run's footprint from its net grid import × stored intensity,
and the carbon trade-off (the same run solved again at several carbon prices).

``run_footprint`` and ``footprint_totals`` are the functions the run view and its intervals CSV call.
Emissions [kg] of an interval = net grid import [MWh] × intensity [gCO2/kWh] (1 MWh × 1 g/kWh = 1 kg);
an export (negative import) gives negative emissions, counted as *avoided*. Intervals without a stored
intensity are null, never zero, and the totals say what share of the run they cover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from datetime import timedelta

import numpy as np
import pandas as pd

from data_access.engine import Database
from domain.settlement_time import PERIOD_HOURS, format_local, settlement_index
from services.errors import InvalidInput
from services.footprint import intensity_series
from services.optimisation_runs import request_of, run_optimisation
from services.runs import get_run

FOOTPRINT_COLUMNS = ("interval_start_utc", "settlement_date", "settlement_period", "net_import_mwh",
                     "intensity_g_per_kwh", "intensity_kind", "emissions_kg", "emitted_kg", "avoided_kg")


def run_footprint(db: Database, run_id: int) -> pd.DataFrame:
    """Per interval of a stored run: ``FOOTPRINT_COLUMNS``.

    ``net_import_mwh`` = (charge − discharge) [MW] × 0.5 h, import positive, export negative.
    ``intensity_kind`` is ``actual`` or ``forecast`` (None where no intensity is stored).
    ``emissions_kg`` is signed; ``emitted_kg`` its positive part, ``avoided_kg`` minus its negative part.
    Raises NotFound for an unknown run; a run without a schedule gives an empty frame.
    """
    _run, intervals = get_run(db, run_id)
    return schedule_footprint(db, intervals)


def schedule_footprint(db: Database, intervals: pd.DataFrame) -> pd.DataFrame:
    """``run_footprint`` of a schedule already read (the run's intervals, in time order)."""
    if intervals.empty:
        return pd.DataFrame(columns=list(FOOTPRINT_COLUMNS))
    starts = pd.DatetimeIndex(intervals["interval_start_utc"])
    intensity = intensity_series(db, starts[0].to_pydatetime(),
                                 (starts[-1] + timedelta(minutes=30)).to_pydatetime()).reindex(starts)
    net_mwh = (intervals["charge_mw"].to_numpy(float) - intervals["discharge_mw"].to_numpy(float)) * PERIOD_HOURS
    g_per_kwh = intensity["intensity_g_per_kwh"].to_numpy(float)
    emissions = net_mwh * g_per_kwh
    return pd.DataFrame({
        "interval_start_utc": starts,
        "settlement_date": intervals["settlement_date"].to_numpy(),
        "settlement_period": intervals["settlement_period"].to_numpy(int),
        "net_import_mwh": net_mwh,
        "intensity_g_per_kwh": g_per_kwh,
        "intensity_kind": intensity["intensity_kind"].where(intensity["intensity_kind"].notna(), None).to_numpy(),
        "emissions_kg": emissions,
        "emitted_kg": np.where(np.isnan(emissions), np.nan, np.clip(emissions, 0, None)),
        "avoided_kg": np.where(np.isnan(emissions), np.nan, np.clip(-emissions, 0, None)),
    })


@dataclass(frozen=True)
class RunFootprintTotals:
    """Totals over the intervals that have an intensity [tCO2]; None when none has one."""

    emitted_tco2: float | None
    avoided_tco2: float | None
    net_tco2: float | None
    coverage_share: float
    """Share of the run's intervals with a stored intensity (0..1)."""
    intervals: int
    intervals_with_intensity: int

    def as_dict(self) -> dict:
        return {"emitted_tco2": self.emitted_tco2, "avoided_tco2": self.avoided_tco2, "net_tco2": self.net_tco2,
                "coverage_share": self.coverage_share, "intervals": self.intervals,
                "intervals_with_intensity": self.intervals_with_intensity}


def footprint_totals(frame: pd.DataFrame) -> RunFootprintTotals:
    """Totals of a ``run_footprint`` frame."""
    covered = frame["emissions_kg"].notna() if len(frame) else pd.Series([], dtype=bool)
    n, k = len(frame), int(covered.sum())
    if k == 0:
        return RunFootprintTotals(None, None, None, 0.0, n, 0)
    emitted = float(frame.loc[covered, "emitted_kg"].sum()) / 1000.0
    avoided = float(frame.loc[covered, "avoided_kg"].sum()) / 1000.0
    return RunFootprintTotals(emitted, avoided, emitted - avoided, k / n, n, k)


def footprint_records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows (NaN as null, UTC times with Z)."""

    def clean(value):
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    return [{
        "interval_start_utc": row.interval_start_utc.isoformat().replace("+00:00", "Z"),
        "settlement_date": row.settlement_date.isoformat(),
        "settlement_period": int(row.settlement_period),
        "net_import_mwh": clean(float(row.net_import_mwh)),
        "intensity_g_per_kwh": clean(float(row.intensity_g_per_kwh)),
        "intensity_kind": row.intensity_kind if isinstance(row.intensity_kind, str) else None,
        "emissions_kg": clean(float(row.emissions_kg)),
        "emitted_kg": clean(float(row.emitted_kg)),
        "avoided_kg": clean(float(row.avoided_kg)),
    } for row in frame.itertuples(index=False)]


def footprint_csv(frame: pd.DataFrame) -> str:
    export = pd.DataFrame(footprint_records(frame), columns=list(FOOTPRINT_COLUMNS))
    return export.to_csv(index=False)



# --- the carbon trade-off ---

TRADEOFF_PRICES_GBP_PER_TCO2 = (0.0, 50.0, 100.0, 200.0, 400.0)
MAX_TRADEOFF_DAYS = 14
"""The trade-off solves synchronously (five runs in the request), so it is kept to short ranges."""


@dataclass(frozen=True)
class TradeoffPoint:
    """One run of the trade-off: its carbon price [£/tCO2], net revenue without the carbon charge [£], net tCO2."""

    carbon_price_gbp_per_tco2: float
    run_id: int
    status: str
    revenue_gbp: float | None
    """DA + ID revenue − degradation [£]: what the trader earns; the carbon charge only steers the solve."""
    net_tco2: float | None
    reopened: bool


def _check_tradeoff_range(db: Database, run, max_days: int) -> None:
    days = (run.last_date - run.first_date).days + 1
    if days > max_days:
        raise InvalidInput(f"the carbon trade-off solves {len(TRADEOFF_PRICES_GBP_PER_TCO2)} runs while you wait, "
                           f"so it takes runs of at most {max_days} days; this run has {days}")
    index = settlement_index(run.first_date, run.last_date)
    starts = pd.DatetimeIndex(index["interval_start_utc"])
    stored = intensity_series(db, starts[0].to_pydatetime(), (starts[-1] + timedelta(minutes=30)).to_pydatetime())
    missing = starts[~starts.isin(stored["intensity_g_per_kwh"].dropna().index)]
    if len(missing):
        raise InvalidInput(f"no carbon intensity is stored for {len(missing)} of the run's {len(starts)} half-hours "
                           f"(the first is {format_local(missing[0].to_pydatetime())}); load intensity for "
                           "those dates (flask --app app carbon fetch-intensity) first")


def carbon_tradeoff(db: Database, run_id: int, user_id: int | None = None,
                    prices: tuple[float, ...] = TRADEOFF_PRICES_GBP_PER_TCO2,
                    max_days: int = MAX_TRADEOFF_DAYS) -> list[TradeoffPoint]:
    """Solve stored run ``run_id`` again at each carbon price, each an ordinary stored run (an identical
    stored one is reopened; the £0 point is the run without a carbon price), and return revenue and tCO2 per price. Synchronous; InvalidInput for a
    run longer than ``max_days`` (the command line passes more) or dates without stored intensity."""
    run, _intervals = get_run(db, run_id)
    _check_tradeoff_range(db, run, max_days)
    base = request_of(run)
    points = []
    for price in prices:
        # £0/tCO2 steers nothing: it is the run without a carbon price (same parameters, same fingerprint),
        # so a stored run without one is reopened rather than solved again.
        carbon_price = float(price) if price else None
        battery = base.battery.model_copy(update={"carbon_price_gbp_per_tco2": carbon_price})
        label = (base.name or f"run {run_id}")[:80]
        request = dataclass_replace(base, battery=battery, name=f"{label} · carbon £{price:g}/t")
        outcome = run_optimisation(db, request, user_id)
        stored, _ = get_run(db, outcome.run_id)
        totals = stored.totals or {}
        revenue = None
        if "net_revenue_gbp" in totals:
            revenue = float(totals["net_revenue_gbp"]) + float(totals.get("carbon_cost_gbp") or 0.0)
        net = footprint_totals(run_footprint(db, outcome.run_id)).net_tco2 if stored.totals else None
        points.append(TradeoffPoint(float(price), outcome.run_id, stored.status, revenue, net, outcome.reopened))
    return points


CSV_CARBON_COLUMNS = ("intensity_g_per_kwh", "intensity_kind", "emissions_kg")
"""What the run's intervals CSV gains: the grid's intensity and the interval's signed emissions [kgCO2]
(exports negative, "avoided"); empty where no intensity is stored, never 0."""


def with_carbon_columns(db: Database, intervals: pd.DataFrame, export: pd.DataFrame) -> pd.DataFrame:
    """``export`` (one row per interval of ``intervals``, same order) with ``CSV_CARBON_COLUMNS`` added."""
    out = export.copy()
    if intervals.empty:
        for column in CSV_CARBON_COLUMNS:
            out[column] = []
        return out
    footprint = schedule_footprint(db, intervals)
    out["intensity_g_per_kwh"] = footprint["intensity_g_per_kwh"].to_numpy()
    out["intensity_kind"] = footprint["intensity_kind"].to_numpy()
    out["emissions_kg"] = np.round(footprint["emissions_kg"].to_numpy(float), 3)
    return out
