"""The Carbon page's Battery runs tab, fired as the browser would."""

from tests.dash_requests import fire


def _annotation(response) -> str:
    return response["carbon-run-chart"]["figure"]["layout"]["annotations"][0]["text"]


def test_before_a_run_is_chosen_the_chart_says_so_and_not_that_a_run_has_no_schedule(dash_app, client_as):
    client = client_as("viewer")
    empty = fire(client, dash_app, "carbon-run-chart.figure", {"carbon-run.value": None}).json["response"]
    assert _annotation(empty) == "No run chosen"
    assert "Choose a stored run" in str(empty["carbon-run-message"]["children"])
    missing = fire(client, dash_app, "carbon-run-chart.figure", {"carbon-run.value": 999}).json["response"]
    assert _annotation(missing) == "No footprint to show"
    assert "999" in str(missing["carbon-run-message"]["children"])
