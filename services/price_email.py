"""The daily price email: who gets it, what it says, and sending it exactly once per day and address.

Idempotency: before talking to SMTP, a sender claims (settlement date, address, kind) in the
sent log and commits (``data_access.price_email.claim``). Only the claimant sends. A failed send
(every attempt refused or timed out) marks the row ``failed`` so a later trigger retries it.

A crash between claim and the ``sent`` mark leaves the row ``claimed``. We chose *at least
once* for that case: after ``PRICE_EMAIL_CLAIM_LEASE_S`` the claim counts as abandoned and the
next trigger sends again. So a trader is never silently left without the day's prices; the
price is a possible duplicate only when the process died in the instant between the SMTP
server accepting the message and the ``sent`` commit. The lease is longer than a whole send
(attempts x timeouts + backoff), so a slow but live sender is never overtaken.

Sending needs an app context (Flask-Mail reads its configuration from ``current_app``).
"""

from __future__ import annotations

import logging
import re
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_mail import Mail, Message

from data_access import price_email as store
from data_access.engine import Database
from domain.markets import MARKETS
from domain.price_summary import day_table, summarise_day
from domain.settlement_time import to_local
from services import audit
from services.errors import InvalidInput, NotFound
from services.mailer import MessageWithInlineImages, send_with_timeout
from services.price_email_content import CHART_CID, PriceEmail, render_price_email
from services.prices import market_coverage, prices_for_dates
from services.users import normalise_username
from settings import Settings

log = logging.getLogger("powerdesk.price_email")

KIND = "daily_prices"
"""The sent log's ``kind`` for this email."""

MAX_ADDRESS_LENGTH = 254
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+")


def normalise_address(address: str) -> str:
    """A plain ``name@domain.tld`` address, trimmed; InvalidInput with a reason otherwise."""
    value = (address or "").strip()
    if not value:
        raise InvalidInput("enter an email address")
    if len(value) > MAX_ADDRESS_LENGTH:
        raise InvalidInput(f"an email address has at most {MAX_ADDRESS_LENGTH} characters")
    if not _ADDRESS.fullmatch(value):
        raise InvalidInput(f"{value!r} is not an email address like name@example.com")
    return value


def previous_settlement_day(now_utc: datetime | None = None) -> date:
    """The settlement day before today in UK local time."""
    now = now_utc or datetime.now(UTC)
    return to_local(now).date() - timedelta(days=1)


# --- recipients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    username: str
    role: str
    is_active: bool
    email: str | None
    enabled: bool
    last_email: str = ""
    """The newest settlement date emailed to this address and how it went, e.g. ``2023-03-26 sent``."""


def _last_email_text(row) -> str:
    if row is None:
        return ""
    text = f"{row.settlement_date.isoformat()} {row.status}"
    return text + (f" ({row.last_error})" if row.status == "failed" and row.last_error else "")


def list_recipients(db: Database) -> list[Recipient]:
    """Every user with their price-email choice and their latest email, by user name."""
    with db.session() as session:
        rows = store.recipient_rows(session)
        latest = store.latest_by_recipient(session, KIND)
    return [Recipient(r.username, r.role, r.is_active, r.email, r.enabled,
                      _last_email_text(latest.get(r.email)) if r.email else "") for r in rows]


def get_preference(db: Database, username: str) -> Recipient:
    for recipient in list_recipients(db):
        if recipient.username == username:
            return recipient
    raise NotFound(f"no user called {username!r}")


def set_preference(db: Database, username: str, email: str | None, enabled: bool, actor: str) -> Recipient:
    """Store ``username``'s address and opt-in in one transaction (with an audit event).

    Opting in needs an address; opting out keeps a valid address (or none) for next time.
    """
    name = normalise_username(username or "")
    with db.session() as session:
        rows = {r.username: r for r in store.recipient_rows(session)}
        row = rows.get(name)
        if row is None:
            raise NotFound(f"no user called {name!r}")
        wants_address = enabled or (email or "").strip()
        address = normalise_address(email or "") if wants_address else (row.email or "")
        store.set_recipient(session, row.user_id, address, bool(enabled))
        audit.record(session, actor, "email.preference_changed", target=name,
                     detail={"enabled": bool(enabled), "email": address})
    return Recipient(name, row.role, row.is_active, address or None, bool(enabled))


def opted_in_addresses(db: Database) -> list[str]:
    with db.session() as session:
        return store.opted_in_addresses(session)


# --- content ------------------------------------------------------------------------------------


def build_price_email(db: Database, settlement_date: date) -> PriceEmail:
    """The email for ``settlement_date``: every stored market with prices that day, plus any market
    whose stored range spans the day but has none that day (said plainly as missing)."""
    coverage = {row.market: row for row in market_coverage(db)}
    stored = [m for m in MARKETS if m in coverage] + sorted(set(coverage) - set(MARKETS))
    prices = prices_for_dates(db, settlement_date, settlement_date, tuple(stored) or None)
    table = day_table(prices, settlement_date, stored)
    report = [m for m in stored
              if table[m].notna().any() or coverage[m].first_date <= settlement_date <= coverage[m].last_date]
    return render_price_email(settlement_date, table, summarise_day(table, report, settlement_date))


