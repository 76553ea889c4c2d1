"""Exact energy and cost cases for domain.price_plans (trapezoid rule, UK weekday multipliers, tracker)."""

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from domain.price_plans import (
    DAY_AHEAD_TRACKER,
    PricePlan,
    compare_plans,
    daily_energy_kwh,
    energy_kwh,
    interval_energy_kwh,
    plan_cost,
    uk_weekdays,
)


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def flat(rate: float, multipliers: dict | None = None, plan_id: str = "flat") -> PricePlan:
    return PricePlan(plan_id, "supplier", rate, multipliers or {})


def test_trapezoid_energy_of_two_readings_half_an_hour_apart():
    # (35 + 5) / 2 kW × 0.5 h = 10 kWh; the original's mean/hours gave 20 / 0.5 = 40 "kWh".
    times = np.array([epoch("2020-01-05T10:30:00"), epoch("2020-01-05T11:00:00")])
    assert energy_kwh(times, np.array([35.0, 5.0])) == pytest.approx(10.0)


def test_trapezoid_energy_with_uneven_spacing():
    times = np.array([0, 3600, 5400]) + epoch("2023-01-02T00:00:00")
    assert interval_energy_kwh(times, np.array([0.0, 2.0, 2.0])) == pytest.approx([1.0, 1.0])


def test_one_reading_is_no_energy_and_costs_nothing():
    cost = plan_cost(flat(10), np.array([epoch("2023-01-02T00:00:00")]), np.array([3.0]))
    assert cost.energy_kwh == 0 and cost.cost_p == 0 and cost.complete
    assert cost.annual_cost_p is None


def test_peak_multiplier_applies_on_its_weekday_only():
    plan = flat(10, {3: 2.0})  # Wednesday × 2
    wednesday = np.array([epoch("2023-03-22T10:00:00"), epoch("2023-03-22T11:00:00")])
    tuesday = np.array([epoch("2023-03-21T10:00:00"), epoch("2023-03-21T11:00:00")])
    one_kw = np.array([1.0, 1.0])
    assert plan_cost(plan, wednesday, one_kw).cost_p == pytest.approx(20.0)  # 1 kWh × 10 p × 2
    assert plan_cost(plan, tuesday, one_kw).cost_p == pytest.approx(10.0)


def test_sunday_multiplier_applies_which_the_original_never_matched():
    # The original numbered Sunday 0 and compared with isoweekday() (Sunday 7): never a match.
    plan = flat(10, {7: 3.0})
    sunday = np.array([epoch("2023-03-19T12:00:00"), epoch("2023-03-19T13:00:00")])
    assert plan_cost(plan, sunday, np.array([2.0, 2.0])).cost_p == pytest.approx(60.0)  # 2 kWh × 10 × 3


def test_weekday_is_the_uk_local_one_not_utc():
    # Sunday 23:30 UTC in June is Monday 00:30 BST: Monday's multiplier.
    times = np.array([epoch("2023-06-18T23:30:00"), epoch("2023-06-19T00:30:00")])
    assert list(uk_weekdays(times)) == [1, 1]
    plan = flat(10, {1: 2.0, 7: 5.0})
    assert plan_cost(plan, times, np.array([1.0, 1.0])).cost_p == pytest.approx(20.0)


def test_each_interval_takes_its_first_readings_weekday():
    # Saturday 23:00 → Sunday 01:00 GMT, then Sunday 01:00 → 02:00: 2 kWh at Saturday's rate, 1 kWh at Sunday's.
    times = np.array([epoch("2023-01-07T23:00:00"), epoch("2023-01-08T01:00:00"), epoch("2023-01-08T02:00:00")])
    plan = flat(1, {6: 2.0, 7: 10.0})
    assert plan_cost(plan, times, np.ones(3)).cost_p == pytest.approx(2 * 2.0 + 1 * 10.0)


def tracker(cap: float | None = None) -> PricePlan:
    return PricePlan("tracker", "dynamic", 0.5, {}, kind=DAY_AHEAD_TRACKER, day_ahead_multiplier=1.0,
                     rate_cap_p_per_kwh=cap)


def test_tracker_rate_follows_the_day_ahead_price_of_each_half_hour():
    start = epoch("2023-02-01T10:00:00")
    times = np.array([start, start + 1800, start + 3600])
    day_ahead = pd.Series([100.0, 200.0], index=[start, start + 1800])  # £/MWh → 10 and 20 p/kWh
    cost = plan_cost(tracker(), times, np.array([2.0, 2.0, 2.0]), day_ahead)
    # 1 kWh at 0.5 + 10 p and 1 kWh at 0.5 + 20 p
    assert cost.cost_p == pytest.approx(10.5 + 20.5)
    assert cost.complete


def test_tracker_cap_and_negative_prices():
    start = epoch("2023-02-01T10:00:00")
    times = np.array([start, start + 1800, start + 3600])
    day_ahead = pd.Series([1000.0, -50.0], index=[start, start + 1800])
    cost = plan_cost(tracker(cap=35.0), times, np.array([2.0, 2.0, 2.0]), day_ahead)
    assert cost.cost_p == pytest.approx(35.0 + (0.5 - 5.0))


def test_tracker_costs_only_priced_half_hours_and_says_what_it_left_out():
    start = epoch("2023-04-30T22:00:00")
    times = np.array([start, start + 1800, start + 3600, start + 5400])
    day_ahead = pd.Series([100.0, 100.0], index=[start, start + 1800])
    cost = plan_cost(tracker(), times, np.array([2.0, 2.0, 2.0, 2.0]), day_ahead)
    assert cost.cost_p == pytest.approx(2 * 10.5)
    assert cost.energy_kwh == pytest.approx(3.0) and cost.costed_energy_kwh == pytest.approx(2.0)
    assert not cost.complete and cost.uncosted_intervals == 1
    assert cost.costed_fraction == pytest.approx(2 / 3)


def test_compare_ranks_complete_plans_cheapest_first_and_sets_incomplete_aside():
    times = np.array([epoch("2020-01-05T10:30:00"), epoch("2020-01-05T11:00:00")])
    plans = [flat(10, plan_id="price-plan-0"), flat(2, plan_id="price-plan-1"), flat(1, plan_id="price-plan-2"),
             tracker()]
    ranked, incomplete = compare_plans(plans, times, np.array([35.0, 5.0]), pd.Series(dtype=float))
    assert [(c.plan_id, round(c.cost_p, 6)) for c in ranked] == [
        ("price-plan-2", 10.0), ("price-plan-1", 20.0), ("price-plan-0", 100.0)]
    assert [c.plan_id for c in incomplete] == ["tracker"]


def test_annual_estimate_scales_the_window_to_a_year():
    times = np.array([epoch("2023-01-02T00:00:00"), epoch("2023-01-03T00:00:00")])
    cost = plan_cost(flat(1), times, np.array([1.0, 1.0]))
    assert cost.cost_p == pytest.approx(24.0)
    assert cost.annual_cost_p == pytest.approx(24.0 * 365.25)


def test_daily_energy_counts_uk_local_dates_on_the_spring_clock_change_day():
    # 2023-03-26 has 23 local hours: 1 kW all day is 23 kWh on that date.
    times = pd.date_range("2023-03-25T00:00:00Z", "2023-03-27T23:00:00Z", freq="30min").as_unit("s").asi8
    daily = daily_energy_kwh(times, np.ones(times.size))
    assert daily.loc["2023-03-26"] == pytest.approx(23.0)
    assert daily.loc["2023-03-25"] == pytest.approx(24.0)
