"""Background work: the Dash background-callback manager, and the jobs that solve optimisation runs.

Diskcache (local processes, state under <instance>/jobs) by default; Celery with Redis when configured,
so workers can run on other machines (`celery -A jobs.celery_worker worker`).

A run is solved by ``start_run_job``: a Celery task ``powerdesk.execute_run`` (soft time limit = the run
limit, so the row is written as ``timed_out``; the hard limit a minute later), or a local child process
watched by a thread that kills it once the limit plus a grace period has passed. The job's id is stored
on the run row (``celery:<task id>`` or ``pid:<pid>@<host>``) so ``stop_job`` can terminate it when a cancel
is not heeded in time.

Local processes start through ``jobs.processes`` (a forkserver, never a fork of this threaded server).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import socket
import threading
from typing import TYPE_CHECKING

from jobs import processes
from settings import Settings

if TYPE_CHECKING:
    from dash import CeleryManager, DiskcacheManager

log = logging.getLogger(__name__)
TASK_NAME = "powerdesk.execute_run"
HARD_LIMIT_GRACE_S = 60.0
"""Seconds between the soft run limit (the worker writes ``timed_out``) and the hard kill."""


_QUICK_RETRIES = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def visibility_timeout_s(settings: Settings) -> float:
    """Seconds after which Redis hands an unacknowledged task (its worker died) to another worker."""
    if settings.celery_visibility_timeout_s is not None:
        return settings.celery_visibility_timeout_s
    return settings.run_time_limit_s + HARD_LIMIT_GRACE_S + 60.0


@functools.cache
def _celery_app(redis_url: str, run_time_limit_s: float, visibility_timeout: float = 3600.0):
    from celery import Celery

    celery_app = Celery("powerdesk", broker=redis_url, backend=redis_url)
    celery_app.conf.update(
        task_acks_late=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True,
        # A killed worker's task comes back after the visibility timeout; kombu sweeps for such tasks every
        # interval x throttle seconds, so sweep often enough for a short timeout to mean what it says.
        broker_transport_options={"visibility_timeout": visibility_timeout,
                                  "unacked_restore_interval": max(1, min(10, int(visibility_timeout / 4))),
                                  "unacked_restore_throttle": 1},
        # A web request that queues a run should learn quickly that the broker is down, not after 20 s.
        broker_connection_timeout=3,
        task_publish_retry_policy=_QUICK_RETRIES,
        result_backend_transport_options={"retry_policy": _QUICK_RETRIES},
        # No global redirection of stdout/stderr in a worker (Celery's default swaps sys.stdout for a logger
        # proxy): a solve's output, and any library's, goes where the process's own goes.
        worker_redirect_stdouts=False,
    )

    @celery_app.task(name=TASK_NAME, shared=False, soft_time_limit=run_time_limit_s,
                     time_limit=run_time_limit_s + HARD_LIMIT_GRACE_S, acks_late=True)
    def execute_run_task(database_url: str, run_id: int) -> str:
        from celery import current_task
        from celery.exceptions import SoftTimeLimitExceeded

        return _solve(database_url, run_id, f"celery:{current_task.request.id}", (SoftTimeLimitExceeded,))

    return celery_app


def celery_app_for(settings: Settings):
    if not settings.redis_url:
        raise ValueError("POWERDESK_BACKGROUND=celery needs REDIS_URL (the broker and result store)")
    return _celery_app(settings.redis_url, settings.run_time_limit_s, visibility_timeout_s(settings))


def make_background_manager(settings: Settings) -> DiskcacheManager | CeleryManager:
    from dash import CeleryManager  # the UI's: a command that serves nothing imports no Dash

    if settings.uses_celery():
        return CeleryManager(celery_app_for(settings))
    import diskcache

    job_dir = settings.instance_path / "jobs"
    job_dir.mkdir(parents=True, exist_ok=True)
    return processes.SpawnDiskcacheManager(diskcache.Cache(str(job_dir)))


def _solve(database_url: str, run_id: int, job_id: str, timeout_errors=(), settings: Settings | None = None) -> str:
    from data_access.engine import Database
    from services.optimisation_runs import execute_run

    db = Database.from_url(database_url)
    try:
        status = execute_run(db, run_id, job_id=job_id, settings=settings, timeout_errors=timeout_errors).status
        if (settings or Settings()).run_views_when_finished:
            from jobs.run_views import store_run_views

            store_run_views(db, run_id)
        return status
    finally:
        db.dispose()


def local_job_id(pid: int | None = None) -> str:
    return f"pid:{pid or os.getpid()}@{socket.gethostname()}"


def _child(database_url: str, run_id: int, settings: Settings) -> None:
    os.setpgrp()  # its own process group, so a cancel stops only this run
    _solve(database_url, run_id, local_job_id(), settings=settings)


def _watch(process, database_url: str, run_id: int, limit_s: float) -> None:
    """Reap the child; kill it and write ``timed_out`` if it outlives the run limit plus the grace."""
    process.join(limit_s + HARD_LIMIT_GRACE_S)
    if process.is_alive():
        process.kill()
        process.join()
        from data_access import runs as run_store
        from data_access.engine import Database

        db = Database.from_url(database_url)
        try:
            with db.session() as session:
                run_store.finish_active(session, run_id, run_store.TIMED_OUT, run_store.OVER_TIME)
        finally:
            db.dispose()


class JobStartFailed(RuntimeError):
    """The job could not be started (broker down, no processes left); the run was marked ``failed``.
    Its text is written for the user who submitted the run."""


JOB_START_RETRY_AFTER_S = 30
"""What a 503 for a run that could not be started tells clients to wait before submitting again [s]."""


def job_start_failure(settings: Settings) -> str:
    """Why a run could not be started, for the run row and the person who submitted it."""
    if settings.uses_celery():
        return ("The run could not be started: no background worker was reachable, because the job queue "
                "(Redis) did not answer. Nothing was solved. Try again in a minute, or ask an administrator "
                "to check Redis and the workers.")
    return ("The run could not be started: no background worker was reachable, because the server could not "
            "start a process for it. Nothing was solved. Try again, or ask an administrator to check the server.")


def fail_unstarted(settings: Settings, run_ids: list[int]) -> None:
    """Mark queued runs whose jobs were never started ``failed`` with ``job_start_failure``'s reason, so
    none is left queued with no job behind it."""
    from data_access import runs as run_store
    from data_access.engine import Database

    db = Database.from_url(settings.resolved_database_url())
    try:
        with db.session() as session:
            for run_id in run_ids:
                run_store.finish_active(session, run_id, run_store.FAILED, job_start_failure(settings))
    finally:
        db.dispose()


def start_run_job(settings: Settings, run_id: int) -> str:
    """Start solving a queued run in the background; returns the job id (also stored on the row).

    When the job cannot be started the run is marked ``failed`` at once (not left queued for the reaper)
    and ``JobStartFailed`` says why."""
    from data_access import runs as run_store
    from data_access.engine import Database

    try:
        job_id = _start(settings, run_id)
    except Exception as error:
        log.exception("could not start the job for run %s", run_id)
        fail_unstarted(settings, [run_id])
        raise JobStartFailed(f"Run #{run_id}: {job_start_failure(settings)}") from error
    db = Database.from_url(settings.resolved_database_url())
    try:
        with db.session() as session:
            run_store.set_job_id(session, run_id, job_id)
    finally:
        db.dispose()
    return job_id


def _start(settings: Settings, run_id: int) -> str:
    database_url = settings.resolved_database_url()
    if settings.uses_celery():
        result = celery_app_for(settings).send_task(TASK_NAME, args=[database_url, run_id])
        job_id = f"celery:{result.id}"
    else:
        process = processes.start_process(_child, (database_url, run_id, settings), f"powerdesk-run-{run_id}")
        job_id = local_job_id(process.pid)
        threading.Thread(target=_watch, args=(process, database_url, run_id, settings.run_time_limit_s),
                         daemon=True, name=f"run-{run_id}-watch").start()
    return job_id


def stop_job(settings: Settings, job_id: str, wait: bool = False) -> threading.Timer | None:
    """Stop the process or Celery task solving a run, after its row was marked cancelled.

    The worker reads its row after every day: it stops there on its own and keeps the days it solved. Only a
    job still running ``run_cancel_grace_s`` later (a day's solve outlasting it) is killed, from a timer
    thread (returned); ``wait``: block until then (a command-line cancel, whose process would end first)."""
    if settings.run_cancel_grace_s <= 0:
        kill_job(settings, job_id)
        return None
    timer = threading.Timer(settings.run_cancel_grace_s, kill_job, args=(settings, job_id))
    timer.daemon = True
    timer.name = f"stop-{job_id}"
    timer.start()
    if wait:
        timer.join()
    return timer


def kill_job(settings: Settings, job_id: str) -> None:
    """Terminate the process or Celery task solving a run now (nothing happens to one that has ended)."""
    kind, _, ident = job_id.partition(":")
    if kind == "celery" and settings.redis_url:
        celery_app_for(settings).control.revoke(ident, terminate=True, signal="SIGKILL")
    elif kind == "pid":
        pid, _, host = ident.partition("@")
        if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
            return  # another machine's process (it stops at its next beat), or this very process
        try:
            os.killpg(int(pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
