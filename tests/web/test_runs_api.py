"""/api/v1/runs: the same checks and dedupe as the page, role checks for sessions, user keys and machine keys."""

import csv
import io
import time
from datetime import date

from sqlalchemy import func, select

from data_access.schema import OptimisationRun
from optimiser import BatteryParams
from services.api_keys import create_api_key
from services.audit import list_events
from services.optimisation_runs import RunRequest, queue_run, run_optimisation
from services.run_requests import MAX_RUN_DAYS
from tests.conftest import api_csrf_headers

BODY = {"first_date": "2023-02-01", "last_date": "2023-02-01", "power_mw": 10, "energy_mwh": 20, "name": "api"}
BATTERY = BatteryParams(power_mw=10, energy_mwh=20)


def db_of(server):
    return server.extensions["powerdesk"].db


def bearer(server, name, username=None):
    return {"Authorization": f"Bearer {create_api_key(db_of(server), name, username).key}"}


def wait_final(client, run_id, headers=None, timeout=600):  # a hang cap, never a speed limit
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/runs/{run_id}", headers=headers or {}).json
        if body["status"] not in ("queued", "running"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"run #{run_id} did not finish")


def test_a_trader_submits_gets_202_then_the_identical_request_gets_200_with_the_stored_run(server, client_as):
    client = client_as("trader")
    headers = api_csrf_headers(client)
    queued = client.post("/api/v1/runs", json=BODY, headers=headers)
    assert queued.status_code == 202, queued.json
    run_id = queued.json["id"]
    assert queued.headers["Location"] == f"/api/v1/runs/{run_id}" and queued.json["created_by"] == "trader"
    done = wait_final(client, run_id)
    assert done["status"] == "succeeded" and done["progress"] == {"done": 1, "total": 1}
    assert done["series"] == {"da": "day_ahead", "id": "intraday"} and len(done["input_fingerprint"]) == 64
    assert done["parameters"]["battery"]["charge_efficiency"] == 0.85  # the form's default
    assert done["totals"]["days"] == 1 and done["prices_as_of"].endswith("Z")
    assert "error_traceback" not in done  # admins only
    again = client.post("/api/v1/runs", json={**BODY, "name": "other"}, headers=headers)
    assert again.status_code == 200 and again.json["id"] == run_id and "'other' was not applied" in again.json["note"]
    assert [e.action for e in list_events(db_of(server), "run.")] == ["run.submitted"]


def test_bad_input_gets_422_naming_each_field_or_400_and_nothing_is_stored(server, client_as):
    client = client_as("trader")
    headers = api_csrf_headers(client)
    for body, field, text in [
        ({**BODY, "power_mw": "abc"}, "power_mw", "'abc' is not a number"),
        ({**BODY, "power_mw": None}, "power_mw", "power is required"),
        ({**BODY, "max_cycles_per_day": 0}, "max_cycles_per_day", "never discharges"),
        ({**BODY, "charge_efficiency": 1.2}, "charge_efficiency", "at most 1"),
        ({**BODY, "name": "n" * 121}, "name", "at most 120"),
        ({**BODY, "name": 5}, "name", "must be text"),
        ({**BODY, "first_date": "yesterday"}, "first_date", "not a date"),
        ({**BODY, "always_binary": "yes"}, "always_binary", "true or false"),
        ({**BODY, "colour": "red"}, "colour", "not a known parameter"),
        ({**BODY, "id_series": "nope"}, "id_series", "intraday, day_ahead, market_index, system_price"),
        ({**BODY, "foresight": "oracle"}, "foresight", "naive-week"),
        ({**BODY, "foresight": "gbm", "markets": "joint"}, "foresight", "perfect-foresight bound"),
        ({**BODY, "intraday_reoptimise": "every minute"}, "intraday_reoptimise", "once, hourly"),
        ({**BODY, "intraday_reoptimise": "hourly"}, "intraday_reoptimise", "for forecast-driven runs"),
        ({**BODY, "foresight": "naive-day", "markets": "da", "intraday_reoptimise": "hourly"},
         "intraday_reoptimise", "needs the intraday market"),
    ]:
        response = client.post("/api/v1/runs", json=body, headers=headers)
        assert response.status_code == 422, (body, response.json)
        assert text in response.json["fields"][field] and field in response.json["detail"]
    for raw, text in [(b"not json", "JSON object"), (b"[1, 2]", "JSON object")]:
        response = client.post("/api/v1/runs", data=raw, content_type="application/json", headers=headers)
        assert response.status_code == 400 and text in response.json["detail"]
    uncovered = client.post("/api/v1/runs", json={**BODY, "first_date": "2024-06-01", "last_date": "2024-06-02"},
                            headers=headers)
    assert uncovered.status_code == 400 and "cover 2023-01-14 to 2023-04-30" in uncovered.json["detail"]
    assert client.get("/api/v1/runs").json["runs"] == []


