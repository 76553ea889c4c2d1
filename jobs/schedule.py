"""What runs when: every scheduled job (``JOBS``), its schedule, and ``run_job``, which runs one and logs it.

Both schedulers read this table: APScheduler in ``jobs.scheduler`` and Celery beat in ``jobs.beat``. It
imports neither, so the dependency goes one way (``scheduler`` -> ``beat`` -> ``schedule``). A job is a
function ``job(settings: Settings) -> None`` in ``jobs/<feature>.py``; every job is idempotent, so two
schedulers or a restart do no harm. Adding a job is one line in ``JOBS``.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from settings import Settings

log = logging.getLogger("powerdesk.scheduler")


@dataclass(frozen=True)
class Daily:
    """Every day at ``hour``:``minute`` UK local time, then on the hour-minute until ``until_hour``; and once
    when the scheduler starts (``catches_up``), so a scheduler that was down at that time catches up (the
    job itself does nothing before its time, and nothing twice)."""

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


def catches_up(schedule: Schedule) -> bool:
    """Whether a job on ``schedule`` also runs once when the scheduler starts: daily jobs do."""
    return isinstance(schedule, Daily)


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
