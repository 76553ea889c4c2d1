"""Price-plan ranking ties (unit rate, then plan id) and readings gaps longer than the limit (unknown usage,
left out of every plan's cost)."""

import numpy as np

from domain.price_plans import PricePlan, compare_plans, daily_energy_kwh, energy_kwh, gap_mask, plan_cost

T = 1_606_636_800  # Sunday 2020-11-29 08:00 UTC


def test_equal_costs_are_ranked_by_unit_rate_then_plan_id():
    times, power = np.array([T, T + 1800]), np.array([2.0, 2.0])  # 1 kWh
    plans = [PricePlan("a-double", "A", 20.0, {7: 0.5}), PricePlan("b-flat", "B", 10.0),
             PricePlan("c-flat", "C", 10.0), PricePlan("z-cheap", "Z", 1.0)]
    ranked, _ = compare_plans(plans, times, power)
    assert [c.cost_p for c in ranked] == [1.0, 10.0, 10.0, 10.0]
    # a-double costs 20 × 0.5 = 10 p like b-flat and c-flat, but its unit rate is higher: it comes last
    assert [c.plan_id for c in ranked] == ["z-cheap", "b-flat", "c-flat", "a-double"]
    assert [c.plan_id for c in compare_plans(list(reversed(plans)), times, power)[0]] == [
        "z-cheap", "b-flat", "c-flat", "a-double"]


def test_a_gap_longer_than_the_limit_is_unknown_not_bridged():
    times = np.array([T, T + 1800, T + 1800 + 3 * 3600, T + 2 * 1800 + 3 * 3600])
    power = np.array([2.0, 2.0, 4.0, 4.0])
    assert gap_mask(times, 7200).tolist() == [False, True, False]
    assert energy_kwh(times, power) == 1.0 + 9.0 + 2.0  # bridged without a limit
    assert energy_kwh(times, power, 7200) == 1.0 + 2.0
    cost = plan_cost(PricePlan("p", "P", 10.0), times, power, max_gap_s=7200)
    assert (cost.cost_p, cost.energy_kwh, cost.gap_intervals, cost.gap_hours) == (30.0, 3.0, 1, 3.0)
    assert cost.complete
    assert daily_energy_kwh(times, power, 7200).sum() == 3.0


def test_a_gap_exactly_at_the_limit_is_still_bridged():
    times, power = np.array([T, T + 7200]), np.array([1.0, 1.0])
    assert plan_cost(PricePlan("p", "P", 10.0), times, power, max_gap_s=7200).cost_p == 20.0
