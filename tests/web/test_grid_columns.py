"""Grid columns sized for a 1,600 px window: the studies table has no stretched checkbox column,
the points grid's columns fit side by side with their numbers formatted, the intervals' SP column
has room for its header and filter icon."""

GRID_WIDTH_AT_1600_PX = 1540
"""The points grid's inner width [px] at a 1,600 px window (container and card padding taken off)."""


def test_the_studies_table_selects_by_click_without_a_checkbox_column(dash_app):
    from pages import studies

    assert studies.STUDY_SELECTION == {"mode": "singleRow", "enableClickSelection": True, "checkboxes": False}


def test_the_points_columns_fit_at_1600_px_and_each_has_a_minimum_width(dash_app):
    from pages import studies

    widths = {column["field"]: column["minWidth"] for column in studies.POINT_COLUMNS}
    assert sum(widths.values()) <= GRID_WIDTH_AT_1600_PX
    assert all(column.get("maxWidth", 10_000) >= column["minWidth"] for column in studies.POINT_COLUMNS)
    assert {"gbp_per_cycle", "capture_pct", "message"} <= widths.keys()
    assert studies.POINT_DEFAULTS["wrapHeaderText"] and studies.POINT_DEFAULTS["autoHeaderHeight"]


def test_the_points_money_and_capture_columns_stay_formatted(dash_app):
    from pages import studies

    formatters = {column["field"]: column.get("valueFormatter") for column in studies.POINT_COLUMNS}
    for field in ("net_revenue_gbp", "gbp_per_mw_year", "gbp_per_cycle"):
        assert formatters[field] == studies.MONEY
    assert formatters["capture_pct"] == studies.PERCENT


def test_the_points_grid_is_sized_to_fit_in_the_page(dash_app, client_as):
    from tests.dash_requests import fire

    response = fire(client_as("viewer"), dash_app, "_pages_content.children",
                    {"_pages_location.pathname": "/studies", "_pages_location.search": ""})
    text = str(response.json["response"])
    assert "'id': 'studies-points'" in text and text.count("'columnSize': 'responsiveSizeToFit'") == 2


def test_the_intervals_sp_column_has_room_for_its_header_and_filter_icon(dash_app):
    from pages import runs

    settlement_period = next(c for c in runs.INTERVAL_COLUMNS if c["field"] == "settlement_period")
    assert settlement_period["minWidth"] >= 100 and settlement_period["maxWidth"] >= settlement_period["minWidth"]
