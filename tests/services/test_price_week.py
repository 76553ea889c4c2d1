"""services.price_week.opening_week: the Prices page opens on the latest week that has every ticked market."""

from datetime import date

from data_access.price_files import MID_DEMO_FILE
from services.price_week import complete_days, opening_week
from services.prices import import_prices, load_demo_prices, prices_for_dates
from tests.services.test_price_imports import demo_lines


def test_the_demo_data_opens_on_the_last_week_with_day_ahead_intraday_and_the_market_index(db):
    load_demo_prices(db)  # day-ahead runs on to 2026, intraday stops on 30 April 2023
    week = opening_week(db, ("day_ahead", "intraday", "market_index"))
    assert (week.first, week.last, week.common) == (date(2023, 4, 24), date(2023, 4, 30), True)
    alone = opening_week(db, ("day_ahead",))
    assert alone.last > date(2026, 1, 1) and (alone.last - alone.first).days == 6


def test_a_clock_change_day_with_46_periods_counts_as_complete(db):
    content = "\n".join(demo_lines(MID_DEMO_FILE, lambda line: "2023-03-25" <= line.split(",")[2] <= "2023-03-27"))
    import_prices(db, (content + "\n").encode(), "mid.csv")
    frame = prices_for_dates(db, date(2023, 3, 25), date(2023, 3, 27), ("market_index",))
    assert complete_days(frame, ("market_index",)).to_dict() == {
        date(2023, 3, 25): True, date(2023, 3, 26): True, date(2023, 3, 27): True}
    week = opening_week(db, ("market_index", "intraday"))  # no intraday stored: the search leaves it out
    assert (week.first, week.last, week.common) == (date(2023, 3, 25), date(2023, 3, 27), True)


def test_no_prices_no_week(db):
    assert opening_week(db, ("day_ahead",)) is None
