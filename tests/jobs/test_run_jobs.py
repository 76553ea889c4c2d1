import socket
from datetime import date

import pytest

from data_access import migrate
from data_access.engine import Database
from data_access.schema import OptimisationRun
from jobs.background import JobStartFailed, kill_job, start_run_job, stop_job
from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, queue_run
from services.prices import load_demo_prices
from settings import Settings


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    migrate.upgrade(url)
    db = Database.from_url(url)
    load_demo_prices(db, feeds=("seed",))
    db.dispose()
    return url


def test_a_run_whose_job_cannot_start_is_failed_at_once(url, tmp_path):
    with socket.socket() as probe:  # a Redis port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), database_url=url,
                        redis_url=f"redis://127.0.0.1:{port}/0", POWERDESK_BACKGROUND="celery")
    db = Database.from_url(url)
    queued = queue_run(db, RunRequest(date(2023, 2, 1), date(2023, 2, 1), BatteryParams()))
    with pytest.raises(JobStartFailed, match="could not be started"):
        start_run_job(settings, queued.run_id)
    with db.session() as session:
        run = session.get(OptimisationRun, queued.run_id)
        assert run.status == "failed" and "no background worker" in run.message
    db.dispose()


def test_kill_job_kills_a_local_job_process_and_leaves_other_hosts_alone():
    import subprocess
    import sys

    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        kill_job(Settings(), f"pid:{victim.pid}@another-host")
        assert victim.poll() is None
        kill_job(Settings(), f"pid:{victim.pid}@{socket.gethostname()}")
        assert victim.wait(timeout=5) == -9
        kill_job(Settings(), f"pid:{victim.pid}@{socket.gethostname()}")  # already gone: nothing to do
    finally:
        if victim.poll() is None:
            victim.kill()


def test_stop_job_leaves_the_worker_its_grace_then_kills_a_job_still_running():
    """A cancelled worker stops itself after its day (keeping the days solved); one that has not within the
    grace is killed. The timer is waited on, not the clock."""
    import subprocess
    import sys

    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    job_id = f"pid:{victim.pid}@{socket.gethostname()}"
    try:
        timer = stop_job(Settings(run_cancel_grace_s=3600), job_id)
        assert victim.poll() is None and timer.is_alive()  # within its grace: left to stop on its own
        timer.cancel()
        stop_job(Settings(run_cancel_grace_s=0.01), job_id, wait=True)
        assert victim.wait(timeout=5) == -9
    finally:
        if victim.poll() is None:
            victim.kill()
