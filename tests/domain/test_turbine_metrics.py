"""Metric validation rules and units, without a database."""

import math

import numpy as np
import pytest

from domain.turbine_metrics import MetricError, validate_metrics

NOW = 1_790_000_000.0


def rating_3mw(numbers):
    return np.where(np.asarray(numbers) <= 10, 3000.0, np.nan)


def item(**changes):
    return {"turbine_number": 1, "wind_speed": 36.0, "power_output_in_kwh": 1000.0, "operational_status": "ok",
            "timestamp": NOW - 5, **changes}


def test_wind_is_stored_in_metres_per_second_and_power_in_kw():
    batch = validate_metrics([item(wind_speed=100.1, power_output_in_kwh=3000.1)], rating_3mw, NOW)
    assert batch.wind_speed_m_per_s[0] == pytest.approx(100.1 / 3.6)
    assert batch.power_kw[0] == pytest.approx(3000.1)


def test_bounds_are_inclusive_at_zero_wind_300_kmh_minus_5_and_plus_120_percent():
    batch = validate_metrics([item(wind_speed=0, power_output_in_kwh=-150.0, timestamp=NOW - 2),
                              item(wind_speed=300, power_output_in_kwh=3600.0, timestamp=NOW + 30)],
                             rating_3mw, NOW)
    assert len(batch) == 2


@pytest.mark.parametrize(("changes", "field"), [
    ({"turbine_number": True}, "turbine_number"),
    ({"turbine_number": 1.5}, "turbine_number"),
    ({"turbine_number": 0}, "turbine_number"),
    ({"wind_speed": math.inf}, "wind_speed"),
    ({"wind_speed": 10 ** 400}, "wind_speed"),
    ({"power_output_in_kwh": math.nan}, "power_output_in_kwh"),
    ({"power_output_in_kwh": None}, "power_output_in_kwh"),
    ({"operational_status": "OK"}, "operational_status"),
    ({"timestamp": NOW + 301}, "timestamp"),
    ({"timestamp": 12.0}, "timestamp"),
    ({"timestamp": -math.inf}, "timestamp"),
])
def test_each_rule_names_its_field(changes, field):
    with pytest.raises(MetricError) as caught:
        validate_metrics([item(timestamp=NOW - 1), item(**changes)], rating_3mw, NOW)
    assert (caught.value.item, caught.value.field) == (1, field)
    assert str(caught.value).startswith(f"item 1: {field}")


def test_repeats_within_a_batch_are_kept_once_in_order():
    batch = validate_metrics([item(timestamp=NOW - 3), item(timestamp=NOW - 1), item(timestamp=NOW - 3),
                              item(turbine_number=2, timestamp=NOW - 3)], rating_3mw, NOW)
    assert (batch.received, len(batch)) == (4, 3)
    assert batch.turbine_number.tolist() == [1, 1, 2]
    assert batch.measured_epoch_s.tolist() == [NOW - 3, NOW - 1, NOW - 3]


def test_an_empty_batch_is_refused():
    with pytest.raises(MetricError, match="at least one"):
        validate_metrics([], rating_3mw, NOW)
