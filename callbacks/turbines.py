"""Turbines page callbacks: the live fleet (tiles, KPIs, repair log), history and power curve, downloads."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc

from callbacks.context import database
from components import ids
from components.feedback import error_alert
from components.turbines import (
    history_figure,
    kpi_cards,
    local_clock,
    power_curve_figure,
    repair_rows,
    tiles_grid,
    window_bounds,
)
from data_access.types import utc_now
from services.errors import ServiceError
from services.turbines import (
    fleet_kpis,
    fleet_state,
    list_tickets,
    metrics_csv,
    metrics_zip,
    theoretical_power_curve,
    turbine_metrics,
)

AUTOSIZE_REPAIRS_JS = """
function(rows) {
    const count = rows ? rows.length : 0;
    if (count && window.dash_ag_grid && window.dash_ag_grid.getApiAsync) {
        // The rows are drawn in the animation frames after the data changes: measure them once drawn.
        window.dash_ag_grid.getApiAsync('turbines-repairs').then(function(api) {
            requestAnimationFrame(function() { requestAnimationFrame(function() { api.autoSizeAllColumns(); }); });
        }).catch(function() {});
    }
    return count;
}
"""
"""Size the repair log's columns to their contents each time its rows change (dash-ag-grid's
``columnSize="autoSize"`` sizes once, at the grid's first draw, and then clears itself)."""

KPI_MAX_AGE_S = 20.0
"""The KPIs scan a day of reports; on the live refresh they are recomputed at most this often [s]."""
STALE_AFTER_REPORTS = 3
"""Silences longer than this many report intervals break the history's lines and bands."""
LIVE_HISTORY_MAX_MIN = 60
"""Windows up to this long [min] follow the live refresh; longer ones redraw only when changed."""


def _settings():
    from flask import current_app

    return current_app.extensions["powerdesk"].settings


def _window(minutes) -> int:
    from pages.turbines import WINDOWS

    return int(minutes) if minutes in WINDOWS else 60


def register(app: dash.Dash) -> None:
    from pages import turbines as page

    @app.callback(
        Output(page.TILES, "children"),
        Output(page.KPIS, "children"),
        Output(page.REPAIRS, "rowData"),
        Output(page.UPDATED, "children"),
        Input(page.LOAD, "data"),
        Input(page.INTERVAL, "n_intervals"),
        State(page.REPAIRS, "rowData"),
    )
    def refresh_fleet(_load, _tick, shown_rows):
        now = utc_now()
        db = database()
        states = fleet_state(db, _settings().turbine_report_interval_s, now, _curve_tolerance())
        names = {s.turbine_number: s.name for s in states}
        rows = repair_rows(list_tickets(db, limit=500), names)
        # Unchanged rows are not sent again, so the columns are re-sized (and a user's widths lost) only on news.
        return (tiles_grid(states, now), kpi_cards(fleet_kpis(db, now, max_age_s=KPI_MAX_AGE_S)),
                dash.no_update if rows == shown_rows else rows, f"Live · updated {local_clock(now)}")

    app.clientside_callback(AUTOSIZE_REPAIRS_JS, Output(page.REPAIRS_SIZED, "data"), Input(page.REPAIRS, "rowData"))

    @app.callback(
        Output(page.TURBINE, "options"),
        Output(page.TURBINE, "value"),
        Output(page.DOWNLOAD_TURBINES, "options"),
        Input(page.LOAD, "data"),
    )
    def turbine_choices(_load):
        states = fleet_state(database(), _settings().turbine_report_interval_s)
        options = [{"label": f"#{s.turbine_number} {s.name}", "value": s.turbine_number} for s in states]
        return options, (options[0]["value"] if options else None), options

    @app.callback(
        Output(page.HISTORY, "figure"),
        Output(page.CURVE, "figure"),
        Output(page.MESSAGE, "children"),
        Input(page.TURBINE, "value"),
        Input(page.WINDOW, "value"),
        Input(page.INTERVAL, "n_intervals"),
        Input(ids.THEME_STORE, "data"),
        State(page.TURBINE, "options"),
    )
    def history(turbine, minutes, _tick, theme, options):
        minutes = _window(minutes)
        triggered = {t["prop_id"].split(".")[0] for t in dash.callback_context.triggered}
        if triggered == {page.INTERVAL} and minutes > LIVE_HISTORY_MAX_MIN:
            return dash.no_update, dash.no_update, dash.no_update
        if turbine is None:
            empty = history_figure(_empty(), *window_bounds(utc_now(), minutes), theme, "No turbine chosen")
            return empty, empty, ""
        start, end = window_bounds(utc_now(), minutes)
        try:
            metrics = turbine_metrics(database(), [int(turbine)], start.to_pydatetime(), end.to_pydatetime(),
                                      _curve_tolerance())
        except ServiceError as error:
            return dash.no_update, dash.no_update, error_alert(str(error))
        label = next((o["label"] for o in options or [] if o["value"] == turbine), f"#{turbine}")
        rating = next((s.rated_power_kw for s in fleet_state(database(), 1.0) if s.turbine_number == int(turbine)),
                      _settings().turbine_default_rating_kw)
        gap_s = STALE_AFTER_REPORTS * _settings().turbine_report_interval_s
        return (history_figure(metrics, start, end, theme, f"{label}: wind, power and broken periods",
                               max_gap_s=gap_s),
                power_curve_figure(metrics, theoretical_power_curve(), rating, theme, f"{label}: power curve"), "")

    @app.callback(
        Output(page.DOWNLOAD, "data"),
        Output(page.DOWNLOAD_MESSAGE, "children"),
        Input(page.DOWNLOAD_BUTTON, "n_clicks"),
        State(page.DOWNLOAD_TURBINES, "value"),
        State(page.WINDOW, "value"),
        prevent_initial_call=True,
    )
    def download(_clicks, turbines, minutes):
        if not turbines:
            return dash.no_update, error_alert("Choose one or more turbines to download.")
        numbers = sorted(int(n) for n in turbines)
        start, end = window_bounds(utc_now(), _window(minutes))
        try:
            metrics = turbine_metrics(database(), numbers, start.to_pydatetime(), end.to_pydatetime(),
                                      _curve_tolerance())
        except ServiceError as error:
            return dash.no_update, error_alert(str(error))
        stamp = end.strftime("%Y%m%dT%H%MZ")
        if len(numbers) == 1:
            return dcc.send_string(metrics_csv(metrics), f"turbine_{numbers[0]}_{stamp}.csv"), ""
        return dcc.send_bytes(metrics_zip(metrics), f"turbines_{stamp}.zip"), ""


def _curve_tolerance() -> float:
    """``TURBINE_CURVE_TOLERANCE_PCT`` as a share of the rating."""
    return _settings().turbine_curve_tolerance_pct / 100.0


def _empty():
    import pandas as pd

    from data_access.turbines import METRIC_COLUMNS

    return pd.DataFrame(columns=METRIC_COLUMNS)
