from datetime import date

import numpy as np
import pandas as pd
import pytest

from optimiser import InvalidParameters, InvalidPrices, read_price_csv
from optimiser.prices import range_inputs
from tests.optimiser.helpers import SEED_PRICE_FILE, prices_for


def test_seed_file_covers_settlement_dates_from_14_january_to_30_april(seed_prices):
    inputs = range_inputs(seed_prices, date(2023, 1, 14), date(2023, 4, 30))
    assert inputs.days[0].settlement_date == date(2023, 1, 14)
    assert inputs.days[-1].settlement_date == date(2023, 4, 30)
    assert [d.n_periods for d in inputs.days].count(46) == 1  # 2023-03-26, spring clock change
    assert len(inputs.index) == 107 * 48 - 2


def test_seed_file_lacks_the_second_period_of_1_may_and_the_error_names_it(seed_prices):
    # Local 1 May starts at 23:00 UTC on 30 April (BST); the file stops at 30 April 23:00 UTC.
    with pytest.raises(InvalidPrices) as error:
        range_inputs(seed_prices, date(2023, 4, 29), date(2023, 5, 1))
    message = str(error.value)
    assert "day-ahead prices are missing for 47 of the 144 half-hours" in message
    assert "2023-05-01 SP2 (2023-04-30 23:30 UTC)" in message


def test_seed_file_reads_as_utc_with_the_seed_columns():
    frame = read_price_csv(SEED_PRICE_FILE)
    assert str(frame.index.tz) == "UTC"
    assert frame.index[0] == pd.Timestamp("2023-01-14 00:00", tz="UTC")
    assert list(frame.columns) == ["day_ahead", "intraday"]
    assert frame.loc[pd.Timestamp("2023-01-14 01:30", tz="UTC"), "day_ahead"] == 138.94


def test_iso_price_file_is_read_and_timestamps_without_offset_are_refused(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        "interval_start_utc,day_ahead,intraday\n2023-01-14T00:00:00Z,10,11\n2023-01-14T00:30:00+00:00,10,12\n"
    )
    frame = read_price_csv(good)
    assert list(frame["intraday"]) == [11, 12]
    naive = tmp_path / "naive.csv"
    naive.write_text("interval_start_utc,day_ahead,intraday\n2023-01-14 00:00,10,11\n")
    with pytest.raises(InvalidPrices, match="has no UTC offset"):
        read_price_csv(naive)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("when,price\n2023-01-14T00:00:00Z,10\n")
    with pytest.raises(InvalidPrices, match="expected interval_start_utc, day_ahead, intraday"):
        read_price_csv(wrong)


def test_blank_price_in_the_range_is_refused_naming_the_period():
    prices = prices_for(date(2023, 6, 1), date(2023, 6, 1))
    prices.iloc[10, 1] = np.nan
    with pytest.raises(
        InvalidPrices, match=r"intraday prices are blank or not numbers for 1 half-hours.*2023-06-01 SP11"
    ):
        range_inputs(prices, date(2023, 6, 1), date(2023, 6, 1))


def test_prices_outside_the_range_may_be_missing():
    prices = prices_for(date(2023, 6, 1), date(2023, 6, 3))
    inputs = range_inputs(prices, date(2023, 6, 2), date(2023, 6, 2))
    assert [d.settlement_date for d in inputs.days] == [date(2023, 6, 2)]


def test_day_ahead_prices_that_differ_within_a_clock_hour_are_refused_naming_the_hour():
    prices = prices_for(date(2023, 6, 1), date(2023, 6, 1))
    # 2023-06-01 is in BST: local 02:00 is 01:00 UTC, periods 5 and 6.
    prices.loc[pd.Timestamp("2023-06-01 01:30", tz="UTC"), "day_ahead"] = 51.0
    with pytest.raises(InvalidPrices) as error:
        range_inputs(prices, date(2023, 6, 1), date(2023, 6, 1))
    assert "clock hour starting 2023-06-01 02:00 BST · SP5 (2023-06-01 01:00 UTC): 50 and 51 £/MWh" in str(error.value)


def test_day_ahead_prices_paired_on_the_half_hour_are_refused():
    # A file whose DA hours run :30 to :30 is misaligned with the auction's clock hours.
    prices = prices_for(
        date(2023, 1, 10), date(2023, 1, 10), day_ahead=np.r_[10.0, np.repeat(np.arange(1, 25), 2)[:-1]]
    )
    with pytest.raises(InvalidPrices, match="clock hour starting 2023-01-10 00:00 GMT · SP1"):
        range_inputs(prices, date(2023, 1, 10), date(2023, 1, 10))


def test_empty_range_is_refused():
    prices = prices_for(date(2023, 6, 1), date(2023, 6, 2))
    with pytest.raises(
        InvalidParameters, match="the date range is empty: it ends on 2023-06-01, before it starts on 2023-06-02"
    ):
        range_inputs(prices, date(2023, 6, 2), date(2023, 6, 1))


def test_prices_without_timezone_or_columns_are_refused():
    prices = prices_for(date(2023, 6, 1), date(2023, 6, 1))
    with pytest.raises(InvalidPrices, match="without a timezone"):
        range_inputs(prices.tz_localize(None), date(2023, 6, 1), date(2023, 6, 1))
    with pytest.raises(InvalidPrices, match="prices have no 'intraday' column"):
        range_inputs(prices[["day_ahead"]], date(2023, 6, 1), date(2023, 6, 1))


def test_duplicate_intervals_are_refused():
    prices = prices_for(date(2023, 6, 1), date(2023, 6, 1))
    doubled = pd.concat([prices, prices.iloc[[3]]])
    with pytest.raises(InvalidPrices, match="more than one row for 2023-06-01 SP4"):
        range_inputs(doubled, date(2023, 6, 1), date(2023, 6, 1))


def test_prices_in_another_timezone_are_converted_to_utc():
    prices = prices_for(date(2023, 6, 1), date(2023, 6, 1), intraday=np.arange(48.0))
    local = prices.tz_convert("Europe/London")
    inputs = range_inputs(local, date(2023, 6, 1), date(2023, 6, 1))
    np.testing.assert_array_equal(inputs.intraday, np.arange(48.0))
