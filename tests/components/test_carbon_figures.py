"""Carbon figure builders, checked on the figure dict without a browser."""

import numpy as np
import pandas as pd

from components.carbon_figures import asset_footprint_figure, run_footprint_figure, tradeoff_figure
from services.carbon import TradeoffPoint


def asset_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "half_hour_id": [1, 2, 3],
        "start_utc": pd.to_datetime(["2019-11-25T00:00Z", "2019-11-25T00:30Z", "2019-11-25T01:00Z"], utc=True),
        "power_kw": [100.0, -40.0, np.nan],
        "energy_kwh": [50.0, -20.0, np.nan],
        "intensity_g_per_kwh": [200.0, 210.0, 190.0],
        "intensity_kind": ["actual", "forecast", "actual"],
        "footprint_g": [10_000.0, -4_200.0, np.nan],
    })


def test_asset_figure_puts_exports_below_zero_as_avoided_and_marks_unknowns():
    figure = asset_footprint_figure(asset_rows(), "light")
    traces = {t.name: t for t in figure.data}
    assert list(traces["emitted kgCO2"].y) == [10.0, 0.0, 0.0]
    assert list(traces["avoided kgCO2 (export)"].y) == [0.0, -4.2, 0.0]
    assert list(traces["unknown (no data)"].x) == [3]
    assert traces["intensity kgCO2/MWh"].yaxis == "y2" and traces["power kW"].yaxis == "y3"
    assert figure.layout.barmode == "relative"


def test_run_figure_and_empty_states():
    assert asset_footprint_figure(pd.DataFrame(), "dark").layout.annotations[0].text == "No half-hours to show"
    assert run_footprint_figure(pd.DataFrame(), None).layout.annotations[0].text == "This run has no schedule"
    assert "Start the carbon trade-off" in tradeoff_figure([], None).layout.annotations[0].text


def test_tradeoff_figure_plots_revenue_against_tco2_labelled_by_price():
    points = [TradeoffPoint(0.0, 1, "optimal", 1000.0, 3.0, False),
              TradeoffPoint(400.0, 2, "optimal", 800.0, -1.0, False),
              TradeoffPoint(50.0, 3, "failed", None, None, False)]
    trace = tradeoff_figure(points, "light").data[0]
    assert list(trace.x) == [3.0, -1.0] and list(trace.y) == [1000.0, 800.0]
    assert list(trace.text) == ["£0/t", "£400/t"]


def test_intensity_and_power_axes_get_round_ticks_of_their_own():
    figure = asset_footprint_figure(asset_rows(), "dark")
    assert (figure.layout.yaxis2.tickmode, figure.layout.yaxis3.tickmode) == ("auto", "auto")
    assert figure.layout.yaxis.tickmode is None


def test_a_steady_power_is_a_flat_line_on_an_axis_from_zero():
    # The averaged power of a steady asset differs in its last bits from one half-hour to the next; on an
    # axis fitted to the line alone that noise was drawn as a square wave.
    rows = asset_rows()
    rows["power_kw"] = [715.4719847999999, 715.4719848000001, 715.47198479999895]
    figure = asset_footprint_figure(rows, "light")
    power = next(t for t in figure.data if t.name == "power kW")
    assert set(power.y) == {715.472}
    low, high = figure.layout.yaxis3.range
    assert low <= 0 and high >= 715.472  # an axis from (at most) zero: the noise is invisible


def zero_height(axis) -> float:
    """Where 0 sits on an axis, as a share of its height from the bottom."""
    low, high = axis.range
    return -low / (high - low)


def test_the_three_axes_share_their_zero_and_speak_kgco2():
    figure = asset_footprint_figure(asset_rows(), "light")
    heights = [zero_height(figure.layout[axis]) for axis in ("yaxis", "yaxis2", "yaxis3")]
    assert heights[0] > 0.2  # the avoided bar below zero has room
    assert np.allclose(heights, heights[0])
    low, high = figure.layout.yaxis.range
    assert low <= -4.2 and high >= 10.0
    assert figure.layout.yaxis3.range[0] <= -40.0  # the export's power is drawn, not clipped
    units = [t.name for t in figure.data] + [figure.layout[a].title.text for a in ("yaxis", "yaxis2", "yaxis3")]
    assert not [u for u in units if "gCO2" in u and "kgCO2" not in u], units


def test_a_run_figure_keeps_the_intensity_zero_on_the_bars_zero():
    starts = pd.date_range("2023-04-29", periods=3, freq="30min", tz="UTC")
    frame = pd.DataFrame({"interval_start_utc": starts, "settlement_period": [1, 2, 3],
                          "emitted_kg": [500.0, 0.0, 0.0], "avoided_kg": [0.0, 900.0, 0.0],
                          "intensity_g_per_kwh": [150.0, 160.0, 170.0]})
    figure = run_footprint_figure(frame, "dark")
    assert np.isclose(zero_height(figure.layout.yaxis), zero_height(figure.layout.yaxis2))
    assert figure.layout.yaxis.range[0] <= -900.0
    assert figure.layout.yaxis2.title.text == "intensity kgCO2/MWh"
