"""Every route and every Dash callback refuses anonymous callers; roles are enforced server-side.

Routes and callbacks are enumerated from the app at test time, so routes and callbacks that
later code adds are covered without editing this file.
"""

import re

import pytest

from security.guard import PUBLIC_PATHS, PUBLIC_PREFIXES
from tests.conftest import PASSWORDS
from tests.dash_requests import callback_body, find_callback

EXPECTED_PUBLIC_RULES = {
    "/login",
    "/health",
    "/ready",
    "/favicon.ico",
    "/_favicon.ico",
    "/assets/<path:filename>",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
}
SAMPLE_VALUES = {"path": "prices", "filename": "powerdesk.css", "package_name": "dash",
                 "fingerprinted_path": "dash_renderer.min.js"}
# Strings that only appear in responses carrying real data (users, prices, page content).
DATA_MARKERS = ("admin", "viewer", "trader", "day_ahead", "£", "Overview", "prices-chart", "csrf_token")


def concrete_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: SAMPLE_VALUES.get(m.group(1), "x"), rule)


def all_rules(server):
    server.test_client().get("/health")  # Dash finishes registering routes on its first request
    return [rule for rule in server.url_map.iter_rules()]


def test_public_rules_are_exactly_the_expected_few(server):
    public = {rule.rule for rule in all_rules(server)
              if rule.rule in PUBLIC_PATHS or rule.rule.startswith(PUBLIC_PREFIXES)}
    assert public == EXPECTED_PUBLIC_RULES


def test_every_non_public_route_refuses_anonymous_requests_without_data(server):
    client = server.test_client()
    checked = set()
    for rule in all_rules(server):
        if rule.rule in EXPECTED_PUBLIC_RULES:
            continue
        path = concrete_path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, json={} if method == "POST" else None)
            body = response.get_data(as_text=True)
            assert response.status_code in (302, 401), f"{method} {path} answered {response.status_code}"
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login?next="), f"{method} {path}"
            for marker in DATA_MARKERS:
                assert marker not in body, f"{method} {path} leaked {marker!r}"
            checked.add((method, rule.rule))
    assert {("GET", "/"), ("POST", "/logout"), ("POST", "/_dash-update-component"), ("GET", "/_dash-layout"),
            ("GET", "/api/v1/prices"), ("GET", "/<path:path>")} <= checked


def test_anonymous_page_requests_redirect_to_login_with_next(server):
    response = server.test_client().get("/prices?start=2023-01-01")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/prices%3Fstart%3D2023-01-01"


def test_anonymous_dash_and_api_calls_get_401_json(server):
    client = server.test_client()
    for path in ("/_dash-layout", "/_dash-dependencies", "/api/v1/whoami", "/api/v1/prices"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.is_json and response.json["error"] == "unauthorised"


def test_every_dash_callback_refuses_anonymous_callers(dash_app):
    client = dash_app.server.test_client()
    client.get("/health")
    assert len(dash_app.callback_map) >= 8
    for key in dash_app.callback_map:
        response = client.post("/_dash-update-component", json=callback_body(dash_app, key))
        assert response.status_code == 401, key
        assert "response" not in response.get_data(as_text=True)


def guarded_callbacks(dash_app):
    from security.authz import CALLBACK_ROLES_KEY

    return dash_app.server.extensions.get(CALLBACK_ROLES_KEY, {})


def test_trader_and_admin_callbacks_are_registered_with_their_roles(dash_app):
    roles = guarded_callbacks(dash_app)
    assert roles.get(find_callback(dash_app, "prices-upload-status.children")) == "trader"
    assert roles.get(find_callback(dash_app, "prices-upload-confirm.hidden")) == "trader"
    assert "admin" in roles.values()


@pytest.mark.parametrize("role", ["viewer", "trader"])
def test_users_below_a_callbacks_role_get_403(dash_app, client_as, role):
    from domain.roles import role_allows

    client = client_as(role)
    refused = 0
    for key, needed in guarded_callbacks(dash_app).items():
        if role_allows(role, needed):
            continue
        response = client.post("/_dash-update-component", json=callback_body(dash_app, key))
        assert response.status_code == 403, key
        assert needed in response.json["detail"]
        refused += 1
    assert refused >= 1


def test_the_callback_itself_checks_the_role_when_the_guard_is_bypassed(dash_app, client_as):
    """Defence in depth: with the guard's registry emptied, the callback still refuses a viewer."""
    client = client_as("viewer")
    guarded_callbacks(dash_app).clear()
    response = client.post("/_dash-update-component", json=callback_body(dash_app, find_callback(dash_app, "prices-upload-status.children"))
                           | {"inputs": [{"id": "prices-upload", "property": "contents",
                                          "value": "data:text/csv;base64,eA=="}]})
    assert response.status_code == 403


def test_a_viewer_can_fire_viewer_callbacks(dash_app, client_as):
    client = client_as("viewer")
    key = find_callback(dash_app, "prices-dates.min_date_allowed")
    response = client.post("/_dash-update-component", json=callback_body(dash_app, key))
    assert response.status_code == 200
    result = response.json["response"]
    assert result["prices-dates"]["min_date_allowed"] == "2023-01-14"
    # the default range ends on the last complete day, not on 1 May's lone SP1
    assert (result["prices-dates"]["start_date"], result["prices-dates"]["end_date"]) == ("2023-04-24", "2023-04-30")
    assert result["prices-upload-section"]["hidden"] is True  # viewers do not see the upload


def test_admin_page_is_refused_to_lower_roles_on_get(server, client_as):
    assert client_as("viewer").get("/admin/users").status_code == 403
    assert client_as("trader").get("/admin/users").status_code == 403
    assert client_as("admin").get("/admin/users").status_code == 200


def test_passwords_fixture_has_one_user_per_role():
    assert set(PASSWORDS) == {"viewer", "trader", "admin"}
