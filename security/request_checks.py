"""Malformed requests get a 4xx with a message (and a log line), never a 500.

Run as ``before_request`` hooks after the guard (so anonymous callers still get 401 first):

- ``/_dash-update-component`` bodies are checked before Dash parses them: JSON only (else 415),
  an object naming a registered callback, with the input and state lists that callback expects,
  and no absurd nesting;
- ``/_dash-component-suites/...`` serves only script, style, map and font files (Dash answers
  a request for ``dash/dash.py`` with a 500);
- API write bodies nested absurdly deep or holding a lone surrogate get 400 (``security.json_input``);
- a callback body naming a clientside callback's output gets 400 (Dash would raise KeyError);
- a component-suite path with ``..`` in it gets 404;
- a path under an API prefix that no API route serves gets 404 JSON (not the Dash page);
- bodies larger than ``MAX_CONTENT_LENGTH`` get 413 before anything reads them.
"""

from __future__ import annotations

import json
import logging

from flask import current_app, jsonify, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from security import json_input
from security.guard import API_PREFIXES

log = logging.getLogger("powerdesk.requests")

DASH_CALLBACK_PATH = "/_dash-update-component"
COMPONENT_SUITES_PREFIX = "/_dash-component-suites/"
SERVED_SUITE_EXTENSIONS = frozenset({"js", "css", "map", "json", "woff", "woff2", "ttf", "eot", "svg", "png", "txt"})
MAX_JSON_DEPTH = 64
"""Deepest nesting a callback body may have; real Dash bodies (figures, grids) stay far below."""
DASH_CATCHALL_RULES = frozenset({"/<path:path>", "/"})
DASH_APP_KEY = "powerdesk.dash_app"


def refuse(status: int, error: str, detail: str):
    log.warning("refused %s %s: %s %s (%s)", request.method, request.path, status, error, detail)
    response = jsonify(error=error, detail=detail)
    response.status_code = status
    return response


def _is_dependency(item) -> bool:
    """One input/state entry: ``{"id", "property", ...}``, or a list of them (pattern-matching ALL)."""
    if isinstance(item, dict):
        return "id" in item and isinstance(item.get("property"), str)
    if isinstance(item, list):
        return all(isinstance(sub, dict) and "id" in sub and isinstance(sub.get("property"), str) for sub in item)
    return False


def callback_body_problem(raw: bytes, callback_map: dict) -> tuple[int, str] | None:
    """(status, message) when ``raw`` is not a callback request Dash can handle safely, else None."""
    try:
        body = json.loads(raw)
    except RecursionError:
        return 400, f"the body is nested deeper than {MAX_JSON_DEPTH} levels"
    except ValueError:
        return 400, "the body is not valid JSON"
    if not isinstance(body, dict):
        return 400, "the body must be a JSON object describing one callback"
    problem = json_input.problem_in(body, MAX_JSON_DEPTH)
    if problem:
        return 400, problem
    output = body.get("output")
    if not isinstance(output, str) or not output:
        return 400, "'output' (the callback's output id) is missing"
    spec = callback_map.get(output)
    if spec is None:
        return 400, "'output' does not name a callback of this app"
    if "callback" not in spec:
        return 400, "'output' names a clientside callback, which runs in the browser, not on the server"
    if not isinstance(body.get("outputs"), dict | list):
        return 400, "'outputs' must be an object or a list"
    for field, expected in (("inputs", spec.get("inputs", [])), ("state", spec.get("state", []))):
        values = body.get(field, [] if field == "state" else None)
        if not isinstance(values, list) or not all(_is_dependency(item) for item in values):
            return 400, f"'{field}' must be a list of {{id, property, value}} objects"
        if len(values) != len(expected):
            return 400, f"'{field}' has {len(values)} entries; this callback takes {len(expected)}"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(item, str) for item in changed):
        return 400, "'changedPropIds' must be a list of strings"
    return None


def _dash_callback_problem():
    if request.mimetype != "application/json":
        return refuse(415, "unsupported media type", "send the callback as application/json")
    dash_app = current_app.extensions.get(DASH_APP_KEY)
    callback_map = dash_app.callback_map if dash_app is not None else {}
    problem = callback_body_problem(request.get_data(cache=True), callback_map)
    if problem:
        return refuse(problem[0], "invalid callback request", problem[1])
    return None


def _is_dash_catchall(rule) -> bool:
    return rule is not None and rule.rule in DASH_CATCHALL_RULES


def _api_route_exists(path: str) -> bool:
    """Whether any non-Dash route serves ``path``, for some method."""
    adapter = current_app.url_map.bind("localhost")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            rule, _ = adapter.match(path, method=method, return_rule=True)
        except (NotFound, MethodNotAllowed):
            continue
        except Exception:  # a redirect (trailing slash) means a route exists
            return True
        if not _is_dash_catchall(rule):
            return True
    return False


def check_request():
    """The before_request hook (registered after the guard)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        return too_large()
    path = request.path
    if path == DASH_CALLBACK_PATH and request.method == "POST":
        return _dash_callback_problem()
    if path.startswith(API_PREFIXES) and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        problem = json_input.body_problem(request.get_data(cache=True))
        if problem:
            return refuse(400, "invalid request", f"{problem}; nothing was stored")
    if path.startswith(COMPONENT_SUITES_PREFIX):
        if any(part in ("..", ".") or "\\" in part for part in path.split("/")):
            return refuse(404, "not found", "no such component file")
        extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        if extension not in SERVED_SUITE_EXTENSIONS:
            return refuse(404, "not found", "no such component file")
    unrouted = request.url_rule is None or _is_dash_catchall(request.url_rule)
    if path.startswith(API_PREFIXES) and unrouted and not _api_route_exists(path):
        return refuse(404, "not found", f"no API route {path}; see /api/openapi.json")
    return None


def too_large(_error=None):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / 1e6
    return refuse(413, "request too large",
                  f"the request body is larger than the {limit_mb:g} MB limit (MAX_REQUEST_MB); "
                  "split the file or ask an administrator to raise the limit")


def max_upload_bytes() -> int:
    """Largest file a ``dcc.Upload`` can send within ``MAX_CONTENT_LENGTH``: uploads travel
    base64-encoded (4 bytes per 3) inside a JSON callback body, with some room for the rest."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 20_000_000
    return max(0, limit * 3 // 4 - 64_000)