def test_roles_user_keys_machine_keys_and_csrf(server, client_as):
    viewer = client_as("viewer")
    refused = viewer.post("/api/v1/runs", json=BODY, headers=api_csrf_headers(viewer))
    assert refused.status_code == 403 and "trader" in refused.json["detail"]
    trader = client_as("trader")
    no_token = trader.post("/api/v1/runs", json=BODY)
    assert no_token.status_code == 403 and "X-CSRFToken" in no_token.json["detail"]

    anonymous = server.test_client()
    machine = bearer(server, "meter-1")
    assert anonymous.get("/api/v1/runs", headers=machine).status_code == 200  # machines may read
    machine_post = anonymous.post("/api/v1/runs", json=BODY, headers=machine)
    assert machine_post.status_code == 403 and "machine keys may not call" in machine_post.json["detail"]
    viewer_key = anonymous.post("/api/v1/runs", json=BODY, headers=bearer(server, "viewer-nb", "viewer"))
    assert viewer_key.status_code == 403
    notebook = bearer(server, "trader-nb", "trader")
    submitted = anonymous.post("/api/v1/runs", json=BODY, headers=notebook)  # no CSRF for an API key
    assert submitted.status_code == 202 and submitted.json["created_by"] == "trader"
    wait_final(anonymous, submitted.json["id"], notebook)
    assert list_events(db_of(server), "run.submitted")[0].actor == "trader (apikey:trader-nb)"
    assert anonymous.get("/api/v1/runs").status_code == 401


