"""/api/v1/studies: submit a sizing study (a grid of runs), follow it, cancel it."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from api.openapi import DATE, ERROR
from api.runs import _writer
from jobs.background import JOB_START_RETRY_AFTER_S, JobStartFailed, stop_job
from jobs.studies import start_points
from security.authz import require_machine_or_role
from services.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from services.studies import cancel_study, get_study, list_studies, submit_study

blueprint = Blueprint("api_studies", __name__, url_prefix="/api/v1/studies")

_ERROR_RESPONSE = {"content": {"application/json": {"schema": ERROR}}}
_STUDY_ID = {"name": "study_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}

OPENAPI_PATHS = {
    "/api/v1/studies": {
        "get": {
            "summary": "Sizing studies, newest first, with progress",
            "responses": {"200": {"description": "Studies", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"studies": {"type": "array", "items": {"type": "object"}}}}}}}},
        },
        "post": {
            "summary": "Submit a sizing study: every combination of the grid over the base, one run per point",
            "description": "Trader or admin (a session with X-CSRFToken, or a user's API key). Every point is "
                           "checked before anything is queued; a point identical to a stored run reuses it.",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/StudyRequest"}}}},
            "responses": {
                "202": {"description": "Accepted; points are solving in the background", "content": {
                    "application/json": {"schema": {"type": "object", "required": ["id"], "properties": {
                        "id": {"type": "integer"}, "points": {"type": "integer"},
                        "reused": {"type": "integer"}}}}}},
                "400": {"description": "Bad study (names the field or point)", **_ERROR_RESPONSE},
                "401": {"description": "No or invalid credentials", **_ERROR_RESPONSE},
                "403": {"description": "Not a trader or admin", **_ERROR_RESPONSE},
                "503": {"description": "The background workers could not be reached (e.g. Redis is down): the "
                                       "study (`id`) is stored with its unstarted points failed, none left queued; "
                                       "Retry-After says when to submit again", **_ERROR_RESPONSE},
            },
        },
    },
    "/api/v1/studies/{study_id}": {"get": {
        "summary": "A study with the status, parameters and totals of every point",
        "parameters": [_STUDY_ID],
        "responses": {
            "200": {"description": "The study", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Study"}}}},
            "404": {"description": "No such study", **_ERROR_RESPONSE},
        },
    }},
    "/api/v1/studies/{study_id}/cancel": {"post": {
        "summary": "Cancel the study's points that have not started",
        "parameters": [_STUDY_ID],
        "responses": {
            "200": {"description": "Cancelled; the study as it now stands", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Study"}}}},
            "403": {"description": "Not the study's author or an admin", **_ERROR_RESPONSE},
            "404": {"description": "No such study", **_ERROR_RESPONSE},
        },
    }},
}

OPENAPI_SCHEMAS = {
    "StudyRequest": {"type": "object", "required": ["name", "start", "end", "grid"], "properties": {
        "name": {"type": "string", "maxLength": 120},
        "start": DATE, "end": DATE,
        "base": {"type": "object", "description": "Any run parameter (power_mw, energy_mwh, charge_efficiency, "
                                                  "max_cycles_per_day, markets, ...) fixed for every point."},
        "grid": {"type": "object", "description": "Parameter -> list of values; duration_h [h] sets "
                                                  "energy_mwh = power_mw × duration_h.",
                 "additionalProperties": {"type": "array", "minItems": 1}},
    }},
    "Study": {"type": "object", "required": ["id", "name", "status", "points"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "status": {"type": "string", "enum": ["running", "done", "cancelled"]},
        "progress": {"type": "object", "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}}},
        "points": {"type": "array", "items": {"type": "object", "properties": {
            "run_id": {"type": ["integer", "null"]}, "status": {"type": "string"},
            "params": {"type": "object"}, "totals": {"type": ["object", "null"]},
            "message": {"type": "string"}}}},
    }},
}


@blueprint.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    status = {InvalidInput: 400, NotFound: 404, Forbidden: 403, Conflict: 409}.get(type(error), 400)
    return jsonify(error="invalid request" if status == 400 else type(error).__name__.lower(),
                   detail=str(error)), status


@blueprint.get("")
def studies():
    require_machine_or_role("viewer")
    return jsonify(studies=list_studies(current_app.extensions["powerdesk"].db))


@blueprint.post("")
def submit():
    require_machine_or_role("viewer")
    actor = _writer("trader")
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput("send the study as a JSON object (Content-Type: application/json)")
    context = current_app.extensions["powerdesk"]
    submitted = submit_study(context.db, body, actor.user_id, actor.name, context.settings.study_max_points)
    try:
        start_points(context.settings, submitted.study_id, submitted.pending_run_ids)
    except JobStartFailed as error:
        response = jsonify(error="service unavailable", detail=str(error), id=submitted.study_id)
        response.status_code = 503
        response.headers["Retry-After"] = str(JOB_START_RETRY_AFTER_S)
        return response
    study = get_study(context.db, submitted.study_id)
    return jsonify(id=submitted.study_id, points=len(study["points"]),
                   reused=len(study["points"]) - len(submitted.pending_run_ids)), 202


@blueprint.get("/<int:study_id>")
def study(study_id: int):
    require_machine_or_role("viewer")
    context = current_app.extensions["powerdesk"]
    return jsonify(get_study(context.db, study_id, context.settings))


@blueprint.post("/<int:study_id>/cancel")
def cancel(study_id: int):
    require_machine_or_role("viewer")
    actor = _writer("trader")
    context = current_app.extensions["powerdesk"]
    cancel_study(context.db, study_id, actor.user_id, actor.role == "admin", actor.name,
                 stop_job=lambda job_id: stop_job(context.settings, job_id))
    return jsonify(get_study(context.db, study_id))
