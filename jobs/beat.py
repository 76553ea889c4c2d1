"""Celery beat: the same ``jobs.schedule.JOBS`` as periodic Celery tasks (when REDIS_URL is set).

``configure_beat(celery_app, settings)`` registers one task per job (``powerdesk.job.<name>``,
which runs it through ``run_job``, so a failure is logged, never raised) and the beat schedule
in Europe/London. The worker (``jobs/celery_worker.py``) calls it, so workers run the tasks;
``python -m jobs.scheduler`` runs beat, which only sends them.
"""

from __future__ import annotations

from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

from jobs.schedule import JOBS, Daily, ScheduledJob, run_job
from settings import Settings

TASK_PREFIX = "powerdesk.job."


def _schedule(job: ScheduledJob, settings: Settings):
    schedule = job.schedule(settings)
    if isinstance(schedule, Daily):
        return crontab(hour=schedule.cron_hours(), minute=schedule.minute)
    return timedelta(seconds=schedule.seconds)


def configure_beat(celery_app: Celery, settings: Settings, jobs: tuple[ScheduledJob, ...] = JOBS) -> Celery:
    for job in jobs:
        def task(job: ScheduledJob = job) -> bool:
            return run_job(job, Settings())

        celery_app.task(name=TASK_PREFIX + job.name, ignore_result=True)(task)
    celery_app.conf.timezone = "Europe/London"
    celery_app.conf.beat_schedule = {
        **(celery_app.conf.beat_schedule or {}),
        **{job.name: {"task": TASK_PREFIX + job.name, "schedule": _schedule(job, settings)} for job in jobs},
    }
    return celery_app


def run_beat(settings: Settings) -> None:
    """Run Celery beat in this process (it sends the tasks; workers run them)."""
    celery_app = configure_beat(Celery("powerdesk", broker=settings.redis_url, backend=settings.redis_url), settings)
    schedule_file = settings.instance_path / "celerybeat-schedule"
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    celery_app.Beat(loglevel="INFO", schedule=str(schedule_file)).run()
