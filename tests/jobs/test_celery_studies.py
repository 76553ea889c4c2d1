"""A study's points go out as a Celery group and a real worker process (Redis broker) solves them."""

import time

import pytest

from tests.conftest import api_csrf_headers, log_in
from tests.jobs.test_celery_runs import celery_setup  # noqa: F401  (the fixture: app + worker process)

pytestmark = pytest.mark.xdist_group("celery")


def test_a_study_is_solved_by_celery_workers(celery_setup):  # noqa: F811
    dash_app, start_worker = celery_setup
    worker = start_worker()
    client = dash_app.server.test_client()
    assert log_in(client, "trader").status_code == 302
    body = {"name": "celery study", "start": "2023-03-01", "end": "2023-03-01", "grid": {"power_mw": [10, 20, 30], "duration_h": [1]}}
    response = client.post("/api/v1/studies", json=body, headers=api_csrf_headers(client))
    assert response.status_code == 202, response.json
    deadline = time.monotonic() + 600  # a hang cap, never a speed limit
    while time.monotonic() < deadline:
        study = client.get(f"/api/v1/studies/{response.json['id']}").json
        if study["status"] == "done":
            break
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited: {worker.stdout.read()}")
        time.sleep(0.5)
    assert study["status"] == "done", study["progress"]
    assert [p["status"] for p in study["points"]] == ["succeeded"] * 3
    revenues = [p["totals"]["net_revenue_gbp"] for p in study["points"]]
    assert revenues[1] == pytest.approx(2 * revenues[0], rel=1e-6)
