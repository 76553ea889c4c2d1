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
    assert list(traces["emitted gCO2"].y) == [10_000.0, 0.0, 0.0]
    assert list(traces["avoided gCO2 (export)"].y) == [0.0, -4_200.0, 0.0]
    assert list(traces["unknown (no data)"].x) == [3]
    assert traces["intensity gCO2/kWh"].yaxis == "y2" and traces["power kW"].yaxis == "y3"
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
    assert figure.layout.yaxis3.rangemode == "tozero"
