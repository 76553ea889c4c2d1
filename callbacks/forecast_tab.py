"""The run view's Forecast tab (``components.forecast_tab``): thin, the figures are built in the component."""

from __future__ import annotations

import dash
from dash import Input, Output, html

from callbacks.context import app_settings, database
from components import forecast_tab as tab
from components import ids
from components.run_view import no_figure, run_label
from services.errors import NotFound
from services.forecast_runs import forecast_view
from services.run_view_cache import run_entry
from services.runs import get_run_row

NOT_FORECAST = "This run was solved with perfect foresight. Choose a forecaster under Foresight to backtest one."


def _as_date(value):
    from datetime import date

    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def register(app: dash.Dash) -> None:
    from pages import runs as page

    @app.callback(
        Output(tab.SUMMARY, "children"),
        Output(tab.MONTHLY_CHART, "figure"),
        Output(tab.DAY, "options"),
        Output(tab.DAY, "value"),
        Output(tab.QUALITY, "children"),
        Input(page.SHOWN, "data"),
        Input(ids.THEME_STORE, "data"),
    )
    def show_forecast(shown, theme):
        empty = (html.Div(NOT_FORECAST, className="text-body-secondary"), no_figure(), [], None, None)
        if shown is None:
            return empty
        try:
            run = get_run_row(database(), int(shown), app_settings())  # the totals hold the summary
        except NotFound:
            return empty
        summary = (run.totals or {}).get("foresight")
        if not summary:
            return empty
        dates = [d["settlement_date"] for d in summary["days"]]
        options = [{"label": d, "value": d} for d in dates]
        figure = tab.monthly_figure(summary["days"], theme, f"Realised vs perfect foresight · {run_label(run)}")
        return (tab.summary_cards(summary, run.totals.get("net_revenue_gbp")), figure, options,
                dates[0] if dates else None, tab.quality_table(summary.get("quality", [])))

    @app.callback(
        Output(tab.DAY_CHART, "figure"),
        Input(tab.DAY, "value"),
        Input(page.SHOWN, "data"),
        Input(ids.THEME_STORE, "data"),
    )
    def show_day(day, shown, theme):
        chosen = _as_date(day)
        if shown is None or chosen is None:
            return no_figure()
        try:
            run, entry = run_entry(database(), int(shown), app_settings())
        except NotFound:
            return no_figure()
        joined = entry.get("forecast_view", lambda: forecast_view(database(), run.id, entry.intervals))
        if joined.empty or chosen not in set(joined["settlement_date"]):
            return no_figure()
        return tab.day_figure(joined, chosen, theme, f"Forecast vs actual, {chosen.isoformat()} · {run_label(run)}")
