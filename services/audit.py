"""The audit log: record what people and machines did, and read it back for the admin page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.engine import Database
from data_access.schema import AuditEvent


def record(target_db: Database | Session, actor: str, action: str, target: str = "",
           detail: dict[str, Any] | None = None, remote_addr: str | None = None) -> None:
    """Append one event. Given a Session, the event commits (or rolls back) with that unit of work,
    so an action and its audit row are stored together or not at all."""
    event = AuditEvent(actor=actor[:64], action=action[:64], target=str(target)[:120], detail=detail or {},
                       remote_addr=remote_addr)
    if isinstance(target_db, Session):
        target_db.add(event)
        return
    with target_db.session() as session:
        session.add(event)


def list_events(db: Database, action_prefix: str | None = None, actor: str | None = None,
                since: datetime | None = None, until: datetime | None = None,
                limit: int = 1000) -> list[AuditEvent]:
    """Newest first, filtered by action prefix (``login`` matches ``login.failed``), actor and time."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix))
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    with db.session() as session:
        return list(session.scalars(query))
