"""A run's revenue by calendar month and by calendar year: what an investor reads a battery by.

Pure pandas over a run's stored intervals (``settlement_date``, ``da_cash_gbp``, ``id_cash_gbp``,
``discharge_mw``, ``settlement_period``) and, for capture, the perfect-foresight bound per day. Months
and years are of settlement dates (Europe/London). Skipped days (no prices; the battery idled) are
counted apart and left out of every annualised figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

PERIOD_HOURS = 0.5
HOURS_PER_YEAR = 8760.0

MONTH_COLUMNS = ("month", "days", "skipped_days", "da_gbp", "id_gbp", "degradation_gbp", "net_gbp",
                 "net_gbp_per_mw_month", "cycles", "bound_gbp", "capture")
"""month (YYYY-MM), days traded, days skipped, DA/ID revenue, degradation cost (negative), net [£],
net per MW of power [£/MW/month], equivalent full cycles, perfect-foresight bound [£], net / bound [-]."""
YEAR_COLUMNS = ("year", "days", "skipped_days", "net_gbp", "net_gbp_per_mw_year", "cycles", "bound_gbp", "capture")
"""calendar year, days traded and skipped, net [£], net per MW annualised over the traded hours
[£/MW/year], cycles, bound [£], capture [-]."""


def _daily(intervals: pd.DataFrame, degradation_gbp_per_mwh: float, energy_mwh: float,
           skipped: Iterable[date], bound: Iterable[list] | None) -> pd.DataFrame:
    discharged = intervals["discharge_mw"].to_numpy() * PERIOD_HOURS
    codes, days = pd.factorize(pd.Series(intervals["settlement_date"]))  # each date parsed once, not per interval
    frame = pd.DataFrame({
        "settlement_date": pd.to_datetime(pd.Series(days).astype(str)).to_numpy()[codes],
        "da_gbp": intervals["da_cash_gbp"].fillna(0).to_numpy(),
        "id_gbp": intervals["id_cash_gbp"].fillna(0).to_numpy(),
        "degradation_gbp": -degradation_gbp_per_mwh * discharged,
        "discharged_mwh": discharged,
        "hours": PERIOD_HOURS,
    })
    daily = frame.groupby("settlement_date").sum()
    daily["net_gbp"] = daily["da_gbp"] + daily["id_gbp"] + daily["degradation_gbp"]
    daily["cycles"] = daily["discharged_mwh"] / energy_mwh
    skipped_index = pd.to_datetime(pd.Series([str(d) for d in skipped], dtype=object))
    daily["skipped"] = daily.index.isin(skipped_index)
    daily["bound_gbp"] = np.nan
    if bound:
        values = pd.Series({pd.Timestamp(d): float(v) for d, v in bound})
        daily["bound_gbp"] = values.reindex(daily.index).to_numpy()
    return daily


def _capture(net: pd.Series, bound: pd.Series) -> pd.Series:
    return (net / bound).where(bound > 0)


def monthly_revenue(intervals: pd.DataFrame, power_mw: float, energy_mwh: float, degradation_gbp_per_mwh: float = 0.0,
                    skipped: Iterable[date] = (), bound: Iterable[list] | None = None) -> pd.DataFrame:
    """One row per calendar month of the run (``MONTH_COLUMNS``)."""
    if intervals.empty:
        return pd.DataFrame(columns=list(MONTH_COLUMNS))
    daily = _daily(intervals, degradation_gbp_per_mwh, energy_mwh, skipped, bound)
    by = daily.index.to_period("M")
    grouped = daily.groupby(by)
    months = grouped[["da_gbp", "id_gbp", "degradation_gbp", "net_gbp", "cycles"]].sum()
    months["skipped_days"] = grouped["skipped"].sum().astype(int)
    months["days"] = grouped.size() - months["skipped_days"]
    months["bound_gbp"] = grouped["bound_gbp"].sum(min_count=1) if bound else np.nan
    months["net_gbp_per_mw_month"] = months["net_gbp"] / power_mw
    months["capture"] = _capture(months["net_gbp"], months["bound_gbp"])
    months["month"] = months.index.astype(str)
    return months.reset_index(drop=True)[list(MONTH_COLUMNS)]


def yearly_revenue(intervals: pd.DataFrame, power_mw: float, energy_mwh: float, degradation_gbp_per_mwh: float = 0.0,
                   skipped: Iterable[date] = (), bound: Iterable[list] | None = None) -> pd.DataFrame:
    """One row per calendar year of the run (``YEAR_COLUMNS``); £/MW/year is annualised over the hours of
    the days traded in that year, so a part year (or one with skipped days) is scaled, and says how many
    days it counts."""
    if intervals.empty:
        return pd.DataFrame(columns=list(YEAR_COLUMNS))
    daily = _daily(intervals, degradation_gbp_per_mwh, energy_mwh, skipped, bound)
    grouped = daily.groupby(daily.index.year)
    years = grouped[["net_gbp", "cycles"]].sum()
    years["skipped_days"] = grouped["skipped"].sum().astype(int)
    years["days"] = grouped.size() - years["skipped_days"]
    traded_hours = daily["hours"].where(~daily["skipped"], 0.0).groupby(daily.index.year).sum()
    years["net_gbp_per_mw_year"] = (years["net_gbp"] / power_mw * HOURS_PER_YEAR / traded_hours).where(traded_hours > 0)
    years["bound_gbp"] = grouped["bound_gbp"].sum(min_count=1) if bound else np.nan
    years["capture"] = _capture(years["net_gbp"], years["bound_gbp"])
    years["year"] = years.index.astype(int)
    return years.reset_index(drop=True)[list(YEAR_COLUMNS)]
