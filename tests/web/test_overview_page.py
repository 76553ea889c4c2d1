from datetime import date

from data_access.schema import OptimisationRun
from tests.dash_requests import fire

OUTPUT = "overview-recent-chart.figure"


def overview(dash_app, client):
    return fire(client, dash_app, OUTPUT, {"overview-refresh.n_clicks": 0, "theme-store.data": "light"}).json[
        "response"]


def test_overview_shows_coverage_and_the_last_full_day(dash_app, client_as):
    result = overview(dash_app, client_as("viewer"))
    summary = str(result["overview-day-summary"]["children"])
    assert "Sunday 30 April 2023" in summary
    assert "48 periods" in summary
    coverage = str(result["overview-coverage"]["children"])
    assert "2023-01-14 – 2023-04-30 (107 d)" in coverage and "5,135" in coverage
    # the seed file stops at 2023-05-01 SP1 (23:00 UTC on 30 April): said as partial, not as "Last"
    assert "2023-04-30" in coverage and "2023-05-01 partial: 1 of 48 periods" in coverage
    assert "2023-05-01 SP1" not in coverage
    assert "No optimisation runs yet" in str(result["overview-latest-run"]["children"])
    figure = result["overview-recent-chart"]["figure"]
    assert len(figure["data"]) == 2 and len(figure["data"][0]["x"]) == 7 * 48


def test_overview_shows_the_latest_run(dash_app, client_as):
    with dash_app.server.extensions["powerdesk"].db.session() as session:
        session.add(OptimisationRun(name="Q1 backtest", first_date=date(2023, 1, 14), last_date=date(2023, 3, 31),
                                    markets="da+id", params={}, params_hash="h", input_fingerprint="f",
                                    status="optimal", totals={"net_revenue_gbp": 123456.7}))
    run_card = str(overview(dash_app, client_as("viewer"))["overview-latest-run"]["children"])
    assert "Q1 backtest" in run_card and "£123,457" in run_card and "optimal" in run_card
