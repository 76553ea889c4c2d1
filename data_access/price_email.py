"""The daily price email in SQL: who wants it, and the sent log that makes sending idempotent.

A send is claimed before the SMTP conversation starts, in its own committed transaction, by
inserting the (settlement date, address, kind) row or by taking over a row that is ``failed``
or whose claim is older than the lease. The unique key makes the claim atomic across
processes: of two schedulers, one inserts and the other finds the row; of two takeovers, the
conditional UPDATE matches for one only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from data_access.schema import PriceEmailRecipient, PriceEmailSent, User
from data_access.types import utc_now


@dataclass(frozen=True)
class RecipientRow:
    user_id: int
    username: str
    role: str
    is_active: bool
    email: str | None
    enabled: bool


def recipient_rows(session: Session) -> list[RecipientRow]:
    """Every user with their price-email choice (``email`` None when never set), by user name."""
    rows = session.execute(
        select(User.id, User.username, User.role, User.is_active, PriceEmailRecipient.email,
               PriceEmailRecipient.enabled)
        .outerjoin(PriceEmailRecipient, PriceEmailRecipient.user_id == User.id)
        .order_by(User.username)
    ).all()
    return [RecipientRow(r[0], r[1], r[2], bool(r[3]), r[4], bool(r[5])) for r in rows]


def set_recipient(session: Session, user_id: int, email: str, enabled: bool) -> PriceEmailRecipient:
    row = session.get(PriceEmailRecipient, user_id)
    if row is None:
        row = PriceEmailRecipient(user_id=user_id, email=email, enabled=enabled)
        session.add(row)
    else:
        row.email, row.enabled, row.updated_at = email, enabled, utc_now()
    return row


def opted_in_addresses(session: Session) -> list[str]:
    """Addresses of active users who opted in, each once, sorted."""
    rows = session.scalars(
        select(PriceEmailRecipient.email)
        .join(User, User.id == PriceEmailRecipient.user_id)
        .where(PriceEmailRecipient.enabled.is_(True), User.is_active.is_(True))
        .distinct()
    ).all()
    return sorted(rows)


def claim(session: Session, settlement_date: date, recipient: str, kind: str, lease: timedelta,
          force: bool = False) -> bool:
    """Claim the right to send; True when this caller now owns the send. Commit before sending.

    ``force`` takes the row over whatever its status (``--force`` on the command line).
    """
    now = utc_now()
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = PriceEmailSent.__table__
    inserted = session.execute(
        insert(table)
        .values(settlement_date=settlement_date, recipient=recipient, kind=kind, status="claimed", attempts=0,
                claimed_at=now, last_error="")
        .on_conflict_do_nothing(index_elements=["settlement_date", "recipient", "kind"])
        .returning(table.c.id)
    ).first()
    if inserted is not None:
        return True
    key = _key(settlement_date, recipient, kind)
    takeover = update(PriceEmailSent).where(key).values(status="claimed", claimed_at=now, last_error="")
    if not force:
        takeover = takeover.where(
            or_(PriceEmailSent.status == "failed",
                and_(PriceEmailSent.status == "claimed", PriceEmailSent.claimed_at < now - lease))
        )
    return session.execute(takeover.execution_options(synchronize_session=False)).rowcount == 1


def _key(settlement_date: date, recipient: str, kind: str):
    return and_(PriceEmailSent.settlement_date == settlement_date, PriceEmailSent.recipient == recipient,
                PriceEmailSent.kind == kind)


def mark_sent(session: Session, settlement_date: date, recipient: str, kind: str, attempts: int) -> None:
    session.execute(
        update(PriceEmailSent).where(_key(settlement_date, recipient, kind))
        .values(status="sent", sent_at=utc_now(), attempts=PriceEmailSent.attempts + attempts, last_error="")
        .execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, settlement_date: date, recipient: str, kind: str, attempts: int,
                error: str) -> None:
    session.execute(
        update(PriceEmailSent).where(_key(settlement_date, recipient, kind))
        .values(status="failed", attempts=PriceEmailSent.attempts + attempts, last_error=error[:2000])
        .execution_options(synchronize_session=False)
    )


def sent_log(session: Session, settlement_date: date | None = None, kind: str | None = None) -> list[PriceEmailSent]:
    query = select(PriceEmailSent).order_by(PriceEmailSent.settlement_date.desc(), PriceEmailSent.recipient)
    if settlement_date is not None:
        query = query.where(PriceEmailSent.settlement_date == settlement_date)
    if kind is not None:
        query = query.where(PriceEmailSent.kind == kind)
    return list(session.scalars(query))



def latest_by_recipient(session: Session, kind: str) -> dict[str, PriceEmailSent]:
    """The sent-log row of the newest settlement date per address."""
    newest = (select(PriceEmailSent.recipient, func.max(PriceEmailSent.settlement_date).label("newest"))
              .where(PriceEmailSent.kind == kind).group_by(PriceEmailSent.recipient).subquery())
    rows = session.scalars(
        select(PriceEmailSent).join(newest, and_(PriceEmailSent.recipient == newest.c.recipient,
                                                 PriceEmailSent.settlement_date == newest.c.newest))
        .where(PriceEmailSent.kind == kind)
    )
    return {row.recipient: row for row in rows}