def test_list_filters_get_404_and_the_intervals_csv_on_a_46_period_day(server, client_as):
    db = db_of(server)
    spring = run_optimisation(db, RunRequest(date(2023, 3, 26), date(2023, 3, 26), BATTERY))
    february = run_optimisation(db, RunRequest(date(2023, 2, 1), date(2023, 2, 1), BATTERY))
    client = client_as("viewer")
    ids = [r["id"] for r in client.get("/api/v1/runs").json["runs"]]
    assert ids == [february.run_id, spring.run_id]
    assert [r["id"] for r in client.get("/api/v1/runs?start=2023-03-01&end=2023-03-31").json["runs"]] == [
        spring.run_id]
    assert client.get("/api/v1/runs?status=failed").json["runs"] == []
    assert client.get("/api/v1/runs?user=trader").json["runs"] == []
    assert client.get("/api/v1/runs?status=bogus").status_code == 400
    assert client.get("/api/v1/runs?start=13/01/2023").status_code == 400
    assert client.get("/api/v1/runs/999").status_code == 404
    assert client.get("/api/v1/runs/999/intervals.csv").status_code == 404
    response = client.get(f"/api/v1/runs/{spring.run_id}/intervals.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 46
    assert list(rows[0])[:4] == ["interval_start_utc", "local_time", "settlement_date", "settlement_period"]
    assert {"da_buy_mw", "id_sell_mw", "soc_mwh", "da_cash_gbp", "charge_mw"} <= set(rows[0])
    assert rows[0]["interval_start_utc"] == "2023-03-26T00:00:00Z" and rows[0]["local_time"] == "2023-03-26 00:00 GMT"
    assert rows[2]["local_time"] == "2023-03-26 02:00 BST" and rows[2]["settlement_period"] == "3"
    assert rows[-1]["settlement_period"] == "46"


def test_cancel_and_delete_by_owner_or_admin_only(server, client_as):
    db = db_of(server)
    trader = client_as("trader")
    with db.session() as session:
        from sqlalchemy import select

        from data_access.schema import User
        trader_id = session.scalar(select(User.id).where(User.username == "trader"))
    queued = queue_run(db, RunRequest(date(2023, 2, 1), date(2023, 2, 1), BATTERY), user_id=trader_id)
    viewer = client_as("viewer")
    assert viewer.post(f"/api/v1/runs/{queued.run_id}/cancel", headers=api_csrf_headers(viewer)).status_code == 403
    assert server.test_client().post(f"/api/v1/runs/{queued.run_id}/cancel",
                                     headers=bearer(server, "turbine-1")).status_code == 403
    busy = trader.delete(f"/api/v1/runs/{queued.run_id}", headers=api_csrf_headers(trader))
    assert busy.status_code == 409
    cancelled = trader.post(f"/api/v1/runs/{queued.run_id}/cancel", headers=api_csrf_headers(trader))
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert cancelled.json["cancelled_by"] == "trader" and cancelled.json["cancelled_at"]
    listed = trader.get("/api/v1/runs?status=cancelled&user=trader").json["runs"]
    assert [(r["id"], r["cancelled_by"]) for r in listed] == [(queued.run_id, "trader")]
    assert trader.post(f"/api/v1/runs/{queued.run_id}/cancel", headers=api_csrf_headers(trader)).status_code == 409
    assert trader.post("/api/v1/runs/999/cancel", headers=api_csrf_headers(trader)).status_code == 404

    others = run_optimisation(db, RunRequest(date(2023, 2, 2), date(2023, 2, 2), BATTERY))  # command line's
    assert trader.delete(f"/api/v1/runs/{others.run_id}", headers=api_csrf_headers(trader)).status_code == 403
    admin = client_as("admin")
    assert admin.delete(f"/api/v1/runs/{others.run_id}", headers=api_csrf_headers(admin)).status_code == 204
    assert trader.delete(f"/api/v1/runs/{queued.run_id}", headers=api_csrf_headers(trader)).status_code == 204
    assert admin.get(f"/api/v1/runs/{others.run_id}").status_code == 404
    assert admin.delete("/api/v1/runs/999", headers=api_csrf_headers(admin)).status_code == 404
    actions = [e.action for e in list_events(db, "run.")]
    assert actions.count("run.deleted") == 2 and actions.count("run.cancelled") == 1


def test_admins_see_a_failed_runs_traceback_and_others_do_not(server, client_as):
    db = db_of(server)
    queued = queue_run(db, RunRequest(date(2023, 2, 1), date(2023, 2, 1), BATTERY))
    with db.session() as session:
        session.get(OptimisationRun, queued.run_id).params = {"markets": "da"}
    from services.optimisation_runs import execute_run
    execute_run(db, queued.run_id)
    admin_view = client_as("admin").get(f"/api/v1/runs/{queued.run_id}").json
    trader_view = client_as("trader").get(f"/api/v1/runs/{queued.run_id}").json
    assert admin_view["status"] == "failed" and "Traceback" in admin_view["error_traceback"]
    assert "error_traceback" not in trader_view and "unexpectedly" in trader_view["message"]


def test_every_runs_route_is_documented(client_as):
    paths = client_as("viewer").get("/api/openapi.json").json["paths"]
    assert {"/api/v1/runs", "/api/v1/runs/{run_id}", "/api/v1/runs/{run_id}/cancel",
            "/api/v1/runs/{run_id}/intervals.csv"} <= set(paths)
    assert set(paths["/api/v1/runs"]) == {"get", "post"} and set(paths["/api/v1/runs/{run_id}"]) == {"get", "delete"}


def test_more_than_the_day_limit_and_a_bad_soc_window_are_refused_together_with_field_labels(server, client_as):
    client = client_as("trader")
    body = {**BODY, "first_date": "2023-01-14", "last_date": "2030-01-01", "soc_min_frac": 0.6, "soc_max_frac": 0.5}
    response = client.post("/api/v1/runs", json=body, headers=api_csrf_headers(client))
    assert response.status_code == 422, response.json
    assert response.json["error"] == "invalid run parameters"
    assert response.json["fields"] == {
        "last_date": f"choose at most {MAX_RUN_DAYS} days for one run (these dates span 2,545 days)",
        "soc_min_frac": "SoC minimum (60%) must be below the SoC maximum (50%)"}
    with db_of(server).session() as session:
        assert session.scalar(select(func.count()).select_from(OptimisationRun)) == 0
