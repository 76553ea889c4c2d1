"""Scheduled carbon work: keep the stored national carbon intensity current (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from data_access.engine import Database
from data_access.types import utc_now
from domain.settlement_time import to_settlement_period
from services.footprint import fetch_intensity, intensity_client
from settings import Settings


def fetch_recent_intensity(settings: Settings) -> None:
    """Fetch yesterday's and today's intensity (actuals arrive after the forecasts) and store what changed;
    stored footprints that used a changed value are recomputed. Safe to run any number of times."""
    today = to_settlement_period(utc_now()).settlement_date
    db = Database.from_url(settings.resolved_database_url())
    try:
        fetch_intensity(db, intensity_client(settings), today - timedelta(days=1), today)
    finally:
        db.dispose()
