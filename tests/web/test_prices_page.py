import base64

from data_access.prices import coverage
from tests.dash_requests import callback_body, find_callback_by_input, fire

GOOD_CSV = (
    "interval_start_utc,day_ahead,intraday\n"
    "2024-01-01T00:00:00Z,61.5,60.0\n"
    "2024-01-01T00:30:00Z,61.5,58.25\n"
)


def upload_value(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def preview(client, dash_app, text: str, name: str, fmt: str | None = None):
    values = {"prices-upload.contents": upload_value(text), "prices-upload.filename": name}
    if fmt:
        values["prices-upload-format.value"] = fmt
    return fire(client, dash_app, "prices-upload-status.children", values)


def act(client, dash_app, button: str, text: str, name: str, pending, last=None, fmt: str | None = None):
    """Press a flow button (confirm, good-lines, cancel, undo) with the upload still in the page."""
    key = find_callback_by_input(dash_app, f"prices-upload-{button}.n_clicks")
    values = {f"prices-upload-{button}.n_clicks": 1, "prices-upload.contents": upload_value(text),
              "prices-upload.filename": name, "prices-upload-pending.data": pending, "prices-upload-last.data": last,
              "prices-upload-format.value": fmt}
    return client.post("/_dash-update-component",
                       json=callback_body(dash_app, key, values, triggered=f"prices-upload-{button}.n_clicks"))


def pending_of(response) -> dict | None:
    return response.json["response"]["prices-upload-pending"]["data"]


def upload_and_confirm(client, dash_app, text: str, name: str, fmt: str | None = None):
    shown = preview(client, dash_app, text, name, fmt)
    return act(client, dash_app, "confirm", text, name, pending_of(shown), fmt=fmt)


def stored_counts(server) -> dict:
    with server.extensions["powerdesk"].db.session() as session:
        return {row.market: row.intervals for row in coverage(session)}


def test_trader_upload_previews_then_stores_on_confirmation_and_can_undo(dash_app, client_as):
    before = stored_counts(dash_app.server)
    trader = client_as("trader")
    shown = preview(trader, dash_app, GOOD_CSV, "jan.csv")
    assert shown.status_code == 200
    result = shown.json["response"]
    assert "would add 4, leave 0 unchanged" in str(result["prices-upload-status"]["children"])
    assert result["prices-upload-confirm"]["hidden"] is False and result["prices-upload-good-lines"]["hidden"] is True
    assert stored_counts(dash_app.server) == before  # a preview stores nothing
    response = act(trader, dash_app, "confirm", GOOD_CSV, "jan.csv", pending_of(shown))
    result = response.json["response"]
    message = str(result["prices-upload-status"]["children"])
    assert "jan.csv (seed, source 'upload:seed:jan.csv'): 4 added, 0 unchanged" in message
    assert "success" in message and result["prices-upload-undo"]["hidden"] is False
    import_id = result["prices-upload-last"]["data"]
    after = stored_counts(dash_app.server)
    assert after["day_ahead"] == before["day_ahead"] + 2 and after["intraday"] == before["intraday"] + 2
    again = preview(trader, dash_app, GOOD_CSV, "jan.csv")
    assert "would add 0, leave 4 unchanged" in str(again.json["response"])
    assert again.json["response"]["prices-upload-confirm"]["hidden"] is True
    undone = act(trader, dash_app, "undo", GOOD_CSV, "jan.csv", None, last=import_id)
    assert f"Import #{import_id} undone: 4 price(s) removed" in str(undone.json["response"])
    assert stored_counts(dash_app.server) == before


def test_a_file_with_a_bad_line_is_refused_whole_until_the_good_lines_are_imported_anyway(dash_app, client_as):
    before = stored_counts(dash_app.server)
    bad = GOOD_CSV + "2024-01-01T01:00:00Z,abc,1\n"
    trader = client_as("trader")
    shown = preview(trader, dash_app, bad, "bad.csv")
    assert shown.status_code == 200
    result = shown.json["response"]
    message = str(result["prices-upload-status"]["children"])
    assert "1 rejected value(s) on 1 line(s), so the file is refused whole" in message
    assert "day_ahead: price 'abc' is not a number" in message and "'4'" in message and "warning" in message
    assert result["prices-upload-confirm"]["hidden"] is True and result["prices-upload-good-lines"]["hidden"] is False
    assert result["prices-upload-good-lines"]["children"] == "Import the 2 good line(s) anyway"
    assert stored_counts(dash_app.server) == before
    response = act(trader, dash_app, "good-lines", bad, "bad.csv", pending_of(shown))
    assert "4 added" in str(response.json["response"]) and "1 rejected" in str(response.json["response"])
    after = stored_counts(dash_app.server)
    assert after["day_ahead"] == before["day_ahead"] + 2 and after["intraday"] == before["intraday"] + 2
    response = preview(trader, dash_app, "a,b\n1,2\n", "odd.csv")
    message = str(response.json["response"])
    assert "Nothing was stored" in message and "fit none of the formats" in message and "danger" in message
    assert stored_counts(dash_app.server) == after


def test_prices_callback_shows_a_clock_change_day_with_46_rows(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "prices-chart.figure",
                    {"prices-dates.start_date": "2023-03-26", "prices-dates.end_date": "2023-03-26",
                     "prices-markets.value": ["day_ahead", "intraday"], "theme-store.data": "dark"})
    result = response.json["response"]
    rows = result["prices-table"]["rowData"]
    assert len(rows) == 46
    assert rows[2]["local_time"] == "2023-03-26 02:00 BST" and rows[2]["settlement_period"] == 3
    figure = result["prices-chart"]["figure"]
    assert len(figure["data"]) == 2
    # one settlement day: a settlement-period axis in UK local time that knows the lost hour
    axis = figure["layout"]["xaxis"]
    assert axis["range"] == [0.5, 46.5] and "46 periods" in axis["title"]["text"]
    assert axis["ticktext"][0] == "SP1<br>00:00 GMT" and axis["ticktext"][1] == "SP5<br>03:00 BST"
    assert figure["data"][0]["x"][:3] == [1, 2, 3]
    stats = result["prices-stats-grid"]["rowData"]
    assert [(r["market"], r["periods"]) for r in stats] == [("Day-ahead", 46), ("Intraday", 46)]
    assert result["prices-heatmap"]["figure"]["data"][0]["x"] == list(range(1, 47))


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
    assert content.splitlines()[0] == "interval_start_utc,local_time,settlement_date,settlement_period"
    response = fire(client_as("viewer"), dash_app, "prices-download.data",
                    {"prices-dates.start_date": "2023-02-01", "prices-dates.end_date": "2023-02-01",
                     "prices-markets.value": ["day_ahead"], "prices-download-button.n_clicks": 1})
    lines = response.json["response"]["prices-download"]["data"]["content"].splitlines()
    assert lines[0] == "interval_start_utc,local_time,settlement_date,settlement_period,day_ahead"
    assert len(lines) == 49 and lines[1].startswith("2023-02-01T00:00:00+00:00,2023-02-01 00:00 GMT,2023-02-01,1,")


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


def test_unticking_every_market_says_so_instead_of_plotting(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "prices-chart.figure",
                    {"prices-dates.start_date": "2023-03-01", "prices-dates.end_date": "2023-03-02",
                     "prices-markets.value": []})
    result = response.json["response"]
    assert "Tick at least one market" in str(result["prices-message"]["children"])
    assert result["prices-chart"]["figure"]["data"] == [] and result["prices-table"]["rowData"] == []


def test_short_ranges_break_tick_labels_with_br_and_only_ticked_markets_are_plotted(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "prices-chart.figure",
                    {"prices-dates.start_date": "2023-03-01", "prices-dates.end_date": "2023-03-02",
                     "prices-markets.value": ["intraday"]})
    result = response.json["response"]
    figure = result["prices-chart"]["figure"]
    assert [trace["name"] for trace in figure["data"]] == ["Intraday"]
    labels = figure["layout"]["xaxis"]["ticktext"]
    assert "01 Mar<br>00:00 GMT" in labels and not any("\n" in label for label in labels)
    assert "day_ahead" not in result["prices-table"]["rowData"][0]
    assert len(result["prices-stats-grid"]["rowData"]) == 2
    spread = result["prices-spread-chart"]["figure"]
    assert spread["data"] == []  # DA not ticked: no spread, and the chart says why
    assert "both a day-ahead and an ID price" in str(spread["layout"]["annotations"])


def test_range_charts_spread_and_distribution_mark_negative_prices(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "prices-chart.figure",
                    {"prices-dates.start_date": "2023-01-14", "prices-dates.end_date": "2023-04-29",
                     "prices-markets.value": ["day_ahead", "intraday"], "prices-heatmap-market.value": "intraday"})
    result = response.json["response"]
    spread = result["prices-spread-chart"]["figure"]["data"]
    assert [trace["name"] for trace in spread] == ["DA − Intraday"]
    distribution = result["prices-distribution"]["figure"]
    assert "negative prices shaded" in distribution["layout"]["title"]["text"]
    assert [t["name"] for t in distribution["data"]][1].startswith("Intraday: ") and "negative" in distribution["data"][1]["name"]
    heat = result["prices-heatmap"]["figure"]
    assert len(heat["data"][0]["y"]) == 106 and heat["layout"]["title"]["text"].startswith("Intraday")
    assert len(result["prices-stats-grid"]["rowData"]) == 2 * 106


def test_conflicting_sources_are_listed_on_the_page(dash_app, client_as):
    trader = client_as("trader")
    corrected = "interval_start_utc,day_ahead\n2023-02-01T00:00:00Z,999.0\n"
    shown = preview(trader, dash_app, corrected, "fix.csv")
    assert "149.30 £/MWh (seed:zenobe-2023)" in str(shown.json["response"])  # the seed's price there
    assert "this file's" not in str(shown.json["response"]) and "the stored one (precedence)" in str(
        shown.json["response"])
    act(trader, dash_app, "confirm", corrected, "fix.csv", pending_of(shown))
    response = fire(client_as("viewer"), dash_app, "prices-chart.figure",
                    {"prices-dates.start_date": "2023-02-01", "prices-dates.end_date": "2023-02-01",
                     "prices-markets.value": ["day_ahead"]})
    result = response.json["response"]
    conflicts = str(result["prices-conflicts"]["children"])
    assert "1 interval(s) where sources disagree" in conflicts and "upload:seed:fix.csv" in conflicts
    assert "seed:zenobe-2023" in conflicts and "used" in conflicts
    # the seed outranks a manual upload: the upload is kept beside it, never silently used
    row = result["prices-table"]["rowData"][0]
    assert row["day_ahead"] != 999.0 and row["day_ahead_source"] == "seed:zenobe-2023"


def test_a_viewer_cannot_import(dash_app, client_as):
    before = stored_counts(dash_app.server)
    response = fire(client_as("viewer"), dash_app, "prices-upload-status.children",
                    {"prices-upload.contents": upload_value(GOOD_CSV), "prices-upload.filename": "jan.csv"})
    assert response.status_code == 403
    assert stored_counts(dash_app.server) == before


def test_trader_imports_an_epex_file_and_sees_the_refused_clock_change_day(dash_app, client_as):
    hours = ",".join(f"{h:02d}-{(h + 1) % 24:02d}" for h in range(24))
    epex = (f"Date,{hours},Baseload,Peakload\n"
            "2025-03-29," + ",".join(["40"] * 24) + ",40,40\n"
            "2025-03-30," + ",".join(["19.8"] * 24) + ",19,19\n")
    trader = client_as("trader")
    shown = preview(trader, dash_app, epex, "gb.csv", fmt="epex")
    response = act(trader, dash_app, "good-lines", epex, "gb.csv", pending_of(shown), fmt="epex")
    message = str(response.json["response"])
    assert "gb.csv (epex, source 'upload:epex:gb.csv'): 48 added" in message and "1 rejected" in message
    assert "2025-03-30: 24 hourly values for a 23-hour day; refused" in message
    wrong = fire(trader, dash_app, "prices-upload-status.children",
                 {"prices-upload.contents": upload_value(epex), "prices-upload.filename": "gb.csv",
                  "prices-upload-format.value": "mid"})
    assert "Nothing was stored" in str(wrong.json["response"]) and "not a mid file" in str(wrong.json["response"])


def test_statistics_download_asks_the_grid_for_its_csv(dash_app, client_as):
    response = fire(client_as("viewer"), dash_app, "prices-stats-grid.exportDataAsCsv",
                    {"prices-stats-download-button.n_clicks": 1})
    assert response.json["response"]["prices-stats-grid"]["exportDataAsCsv"] is True
