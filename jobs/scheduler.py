"""The scheduler process: ``python -m jobs.scheduler`` (or ``make scheduler``).

Runs every job in ``JOBS`` on its schedule: APScheduler's BlockingScheduler in Europe/London
by default, Celery beat (``jobs.beat``) when Celery is configured (REDIS_URL). A job is a
function ``job(settings: Settings) -> None`` in ``jobs/<feature>.py``; every job is idempotent,
so two schedulers or a restart do no harm. Each run is logged; a job that raises is logged
with its traceback and the scheduler carries on.

Adding a job is one line in ``JOBS``.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from domain.settlement_time import LONDON
from settings import Settings

log = logging.getLogger("powerdesk.scheduler")


@dataclass(frozen=True)
class Daily:
    """Every day at ``hour``:``minute`` UK local time, then on the hour-minute until ``until_hour``."""

    hour: int
    minute: int
    until_hour: int | None = None

    def cron_hours(self) -> str:
        return str(self.hour) if self.until_hour is None else f"{self.hour}-{max(self.hour, self.until_hour)}"


@dataclass(frozen=True)
class Every:
    """Every ``seconds`` seconds."""

    seconds: float


Schedule = Daily | Every


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    target: str
    """``module:function`` of a ``job(settings: Settings) -> None``."""
    schedule: Callable[[Settings], Schedule]

    def function(self) -> Callable[[Settings], None]:
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)


JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob("price_email", "jobs.price_email:send_daily_price_email",
                 lambda s: Daily(*s.price_email_hour_minute(), until_hour=23)),
    ScheduledJob("run_reaper", "jobs.reaper:reap", lambda s: Every(30)),
    ScheduledJob("turbine_dispatch", "jobs.turbines:dispatch", lambda s: Every(s.turbine_dispatch_interval_s)),
    ScheduledJob("carbon_intensity", "jobs.carbon:fetch_recent_intensity", lambda s: Every(30 * 60)),
    ScheduledJob("price_folder", "jobs.prices:fetch_prices_job", lambda s: Every(15 * 60)),
)
"""Every scheduled job, each idempotent (two schedulers, or a restart, do no harm). Adding one is one line."""


def run_job(job: ScheduledJob, settings: Settings) -> bool:
    """Run one job once, logging start, end and any failure; never raises. True when it succeeded."""
    started = time.monotonic()
    log.info("job %s: started", job.name)
    try:
        job.function()(settings)
    except Exception:
        log.exception("job %s: failed after %.1f s", job.name, time.monotonic() - started)
        return False
    log.info("job %s: finished in %.1f s", job.name, time.monotonic() - started)
    return True


def add_jobs(scheduler, settings: Settings, jobs: tuple[ScheduledJob, ...] = JOBS) -> None:
    """Add ``jobs`` to an APScheduler scheduler (one instance at a time each, late runs coalesced)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    for job in jobs:
        schedule = job.schedule(settings)
        if isinstance(schedule, Daily):
            trigger = CronTrigger(hour=schedule.cron_hours(), minute=schedule.minute, timezone=LONDON)
        else:
            trigger = IntervalTrigger(seconds=schedule.seconds, timezone=LONDON)
        scheduler.add_job(run_job, trigger, args=(job, settings), id=job.name, name=job.name, max_instances=1,
                          coalesce=True, misfire_grace_time=300, replace_existing=True)


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
