from datetime import date

import numpy as np
import pandas as pd

from components.price_figures import heatmap_chart, one_day_axis, series_chart
from domain.settlement_time import settlement_index


def frame(first: date, last: date) -> pd.DataFrame:
    index = settlement_index(first, last)
    prices = pd.DataFrame({"day_ahead": np.arange(len(index), dtype=float)},
                          index=pd.DatetimeIndex(index["interval_start_utc"]))
    return prices.assign(settlement_date=index["settlement_date"].to_numpy(),
                         settlement_period=index["settlement_period"].to_numpy())


def test_one_autumn_day_has_50_periods_and_both_one_oclocks():
    axis = one_day_axis(frame(date(2023, 10, 29), date(2023, 10, 29)))
    assert axis["range"] == [0.5, 50.5] and "50 periods" in axis["title_text"]
    labels = dict(zip(axis["tickvals"], axis["ticktext"], strict=True))
    assert labels[1] == "SP1<br>00:00 BST" and labels[5] == "SP5<br>01:00 GMT" and labels[9] == "SP9<br>03:00 GMT"
    normal = one_day_axis(frame(date(2023, 11, 1), date(2023, 11, 1)))
    assert normal["ticktext"][1] == "SP5<br>02:00" and normal["range"] == [0.5, 48.5]


def test_series_chart_of_one_day_uses_settlement_periods_and_heatmap_leaves_missing_periods_blank():
    prices = frame(date(2023, 10, 29), date(2023, 10, 30))
    figure = series_chart(prices.loc[prices["settlement_date"] == date(2023, 10, 29)], ["day_ahead"], None)
    assert list(figure.data[0].x) == list(range(1, 51))
    heat = heatmap_chart(prices, "day_ahead", None).data[0]
    assert list(heat.x) == list(range(1, 51))
    assert np.isnan(heat.z[1][48]) and not np.isnan(heat.z[0][49])  # 30 Oct has 48 periods
