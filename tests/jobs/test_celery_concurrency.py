"""20 distinct runs submitted at the same moment to the dev server with Celery configured, on PostgreSQL and
Redis, solved by two worker processes: all end ``succeeded``, none left queued, none solved twice."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from data_access.engine import Database
from data_access.schema import OptimisationRun
from tests.conftest import REDIS_URL, celery_redis_url, missing_service, seed_database
from tests.jobs.live_servers import (
    ROOT,
    DevServer,
    app_environment,
    post_all_at_once,
    run_body,
    trader_key,
    wait_for_final,
)

pytestmark = pytest.mark.xdist_group("celery")


def test_twenty_distinct_runs_at_once_on_celery_and_postgresql_all_succeed(tmp_path, postgres_url):
    if not REDIS_URL:
        missing_service("set POWERDESK_TEST_REDIS_URL to run the Celery tests")
    import redis

    broker = celery_redis_url("test_twenty_distinct_runs_at_once_on_celery_and_postgresql_all_succeed")
    redis.Redis.from_url(broker).flushdb()
    seed_database(postgres_url)
    key = trader_key(postgres_url)
    env = app_environment(postgres_url, tmp_path / "instance", REDIS_URL=broker)
    workers = [subprocess.Popen([sys.executable, "-m", "celery", "-A", "jobs.celery_worker", "worker", "--pool=solo",
                                 "--loglevel=warning", "--without-heartbeat", "--without-gossip", "--without-mingle",
                                 "-n", f"concurrency-{n}@%h"],
                                cwd=ROOT, env={**env, "POWERDESK_INSTANCE_PATH": str(tmp_path / f"worker-{n}")},
                                stdout=open(tmp_path / f"worker-{n}.log", "wb"),  # noqa: SIM115
                                stderr=subprocess.STDOUT) for n in (1, 2)]
    server = DevServer(env, tmp_path / "dev.log")
    try:
        responses = post_all_at_once(server.base, key, "/api/v1/runs", [run_body(float(p)) for p in range(10, 30)])
        assert [r.status_code for r in responses] == [202] * 20, [r.text for r in responses]
        run_ids = [r.json()["id"] for r in responses]
        finished = wait_for_final(server.base, key, run_ids,
                                  lambda: server.process.poll() is None and all(w.poll() is None for w in workers))
    finally:
        server.close()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert {body["status"] for body in finished.values()} == {"succeeded"}, \
        {run_id: body["message"] for run_id, body in finished.items()}
    db = Database.from_url(postgres_url)
    with db.session() as session:
        rows = list(session.scalars(select(OptimisationRun)))
    db.dispose()
    assert len(rows) == 20 and all(run.job_id.startswith("celery:") for run in rows)
    assert {run.progress_done for run in rows} == {1}  # each solved once, to its one day
    solved_by = {(tmp_path / f"worker-{n}.log").read_text(errors="replace") for n in (1, 2)}
    assert not any("Traceback" in text for text in solved_by), solved_by
