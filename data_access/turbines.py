"""Turbines in SQL: the fleet register, bulk metric inserts, repair tickets and the queries behind
the fleet page and the dispatcher. Conditional UPDATEs make every ticket change safe to race."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from data_access.schema import Turbine, TurbineMetric, TurbineTicket
from data_access.types import utc_now
from domain.turbine_fleet import Ticket, TurbineReports
from domain.turbine_metrics import MAX_FUTURE_S, MetricBatch


def _insert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def ratings_kw(session: Session, turbine_numbers: Iterable[int]) -> dict[int, float]:
    """Rating [kW] of each registered turbine among ``turbine_numbers``."""
    numbers = sorted({int(n) for n in turbine_numbers})
    rows = session.execute(
        select(Turbine.turbine_number, Turbine.rated_power_kw).where(Turbine.turbine_number.in_(numbers))
    ).all()
    return {number: rating for number, rating in rows}


def register_turbines(session: Session, turbines: list[dict]) -> int:
    """Insert turbines (``turbine_number``, ``name``, ``rated_power_kw``, ``auto_registered``); existing
    ones are left alone. Returns how many were new."""
    if not turbines:
        return 0
    table = Turbine.__table__
    statement = (_insert(session)(table).on_conflict_do_nothing(index_elements=["turbine_number"])
                 .returning(table.c.turbine_number))
    return len(session.connection().execute(statement, turbines).all())


def insert_metrics(session: Session, batch: MetricBatch, received_at: datetime | None = None) -> int:
    """Insert a validated batch in one statement, stamped ``received_at`` (default now); a (turbine, time)
    already stored is skipped. Returns how many rows were new."""
    received_at = received_at or utc_now()
    if len(batch) == 0:
        return 0
    measured = pd.to_datetime(batch.measured_epoch_s * 1e6, unit="us", utc=True).to_pydatetime()
    statuses = np.where(batch.is_broken, "broken", "ok")
    records = [
        {"turbine_number": int(n), "measured_at": t, "wind_speed_m_per_s": float(w), "power_kw": float(p),
         "status": str(s), "received_at": received_at}
        for n, t, w, p, s in zip(batch.turbine_number, measured, batch.wind_speed_m_per_s, batch.power_kw,
                                 statuses, strict=True)
    ]
    table = TurbineMetric.__table__
    statement = (_insert(session)(table)
                 .on_conflict_do_nothing(index_elements=["turbine_number", "measured_at"])
                 .returning(table.c.id))
    return len(session.connection().execute(statement, records).all())


def list_turbines(session: Session) -> list[Turbine]:
    return list(session.scalars(select(Turbine).order_by(Turbine.turbine_number)))


@dataclass(frozen=True)
class LatestMetric:
    turbine_number: int
    measured_at: datetime
    wind_speed_m_per_s: float
    power_kw: float
    status: str


def _reported_at():
    """When a report counts as made: its stamp, or when it was received if that was earlier (a clock running
    ahead, within the allowed skew, must not put a report after later real ones). Rows stored before
    ``received_at`` existed count at their stamp."""
    m = TurbineMetric
    return case((and_(m.received_at.is_not(None), m.received_at < m.measured_at), m.received_at),
                else_=m.measured_at)


def latest_metrics(session: Session, turbine_numbers: Iterable[int]) -> dict[int, LatestMetric]:
    """Each turbine's newest report: latest by reported time (``_reported_at``), then by time received.

    Two index seeks per turbine: no stored report is stamped more than ``MAX_FUTURE_S`` ahead of its
    arrival, so the newest one is within that of the latest stamp."""
    found = {}
    m = TurbineMetric
    for number in turbine_numbers:
        latest_stamp = _aware(session.scalar(select(func.max(m.measured_at)).where(m.turbine_number == number)))
        if latest_stamp is None:
            continue
        row = session.execute(
            select(m.measured_at, m.wind_speed_m_per_s, m.power_kw, m.status)
            .where(m.turbine_number == number, m.measured_at >= latest_stamp - timedelta(seconds=MAX_FUTURE_S))
            .order_by(_reported_at().desc(), m.received_at.desc(), m.measured_at.desc(), m.id.desc()).limit(1)
        ).first()
        if row is not None:
            found[number] = LatestMetric(number, *row)
    return found


def _latest_reported_at(session: Session, *conditions) -> datetime | None:
    """MAX(``_reported_at``) over the rows matching ``conditions``, reading only the last ``MAX_FUTURE_S`` of
    stamps (an index range): a report's reported time is at most its stamp and at least its stamp less the
    skew it was accepted with, so the latest reported time is among those rows."""
    m = TurbineMetric
    latest_stamp = _aware(session.scalar(select(func.max(m.measured_at)).where(*conditions)))
    if latest_stamp is None:
        return None
    return _aware(session.scalar(select(func.max(_reported_at())).where(
        *conditions, m.measured_at >= latest_stamp - timedelta(seconds=MAX_FUTURE_S))))


def turbine_reports(session: Session) -> list[TurbineReports]:
    """For the dispatcher: each reporting turbine's latest status, last ok and the start of its broken run,
    all by reported time (``_reported_at``), so a report stamped ahead cannot hide later ones."""
    numbers = list(session.scalars(select(Turbine.turbine_number)))
    reported_at = _reported_at()
    reports = []
    for number, latest in latest_metrics(session, numbers).items():
        of_turbine = TurbineMetric.turbine_number == number
        last_ok = _latest_reported_at(session, of_turbine, TurbineMetric.status == "ok")
        latest_at = _latest_reported_at(session, of_turbine)
        first_broken = None
        if latest.status == "broken":
            query = select(func.min(reported_at)).where(of_turbine, TurbineMetric.status == "broken")
            if last_ok is not None:
                # reported time <= stamp, so the stamp bound narrows the scan without changing the answer
                query = query.where(TurbineMetric.measured_at > last_ok, reported_at > last_ok)
            first_broken = session.scalar(query)
        reports.append(TurbineReports(number, latest.status, latest_at, _aware(first_broken), last_ok))
    return reports


def _aware(value):
    """MAX()/MIN() bypass the column type on SQLite and come back as text or naive datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def to_ticket(row: TurbineTicket) -> Ticket:
    return Ticket(id=row.id, turbine_number=row.turbine_number, incident_at=row.incident_at, opened_at=row.opened_at,
                  status=row.status, engineer=row.engineer, assigned_at=row.assigned_at, started_at=row.started_at,
                  completed_at=row.completed_at, resolved_at=row.resolved_at, repair_s=row.repair_s,
                  failed_again_at=row.failed_again_at)


