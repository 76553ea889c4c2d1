"""The Pyomo model agrees with an independent raw-highspy formulation on real seed days (LP and MILP)."""

from datetime import date

import pytest

from optimiser import BatteryParams, SolverSettings, optimise
from optimiser.prices import range_inputs
from tests.optimiser.reference_highspy import solve_reference_day

DAYS = [date(2023, 1, 21), date(2023, 2, 28), date(2023, 4, 17)]
BATTERY = BatteryParams(
    power_mw=80,
    energy_mwh=160,
    charge_efficiency=0.92,
    discharge_efficiency=0.94,
    soc_min_frac=0.05,
    soc_max_frac=0.95,
    initial_soc_frac=0.3,
    max_cycles_per_day=1.5,
    degradation_cost_gbp_per_mwh=4.0,
    export_limit_mw=70,
)
MODES = {"da": (True, False), "id": (False, True), "joint": (True, True)}


def _settings(binary: bool) -> SolverSettings:
    return SolverSettings(always_binary=binary, mip_gap=1e-9)


@pytest.mark.parametrize("binary", [False, True], ids=["lp", "milp"])
@pytest.mark.parametrize("day", DAYS, ids=str)
def test_single_stage_objectives_agree_with_the_reference(seed_prices, day, binary):
    inputs = range_inputs(seed_prices, day, day).days[0]
    for markets, (trade_da, trade_id) in MODES.items():
        result = optimise(seed_prices, day, day, BATTERY, markets=markets, solver=_settings(binary), baselines=False)
        if not binary:
            assert result.solver.binary_days == []  # a clean LP day, so the LP is the whole answer
        reference = solve_reference_day(
            BATTERY, inputs.day_ahead, inputs.intraday, BATTERY.initial_soc_mwh, trade_da, trade_id, binary
        )
        assert result.totals.net_revenue_gbp == pytest.approx(reference, rel=1e-6), markets


@pytest.mark.parametrize("binary", [False, True], ids=["lp", "milp"])
def test_intraday_stage_agrees_with_the_reference_given_the_day_ahead_positions(seed_prices, binary):
    day = DAYS[1]
    inputs = range_inputs(seed_prices, day, day).days[0]
    result = optimise(seed_prices, day, day, BATTERY, markets="da+id", solver=_settings(binary), baselines=False)
    f = result.intervals
    da_net = (f.da_buy_mw - f.da_sell_mw).to_numpy()
    reference = solve_reference_day(
        BATTERY, inputs.day_ahead, inputs.intraday, BATTERY.initial_soc_mwh, False, True, binary, fixed_da_net_mw=da_net
    )
    stage_two = result.totals.id_revenue_gbp - result.totals.degradation_cost_gbp
    assert stage_two == pytest.approx(reference, rel=1e-6)
