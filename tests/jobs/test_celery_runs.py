"""A run started from the Runs page is solved by a real Celery worker (Redis broker).

The worker is a separate process built by ``jobs.celery_worker`` from the same settings, as
in production; the web side is the app in this process, driven through Dash's HTTP protocol
for background callbacks (start the job, then poll with the signed handles).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data_access.schema import OptimisationRun
from tests.conftest import REDIS_URL, build_app, log_in, make_settings, missing_service
from tests.dash_requests import callback_body, find_callback, find_callback_by_input
from tests.web.test_runs_page import NEW_RUN, new_run_values

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_setup(tmp_path, seeded_sqlite_url):
    if not REDIS_URL:
        missing_service("set POWERDESK_TEST_REDIS_URL to run the Celery worker test")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "POWERDESK_", "REDIS_URL"))}
    env.update(DATABASE_URL=seeded_sqlite_url, REDIS_URL=REDIS_URL, SECRET_KEY="celery-test-secret",
               POWERDESK_INSTANCE_PATH=str(tmp_path / "worker"), PYTHONPATH=str(ROOT))
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jobs.celery_worker", "worker", "--pool=solo", "--loglevel=warning",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    settings = make_settings(tmp_path, seeded_sqlite_url, redis_url=REDIS_URL, secret_key="celery-test-secret")
    app = build_app(settings, seed=False)
    try:
        yield app, worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.xdist_group("celery")
def test_a_queued_run_is_solved_by_a_celery_worker(celery_setup):
    dash_app, worker = celery_setup
    from dash import CeleryManager

    assert isinstance(dash_app._background_manager, CeleryManager)
    client = dash_app.server.test_client()
    assert log_in(client, "trader").status_code == 302
    queued = client.post("/_dash-update-component", json=callback_body(
        dash_app, find_callback(dash_app, NEW_RUN), new_run_values())).json["response"]
    run_id = queued["runs-queued"]["data"]

    body = callback_body(dash_app, find_callback_by_input(dash_app, "runs-queued.data"), {"runs-queued.data": run_id},
                         triggered="runs-queued.data")
    started = client.post("/_dash-update-component", json=body).json
    assert {"cacheKey", "job"} <= set(started)
    deadline, result = time.monotonic() + 120, None
    while time.monotonic() < deadline:
        polled = client.post("/_dash-update-component", json=body,
                             query_string={"cacheKey": started["cacheKey"], "job": started["job"]})
        if polled.status_code == 200 and "response" in (polled.get_json(silent=True) or {}):
            result = polled.json["response"]
            break
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited: {worker.stdout.read()}")
        time.sleep(0.5)
    assert result is not None, "the worker did not finish the run within 120 s"
    assert f"Run #{run_id} finished: optimal" in str(result["runs-new-message"])
    with dash_app.server.extensions["powerdesk"].db.session() as session:
        run = session.get(OptimisationRun, run_id)
        assert run.status == "optimal" and run.totals["days"] == 2
