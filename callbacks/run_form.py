"""New run form callbacks: offer dates with prices, queue a checked request, solve it in the background."""

from __future__ import annotations

from datetime import timedelta

import dash
from dash import Input, Output, State
from flask_login import current_user

from callbacks.context import database
from components.feedback import error_alert, info_alert, success_alert
from data_access.engine import Database
from domain.roles import role_allows
from optimiser import BatteryParams, OptimiserError
from security.authz import current_role, role_callback
from services.errors import InvalidInput
from services.optimisation_runs import RunRequest, execute_run, queue_run
from services.prices import last_complete_date, market_coverage
from services.validation import parse_date_range

DEFAULT_NEW_RUN_DAYS = 7


def register(app: dash.Dash) -> None:
    from components import run_form as form
    from pages import runs as page

    database_url = app.server.extensions["powerdesk"].settings.resolved_database_url()

    @app.callback(
        Output(form.NEW_SECTION, "hidden"),
        Output(form.NEW_DATES, "min_date_allowed"),
        Output(form.NEW_DATES, "max_date_allowed"),
        Output(form.NEW_DATES, "start_date"),
        Output(form.NEW_DATES, "end_date"),
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
        Output(form.QUEUED, "data"),
        Output(form.NEW_MESSAGE, "children"),
        Output(page.REQUESTED, "data", allow_duplicate=True),
        Input(form.NEW_SUBMIT, "n_clicks"),
        State(form.NEW_DATES, "start_date"),
        State(form.NEW_DATES, "end_date"),
        State(form.NEW_MARKETS, "value"),
        State(form.NEW_NAME, "value"),
        State(form.NEW_POWER, "value"),
        State(form.NEW_ENERGY, "value"),
        State(form.NEW_CHARGE_EFFICIENCY, "value"),
        State(form.NEW_DISCHARGE_EFFICIENCY, "value"),
        State(form.NEW_CYCLES, "value"),
        State(form.NEW_DEGRADATION, "value"),
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
            request = RunRequest(*parse_date_range(start, end, allow_midnight_suffix=True), battery,
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
        Output(page.CHANGED, "data", allow_duplicate=True),
        Output(form.NEW_MESSAGE, "children", allow_duplicate=True),
        Input(form.QUEUED, "data"),
        background=True,
        progress=[Output(form.NEW_PROGRESS, "value"), Output(form.NEW_PROGRESS, "max")],
        running=[
            (Output(form.NEW_SUBMIT, "disabled"), True, False),
            (Output(form.NEW_PROGRESS, "style"), {"visibility": "visible", "width": "240px"},
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
        finally:
            db.dispose()
        alert = success_alert if outcome.status in ("optimal", "suboptimal") else error_alert
        return outcome.run_id, outcome.run_id, alert(f"Run #{outcome.run_id} finished: {outcome.status}.")
