"""Every page that opens on a date range reads the same span of stored prices (services.prices.price_dates).

The seeded database holds the seed file: 2023-01-14 to 2023-04-30 whole, and 2023-05-01's lone SP1.
"""

from components import run_form as form
from tests.dash_requests import fire

PRICES_DATES = "prices-dates"  # pages.prices.DATES (pages register themselves on import, so not imported here)
STUDY_DATES = "studies-new-dates"  # pages.studies.NEW_DATES


def initialised(client, dash_app, output: str) -> dict:
    response = fire(client, dash_app, output)
    assert response.status_code == 200
    return response.json["response"]


def test_the_prices_page_offers_every_stored_date_and_opens_on_the_last_complete_week(dash_app, client_as):
    result = initialised(client_as("viewer"), dash_app, f"{PRICES_DATES}.min_date_allowed")
    dates = result[PRICES_DATES]
    assert (dates["min_date_allowed"], dates["max_date_allowed"]) == ("2023-01-14", "2023-05-01")
    assert (dates["start_date"], dates["end_date"]) == ("2023-04-24", "2023-04-30")
    # The calendar ignores a date typed outside these, so the page says which dates there are.
    assert result["prices-dates-hint"]["children"] == ("Prices are stored from 2023-01-14 to 2023-05-01. "
                                                       "Opened on the latest week with every market.")


def test_the_new_run_form_is_limited_to_whole_days_and_opens_on_its_default_series_last_week(dash_app, client_as):
    result = initialised(client_as("trader"), dash_app, f"{form.NEW_START}.min")
    assert (result[form.NEW_START]["min"], result[form.NEW_START]["max"]) == ("2023-01-14", "2023-04-30")
    assert (result[form.NEW_END]["min"], result[form.NEW_END]["max"]) == ("2023-01-14", "2023-04-30")
    assert (result[form.NEW_START]["value"], result[form.NEW_END]["value"]) == ("2023-04-24", "2023-04-30")
    assert result[form.NEW_SECTION]["hidden"] is False


def test_a_new_study_is_limited_to_whole_days_and_opens_on_the_last_month(dash_app, client_as):
    result = initialised(client_as("trader"), dash_app, f"{STUDY_DATES}.min_date_allowed")
    dates = result[STUDY_DATES]
    assert (dates["min_date_allowed"], dates["max_date_allowed"]) == ("2023-01-14", "2023-04-30")
    assert (dates["start_date"], dates["end_date"]) == ("2023-04-01", "2023-04-30")


def test_the_new_run_dates_are_text_fields_that_say_how_to_type_them(dash_app):
    """Not ``type="date"``, which Chromium draws in the browser's locale (mm/dd/yyyy in en-US)."""
    card = form.new_run_card()
    fields = {c.id: c for c in card._traverse() if getattr(c, "id", None) in (form.NEW_START, form.NEW_END)}
    assert set(fields) == {form.NEW_START, form.NEW_END}
    for field in fields.values():
        assert (field.type, field.placeholder) == ("text", "DD/MM/YYYY or YYYY-MM-DD")
