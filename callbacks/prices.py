"""Prices page callbacks: range defaults, the charts, statistics and table, CSV downloads, trader import."""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc

from callbacks.context import database
from callbacks.upload_flow import register_upload_flow
from components import ids
from components.feedback import error_alert, info_alert
from components.price_figures import (
    conflicts_view,
    daily_stats_rows,
    distribution_chart,
    empty_figure,
    heatmap_chart,
    series_chart,
    spread_chart,
)
from components.tiles import coverage_card
from domain.markets import MARKET_NAMES, MARKETS
from domain.price_statistics import daily_statistics
from domain.roles import role_allows
from domain.settlement_time import LONDON
from security.authz import current_role
from services import upload_flow
from services.errors import InvalidInput
from services.price_imports import market_precedence
from services.price_week import opening_week
from services.prices import (
    price_conflicts,
    price_dates,
    prices_for_dates,
    prices_with_sources_for_dates,
)
from services.validation import parse_choices, parse_date_range

DEFAULT_DAYS = 7


def local_times(index: pd.DatetimeIndex) -> list[str]:
    """``2023-03-26 02:00 BST`` for each UTC instant (the runs CSV's ``local_time`` form)."""
    return list(index.tz_convert(LONDON).strftime("%Y-%m-%d %H:%M %Z"))


def precedence_text(rows) -> str:
    """``Source precedence (best first): Day-ahead feed > seed > upload (default); …``."""
    parts = [f"{MARKET_NAMES.get(r.market, r.market)} {' > '.join(r.order)}"
             + (" (default)" if r.is_default else f" (set by {r.updated_by})") for r in rows]
    return ("Source precedence where sources disagree (best first; feed = published feeds, seed = the seed file, "
            "upload = files uploaded here; then the newest import): " + "; ".join(parts) + ".")


def table_rows(prices: pd.DataFrame, markets, sources: pd.DataFrame | None = None) -> list[dict]:
    """Grid rows: local time label, settlement date and period, one column per ticked market, and
    ``<market>_source``, the source each price is read from (when ``sources`` is given)."""
    frame = pd.DataFrame({
        "local_time": local_times(prices.index),
        "settlement_date": [d.isoformat() for d in prices["settlement_date"]],
        "settlement_period": prices["settlement_period"].to_numpy(),
    })
    for market in MARKETS:
        if market in prices.columns and market in markets:
            frame[market] = prices[market].to_numpy()
            if sources is not None and market in sources.columns:
                frame[f"{market}_source"] = sources[market].reindex(prices.index).to_numpy()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def prices_csv_frame(prices: pd.DataFrame) -> pd.DataFrame:
    """Export: UTC start, UK local time, settlement date and period, then each market [£/MWh]."""
    markets = [m for m in MARKETS if m in prices.columns]
    return pd.DataFrame({
        "interval_start_utc": [t.isoformat() for t in prices.index],
        "local_time": local_times(prices.index),
        "settlement_date": [d.isoformat() for d in prices["settlement_date"]],
        "settlement_period": prices["settlement_period"].to_numpy(),
        **{m: prices[m].to_numpy() for m in markets},
    })


def _parse_range(start, end) -> tuple[date, date]:
    if not start or not end:
        raise InvalidInput("choose a start and an end date")
    try:
        return parse_date_range(start, end, allow_midnight_suffix=True)
    except InvalidInput as error:
        raise InvalidInput(f"that is not a date range to show: {error}") from error


def _title(first: date, last: date) -> str:
    return f"{first:%d %b %Y} – {last:%d %b %Y}" if first != last else f"{first:%A %d %b %Y} (settlement day)"


