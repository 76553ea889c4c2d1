"""/api/v1/runs: list, read, export, submit, cancel and delete optimisation runs.

The same services, checks and dedupe as the Runs page. Who may do what:
- a logged-in user, or an API key that belongs to a user, acts with that user's role: every role reads,
  traders and admins submit, the run's owner or an admin cancels and deletes;
- a machine key (no user) may read runs but never submit, cancel or delete one.
Session-authenticated writes need the X-CSRFToken header (checked by the request guard).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd
from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user

from api.openapi import DATE, ERROR
from data_access import runs as run_store
from data_access.schema import OptimisationRun
from domain.roles import role_allows
from domain.settlement_time import LONDON
from jobs.background import JOB_START_RETRY_AFTER_S, JobStartFailed, start_run_job, stop_job
from services import runs as run_reads
from services.api_keys import key_user
from services.carbon import with_carbon_columns
from services.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from services.optimisation_runs import cancel_run, queue_run, reap_stale_runs
from services.run_requests import (
    BATTERY_FIELDS,
    FIELDS,
    MAX_NAME_CHARS,
    OTHER_FIELDS,
    SOLVER_FIELDS,
    RequestProblems,
    parse_request,
)
from services.runs import delete_run, get_run_row

blueprint = Blueprint("api_runs", __name__, url_prefix="/api/v1/runs")


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_RUN = {"$ref": "#/components/schemas/Run"}
_ERR = {code: _json(text, ERROR) for code, text in (
    ("401", "No or invalid credentials"), ("403", "Not allowed for this user or key"), ("404", "No such run"),
    ("409", "The run's state does not allow it"))}
_ID = {"name": "run_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _param_schema() -> dict:
    props: dict = {"name": {"type": "string", "maxLength": MAX_NAME_CHARS}, "first_date": DATE, "last_date": DATE,
                   "always_binary": {"type": "boolean", "default": False},
                   "skip_missing_days": {"type": "boolean", "default": False,
                                         "description": "Skip days without every price (battery idle, SoC "
                                                        "carried) instead of refusing the run"}}
    for key, spec in FIELDS.items():
        if hasattr(spec, "options"):
            props[key] = {"type": "string", "enum": list(spec.options), "default": spec.default,
                          "description": spec.label}
        else:
            number = {"type": "number", "description": f"{spec.label} [{spec.unit or '-'}]"}
            if spec.low is not None:
                number["minimum" if spec.low_inclusive else "exclusiveMinimum"] = spec.low
            if spec.high is not None:
                number["maximum"] = spec.high
            if spec.optional:
                number = {"anyOf": [number, {"type": "null"}], "default": None, "description": number["description"]}
            else:
                number["default"] = spec.default
            props[key] = number
    return {"type": "object", "required": ["first_date", "last_date"], "additionalProperties": False,
            "properties": props}


OPENAPI_PATHS = {
    "/api/v1/runs": {
        "get": {
            "summary": "Optimisation runs, newest first",
            "parameters": [
                {"name": "status", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": list(run_store.STATUSES)}},
                {"name": "user", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "The submitter's user name"},
                {"name": "start", "in": "query", "required": False, "schema": DATE,
                 "description": "Runs whose settlement dates reach this date or later"},
                {"name": "end", "in": "query", "required": False, "schema": DATE,
                 "description": "Runs whose settlement dates start on this date or earlier"},
            ],
            "responses": {"200": _json("Runs", {"type": "object", "properties": {
                "runs": {"type": "array", "items": _RUN}}}),
                "400": _json("Bad filter", ERROR), "401": _ERR["401"]},
        },
        "post": {
            "summary": "Submit a run (trader or admin; not machine keys)",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/RunRequest"}}}},
            "responses": {
                "202": _json("Queued; solving in the background", _RUN),
                "200": _json("An identical run (same parameters, same prices) already exists; it is returned", _RUN),
                "400": _json("Not a JSON object, or no prices for the dates", ERROR),
                "422": _json("A parameter is invalid; `fields` names each one", ERROR),
                "503": _json("No background worker could be reached (e.g. Redis is down); the run is stored as failed "
                             "with that reason (`id`), nothing is left queued; Retry-After says when to submit "
                             "again", ERROR),
                "401": _ERR["401"], "403": _ERR["403"],
            },
        },
    },
    "/api/v1/runs/{run_id}": {
        "get": {"summary": "One run: parameters, status, progress, message, totals, fingerprint",
                "parameters": [_ID], "responses": {"200": _json("The run", _RUN), "401": _ERR["401"],
                                                   "404": _ERR["404"]}},
        "delete": {"summary": "Delete a run and its intervals (owner or admin; not while queued or running)",
                   "parameters": [_ID], "responses": {"204": {"description": "Deleted"}, "401": _ERR["401"],
                                                      "403": _ERR["403"], "404": _ERR["404"],
                                                      "409": _ERR["409"]}},
    },
    "/api/v1/runs/{run_id}/cancel": {
        "post": {"summary": "Cancel a queued or running run (owner or admin): its job is stopped",
                 "parameters": [_ID], "responses": {"200": _json("The cancelled run", _RUN), "401": _ERR["401"],
                                                    "403": _ERR["403"], "404": _ERR["404"],
                                                    "409": _ERR["409"]}},
    },
    "/api/v1/runs/{run_id}/intervals.csv": {
        "get": {"summary": "The run's schedule, one row per half-hour: interval_start_utc, local_time, "
                           "settlement_date, settlement_period and every schedule column",
                "parameters": [_ID],
                "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
                              "401": _ERR["401"], "404": _ERR["404"]}},
    },
}

OPENAPI_SCHEMAS = {
    "RunRequest": _param_schema(),
    "Run": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "status": {"type": "string", "enum": list(run_store.STATUSES)},
        "solver_status": {"type": ["string", "null"]}, "message": {"type": "string"},
        "progress": {"type": "object", "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}}},
        "first_date": DATE, "last_date": DATE, "markets": {"type": "string"},
        "series": {"type": "object", "properties": {"da": {"type": "string"}, "id": {"type": "string"}}},
        "parameters": {"type": "object"}, "totals": {"type": ["object", "null"]},
        "input_fingerprint": {"type": "string"}, "prices_as_of": {"type": ["string", "null"]},
        "created_by": {"type": ["string", "null"]}, "created_at": {"type": "string"},
        "worker": {"type": ["string", "null"],
                   "description": "Host (container) of the process or Celery worker that claimed the run last"},
        "error_traceback": {"type": "string", "description": "Admins only"},
    }},
}

_BATTERY_KEYS = tuple(BATTERY_FIELDS)
_SOLVER_KEYS = tuple(SOLVER_FIELDS) + ("always_binary",)
_OTHER_KEYS = tuple(OTHER_FIELDS)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    role: str | None
    """None for a machine key."""


def _context():
    return current_app.extensions["powerdesk"]


def _actor() -> Actor:
    machine = g.get("machine")
    if machine is None:
        key = g.get("api_key")  # a user key: the guard made current_user its user, as of this request
        name = f"{current_user.username} (apikey:{key.name})"[:64] if key is not None else current_user.username
        return Actor(int(current_user.get_id()), name, current_user.role)
    user = key_user(_context().db, machine.api_key_id)
    if user is None:
        return Actor(None, f"apikey:{machine.name}", None)
    if not user.is_active:
        raise Forbidden(f"the API key {machine.name!r} belongs to {user.username!r}, whose account is disabled")
    return Actor(user.id, f"{user.username} (apikey:{machine.name})"[:64], user.role)


def _writer(needed: str = "viewer") -> Actor:
    actor = _actor()
    if actor.role is None:
        raise Forbidden("machine API keys may not submit, cancel or delete runs; create a key for a user "
                        "(flask --app app apikey create NAME --user USER)")
    if not role_allows(actor.role, needed):
        raise Forbidden(f"this needs the {needed} role; {actor.name} is a {actor.role}")
    return actor


@blueprint.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    if isinstance(error, RequestProblems):
        return jsonify(error="invalid run parameters", detail=str(error), fields=error.problems), 422
    status = {NotFound: 404, Forbidden: 403, Conflict: 409, InvalidInput: 400}.get(type(error), 400)
    return jsonify(error={404: "not found", 403: "forbidden", 409: "conflict"}.get(status, "invalid request"),
                   detail=str(error)), status


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def run_json(run: OptimisationRun, is_admin: bool = False) -> dict:
    body = {
        "id": run.id, "name": run.name, "status": run.status, "solver_status": run.solver_status,
        "message": run.message, "progress": {"done": run.progress_done or 0, "total": run.progress_total or 0},
        "first_date": run.first_date.isoformat(), "last_date": run.last_date.isoformat(), "markets": run.markets,
        "series": {"da": run.da_series, "id": run.id_series}, "parameters": run.params, "totals": run.totals,
        "solver_stats": run.solver_stats, "params_hash": run.params_hash, "input_fingerprint": run.input_fingerprint,
        "prices_as_of": _iso(run.prices_as_of), "created_by": run.created_by.username if run.created_by else None,
        "created_at": _iso(run.created_at), "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
        "heartbeat_at": _iso(run.heartbeat_at), "cancelled_at": _iso(run.cancelled_at), "worker": run.worker,
        "cancelled_by": run.cancelled_by.username if run.cancelled_by_id and run.cancelled_by else None,
        "links": {"self": f"/api/v1/runs/{run.id}", "intervals": f"/api/v1/runs/{run.id}/intervals.csv",
                  "page": f"/runs?run={run.id}"},
    }
    if is_admin:
        body["error_traceback"] = run.error_traceback
    return body


def _is_admin() -> bool:
    actor = _actor()
    return actor.role == "admin"


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise InvalidInput(f"{name}={raw!r} is not a date in YYYY-MM-DD form") from error


@blueprint.get("")
def list_runs():
    """Runs newest first; filters ``status``, ``user``, ``start``/``end`` (settlement dates overlapping)."""
    status = request.args.get("status") or None
    if status is not None and status not in run_store.STATUSES:
        raise InvalidInput(f"status {status!r} is not one of {', '.join(run_store.STATUSES)}")
    db = _context().db
    reap_stale_runs(db, _context().settings)
    admin = _is_admin()
    runs = run_reads.list_runs(db, status=status, user=request.args.get("user") or None, first=_date_arg("start"),
                               last=_date_arg("end"))
    return jsonify(runs=[run_json(run, admin) for run in runs])


@blueprint.get("/<int:run_id>")
def get_run(run_id: int):
    return jsonify(run_json(get_run_row(_context().db, run_id, _context().settings), _is_admin()))


@blueprint.get("/<int:run_id>/intervals.csv")
def intervals_csv(run_id: int):
    db = _context().db
    get_run_row(db, run_id, _context().settings)
    with db.session() as session:
        intervals = run_store.run_intervals(session, run_id)
    starts = pd.DatetimeIndex(intervals["interval_start_utc"]) if not intervals.empty else pd.DatetimeIndex([], tz="UTC")
    export = intervals.copy()
    export["interval_start_utc"] = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in starts]
    export.insert(1, "local_time", [t.strftime("%Y-%m-%d %H:%M %Z") for t in starts.tz_convert(LONDON)])
    export = with_carbon_columns(db, intervals, export)
    buffer = io.StringIO()
    export.to_csv(buffer, index=False, float_format="%.6g")
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=powerdesk_run_{run_id}_intervals.csv"})


@blueprint.post("")
def submit_run():
    """Queue a run (202) or return the identical stored one (200)."""
    actor = _writer("trader")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("send a JSON object of run parameters (Content-Type: application/json)")
    run_request = parse_request(body)
    ctx = _context()
    outcome = queue_run(ctx.db, run_request, actor.user_id, actor.name)
    if not outcome.reopened:
        try:
            start_run_job(ctx.settings, outcome.run_id)
        except JobStartFailed as error:
            response = jsonify(error="service unavailable", detail=str(error), id=outcome.run_id, status="failed")
            response.status_code = 503
            response.headers["Retry-After"] = str(JOB_START_RETRY_AFTER_S)
            return response
    run = get_run_row(ctx.db, outcome.run_id, ctx.settings)
    body = run_json(run, actor.role == "admin")
    if outcome.reopened:
        body["reopened"] = True
        if run_request.name and run_request.name != run.name:
            body["note"] = (f"run #{run.id} already has these parameters on these prices, so it was returned; "
                            f"the name {run_request.name!r} was not applied")
        return jsonify(body), 200
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = f"/api/v1/runs/{run.id}"
    return response


@blueprint.post("/<int:run_id>/cancel")
def cancel(run_id: int):
    actor = _writer("viewer")
    ctx = _context()
    run = cancel_run(ctx.db, run_id, actor.user_id, actor.role == "admin",
                     stop_job=lambda job_id: stop_job(ctx.settings, job_id), actor=actor.name)
    return jsonify(run_json(get_run_row(ctx.db, run.id, ctx.settings), actor.role == "admin"))


@blueprint.delete("/<int:run_id>")
def delete(run_id: int):
    actor = _writer("viewer")
    db = _context().db
    delete_run(db, run_id, actor.user_id, actor.role == "admin")  # audited by the service, with the deletion
    return "", 204
