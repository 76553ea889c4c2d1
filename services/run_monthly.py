"""A stored run by calendar month and year (the run view's Monthly tab and its CSV)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from domain.monthly_revenue import monthly_revenue, yearly_revenue

MONTHLY_VIEW_AFTER_DAYS = 60
"""A run spanning more days than this opens on its Monthly tab."""


def _battery(run) -> dict:
    return ((run.params or {}).get("battery") or {})


def skipped_days(run) -> list[date]:
    """Settlement dates the run skipped for missing prices (battery idle, SoC carried)."""
    return [date.fromisoformat(d) for d in ((run.totals or {}).get("skipped_days") or [])]


def run_by_month(run, intervals: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(months, years) of a stored run: ``domain.monthly_revenue`` with the run's battery, skipped days and
    perfect-foresight bound per day (runs stored before the bound was kept per day have no capture)."""
    battery = _battery(run)
    args = dict(power_mw=float(battery.get("power_mw") or 1.0), energy_mwh=float(battery.get("energy_mwh") or 1.0),
                degradation_gbp_per_mwh=float(battery.get("degradation_cost_gbp_per_mwh") or 0.0),
                skipped=skipped_days(run),
                bound=(((run.totals or {}).get("baselines") or {}).get("joint_daily_net_gbp") or None))
    return monthly_revenue(intervals, **args), yearly_revenue(intervals, **args)


def opens_on_monthly(run) -> bool:
    return (run.last_date - run.first_date).days + 1 > MONTHLY_VIEW_AFTER_DAYS


def monthly_csv(run, intervals: pd.DataFrame) -> str:
    """The Monthly tab as CSV: the months, then the calendar years, each with its own header."""
    months, years = run_by_month(run, intervals)
    return (f"# run {run.id}: revenue by calendar month (GBP; per MW of {_battery(run).get('power_mw')} MW)\n"
            + months.to_csv(index=False, float_format="%.2f")
            + "\n# by calendar year (GBP/MW/year annualised over the days traded in the year)\n"
            + years.to_csv(index=False, float_format="%.4f"))
