"""Revenue by calendar month and year, worked by hand on a small schedule."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from domain.monthly_revenue import MONTH_COLUMNS, YEAR_COLUMNS, monthly_revenue, yearly_revenue
from domain.settlement_time import settlement_index


def intervals(first: date, last: date, da_per_period: float, id_per_period: float, discharge_mw: float) -> pd.DataFrame:
    index = settlement_index(first, last)
    n = len(index)
    return index.assign(da_cash_gbp=da_per_period, id_cash_gbp=id_per_period, discharge_mw=np.full(n, discharge_mw))


def test_months_split_on_settlement_dates_and_skipped_days_are_counted_apart():
    frame = intervals(date(2024, 10, 30), date(2024, 11, 2), 1.0, 2.0, 10.0)  # 4 days of 48 periods
    months = monthly_revenue(frame, power_mw=10, energy_mwh=20, degradation_gbp_per_mwh=0.5,
                             skipped=[date(2024, 11, 2)],
                             bound=[["2024-10-30", 300.0], ["2024-10-31", 300.0], ["2024-11-01", 200.0],
                                    ["2024-11-02", 0.0]])
    assert list(months.columns) == list(MONTH_COLUMNS)
    assert list(months["month"]) == ["2024-10", "2024-11"]
    october, november = months.iloc[0], months.iloc[1]
    assert (october["days"], october["skipped_days"], november["days"], november["skipped_days"]) == (2, 0, 1, 1)
    assert october["da_gbp"] == pytest.approx(96.0) and october["id_gbp"] == pytest.approx(192.0)
    # 10 MW for 48 half-hours a day = 240 MWh a day at £0.5/MWh.
    assert october["degradation_gbp"] == pytest.approx(-240.0)
    assert october["net_gbp"] == pytest.approx(48.0) and october["net_gbp_per_mw_month"] == pytest.approx(4.8)
    assert october["cycles"] == pytest.approx(2 * 240 / 20)
    assert october["capture"] == pytest.approx(48.0 / 600.0)


def test_years_are_annualised_over_the_traded_hours_of_each_year_with_the_clock_change():
    frame = intervals(date(2024, 12, 30), date(2025, 3, 30), 1.0, 0.0, 0.0)  # 2025-03-30 has 46 periods
    years = yearly_revenue(frame, power_mw=2, energy_mwh=4, skipped=[date(2025, 1, 1)])
    assert list(years.columns) == list(YEAR_COLUMNS)
    y2024, y2025 = years.iloc[0], years.iloc[1]
    assert (y2024["year"], y2024["days"], y2025["days"], y2025["skipped_days"]) == (2024, 2, 88, 1)
    assert y2024["net_gbp_per_mw_year"] == pytest.approx(96.0 / 2 * 8760 / 48)
    traded_hours_2025 = 89 * 24 - 1 - 24
    assert y2025["net_gbp"] == pytest.approx(89 * 48 - 2)
    assert y2025["net_gbp_per_mw_year"] == pytest.approx((89 * 48 - 2) / 2 * 8760 / traded_hours_2025)
    assert y2025["capture"] != y2025["capture"]  # no bound given: NaN, never a made-up ratio


def test_an_empty_schedule_has_no_rows():
    empty = pd.DataFrame(columns=["settlement_date", "da_cash_gbp", "id_cash_gbp", "discharge_mw"])
    assert monthly_revenue(empty, 1, 1).empty and yearly_revenue(empty, 1, 1).empty
