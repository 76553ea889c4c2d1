"""Celery beat: the same ``jobs.schedule.JOBS`` as periodic Celery tasks (when REDIS_URL is set).

``configure_beat(celery_app, settings)`` registers one task per job (``powerdesk.job.<name>``,
which runs it through ``run_job``, so a failure is logged, never raised) and the beat schedule
in Europe/London. The tasks go to their own queue, ``SCHEDULED_QUEUE``, which only the scheduler
process consumes: ``run_beat`` runs beat in a thread beside a one-at-a-time (solo) worker on that queue.
On the run workers' queue a daily email waited behind hours of optimisation points (and was lost when
the worker holding it was killed), and a 2 s turbine dispatch piled up thousands of copies. The run
workers (``jobs/celery_worker.py``) register the tasks too, so any process can send them by name.
"""

from __future__ import annotations

import socket
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

from jobs.schedule import JOBS, Daily, ScheduledJob, catches_up, run_job
from settings import Settings

TASK_PREFIX = "powerdesk.job."
SCHEDULED_QUEUE = "powerdesk-scheduled"
DAILY_EXPIRY_S = 50 * 60
"""A daily job not started within this is dropped: its next hourly retry (``Daily.until_hour``) takes over."""


def _schedule(job: ScheduledJob, settings: Settings):
    schedule = job.schedule(settings)
    if isinstance(schedule, Daily):
        return crontab(hour=schedule.cron_hours(), minute=schedule.minute)
    return timedelta(seconds=schedule.seconds)


def _expiry_s(job: ScheduledJob, settings: Settings) -> float:
    """How long a sent job may wait before it is dropped [s]: an interval job's next tick replaces it."""
    schedule = job.schedule(settings)
    return DAILY_EXPIRY_S if isinstance(schedule, Daily) else max(10.0, float(schedule.seconds))


def configure_beat(celery_app: Celery, settings: Settings, jobs: tuple[ScheduledJob, ...] = JOBS) -> Celery:
    for job in jobs:
        def task(job: ScheduledJob = job) -> bool:
            return run_job(job, Settings())

        celery_app.task(name=TASK_PREFIX + job.name, shared=False, ignore_result=True)(task)
    celery_app.conf.timezone = "Europe/London"
    celery_app.conf.task_routes = {**(celery_app.conf.task_routes or {}),
                                   TASK_PREFIX + "*": {"queue": SCHEDULED_QUEUE}}
    celery_app.conf.beat_schedule = {
        **(celery_app.conf.beat_schedule or {}),
        **{job.name: {"task": TASK_PREFIX + job.name, "schedule": _schedule(job, settings),
                      "options": {"queue": SCHEDULED_QUEUE, "expires": _expiry_s(job, settings)}}
           for job in jobs},
    }
    return celery_app


def run_beat(settings: Settings) -> None:
    """Run Celery beat in a thread of this process, and in the main thread a solo worker that runs what it
    sends from ``SCHEDULED_QUEUE``. Threads and the solo pool only: nothing is forked (see jobs/processes.py)."""
    from celery.beat import EmbeddedService

    celery_app = configure_beat(Celery("powerdesk", broker=settings.redis_url, backend=settings.redis_url), settings)
    schedule_file = settings.instance_path / "celerybeat-schedule"
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    EmbeddedService(celery_app, thread=True, schedule_filename=str(schedule_file)).start()
    for job in JOBS:  # beat has no run-at-start: send the daily jobs once, so a scheduler that was down catches up
        if catches_up(job.schedule(settings)):
            celery_app.send_task(TASK_PREFIX + job.name, queue=SCHEDULED_QUEUE, expires=_expiry_s(job, settings))
    celery_app.worker_main(["worker", "--pool=solo", "--loglevel=INFO", "-Q", SCHEDULED_QUEUE,
                            "--hostname", f"scheduler@{socket.gethostname()}", "--without-gossip",
                            "--without-mingle"])
