"""Prices page callbacks: range defaults, chart and table, CSV download, trader upload."""

from __future__ import annotations

import base64
import binascii
from datetime import date, timedelta

import dash
import pandas as pd
from dash import Input, Output, State, dcc

from callbacks.context import database
from components import ids
from components.feedback import error_alert, success_alert
from components.figures import price_chart
from domain.markets import MARKETS
from domain.roles import role_allows
from domain.settlement_time import LONDON, format_local
from security.authz import current_role, role_callback
from services.errors import InvalidInput
from services.prices import import_price_file, last_complete_date, market_coverage, prices_for_dates
from services.validation import parse_choices, parse_date_range

DEFAULT_DAYS = 7


def table_rows(prices: pd.DataFrame) -> list[dict]:
    """Grid rows: local time label, settlement date and period, one column per market."""
    local = prices.index.tz_convert(LONDON)
    frame = pd.DataFrame({
        "local_time": [t.strftime("%Y-%m-%d %H:%M %Z") for t in local],
        "settlement_date": [d.isoformat() for d in prices["settlement_date"]],
        "settlement_period": prices["settlement_period"].to_numpy(),
    })
    for market in ("day_ahead", "intraday"):
        if market in prices.columns:
            frame[market] = prices[market].to_numpy()
    return frame.to_dict("records")


def _parse_range(start, end) -> tuple[date, date]:
    if not start or not end:
        raise InvalidInput("choose a start and an end date")
    try:
        return parse_date_range(start, end, allow_midnight_suffix=True)
    except InvalidInput as error:
        raise InvalidInput(f"that is not a date range to show: {error}") from error


def register(app: dash.Dash) -> None:
    from pages import prices as page

    @app.callback(
        Output(page.DATES, "min_date_allowed"),
        Output(page.DATES, "max_date_allowed"),
        Output(page.DATES, "start_date"),
        Output(page.DATES, "end_date"),
        Output(page.UPLOAD_SECTION, "hidden"),
        Input(page.LOAD, "data"),
    )
    def initialise(_load):
        coverage = market_coverage(database())
        can_upload = role_allows(current_role(), "trader")
        if not coverage:
            return None, None, None, None, not can_upload
        first = min(row.first_date for row in coverage)
        last = max(row.last_date for row in coverage)
        default_last = last_complete_date(database(), coverage) or last
        default_first = max(first, default_last - timedelta(days=DEFAULT_DAYS - 1))
        return first, last, default_first, default_last, not can_upload

    @app.callback(
        Output(page.CHART, "figure"),
        Output(page.TABLE, "rowData"),
        Output(page.MESSAGE, "children"),
        Input(page.DATES, "start_date"),
        Input(page.DATES, "end_date"),
        Input(page.MARKETS, "value"),
        Input(ids.THEME_STORE, "data"),
        Input(page.UPLOAD_STATUS, "children"),
    )
    def show_prices(start, end, markets, theme, _upload_status):
        theme = theme if isinstance(theme, str) else None
        if not start or not end:
            return price_chart(pd.DataFrame(), theme), [], None
        try:
            first, last = _parse_range(start, end)
            chosen = parse_choices(markets, "markets", MARKETS)
            prices = prices_for_dates(database(), first, last, chosen or None)
        except InvalidInput as error:
            return price_chart(pd.DataFrame(), theme), [], error_alert(str(error))
        title = f"{first:%d %b %Y} – {last:%d %b %Y}" if first != last else f"{first:%A %d %b %Y}"
        return price_chart(prices, theme, title), table_rows(prices), None

    @app.callback(
        Output(page.DOWNLOAD, "data"),
        Input(page.DOWNLOAD_BUTTON, "n_clicks"),
        State(page.DATES, "start_date"),
        State(page.DATES, "end_date"),
        State(page.MARKETS, "value"),
        prevent_initial_call=True,
    )
    def download(_clicks, start, end, markets):
        try:
            first, last = _parse_range(start, end)
            prices = prices_for_dates(database(), first, last, parse_choices(markets, "markets", MARKETS) or None)
        except InvalidInput:
            return dash.no_update  # the chart's message already says what is wrong with the range
        export = prices.reset_index()
        export["interval_start_utc"] = export["interval_start_utc"].map(lambda t: t.isoformat())
        return dcc.send_data_frame(export.to_csv, f"powerdesk_prices_{first}_{last}.csv", index=False)

    @role_callback(
        app,
        "trader",
        Output(page.UPLOAD_STATUS, "children"),
        Input(page.UPLOAD, "contents"),
        State(page.UPLOAD, "filename"),
        prevent_initial_call=True,
    )
    def upload(contents, filename):
        if not contents:
            return dash.no_update
        if not isinstance(contents, str) or not isinstance(filename, str | None):
            return error_alert("the upload could not be read; choose the file again")
        try:
            _header, encoded = contents.split(",", 1)
            content = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            return error_alert(f"{filename}: the upload could not be read; choose the file again")
        try:
            report = import_price_file(database(), content, filename or "upload.csv")
        except InvalidInput as error:
            return error_alert(f"Nothing was stored. {error}")
        first = format_local(report.first_utc.to_pydatetime())
        last = format_local(report.last_utc.to_pydatetime())
        return success_alert(
            f"Read {report.rows_read:,} prices from {filename} ({first} to {last}); "
            f"{report.rows_added:,} were new and stored as source '{report.source}'."
        )
