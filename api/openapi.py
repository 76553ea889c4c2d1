"""/api/openapi.json: the OpenAPI 3.1 description of the JSON API (behind the same guard).

The document is assembled from the modules listed in ``api.API_MODULES``: each may define
``OPENAPI_PATHS`` (path -> operations) and ``OPENAPI_SCHEMAS`` (name -> JSON schema), so a
feature describes its own routes beside their code.
"""

from __future__ import annotations

import copy
import re

from flask import Blueprint, current_app, jsonify

from domain.key_kinds import ANY_MACHINE, describe, route_access
from domain.roles import ROLE_ORDER

blueprint = Blueprint("openapi", __name__)

ERROR = {"$ref": "#/components/schemas/Error"}
"""Schema reference for the ``{"error", "detail"}`` body every 4xx carries."""
DATE = {"type": "string", "format": "date", "description": "GB settlement date (Europe/London), YYYY-MM-DD."}

BASE_SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Powerdesk API", "version": "1",
             "description": "Times are UTC (ISO 8601, Z); settlement dates and periods are GB local."},
    "security": [{"apiKey": []}, {"session": []}],
    "components": {
        "securitySchemes": {
            "apiKey": {"type": "http", "scheme": "bearer",
                       "description": "An API key from `flask --app app apikey create NAME`."},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": {
            "Error": {"type": "object", "required": ["error", "detail"],
                      "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}},
        },
    },
}

MALFORMED = {"description": "Malformed request; the detail says what is wrong",
             "content": {"application/json": {"schema": ERROR}}}

UNAUTHORISED = {"description": "No credential, or a key that is unknown, revoked, expired or whose user is "
                "disabled or deleted", "content": {"application/json": {"schema": ERROR}}}
FORBIDDEN = {"description": "The user's role or the machine key's scopes do not allow this route "
             "(see x-powerdesk-access), or a session write without X-CSRFToken",
             "content": {"application/json": {"schema": ERROR}}}

OPENAPI_PATHS = {
    "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI"}}}},
}


def build_spec() -> dict:
    """The whole document: the base plus every API module's paths and schemas."""
    from api import api_modules

    spec = copy.deepcopy(BASE_SPEC)
    # the session cookie's name depends on the environment (``__Host-`` prefixed behind TLS)
    spec["components"]["securitySchemes"]["session"]["name"] = current_app.config.get("SESSION_COOKIE_NAME", "session")
    spec["paths"] = {}
    for module in api_modules():
        spec["paths"].update(copy.deepcopy(getattr(module, "OPENAPI_PATHS", {})))
        spec["components"]["schemas"].update(copy.deepcopy(getattr(module, "OPENAPI_SCHEMAS", {})))
    rules = _rules_by_shape(current_app)
    for path, operations in spec["paths"].items():
        rule = rules.get(re.sub(r"\{[^}]+\}", "{}", path), path)
        for method, operation in operations.items():
            # The request checks in front of every route answer a malformed request (a number out of
            # range, a body that is not what the route reads) with 400 and the usual error body.
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", MALFORMED)
            access = route_access(method.upper(), rule)
            if access is None:
                continue  # a public route (/health, /ready)
            operation["x-powerdesk-access"] = {
                "user_roles": list(ROLE_ORDER[ROLE_ORDER.index(access.role):]) if access.role else [],
                "machine_scopes": ["any"] if ANY_MACHINE in access.scopes else sorted(access.scopes),
                "summary": describe(access),
            }
            operation["description"] = (operation.get("description", "") + f"\n\nWho may call it: "
                                        f"{describe(access)}.").strip()
            responses.setdefault("401", UNAUTHORISED)
            responses.setdefault("403", FORBIDDEN)
    return spec


def _rules_by_shape(app) -> dict[str, str]:
    """``/api/v1/runs/{}`` -> ``/api/v1/runs/<int:run_id>``: OpenAPI and Flask name parameters differently."""
    return {re.sub(r"<[^>]+>", "{}", rule.rule): rule.rule for rule in app.url_map.iter_rules()}


@blueprint.get("/api/openapi.json")
def openapi():
    return jsonify(build_spec())
