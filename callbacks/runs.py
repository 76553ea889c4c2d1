"""Runs page callbacks: the runs grid, the chosen run's schedule, CSV export."""

from __future__ import annotations

from datetime import date, timedelta

import dash
import pandas as pd
from dash import Input, Output, State, ctx, dcc
from flask_login import current_user

from callbacks.context import database
from components import ids
from components.feedback import error_alert, info_alert, no_runs_notice, success_alert
from components.schedule import intervals_export, run_rows, schedule_figure, totals_tiles
from data_access.engine import Database
from domain.roles import role_allows
from optimiser import BatteryParams, OptimiserError
from security.authz import current_role, role_callback
from services.errors import InvalidInput, NotFound
from services.optimisation_runs import RunRequest, execute_run, queue_run, reap_stale_runs
from services.prices import last_complete_date, market_coverage
from services.runs import get_run, list_runs

DEFAULT_NEW_RUN_DAYS = 7


def _as_run_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def register(app: dash.Dash) -> None:
    from pages import runs as page

    @app.callback(Output(page.TABLE, "rowData"), Input(page.LOAD, "data"))
    def fill_runs(_load):
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

    database_url = app.server.extensions["powerdesk"].settings.resolved_database_url()

    @app.callback(
        Output(page.NEW_SECTION, "hidden"),
        Output(page.NEW_DATES, "min_date_allowed"),
        Output(page.NEW_DATES, "max_date_allowed"),
        Output(page.NEW_DATES, "start_date"),
        Output(page.NEW_DATES, "end_date"),
        Input(page.LOAD, "data"),
    )
    def initialise_new_run(_load):
        if not role_allows(current_role(), "trader"):
            return True, None, None, None, None
        coverage = market_coverage(database())
        if not coverage:
            return False, None, None, None, None
        last = last_complete_date(database(), coverage)
        first = min(row.first_date for row in coverage)
        return False, first, last, max(first, last - timedelta(days=DEFAULT_NEW_RUN_DAYS - 1)), last

    @role_callback(
        app,
        "trader",
        Output(page.QUEUED, "data"),
        Output(page.NEW_MESSAGE, "children"),
        Output(page.REQUESTED, "data", allow_duplicate=True),
        Input(page.NEW_SUBMIT, "n_clicks"),
        State(page.NEW_DATES, "start_date"),
        State(page.NEW_DATES, "end_date"),
        State(page.NEW_MARKETS, "value"),
        State(page.NEW_NAME, "value"),
        State(page.NEW_POWER, "value"),
        State(page.NEW_ENERGY, "value"),
        State(page.NEW_CHARGE_EFFICIENCY, "value"),
        State(page.NEW_DISCHARGE_EFFICIENCY, "value"),
        State(page.NEW_CYCLES, "value"),
        State(page.NEW_DEGRADATION, "value"),
        prevent_initial_call=True,
    )
    def queue_new_run(_clicks, start, end, markets, name, power, energy, charge_eff, discharge_eff, cycles, degradation):
        try:
            if not start or not end:
                raise InvalidInput("choose the settlement dates to optimise")
            battery = BatteryParams(
                power_mw=power, energy_mwh=energy, charge_efficiency=charge_eff,
                discharge_efficiency=discharge_eff, max_cycles_per_day=cycles,
                degradation_cost_gbp_per_mwh=degradation,
            )
            request = RunRequest(date.fromisoformat(start[:10]), date.fromisoformat(end[:10]), battery,
                                 markets or "da+id", name=(name or "").strip())
            outcome = queue_run(database(), request, user_id=int(current_user.get_id()))
        except (InvalidInput, OptimiserError, ValueError) as error:
            return dash.no_update, error_alert(f"Nothing was run. {error}"), dash.no_update
        if outcome.reopened:
            return dash.no_update, success_alert(
                f"Run #{outcome.run_id} already has these parameters on these prices; it is shown below "
                "instead of solving again."), outcome.run_id
        return outcome.run_id, info_alert(f"Run #{outcome.run_id} queued; solving in the background…"), \
            dash.no_update

    @role_callback(
        app,
        "trader",
        Output(page.REQUESTED, "data", allow_duplicate=True),
        Output(page.TABLE, "rowData", allow_duplicate=True),
        Output(page.NEW_MESSAGE, "children", allow_duplicate=True),
        Input(page.QUEUED, "data"),
        background=True,
        progress=[Output(page.NEW_PROGRESS, "value"), Output(page.NEW_PROGRESS, "max")],
        running=[
            (Output(page.NEW_SUBMIT, "disabled"), True, False),
            (Output(page.NEW_PROGRESS, "style"), {"visibility": "visible", "width": "240px"},
             {"visibility": "hidden", "width": "240px"}),
        ],
        prevent_initial_call=True,
    )
    def execute_new_run(set_progress, run_id):
        # A job process: no Flask request or app here, so it opens its own database connection.
        if run_id is None:
            return dash.no_update, dash.no_update, dash.no_update
        db = Database.from_url(database_url)
        try:
            outcome = execute_run(db, int(run_id), progress=lambda done, total: set_progress((str(done), str(total))))
            rows = run_rows(list_runs(db))
        finally:
            db.dispose()
        alert = success_alert if outcome.status in ("optimal", "suboptimal") else error_alert
        return outcome.run_id, rows, alert(f"Run #{outcome.run_id} finished: {outcome.status}.")

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
