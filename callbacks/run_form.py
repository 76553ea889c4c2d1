"""New run form callbacks: check every field as the user types, queue a checked request and start its
background job, follow its progress on the run row, cancel it.

The form reads the run row (not the job manager) for progress, so leaving the page and coming back
shows the live state of the user's run.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, date, timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html
from dash.exceptions import PreventUpdate
from flask import current_app
from flask_login import current_user
from sqlalchemy import select

from callbacks.context import app_settings, database
from components.feedback import error_alert, info_alert, success_alert
from data_access import runs as run_store
from data_access.schema import OptimisationRun
from data_access.types import utc_now
from domain.markets import MARKET_NAMES
from domain.roles import role_allows
from domain.settlement_time import format_local
from security.authz import current_role, role_callback
from services.errors import InvalidInput, ServiceError
from services.optimisation_runs import (
    MODES_NEEDING,
    cancel_run,
    queue_run,
    range_check,
    series_freshness,
)
from services.prices import price_dates
from services.run_requests import DATE_LABELS, FIELDS, RequestProblems, field_problems, parse_request
from services.validation import parse_typed_date

DEFAULT_NEW_RUN_DAYS = 7
KEEPING_MARGIN_S = 5.0
"""After a cancel, the form waits the job's grace plus this [s] for the worker to store the days it solved."""
FINISHED_ALERT = {run_store.SUCCEEDED: success_alert, run_store.CANCELLED: info_alert}


def _percent_problem(key: str, value) -> str | None:
    """A field entered in % (0–100) against its request bounds, which are fractions (0–1)."""
    spec = FIELDS[key]
    if value is None or value == "":
        return f"{spec.label} is required"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"{spec.label}: {value!r} is not a number"
    low, high = spec.low * 100, spec.high * 100
    if value > high or value < low or (not spec.low_inclusive and value == low):
        bound = "at least" if spec.low_inclusive else "above"
        return f"{spec.label} must be {bound} {low:g} % and at most {high:g} % (got {value:g} %)"
    return None


def problem_list(problems: dict[str, str], notes: list[str] = ()) -> list[str]:
    """Every problem of the form, once each, in the form's order."""
    return [m for m in dict.fromkeys([*problems.values(), *notes]) if m]


def problems_alert(lead: str, lines: list[str]):
    return error_alert([lead, html.Ul([html.Li(line) for line in lines], className="mb-0 mt-1")])


def typed_number(value):
    """A number field's text -> float, None when empty; text that is no number is returned as it was typed,
    stripped, so the check names it ("power: '5-' is not a number")."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def typed_date(value, label: str) -> tuple[str | None, str | None]:
    """A date field's text (DD/MM/YYYY or YYYY-MM-DD) -> (ISO date, None), or (None, what is wrong)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"choose the {label} (DD/MM/YYYY or YYYY-MM-DD)"
    try:
        return parse_typed_date(value, label).isoformat(), None
    except InvalidInput as error:
        return None, str(error)


def stored_range_problem(value: str | None, label: str, first: str | None, last: str | None) -> str | None:
    """A date (ISO) outside the stored prices ``first``..``last`` (ISO), named with those limits."""
    if not value or not first or not last:
        return None
    shown = date.fromisoformat(value).strftime("%d/%m/%Y")
    if value < first:
        return f"the {label} {shown} is before the first stored prices ({date.fromisoformat(first):%d/%m/%Y})"
    if value > last:
        return f"the {label} {shown} is after the last stored prices ({date.fromisoformat(last):%d/%m/%Y})"
    return None


def form_request(values: dict) -> tuple[dict, dict[str, str]]:
    """Form values (component id -> value) -> (request payload, problems by component id)."""
    from components import run_form as form

    problems: dict[str, str] = {}
    typed = {}
    for component_id, key in ((form.NEW_START, "first_date"), (form.NEW_END, "last_date")):
        typed[key], problem = typed_date(values.get(component_id), DATE_LABELS[key])
        if problem:
            problems[component_id] = problem
    payload: dict = {**typed, "name": values.get(form.NEW_NAME) or "",
                     "always_binary": bool(values.get(form.NEW_BINARY)),
                     "skip_missing_days": bool(values.get(form.NEW_SKIP))}
    for field in form.NUMBER_FIELDS:
        value = typed_number(values.get(field.component_id))
        if field.percent:
            problem = _percent_problem(field.key, value)
            if problem:
                problems[field.component_id] = problem
                value = FIELDS[field.key].default
            else:
                value = value / 100.0
        payload[field.key] = value
    for component_id, key in form.CHOICE_FIELDS:
        payload[key] = values.get(component_id)
    by_key = {f.key: f.component_id for f in form.NUMBER_FIELDS} | {k: c for c, k in form.CHOICE_FIELDS} | {
        "first_date": form.NEW_START, "last_date": form.NEW_END, "name": form.NEW_NAME}
    _parsed, found = field_problems(payload)
    for key, message in found.items():
        problems.setdefault(by_key.get(key, form.NEW_POWER), message)
    return payload, problems


