import json
from datetime import timedelta

from data_access.types import utc_now
from services import audit
from tests.dash_requests import fire


def _seed(db):
    audit.record(db, "trader", "run.submitted", target="run 1")
    audit.record(db, "=cmd|' /C calc'!A0", "login.failed", remote_addr="192.0.2.1")
    audit.record(db, "admin", "user.disabled", target="viewer")


def test_admin_filters_the_audit_log_by_action_actor_and_dates(dash_app, client_as):
    db = dash_app.server.extensions["powerdesk"].db
    _seed(db)
    admin = client_as("admin")
    everything = fire(admin, dash_app, "audit-table.rowData", {}).json["response"]["audit-table"]["rowData"]
    assert {"run.submitted", "login.failed", "user.disabled", "login.succeeded"} <= {r["action"] for r in everything}
    failed = fire(admin, dash_app, "audit-table.rowData", {"audit-action.value": "login.failed"}).json
    assert [r["remote_addr"] for r in failed["response"]["audit-table"]["rowData"]] == ["192.0.2.1"]
    by_actor = fire(admin, dash_app, "audit-table.rowData", {"audit-actor.value": "Trader"}).json
    assert [r["action"] for r in by_actor["response"]["audit-table"]["rowData"]] == ["run.submitted"]
    tomorrow = (utc_now() + timedelta(days=2)).date().isoformat()
    future = fire(admin, dash_app, "audit-table.rowData", {"audit-dates.start_date": tomorrow}).json
    assert future["response"]["audit-table"]["rowData"] == []
    assert "No events match" in json.dumps(future["response"]["audit-message"])
    bad = fire(admin, dash_app, "audit-table.rowData", {"audit-dates.start_date": "9999-12-31"}).json
    assert "outside the supported range" in json.dumps(bad["response"]["audit-message"])


def test_csv_export_keeps_every_column_and_defuses_formulas(dash_app, client_as):
    _seed(dash_app.server.extensions["powerdesk"].db)
    response = fire(client_as("admin"), dash_app, "audit-download.data", {"audit-download-button.n_clicks": 1},
                    triggered="audit-download-button.n_clicks").json["response"]
    csv = response["audit-download"]["data"]["content"]
    assert csv.splitlines()[0] == "at_utc,at_uk,actor,action,target,detail,remote_addr"
    assert "'=cmd" in csv and "\n=cmd" not in csv and ",=cmd" not in csv


def test_the_audit_page_is_for_admins_only(dash_app, client_as):
    assert client_as("trader").get("/admin/audit").status_code == 403
    response = fire(client_as("trader"), dash_app, "audit-table.rowData", {})
    assert response.status_code == 403
