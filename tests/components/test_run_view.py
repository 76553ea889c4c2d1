from datetime import UTC, date, datetime
from types import SimpleNamespace

import numpy as np

from components.run_comparison import comparison_figure, comparison_table, differing_parameters
from components.run_view import (
    daily_operation_figure,
    daily_pnl,
    daily_revenue_figure,
    kpi_cards,
    plain_title,
    soc_heatmap_figure,
    soc_matrix,
)
from tests.components.test_schedule import intervals_between

SPRING = date(2023, 3, 26)


def fake_run(run_id=1, name="<b>spring</b>", power=10.0, days=3, status="optimal"):
    return SimpleNamespace(
        id=run_id, name=name, status=status, message="", markets="da+id",
        first_date=date(2023, 3, 25), last_date=date(2023, 3, 27), created_by=None, created_by_id=None,
        created_at=datetime(2023, 3, 28, tzinfo=UTC), started_at=None, finished_at=None, input_fingerprint="ab" * 32,
        params={"battery": {"power_mw": power, "energy_mwh": 20.0, "degradation_cost_gbp_per_mwh": 2.0},
                "solver": {"mip_gap": 0.0001}},
        solver_stats={"solver": "highs", "max_mip_gap": None, "build_seconds": 0.1, "solve_seconds": 0.2,
                      "total_seconds": 0.4},
        totals={"net_revenue_gbp": 350.0, "da_revenue_gbp": 300.0, "id_revenue_gbp": 80.0,
                "degradation_cost_gbp": 30.0, "cycles": 3.0, "discharged_mwh": 60.0,
                "net_revenue_gbp_per_mw_year": 4258.3, "days": days,
                "baselines": {"joint_net_revenue_gbp": 1000.0, "naive_net_revenue_gbp": 250.0}},
    )


def test_the_daily_operation_of_the_spring_clock_change_day_has_46_periods():
    intervals = intervals_between(date(2023, 3, 25), date(2023, 3, 27))
    figure = daily_operation_figure(intervals, SPRING, "light", "Run #1")
    assert {len(trace.x) for trace in figure.data} == {46}
    assert list(figure.data[0].x[:3]) == [1, 2, 3] and figure.data[0].x[-1] == 46
    ticks = figure.layout.xaxis.ticktext
    assert ticks[0] == "SP1<br>00:00 GMT" and ticks[1] == "SP5<br>03:00 BST"  # 01:00-02:00 does not exist
    assert {trace.type for trace in figure.data} == {"bar", "scatter"}
    assert figure.layout.barmode == "relative"
    prices = [trace for trace in figure.data if "price" in trace.name]
    assert all(trace.yaxis == "y2" for trace in prices)


def test_the_soc_heatmap_is_dates_by_periods_with_gaps_for_missing_periods():
    intervals = intervals_between(date(2023, 3, 25), date(2023, 3, 27))
    matrix = soc_matrix(intervals)
    assert matrix.shape == (3, 48)
    assert np.isnan(matrix.loc[SPRING, 47]) and np.isnan(matrix.loc[SPRING, 48])
    autumn = soc_matrix(intervals_between(date(2023, 10, 28), date(2023, 10, 30)))
    assert autumn.shape == (3, 50) and autumn.loc[date(2023, 10, 28)].isna().sum() == 2
    figure = soc_heatmap_figure(intervals, "dark", "SoC")
    assert np.asarray(figure.data[0].z).shape == (3, 48)


def test_daily_pnl_splits_markets_and_accumulates():
    intervals = intervals_between(date(2023, 3, 25), date(2023, 3, 26))
    intervals["da_cash_gbp"] = 1.0
    intervals["discharge_mw"] = 2.0
    daily = daily_pnl(intervals, degradation_gbp_per_mwh=3.0)
    assert daily["da_gbp"].tolist() == [48.0, 46.0]
    assert daily["degradation_gbp"].tolist() == [-144.0, -138.0]  # 2 MW × 0.5 h × £3 per period
    assert daily["cumulative_gbp"].iloc[-1] == daily["net_gbp"].sum()
    figure = daily_revenue_figure(intervals, 3.0, "light", "Daily revenue")
    assert [trace.name for trace in figure.data] == ["DA revenue", "ID revenue", "Degradation", "Cumulative net P&L"]
    assert figure.data[-1].yaxis == "y2"


def test_kpi_cards_warn_when_per_mw_year_comes_from_a_short_range_and_round_capture_alike():
    text = str(kpi_cards(fake_run(days=3)))
    assert "annualised from 3 days" in text and "1.00 a day over 3 days" in text
    assert "a day over 1 day\'" in str(kpi_cards(fake_run(days=1))).replace('"', "'")
    assert "35.0%" in text and "perfect foresight of both prices" in text
    assert "£100" in text and "40.0% over naive" in text  # uplift 350 − 250
    assert "annualised" not in str(kpi_cards(fake_run(days=60)))
    failed = fake_run(status="infeasible")
    failed.totals = None
    assert "infeasible" in str(kpi_cards(failed)) and "It has no schedule" in str(kpi_cards(failed))


def test_a_run_name_is_text_in_chart_titles():
    assert plain_title("<b>x</b> & <img src=1>") == "&lt;b&gt;x&lt;/b&gt; &amp; &lt;img src=1&gt;"
    intervals = intervals_between(date(2023, 3, 25), date(2023, 3, 25))
    figure = daily_operation_figure(intervals, date(2023, 3, 25), "light", "Run #1: <b>spring</b>")
    assert "<b>" not in figure.layout.title.text and "&lt;b&gt;spring" in figure.layout.title.text


def test_comparison_highlights_only_the_parameters_that_differ():
    intervals = intervals_between(date(2023, 3, 25), date(2023, 3, 27))
    runs = [(fake_run(1, "a", power=10.0), intervals), (fake_run(2, "b", power=20.0), intervals)]
    assert differing_parameters(runs) == ["Power (MW)"]
    table = str(comparison_table(runs))
    assert table.count("table-warning") == 1
    figure = comparison_figure(runs, "light")
    assert len(figure.data) == 4 and {trace.line.color for trace in figure.data} == {"#0d6efd", "#d63384"}


def test_second_y_axes_get_round_ticks_of_their_own():
    # Plotly.js 3 syncs an overlaying axis's ticks to the main axis's gridlines by default: the cumulative
    # £ and the £/MWh axes read £60,659 or 157.8; "auto" gives them round values.
    intervals = intervals_between(date(2023, 3, 25), date(2023, 3, 27))
    for figure in (daily_revenue_figure(intervals, 3.0, "dark", "Daily revenue"),
                   daily_operation_figure(intervals, SPRING, "light", "Run #1")):
        overlaying = [axis for axis in (figure.layout[name] for name in figure.layout if name.startswith("yaxis"))
                      if axis.overlaying]
        assert overlaying, "the figure has no second y axis"
        assert {axis.tickmode for axis in overlaying} == {"auto"}
        assert figure.layout.yaxis.tickmode is None  # the main axis keeps Plotly's own choice