def _coverage_line(db, da_series: str, id_series: str) -> str:
    parts = []
    for fresh in series_freshness(db, (da_series, id_series)):
        stored = f", loaded {format_local(fresh.stored_at, with_period=False)}" if fresh.stored_at else ""
        gaps = ""
        if fresh.gaps:
            shown = ", ".join(gap.describe() for gap in fresh.gaps[:3])
            more = f" and {len(fresh.gaps) - 3} more" if len(fresh.gaps) > 3 else ""
            gaps = f" with {len(fresh.gaps)} gap{'s' if len(fresh.gaps) != 1 else ''} ({shown}{more})"
        parts.append(f"{MARKET_NAMES.get(fresh.market, fresh.market)} prices {fresh.first_date.isoformat()} to "
                     f"{fresh.last_date.isoformat()}{gaps}{stored}")
    return "Prices stored: " + ("; ".join(parts) if parts else "none for these series") + "."


def keeps_solved_days_soon(run, grace_s: float, now=None) -> bool:
    """A run cancelled while solving whose worker has not yet stored the days it solved, within the grace it
    has to stop on its own (``jobs.background.stop_job``): they are about to appear."""
    if run.status != run_store.CANCELLED or run.totals is not None or not run.job_id or run.cancelled_at is None \
            or run.started_at is None or (run.params or {}).get("foresight", "perfect") != "perfect":
        return False  # never claimed by a worker, already kept, or a forecast run (which keeps nothing)
    cancelled = run.cancelled_at if run.cancelled_at.tzinfo else run.cancelled_at.replace(tzinfo=UTC)
    return ((now or utc_now()) - cancelled).total_seconds() < grace_s + KEEPING_MARGIN_S


def _own_active_run(db) -> int | None:
    with db.session() as session:
        return session.scalar(
            select(OptimisationRun.id)
            .where(OptimisationRun.created_by_id == int(current_user.get_id()),
                   OptimisationRun.status.in_(run_store.ACTIVE_STATUSES))
            .order_by(OptimisationRun.id.desc()).limit(1))


