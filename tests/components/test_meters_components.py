import numpy as np
import pandas as pd

from components.meters import MAX_RAW_POINTS, describe_rate, pounds, usage_figure
from domain.price_plans import DAY_AHEAD_TRACKER, PricePlan


def test_pounds_from_pence_with_a_true_minus_sign():
    assert pounds(12345.6) == "£123.46"
    assert pounds(-40) == "−£0.40"
    assert pounds(None) == "–"


def test_rates_are_described_with_their_weekday_multipliers_and_tracker_formula():
    assert describe_rate(PricePlan("p", "s", 10, {1: 1.5, 2: 1.5, 3: 1.5, 4: 1.5, 5: 1.5})) == \
        "10.00 p/kWh; ×1.5 Mon–Fri"
    assert describe_rate(PricePlan("p", "s", 1, {6: 2, 7: 2})) == "1.00 p/kWh; ×2 Sat, Sun"
    tracker = PricePlan("t", "s", 0.5, {}, kind=DAY_AHEAD_TRACKER, day_ahead_multiplier=1.0, rate_cap_p_per_kwh=35)
    assert describe_rate(tracker) == "min(35, 0.5 + 1 × day-ahead £/MWh ÷ 10) p/kWh"


def test_long_histories_are_drawn_as_daily_mean_and_peak():
    times = pd.date_range("2023-01-01", periods=MAX_RAW_POINTS + 48, freq="30min", tz="UTC").as_unit("s").asi8
    figure = usage_figure(times, np.ones(times.size), pd.Series(dtype=float), "dark")
    names = [trace.name for trace in figure.data]
    assert names == ["Daily peak (kW)", "Daily mean (kW)"]
    local_dates = pd.to_datetime(times, unit="s", utc=True).tz_convert("Europe/London").normalize().unique()
    assert len(figure.data[0].x) == len(local_dates)  # one point per UK day
    short = usage_figure(times[:96], np.ones(96), pd.Series([24.0, 24.0], index=pd.to_datetime(["2023-01-01",
                                                                                             "2023-01-02"])), None)
    assert [trace.type for trace in short.data] == ["scatter", "bar"] and len(short.data[0].x) == 96


def test_a_gap_longer_than_the_limit_breaks_the_line_and_is_explained_under_the_costs():
    from components.meters import cost_table, with_gap_breaks
    from domain.price_plans import compare_plans
    from services.meters import MeterComparison

    t0 = 1_606_636_800
    times = np.array([t0, t0 + 1800, t0 + 1800 + 3 * 3600, t0 + 3 * 1800 + 3 * 3600])
    power = np.array([2.0, 2.0, 4.0, 4.0])
    broken_times, broken_power = with_gap_breaks(times, power, 7200)
    assert broken_times.tolist() == [t0, t0 + 1800, t0 + 1801, t0 + 1800 + 3 * 3600, t0 + 3 * 1800 + 3 * 3600]
    assert np.isnan(broken_power[2]) and np.isfinite(np.delete(broken_power, 2)).all()
    figure = usage_figure(times, power, pd.Series(dtype=float), None, max_gap_s=7200)
    assert figure.data[0].connectgaps is False and np.isnan(figure.data[0].y[2])
    plans = {"p": PricePlan("p", "P", 10.0)}
    ranked, incomplete = compare_plans(list(plans.values()), times, power, None, 7200)
    comparison = MeterComparison("m", "", "p", plans, times, power, ranked, incomplete, 7200)
    text = str(cost_table(comparison))
    assert "1 gap(s) between readings are longer than 2 h (3.0 h in all)" in text
    assert "unknown and left out of every plan's cost" in text
    no_gap = MeterComparison("m", "", "p", plans, times[:2], power[:2], ranked, incomplete, 7200)
    assert "gap(s)" not in str(cost_table(no_gap))
