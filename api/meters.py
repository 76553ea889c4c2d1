"""Smart meters and price plans: the JOI API's paths and JSON shapes, and the same under /api/v1.

One implementation answers both ``/readings/...`` / ``/price-plans/...`` (so the original's
clients keep working) and ``/api/v1/readings/...`` / ``/api/v1/price-plans/...``. Meters post with
an API key (or an admin's session); reading needs an API key or any session. Error bodies carry
the original's ``detail`` and the house ``error`` key.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user

from api.openapi import ERROR
from domain.roles import role_allows
from security.authz import write_scope
from services.errors import InvalidInput, NotFound, ServiceError
from services.meters import (
    MAX_POWER_KW,
    MAX_READINGS_PER_REQUEST,
    METER_ID_PATTERN,
    MIN_TIME_S,
    ConflictingReadings,
    TooManyReadings,
    compare_all,
    parse_limit,
    parse_readings_payload,
    readings_of,
    recommend,
    rounded,
    store_readings,
)

blueprint = Blueprint("meters_api", __name__)

PREFIXES = ("", "/api/v1")
MAX_BODY_BYTES = 4_000_000
"""A request body this large cannot be 10,000 readings of sensible JSON [bytes]."""

COSTS_NOTE = (
    "Costs are in pence (plan rates are p/kWh). Energy is the trapezoid-rule integral of the kW readings "
    "over the stored window: each pair of consecutive readings contributes (P1 + P2) / 2 × hours between them. "
    "Each interval is charged at the plan's rate × the plan's multiplier for the UK local weekday "
    "(Europe/London) of its first reading. The original JOI service divided the average kW by the hours "
    "elapsed instead of multiplying, so its numbers fell as the window grew, and it never matched a Sunday "
    "multiplier. A day-ahead tracker plan's rate each half-hour is min(cap, unit rate + multiplier × "
    "day-ahead £/MWh ÷ 10) p/kWh; it is only ranked when every interval's half-hour has a stored day-ahead "
    "price, and is otherwise listed under notCosted with the part that could be costed. Plans of equal cost "
    "are ranked by unit rate (lower first), then by plan id. Readings further apart than METER_MAX_GAP_S "
    "(default 2 h) leave a gap: its usage is unknown and left out of every plan's cost and of energyKwh "
    "(`gaps` says how many intervals and hours)."
)


def _json_error(status: int, error: str, detail: str):
    return jsonify(error=error, detail=detail), status


@blueprint.errorhandler(ServiceError)
def _service_error(error: ServiceError):
    if isinstance(error, TooManyReadings):
        return _json_error(413, "too many readings", str(error))
    if isinstance(error, InvalidInput):
        return _json_error(422, "invalid request", str(error))
    if isinstance(error, NotFound):
        return _json_error(404, "not found", str(error))
    if isinstance(error, ConflictingReadings):
        return jsonify(error="conflict", detail=str(error), conflicts=[
            {"time": t, "storedReading": old, "sentReading": new} for t, old, new in error.conflicts]), 409
    return _json_error(409, "conflict", str(error))


def _may_read():
    if g.get("machine") is not None or current_user.is_authenticated:
        return None
    return _json_error(401, "unauthorised", "send Authorization: Bearer <api key>, or log in")


def _may_store():
    if g.get("machine") is not None:
        return None
    if current_user.is_authenticated and role_allows(current_user.role, "admin"):
        return None
    return _json_error(403, "forbidden", "meters store readings with an API key (or an admin's session)")


def _db():
    return current_app.extensions["powerdesk"].db


def _max_gap_s() -> float:
    return current_app.extensions["powerdesk"].settings.meter_max_gap_s


def _cost_entry(cost) -> dict:
    return {cost.plan_id: rounded(cost.cost_p)}


def store():
    """Store a meter's readings (idempotent per meter and instant)."""
    refused = _may_store()
    if refused:
        return refused
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _json_error(413, "too large", f"the body is over {MAX_BODY_BYTES:,} bytes; send at most "
                                             f"{MAX_READINGS_PER_REQUEST:,} readings per request")
    body = request.get_json(force=True, silent=True)
    if body is None:
        raise InvalidInput("the body is not JSON; send {\"smartMeterId\": ..., \"electricityReadings\": [...]}")
    batch = parse_readings_payload(body)
    if not write_scope().allows_meter(batch.meter_id):
        return _json_error(403, "forbidden", f"this API key may not store readings for meter {batch.meter_id!r}; "
                                             "nothing was stored")
    added = store_readings(_db(), batch)
    response = jsonify(smartMeterId=batch.meter_id, electricityReadings=batch.echo)
    response.headers["X-Readings-Added"] = str(added)
    return response


