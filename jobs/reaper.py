"""The run reaper as a scheduled job: ``reap(settings)`` ends runs whose worker died.

The scheduler (``python -m jobs.scheduler``) runs it on a timer; the app also runs it at start-up and
whenever runs are listed. Idempotent: a run is reaped once (conditional UPDATEs), and a second
scheduler finds nothing left to do.
"""

from __future__ import annotations

import logging

from data_access.engine import Database
from services.optimisation_runs import reap_stale_runs
from settings import Settings

log = logging.getLogger(__name__)
INTERVAL_S = 30
"""How often the scheduler should run ``reap`` [s]; well inside the default 2-minute heartbeat deadline."""


def reap(settings: Settings) -> None:
    """Mark runs with a stale heartbeat ``failed``, overdue runs ``timed_out``, queued runs whose holder
    stopped or that nobody picked up ``failed``."""
    db = Database.from_url(settings.resolved_database_url())
    try:
        marked = reap_stale_runs(db, settings)
    finally:
        db.dispose()
    if marked:
        log.warning("reaper ended %d run(s) whose worker stopped", marked)
