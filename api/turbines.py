"""/api/v1/turbines: metric ingest (and the original emitters' ``POST /post_metrics``), fleet state,
metrics per turbine and repair tickets.

Ingest takes the original body, one object or a list of them:
``{"turbine_number": 1, "wind_speed": 74.1, "power_output_in_kwh": 2229.4, "operational_status": "ok",
"timestamp": 1704427057.34}`` with wind in km/h (stored as m/s, ÷ 3.6) and ``power_output_in_kwh``,
which is really power in kW.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user

from api.openapi import ERROR
from domain.key_scope import first_turbine_outside
from domain.turbine_fleet import STATUSES, Ticket
from domain.turbine_metrics import MetricError
from security.authz import require_machine_or_role, write_scope
from services.errors import InvalidInput, NotFound, ServiceError
from services.turbine_ingest import ingest_metrics
from services.turbines import fleet_state, list_tickets, turbine_metrics

blueprint = Blueprint("api_turbines", __name__)


def _error(status: int, error: str, detail: str, **extra):
    response = jsonify(error=error, detail=detail, **extra)
    response.status_code = status
    return response


@blueprint.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    status = 404 if isinstance(error, NotFound) else 400 if isinstance(error, InvalidInput) else 409
    return _error(status, "not found" if status == 404 else "invalid request", str(error))


def _context():
    return current_app.extensions["powerdesk"]


def _actor() -> str:
    if g.get("machine") is not None:
        return f"apikey:{g.machine.name}"
    return current_user.username


def _read_body(limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` bytes (checked before reading it all)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    # get_data, not the stream: the request checks (security.json_input) have already read and cached it
    body = request.get_data(cache=True)
    return None if len(body) > limit else body


@blueprint.post("/api/v1/turbines/metrics")
@blueprint.post("/post_metrics")
def post_metrics():
    """Store one metric or a list; 201 once committed, 422 naming the first bad item and field."""
    require_machine_or_role("trader")
    settings = _context().settings
    body = _read_body(settings.turbine_max_body_bytes)
    if body is None:
        return _error(413, "payload too large",
                      f"the body is over {settings.turbine_max_body_bytes:,} bytes; send smaller batches")
    try:
        payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        return _error(400, "invalid JSON", f"the body is not JSON: {error}")
    single = isinstance(payload, dict)
    items = [payload] if single else payload
    if not isinstance(items, list):
        return _error(422, "invalid metric", "send one metric object or a JSON list of them", item=None, field=None)
    outside = first_turbine_outside(write_scope(), items)
    if outside is not None:
        index, number = outside
        return _error(403, "forbidden", f"item {index} is for turbine {number}, which this API key may not post "
                                        "for; nothing was stored", item=index, turbine_number=number)
    try:
        result = ingest_metrics(_context().db, items, _context().clock().timestamp(),
                                auto_register=settings.turbine_auto_register,
                                default_rating_kw=settings.turbine_default_rating_kw, actor=_actor(), single=single,
                                max_future_s=settings.turbine_max_future_skew_s)
    except MetricError as error:
        return _error(422, "invalid metric", str(error), item=error.item, field=error.field)
    return jsonify(received=result.received, stored=result.stored, duplicates=result.duplicates,
                   registered=list(result.registered)), 201


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def ticket_json(ticket: Ticket) -> dict:
    return {"id": ticket.id, "turbine_number": ticket.turbine_number, "status": ticket.status,
            "engineer": ticket.engineer, "incident_at": _iso(ticket.incident_at),
            "incident_epoch_s": ticket.incident_at.timestamp(), "opened_at": _iso(ticket.opened_at),
            "assigned_at": _iso(ticket.assigned_at), "started_at": _iso(ticket.started_at),
            "completed_at": _iso(ticket.completed_at), "resolved_at": _iso(ticket.resolved_at),
            "failed_again_at": _iso(ticket.failed_again_at),
            "repair_s": ticket.repair_s}


@blueprint.get("/api/v1/turbines")
def turbines():
    """Fleet state: each turbine's latest report, condition and open ticket."""
    require_machine_or_role("viewer")
    settings = _context().settings
    states = fleet_state(_context().db, settings.turbine_report_interval_s)
    return jsonify(turbines=[{
        "turbine_number": s.turbine_number, "name": s.name, "rated_power_kw": s.rated_power_kw,
        "condition": s.condition, "last_status": s.last_status, "last_seen": _iso(s.last_seen),
        "wind_speed_m_per_s": s.wind_speed_m_per_s, "power_kw": s.power_kw, "repair_state": s.repair_state,
        "ticket": ticket_json(s.ticket) if s.ticket else None,
    } for s in states])


