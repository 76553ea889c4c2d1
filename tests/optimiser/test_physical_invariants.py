"""Properties every schedule must have, checked on real seed days."""

from datetime import date, timedelta

import numpy as np
import pytest

from optimiser import BatteryParams, optimise
from tests.optimiser.helpers import assert_physically_consistent

FIRST, LAST = date(2023, 3, 23), date(2023, 3, 27)  # negative ID prices on 24-25 March, 46 periods on the 26th
AWKWARD_BATTERY = BatteryParams(
    power_mw=50,
    energy_mwh=120,
    charge_efficiency=0.93,
    discharge_efficiency=0.9,
    soc_min_frac=0.1,
    soc_max_frac=0.9,
    initial_soc_frac=0.4,
    max_cycles_per_day=1.5,
    degradation_cost_gbp_per_mwh=2.0,
    import_limit_mw=40,
)


@pytest.mark.parametrize("markets", ["da+id", "da", "id", "joint"])
def test_every_interval_obeys_the_battery_model_on_real_days(seed_prices, markets):
    result = optimise(seed_prices, FIRST, LAST, AWKWARD_BATTERY, markets=markets, baselines=False)
    assert result.status == "optimal"
    assert_physically_consistent(result, AWKWARD_BATTERY)
    f = result.intervals
    assert (f.charge_mw - f.discharge_mw <= 40 + 1e-6).all(), "import limit"
    assert list(f.groupby("settlement_date").size()) == [48, 48, 48, 46, 48]
    totals = result.totals
    assert totals.net_revenue_gbp == pytest.approx(
        f.da_cash_gbp.sum() + f.id_cash_gbp.sum() - 2.0 * totals.discharged_mwh, rel=1e-12
    )


def test_cycle_limit_binds_per_settlement_day(seed_prices):
    params = BatteryParams(max_cycles_per_day=0.5)
    result = optimise(seed_prices, date(2023, 2, 1), date(2023, 2, 3), params, markets="da+id", baselines=False)
    discharged = (0.5 * result.intervals.discharge_mw).groupby(result.intervals.settlement_date).sum()
    np.testing.assert_allclose(discharged, 50.0, atol=1e-6)
    assert result.totals.cycles == pytest.approx(1.5)


@pytest.mark.parametrize("day", [date(2023, 1, 20), date(2023, 2, 14), date(2023, 3, 24), date(2023, 4, 20)], ids=str)
def test_joint_bounds_two_stage_which_bounds_day_ahead(seed_prices, day):
    # From the same starting SoC, ID trading can only add (doing nothing in ID is always allowed), and the
    # joint problem can reproduce any two-stage schedule.
    revenue = {
        markets: optimise(
            seed_prices, day, day, BatteryParams(), markets=markets, baselines=False
        ).totals.net_revenue_gbp
        for markets in ("da", "da+id", "joint")
    }
    assert revenue["joint"] >= revenue["da+id"] - 1e-6
    assert revenue["da+id"] >= revenue["da"] - 1e-6
    assert revenue["da+id"] > revenue["da"]  # on real days the ID stage finds something


def test_result_carries_both_baselines_for_capture_ratios(seed_prices):
    first, last = date(2023, 2, 6), date(2023, 2, 8)
    result = optimise(seed_prices, first, last, BatteryParams())
    joint = optimise(seed_prices, first, last, BatteryParams(), markets="joint", baselines=False)
    assert result.baselines.joint_net_revenue_gbp == pytest.approx(joint.totals.net_revenue_gbp)
    assert 0 < result.baselines.naive_net_revenue_gbp < result.totals.net_revenue_gbp
    assert result.totals.net_revenue_gbp <= result.baselines.joint_net_revenue_gbp


def test_progress_is_reported_after_each_day(seed_prices):
    calls = []
    optimise(
        seed_prices,
        date(2023, 2, 1),
        date(2023, 2, 1) + timedelta(days=2),
        BatteryParams(),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_annualised_revenue_scales_net_revenue_per_mw_to_a_year(seed_prices):
    result = optimise(seed_prices, date(2023, 2, 1), date(2023, 2, 2), BatteryParams(power_mw=50, energy_mwh=50))
    totals = result.totals
    assert totals.net_revenue_gbp_per_mw_year == pytest.approx(totals.net_revenue_gbp / 50 * 365 / 2)


def test_carbon_intensity_gives_carbon_totals_and_its_price_enters_the_objective(seed_prices):
    first = last = date(2023, 2, 1)
    index = seed_prices.loc["2023-02-01"].index
    # A dirty night and a clean afternoon: charging at night now costs carbon.
    intensity = seed_prices.loc["2023-02-01", "day_ahead"] * 0 + np.where(index.hour < 8, 400.0, 100.0)
    plain = optimise(seed_prices, first, last, BatteryParams(), intensity=intensity, baselines=False)
    f = plain.intervals
    expected_t = float((0.5 * (f.charge_mw - f.discharge_mw) * intensity.to_numpy()).sum() / 1000)
    assert plain.totals.carbon_tco2 == pytest.approx(expected_t)
    assert plain.totals.carbon_cost_gbp == 0.0
    priced = optimise(
        seed_prices, first, last, BatteryParams(carbon_price_gbp_per_tco2=200), intensity=intensity, baselines=False
    )
    assert priced.totals.carbon_tco2 < plain.totals.carbon_tco2
    assert priced.totals.carbon_cost_gbp == pytest.approx(200 * priced.totals.carbon_tco2)
    assert priced.totals.net_revenue_gbp == pytest.approx(
        priced.totals.da_revenue_gbp + priced.totals.id_revenue_gbp - priced.totals.carbon_cost_gbp
    )
    # Counting its carbon cost, the carbon-aware schedule does at least as well as the carbon-blind one.
    assert priced.totals.net_revenue_gbp >= plain.totals.net_revenue_gbp - 200 * plain.totals.carbon_tco2 - 1e-6


def test_for_one_day_of_one_market_a_carbon_price_never_raises_revenue_before_the_carbon_charge(seed_prices):
    """One LP per day: its optimum without the carbon term bounds every carbon-priced schedule's market revenue.
    (Day-ahead then intraday is two sequential LPs, so there a carbon price may shift revenue either way.)"""
    day = date(2023, 2, 1)
    index = seed_prices.loc["2023-02-01"].index
    intensity = seed_prices.loc["2023-02-01", "day_ahead"] * 0 + 150 + 100 * np.sin(np.arange(len(index)) / 7)
    revenues = []
    for price in (0, 50, 100, 200, 400):
        result = optimise(seed_prices, day, day, BatteryParams(carbon_price_gbp_per_tco2=price), markets="da",
                          intensity=intensity, baselines=False)
        totals = result.totals
        revenues.append(totals.net_revenue_gbp + totals.carbon_cost_gbp)
    assert all(later <= earlier + 1e-6 for earlier, later in zip(revenues, revenues[1:], strict=False))
    assert revenues[-1] < revenues[0]
