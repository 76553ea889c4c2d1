"""The run reaper and a large local study: points waiting their turn in the study's pool are kept alive by
the study's process however long they wait, and are still reaped once that process is gone.

Nothing here depends on how fast the machine is: the reaper's run limit is seconds (so the points really
wait past it) while heartbeats have minutes to arrive, and the reaper judges a dead holder at instants
computed from the heartbeats it left (an injected ``now``), not after a sleep. Seeded SQLite copy."""

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from data_access import runs as run_store
from data_access.engine import Database
from data_access.schema import OptimisationRun
from jobs.studies import execute_points
from services import audit
from services.optimisation_runs import reap_stale_runs
from services.studies import submit_study

ROOT = Path(__file__).resolve().parents[2]
RUN_LIMIT_S = 1.5
"""The reaper's run limit [s]: a queued point held by nobody is reaped once it is older than this."""
HEARTBEAT_DEADLINE_S = 600.0
"""Heartbeats may be this late [s] before the reaper judges their writer dead: far more than a loaded
machine delays a beat, so a live holder is never judged dead by accident."""


def one_day_study(powers_mw: list[float]) -> dict:
    return {"name": "waiting points", "start": "2023-03-01", "end": "2023-03-01",
            "grid": {"power_mw": powers_mw, "duration_h": [1]}}


def short_limits(settings, heartbeat_deadline_s: float = HEARTBEAT_DEADLINE_S):
    return settings.model_copy(update={"run_time_limit_s": RUN_LIMIT_S,
                                       "run_heartbeat_deadline_s": heartbeat_deadline_s})


def solver_limits(settings):
    """The study's own limits: a point is never stopped for time, however slow the machine."""
    return settings.model_copy(update={"run_time_limit_s": 1800.0, "run_heartbeat_deadline_s": HEARTBEAT_DEADLINE_S})


def wait_until(condition, what: str, alive=lambda: True) -> None:
    """Wait for an event seen in the database (capped far beyond any machine's speed: only a bug reaches it)."""
    deadline = time.monotonic() + 300
    while not condition():
        assert time.monotonic() < deadline and alive(), f"never happened: {what}"
        time.sleep(0.05)


def rows(db, run_ids) -> list[OptimisationRun]:
    with db.session() as session:
        return list(session.scalars(select(OptimisationRun).where(OptimisationRun.id.in_(run_ids))
                                    .order_by(OptimisationRun.id)))


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_points_waiting_longer_than_the_run_limit_on_one_worker_are_not_reaped(settings):
    short = short_limits(settings)
    db = Database.from_url(short.resolved_database_url())
    # Thirty one-day points solved one after another: together they take longer than the reaper's run limit.
    submitted = submit_study(db, one_day_study([5.0 * n for n in range(1, 31)]), None, "trader", max_points=200)
    assert len(submitted.pending_run_ids) == 30
    reaped: list[int] = []
    looked_at: list[datetime] = []
    stop = threading.Event()

    def reaper():  # as the scheduler does every 30 s and the app on every read, only much more often
        wait_until(lambda: all(p.heartbeat_at for p in rows(db, submitted.pending_run_ids)),
                   "the study's process held its points")
        while not stop.wait(0.1):
            looked_at.append(datetime.now(UTC))
            reaped.append(reap_stale_runs(db, short))

    thread = threading.Thread(target=reaper, daemon=True)
    thread.start()
    try:
        statuses = execute_points(short.resolved_database_url(), submitted.pending_run_ids, workers=1,
                                  settings=solver_limits(settings))
    finally:
        stop.set()
        thread.join()
    points = rows(db, submitted.pending_run_ids)
    assert statuses == ["succeeded"] * 30, [(p.id, p.status, p.message) for p in points if p.status != "succeeded"]
    assert sum(reaped) == 0 and audit.list_events(db, action_prefix="run.reaped") == []
    # The scenario really happened: the reaper looked while a point was still queued, older than the run limit.
    overdue = [(aware(p.created_at) + timedelta(seconds=RUN_LIMIT_S), aware(p.started_at)) for p in points]
    assert any(since < moment < until for moment in looked_at for since, until in overdue), \
        "the reaper never looked while a point waited past the run limit"
    db.dispose()