def read(smart_meter_id: str):
    """A meter's stored readings, oldest first."""
    refused = _may_read()
    if refused:
        return refused
    times, power = readings_of(_db(), smart_meter_id)
    return jsonify([{"time": t, "reading": p} for t, p in zip(times.tolist(), power.tolist(), strict=True)])


def compare(smart_meter_id: str):
    """The meter's current plan and what its stored readings cost on every plan, cheapest first."""
    refused = _may_read()
    if refused:
        return refused
    comparison = compare_all(_db(), smart_meter_id, _max_gap_s())
    not_costed = [{
        "pricePlanId": cost.plan_id,
        "costedCost": rounded(cost.cost_p),
        "costedEnergyFraction": round(cost.costed_fraction, 6),
        "reason": f"no stored day-ahead price for {cost.uncosted_intervals} of the readings' intervals; "
                  f"{cost.costed_fraction:.1%} of the energy could be costed",
    } for cost in comparison.incomplete]
    return jsonify(
        pricePlanId=comparison.current_plan_id,
        pricePlanComparisons=[_cost_entry(cost) for cost in comparison.ranked],
        energyKwh=round(comparison.energy_kwh, 6),
        costUnit="pence",
        notCosted=not_costed,
        gaps={"maxGapSeconds": comparison.max_gap_s, "intervals": comparison.gap_intervals,
              "hours": round(comparison.gap_hours, 6)},
    )


def recommend_plans(smart_meter_id: str):
    """Plans cheapest first for the meter's usage, at most ``limit``."""
    refused = _may_read()
    if refused:
        return refused
    limit = parse_limit(request.args.get("limit"))
    return jsonify([_cost_entry(cost) for cost in recommend(_db(), smart_meter_id, limit, _max_gap_s())])


for _prefix in PREFIXES:
    _name = "v1_" if _prefix else ""
    blueprint.add_url_rule(f"{_prefix}/readings/store", f"{_name}store", store, methods=["POST"])
    blueprint.add_url_rule(f"{_prefix}/readings/read/<smart_meter_id>", f"{_name}read", read)
    blueprint.add_url_rule(f"{_prefix}/price-plans/compare-all/<smart_meter_id>", f"{_name}compare", compare)
    blueprint.add_url_rule(f"{_prefix}/price-plans/recommend/<smart_meter_id>", f"{_name}recommend",
                           recommend_plans)


# --- OpenAPI ---