def build_message(content: PriceEmail, recipient: str, sender: str) -> MessageWithInlineImages:
    message = MessageWithInlineImages(subject=content.subject, recipients=[recipient], sender=sender,
                                      body=content.text, html=content.html)
    if content.chart_png is not None:
        message.attach("prices.png", "image/png", content.chart_png, disposition="inline",
                       headers={"Content-ID": f"<{CHART_CID}>"})
    if content.csv_bytes is not None:
        message.attach(content.csv_filename, "text/csv", content.csv_bytes)
    return message


# --- sending ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    recipient: str
    status: str
    """``sent``, ``skipped`` (already sent, or another sender holds the claim), ``failed``, or
    ``not_tried`` (left unclaimed for the next run because the server was unreachable)."""
    attempts: int = 0
    error: str = ""


@dataclass
class SendReport:
    settlement_date: date
    outcomes: list[SendOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    def summary(self) -> str:
        return (f"{self.settlement_date.isoformat()}: {self.count('sent')} sent, {self.count('skipped')} already "
                f"sent or in progress, {self.count('failed')} failed"
                + (f", {self.count('not_tried')} not tried" if self.count("not_tried") else ""))


SERVER_UNREACHABLE = (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, smtplib.SMTPHeloError)
"""Failures of the server itself, not of one address: after one address fails with these on every
attempt, the others are left unclaimed for the next run instead of waiting out the same timeouts."""


def _deliver(mail: Mail, message: Message, settings: Settings,
             sleep: Callable[[float], None]) -> tuple[int, Exception | None]:
    """Try up to PRICE_EMAIL_ATTEMPTS times with doubling backoff; (attempts, last error or None)."""
    error: Exception | None = None
    for attempt in range(1, settings.price_email_attempts + 1):
        try:
            send_with_timeout(mail, message, settings.mail_timeout_s)
            return attempt, None
        except (smtplib.SMTPException, OSError) as exc:
            error = exc
            log.warning("price email to %s: attempt %d of %d failed: %s", message.recipients[0], attempt,
                        settings.price_email_attempts, _describe(exc))
            if attempt < settings.price_email_attempts:
                sleep(settings.price_email_backoff_s * 2 ** (attempt - 1))
    return settings.price_email_attempts, error


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".strip()


def send_price_email(db: Database, mail: Mail, settings: Settings, settlement_date: date,
                     to: str | None = None, force: bool = False, actor: str = "system",
                     sleep: Callable[[float], None] = time.sleep) -> SendReport:
    """Send the price email for ``settlement_date`` to ``to`` or to everyone opted in.

    Each address gets it at most once per date (unless ``force``); SMTP failures are retried,
    logged and reported, never raised. Call inside an app context.
    """
    addresses = [normalise_address(to)] if to else opted_in_addresses(db)
    report = SendReport(settlement_date)
    if not addresses:
        log.info("price email for %s: nobody to send to", settlement_date)
        return report
    lease = timedelta(seconds=settings.price_email_claim_lease_s)
    content: PriceEmail | None = None
    for index, address in enumerate(addresses):
        with db.session() as session:
            claimed = store.claim(session, settlement_date, address, KIND, lease, force=force)
        if not claimed:
            log.info("price email for %s to %s: already sent or being sent; skipped", settlement_date, address)
            report.outcomes.append(SendOutcome(address, "skipped"))
            continue
        try:
            content = content or build_price_email(db, settlement_date)
            message = build_message(content, address, settings.mail_default_sender)
        except Exception as exc:  # release the claim so a later trigger can try again
            with db.session() as session:
                store.mark_failed(session, settlement_date, address, KIND, 0, f"building the email: {exc}")
            raise
        attempts, failure = _deliver(mail, message, settings, sleep)
        error = _describe(failure) if failure else ""
        with db.session() as session:
            if error:
                store.mark_failed(session, settlement_date, address, KIND, attempts, error)
                audit.record(session, actor, "email.failed", target=address,
                             detail={"settlement_date": settlement_date.isoformat(), "error": error})
            else:
                store.mark_sent(session, settlement_date, address, KIND, attempts)
                audit.record(session, actor, "email.sent", target=address,
                             detail={"settlement_date": settlement_date.isoformat(), "kind": KIND,
                                     "forced": force})
        if error:
            log.error("price email for %s to %s failed after %d attempts: %s", settlement_date, address, attempts,
                      error)
            report.outcomes.append(SendOutcome(address, "failed", attempts, error))
            if isinstance(failure, SERVER_UNREACHABLE):
                untried = addresses[index + 1:]
                if untried:
                    log.error("price email for %s: SMTP server unreachable; %d more addresses left for the next run",
                              settlement_date, len(untried))
                report.outcomes.extend(SendOutcome(a, "not_tried", 0, f"SMTP server unreachable: {error}")
                                       for a in untried)
                break
        else:
            log.info("price email for %s sent to %s", settlement_date, address)
            report.outcomes.append(SendOutcome(address, "sent", attempts))
    return report


def write_preview(db: Database, settlement_date: date, path) -> PriceEmail:
    """Write the email's HTML to ``path`` (nothing is sent or claimed)."""
    content = build_price_email(db, settlement_date)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content.html)
    return content
