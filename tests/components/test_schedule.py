from datetime import date

import pandas as pd

from components.schedule import capture_ratio, intervals_export, schedule_figure
from domain.settlement_time import settlement_index


def autumn_intervals() -> pd.DataFrame:
    frame = settlement_index(date(2023, 10, 29), date(2023, 10, 29))
    n = len(frame)
    for column in ("da_buy_mw", "da_sell_mw", "id_buy_mw", "id_sell_mw", "charge_mw", "discharge_mw", "da_cash_gbp",
                   "id_cash_gbp"):
        frame[column] = 0.0
    frame["da_sell_mw"] = [10.0 if p > 40 else 0.0 for p in frame["settlement_period"]]
    frame["soc_mwh"] = range(n)
    frame["da_price"] = frame["id_price"] = 50.0
    return frame


def test_schedule_figure_plots_net_sales_on_a_50_period_day():
    figure = schedule_figure(autumn_intervals(), "dark")
    da_net = next(trace for trace in figure.data if trace.name == "DA net sales")
    assert len(da_net.x) == 50 and max(da_net.y) == 10.0
    assert da_net.customdata[5] == "Sun 29 Oct 01:30 GMT · SP6"


def test_export_puts_uk_local_time_beside_utc():
    export = intervals_export(autumn_intervals())
    assert list(export.columns[:2]) == ["interval_start_utc", "local_time"]
    assert export["local_time"].iloc[3] == "2023-10-29 01:30 BST"
    assert export["local_time"].iloc[5] == "2023-10-29 01:30 GMT"
    assert export["interval_start_utc"].iloc[0] == "2023-10-28T23:00:00+00:00"


def test_capture_ratio_needs_a_positive_bound():
    assert capture_ratio(50.0, 200.0) == 0.25
    assert capture_ratio(50.0, None) is None and capture_ratio(50.0, 0.0) is None
