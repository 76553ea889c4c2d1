"""Studies page callbacks: list studies, show one (and an overlay), submit, cancel, export."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, ctx, dcc
from flask import current_app
from flask_login import current_user

from callbacks.context import database
from components import ids
from components.feedback import error_alert, info_alert, success_alert
from components.grid_selection import selected_rows
from components.study_figures import point_rows, sizing_figure
from domain.roles import role_allows
from domain.run_status import finished_ok, in_progress
from domain.study_grid import StudyGridError, parse_number_list
from jobs.background import JobStartFailed, stop_job
from jobs.studies import start_points
from security.authz import current_role, role_callback
from services.errors import NotFound, ServiceError
from services.prices import price_dates
from services.studies import cancel_study, get_study, list_studies, submit_study

HIDDEN = {"display": "none"}


def _study_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def study_table_rows(studies: list[dict]) -> list[dict]:
    return [{"row_id": str(s["id"]), "id": s["id"], "name": s["name"], "dates": f"{s['start']} – {s['end']}",
             "progress": f"{s['done']} of {s['points']}", "status": s["status"], "created_by": s["created_by"]}
            for s in studies]


def selection_of(shown: int | None, selected) -> dict | object:
    """The studies table's ``selectedRows`` for the study on show; no update when it is selected already
    (selecting a row shows its study, which would select it again)."""
    if shown is None:
        return dash.no_update
    rows = selected_rows(selected)
    if rows and _study_id(rows[0].get("id")) == shown:
        return dash.no_update
    return {"ids": [str(shown)]}


def _points_for_grid(study: dict) -> list[dict]:
    rows = point_rows(study)
    for row in rows:
        row["run_link"] = f"[#{row['run_id']}](/runs?run={row['run_id']})" if row["run_id"] else ""
    return rows


def register(app: dash.Dash) -> None:
    from pages import studies as page

    @app.callback(
        Output(page.NEW_SECTION, "hidden"),
        Output(page.NEW_DATES, "min_date_allowed"),
        Output(page.NEW_DATES, "max_date_allowed"),
        Output(page.NEW_DATES, "start_date"),
        Output(page.NEW_DATES, "end_date"),
        Input(page.LOAD, "data"),
    )
    def initialise(_load):
        if not role_allows(current_role(), "trader"):
            return True, None, None, None, None
        dates = price_dates(database())
        if dates is None:
            return False, None, None, None, None
        first, last = dates.first_date, dates.last_complete_date
        # The default month is the last one the default markets (DA then ID: day_ahead and intraday) both price,
        # so Run study works as the form opens; the latest prices of any one series may lie beyond the other's.
        default_series = [row for row in dates.coverage if row.market in ("day_ahead", "intraday")]
        end = min((row.last_complete_date or row.last_date for row in default_series), default=last)
        start = max([row.first_date for row in default_series] + [end.replace(day=1)])
        return False, first, last, start, end

    @app.callback(
        Output(page.TABLE, "rowData"),
        Output(page.OVERLAY, "options"),
        Input(page.LOAD, "data"),
        Input(page.REQUESTED, "data"),
        Input(page.REFRESH, "n_intervals"),
    )
    def fill_studies(_load, _requested, _tick):
        studies = list_studies(database())
        options = [{"label": f"#{s['id']} {s['name']}", "value": s["id"]} for s in studies]
        return study_table_rows(studies), options

    @app.callback(
        Output(page.SHOWN, "data"),
        Output(page.MESSAGE, "children"),
        Output(page.CHART, "figure"),
        Output(page.CHART_CARD, "style"),
        Output(page.POINTS, "rowData"),
        Output(page.PROGRESS, "children"),
        Output(page.CANCEL, "style"),
        Output(page.DOWNLOAD_BUTTON, "disabled"),
        Output(page.REFRESH, "disabled"),
        Input(page.TABLE, "selectedRows"),
        Input(page.REQUESTED, "data"),
        Input(page.OVERLAY, "value"),
        Input(ids.THEME_STORE, "data"),
        Input(page.REFRESH, "n_intervals"),
        State(page.SHOWN, "data"),
    )
    def show_study(selected, requested, overlay, theme, _tick, shown):
        if ctx.triggered_id == page.TABLE and selected_rows(selected):
            study_id = _study_id(selected_rows(selected)[0].get("id"))
        elif ctx.triggered_id == page.REQUESTED or shown is None:
            study_id = _study_id(requested)
            if requested not in (None, "") and study_id is None:
                return (None, error_alert(f"{str(requested)[:40]!r} is not a study number"), {}, HIDDEN, [], "",
                        HIDDEN, True, True)
        else:
            study_id = _study_id(shown)
        if study_id is None:
            studies = list_studies(database(), limit=1)
            if not studies:
                can_run = role_allows(current_role(), "trader")
                hint = "Set a grid in the New study form above and press Run study." if can_run else \
                    "A trader or admin can start one."
                return None, info_alert(f"No sizing studies yet. {hint}"), {}, HIDDEN, [], "", HIDDEN, True, True
            study_id = studies[0]["id"]
        try:
            study = get_study(database(), study_id)
            shown_studies = [study]
            overlay_id = _study_id(overlay)
            if overlay_id is not None and overlay_id != study_id:
                shown_studies.append(get_study(database(), overlay_id))
        except NotFound as error:
            return None, error_alert(str(error)), {}, HIDDEN, [], "", HIDDEN, True, True
        running = study["status"] == "running"
        done, total = study["progress"]["done"], study["progress"]["total"]
        progress = f"Study #{study['id']} · {study['status']} · {done} of {total} points done"
        failed = sum(not finished_ok(p["status"]) and not in_progress(p["status"]) for p in study["points"])
        message = error_alert(f"{failed} point(s) did not produce a schedule; see the Message column.") \
            if failed and not running else None
        can_cancel = running and role_allows(current_role(), "trader")
        any_solved = any(p["totals"] for s in shown_studies for p in s["points"])
        if not any_solved and running:
            message = info_alert("Solving… the charts appear when the first point is done.")
        return (study["id"], message, sizing_figure(shown_studies, theme) if any_solved else {},
                {} if any_solved else HIDDEN, _points_for_grid(study), progress,
                {} if can_cancel else HIDDEN, False, not running)

    @app.callback(
        Output(page.TABLE, "selectedRows"),
        Input(page.SHOWN, "data"),
        Input(page.TABLE, "rowData"),
        State(page.TABLE, "selectedRows"),
    )
    def mark_shown_study(shown, _rows, selected):
        """Highlight the study on show however it was opened (a ``?study=`` link, a new study, the latest)."""
        return selection_of(_study_id(shown), selected)

    @role_callback(
        app,
        "trader",
        Output(page.REQUESTED, "data", allow_duplicate=True),
        Output(page.NEW_MESSAGE, "children"),
        Input(page.NEW_SUBMIT, "n_clicks"),
        State(page.NEW_NAME, "value"),
        State(page.NEW_DATES, "start_date"),
        State(page.NEW_DATES, "end_date"),
        State(page.NEW_POWER, "value"),
        State(page.NEW_DURATION, "value"),
        State(page.NEW_CYCLES, "value"),
        State(page.NEW_EFFICIENCY, "value"),
        State(page.NEW_MARKETS, "value"),
        State(page.NEW_DA_SERIES, "value"),
        State(page.NEW_ID_SERIES, "value"),
        State(page.NEW_SKIP, "value"),
        State(page.NEW_FORESIGHT, "value"),
        State(page.NEW_INTRADAY, "value"),
        prevent_initial_call=True,
    )
    def submit(_clicks, name, start, end, power, duration, cycles, efficiency, markets, da_series=None,
               id_series=None, skip=False, foresight=None, intraday=None):
        context = current_app.extensions["powerdesk"]
        try:
            if not isinstance(name, str) or not name.strip():
                raise StudyGridError("give the study a name")
            if not start or not end:
                raise StudyGridError("choose the settlement dates to study")
            if not markets:
                raise StudyGridError("tick at least one markets option")
            body = {
                "name": name if isinstance(name, str) else "", "start": str(start)[:10], "end": str(end)[:10],
                "grid": {
                    "power_mw": parse_number_list(power, "Power"),
                    "duration_h": parse_number_list(duration, "Duration"),
                    "max_cycles_per_day": parse_number_list(cycles, "Cycle limit"),
                    "round_trip_efficiency": parse_number_list(efficiency, "Round-trip efficiency"),
                    "markets": [m for m in markets if isinstance(m, str)],
                    "foresight": [f for f in (foresight or ["perfect"]) if isinstance(f, str)] or ["perfect"],
                    "intraday_reoptimise": [i for i in (intraday or ["once"]) if isinstance(i, str)] or ["once"],
                },
                "da_series": da_series or "day_ahead", "id_series": id_series or "intraday",
                "skip_missing_days": bool(skip),
            }
            submitted = submit_study(context.db, body, int(current_user.get_id()), current_user.username,
                                     context.settings.study_max_points)
        except (StudyGridError, ServiceError) as error:
            return dash.no_update, error_alert(f"Nothing was run. {error}")
        try:
            start_points(context.settings, submitted.study_id, submitted.pending_run_ids)
        except JobStartFailed as error:
            return submitted.study_id, error_alert(str(error))
        total = len(get_study(context.db, submitted.study_id)["points"])
        reused = total - len(submitted.pending_run_ids)
        return submitted.study_id, success_alert(
            f"Study #{submitted.study_id} started: {total} points, {reused} reused from stored runs.")

    @role_callback(
        app,
        "trader",
        Output(page.MESSAGE, "children", allow_duplicate=True),
        Output(page.REQUESTED, "data", allow_duplicate=True),
        Input(page.CANCEL, "n_clicks"),
        State(page.SHOWN, "data"),
        prevent_initial_call=True,
    )
    def cancel(_clicks, shown):
        study_id = _study_id(shown)
        if study_id is None:
            return dash.no_update, dash.no_update
        try:
            settings = current_app.extensions["powerdesk"].settings
            cancelled = cancel_study(database(), study_id, int(current_user.get_id()), current_user.role == "admin",
                                     current_user.username, stop_job=lambda job_id: stop_job(settings, job_id))
        except ServiceError as error:
            return error_alert(str(error)), dash.no_update
        return success_alert(f"Study #{study_id} cancelled: {cancelled} point(s) had not started."), study_id

    @app.callback(
        Output(page.DOWNLOAD, "data"),
        Input(page.DOWNLOAD_BUTTON, "n_clicks"),
        State(page.SHOWN, "data"),
        prevent_initial_call=True,
    )
    def download(_clicks, shown):
        study_id = _study_id(shown)
        if study_id is None:
            return dash.no_update
        study = get_study(database(), study_id)
        frame = pd.DataFrame(point_rows(study)).drop(columns=["row_id"])
        return dcc.send_data_frame(frame.to_csv, f"powerdesk_study_{study_id}_points.csv", index=False)
