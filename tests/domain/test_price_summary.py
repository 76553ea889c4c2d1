"""The day figures of the price email, on hand-made prices with known answers [£/MWh]."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from domain.price_summary import day_table, period_ranges, summarise_market
from domain.settlement_time import day_period_starts_utc

SPRING = date(2023, 3, 26)  # 46 periods
AUTUMN = date(2022, 10, 30)  # 50 periods
NORMAL = date(2023, 6, 1)


def prices(day, values, market="day_ahead"):
    starts = day_period_starts_utc(day)
    return pd.DataFrame({market: values}, index=starts)


def test_day_table_has_every_period_and_gaps_for_missing_prices():
    starts = day_period_starts_utc(AUTUMN)
    stored = pd.DataFrame({"day_ahead": np.arange(50.0)}, index=starts).drop(starts[[3, 4]])
    table = day_table(stored, AUTUMN, ["day_ahead", "intraday"])
    assert len(table) == 50 and list(table["settlement_period"]) == list(range(1, 51))
    assert table["day_ahead"].isna().sum() == 2 and table["intraday"].isna().all()
    assert [t.strftime("%H:%M %Z") for t in table["uk_local_time"].iloc[2:6]] == [
        "01:00 BST", "01:30 BST", "01:00 GMT", "01:30 GMT"]


def test_min_max_mean_and_their_periods():
    values = np.full(48, 50.0)
    values[9], values[30] = -20.0, 300.0
    summary = summarise_market(day_table(prices(NORMAL, values), NORMAL, ["day_ahead"]), "day_ahead", NORMAL)
    assert (summary.min_gbp_per_mwh, summary.min_period) == (-20.0, 10)
    assert (summary.max_gbp_per_mwh, summary.max_period) == (300.0, 31)
    assert summary.mean_gbp_per_mwh == pytest.approx((46 * 50 - 20 + 300) / 48)
    assert summary.negative_periods == (10,)
    assert summary.complete


def test_peak_is_0700_to_1900_uk_time_on_the_46_period_day():
    # On 2023-03-26 SP1-2 are 00:00-01:00 GMT and SP3 starts 02:00 BST, so 07:00 BST is SP13 and 19:00 SP37.
    values = np.zeros(46)
    values[12:36] = 100.0  # SP13..SP36
    summary = summarise_market(day_table(prices(SPRING, values), SPRING, ["day_ahead"]), "day_ahead", SPRING)
    assert summary.expected_periods == 46
    assert summary.peak_mean_gbp_per_mwh == 100.0
    assert summary.off_peak_mean_gbp_per_mwh == 0.0


def test_best_windows_are_consecutive_periods_and_skip_gaps():
    values = np.full(48, 60.0)
    values[[4, 5]] = [10.0, 20.0]  # cheapest hour SP5-6 (mean 15)
    values[[20, 21, 22, 23]] = [200.0, 220.0, 180.0, 160.0]  # dearest 2 h SP21-24 (mean 190)
    values[40] = np.nan  # a gap: no window may span SP41
    values[41] = 1000.0  # alone, it cannot make a full window with SP41 missing... but SP42-43 can
    summary = summarise_market(day_table(prices(NORMAL, values), NORMAL, ["day_ahead"]), "day_ahead", NORMAL)
    cheap = summary.cheapest["1h"]
    assert (cheap.first_period, cheap.last_period, cheap.mean_gbp_per_mwh, cheap.start_local) == (5, 6, 15.0, "02:00")
    assert summary.dearest["1h"].first_period == 42 and summary.dearest["1h"].mean_gbp_per_mwh == 530.0
    assert summary.dearest["2h"].first_period == 42  # (1000 + 60 x 3) / 4 = 295 beats 190
    assert summary.missing_periods == (41,)
    assert not summary.complete and summary.priced_periods == 47


def test_a_market_with_no_prices_gives_no_figures_not_zeros():
    summary = summarise_market(day_table(pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC")), NORMAL, ["intraday"]),
                               "intraday", NORMAL)
    assert not summary.has_prices
    assert summary.min_gbp_per_mwh is None and summary.mean_gbp_per_mwh is None
    assert summary.cheapest["1h"] is None and summary.missing_periods == tuple(range(1, 49))


def test_period_ranges_compacts_runs():
    assert period_ranges((1, 2, 3, 7, 9, 10)) == "SP1–3, SP7, SP9–10"
    assert period_ranges(()) == "none"