_JSON_ERROR = {"content": {"application/json": {"schema": ERROR}}}
_METER_PARAMETER = {
    "name": "smartMeterId", "in": "path", "required": True,
    "schema": {"type": "string", "pattern": METER_ID_PATTERN},
    "examples": {name: {"value": f"smart-meter-{i}"} for i, name in
                 enumerate(("Sarah", "Peter", "Charlie", "Andrea", "Alex"))},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    text = {401: "No or invalid credentials", 403: "An API key scoped to other meters, or a session without the admin role or the CSRF token",
            404: "Unknown meter, no readings, or (compare-all) no price plan",
            409: "A reading for a stored instant with a different value; both named; nothing stored",
            413: "Too many readings",
            422: "Invalid body or parameter; the detail says what to change"}
    return {str(status): {"description": text[status], **_JSON_ERROR} for status in statuses}


def _paths(prefix: str) -> dict:
    tag = ["Meters (JOI paths)"] if not prefix else ["Meters"]
    return {
        f"{prefix}/readings/store": {"post": {
            "tags": tag, "summary": "Store a meter's readings",
            "description": (
                f"Up to {MAX_READINGS_PER_REQUEST:,} readings per request (more: 413). `time` is a whole number "
                f"of seconds since 1970-01-01 UTC, from {MIN_TIME_S} (2000-01-01) to a day after the server's "
                f"clock; `reading` is instantaneous import power in kW, 0 to {MAX_POWER_KW:,.0f}. Negative "
                "readings (export) are not accepted: these are import meters (422). Float times, NaN or "
                "infinite readings, missing or mistyped fields get 422 with a message. Posting a stored reading "
                "again (same instant, same value) is harmless (200); the `X-Readings-Added` header says how many "
                "were new. A different value at a stored instant gets 409 naming both values (`conflicts`: "
                "`time`, `storedReading`, `sentReading`) and nothing of the request is stored. An unknown meter is created with no plan. "
                "Needs an API key (or an admin's session with X-CSRFToken); a key scoped to other meters gets 403 "
                "and nothing is stored."),
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("MeterReadings")}}},
            "responses": {"200": {**_ok("The readings as received", _ref("MeterReadings")),
                                  "headers": {"X-Readings-Added": {"schema": {"type": "string"},
                                                                   "description": "How many readings were new"}}},
                          **_errors(401, 403, 409, 413, 422)},
        }},
        f"{prefix}/readings/read/{{smartMeterId}}": {"get": {
            "tags": tag, "summary": "A meter's stored readings, oldest first",
            "parameters": [_METER_PARAMETER],
            "responses": {"200": _ok("Readings, oldest first", {"type": "array", "items": _ref("ElectricityReading")}),
                          **_errors(401, 404)},
        }},
        f"{prefix}/price-plans/compare-all/{{smartMeterId}}": {"get": {
            "tags": tag, "summary": "The meter's plan and its stored readings' cost on every plan, cheapest first",
            "description": COSTS_NOTE,
            "parameters": [_METER_PARAMETER],
            "responses": {"200": _ok("Costs in pence", _ref("PlanComparison")), **_errors(401, 404)},
        }},
        f"{prefix}/price-plans/recommend/{{smartMeterId}}": {"get": {
            "tags": tag, "summary": "Plans for the meter's usage, cheapest first",
            "description": COSTS_NOTE,
            "parameters": [_METER_PARAMETER,
                           {"name": "limit", "in": "query", "required": False,
                            "description": "At most this many plans (a positive whole number)",
                            "schema": {"type": "integer", "minimum": 1}}],
            "responses": {"200": _ok("Cheapest first, costs in pence", {"type": "array", "items": _ref("PlanCost")}),
                          **_errors(401, 404, 422)},
        }},
    }


OPENAPI_PATHS = {path: operation for prefix in PREFIXES for path, operation in _paths(prefix).items()}

OPENAPI_SCHEMAS = {
    "ElectricityReading": {
        "type": "object", "required": ["time", "reading"],
        "properties": {
            "time": {"type": "integer", "minimum": MIN_TIME_S, "description": "Seconds since 1970-01-01 UTC"},
            "reading": {"type": "number", "minimum": 0, "maximum": MAX_POWER_KW,
                        "description": "Instantaneous import power [kW]"},
        },
    },
    "MeterReadings": {
        "type": "object", "required": ["smartMeterId", "electricityReadings"],
        "properties": {
            "smartMeterId": {"type": "string", "pattern": METER_ID_PATTERN},
            "electricityReadings": {"type": "array", "minItems": 1, "maxItems": MAX_READINGS_PER_REQUEST,
                                    "items": _ref("ElectricityReading")},
        },
    },
    "PlanCost": {
        "type": "object", "minProperties": 1, "maxProperties": 1,
        "additionalProperties": {"type": "number"},
        "description": "One plan: {\"<pricePlanId>\": cost in pence over the stored window}",
    },
    "PlanComparison": {
        "type": "object", "required": ["pricePlanId", "pricePlanComparisons"],
        "properties": {
            "pricePlanId": {"type": "string", "description": "The meter's current plan"},
            "pricePlanComparisons": {"type": "array", "items": _ref("PlanCost"),
                                     "description": "Plans costed over the whole window, cheapest first"},
            "energyKwh": {"type": "number", "description": "Energy over the stored window [kWh]"},
            "costUnit": {"const": "pence"},
            "gaps": {"type": "object", "description": "Intervals between readings longer than maxGapSeconds: "
                                                      "unknown usage, not costed",
                     "properties": {"maxGapSeconds": {"type": "number"}, "intervals": {"type": "integer"},
                                    "hours": {"type": "number"}}},
            "notCosted": {"type": "array", "description": "Dynamic plans without a day-ahead price for some "
                                                          "intervals: not ranked",
                          "items": {"type": "object",
                                    "required": ["pricePlanId", "costedCost", "costedEnergyFraction", "reason"],
                                    "properties": {"pricePlanId": {"type": "string"},
                                                   "costedCost": {"type": "number"},
                                                   "costedEnergyFraction": {"type": "number", "minimum": 0,
                                                                            "maximum": 1},
                                                   "reason": {"type": "string"}}}},
        },
    },
}
