"""Redis (the Celery broker) down when a trader submits a run or a sizing study, then back.

The app is configured with REDIS_URL pointing at a redis-server of this test's own, which is killed
after the trader has logged in. Submitting through the API gives 503 JSON with a message and
Retry-After; through the New run form and the Studies form, a visible error. No run is left queued
with no job behind it: each one the app stored is ``failed`` with the reason, and the runs list says
so. When Redis is back, the next submit is queued on it without restarting the app.
"""

from __future__ import annotations

import json
import time

import pytest

from data_access.schema import OptimisationRun
from tests.conftest import api_csrf_headers, build_app, log_in, make_settings
from tests.dash_requests import callback_body, find_callback_by_input, fire
from tests.faults.private_servers import PrivateRedis
from tests.web.test_run_form import SUBMIT, form_values

SUBMIT_BOUND_S = 15.0
"""A submit must learn that the queue is down within this long [s]."""
STUDY_SUBMIT = "studies-new-submit.n_clicks"
QUEUE = "celery"
"""The Redis list Celery's default queue lives in."""


def _study_form(name: str) -> dict:
    return {STUDY_SUBMIT: 1, "studies-new-name.value": name, "studies-new-dates.start_date": "2023-03-01",
            "studies-new-dates.end_date": "2023-03-01", "studies-new-power.value": "50, 100",
            "studies-new-duration.value": "1", "studies-new-cycles.value": "1",
            "studies-new-efficiency.value": "0.85", "studies-new-markets.value": ["da+id"]}


def _study_body(name: str, power_mw: list[int]) -> dict:
    return {"name": name, "start": "2023-03-02", "end": "2023-03-02", "base": {"max_cycles_per_day": 1},
            "grid": {"power_mw": power_mw}}


def _fire(client, dash_app, input_: str, values: dict) -> tuple[dict, float]:
    started = time.monotonic()
    body = callback_body(dash_app, find_callback_by_input(dash_app, input_), values, triggered=input_)
    response = client.post("/_dash-update-component", json=body)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.json["response"], elapsed


def _alert(output: dict) -> tuple[str, str]:
    """(colour, text) of the Alert a callback put in a message slot."""
    props = output["children"]["props"]
    return props.get("color", ""), json.dumps(props.get("children"))


def _runs(dash_app) -> list[OptimisationRun]:
    with dash_app.server.extensions["powerdesk"].db.session() as session:
        runs = list(session.query(OptimisationRun).order_by(OptimisationRun.id))
        session.expunge_all()
    return runs


@pytest.fixture
def redis_server():
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def celery_app(tmp_path, seeded_sqlite_url, redis_server):
    app = build_app(make_settings(tmp_path, seeded_sqlite_url, redis_url=redis_server.url), seed=False)
    assert app.server.extensions["powerdesk"].settings.uses_celery()
    yield app
    app.server.extensions["powerdesk"].db.dispose()


def test_redis_down_at_submit_gives_a_clear_error_no_stuck_run_and_recovers_when_it_returns(celery_app,
                                                                                            redis_server):
    import redis

    client = celery_app.server.test_client()
    assert log_in(client, "trader").status_code == 302
    headers = api_csrf_headers(client)
    redis_server.kill()

    # the runs API
    started = time.monotonic()
    response = client.post("/api/v1/runs", json={"first_date": "2023-02-01", "last_date": "2023-02-01"},
                           headers=headers)
    assert time.monotonic() - started < SUBMIT_BOUND_S
    text = response.get_data(as_text=True)
    assert response.status_code == 503 and "Traceback" not in text, text[:500]
    assert response.json["error"] == "service unavailable" and int(response.headers["Retry-After"]) > 0
    assert "could not be started" in response.json["detail"] and "Redis" in response.json["detail"]
    api_run = response.json["id"]

    # the New run form
    output, elapsed = _fire(client, celery_app, SUBMIT, form_values(start="2023-02-03", end="2023-02-03"))
    assert elapsed < SUBMIT_BOUND_S
    colour, text = _alert(output["runs-new-message"])
    assert colour == "danger" and "could not be started" in text and "Redis" in text, text
    assert "Traceback" not in text and "RuntimeError" not in text

    # the sizing study API and form: every point it stored is failed, none queued
    started = time.monotonic()
    response = client.post("/api/v1/studies", json=_study_body("down", [20, 40]), headers=headers)
    assert time.monotonic() - started < SUBMIT_BOUND_S
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0, response.get_data(as_text=True)
    assert "2 of its 2 points" in response.json["detail"] and "Redis" in response.json["detail"]
    study = client.get(f"/api/v1/studies/{response.json['id']}").json
    assert study["status"] == "done" and {p["status"] for p in study["points"]} == {"failed"}
    output, elapsed = _fire(client, celery_app, STUDY_SUBMIT, _study_form("down form"))
    assert elapsed < SUBMIT_BOUND_S
    colour, text = _alert(output["studies-new-message"])
    assert colour == "danger" and "could not be started" in text and "Redis" in text, text

    runs = _runs(celery_app)
    assert len(runs) == 1 + 1 + 2 + 2
    assert {run.status for run in runs} == {"failed"}, [(run.id, run.status) for run in runs]
    assert all("Redis" in run.message and run.job_id is None for run in runs)
    listed = client.get("/api/v1/runs").json["runs"]
    assert [run["status"] for run in listed] == ["failed"] * len(runs) and api_run in [r["id"] for r in listed]
    rows = fire(client, celery_app, "runs-table.rowData", {"runs-load.data": 0}).json["response"]["runs-table"][
        "rowData"]
    assert len(rows) == len(runs) and {row["status"] for row in rows} == {"failed"}, rows[:2]

    # Redis back on the same address: the next submits are queued on it, with no restart of the app
    redis_server.start()
    broker = redis.Redis.from_url(redis_server.url)
    response = client.post("/api/v1/runs", json={"first_date": "2023-02-01", "last_date": "2023-02-01"},
                           headers=headers)
    assert response.status_code == 202 and response.json["status"] == "queued", response.json
    assert response.json["id"] != api_run
    output, _ = _fire(client, celery_app, SUBMIT, form_values(start="2023-02-03", end="2023-02-03"))
    colour, text = _alert(output["runs-new-message"])
    assert colour == "info" and "queued" in text, text
    response = client.post("/api/v1/studies", json=_study_body("back", [20, 40]), headers=headers)
    assert response.status_code == 202, response.get_data(as_text=True)
    queued = [run for run in _runs(celery_app) if run.status == "queued"]
    assert len(queued) == 1 + 1 + 2 and all(run.job_id.startswith("celery:") for run in queued)
    assert broker.llen(QUEUE) == len(queued)  # each one waits on the queue for a worker
