"""Solving a study's points in parallel: one Celery task per point when Celery is configured, else a
pool of local processes started by ``python -m jobs.studies``.

Each point is an ordinary queued run solved by ``execute_run``, whose claim (queued -> running) is
one conditional UPDATE, so a point handed to two workers is solved once, and a point cancelled
before a worker reaches it is skipped. While the local pool works through a study, the process that
holds it writes the heartbeat of the points still waiting their turn, so the reaper does not fail them
for waiting longer than the run limit, and does fail them soon after that process dies.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jobs import processes
from settings import Settings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


def execute_one(database_url: str, run_id: int, settings: Settings | None = None) -> str:
    """Solve one queued run in this process; returns its final status (never raises)."""
    from data_access.engine import Database
    from services.optimisation_runs import execute_run

    db = Database.from_url(database_url)
    try:
        return execute_run(db, run_id, settings=settings).status
    except Exception:  # stored as failed by execute_run; one point never stops the others
        log.exception("study point run %s failed", run_id)
        return "failed"
    finally:
        db.dispose()


def execute_points(database_url: str, run_ids: list[int], workers: int, settings: Settings | None = None) -> list[str]:
    """Solve ``run_ids`` on ``workers`` local processes, keeping the waiting ones' heartbeat alive
    meanwhile; returns their statuses in order. ``settings`` (default: from the environment) give the
    run limit and heartbeat deadline."""
    if not run_ids:
        return []
    settings = settings or Settings()
    workers = max(1, min(workers, len(run_ids)))
    if workers == 1:
        with _waiting_kept_alive(database_url, run_ids, settings):
            return [execute_one(database_url, run_id, settings) for run_id in run_ids]
    # The workers come from the forkserver (jobs.processes), never a fork of this process, which may have
    # threads (the heartbeat below, a CLI's pool); the optimiser is preloaded there, so none re-imports Pyomo.
    with processes.process_pool(workers) as pool:
        statuses = pool.map(execute_one, [database_url] * len(run_ids), run_ids, [settings] * len(run_ids))
        with _waiting_kept_alive(database_url, run_ids, settings):
            return list(statuses)


@contextmanager
def _waiting_kept_alive(database_url: str, run_ids: list[int], settings: Settings) -> Iterator[None]:
    from data_access.engine import Database
    from services.optimisation_runs import keep_waiting_runs_alive

    db = Database.from_url(database_url)
    try:
        with keep_waiting_runs_alive(db, run_ids, settings):
            yield
    finally:
        db.dispose()


def start_points(settings: Settings, study_id: int, run_ids: list[int]) -> str:
    """Hand a study's queued runs to the background workers; returns how ("celery" or "processes").

    With Celery every point is its own ``powerdesk.execute_run`` task (``jobs.background.start_run_job``),
    so the workers share the study between them and each point can be cancelled like any run. Without
    it, one detached process solves the points on a pool of ``STUDY_WORKERS`` processes.

    Raises ``jobs.background.JobStartFailed`` (saying how many points) when the Celery queue cannot be
    reached; those points are then ``failed``, none is left queued.
    """
    if not run_ids:
        return "none"
    if settings.uses_celery():
        from jobs.background import JobStartFailed, fail_unstarted, job_start_failure, start_run_job

        for number, run_id in enumerate(run_ids):
            try:
                start_run_job(settings, run_id)
            except JobStartFailed as error:
                # The queue did not answer: the points not yet handed over would wait for it in turn, so they
                # are failed at once with the same reason; points already handed over go on.
                fail_unstarted(settings, run_ids[number + 1:])
                unstarted = len(run_ids) - number
                raise JobStartFailed(f"Study #{study_id}: {unstarted} of its {len(run_ids)} points to solve could "
                                     f"not be started and are stored as failed. {job_start_failure(settings)}") \
                    from error
        return "celery"
    command = [sys.executable, "-m", "jobs.studies", "--database-url", settings.resolved_database_url(),
               "--workers", str(settings.study_workers), *map(str, run_ids)]
    log_path = settings.instance_path / f"study-{study_id}.log"
    try:
        processes.start_detached(command, ROOT, log_path, processes.child_environment(ROOT))
    except OSError as error:
        from jobs.background import JobStartFailed, fail_unstarted, job_start_failure

        log.exception("could not start the process solving study %s", study_id)
        fail_unstarted(settings, run_ids)
        raise JobStartFailed(f"Study #{study_id}: its {len(run_ids)} points to solve could not be started and are "
                             f"stored as failed. {job_start_failure(settings)}") from error
    return "processes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Solve queued optimisation runs on a pool of processes.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("run_ids", nargs="+", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    statuses = execute_points(args.database_url, args.run_ids, args.workers)
    log.info("solved %d runs: %s", len(statuses), ", ".join(statuses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