def register(app: dash.Dash) -> None:
    from pages import prices as page

    @app.callback(
        Output(page.DATES, "min_date_allowed"),
        Output(page.DATES, "max_date_allowed"),
        Output(page.DATES, "start_date"),
        Output(page.DATES, "end_date"),
        Output(page.UPLOAD_SECTION, "hidden"),
        Output(page.DATES_HINT, "children"),
        Output(page.COVERAGE, "children"),
        Output(page.MARKETS, "value"),
        Input(page.LOAD, "data"),
    )
    def initialise(_load):
        dates = price_dates(database())
        can_upload = role_allows(current_role(), "trader")
        if dates is None:
            return (None, None, None, None, not can_upload, "No prices are stored yet.", coverage_card([]),
                    list(page.DEFAULT_MARKETS))
        stored = {row.market for row in dates.coverage}
        ticked = [m for m in page.DEFAULT_MARKETS if m in stored] or list(page.DEFAULT_MARKETS)
        week = opening_week(database(), tuple(ticked), DEFAULT_DAYS, dates.coverage)
        default_first, default_last = week.first, week.last
        hint = f"Prices are stored from {dates.first_date:%Y-%m-%d} to {dates.last_date:%Y-%m-%d}."
        if week.common:
            hint += " Opened on the latest week with every market."
        return (dates.first_date, dates.last_date, default_first, default_last, not can_upload, hint,
                coverage_card(dates.coverage), ticked)

    @app.callback(
        Output(page.CHART, "figure"),
        Output(page.SPREAD_CHART, "figure"),
        Output(page.HEATMAP, "figure"),
        Output(page.DISTRIBUTION, "figure"),
        Output(page.STATS_GRID, "rowData"),
        Output(page.CONFLICTS, "children"),
        Output(page.TABLE, "rowData"),
        Output(page.MESSAGE, "children"),
        Input(page.DATES, "start_date"),
        Input(page.DATES, "end_date"),
        Input(page.MARKETS, "value"),
        Input(page.HEATMAP_MARKET, "value"),
        Input(ids.THEME_STORE, "data"),
        Input(page.UPLOAD_STATUS, "children"),
    )
    def show_prices(start, end, markets, heatmap_market, theme, _upload_status):
        theme = theme if isinstance(theme, str) else None

        def nothing(message, alert=None):
            figure = empty_figure(theme, message)
            return figure, figure, figure, figure, [], None, [], alert

        if not start or not end:
            return nothing("Choose a range of settlement dates")
        try:
            first, last = _parse_range(start, end)
            markets = list(parse_choices(markets, "markets", MARKETS) or ())
            if not markets:
                return nothing("No market ticked", info_alert("Tick at least one market to see its prices."))
            prices, sources = prices_with_sources_for_dates(database(), first, last, tuple(markets))
            conflicts = price_conflicts(database(), first, last, tuple(markets))
        except InvalidInput as error:
            return nothing("Nothing to show", error_alert(str(error)))
        if prices.empty:
            return nothing("No prices in this range",
                           info_alert(f"No prices are stored for {_title(first, last)} in the ticked markets."))
        missing = [m for m in markets if m not in prices.columns or prices[m].isna().all()]
        note = info_alert(f"No prices in this range for: {', '.join(MARKET_NAMES[m] for m in missing)}.") \
            if missing else None
        heatmap_market = heatmap_market if heatmap_market in markets else markets[0]
        stats = daily_statistics(prices, markets)
        conflict_card = dbc.Card(dbc.CardBody(conflicts_view(conflicts)), className="mt-3 border-warning") \
            if not conflicts.empty else None
        return (series_chart(prices, markets, theme, _title(first, last)), spread_chart(prices, theme),
                heatmap_chart(prices, heatmap_market, theme), distribution_chart(prices, markets, theme),
                daily_stats_rows(stats), conflict_card, table_rows(prices, markets, sources), note)

    @app.callback(
        Output(page.STATS_GRID, "exportDataAsCsv"),
        Input(page.STATS_DOWNLOAD_BUTTON, "n_clicks"),
        prevent_initial_call=True,
    )
    def download_stats(_clicks):
        return True

    @app.callback(
        Output(page.DOWNLOAD, "data"),
        Input(page.DOWNLOAD_BUTTON, "n_clicks"),
        State(page.DATES, "start_date"),
        State(page.DATES, "end_date"),
        State(page.MARKETS, "value"),
        prevent_initial_call=True,
    )
    def download(_clicks, start, end, markets):
        markets = tuple(m for m in (markets or []) if m in MARKETS)
        if not markets:
            return dash.no_update  # the page already asks for a market
        try:
            first, last = _parse_range(start, end)
            prices = prices_for_dates(database(), first, last, markets)
        except InvalidInput:
            return dash.no_update  # the chart's message already says what is wrong with the range
        export = prices_csv_frame(prices)
        return dcc.send_data_frame(export.to_csv, f"powerdesk_prices_{first}_{last}.csv", index=False)

    register_upload_flow(app, page.UPLOAD_FLOW, upload_flow.PRICES, page.upload_limit_bytes,
                         {"format": State(page.UPLOAD_FORMAT, "value")})

    @app.callback(
        Output(page.PRECEDENCE, "children"),
        Input(page.LOAD, "data"),
        Input(page.UPLOAD_STATUS, "children"),
    )
    def show_precedence(_load, _upload):
        return precedence_text(market_precedence(database()))
