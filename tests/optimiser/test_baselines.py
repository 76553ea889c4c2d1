"""The naive daily strategy used for capture ratios."""

from datetime import date

import numpy as np
import pytest

from optimiser import BatteryParams, optimise
from optimiser.baselines import naive_hours, naive_schedule
from optimiser.prices import range_inputs
from tests.optimiser.helpers import hourly, prices_for, small_battery

DAY = date(2023, 1, 10)


def test_naive_pairs_cheapest_with_dearest_hours_while_the_round_trip_pays():
    prices = np.array([30.0, 10.0, 50.0, 90.0, 20.0, 100.0] + [50.0] * 18)
    battery = small_battery(charge_efficiency=0.9, discharge_efficiency=0.9, max_cycles_per_day=2)
    charge, discharge = naive_hours(prices, battery)
    # Two cycles of 10 MWh need 2 discharge hours and ceil(20 / (0.81 × 10)) = 3 charge hours, and the
    # third pair (30 → 50) still pays: 50 × 0.81 − 30 > 0.
    assert charge == {1, 4, 0}
    assert discharge == {5, 3}


def test_naive_stops_pairing_when_losses_eat_the_spread():
    prices = np.array([40.0, 45.0, 48.0, 47.0] + [44.0] * 20)
    battery = small_battery(charge_efficiency=0.9, discharge_efficiency=0.9)
    assert naive_hours(prices, battery) == (set(), set())  # 48 × 0.81 < 40


def test_naive_schedule_plays_the_hours_in_order_within_the_battery_limits():
    # Cheapest hour 2, dearest hour 5, lossless, one cycle: buy 10 MWh, sell 10 MWh → £800.
    da = np.full(24, 50.0)
    da[2], da[5] = 20.0, 100.0
    prices = prices_for(DAY, DAY, day_ahead=hourly(da))
    schedule = naive_schedule(range_inputs(prices, DAY, DAY), small_battery())
    assert list(schedule.da_buy_mw[4:6]) == [10.0, 10.0]
    assert list(schedule.da_sell_mw[10:12]) == [10.0, 10.0]
    assert schedule.soc_mwh.max() == 10.0
    assert schedule.soc_mwh[-1] == 0.0
    result = optimise(prices, DAY, DAY, small_battery(), markets="da")
    assert result.baselines.naive_net_revenue_gbp == pytest.approx(800.0)


def test_naive_never_beats_the_day_ahead_optimum_from_the_same_start(seed_prices):
    for day in (date(2023, 1, 25), date(2023, 3, 3), date(2023, 4, 9)):
        result = optimise(seed_prices, day, day, BatteryParams(), markets="da")
        assert result.baselines.naive_net_revenue_gbp <= result.totals.net_revenue_gbp + 1e-6
