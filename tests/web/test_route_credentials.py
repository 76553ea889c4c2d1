"""Every API route x every kind of credential, against one table of expected outcomes.

``ROUTES`` is written out by hand (not derived from ``domain.key_kinds``), so a change to who may
call a route shows here; a route without a row, or a row without a route, fails the test.
Each row: the least user role that may call it ("-": no user), and the machine scopes that may.
A cell is "ok" (any answer but 401/403, never a 5xx), 401 or 403:

- anonymous, expired key, revoked key, a disabled user's key: 401 everywhere;
- viewer/trader/admin user keys: ok when the user's role is at least the row's role, else 403;
- a machine key holding one scope: ok when the row lists that scope (or "*"), else 403 (wrong scope).
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from data_access.schema import ApiKey
from data_access.types import utc_now
from domain.key_kinds import MACHINE_SCOPES
from domain.roles import role_allows
from security.guard import API_PREFIXES
from services.api_keys import create_api_key, revoke_api_key
from services.users import create_user, disable_user

ANY = "*"
ROUTES: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("GET", "/api/v1/whoami"): ("viewer", {ANY}),
    ("GET", "/api/openapi.json"): ("viewer", {ANY}),
    ("GET", "/api/docs"): ("viewer", {ANY}),
    ("GET", "/api/docs/files/<name>"): ("viewer", {ANY}),
    ("GET", "/api/v1/prices"): ("viewer", {"prices:read"}),
    ("GET", "/api/v1/footprint/<asset_id>/<day>"): ("viewer", {"footprint:read"}),
    ("GET", "/api/v1/footprint/assets"): ("viewer", {"footprint:read"}),
    ("GET", "/api/v1/footprint/runs/<run_ref>"): ("viewer", {"footprint:read"}),
    ("GET", "/footprint/<asset_id>/<day>/<span>/"): ("viewer", {"footprint:read"}),
    ("POST", "/api/v1/footprint/assets"): ("trader", {"footprint:write"}),
    ("POST", "/api/v1/footprint/assets/<asset_id>/readings"): ("trader", {"footprint:write"}),
    ("GET", "/readings/read/<smart_meter_id>"): ("viewer", {"meters:read"}),
    ("GET", "/api/v1/readings/read/<smart_meter_id>"): ("viewer", {"meters:read"}),
    ("GET", "/price-plans/compare-all/<smart_meter_id>"): ("viewer", {"meters:read"}),
    ("GET", "/api/v1/price-plans/compare-all/<smart_meter_id>"): ("viewer", {"meters:read"}),
    ("GET", "/price-plans/recommend/<smart_meter_id>"): ("viewer", {"meters:read"}),
    ("GET", "/api/v1/price-plans/recommend/<smart_meter_id>"): ("viewer", {"meters:read"}),
    ("POST", "/readings/store"): ("admin", {"meters:write"}),
    ("POST", "/api/v1/readings/store"): ("admin", {"meters:write"}),
    ("GET", "/api/v1/runs"): ("viewer", {"runs:read"}),
    ("GET", "/api/v1/runs/<int:run_id>"): ("viewer", {"runs:read"}),
    ("GET", "/api/v1/runs/<int:run_id>/intervals.csv"): ("viewer", {"runs:read"}),
    ("POST", "/api/v1/runs"): ("trader", set()),
    ("POST", "/api/v1/runs/<int:run_id>/cancel"): ("viewer", set()),
    ("DELETE", "/api/v1/runs/<int:run_id>"): ("viewer", set()),
    ("GET", "/api/v1/studies"): ("viewer", {"runs:read"}),
    ("GET", "/api/v1/studies/<int:study_id>"): ("viewer", {"runs:read"}),
    ("POST", "/api/v1/studies"): ("trader", set()),
    ("POST", "/api/v1/studies/<int:study_id>/cancel"): ("trader", set()),
    ("GET", "/api/v1/turbines"): ("viewer", {"turbines:read"}),
    ("GET", "/api/v1/turbines/<int:turbine_number>/metrics"): ("viewer", {"turbines:read"}),
    ("GET", "/api/v1/turbines/repairs"): ("viewer", {"turbines:read"}),
    ("POST", "/api/v1/turbines/metrics"): ("trader", {"turbines:write"}),
    ("POST", "/post_metrics"): ("trader", {"turbines:write"}),
}
DEAD = ("anonymous", "expired", "revoked", "disabled user")
USERS = ("viewer", "trader", "admin")
EXAMPLES = {"name": "swagger-ui.css", "day": "2025-01-01", "span": "day"}


def _api_rules(server) -> dict[tuple[str, str], str]:
    """(method, rule) -> a concrete path, for every route the guard treats as API."""
    found = {}
    for rule in server.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIXES):
            continue
        path = re.sub(r"<int:[^>]+>", "999", rule.rule)
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: EXAMPLES.get(m.group(1), "x-1"), path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found[(method, rule.rule)] = path
    return found


def _credentials(server) -> dict[str, str | None]:
    db = server.extensions["powerdesk"].db
    keys: dict[str, str | None] = {"anonymous": None}
    keys["expired"] = create_api_key(db, "expired", username="admin",
                                     expires_at=utc_now() + timedelta(hours=1)).key
    with db.session() as session:
        session.execute(update(ApiKey).where(ApiKey.name == "expired")
                        .values(expires_at=utc_now() - timedelta(seconds=1)))
    keys["revoked"] = create_api_key(db, "revoked", username="admin").key
    revoke_api_key(db, "revoked")
    create_user(db, "leaver", "leaver-password-123", "admin")
    keys["disabled user"] = create_api_key(db, "leaver-key", username="leaver").key
    disable_user(db, "leaver")
    for role in USERS:
        keys[role] = create_api_key(db, f"{role}-key", username=role).key
    for scope in MACHINE_SCOPES:
        keys[scope] = create_api_key(db, f"m-{scope.replace(':', '-')}", scopes={scope}).key
    return keys


def _expected(credential: str, role: str, scopes: frozenset[str]) -> str | int:
    if credential in DEAD:
        return 401
    if credential in USERS:
        return "ok" if role != "-" and role_allows(credential, role) else 403
    return "ok" if ANY in scopes or credential in scopes else 403


def test_every_api_route_has_a_row_and_every_row_a_route(server):
    rules = set(_api_rules(server))
    assert sorted(rules - set(ROUTES)) == [], "API routes without a row in ROUTES (add one)"
    assert sorted(set(ROUTES) - rules) == [], "rows in ROUTES for routes that no longer exist"


def test_every_route_answers_every_credential_as_the_table_says(server):
    credentials = _credentials(server)
    client = server.test_client()
    wrong = []
    for (method, rule), path in sorted(_api_rules(server).items()):
        role, scopes = ROUTES[(method, rule)]
        for credential, key in credentials.items():
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            kwargs = {"json": {}} if method in ("POST", "DELETE") else {}
            response = client.open(path, method=method, headers=headers, **kwargs)
            expected = _expected(credential, role, frozenset(scopes))
            status = response.status_code
            got = "ok" if status not in (401, 403) and status < 500 else status
            if got != expected:
                wrong.append(f"{method} {path} as {credential}: expected {expected}, got {status} "
                             f"{response.get_data(as_text=True)[:120]}")
    assert wrong == []


def test_the_openapi_document_states_who_may_call_each_route(server, client_as):
    spec = client_as("viewer").get("/api/openapi.json").json
    documented = {}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "x-powerdesk-access" in operation:
                documented[(method.upper(), re.sub(r"\{[^}]+\}", "{}", path))] = operation["x-powerdesk-access"]
    for (method, rule), (role, scopes) in ROUTES.items():
        access = documented[(method, re.sub(r"<[^>]+>", "{}", rule))]
        assert access["user_roles"] == (list(USERS[USERS.index(role):]) if role != "-" else []), rule
        assert access["machine_scopes"] == (["any"] if ANY in scopes else sorted(scopes)), rule