def test_points_held_by_a_study_process_that_died_are_reaped_within_the_heartbeat_deadline(settings, tmp_path):
    beat_deadline_s = 1.5  # the study process beats every 0.375 s; the judging below uses an injected "now"
    short = short_limits(settings, beat_deadline_s)
    url = short.resolved_database_url()
    db = Database.from_url(url)
    submitted = submit_study(db, one_day_study([10, 20, 30, 40, 50, 60, 70, 80]), None, "trader", max_points=200)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POWERDESK_INSTANCE_PATH": str(tmp_path / "study-instance"),
           "RUN_HEARTBEAT_DEADLINE_S": str(beat_deadline_s), "RUN_TIME_LIMIT_S": "1800"}
    # The detached study process the Studies page starts (jobs.studies.start_points), on one worker.
    study = subprocess.Popen([sys.executable, "-m", "jobs.studies", "--database-url", url, "--workers", "1",
                              *map(str, submitted.pending_run_ids)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: all(p.heartbeat_at for p in rows(db, submitted.pending_run_ids)[-2:]),
                   "the study held its points", alive=lambda: study.poll() is None)
    finally:
        study.kill()
        study.wait()
    before = {p.id: p for p in rows(db, submitted.pending_run_ids)}
    held = [run_id for run_id, p in before.items() if p.status == run_store.QUEUED]
    assert held, "every point had been claimed before the study process was killed"
    held_beat = max(aware(before[run_id].heartbeat_at) for run_id in held)
    last_beat = max(aware(p.heartbeat_at) for p in before.values() if p.heartbeat_at)
    # Just inside the deadline after the last beat the process wrote for its waiting points, none is reaped...
    reap_stale_runs(db, short, now=held_beat + timedelta(seconds=beat_deadline_s - 0.2))
    assert {p.id: p.status for p in rows(db, held)} == {run_id: run_store.QUEUED for run_id in held}
    # ...and every point it held (or was solving) is, just past the deadline after the newest beat of any.
    reap_stale_runs(db, short, now=last_beat + timedelta(seconds=beat_deadline_s + 0.2))
    after = {p.id: p for p in rows(db, submitted.pending_run_ids)}
    assert not [p.id for p in after.values() if p.status in run_store.ACTIVE_STATUSES]
    assert all(after[run_id].status == "failed" and after[run_id].message == run_store.HOLDER_STOPPED
               for run_id in held)
    db.dispose()


def test_a_held_queued_row_is_judged_by_its_heartbeat_and_an_unheld_one_by_its_age(db):
    now = datetime.now(UTC)
    old = now - timedelta(hours=2)

    def queued(heartbeat_at):
        return OptimisationRun(first_date=date(2023, 2, 1), last_date=date(2023, 2, 1), markets="da", params={},
                               params_hash=uuid.uuid4().hex, input_fingerprint="f", status="queued", created_at=old,
                               heartbeat_at=heartbeat_at)

    with db.session() as session:
        fresh, stale, unheld, young = (queued(now - timedelta(seconds=5)), queued(now - timedelta(minutes=5)),
                                       queued(None), queued(None))
        young.created_at = now - timedelta(minutes=1)
        session.add_all([fresh, stale, unheld, young])
    with db.session() as session:
        marked = run_store.reap_stale(session, heartbeat_cutoff=now - timedelta(minutes=2),
                                      queued_cutoff=now - timedelta(minutes=30))
    assert sorted(marked) == sorted([stale.id, unheld.id])
    by_id = {run.id: run for run in rows(db, [fresh.id, stale.id, unheld.id, young.id])}
    assert by_id[fresh.id].status == by_id[young.id].status == "queued"
    assert by_id[stale.id].message == run_store.HOLDER_STOPPED
    assert by_id[unheld.id].message == run_store.NEVER_PICKED_UP
    with db.session() as session:  # beats reach only rows still queued
        assert run_store.beat_waiting(session, [fresh.id, stale.id, young.id]) == 2


def test_an_unheld_queued_study_point_is_kept_while_its_study_progresses_and_reaped_once_it_stalls(db):
    """With Celery a study's points wait in the broker, held by no process: a point waiting longer than the run
    limit is kept while other points of its study are being solved, and reaped once none has moved since."""
    from data_access.schema import Study, StudyPoint

    now = datetime.now(UTC)
    old = now - timedelta(hours=2)

    def run(status, **moments):
        return OptimisationRun(first_date=date(2023, 2, 1), last_date=date(2023, 2, 1), markets="da", params={},
                               params_hash=uuid.uuid4().hex, input_fingerprint="f", status=status, created_at=old,
                               **moments)

    with db.session() as session:
        study = Study(name="broker-queued", first_date=date(2023, 2, 1), last_date=date(2023, 2, 1), spec={})
        busy, waiting = run("running", started_at=now - timedelta(minutes=5), heartbeat_at=now), run("queued")
        lone = run("queued")  # a queued run in no study: judged by its age alone
        session.add_all([study, busy, waiting, lone])
        session.flush()
        session.add_all([StudyPoint(study_id=study.id, point_index=i, params={}, varied={}, run_id=r.id)
                         for i, r in enumerate([busy, waiting])])
    cutoffs = {"heartbeat_cutoff": now - timedelta(minutes=2), "queued_cutoff": now - timedelta(minutes=30)}
    with db.session() as session:
        assert run_store.reap_stale(session, **cutoffs) == [lone.id]
    assert rows(db, [waiting.id])[0].status == "queued"

    with db.session() as session:  # the study's last activity is now older than the queued cutoff
        stalled = session.get(OptimisationRun, busy.id)
        stalled.status, stalled.finished_at = "succeeded", now - timedelta(minutes=45)
        stalled.started_at = stalled.heartbeat_at = now - timedelta(minutes=50)
    with db.session() as session:
        assert run_store.reap_stale(session, **cutoffs) == [waiting.id]
    assert rows(db, [waiting.id])[0].message == run_store.NEVER_PICKED_UP
