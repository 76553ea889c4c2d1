from datetime import date

import pandas as pd

from components.schedule import capture_ratio, intervals_export, run_rows, schedule_figure, zoom_ticks
from domain.settlement_time import settlement_index
from tests.plotly_data import values


def intervals_between(first: date, last: date) -> pd.DataFrame:
    frame = settlement_index(first, last)
    n = len(frame)
    for column in ("da_buy_mw", "da_sell_mw", "id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw", "da_cash_gbp",
                   "id_cash_gbp"):
        frame[column] = 0.0
    frame["da_sell_mw"] = [10.0 if p > 40 else 0.0 for p in frame["settlement_period"]]
    frame["soc_mwh"] = [float(i) for i in range(n)]
    frame["da_price"] = frame["id_price"] = 50.0
    return frame


def autumn_intervals() -> pd.DataFrame:
    return intervals_between(date(2023, 10, 29), date(2023, 10, 29))


def test_schedule_figure_plots_net_sales_on_a_50_period_day():
    figure = schedule_figure(autumn_intervals(), "dark")
    da_net = next(trace for trace in figure.data if trace.name == "DA net sales (MW)")
    assert len(da_net.x) == 50 and max(da_net.y) == 10.0
    assert da_net.customdata[5] == "Sun 29 Oct 01:30 GMT · SP6"


def test_a_price_and_its_market_position_never_share_a_colour_or_a_legend_style():
    figure = schedule_figure(autumn_intervals(), "light")
    by_name = {trace.name: trace for trace in figure.data}
    da_price, da_net = by_name["DA price"], by_name["DA net sales (MW)"]
    id_price, id_net = by_name["ID price"], by_name["ID net sales (MW)"]
    assert da_price.type == "scatter" and da_net.type == "bar"
    assert da_price.line.color != da_net.marker.color and id_price.line.color != id_net.marker.color


def test_a_month_of_positions_is_shown_per_day_not_as_a_barcode():
    figure = schedule_figure(intervals_between(date(2023, 3, 1), date(2023, 3, 30)), "light")
    da_sold = next(trace for trace in figure.data if trace.name == "DA sold (MWh/day)")
    assert len(da_sold.x) == 30 and figure.layout.barmode == "relative"
    assert list(da_sold.y[:2]) == [40.0, 40.0]  # 8 periods at 10 MW for half an hour each
    assert not any(len(trace.x) > 30 for trace in figure.data if trace.type == "bar")
    assert not any(trace.name.startswith("Physical") for trace in figure.data)


def test_zooming_to_a_few_hours_labels_hours_and_settlement_periods_in_uk_time():
    tickvals, ticktext = zoom_ticks("2023-06-01 23:00:00", "2023-06-02 03:00:00")  # UTC: 00:00-04:00 BST
    assert ticktext[0] == "00:00<br>SP1" and ticktext[1] == "00:30<br>SP2"
    assert tickvals[0] == pd.Timestamp("2023-06-01 23:00")  # UTC, as every time axis carries it
    _, day_text = zoom_ticks("2023-03-26 00:00", "2023-03-27 00:00")
    assert "03:00 SP5" in day_text  # the spring day: 03:00 BST is the fifth period
    _, month_text = zoom_ticks("2023-03-01", "2023-03-31")
    assert 5 <= len(month_text) <= 11 and month_text[0] == "Wed 01 Mar"


def test_export_puts_uk_local_time_beside_utc():
    export = intervals_export(autumn_intervals())
    assert list(export.columns[:2]) == ["interval_start_utc", "local_time"]
    assert export["local_time"].iloc[3] == "2023-10-29 01:30 BST"
    assert export["local_time"].iloc[5] == "2023-10-29 01:30 GMT"
    assert export["interval_start_utc"].iloc[0] == "2023-10-28T23:00:00+00:00"


def test_export_rounds_solver_noise_away():
    frame = autumn_intervals()
    frame.loc[0, "soc_mwh"] = -1.5e-14
    frame.loc[1, "da_cash_gbp"] = 7091.750000000001
    frame.loc[2, "charge_mw"] = -0.0
    export = intervals_export(frame)
    assert export["soc_mwh"].iloc[0] == 0.0 and str(export["soc_mwh"].iloc[0]) == "0.0"
    assert export["da_cash_gbp"].iloc[1] == 7091.75
    assert str(export["charge_mw"].iloc[2]) == "0.0"


def test_capture_ratio_needs_a_positive_bound():
    assert capture_ratio(50.0, 200.0) == 0.25
    assert capture_ratio(50.0, None) is None and capture_ratio(50.0, 0.0) is None


def test_run_rows_round_capture_to_one_decimal():
    class Run:
        id, name, markets, status, created_by, created_by_id = 3, "x", "da+id", "succeeded", None, None
        first_date, last_date = date(2023, 2, 1), date(2023, 2, 3)
        created_at = pd.Timestamp("2023-02-04 10:00", tz="UTC").to_pydatetime()
        totals = {"net_revenue_gbp": 7091.750000000001, "net_revenue_gbp_per_mw_year": 1234.5678,
                  "baselines": {"joint_net_revenue_gbp": 20000.0}}

    row = run_rows([Run()])[0]
    assert row["capture"] == 35.5 and row["net_revenue_gbp"] == 7091.75 and row["days"] == 3
    assert values([1, 2]).tolist() == [1, 2]
