"""The keys page through its Dash callbacks: create (shown once), list own/all, revoke, machine keys for admins."""

from __future__ import annotations

import json
import re

from services.api_keys import check_api_key, create_api_key, describe_api_keys
from tests.dash_requests import callback_body, find_callback, find_callback_by_input


def _create(client, dash_app, name, kind="user", scopes=None, days=None):
    key = find_callback_by_input(dash_app, "keys-create.n_clicks")
    body = callback_body(dash_app, key, {"keys-create.n_clicks": 1, "keys-name.value": name, "keys-kind.value": kind,
                                         "keys-scopes.value": scopes or [], "keys-expires-days.value": days})
    return client.post("/_dash-update-component", json=body)


def _secret(response) -> str | None:
    match = re.search(r"pdk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{32,}", json.dumps(response.json))
    return match.group(0) if match else None


def _listed(client, dash_app) -> list[dict]:
    key = find_callback(dash_app, "keys-table.rowData")
    response = client.post("/_dash-update-component", json=callback_body(dash_app, key, {"keys-load.data": 0}))
    assert response.status_code == 200
    return response.json["response"]["keys-table"]["rowData"]


def test_a_viewer_makes_a_user_key_that_is_shown_once_and_acts_as_them(server, dash_app, client_as):
    viewer = client_as("viewer")
    assert viewer.get("/keys").status_code == 200
    response = _create(viewer, dash_app, "viewer-notebook", days=30)
    assert response.status_code == 200
    secret = _secret(response)
    assert secret is not None and "shown only this once" in json.dumps(response.json)
    checked = check_api_key(server.extensions["powerdesk"].db, secret)
    assert checked.principal.username == "viewer" and checked.principal.role == "viewer"
    rows = _listed(viewer, dash_app)
    assert [(r["name"], r["kind"], r["status"]) for r in rows] == [("viewer-notebook", "user", "active")]
    assert rows[0]["expires"] != "never" and secret not in json.dumps(rows)


def test_only_admins_make_machine_keys_and_each_user_sees_only_their_own(server, dash_app, client_as):
    db = server.extensions["powerdesk"].db
    create_api_key(db, "trader-script", username="trader")
    viewer = client_as("viewer")
    refused = _create(viewer, dash_app, "sneaky-machine", kind="machine", scopes=["meters:write"])
    assert refused.status_code == 403 and _secret(refused) is None
    assert [r["name"] for r in _listed(viewer, dash_app)] == []
    admin = client_as("admin")
    no_scope = _create(admin, dash_app, "gateway", kind="machine")
    assert "at least one scope" in json.dumps(no_scope.json) and _secret(no_scope) is None
    made = _create(admin, dash_app, "gateway", kind="machine", scopes=["turbines:write"])
    assert check_api_key(db, _secret(made)).principal.scopes == {"turbines:write"}
    assert {r["name"] for r in _listed(admin, dash_app)} == {"trader-script", "gateway"}
    assert [k.name for k in describe_api_keys(db) if k.name == "sneaky-machine"] == []


def test_revoke_own_key_but_not_someone_elses(server, dash_app, client_as):
    db = server.extensions["powerdesk"].db
    create_api_key(db, "trader-script", username="trader")
    mine = create_api_key(db, "viewer-script", username="viewer").key
    viewer = client_as("viewer")
    key = find_callback_by_input(dash_app, "keys-revoke.n_clicks")

    def revoke(name):
        return viewer.post("/_dash-update-component", json=callback_body(
            dash_app, key, {"keys-revoke.n_clicks": 1, "keys-revoke-name.value": name}))

    assert "no API key called" in json.dumps(revoke("trader-script").json)
    assert {k.name: k.revoked_at for k in describe_api_keys(db)}["trader-script"] is None
    assert "revoked" in json.dumps(revoke("viewer-script").json)
    assert check_api_key(db, mine).refusal == "the API key has been revoked"