def open_incident_tickets(session: Session) -> list[Ticket]:
    """Tickets whose incident is not yet resolved, whatever their status."""
    rows = session.scalars(select(TurbineTicket).where(TurbineTicket.resolved_at.is_(None),
                                                       TurbineTicket.failed_again_at.is_(None))
                           .order_by(TurbineTicket.opened_at, TurbineTicket.id))
    return [to_ticket(row) for row in rows]


def tickets(session: Session, status: str | None = None, turbine_number: int | None = None,
            limit: int = 1000) -> list[Ticket]:
    """Tickets, newest first, optionally of one status and/or one turbine."""
    query = select(TurbineTicket).order_by(TurbineTicket.opened_at.desc(), TurbineTicket.id.desc()).limit(limit)
    if status:
        query = query.where(TurbineTicket.status == status)
    if turbine_number is not None:
        query = query.where(TurbineTicket.turbine_number == turbine_number)
    return [to_ticket(row) for row in session.scalars(query)]


# --- ticket changes: each conditional on the state it was planned from; True when it applied ---

def open_ticket(session: Session, turbine_number: int, incident_at: datetime, now: datetime) -> bool:
    """Insert a queued ticket; the unique ``open_turbine_number`` refuses a second open incident."""
    table = TurbineTicket.__table__
    statement = (_insert(session)(table).on_conflict_do_nothing(index_elements=["open_turbine_number"])
                 .returning(table.c.id))
    return bool(session.connection().execute(statement, [{
        "turbine_number": turbine_number, "open_turbine_number": turbine_number, "incident_at": incident_at,
        "opened_at": now, "status": "queued"}]).all())


def _conditional(session: Session, ticket_id: int, from_status: str, **values) -> bool:
    result = session.execute(
        update(TurbineTicket).where(TurbineTicket.id == ticket_id, TurbineTicket.status == from_status).values(**values)
    )
    return result.rowcount == 1


def assign_ticket(session: Session, ticket_id: int, engineer: str, repair_s: float, now: datetime) -> bool:
    return _conditional(session, ticket_id, "queued", status="assigned", engineer=engineer, busy_engineer=engineer,
                        repair_s=repair_s, assigned_at=now)


def start_repair(session: Session, ticket_id: int, started_at: datetime) -> bool:
    return _conditional(session, ticket_id, "assigned", status="in_repair", started_at=started_at)


def complete_repair(session: Session, ticket_id: int, completed_at: datetime) -> bool:
    return _conditional(session, ticket_id, "in_repair", status="done", completed_at=completed_at,
                        busy_engineer=None)


