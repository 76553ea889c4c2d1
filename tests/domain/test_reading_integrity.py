"""domain.reading_integrity: the window of plausible times and the power limit from the asset's rating."""

from datetime import UTC, datetime

import pandas as pd

from domain.reading_integrity import UNRATED_LIMIT_KW, power_limit_kw, reading_problems

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def times(*texts: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(texts), utc=True))


def test_the_limit_is_ten_times_the_rating_or_ten_gigawatts_when_unrated():
    assert power_limit_kw(500.0) == 5_000.0
    assert power_limit_kw(None) == UNRATED_LIMIT_KW == 1e7
    assert power_limit_kw(0.0) == UNRATED_LIMIT_KW


def test_times_outside_2000_to_a_day_after_now_are_refused_with_the_reason():
    reasons = reading_problems(times("1999-12-31T23:59:59Z", "2000-01-01T00:00:00Z", "2026-06-02T12:00:00Z",
                                     "2026-06-02T12:00:01Z", "0261-01-01T00:00:00Z"),
                               pd.Series([1.0] * 5), None, NOW)
    assert reasons[1] is None and reasons[2] is None
    assert "is before 2000-01-01" in reasons[0] and "is before 2000-01-01" in reasons[4]
    assert "more than a day after now (2026-06-01T12:00:00+00:00)" in reasons[3]


def test_powers_beyond_ten_times_the_rating_are_refused_both_signs():
    reasons = reading_problems(times(*["2019-11-25T00:00:00Z"] * 4), pd.Series([5_000.0, -5_000.0, 5_000.1, -1e12]),
                               500.0, NOW)
    assert list(reasons[:2]) == [None, None]
    assert reasons[2] == "power 5000.1 kW is outside ±5000 kW (10 × the asset's rating of 500 kW)"
    assert reasons[3].startswith("power -1e+12 kW is outside ±5000 kW")


def test_an_unrated_asset_may_report_up_to_ten_gigawatts_and_nan_is_refused():
    reasons = reading_problems(times(*["2019-11-25T00:00:00Z"] * 3), pd.Series([1e7, -1e7 - 1, float("nan")]),
                               None, NOW)
    assert reasons[0] is None
    assert "(10 GW: the asset has no registered rating)" in reasons[1]
    assert "power nan kW" in reasons[2]