def register(app: dash.Dash) -> None:
    from components import run_form as form
    from pages import runs as page

    number_ids = [f.component_id for f in form.NUMBER_FIELDS]
    choice_ids = [c for c, _k in form.CHOICE_FIELDS]
    checked_ids = [form.NEW_START, form.NEW_END, form.NEW_NAME, *number_ids, *choice_ids]
    value_ids = [*checked_ids, form.NEW_BINARY, form.NEW_SKIP]

    @app.callback(
        Output(form.NEW_SECTION, "hidden"),
        Output(form.NEW_START, "min"),
        Output(form.NEW_START, "max"),
        Output(form.NEW_END, "min"),
        Output(form.NEW_END, "max"),
        Output(form.NEW_START, "value"),
        Output(form.NEW_END, "value"),
        Output(form.QUEUED, "data"),
        Output(form.NEW_POLL, "disabled"),
        Input(page.LOAD, "data"),
    )
    def initialise_new_run(_load):
        if not role_allows(current_role(), "trader"):
            return True, None, None, None, None, None, None, None, True
        db = database()
        dates = price_dates(db)
        watching = _own_active_run(db)
        if dates is None:
            return False, None, None, None, None, None, None, watching, watching is None
        first, last = dates.first_date, dates.last_complete_date
        # The default dates are the last week both default series (day_ahead, intraday) price completely,
        # so the form opens ready to run rather than on dates one of them lacks.
        default_series = [row for row in dates.coverage if row.market in ("day_ahead", "intraday")]
        end = min((row.last_complete_date or row.last_date for row in default_series), default=last)
        start = max([row.first_date for row in default_series] + [end - timedelta(days=DEFAULT_NEW_RUN_DAYS - 1)])
        lo, hi = first.isoformat(), last.isoformat()
        return False, lo, hi, lo, hi, start.isoformat(), end.isoformat(), watching, watching is None

    # Not role-restricted: it fires when the page loads for every role (the form is hidden for viewers) and
    # only reads price coverage, which every role may see; for a viewer it does nothing.
    @app.callback(
        *[Output(c, "invalid") for c in checked_ids],
        *[Output(form.message_id(c), "children") for c in checked_ids],
        Output(form.NEW_DATES_MSG, "children"),
        Output(form.NEW_COVERAGE, "children"),
        Output(form.NEW_MARKETS, "options"),
        Output(form.NEW_SUBMIT, "disabled"),
        Output(form.NEW_PROBLEMS, "children"),
        *[Input(c, "value") for c in value_ids],
        State(form.QUEUED, "data"),
        State(form.NEW_START, "min"),
        State(form.NEW_START, "max"),
    )
    def check_form(*args):
        if not role_allows(current_role(), "trader"):
            raise PreventUpdate
        values = dict(zip(value_ids, args[:len(value_ids)], strict=True))
        stored_first, stored_last = args[-2:]
        payload, problems = form_request(values)
        for component_id, key in ((form.NEW_START, "first_date"), (form.NEW_END, "last_date")):
            outside = stored_range_problem(payload.get(key), DATE_LABELS[key], stored_first, stored_last)
            if outside and component_id not in problems:
                problems[component_id] = outside
        notes = []
        options = [dict(o) for o in form.MARKET_OPTIONS]
        db = database()
        coverage = _coverage_line(db, payload.get("da_series") or "day_ahead", payload.get("id_series") or "intraday")
        if not problems.keys() & {form.NEW_START, form.NEW_END, form.NEW_DA_SERIES, form.NEW_ID_SERIES}:
            try:
                first, last = date.fromisoformat(payload["first_date"]), date.fromisoformat(payload["last_date"])
                gaps = range_check(db, first, last, payload["da_series"] or "day_ahead",
                                   payload["id_series"] or "intraday", skip=payload["skip_missing_days"])
            except (ValueError, ServiceError) as error:
                gaps = {"da": str(error), "id": None}
            for option in options:
                missing = [gaps[role] for role in MODES_NEEDING[option["value"]] if gaps[role]]
                option["disabled"] = bool(missing)
            chosen = payload.get("markets") or "da+id"
            blocking = [gaps[role] for role in MODES_NEEDING.get(chosen, ("da", "id")) if gaps[role]]
            if blocking:
                problems[form.NEW_MARKETS] = "no prices for this mode over these dates; choose another mode or dates"
                problems[form.NEW_START] = problems[form.NEW_END] = ""  # marked red; the reason is below them
                notes = list(dict.fromkeys(blocking))
        invalid = [c in problems for c in checked_ids]
        messages = [problems.get(c, "") for c in checked_ids]
        dates_msg = dbc.Alert(["Nothing can run on these dates: ", *[html.Div(n) for n in notes]], color="warning",
                              className="py-2 mb-2") if notes else None
        lines = problem_list({c: problems[c] for c in checked_ids if c in problems}, notes)
        summary = html.Div([f"{len(lines)} thing{'s' if len(lines) != 1 else ''} to fix before this can run:",
                            html.Ul([html.Li(line) for line in lines], className="mb-0")],
                           className="small text-danger") if lines else None
        return (*invalid, *messages, dates_msg, coverage, options, bool(problems), summary)

    @role_callback(
        app,
        "trader",
        Output(form.QUEUED, "data", allow_duplicate=True),
        Output(form.NEW_MESSAGE, "children"),
        Output(page.REQUESTED, "data", allow_duplicate=True),
        Output(page.CHANGED, "data", allow_duplicate=True),
        Output(form.NEW_POLL, "disabled", allow_duplicate=True),
        Output(form.NEW_PROGRESS, "value"),
        Output(form.NEW_PROGRESS, "max"),
        Output(form.NEW_PROGRESS, "label"),
        Output(form.NEW_PROGRESS_ROW, "hidden"),
        Output(form.NEW_CANCEL, "style"),
        Input(form.NEW_SUBMIT, "n_clicks"),
        *[State(c, "value") for c in value_ids],
        prevent_initial_call=True,
    )
    def queue_new_run(_clicks, *args):
        from jobs.background import JobStartFailed, start_run_job

        values = dict(zip(value_ids, args, strict=True))
        keep = (dash.no_update,) * 4  # poll, progress value, max, label
        payload, problems = form_request(values)
        if problems:
            return dash.no_update, problems_alert("Nothing was run:", problem_list(problems)), \
                dash.no_update, dash.no_update, *keep, dash.no_update, dash.no_update
        try:
            request = parse_request(payload)
            outcome = queue_run(database(), request, user_id=int(current_user.get_id()),
                                actor=current_user.username)
        except RequestProblems as error:
            return dash.no_update, problems_alert("Nothing was run:", problem_list(error.problems)), \
                dash.no_update, dash.no_update, *keep, dash.no_update, dash.no_update
        except ServiceError as error:
            return dash.no_update, error_alert(f"Nothing was run. {error}"), dash.no_update, dash.no_update, \
                *keep, dash.no_update, dash.no_update
        if outcome.reopened:
            text = (f"Run #{outcome.run_id} already has these parameters on these prices ({outcome.status}); "
                    "it is shown below instead of solving again.")
            with database().session() as session:
                stored_name = session.get(OptimisationRun, outcome.run_id).name
            if request.name and request.name != stored_name:
                text += (f" The name “{request.name}” was not applied: the stored run keeps "
                         f"{'its name “' + stored_name + '”' if stored_name else 'no name'}.")
            active = outcome.status in run_store.ACTIVE_STATUSES
            return (outcome.run_id if active else dash.no_update), success_alert(text), outcome.run_id, \
                dash.no_update, not active, dash.no_update, dash.no_update, dash.no_update, not active, \
                ({} if active else {"display": "none"})
        try:
            start_run_job(current_app.extensions["powerdesk"].settings, outcome.run_id)
        except JobStartFailed as error:
            return dash.no_update, error_alert(str(error)), outcome.run_id, time.time(), *keep, \
                dash.no_update, dash.no_update
        days = (request.last - request.first).days + 1
        return outcome.run_id, info_alert(f"Run #{outcome.run_id} queued; solving {days} day"
                                          f"{'s' if days != 1 else ''} in the background…"), \
            outcome.run_id, time.time(), False, 0, days, f"queued: day 0 of {days}", False, {}

    @role_callback(
        app,
        "trader",
        Output(form.NEW_PROGRESS, "value", allow_duplicate=True),
        Output(form.NEW_PROGRESS, "max", allow_duplicate=True),
        Output(form.NEW_PROGRESS, "label", allow_duplicate=True),
        Output(form.NEW_PROGRESS_ROW, "hidden", allow_duplicate=True),
        Output(form.NEW_POLL, "disabled", allow_duplicate=True),
        Output(form.NEW_MESSAGE, "children", allow_duplicate=True),
        Output(page.REQUESTED, "data", allow_duplicate=True),
        Output(page.CHANGED, "data", allow_duplicate=True),
        Output(form.QUEUED, "data", allow_duplicate=True),
        Output(form.NEW_CANCEL, "style", allow_duplicate=True),
        Input(form.NEW_POLL, "n_intervals"),
        State(form.QUEUED, "data"),
        prevent_initial_call=True,
    )
    def follow_run(_ticks, run_id):
        if run_id is None:  # a tick after the run ended: leave the finished bar as it is
            return (dash.no_update,) * 4 + (True,) + (dash.no_update,) * 5
        from services.runs import reap

        reap(database(), app_settings(), run_ids=[int(run_id)])  # a dead worker's run never shows as running
        with database().session() as session:
            run = session.get(OptimisationRun, int(run_id))
            if run is None:
                return (dash.no_update,) * 3 + (True, True) + (dash.no_update,) * 3 + (None, dash.no_update)
            done, total, status, message = run.progress_done or 0, run.progress_total or 0, run.status, run.message
            winding_down = keeps_solved_days_soon(run, app_settings().run_cancel_grace_s)
        if winding_down:  # the worker is finishing its day and will store the days solved: wait for them
            return done, max(total, 1), f"cancelled: keeping the {done} day{'s' if done != 1 else ''} solved…", \
                False, False, dash.no_update, dash.no_update, dash.no_update, dash.no_update, {"display": "none"}
        if status in run_store.ACTIVE_STATUSES:
            label = f"{status}: day {done} of {total}"
            return done, max(total, 1), label, False, False, dash.no_update, dash.no_update, dash.no_update, \
                dash.no_update, {}
        alert = FINISHED_ALERT.get(status, error_alert)
        text = f"Run #{run_id} {status.replace('_', ' ')}." + (f" {message}" if message else "")
        # The bar stays, saying how far the run got; there is nothing left to cancel.
        return done, max(total, 1), f"{status}: day {done} of {total}", False, True, alert(text), run_id, \
            time.time(), None, {"display": "none"}

    @role_callback(
        app,
        "trader",
        Output(form.NEW_MESSAGE, "children", allow_duplicate=True),
        Input(form.NEW_CANCEL, "n_clicks"),
        State(form.QUEUED, "data"),
        prevent_initial_call=True,
    )
    def cancel_watched_run(_clicks, run_id):
        from jobs.background import stop_job

        if run_id is None:
            return dash.no_update
        settings = current_app.extensions["powerdesk"].settings
        try:
            cancel_run(database(), int(run_id), int(current_user.get_id()), current_role() == "admin",
                       stop_job=lambda job_id: stop_job(settings, job_id), actor=current_user.username)
        except ServiceError as error:
            return error_alert(str(error))
        return info_alert(html.Span(f"Cancelling run #{run_id}…"))