def _epoch_arg(name: str, default: float) -> datetime:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return datetime.fromtimestamp(default, UTC)
    try:
        value = float(raw)
    except ValueError as error:
        raise InvalidInput(f"{name}={raw!r} is not epoch seconds") from error
    if not math.isfinite(value) or not 0 <= value < 32_503_680_000:
        raise InvalidInput(f"{name}={raw!r} is not epoch seconds between 1970 and 3000")
    return datetime.fromtimestamp(value, UTC)


@blueprint.get("/api/v1/turbines/<int:turbine_number>/metrics")
def metrics(turbine_number: int):
    """A turbine's reports with ``since <= timestamp < until`` (epoch seconds; default the last hour)."""
    require_machine_or_role("viewer")
    now = time.time()
    since, until = _epoch_arg("since", now - 3600), _epoch_arg("until", now + 300)
    frame = turbine_metrics(_context().db, [turbine_number], since, until,
                            _context().settings.turbine_curve_tolerance_pct / 100.0)
    return jsonify(turbine_number=turbine_number, since=since.timestamp(), until=until.timestamp(), metrics=[
        {"timestamp": t.timestamp(), "measured_at": _iso(t.to_pydatetime()), "wind_speed_m_per_s": w,
         "wind_speed_km_per_h": w * 3.6, "power_kw": p, "operational_status": s, "plausibility": f}
        for t, w, p, s, f in zip(frame["measured_at"], frame["wind_speed_m_per_s"], frame["power_kw"], frame["status"],
                                 frame["plausibility"], strict=True)])


@blueprint.get("/api/v1/turbines/repairs")
def repairs():
    """Repair tickets, newest first, filtered by ``status`` and ``turbine``."""
    require_machine_or_role("viewer")
    turbine = request.args.get("turbine")
    if turbine is not None and not turbine.isdigit():
        raise InvalidInput(f"turbine={turbine!r} is not a turbine number")
    found = list_tickets(_context().db, request.args.get("status") or None, int(turbine) if turbine else None)
    return jsonify(tickets=[ticket_json(t) for t in found])


_JSON_ERROR = {"content": {"application/json": {"schema": ERROR}}}
_UNAUTHORISED = {"description": "No or invalid credentials", **_JSON_ERROR}
_INGEST = {
    "summary": "Store turbine metrics (one object or a list; stored whole or not at all)",
    "description": "wind_speed is km/h (stored as m/s = km/h / 3.6); power_output_in_kwh is really power in kW. "
                   "The same (turbine_number, timestamp) is stored once. 201 only after the commit.",
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/TurbineMetric"},
        {"type": "array", "items": {"$ref": "#/components/schemas/TurbineMetric"}}]}}}},
    "responses": {
        "201": {"description": "Stored", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/TurbineIngestResult"}}}},
        "400": {"description": "Not JSON", **_JSON_ERROR},
        "401": _UNAUTHORISED,
        "403": {"description": "The API key is scoped to other turbines (or a session without the trader role or "
                               "the CSRF token): `item` and `turbine_number` name the first metric it may not "
                               "post; nothing is stored", "content": {"application/json": {"schema": {
                                   "$ref": "#/components/schemas/TurbineScopeError"}}}},
        "413": {"description": "Body larger than TURBINE_MAX_BODY_BYTES", **_JSON_ERROR},
        "422": {"description": "A metric is invalid: `item` (index) and `field` name it", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/TurbineMetricError"}}}},
    },
}

OPENAPI_PATHS = {
    "/api/v1/turbines/metrics": {"post": _INGEST},
    "/post_metrics": {"post": {**_INGEST, "summary": "The original emitters' path; same as /api/v1/turbines/metrics"}},
    "/api/v1/turbines": {"get": {
        "summary": "Fleet state: latest report, condition (ok, broken, stale, no data) and open ticket per turbine",
        "responses": {"200": {"description": "The fleet", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/TurbineFleet"}}}}, "401": _UNAUTHORISED},
    }},
    "/api/v1/turbines/{turbine_number}/metrics": {"get": {
        "summary": "One turbine's reports in a window of epoch seconds (default: the last hour)",
        "parameters": [
            {"name": "turbine_number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}},
            {"name": "since", "in": "query", "required": False, "schema": {"type": "number"}},
            {"name": "until", "in": "query", "required": False, "schema": {"type": "number"}},
        ],
        "responses": {
            "200": {"description": "Reports, oldest first"},
            "400": {"description": "Bad window", **_JSON_ERROR},
            "401": _UNAUTHORISED,
            "404": {"description": "No such turbine", **_JSON_ERROR},
        },
    }},
    "/api/v1/turbines/repairs": {"get": {
        "summary": "Repair tickets, newest first",
        "parameters": [
            {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": list(STATUSES)}},
            {"name": "turbine", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}},
        ],
        "responses": {
            "200": {"description": "Tickets", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"tickets": {"type": "array", "items": {
                    "$ref": "#/components/schemas/TurbineTicket"}}}}}}},
            "400": {"description": "Bad filter", **_JSON_ERROR},
            "401": _UNAUTHORISED,
        },
    }},
}

