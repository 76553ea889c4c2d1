"""Small cases whose optimal revenue is worked out by hand; each pins one of the seed's defects."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from optimiser import BatteryParams, optimise
from tests.optimiser.helpers import assert_physically_consistent, hourly, prices_for, small_battery

DAY = date(2023, 1, 10)  # GMT, 48 periods: period t starts at 00:00 UTC + 30 min × t


def da_day(**hour_prices: float) -> np.ndarray:
    """Day-ahead prices for DAY: 50 £/MWh except the given hours (``h3=20`` is 03:00-04:00)."""
    values = np.full(24, 50.0)
    for name, price in hour_prices.items():
        values[int(name[1:])] = price
    return hourly(values)


def test_day_ahead_cash_counts_each_half_hour_as_half_an_hour():
    # Buy 10 MW for hour 2 at £20 (10 MWh), sell 10 MW for hour 5 at £100: 10 MWh × £80 = £800.
    # The one cycle a day allows no more. Without the 0.5 h factor this would read £1,600.
    params = small_battery()
    result = optimise(prices_for(DAY, DAY, day_ahead=da_day(h2=20, h5=100)), DAY, DAY, params, markets="da")
    assert result.totals.da_revenue_gbp == pytest.approx(800.0, abs=1e-6)
    assert result.totals.net_revenue_gbp == pytest.approx(800.0, abs=1e-6)
    assert result.totals.discharged_mwh == pytest.approx(10.0)
    assert result.totals.cycles == pytest.approx(1.0)
    f = result.intervals
    assert list(f.da_buy_mw[4:6]) == [10.0, 10.0]
    assert list(f.da_sell_mw[10:12]) == [10.0, 10.0]
    assert_physically_consistent(result, params)


def test_discharge_efficiency_applies_once_on_the_way_out():
    # Full (10 MWh stored), ηd = 0.8: 8 MWh reach the grid, all sold in the £100 hour → £800.
    # ηc = 0.5 makes recharging at £50 to sell at £100 a loss (0.4 × 100 < 50).
    params = small_battery(initial_soc_frac=1.0, charge_efficiency=0.5, discharge_efficiency=0.8)
    result = optimise(prices_for(DAY, DAY, day_ahead=da_day(h10=100)), DAY, DAY, params, markets="da")
    assert result.totals.net_revenue_gbp == pytest.approx(800.0, abs=1e-6)
    assert result.totals.discharged_mwh == pytest.approx(8.0)
    assert result.intervals.soc_mwh.iloc[-1] == pytest.approx(0.0, abs=1e-9)
    assert_physically_consistent(result, params)


def test_charge_efficiency_applies_once_on_the_way_in():
    # ηc = 0.8: 10 MWh bought at £10 store 8 MWh, sold later at £50: 8 × 50 − 10 × 10 = £300.
    # Buying at £50 to sell at £50 loses, so nothing else trades.
    params = small_battery(charge_efficiency=0.8)
    result = optimise(prices_for(DAY, DAY, day_ahead=da_day(h3=10)), DAY, DAY, params, markets="da")
    assert result.totals.net_revenue_gbp == pytest.approx(300.0, abs=1e-6)
    assert result.totals.charged_mwh == pytest.approx(10.0)
    assert result.totals.discharged_mwh == pytest.approx(8.0)
    assert result.intervals.soc_mwh.max() == pytest.approx(8.0)
    assert_physically_consistent(result, params)


def test_intraday_cash_counts_each_half_hour_as_half_an_hour():
    # ID is half-hourly: buy 10 MW in periods 4 and 5 at £20 (10 MWh), sell in periods 30 and 31 at £100: £800.
    intraday = np.full(48, 60.0)
    intraday[[4, 5]] = 20.0
    intraday[[30, 31]] = 100.0
    params = small_battery()
    result = optimise(prices_for(DAY, DAY, intraday=intraday), DAY, DAY, params, markets="id")
    assert result.totals.id_revenue_gbp == pytest.approx(800.0, abs=1e-6)
    assert result.totals.da_revenue_gbp == 0.0
    assert_physically_consistent(result, params)


def test_intraday_stage_unwinds_part_of_the_day_ahead_sale():
    # Full battery, one cycle. DA: sell 10 MW for hour 8 at £100 → £1,000 (uses the whole cycle).
    # ID, with DA fixed: buy back period 16 at £40 (−£200), keep those 5 MWh and sell them in another
    # half-hour at £50 (+£250): ID adds £50. Period 17 is already at full power, so nothing more.
    intraday = np.full(48, 50.0)
    intraday[16], intraday[17] = 40.0, 100.0
    prices = prices_for(DAY, DAY, day_ahead=da_day(h8=100), intraday=intraday)
    params = small_battery(initial_soc_frac=1.0)
    da_only = optimise(prices, DAY, DAY, params, markets="da")
    two_stage = optimise(prices, DAY, DAY, params, markets="da+id")
    assert da_only.totals.net_revenue_gbp == pytest.approx(1000.0, abs=1e-6)
    assert two_stage.totals.da_revenue_gbp == pytest.approx(1000.0, abs=1e-6)
    assert two_stage.totals.id_revenue_gbp == pytest.approx(50.0, abs=1e-6)
    f = two_stage.intervals
    assert (f.da_sell_mw[16], f.da_sell_mw[17]) == (10.0, 10.0)
    assert f.id_buy_mw[16] == pytest.approx(10.0)
    assert f.charge_mw[16] == f.discharge_mw[16] == 0.0
    assert_physically_consistent(two_stage, params)


def test_a_100_mw_battery_sells_100_mw_day_ahead():
    # The seed capped DA exports at 40 MW without saying so. Full 100 MWh, one cycle, one £200 hour:
    # sell 100 MW for that hour → 100 MWh × £200 = £20,000.
    params = BatteryParams(
        power_mw=100,
        energy_mwh=100,
        charge_efficiency=1,
        discharge_efficiency=1,
        initial_soc_frac=1,
        max_cycles_per_day=1,
    )
    result = optimise(prices_for(DAY, DAY, day_ahead=da_day(h17=200)), DAY, DAY, params, markets="da")
    assert result.intervals.da_sell_mw.max() == 100.0
    assert result.totals.net_revenue_gbp == pytest.approx(20_000.0, abs=1e-6)


def test_degradation_cost_is_charged_per_mwh_discharged():
    prices = prices_for(DAY, DAY, day_ahead=da_day(h2=20, h5=100))
    worth_it = optimise(prices, DAY, DAY, small_battery(degradation_cost_gbp_per_mwh=30), markets="da")
    assert worth_it.totals.degradation_cost_gbp == pytest.approx(300.0)
    assert worth_it.totals.net_revenue_gbp == pytest.approx(800.0 - 300.0, abs=1e-6)
    # At £90/MWh the £80 spread no longer pays for the wear: no trade.
    not_worth_it = optimise(prices, DAY, DAY, small_battery(degradation_cost_gbp_per_mwh=90), markets="da")
    assert not_worth_it.totals.net_revenue_gbp == 0.0
    assert not_worth_it.totals.discharged_mwh == 0.0


@pytest.mark.parametrize("markets", ["da+id", "da", "id"])
def test_zero_spread_means_no_trades(markets):
    params = BatteryParams(initial_soc_frac=0.0)  # nothing stored to sell, 95 % efficiencies
    last = date(2023, 1, 11)
    result = optimise(prices_for(DAY, last), DAY, last, params, markets)
    f = result.intervals
    position_columns = ["da_buy_mw", "da_sell_mw", "id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw"]
    assert (f[position_columns] == 0.0).all().all()
    assert result.totals.net_revenue_gbp == 0.0


def test_zero_spread_in_joint_mode_moves_no_energy_and_no_cash():
    # With both markets at one flat price, selling DA and buying the same volume ID in a period is a wash
    # the LP may or may not return (any such pair earns exactly zero); the battery itself must not move.
    last = date(2023, 1, 11)
    result = optimise(prices_for(DAY, last), DAY, last, BatteryParams(initial_soc_frac=0.0), "joint")
    f = result.intervals
    assert (f[["charge_mw", "discharge_mw"]] == 0.0).all().all()
    np.testing.assert_allclose(f.da_cash_gbp + f.id_cash_gbp, 0.0, atol=1e-9)
    assert result.totals.net_revenue_gbp == pytest.approx(0.0, abs=1e-9)


def test_soc_carries_over_between_days():
    # Full battery, half a cycle a day, one £100 hour each day: day 1 sells 5 MWh and ends at 5 MWh;
    # day 2 starts there (not back at 10) and sells the other 5 MWh, ending empty.
    first, last = date(2023, 1, 10), date(2023, 1, 11)
    prices = prices_for(first, last, day_ahead=np.r_[da_day(h17=100), da_day(h17=100)])
    params = small_battery(initial_soc_frac=1.0, max_cycles_per_day=0.5)
    result = optimise(prices, first, last, params, markets="da")
    f = result.intervals
    day1, day2 = f[f.settlement_date == first], f[f.settlement_date == last]
    assert day1.soc_mwh.iloc[-1] == pytest.approx(5.0)
    assert day2.soc_mwh.iloc[0] == pytest.approx(5.0)
    assert day2.soc_mwh.iloc[-1] == pytest.approx(0.0, abs=1e-9)
    assert result.totals.net_revenue_gbp == pytest.approx(1000.0, abs=1e-6)
    assert_physically_consistent(result, params)


def test_bst_day_trades_day_ahead_in_utc_clock_hours():
    # 2023-06-01 is in BST: SP1 starts 2023-05-31 23:00 UTC. The cheap DA hour is 01:00-02:00 UTC (SP5-6)
    # and the dear one 17:00-18:00 UTC (SP37-38); volumes must sit on exactly those half-hour pairs.
    day = date(2023, 6, 1)
    da = np.full(48, 50.0)
    da[[4, 5]] = 20.0
    da[[36, 37]] = 100.0
    result = optimise(prices_for(day, day, day_ahead=da), day, day, small_battery(), markets="da")
    f = result.intervals.set_index("interval_start_utc")
    bought = f.index[f.da_buy_mw > 0]
    sold = f.index[f.da_sell_mw > 0]
    assert list(bought) == list(pd.to_datetime(["2023-06-01 01:00", "2023-06-01 01:30"], utc=True))
    assert list(sold) == list(pd.to_datetime(["2023-06-01 17:00", "2023-06-01 17:30"], utc=True))
    assert list(f.settlement_period[sold]) == [37, 38]
    assert result.totals.net_revenue_gbp == pytest.approx(800.0, abs=1e-6)
