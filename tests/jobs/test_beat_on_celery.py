"""A scheduled job sent the way Celery beat sends it is run by a real Celery worker (Redis broker)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from data_access.engine import Database
from jobs.beat import SCHEDULED_QUEUE, TASK_PREFIX
from services import price_email
from tests.conftest import REDIS_URL, celery_redis_url, missing_service

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("celery")  # the Celery run tests flush the shared Redis database


def test_the_worker_runs_the_daily_price_email_task(tmp_path, seeded_sqlite_url, smtp_inbox):
    if not REDIS_URL:
        missing_service("set POWERDESK_TEST_REDIS_URL to run the Celery beat test")
    inbox, port = smtp_inbox
    broker_url = celery_redis_url("test_the_worker_runs_the_daily_price_email_task")
    db = Database.from_url(seeded_sqlite_url)
    price_email.set_preference(db, "trader", "trader@example.com", True, actor="trader")
    db.dispose()
    queue = f"pd-test-{uuid.uuid4().hex[:8]}"  # no other test's worker takes this task
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "POWERDESK_", "REDIS_URL"))}
    env.update(DATABASE_URL=seeded_sqlite_url, REDIS_URL=broker_url, SECRET_KEY="beat-test-secret",
               POWERDESK_INSTANCE_PATH=str(tmp_path / "worker"), PYTHONPATH=str(ROOT), MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(port), PRICE_EMAIL_TIME="00:00")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jobs.celery_worker", "worker", "--pool=solo", "--loglevel=warning",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", queue],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    sender = Celery("beat-test", broker=broker_url)
    try:
        sender.send_task(TASK_PREFIX + "price_email", queue=queue)
        deadline = time.monotonic() + 90
        while not inbox.messages and time.monotonic() < deadline:
            if worker.poll() is not None:
                raise AssertionError(f"the Celery worker exited: {worker.stdout.read()}")
            time.sleep(0.3)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    yesterday = price_email.previous_settlement_day()
    assert [m["Subject"] for m in inbox.messages] == [f"Powerdesk prices for {yesterday.isoformat()}"]
    assert inbox.envelopes == [["trader@example.com"]]


def test_the_scheduler_runs_its_jobs_from_its_own_queue_without_a_run_worker(tmp_path, seeded_sqlite_url):
    """Beat's jobs never wait behind optimisation points: ``python -m jobs.scheduler`` consumes their queue
    itself, and nothing it sends lands on the run workers' queue."""
    if not REDIS_URL:
        missing_service("set POWERDESK_TEST_REDIS_URL to run the Celery scheduler test")
    import redis

    broker_url = celery_redis_url("test_the_scheduler_runs_its_jobs_from_its_own_queue_without_a_run_worker")
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "POWERDESK_", "REDIS_URL"))}
    env.update(DATABASE_URL=seeded_sqlite_url, REDIS_URL=broker_url, SECRET_KEY="scheduler-test-secret",
               POWERDESK_INSTANCE_PATH=str(tmp_path / "scheduler"), PYTHONPATH=str(ROOT),
               TURBINE_DISPATCH_INTERVAL_S="1")
    scheduler = subprocess.Popen([sys.executable, "-m", "jobs.scheduler"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = scheduler.stdout.readline()
            if not line:
                break
            lines.append(line)
            if sum("job turbine_dispatch: finished" in seen for seen in lines) >= 2:
                break
        default_queue = broker.llen("celery")
    finally:
        scheduler.terminate()
        try:
            scheduler.wait(timeout=20)
        except subprocess.TimeoutExpired:
            scheduler.kill()
        broker.flushdb()
    output = "".join(lines)
    assert sum("job turbine_dispatch: finished" in line for line in lines) >= 2, output[-3000:]
    assert "scheduler@" in output and SCHEDULED_QUEUE in output, output[-3000:]
    assert default_queue == 0, "the scheduler sent jobs to the run workers' queue"
