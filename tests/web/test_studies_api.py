"""/api/v1/studies over HTTP: submit, follow, cancel, and the errors a script sees."""

import time

from services.api_keys import create_api_key
from tests.conftest import api_csrf_headers

BODY = {"name": "api sizing", "start": "2023-03-01", "end": "2023-03-02",
        "base": {"max_cycles_per_day": 1}, "grid": {"power_mw": [50, 100], "markets": ["da+id", "da"]}}


def _wait_until_done(client, study_id, seconds=600):  # a hang cap, never a speed limit
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        study = client.get(f"/api/v1/studies/{study_id}").json
        if study["status"] != "running":
            return study
        time.sleep(0.3)
    raise AssertionError(f"study {study_id} still running after {seconds}s: {study['progress']}")


def test_a_trader_submits_a_study_that_background_processes_solve(server, client_as):
    client = client_as("trader")
    response = client.post("/api/v1/studies", json=BODY, headers=api_csrf_headers(client))
    assert response.status_code == 202, response.json
    assert response.json["points"] == 4 and response.json["reused"] == 0
    study = _wait_until_done(client, response.json["id"])
    assert study["status"] == "done" and study["progress"] == {"done": 4, "total": 4}
    assert [p["status"] for p in study["points"]] == ["succeeded"] * 4
    assert sorted((p["params"]["power_mw"], p["params"]["markets"]) for p in study["points"]) == [
        (50, "da"), (50, "da+id"), (100, "da"), (100, "da+id")]
    viewer = client_as("viewer")
    assert viewer.get(f"/api/v1/studies/{study['id']}").json["points"] == study["points"]
    assert [s["id"] for s in viewer.get("/api/v1/studies").json["studies"]] == [study["id"]]

    again = client.post("/api/v1/studies", json=BODY, headers=api_csrf_headers(client))
    assert again.status_code == 202 and again.json["reused"] == 4


def test_bad_studies_get_a_400_naming_the_problem(client_as):
    client = client_as("trader")
    headers = api_csrf_headers(client)
    for body, message in [
        (None, "send the study as a JSON object"),
        ([1, 2], "must be a JSON object"),
        (BODY | {"grid": {"power_mw": list(range(1, 300))}}, "at most 200 are allowed"),
        (BODY | {"grid": {"energy": [1]}}, "unknown parameter 'energy'"),
        (BODY | {"start": "01/03/2023"}, "YYYY-MM-DD"),
        (BODY | {"base": {"foresight": "naive-week"}, "grid": {"intraday_reoptimise": ["once", "daily"]}},
         "point 2 (intraday_reoptimise=daily): intraday re-optimisation"),
        (BODY | {"grid": {"intraday_reoptimise": [1]}}, "intraday_reoptimise values must be strings"),
        (BODY | {"base": {"intraday_reoptimise": "hourly"}}, "hourly intraday re-optimisation is for forecast-driven"),
    ]:
        response = client.post("/api/v1/studies", json=body, headers=headers) if body is not None else \
            client.post("/api/v1/studies", data="x", headers=headers | {"Content-Type": "text/plain"})
        assert response.status_code == 400, (body, response.json)
        assert message in response.json["detail"]
    assert client.get("/api/v1/studies").json["studies"] == []


def test_roles_and_machines(server, client_as):
    viewer = client_as("viewer")
    assert viewer.post("/api/v1/studies", json=BODY, headers=api_csrf_headers(viewer)).status_code == 403
    trader = client_as("trader")
    assert trader.post("/api/v1/studies", json=BODY).status_code == 403  # no CSRF token
    machine = create_api_key(server.extensions["powerdesk"].db, "meter-1")
    refused = server.test_client().post("/api/v1/studies", json=BODY,
                                        headers={"Authorization": f"Bearer {machine.key}"})
    assert refused.status_code in (401, 403)
    assert trader.get("/api/v1/studies/999").status_code == 404
    assert trader.post("/api/v1/studies/999/cancel", headers=api_csrf_headers(trader)).status_code == 404


def test_cancel_over_the_api(server, client_as):
    client = client_as("trader")
    headers = api_csrf_headers(client)
    from services.studies import submit_study  # queued without workers, so nothing starts before the cancel

    submitted = submit_study(server.extensions["powerdesk"].db, BODY, 2, "trader", 200)
    response = client.post(f"/api/v1/studies/{submitted.study_id}/cancel", headers=headers)
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert {p["status"] for p in response.json["points"]} == {"cancelled"}
    other = client_as("viewer")
    assert other.post(f"/api/v1/studies/{submitted.study_id}/cancel",
                      headers=api_csrf_headers(other)).status_code == 403
