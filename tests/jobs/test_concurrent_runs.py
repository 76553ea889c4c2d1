"""Several traders at once, on the app as it is served: nothing stuck, nothing twice, nothing lost.

- 20 distinct runs submitted at the same moment to the dev server (threads) and to gunicorn (2 workers) on
  SQLite all end ``succeeded``, none left queued (a fork of the threaded server used to hang most of them);
- 10 identical submissions at the same moment make exactly one run, every response naming it (SQLite and
  PostgreSQL: the unique index decides, not a look-up before the insert);
- a server killed (SIGKILL) with 3 local runs solving leaves, after a restart, each run finished or
  ``failed`` "interrupted", never ``running``.

Runs are one or two days of the seed prices, so the whole module stays cheap. Nothing is timed.
"""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import func, select

from data_access.engine import Database
from data_access.schema import OptimisationRun
from tests.conftest import seed_database
from tests.faults.private_servers import GunicornApp
from tests.jobs.live_servers import DevServer, app_environment, post_all_at_once, run_body, trader_key, wait_for_final


def run_rows(database_url: str) -> list[OptimisationRun]:
    db = Database.from_url(database_url)
    try:
        with db.session() as session:
            return list(session.scalars(select(OptimisationRun).order_by(OptimisationRun.id)))
    finally:
        db.dispose()


def twenty_at_once(base: str, key: str, alive) -> None:
    bodies = [run_body(float(power)) for power in range(10, 30)]
    responses = post_all_at_once(base, key, "/api/v1/runs", bodies)
    assert [r.status_code for r in responses] == [202] * 20, [r.text for r in responses if r.status_code != 202]
    run_ids = [r.json()["id"] for r in responses]
    assert len(set(run_ids)) == 20
    finished = wait_for_final(base, key, run_ids, alive)
    assert {run_id: body["status"] for run_id, body in finished.items()} == dict.fromkeys(run_ids, "succeeded"), \
        {run_id: body["message"] for run_id, body in finished.items() if body["status"] != "succeeded"}
    assert [body["parameters"]["battery"]["power_mw"] for body in (finished[i] for i in run_ids)] == \
        [body["power_mw"] for body in bodies]


def test_twenty_distinct_runs_at_once_on_the_dev_server_all_succeed(tmp_path, seeded_sqlite_url):
    key = trader_key(seeded_sqlite_url)
    server = DevServer(app_environment(seeded_sqlite_url, tmp_path / "instance"), tmp_path / "dev.log")
    try:
        twenty_at_once(server.base, key, lambda: server.process.poll() is None)
    finally:
        server.close()
    assert not [run.id for run in run_rows(seeded_sqlite_url) if run.status in ("queued", "running")]


def test_twenty_distinct_runs_at_once_on_gunicorn_with_two_workers_all_succeed(tmp_path, seeded_sqlite_url):
    key = trader_key(seeded_sqlite_url)
    env = app_environment(seeded_sqlite_url, tmp_path / "instance")
    server = GunicornApp(env, tmp_path / "gunicorn.log", workers=2)
    try:
        twenty_at_once(server.base, key, lambda: server.process.poll() is None)
    finally:
        server.close()
    rows = run_rows(seeded_sqlite_url)
    assert len(rows) == 20 and {run.status for run in rows} == {"succeeded"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded_url(request, seeded_sqlite_url) -> str:
    if request.param == "sqlite":
        return seeded_sqlite_url
    url = request.getfixturevalue("postgres_url")
    seed_database(url)
    return url


def test_ten_identical_submissions_at_once_make_exactly_one_run(tmp_path, seeded_url):
    key = trader_key(seeded_url)
    server = DevServer(app_environment(seeded_url, tmp_path / "instance"), tmp_path / "dev.log")
    try:
        responses = post_all_at_once(server.base, key, "/api/v1/runs", [run_body(42.0)] * 10)
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] * 9 + [202], [r.text for r in responses]
        run_ids = {r.json()["id"] for r in responses}
        assert len(run_ids) == 1, run_ids  # every response names the one run
        assert sum(bool(r.json().get("reopened")) for r in responses) == 9
        finished = wait_for_final(server.base, key, list(run_ids), lambda: server.process.poll() is None)
    finally:
        server.close()
    assert [body["status"] for body in finished.values()] == ["succeeded"]
    db = Database.from_url(seeded_url)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(OptimisationRun)) == 1
    db.dispose()


