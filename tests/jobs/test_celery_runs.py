"""Runs solved by a real Celery worker process on the local Redis.

The worker is a separate process built by ``jobs.celery_worker`` from its environment, as in production;
the web side is the app in this process, submitting through the runs API.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from data_access.schema import OptimisationRun
from tests.conftest import (
    REDIS_URL,
    api_csrf_headers,
    build_app,
    celery_redis_url,
    log_in,
    make_settings,
    missing_service,
)
from tests.dash_requests import fire
from tests.web.test_run_form import POLL, call

ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT_S = 2.0


pytestmark = pytest.mark.xdist_group("celery")  # tests share one Redis database: never two workers at once


@pytest.fixture
def celery_setup(request, tmp_path, seeded_sqlite_url):
    if not REDIS_URL:
        missing_service("set POWERDESK_TEST_REDIS_URL to run the Celery worker test")
    import redis

    broker_url = celery_redis_url(request.function.__name__)
    redis.Redis.from_url(broker_url).flushdb()  # no messages left by an earlier run of this test
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "POWERDESK_", "REDIS_URL", "RUN_"))}
    env.update(DATABASE_URL=seeded_sqlite_url, REDIS_URL=broker_url, SECRET_KEY="celery-test-secret",
               POWERDESK_INSTANCE_PATH=str(tmp_path / "worker"), PYTHONPATH=str(ROOT),
               RUN_HEARTBEAT_DEADLINE_S=str(HEARTBEAT_S))
    workers = []

    def start_worker():
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "jobs.celery_worker", "worker", "--pool=solo",
             "--loglevel=warning", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        workers.append(worker)
        return worker

    # The worker beats often (its deadline is HEARTBEAT_S); the app, which reaps on every read, judges with a
    # deadline a loaded machine cannot miss. The killed-worker test judges with HEARTBEAT_S at injected instants.
    settings = make_settings(tmp_path, seeded_sqlite_url, redis_url=broker_url, secret_key="celery-test-secret",
                             run_heartbeat_deadline_s=600.0)
    app = build_app(settings, seed=False)
    try:
        yield app, start_worker
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()


def _submit(dash_app, body):
    client = dash_app.server.test_client()
    assert log_in(client, "trader").status_code == 302
    response = client.post("/api/v1/runs", json=body, headers=api_csrf_headers(client))
    assert response.status_code == 202, response.json
    return client, response.json["id"]


def _row(dash_app, run_id):
    with dash_app.server.extensions["powerdesk"].db.session() as session:
        run = session.get(OptimisationRun, run_id)
        session.expunge(run)
        return run


def test_a_submitted_run_is_solved_by_a_celery_worker(celery_setup):
    dash_app, start_worker = celery_setup
    worker = start_worker()
    client, run_id = _submit(dash_app, {"first_date": "2023-02-01", "last_date": "2023-02-02"})
    deadline = time.monotonic() + 240  # the worker imports the whole app first; a loaded CI machine is slow at it
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/runs/{run_id}").json
        if body["status"] not in ("queued", "running"):
            break
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited: {worker.stdout.read()}")
        time.sleep(0.3)
    run = _row(dash_app, run_id)
    assert run.status == "succeeded" and run.totals["days"] == 2 and run.progress_done == 2
    assert run.job_id.startswith("celery:")


def test_a_worker_killed_mid_run_leaves_a_failed_run_that_is_not_solved_twice(celery_setup):
    from services.optimisation_runs import execute_run, reap_stale_runs

    dash_app, start_worker = celery_setup
    worker = start_worker()
    client, run_id = _submit(dash_app, {"first_date": "2023-01-14", "last_date": "2023-04-30",
                                         "always_binary": True})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and (_row(dash_app, run_id).progress_done or 0) < 1:
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited: {worker.stdout.read()}")
        time.sleep(0.1)
    before = _row(dash_app, run_id)
    assert before.status == "running" and before.progress_done >= 1
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    context = dash_app.server.extensions["powerdesk"]
    # Judged at instants after the last beat the dead worker wrote (an injected "now", not a sleep), so a
    # loaded machine that delayed that beat changes nothing.
    last_beat = _row(dash_app, run_id).heartbeat_at
    last_beat = last_beat if last_beat.tzinfo else last_beat.replace(tzinfo=UTC)
    short = context.settings.model_copy(update={"run_heartbeat_deadline_s": HEARTBEAT_S})
    assert reap_stale_runs(context.db, short, now=last_beat + timedelta(seconds=HEARTBEAT_S - 0.2)) == 0
    assert reap_stale_runs(context.db, short, now=last_beat + timedelta(seconds=HEARTBEAT_S + 0.2)) == 1
    failed = _row(dash_app, run_id)
    assert failed.status == "failed" and "stopped responding" in failed.message
    # The UI shows the failure: the form that was following the run, and the runs grid.
    followed = call(client, dash_app, POLL, {POLL: 1, "runs-queued.data": run_id}).json["response"]
    alert = followed["runs-new-message"]["children"]["props"]
    assert alert["color"] == "danger" and f"Run #{run_id} failed" in alert["children"] \
        and "stopped responding" in alert["children"]
    assert followed["runs-new-poll"]["disabled"] is True  # it stops polling: no endless spinner
    rows = fire(client, dash_app, "runs-table.rowData", {"runs-load.data": 0}).json["response"]["runs-table"]["rowData"]
    assert [row["status"] for row in rows if row["id"] == run_id] == ["failed"]
    # What a redelivered task does: the claim fails, nothing is solved, the row keeps its final status.
    again = execute_run(context.db, run_id, progress=lambda *_: pytest.fail("solved twice"))
    assert again.status == "failed" and again.reopened
    assert _row(dash_app, run_id).progress_done == failed.progress_done
