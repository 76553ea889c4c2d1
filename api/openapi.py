"""/api/openapi.json: the OpenAPI 3.1 description of the JSON API (behind the same guard)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from domain.markets import MARKETS

blueprint = Blueprint("openapi", __name__)

_ERROR = {"$ref": "#/components/schemas/Error"}
_DATE = {"type": "string", "format": "date", "description": "GB settlement date (Europe/London), YYYY-MM-DD."}

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Powerdesk API", "version": "1",
             "description": "Times are UTC (ISO 8601, Z); settlement dates and periods are GB local."},
    "security": [{"apiKey": []}, {"session": []}],
    "paths": {
        "/health": {"get": {
            "summary": "Liveness and database check", "security": [],
            "responses": {"200": {"description": "Up (status ok, or degraded while migrations are pending)"},
                          "503": {"description": "The database cannot be reached"}},
        }},
        "/api/v1/whoami": {"get": {
            "summary": "Who the request is authenticated as",
            "responses": {"200": {"description": "A machine (API key) or a user (session)"},
                          "401": {"description": "No or invalid credentials", "content": {
                              "application/json": {"schema": _ERROR}}}},
        }},
        "/api/v1/prices": {"get": {
            "summary": "Half-hourly prices for a range of settlement dates",
            "parameters": [
                {"name": "start", "in": "query", "required": True, "schema": _DATE},
                {"name": "end", "in": "query", "required": True, "schema": _DATE},
                {"name": "market", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": list(MARKETS)}},
            ],
            "responses": {
                "200": {"description": "One row per market and settlement period", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Prices"}}}},
                "400": {"description": "Bad dates or market", "content": {"application/json": {"schema": _ERROR}}},
                "401": {"description": "No or invalid credentials", "content": {
                    "application/json": {"schema": _ERROR}}},
            },
        }},
        "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI"}}}},
    },
    "components": {
        "securitySchemes": {
            "apiKey": {"type": "http", "scheme": "bearer",
                       "description": "An API key from `flask --app app apikey create NAME`."},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": {
            "Error": {"type": "object", "required": ["error", "detail"],
                      "properties": {"error": {"type": "string"}, "detail": {"type": "string"}}},
            "Prices": {"type": "object", "properties": {
                "start": _DATE, "end": _DATE, "unit": {"const": "GBP/MWh"},
                "prices": {"type": "array", "items": {"type": "object", "properties": {
                    "market": {"type": "string", "enum": list(MARKETS)},
                    "interval_start_utc": {"type": "string", "format": "date-time"},
                    "settlement_date": _DATE,
                    "settlement_period": {"type": "integer", "minimum": 1, "maximum": 50},
                    "price_gbp_per_mwh": {"type": "number"},
                }}},
            }},
        },
    },
}


@blueprint.get("/api/openapi.json")
def openapi():
    return jsonify(SPEC)
