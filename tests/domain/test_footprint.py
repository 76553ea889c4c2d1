"""COV resampling by hand: each expected number below is worked out in the comment beside it."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from domain.footprint import (
    chosen_intensity,
    day_edges_utc,
    day_footprint,
    energy_kwh,
    naive_time_weighted_power_kw,
    time_weighted_power_kw,
)

DAY = date(2019, 11, 25)  # GMT: local time = UTC, 48 half-hours


def utc(*texts: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(texts), utc=True))


def resample(times, values, day=DAY):
    return time_weighted_power_kw(utc(*times), values, day_edges_utc(day))


def test_unsorted_readings_with_negative_values_are_time_weighted():
    # Given out of order: 00:15 → −50 kW, 00:00 → 100 kW. HH1 = (100×15 + (−50)×15) / 30 = 25 kW; HH2 holds −50.
    result = resample(["2019-11-25T00:15Z", "2019-11-25T00:00Z"], [-50.0, 100.0])
    assert result.power_kw[0] == pytest.approx(25.0)
    assert result.power_kw[1] == pytest.approx(-50.0)
    assert result.power_kw[47] == pytest.approx(-50.0)  # held to the end of the day
    assert result.known_share[0] == 1.0


def test_a_gap_spanning_several_half_hours_holds_the_last_value():
    # 01:10 → 10 kW, 03:40 → 40 kW. HH3 (01:00–01:30) is known for 20 of 30 min, average 10;
    # HH4..HH7 (01:30–03:30) hold 10; HH8 (03:30–04:00) = (10×10 + 40×20) / 30 = 30.
    result = resample(["2019-11-25T03:40Z", "2019-11-25T01:10Z"], [40.0, 10.0])
    assert result.power_kw[2] == pytest.approx(10.0)
    assert result.known_share[2] == pytest.approx(2 / 3)
    assert result.power_kw[3:7] == pytest.approx([10.0] * 4)
    assert result.power_kw[7] == pytest.approx(30.0)
    assert result.power_kw[8] == pytest.approx(40.0)


def test_half_hours_before_the_first_reading_are_unknown_not_zero():
    result = resample(["2019-11-25T01:10Z"], [10.0])
    assert np.isnan(result.power_kw[:2]).all()  # HH1, HH2: nothing known yet
    assert list(result.known_share[:2]) == [0.0, 0.0]
    assert np.isnan(energy_kwh(result.power_kw)[:2]).all()


def test_no_readings_at_all_give_an_unknown_day():
    result = time_weighted_power_kw(pd.DatetimeIndex([], tz="UTC"), [], day_edges_utc(DAY))
    assert len(result.power_kw) == 48 and np.isnan(result.power_kw).all()


def test_the_last_reading_from_an_earlier_day_carries_into_the_day():
    # 24 Nov 23:50 → −20 kW, then 25 Nov 00:10 → 40: HH1 = (−20×10 + 40×20) / 30 = 20.
    result = resample(["2019-11-24T23:50Z", "2019-11-25T00:10Z"], [-20.0, 40.0])
    assert result.power_kw[0] == pytest.approx(20.0)
    assert result.known_share[0] == 1.0


def test_a_reading_exactly_on_a_boundary_starts_the_next_half_hour():
    # 00:00 → 3 kW, 02:00 → 7 kW: HH4 (01:30–02:00) is all 3, HH5 (02:00–02:30) all 7.
    result = resample(["2019-11-25T00:00Z", "2019-11-25T02:00Z"], [3.0, 7.0])
    assert result.power_kw[3] == pytest.approx(3.0)
    assert result.power_kw[4] == pytest.approx(7.0)


def test_a_later_reading_at_the_same_instant_wins():
    result = resample(["2019-11-25T00:00Z", "2019-11-25T00:00Z"], [3.0, 9.0])
    assert result.power_kw[0] == pytest.approx(9.0)


def test_spring_clock_change_day_has_46_half_hours():
    # 2023-03-26 starts at 00:00 UTC (GMT) and ends at 23:00 UTC (BST midnight).
    frame = day_footprint(date(2023, 3, 26), utc("2023-03-26T00:00Z"), [5.0], np.full(46, 100.0),
                          np.full(46, np.nan))
    assert len(frame) == 46 and list(frame["half_hour_id"]) == list(range(1, 47))
    assert frame["start_utc"].iloc[-1] == pd.Timestamp("2023-03-26T22:30Z")
    assert frame["power_kw"].to_numpy() == pytest.approx([5.0] * 46)


def test_autumn_clock_change_day_has_50_half_hours_and_the_repeated_hour_in_order():
    # 2023-10-29 starts at 2023-10-28 23:00 UTC (BST midnight). 01:15 UTC is 2h15m later: HH5
    # (01:00–01:30 UTC, the second local 01:00) = (0×15 + 8×15) / 30 = 4 kW; HH6 on hold 8.
    times = utc("2023-10-28T23:00Z", "2023-10-29T01:15Z")
    frame = day_footprint(date(2023, 10, 29), times, [0.0, 8.0], np.full(50, np.nan), np.full(50, 200.0))
    assert len(frame) == 50
    assert frame["start_utc"].iloc[0] == pd.Timestamp("2023-10-28T23:00Z")
    assert frame["power_kw"].iloc[4] == pytest.approx(4.0)
    assert frame["power_kw"].iloc[5] == pytest.approx(8.0)
    # 4 kW × 0.5 h = 2 kWh; × 200 g/kWh forecast (no actual) = 400 g
    assert frame["energy_kwh"].iloc[4] == pytest.approx(2.0)
    assert frame["footprint_g"].iloc[4] == pytest.approx(400.0)
    assert frame["intensity_kind"].iloc[4] == "forecast"


def test_footprint_uses_actual_else_forecast_and_says_which():
    chosen = chosen_intensity([100.0, np.nan, np.nan], [90.0, 80.0, np.nan])
    assert chosen.g_per_kwh[:2] == pytest.approx([100.0, 80.0]) and np.isnan(chosen.g_per_kwh[2])
    assert list(chosen.kind) == ["actual", "forecast", None]


def test_exports_give_negative_footprints_and_unknown_intensity_gives_null():
    actual = np.full(48, np.nan)
    actual[0] = 250.0
    frame = day_footprint(DAY, utc("2019-11-25T00:00Z"), [-400.0], actual, np.full(48, np.nan))
    # −400 kW × 0.5 h = −200 kWh; × 250 g/kWh = −50 000 g (avoided)
    assert frame["footprint_g"].iloc[0] == pytest.approx(-50_000.0)
    assert frame["footprint_g"].iloc[1:].isna().all()
    assert pd.isna(frame["intensity_kind"].iloc[1])


def test_vectorised_and_naive_reference_agree_on_random_readings():
    rng = np.random.default_rng(7)
    seconds = rng.uniform(-3_600, 86_400, size=300)
    times = pd.DatetimeIndex(pd.Timestamp("2019-11-25T00:00Z") + pd.to_timedelta(seconds, unit="s"))
    values = rng.normal(0, 500, size=300)
    edges = day_edges_utc(DAY)
    fast = time_weighted_power_kw(times, values, edges).power_kw
    slow = naive_time_weighted_power_kw(times, values, edges)
    assert fast == pytest.approx(slow, abs=1e-6)
