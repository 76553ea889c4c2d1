"""46- and 50-period settlement days, with prices built for them."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from optimiser import BatteryParams, optimise
from tests.optimiser.helpers import assert_physically_consistent, hourly, prices_for, small_battery

SPRING, AUTUMN = date(2023, 3, 26), date(2023, 10, 29)


def wavy_prices(first: date, last: date, seed: int) -> pd.DataFrame:
    """Hourly DA and half-hourly ID prices with a daily shape and noise, for every period of the range."""
    rng = np.random.default_rng(seed)
    n = len(prices_for(first, last))
    hours = np.arange(n // 2)
    da = hourly(80 + 40 * np.sin(hours / 24 * 2 * np.pi) + rng.normal(0, 10, n // 2))
    intraday = da + rng.normal(0, 15, n)
    return prices_for(first, last, day_ahead=da, intraday=intraday)


@pytest.mark.parametrize(("day", "periods"), [(SPRING, 46), (AUTUMN, 50)])
def test_clock_change_days_have_their_own_number_of_periods(day, periods):
    first, last = day - pd.Timedelta(days=1), day + pd.Timedelta(days=1)
    params = BatteryParams(max_cycles_per_day=1.5)
    result = optimise(wavy_prices(first, last, seed=periods), first, last, params, markets="da+id", baselines=False)
    f = result.intervals
    assert list(f.groupby("settlement_date").size()) == [48, periods, 48]
    assert list(f.settlement_period[f.settlement_date == day]) == list(range(1, periods + 1))
    assert_physically_consistent(result, params)


def test_spring_day_ends_at_2230_utc_and_trades_its_last_hour():
    # 2023-03-26 runs 00:00 GMT to 24:00 BST: 23 hours, SP46 starts 22:30 UTC.
    da = np.full(46, 50.0)
    da[[0, 1]] = 20.0
    da[[44, 45]] = 100.0
    result = optimise(prices_for(SPRING, SPRING, day_ahead=da), SPRING, SPRING, small_battery(), markets="da")
    f = result.intervals
    assert f.interval_start_utc.iloc[-1] == pd.Timestamp("2023-03-26 22:30", tz="UTC")
    assert list(f.da_sell_mw.iloc[-2:]) == [10.0, 10.0]
    assert result.totals.net_revenue_gbp == pytest.approx(800.0, abs=1e-6)


def test_autumn_day_trades_both_one_oclock_hours_separately():
    # 2023-10-29: local 01:00-02:00 happens twice. SP3-4 is 01:00 BST (00:00 UTC), SP5-6 is 01:00 GMT
    # (01:00 UTC). Buy in the first at £20, sell in the second at £100: 10 MWh × £80 = £800.
    da = np.full(50, 50.0)
    da[[2, 3]] = 20.0
    da[[4, 5]] = 100.0
    result = optimise(prices_for(AUTUMN, AUTUMN, day_ahead=da), AUTUMN, AUTUMN, small_battery(), markets="da")
    f = result.intervals.set_index("settlement_period")
    assert list(f.loc[[3, 4], "da_buy_mw"]) == [10.0, 10.0]
    assert list(f.loc[[5, 6], "da_sell_mw"]) == [10.0, 10.0]
    assert f.loc[5, "interval_start_utc"] == pd.Timestamp("2023-10-29 01:00", tz="UTC")
    assert result.totals.net_revenue_gbp == pytest.approx(800.0, abs=1e-6)
