from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from domain.settlement_time import (
    SettlementPeriod,
    clock_change_days,
    day_start_utc,
    format_local,
    period_start_utc,
    periods_in_day,
    settlement_index,
    settlement_periods_of,
    to_settlement_period,
)

YEARS = range(2015, 2036)


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@pytest.mark.parametrize("year", YEARS)
def test_clock_change_days_are_last_sundays_of_march_and_october(year):
    spring, autumn = clock_change_days(year)
    assert spring == last_sunday(year, 3)
    assert autumn == last_sunday(year, 10)
    assert periods_in_day(spring) == 46
    assert periods_in_day(autumn) == 50


@pytest.mark.parametrize("year", YEARS)
def test_every_other_day_of_the_year_has_48_periods(year):
    spring, autumn = clock_change_days(year)
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D").date
    counts = {day: periods_in_day(day) for day in days}
    assert {day for day, count in counts.items() if count != 48} == {spring, autumn}
    assert sum(counts.values()) == len(days) * 48


@pytest.mark.parametrize("year", YEARS)
def test_every_half_hour_of_the_year_round_trips(year):
    frame = settlement_index(date(year, 1, 1), date(year, 12, 31))
    starts = pd.DatetimeIndex(frame["interval_start_utc"])
    # contiguous half-hours from local midnight on 1 Jan to local midnight on 1 Jan next year
    assert starts[0] == pd.Timestamp(day_start_utc(date(year, 1, 1)))
    assert (starts[1:] - starts[:-1] == pd.Timedelta(minutes=30)).all()
    assert starts[-1] + pd.Timedelta(minutes=30) == pd.Timestamp(day_start_utc(date(year + 1, 1, 1)))
    # UTC -> (date, period), vectorised, agrees with the index and with the defining formula
    dates, periods = settlement_periods_of(starts)
    assert dates == list(frame["settlement_date"])
    assert periods == list(frame["settlement_period"])
    expected = [pd.Timestamp(day_start_utc(d)) + (p - 1) * pd.Timedelta(minutes=30) for d, p in zip(dates, periods, strict=True)]
    assert list(starts) == expected
    # periods restart at 1 on each settlement date and run to that date's count
    per_day = frame.groupby("settlement_date")["settlement_period"].agg(["min", "max", "count"])
    assert (per_day["min"] == 1).all()
    assert (per_day["max"] == per_day["count"]).all()
    assert sorted(per_day["count"].unique()) == [46, 48, 50]


@pytest.mark.parametrize("year", [2015, 2023, 2024, 2035])
def test_scalar_conversions_round_trip_every_half_hour(year):
    frame = settlement_index(date(year, 1, 1), date(year, 12, 31))
    for start, day, period in frame.itertuples(index=False):
        instant = start.to_pydatetime()
        assert to_settlement_period(instant) == SettlementPeriod(day, period)
        assert period_start_utc(day, period) == instant


def test_spring_day_skips_the_missing_local_hour():
    day = date(2023, 3, 26)
    assert period_start_utc(day, 1) == datetime(2023, 3, 26, 0, 0, tzinfo=UTC)
    assert period_start_utc(day, 3) == datetime(2023, 3, 26, 1, 0, tzinfo=UTC)  # 02:00 BST
    assert period_start_utc(day, 46) == datetime(2023, 3, 26, 22, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="has 46 periods"):
        period_start_utc(day, 47)


def test_autumn_day_counts_the_repeated_local_hour_twice():
    day = date(2023, 10, 29)
    assert period_start_utc(day, 1) == datetime(2023, 10, 28, 23, 0, tzinfo=UTC)
    assert format_local(period_start_utc(day, 4)) == "2023-10-29 01:30 BST · SP4"
    assert format_local(period_start_utc(day, 6)) == "2023-10-29 01:30 GMT · SP6"
    assert period_start_utc(day, 50) == datetime(2023, 10, 29, 23, 30, tzinfo=UTC)


def test_bst_day_starts_at_2300_utc_the_day_before():
    assert to_settlement_period(datetime(2023, 6, 30, 23, 0, tzinfo=UTC)) == SettlementPeriod(date(2023, 7, 1), 1)
    assert to_settlement_period(datetime(2023, 6, 30, 22, 59, tzinfo=UTC)) == SettlementPeriod(date(2023, 6, 30), 48)


def test_instants_inside_a_period_map_to_that_period():
    assert to_settlement_period(datetime(2024, 1, 10, 12, 29, 59, tzinfo=UTC)).settlement_period == 25


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="no timezone"):
        to_settlement_period(datetime(2023, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="no timezone"):
        settlement_periods_of(pd.DatetimeIndex([datetime(2023, 1, 1)]))


def test_period_zero_and_inverted_ranges_are_refused():
    with pytest.raises(ValueError, match="does not exist"):
        period_start_utc(date(2023, 1, 1), 0)
    with pytest.raises(ValueError, match="ends"):
        settlement_index(date(2023, 1, 2), date(2023, 1, 1))
