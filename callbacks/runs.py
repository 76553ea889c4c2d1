"""Runs page callbacks: the runs grid, the chosen run's schedule, CSV export."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, ctx, dcc

from callbacks.context import database
from components import ids
from components.feedback import error_alert, no_runs_notice
from components.schedule import intervals_export, run_rows, schedule_figure, totals_tiles
from services.errors import NotFound
from services.optimisation_runs import reap_stale_runs
from services.runs import get_run, list_runs

DEFAULT_NEW_RUN_DAYS = 7


def _as_run_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def register(app: dash.Dash) -> None:
    from pages import runs as page

    @app.callback(Output(page.TABLE, "rowData"), Input(page.LOAD, "data"), Input(page.CHANGED, "data"))
    def fill_runs(_load, _changed):
        reap_stale_runs(database())  # cheap, and no one then looks at a run that will never finish
        return run_rows(list_runs(database()))

    @app.callback(
        Output(page.SHOWN, "data"),
        Output(page.MESSAGE, "children"),
        Output(page.TOTALS, "children"),
        Output(page.CHART, "figure"),
        Output(page.INTERVALS, "rowData"),
        Input(page.TABLE, "selectedRows"),
        Input(page.REQUESTED, "data"),
        Input(ids.THEME_STORE, "data"),
        State(page.SHOWN, "data"),
    )
    def show_run(selected, requested, theme, shown):
        if ctx.triggered_id == page.TABLE and selected:
            run_id = selected[0]["id"]
        elif ctx.triggered_id == ids.THEME_STORE and shown:
            run_id = shown
        else:
            run_id = _as_run_id(requested)
            if requested not in (None, "") and run_id is None:
                return None, error_alert(f"{requested!r} is not a run number"), None, schedule_figure(
                    pd.DataFrame(), theme), []
        if run_id is None:
            runs = list_runs(database(), limit=1)
            if not runs:
                return None, no_runs_notice(), None, schedule_figure(pd.DataFrame(), theme), []
            run_id = runs[0].id
        try:
            run, intervals = get_run(database(), run_id)
        except NotFound as error:
            return None, error_alert(str(error)), None, schedule_figure(pd.DataFrame(), theme), []
        title = f"Run #{run.id}{': ' + run.name if run.name else ''} · {run.markets} · " \
                f"{run.first_date:%d %b %Y} – {run.last_date:%d %b %Y}"
        rows = intervals_export(intervals).to_dict("records") if not intervals.empty else []
        return run.id, None, totals_tiles(run), schedule_figure(intervals, theme, title), rows

    @app.callback(
        Output(page.DOWNLOAD, "data"),
        Input(page.DOWNLOAD_BUTTON, "n_clicks"),
        State(page.SHOWN, "data"),
        prevent_initial_call=True,
    )
    def download(_clicks, shown):
        if shown is None:
            return dash.no_update
        run, intervals = get_run(database(), int(shown))
        return dcc.send_data_frame(intervals_export(intervals).to_csv, f"powerdesk_run_{run.id}_intervals.csv",
                                   index=False)
