import json

import pytest

from optimiser import BatteryParams, InvalidParameters, Markets, SolverSettings


def test_defaults_match_the_cli_defaults():
    p = BatteryParams()
    assert (p.power_mw, p.energy_mwh, p.charge_efficiency, p.discharge_efficiency) == (100, 100, 0.95, 0.95)
    assert (p.soc_min_frac, p.soc_max_frac, p.initial_soc_frac, p.terminal_soc) == (0, 1, 0.5, "free")
    assert (p.max_cycles_per_day, p.degradation_cost_gbp_per_mwh) == (2, 0)
    assert p.import_mw == p.export_mw == 100


def test_initial_soc_above_the_maximum_says_so_in_the_traders_words():
    with pytest.raises(InvalidParameters) as error:
        BatteryParams(initial_soc_frac=1.2, soc_max_frac=0.9)
    assert str(error.value) == "initial SoC 1.2 is above the maximum 0.9"


def test_initial_soc_below_the_minimum_is_refused():
    with pytest.raises(InvalidParameters, match="initial SoC 0.05 is below the minimum 0.1"):
        BatteryParams(initial_soc_frac=0.05, soc_min_frac=0.1)


def test_negative_capacity_is_refused():
    with pytest.raises(InvalidParameters, match="energy capacity -5 MWh must be above zero"):
        BatteryParams(energy_mwh=-5)


def test_inverted_soc_bounds_are_refused():
    with pytest.raises(InvalidParameters, match="SoC minimum 0.8 must be below the SoC maximum 0.2"):
        BatteryParams(soc_min_frac=0.8, soc_max_frac=0.2, initial_soc_frac=0.5)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("power_mw", 0, "power 0 MW must be above zero"),
        ("charge_efficiency", 1.2, "charge efficiency 1.2 must be above 0 and at most 1"),
        ("discharge_efficiency", 0, "discharge efficiency 0 must be above 0 and at most 1"),
        ("soc_max_frac", 1.5, "SoC maximum 1.5 must be between 0 and 1"),
        ("max_cycles_per_day", -1, "maximum cycles per day -1 must be zero or more"),
        ("degradation_cost_gbp_per_mwh", -3, "degradation cost -3 £/MWh must be zero or more"),
        ("export_limit_mw", -10, "export limit -10 MW must be zero or more"),
        ("carbon_price_gbp_per_tco2", -1, "carbon price -1 £/tCO2 must be zero or more"),
        ("power_mw", float("nan"), "power nan is not a finite number"),
    ],
)
def test_each_bad_value_gets_a_message_naming_it(field, value, message):
    with pytest.raises(InvalidParameters, match=message):
        BatteryParams(**{field: value})


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidParameters) as error:
        BatteryParams(power_mw=-1, energy_mwh=0)
    assert "power -1 MW" in str(error.value)
    assert "energy capacity 0 MWh" in str(error.value)


def test_unknown_fields_and_non_numbers_are_invalid_parameters_not_pydantic_errors():
    with pytest.raises(InvalidParameters, match="'power' is not a known parameter"):
        BatteryParams(power=100)
    with pytest.raises(InvalidParameters, match="power: 'lots' is not a number"):
        BatteryParams(power_mw="lots")
    with pytest.raises(InvalidParameters, match="terminal SoC policy"):
        BatteryParams(terminal_soc="sometimes")


def test_params_round_trip_through_json_for_storage():
    params = BatteryParams(power_mw=50, import_limit_mw=40, terminal_soc="eq-initial", carbon_price_gbp_per_tco2=80)
    stored = json.loads(json.dumps(params.model_dump()))
    assert BatteryParams(**stored) == params


def test_every_field_describes_itself_with_units():
    for name, field in BatteryParams.model_fields.items():
        assert field.description, name
        if name != "terminal_soc":
            assert "[" in field.description, f"{name} description has no unit"


def test_limits_above_the_power_are_capped_at_the_power():
    p = BatteryParams(power_mw=50, import_limit_mw=80, export_limit_mw=30)
    assert p.import_mw == 50
    assert p.export_mw == 30


def test_solver_settings_validate_and_serialise():
    assert SolverSettings().model_dump() == {"time_limit_s": 60.0, "mip_gap": 1e-4, "always_binary": False}
    with pytest.raises(InvalidParameters, match="time limit 0 s must be above zero"):
        SolverSettings(time_limit_s=0)
    with pytest.raises(InvalidParameters, match="MIP gap 1.5 must be at least 0 and below 1"):
        SolverSettings(mip_gap=1.5)


def test_unknown_markets_mode_is_refused():
    assert Markets.parse("da+id") is Markets.DA_ID
    with pytest.raises(InvalidParameters, match="markets mode 'bm' is not one of da\\+id, da, id, joint"):
        Markets.parse("bm")
