"""Scheduled job: the previous settlement day's price email to everyone who opted in.

The scheduler fires it at PRICE_EMAIL_TIME (UK local) and again every hour until 23:00, so a
scheduler started late, an SMTP server that was down, or a sender that crashed mid-claim still
gets the day's email out; the sent log makes every extra run a no-op for addresses already
served. Before the configured time (e.g. a run at 06:00 from a restart) it does nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from data_access.engine import Database
from domain.settlement_time import to_local
from services.mailer import standalone_mail_app
from services.price_email import previous_settlement_day, send_price_email
from settings import Settings

log = logging.getLogger("powerdesk.jobs.price_email")


def send_daily_price_email(settings: Settings, now_utc: datetime | None = None) -> None:
    """Send yesterday's (UK) price email to opted-in users who have not had it yet."""
    now = now_utc or datetime.now(UTC)
    local = to_local(now)
    if (local.hour, local.minute) < settings.price_email_hour_minute():
        log.info("price email: before %s UK time; nothing to do", settings.price_email_time)
        return
    db = Database.from_url(settings.resolved_database_url())
    app, mail = standalone_mail_app(settings)
    try:
        with app.app_context():
            report = send_price_email(db, mail, settings, previous_settlement_day(now), actor="system")
        log.info("price email: %s", report.summary())
    finally:
        db.dispose()
