"""Prices of exactly £0.00 in a run's intervals are flagged on the run."""

from datetime import date

import numpy as np

from domain.settlement_time import settlement_index
from services.run_warnings import zero_price_warnings


def intervals(da, id_):
    frame = settlement_index(date(2023, 2, 1), date(2023, 2, 1))
    frame["da_price"] = da
    frame["id_price"] = id_
    return frame


def test_no_zero_price_no_warning():
    assert zero_price_warnings(intervals(50.0, 60.0)) == []
    assert zero_price_warnings(intervals(0.001, -0.5)) == []


def test_zero_in_one_market_is_counted_with_its_first_interval():
    da = np.full(48, 50.0)
    da[[10, 11]] = 0.0
    lines = zero_price_warnings(intervals(da, 60.0))
    assert lines[0].startswith("2 of the 48 half-hours have a day-ahead price of exactly £0.00/MWh")
    assert "2023-02-01 05:00 GMT · SP11" in lines[0]
    assert not any("every market" in line for line in lines)


def test_zero_in_every_market_at_once_says_so():
    da, id_ = np.full(48, 50.0), np.full(48, 40.0)
    da[[3, 4, 20]] = 0.0
    id_[[4, 20, 30]] = 0.0
    lines = zero_price_warnings(intervals(da, id_))
    assert any(line.startswith("3 of the 48 half-hours have a day-ahead") for line in lines)
    assert any(line.startswith("3 of the 48 half-hours have an intraday price") for line in lines)
    every = [line for line in lines if "every market" in line]
    assert len(every) == 1 and every[0].startswith("In 2 half-hours") and "SP5" in every[0]


def test_a_market_the_run_did_not_trade_is_left_out():
    da = np.full(48, 0.0)
    lines = zero_price_warnings(intervals(da, np.nan))
    assert len(lines) == 2 and "48 of the 48" in lines[0] and not any("every market" in line for line in lines)
