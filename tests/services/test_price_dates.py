"""services.prices.price_dates: the span every page's date picker opens on."""

from datetime import date

from data_access.price_files import MID_DEMO_FILE
from services.prices import import_prices, price_dates
from tests.services.test_price_imports import demo_lines


def mid_rows(keep) -> bytes:
    return ("\n".join(demo_lines(MID_DEMO_FILE, lambda line: keep(*line.split(",")[2:4]))) + "\n").encode()


def test_no_stored_prices_give_no_span(db):
    assert price_dates(db) is None


def test_a_file_that_stops_mid_day_ends_the_span_there_but_the_default_on_the_last_whole_day(db):
    # 25 March whole, 26 March (46 periods: the spring clock change) whole, 27 March only periods 1-10.
    content = mid_rows(lambda day, period: "2023-03-25" <= day <= "2023-03-26"
                       or (day == "2023-03-27" and int(period) <= 10))
    import_prices(db, content, "mid.csv")
    dates = price_dates(db)
    assert (dates.first_date, dates.last_date, dates.last_complete_date) == (
        date(2023, 3, 25), date(2023, 3, 27), date(2023, 3, 26))
    assert [(row.market, row.partial_periods) for row in dates.coverage] == [("market_index", 10)]


def test_the_span_runs_from_the_first_to_the_last_stored_date_across_a_gap(db):
    import_prices(db, mid_rows(lambda day, _period: day == "2023-03-20"), "mid-early.csv")
    import_prices(db, mid_rows(lambda day, _period: day == "2023-04-02"), "mid-late.csv")
    dates = price_dates(db)
    assert (dates.first_date, dates.last_date, dates.last_complete_date) == (
        date(2023, 3, 20), date(2023, 4, 2), date(2023, 4, 2))
