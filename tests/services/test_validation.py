from datetime import date

import pytest

from services.errors import InvalidInput
from services.validation import parse_choices, parse_date, parse_date_range, parse_text


def test_strict_dates_in_range_are_accepted():
    assert parse_date("2023-03-26") == date(2023, 3, 26)
    assert parse_date("2023-03-26T00:00:00", allow_midnight_suffix=True) == date(2023, 3, 26)


@pytest.mark.parametrize("value", ["9999-12-31", "1999-12-31", "2100-01-01", "2023-3-26", "26/03/2023",
                                   "2023-02-29", "2023-03-26T00:00:00", "2023-03-26T01:00:00", "", None,
                                   ["2023-03-26"], {"a": 1}, 20230326])
def test_anything_else_is_invalid_input_with_a_message(value):
    with pytest.raises(InvalidInput, match="start"):
        parse_date(value, "start")


def test_a_range_must_be_in_order():
    with pytest.raises(InvalidInput, match="before the start"):
        parse_date_range("2023-03-02", "2023-03-01")


def test_text_and_choices_refuse_the_wrong_types():
    assert parse_text("  nina ", "a user name") == "nina"
    for bad in ({"x": 1}, ["a"], 5):
        with pytest.raises(InvalidInput, match="must be text"):
            parse_text(bad, "a user name")
    with pytest.raises(InvalidInput, match="longer than"):
        parse_text("x" * 300, "a name")
    assert parse_choices(None, "markets", ("a", "b")) == ()
    with pytest.raises(InvalidInput):
        parse_choices("a", "markets", ("a", "b"))
