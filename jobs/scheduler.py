"""The scheduler process: ``python -m jobs.scheduler`` (or ``make scheduler``).

Runs every job in ``jobs.schedule.JOBS`` on its schedule: APScheduler's BlockingScheduler in
Europe/London by default, Celery beat (``jobs.beat``) when Celery is configured (REDIS_URL). Each
run is logged; a job that raises is logged with its traceback and the scheduler carries on.
This module uses ``jobs.beat``, never the other way round; both read the table in ``jobs.schedule``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from domain.settlement_time import LONDON
from jobs.schedule import JOBS, Daily, Every, Schedule, ScheduledJob, catches_up, run_job
from settings import Settings

__all__ = ["JOBS", "Daily", "Every", "Schedule", "ScheduledJob", "run_job", "add_jobs", "main"]
log = logging.getLogger("powerdesk.scheduler")


def add_jobs(scheduler, settings: Settings, jobs: tuple[ScheduledJob, ...] = JOBS) -> None:
    """Add ``jobs`` to an APScheduler scheduler (one instance at a time each, late runs coalesced; daily jobs
    also run as soon as it starts, ``jobs.schedule.catches_up``)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    for job in jobs:
        schedule = job.schedule(settings)
        if isinstance(schedule, Daily):
            trigger = CronTrigger(hour=schedule.cron_hours(), minute=schedule.minute, timezone=LONDON)
        else:
            trigger = IntervalTrigger(seconds=schedule.seconds, timezone=LONDON)
        first = {"next_run_time": datetime.now(LONDON)} if catches_up(schedule) else {}
        scheduler.add_job(run_job, trigger, args=(job, settings), id=job.name, name=job.name, max_instances=1,
                          coalesce=True, misfire_grace_time=300, replace_existing=True, **first)


def main(settings: Settings | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings or Settings()
    if settings.uses_celery():
        from jobs.beat import run_beat

        log.info("Celery is configured: running Celery beat with %d jobs", len(JOBS))
        run_beat(settings)
        return
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=LONDON)
    add_jobs(scheduler, settings)
    for job in scheduler.get_jobs():
        log.info("scheduled %s: %s", job.name, job.trigger)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")


if __name__ == "__main__":
    main()
