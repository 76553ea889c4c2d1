"""/api/docs: browsable API documentation (vendored Swagger UI) for logged-in users and API-key holders.

The page loads only files from ``api/static/swagger-ui/`` (see its VENDORED.md): no CDN, no inline script.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

blueprint = Blueprint("api_docs", __name__)

SWAGGER_DIR = Path(__file__).with_name("static") / "swagger-ui"
DOC_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "powerdesk-docs-init.js", "LICENSE", "NOTICE",
             "swagger-ui-bundle.js.LICENSE.txt")

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API docs · Powerdesk</title>
  <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/api/docs/files/swagger-ui.css">
</head>
<body>
  <p style="font-family: sans-serif; margin: 12px 20px;"><a href="/">&larr; Powerdesk</a> ·
    <a href="/api/openapi.json">openapi.json</a> ·
    Swagger UI (Apache-2.0, <a href="/api/docs/files/LICENSE">licence</a>)</p>
  <div id="swagger-ui"></div>
  <script src="/api/docs/files/swagger-ui-bundle.js"></script>
  <script src="/api/docs/files/powerdesk-docs-init.js"></script>
</body>
</html>
"""


@blueprint.get("/api/docs")
def docs_page():
    return Response(PAGE, mimetype="text/html")


@blueprint.get("/api/docs/files/<name>")
def docs_file(name: str):
    if name not in DOC_FILES:
        abort(404)
    response = send_from_directory(SWAGGER_DIR, name, max_age=3600)
    if name in ("LICENSE", "NOTICE") or name.endswith(".txt"):
        response.mimetype = "text/plain"
    return response


OPENAPI_PATHS = {
    "/api/docs": {"get": {"summary": "Browsable API documentation (Swagger UI)",
                          "responses": {"200": {"description": "HTML page", "content": {"text/html": {}}}}}},
    "/api/docs/files/{name}": {"get": {
        "summary": "The vendored Swagger UI files the docs page loads",
        "parameters": [{"name": "name", "in": "path", "required": True,
                        "schema": {"type": "string", "enum": list(DOC_FILES)}}],
        "responses": {"200": {"description": "The file"}, "404": {"description": "Not one of the files"}},
    }},
}
