import base64

from data_access.prices import coverage
from tests.dash_requests import fire

GOOD_CSV = (
    "interval_start_utc,day_ahead,intraday\n"
    "2024-01-01T00:00:00Z,61.5,60.0\n"
    "2024-01-01T00:30:00Z,61.5,58.25\n"
)


def upload_value(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def stored_counts(server) -> dict:
    with server.extensions["powerdesk"].db.session() as session:
        return {row.market: row.intervals for row in coverage(session)}


def test_trader_upload_stores_all_rows_and_says_what_it_stored(dash_app, client_as):
    before = stored_counts(dash_app.server)
    response = fire(client_as("trader"), dash_app, "prices-upload-status.children",
                    {"prices-upload.contents": upload_value(GOOD_CSV), "prices-upload.filename": "jan.csv"})
    assert response.status_code == 200
    message = str(response.json["response"])
    assert "Read 4 prices from jan.csv" in message and "4 were new" in message
    after = stored_counts(dash_app.server)
    assert after["day_ahead"] == before["day_ahead"] + 2 and after["intraday"] == before["intraday"] + 2


def test_bad_upload_shows_the_problem_and_stores_nothing(dash_app, client_as):
    before = stored_counts(dash_app.server)
    bad = GOOD_CSV + "2024-01-01T01:00:00Z,abc,1\n"
    response = fire(client_as("trader"), dash_app, "prices-upload-status.children",
                    {"prices-upload.contents": upload_value(bad), "prices-upload.filename": "bad.csv"})
    assert response.status_code == 200
    message = str(response.json["response"])
    assert "Nothing was stored" in message and "not a number" in message and "danger" in message
    assert stored_counts(dash_app.server) == before


def test_prices_callback_shows_a_clock_change_day_with_46_rows(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "prices-chart.figure",
                    {"prices-dates.start_date": "2023-03-26", "prices-dates.end_date": "2023-03-26",
                     "prices-markets.value": ["day_ahead", "intraday"], "theme-store.data": "dark"})
    result = response.json["response"]
    rows = result["prices-table"]["rowData"]
    assert len(rows) == 46
    assert rows[2]["local_time"] == "2023-03-26 02:00 BST" and rows[2]["settlement_period"] == 3
    assert len(result["prices-chart"]["figure"]["data"]) == 2


def test_inverted_date_range_shows_a_message(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "prices-chart.figure",
                    {"prices-dates.start_date": "2023-03-10", "prices-dates.end_date": "2023-03-01",
                     "prices-markets.value": ["day_ahead"]})
    result = response.json["response"]
    assert "before the start date" in str(result["prices-message"]["children"])
    assert result["prices-table"]["rowData"] == []


def test_download_sends_a_csv_with_utc_and_settlement_columns(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "prices-download.data",
                    {"prices-dates.start_date": "2023-10-01", "prices-dates.end_date": "2023-10-01",
                     "prices-markets.value": ["day_ahead"], "prices-download-button.n_clicks": 1})
    # demo data ends in April: the file has a header and no rows
    content = response.json["response"]["prices-download"]["data"]["content"]
    assert content.splitlines()[0] == "interval_start_utc,settlement_date,settlement_period"
    response = fire(client_as("viewer"), dash_app, "prices-download.data",
                    {"prices-dates.start_date": "2023-02-01", "prices-dates.end_date": "2023-02-01",
                     "prices-markets.value": ["day_ahead"], "prices-download-button.n_clicks": 1})
    lines = response.json["response"]["prices-download"]["data"]["content"].splitlines()
    assert lines[0] == "interval_start_utc,day_ahead,settlement_date,settlement_period"
    assert len(lines) == 49 and lines[1].startswith("2023-02-01T00:00:00+00:00,")


def test_malformed_dates_get_a_message_not_a_server_error(dash_app, client_as):
    client = client_as("viewer")
    response = fire(client, dash_app, "prices-chart.figure",
                    {"prices-dates.start_date": "2023-02-30", "prices-dates.end_date": "2023-03-01",
                     "prices-markets.value": ["day_ahead"]})
    assert response.status_code == 200
    assert "not a date range" in str(response.json["response"]["prices-message"]["children"])
    download = fire(client, dash_app, "prices-download.data",
                    {"prices-dates.start_date": None, "prices-dates.end_date": None,
                     "prices-download-button.n_clicks": 1})
    assert download.status_code in (200, 204)  # no_update: nothing to send, and no error
    assert "prices-download" not in (download.get_json(silent=True) or {}).get("response", {})
