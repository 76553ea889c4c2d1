"""Overview callbacks: fill the tiles and the recent-prices chart."""

from __future__ import annotations

from datetime import timedelta

import dash
import pandas as pd
from dash import Input, Output

from callbacks.context import database
from components import ids
from components.figures import price_chart
from components.tiles import coverage_card, day_summary_card, latest_run_card
from services.prices import latest_day_summary, market_coverage, prices_for_dates
from services.runs import latest_run

RECENT_DAYS = 7


def register(app: dash.Dash) -> None:
    from pages import overview as page

    @app.callback(
        Output(page.COVERAGE, "children"),
        Output(page.DAY_SUMMARY, "children"),
        Output(page.LATEST_RUN, "children"),
        Output(page.RECENT_CHART, "figure"),
        Input(page.REFRESH, "n_clicks"),
        Input(ids.THEME_STORE, "data"),
    )
    def fill_overview(_clicks, theme):
        db = database()
        coverage = market_coverage(db)
        summaries = latest_day_summary(db, coverage)
        if summaries:
            last = summaries[0].settlement_date
            recent = prices_for_dates(db, last - timedelta(days=RECENT_DAYS - 1), last)
            title = f"Last {RECENT_DAYS} days to {last:%d %b %Y}"
        else:
            recent, title = pd.DataFrame(), "No prices yet"
        return (coverage_card(coverage), day_summary_card(summaries), latest_run_card(latest_run(db)),
                price_chart(recent, theme, title))

