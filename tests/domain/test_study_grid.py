import pytest

from domain.study_grid import StudyGridError, duration_h, expand_grid


def test_every_combination_is_a_point_with_the_last_key_varying_fastest():
    points = expand_grid({"charge_efficiency": 0.9}, {"power_mw": [50, 100], "duration_h": [1, 2]}, 200)
    assert [p.varied for p in points] == [
        {"power_mw": 50, "duration_h": 1}, {"power_mw": 50, "duration_h": 2},
        {"power_mw": 100, "duration_h": 1}, {"power_mw": 100, "duration_h": 2},
    ]
    assert [p.params["energy_mwh"] for p in points] == [50, 100, 100, 200]
    assert all(p.params["charge_efficiency"] == 0.9 and "duration_h" not in p.params for p in points)
    assert [duration_h(p.params) for p in points] == [1, 2, 1, 2]


@pytest.mark.parametrize(("base", "grid", "message"), [
    ({}, {}, "the grid is empty"),
    ({}, {"power": [1]}, "unknown parameter 'power'"),
    ({"colour": "red"}, {"power_mw": [1]}, "unknown parameter 'colour'"),
    ({}, {"power_mw": 100}, "grid.power_mw must be a non-empty list"),
    ({}, {"power_mw": []}, "grid.power_mw must be a non-empty list"),
    ({}, {"power_mw": [50, 50]}, "grid.power_mw lists a value twice"),
    ({}, {"power_mw": ["big"]}, "power_mw values must be finite numbers, not 'big'"),
    ({}, {"power_mw": [float("nan")]}, "power_mw values must be finite numbers"),
    ({}, {"power_mw": [True]}, "power_mw values must be finite numbers"),
    ({}, {"markets": [1]}, "markets values must be strings"),
    ({"energy_mwh": 100}, {"duration_h": [1]}, "give energy_mwh or duration_h, not both"),
    ({}, {"duration_h": [0]}, "duration_h must be above 0 h"),
])
def test_a_bad_grid_is_refused_with_a_message_naming_the_parameter(base, grid, message):
    with pytest.raises(StudyGridError, match=message):
        expand_grid(base, grid, 200)


def test_the_point_limit_is_checked_on_the_product_before_anything_is_built():
    with pytest.raises(StudyGridError, match="the grid has 250 points; at most 200"):
        expand_grid({}, {"power_mw": list(range(1, 51)), "max_cycles_per_day": [1, 2, 3, 4, 5]}, 200)


def test_a_round_trip_efficiency_splits_evenly_between_charge_and_discharge():
    points = expand_grid({}, {"round_trip_efficiency": [0.81, 0.9025]}, 10)
    assert [(p.params["charge_efficiency"], p.params["discharge_efficiency"]) for p in points] == [
        (pytest.approx(0.9), pytest.approx(0.9)), (pytest.approx(0.95), pytest.approx(0.95))]
    with pytest.raises(StudyGridError, match="not both"):
        expand_grid({"charge_efficiency": 0.9}, {"round_trip_efficiency": [0.8]}, 10)
    with pytest.raises(StudyGridError, match="at most 1, not 1.2"):
        expand_grid({}, {"round_trip_efficiency": [1.2]}, 10)
