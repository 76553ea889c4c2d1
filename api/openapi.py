"""/api/openapi.json: the OpenAPI 3.1 description of the JSON API (behind the same guard).

The document is assembled from the modules listed in ``api.API_MODULES``: each may define
``OPENAPI_PATHS`` (path -> operations) and ``OPENAPI_SCHEMAS`` (name -> JSON schema), so a
feature describes its own routes beside their code.
"""

from __future__ import annotations

import copy

from flask import Blueprint, current_app, jsonify

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
    for operations in spec["paths"].values():
        for operation in operations.values():
            # The request checks in front of every route answer a malformed request (a number out of
            # range, a body that is not what the route reads) with 400 and the usual error body.
            operation.setdefault("responses", {}).setdefault("400", MALFORMED)
    return spec


@blueprint.get("/api/openapi.json")
def openapi():
    return jsonify(build_spec())