_TIME = {"type": ["string", "null"], "format": "date-time"}
OPENAPI_SCHEMAS = {
    "TurbineMetric": {"type": "object", "required": ["turbine_number", "wind_speed", "power_output_in_kwh",
                                                     "operational_status", "timestamp"], "properties": {
        "turbine_number": {"type": "integer", "minimum": 1},
        "wind_speed": {"type": "number", "minimum": 0, "maximum": 300, "description": "Wind speed [km/h]"},
        "power_output_in_kwh": {"type": "number", "description": "Power [kW] (despite the name), "
                                                                 "-5 %..+120 % of the turbine's rating"},
        "operational_status": {"type": "string", "enum": ["ok", "broken"]},
        "timestamp": {"type": "number", "description": "Measured time, epoch seconds UTC; at most 5 min ahead"},
    }},
    "TurbineIngestResult": {"type": "object", "properties": {
        "received": {"type": "integer"}, "stored": {"type": "integer"}, "duplicates": {"type": "integer"},
        "registered": {"type": "array", "items": {"type": "integer"}}}},
    "TurbineMetricError": {"type": "object", "required": ["error", "detail"], "properties": {
        "error": {"type": "string"}, "detail": {"type": "string"},
        "item": {"type": ["integer", "null"]}, "field": {"type": ["string", "null"]}}},
    "TurbineScopeError": {"type": "object", "required": ["error", "detail"], "properties": {
        "error": {"type": "string"}, "detail": {"type": "string"},
        "item": {"type": "integer", "description": "Index of the first metric outside the key's scope"},
        "turbine_number": {"type": "integer"}}},
    "TurbineTicket": {"type": "object", "properties": {
        "id": {"type": "integer"}, "turbine_number": {"type": "integer"},
        "status": {"type": "string", "enum": list(STATUSES)}, "engineer": {"type": ["string", "null"]},
        "incident_at": _TIME, "incident_epoch_s": {"type": "number"}, "opened_at": _TIME, "assigned_at": _TIME,
        "started_at": _TIME, "completed_at": _TIME, "resolved_at": _TIME, "failed_again_at": _TIME,
        "repair_s": {"type": ["number", "null"], "description": "Repair time [s]"}}},
    "TurbineFleet": {"type": "object", "properties": {"turbines": {"type": "array", "items": {
        "type": "object", "properties": {
            "turbine_number": {"type": "integer"}, "name": {"type": "string"},
            "rated_power_kw": {"type": "number"},
            "condition": {"type": "string", "enum": ["ok", "broken", "stale", "no data"]},
            "last_status": {"type": ["string", "null"]}, "last_seen": _TIME,
            "wind_speed_m_per_s": {"type": ["number", "null"]}, "power_kw": {"type": ["number", "null"]},
            "repair_state": {"type": "string"},
            "ticket": {"oneOf": [{"$ref": "#/components/schemas/TurbineTicket"}, {"type": "null"}]}}}}}},
}