def _local_pid(job_id: str) -> int:
    kind, _, ident = job_id.partition(":")
    assert kind == "pid", job_id
    return int(ident.partition("@")[0])


def test_a_server_killed_with_three_runs_solving_leaves_none_running_after_a_restart(tmp_path, seeded_sqlite_url):
    """The server dies with SIGKILL while three local runs solve. Runs are their own process groups, so two
    of them go on and finish; the third dies with the server (as on a machine restart). The restarted
    server ends it ``failed`` "interrupted" at start-up, long before any heartbeat deadline."""
    from tests.faults.private_servers import wait_until

    key = trader_key(seeded_sqlite_url)
    env = app_environment(seeded_sqlite_url, tmp_path / "instance", RUN_HEARTBEAT_DEADLINE_S="3600",
                          RUN_TIME_LIMIT_S="3600")
    server = DevServer(env, tmp_path / "dev-1.log")
    try:
        bodies = [run_body(10.0, "2023-01-14", "2023-04-20"), run_body(20.0, "2023-02-01", "2023-02-02"),
                  run_body(30.0, "2023-02-01", "2023-02-02")]
        run_ids = [r.json()["id"] for r in post_all_at_once(server.base, key, "/api/v1/runs", bodies)]

        def victim_solving() -> bool:
            victim = next(run for run in run_rows(seeded_sqlite_url) if run.id == run_ids[0])
            return victim.status == "running" and (victim.progress_done or 0) >= 1

        wait_until(victim_solving, 600, "the long run never started solving")
        victim = next(run for run in run_rows(seeded_sqlite_url) if run.id == run_ids[0])
        server.kill()
        os.killpg(_local_pid(victim.job_id), signal.SIGKILL)  # the long run dies with the server
    finally:
        server.close()
    wait_until(lambda: not _alive(_local_pid(victim.job_id)), 60, "the killed run's process did not go away")
    assert next(run for run in run_rows(seeded_sqlite_url) if run.id == run_ids[0]).status == "running", \
        "precondition: the killed run is left running by the dead server"

    restarted = DevServer(env, tmp_path / "dev-2.log")
    try:
        first_look = next(run for run in run_rows(seeded_sqlite_url) if run.id == run_ids[0])
        finished = wait_for_final(restarted.base, key, run_ids, lambda: restarted.process.poll() is None)
        restarted_status = {run_id: (body["status"], body["message"]) for run_id, body in finished.items()}
    finally:
        restarted.close()
    assert first_look.status == "failed" and "interrupted" in first_look.message  # ended at start-up
    for run_id, (status, message) in restarted_status.items():
        assert status == "succeeded" or (status == "failed" and "interrupted" in message), (run_id, status, message)
    assert restarted_status[run_ids[0]][0] == "failed"


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_four_studies_of_six_points_at_once_on_the_dev_server_all_finish(tmp_path, seeded_sqlite_url):
    import requests

    from tests.faults.private_servers import wait_until

    key = trader_key(seeded_sqlite_url)
    server = DevServer(app_environment(seeded_sqlite_url, tmp_path / "instance", STUDY_WORKERS="2"),
                       tmp_path / "dev.log")
    try:
        bodies = [{"name": f"desk {n}", "start": "2023-02-01", "end": "2023-02-01",
                   "grid": {"power_mw": [10.0 * n + p for p in range(1, 7)], "duration_h": [1]}} for n in range(4)]
        responses = post_all_at_once(server.base, key, "/api/v1/studies", bodies)
        assert [r.status_code for r in responses] == [202] * 4, [r.text for r in responses]
        study_ids = [r.json()["id"] for r in responses]
        headers = {"Authorization": f"Bearer {key}"}

        def study(study_id: int) -> dict:
            return requests.get(f"{server.base}/api/v1/studies/{study_id}", headers=headers, timeout=60).json()

        wait_until(lambda: all(study(i)["status"] != "running" for i in study_ids), 900, "the studies never ended")
        studies = [study(i) for i in study_ids]
    finally:
        server.close()
    assert [s["status"] for s in studies] == ["done"] * 4
    assert [[p["status"] for p in s["points"]] for s in studies] == [["succeeded"] * 6] * 4
    assert len({p["run_id"] for s in studies for p in s["points"]}) == 24
