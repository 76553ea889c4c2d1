"""A long run's figures go to the browser compactly, and nothing shown is lost on the way (issue 21)."""

from datetime import date

import numpy as np
import plotly.io as pio

from components.figures import shown_values
from components.run_view import daily_revenue_figure, soc_heatmap_figure
from components.schedule import line_detail, schedule_figure
from domain.decimate import CHART_COLUMNS
from domain.settlement_time import settlement_index
from tests.plotly_data import values

FIRST, LAST = date(2017, 1, 1), date(2023, 6, 2)  # the benchmark's 2,344 days


def long_run():
    frame = settlement_index(FIRST, LAST)
    n = len(frame)
    rng = np.random.default_rng(21)
    for column in ("da_buy_mw", "da_sell_mw", "id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw"):
        frame[column] = rng.uniform(0, 50, n).round(6)
    frame["soc_mwh"] = rng.uniform(0, 100, n)
    frame["da_price"] = rng.normal(80, 40, n)
    frame["id_price"] = rng.normal(80, 60, n)
    frame["da_cash_gbp"] = rng.normal(500, 900, n)
    frame["id_cash_gbp"] = rng.normal(200, 400, n)
    return frame


def test_shown_values_keep_every_value_to_the_digits_shown_and_use_float32_only_where_it_can():
    rng = np.random.default_rng(7)
    for decimals, scale in ((2, 6_000.0), (3, 5_000.0), (2, 80_000.0), (1, 500_000.0)):
        raw = np.concatenate([rng.uniform(-scale, scale, 50_000), [scale, -scale, 0.005, np.nan]])
        sent = shown_values(raw, decimals)
        assert sent.dtype == np.float32
        np.testing.assert_array_equal(np.round(sent.astype(np.float64), decimals), np.round(raw, decimals))
    cumulative = np.array([1.25, 40_047_562.51])  # £ to the penny beyond float32's reach: float64, exact
    assert shown_values(cumulative, 2).dtype == np.float64
    assert list(shown_values(cumulative, 2)) == [1.25, 40_047_562.51]


def test_a_2344_day_runs_figures_fit_a_budget_worked_out_from_what_they_show():
    intervals = long_run()
    days = intervals["settlement_date"].nunique()
    chart = pio.to_json(schedule_figure(intervals, "light", "long"), validate=False)
    daily = pio.to_json(daily_revenue_figure(intervals, 3.0, "light", "daily"), validate=False)
    heatmap = pio.to_json(soc_heatmap_figure(intervals, "light", "SoC"), validate=False)
    # Per decimated line point: x as float64 (8 bytes), y as float32 (4), both base64 (x 4/3), and its hover
    # label (at most 40 characters as JSON); weekly bars are a few hundred. Daily P&L: a float32 a date in
    # three bar traces and a float64 in the cumulative line, no x. Heatmap: at most 400 block rows of 50.
    line_points = 3 * (2 * CHART_COLUMNS + 2)
    chart_budget = line_points * ((8 + 4) * 4 / 3 + 40) + 4 * (-(-days // 7)) * ((8 + 4) * 4 / 3 + 40) + 30_000
    daily_budget = days * (3 * 4 + 8) * 4 / 3 + 20_000
    heatmap_budget = 400 * 50 * 4 * 4 / 3 + 400 * 40 + 20_000
    assert len(chart) < chart_budget, (len(chart), chart_budget)
    assert len(daily) < daily_budget, (len(daily), daily_budget)
    assert len(heatmap) < heatmap_budget, (len(heatmap), heatmap_budget)
    assert len(chart) + len(daily) + len(heatmap) < 700_000


def test_the_compact_long_run_figures_still_hold_every_date_extreme_and_value_shown():
    intervals = long_run()
    figure = schedule_figure(intervals, "light", "long").to_plotly_json()
    assert {figure["layout"][f"xaxis{n}"]["type"] for n in ("", "2", "3")} == {"date"}
    starts_ms = intervals["interval_start_utc"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(
        dtype="datetime64[ms]").astype(np.int64)
    for trace in figure["data"]:
        if trace["type"] != "scatter":
            continue
        column = {"DA price": "da_price", "ID price": "id_price", "SoC (MWh)": "soc_mwh"}[trace["name"]]
        x, y = values(trace["x"]), values(trace["y"])
        positions = np.searchsorted(starts_ms, x.astype(np.int64))
        assert np.array_equal(starts_ms[positions], x.astype(np.int64))  # every x is an interval's instant
        full = intervals[column].clip(lower=0) if column == "soc_mwh" else intervals[column]
        decimals = 3 if column == "soc_mwh" else 2
        np.testing.assert_array_equal(np.round(y.astype(float), decimals), np.round(full.to_numpy()[positions],
                                                                                    decimals))
        assert np.isclose(y.max(), full.max(), atol=10.0 ** -decimals)  # the extremes are kept
        assert np.isclose(y.min(), full.min(), atol=10.0 ** -decimals)
    daily = daily_revenue_figure(intervals, 3.0, "light", "daily").to_plotly_json()
    assert daily["layout"]["xaxis"]["type"] == "date"
    bars = daily["data"][0]
    assert "x" not in bars and bars["x0"] == FIRST.isoformat() and bars["dx"] == 86_400_000
    assert len(values(bars["y"])) == (LAST - FIRST).days + 1
    zoomed = line_detail(intervals, "2020-02-01", "2020-02-03")["DA price"]
    assert zoomed["x"].dtype == np.float64 and len(zoomed["x"]) == len(zoomed["customdata"])