def resolve_ticket(session: Session, ticket_id: int, resolved_at: datetime) -> bool:
    result = session.execute(
        update(TurbineTicket)
        .where(TurbineTicket.id == ticket_id, TurbineTicket.status == "done", TurbineTicket.resolved_at.is_(None))
        .values(resolved_at=resolved_at, open_turbine_number=None)
    )
    return result.rowcount == 1


def fail_again(session: Session, ticket_id: int, turbine_number: int, broken_at: datetime,
               still_broken_after: datetime, now: datetime) -> bool:
    """Close a done ticket's incident as failed after repair and open the turbine's next one (starting at its
    first broken report after ``still_broken_after``, else ``broken_at``), in the caller's transaction;
    False (and nothing changed) when another dispatcher got there first."""
    reported_at = _reported_at()
    first = _aware(session.scalar(select(func.min(reported_at)).where(
        TurbineMetric.turbine_number == turbine_number, TurbineMetric.status == "broken",
        TurbineMetric.measured_at > still_broken_after, reported_at > still_broken_after)))
    broken_at = first or broken_at
    result = session.execute(
        update(TurbineTicket)
        .where(TurbineTicket.id == ticket_id, TurbineTicket.status == "done", TurbineTicket.resolved_at.is_(None),
               TurbineTicket.failed_again_at.is_(None))
        .values(failed_again_at=broken_at, open_turbine_number=None)
    )
    if result.rowcount != 1:
        return False
    return open_ticket(session, turbine_number, broken_at, now)


# --- reads for the page and the API ---

METRIC_COLUMNS = ["turbine_number", "measured_at", "wind_speed_m_per_s", "power_kw", "status"]


def metrics_between(session: Session, turbine_numbers: list[int], since: datetime, until: datetime,
                    limit: int | None = None) -> pd.DataFrame:
    """Reports with ``since <= measured_at < until``, oldest first; ``measured_at`` aware UTC."""
    query = (select(TurbineMetric.turbine_number, TurbineMetric.measured_at, TurbineMetric.wind_speed_m_per_s,
                    TurbineMetric.power_kw, TurbineMetric.status)
             .where(TurbineMetric.turbine_number.in_(turbine_numbers), TurbineMetric.measured_at >= since,
                    TurbineMetric.measured_at < until)
             .order_by(TurbineMetric.turbine_number, TurbineMetric.measured_at))
    if limit:
        query = query.limit(limit)
    frame = pd.DataFrame(session.execute(query).all(), columns=METRIC_COLUMNS)
    frame["measured_at"] = pd.to_datetime(frame["measured_at"], utc=True)
    return frame


@dataclass(frozen=True)
class FleetAggregates:
    reports: int
    """Reports since ``since``."""
    ok_reports: int
    energy_kwh: float
    """Since ``energy_since``: Σ over turbines of mean reported power [kW] × reporting span [h]
    (gaps count at the turbine's mean)."""


def fleet_aggregates(session: Session, since: datetime, energy_since: datetime, until: datetime) -> FleetAggregates:
    """Report counts (all, ok) over ``since..until`` and an energy estimate over ``energy_since..until``,
    in one pass over the reports."""
    m = TurbineMetric
    in_energy = m.measured_at >= energy_since
    rows = session.execute(
        select(func.count(m.id), func.count(m.id).filter(m.measured_at >= since, m.status == "ok"),
               func.count(m.id).filter(m.measured_at >= since), func.avg(m.power_kw).filter(in_energy),
               func.min(m.measured_at).filter(in_energy), func.max(m.measured_at).filter(in_energy))
        .where(m.measured_at >= min(since, energy_since), m.measured_at < until)
        .group_by(m.turbine_number)
    ).all()
    energy, reports, ok_reports = 0.0, 0, 0
    for _all, ok_count, window_count, mean_kw, first, last in rows:
        reports += window_count
        ok_reports += ok_count
        if first is not None:
            energy += float(mean_kw or 0.0) * (_aware(last) - _aware(first)).total_seconds() / 3600
    return FleetAggregates(reports=reports, ok_reports=ok_reports, energy_kwh=energy)


def mean_time_to_repair_s(session: Session, since: datetime) -> float | None:
    """Mean of (completed_at − opened_at) [s] over tickets completed since ``since``."""
    rows = session.execute(select(TurbineTicket.opened_at, TurbineTicket.completed_at)
                           .where(TurbineTicket.completed_at >= since)).all()
    if not rows:
        return None
    return float(np.mean([(done - opened).total_seconds() for opened, done in rows]))
