"""Identical requests make one run, atomically; runs left by a killed server end "interrupted" at start-up."""

import os
import socket
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from data_access import runs as run_store
from data_access.schema import OptimisationRun
from optimiser import BatteryParams
from services import audit
from services.optimisation_runs import RunRequest, queue_run
from services.prices import load_demo_prices
from services.runs import get_run_row, interrupt_orphaned_runs, process_alive


@pytest.fixture
def priced_db(db):
    load_demo_prices(db, feeds=("seed",))
    return db


def request() -> RunRequest:
    return RunRequest(date(2023, 2, 1), date(2023, 2, 1), BatteryParams(power_mw=33), "da")


def test_an_identical_request_that_lost_the_race_to_insert_reopens_the_winner(priced_db, monkeypatch):
    """The race made deterministic: the look-up of the second request ran before the first one's insert
    (it saw nothing), so only the unique index stands between it and a second run."""
    first = queue_run(priced_db, request())
    looked_up = []
    real = run_store.find_reusable

    def stale_first_look(session, params_hash, fingerprint):
        looked_up.append(params_hash)
        return None if len(looked_up) == 1 else real(session, params_hash, fingerprint)

    monkeypatch.setattr(run_store, "find_reusable", stale_first_look)
    second = queue_run(priced_db, request())
    assert (second.run_id, second.reopened) == (first.run_id, True)
    assert len(looked_up) == 2  # the insert failed on the index, and the second look-up found the run
    with priced_db.session() as session:
        assert session.query(OptimisationRun).count() == 1
    assert len(audit.list_events(priced_db, action_prefix="run.submitted")) == 1  # nothing half-stored


def test_an_ended_identical_run_does_not_block_a_new_one(priced_db):
    first = queue_run(priced_db, request())
    with priced_db.session() as session:
        run_store.finish_active(session, first.run_id, run_store.FAILED, "boom")
    second = queue_run(priced_db, request())
    assert not second.reopened and second.run_id != first.run_id


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_runs_of_local_processes_that_are_gone_end_interrupted_and_live_ones_are_left(priced_db):
    host = socket.gethostname()
    now = datetime.now(UTC)
    dead, alive_run, elsewhere, queued_dead = (queue_run(priced_db, RunRequest(
        date(2023, 2, 1), date(2023, 2, 1), BatteryParams(power_mw=power), "da")).run_id for power in (1, 2, 3, 4))
    with priced_db.session() as session:
        for run_id, job_id, status in ((dead, f"pid:{_dead_pid()}@{host}", "running"),
                                       (alive_run, f"pid:{os.getpid()}@{host}", "running"),
                                       (elsewhere, f"pid:{_dead_pid()}@another-host", "running"),
                                       (queued_dead, f"pid:{_dead_pid()}@{host}", "queued")):
            row = session.get(OptimisationRun, run_id)
            row.job_id, row.status = job_id, status
            row.started_at = now if status == "running" else None
    assert sorted(interrupt_orphaned_runs(priced_db)) == sorted([dead, queued_dead])
    statuses = {run_id: get_run_row(priced_db, run_id) for run_id in (dead, alive_run, elsewhere, queued_dead)}
    assert statuses[dead].status == statuses[queued_dead].status == "failed"
    assert "interrupted" in statuses[dead].message
    assert statuses[alive_run].status == statuses[elsewhere].status == "running"
    assert [e.target for e in audit.list_events(priced_db, action_prefix="run.interrupted")] != []
    assert interrupt_orphaned_runs(priced_db) == []  # idempotent


def test_a_pid_the_system_gave_to_a_newer_process_is_not_the_run_s():
    assert process_alive(os.getpid(), datetime.now(UTC))  # this process started before "now"
    assert not process_alive(os.getpid(), datetime.now(UTC) - timedelta(days=3650))  # a claim before it existed
    assert not process_alive(_dead_pid(), None)


def test_reading_a_run_applies_the_heartbeat_rule(priced_db, tmp_path):
    from settings import Settings

    run_id = queue_run(priced_db, request()).run_id
    old = datetime.now(UTC) - timedelta(minutes=10)
    with priced_db.session() as session:
        row = session.get(OptimisationRun, run_id)
        row.status, row.started_at, row.heartbeat_at = "running", old, old
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), run_heartbeat_deadline_s=120)
    run = get_run_row(priced_db, run_id, settings)
    assert run.status == "failed" and run.message == run_store.STOPPED_RESPONDING
