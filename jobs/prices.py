"""Scheduled price fetching, for the scheduler process (`python -m jobs.scheduler`) to run.

``fetch_prices_job(settings)`` imports, from the folder source (``PRICES_FOLDER``), the prices of
the last ``FETCH_DAYS`` settlement days (UK calendar, up to today); pass
``source_name="elexon-mid"`` to ask the Elexon MID HTTP source instead (it falls back to the
folder). Idempotent: importing the same prices again changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from data_access.engine import Database
from domain.settlement_time import LONDON
from services.errors import ServiceError
from services.price_fetch import fetch_prices
from settings import Settings

FETCH_DAYS = 3
log = logging.getLogger(__name__)


def fetch_prices_job(settings: Settings, source_name: str = "folder") -> None:
    """Import new price files (folder source) for the last few settlement days; logs and returns
    quietly when no folder is configured or the source fails (the next run tries again)."""
    if source_name == "folder" and settings.prices_folder is None:
        log.info("prices: no PRICES_FOLDER configured; nothing to fetch")
        return
    today = datetime.now(LONDON).date()
    db = Database.from_url(settings.resolved_database_url())
    try:
        outcome = fetch_prices(db, settings, source_name, today - timedelta(days=FETCH_DAYS - 1), today,
                               actor="system")
        for report in outcome.reports:
            log.info("prices: %s", report.summary())
        for note in outcome.notes:
            log.info("prices: %s", note)
    except ServiceError as error:
        log.warning("prices: fetch from %s failed: %s", source_name, error)
    finally:
        db.dispose()
