"""The repair dispatcher: read the stored state, plan with ``domain.turbine_fleet``, apply.

Each action is applied in its own short transaction with a conditional UPDATE (or an insert
the unique ``open_turbine_number`` guards), so a second dispatcher running at the same time,
or a rerun after a crash, finds nothing left to do instead of doing it twice.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from data_access import turbines as store
from data_access.engine import Database
from data_access.types import utc_now
from domain.turbine_fleet import (
    Assign,
    CompleteRepair,
    CrewConfig,
    FailedAgain,
    OpenTicket,
    Resolve,
    StartRepair,
    plan_dispatch,
)
from services import audit

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    applied: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    """Actions another dispatcher got to first (or that no longer fit the stored state)."""


def dispatch_once(db: Database, crew: CrewConfig, rng: random.Random | None = None, now=None) -> DispatchReport:
    """One dispatcher pass at ``now`` (default: the clock)."""
    now = now or utc_now()
    rng = rng or random.Random()
    with db.session() as session:
        tickets = store.open_incident_tickets(session)
        reports = store.turbine_reports(session)
    report = DispatchReport()
    for action in plan_dispatch(now, tickets, reports, crew, rng):
        try:
            with db.session() as session:
                applied = _apply(session, action, now)
                if applied:
                    _audit(session, action)
        except IntegrityError:
            applied = False  # e.g. the engineer was just given other work by a concurrent dispatcher
        (report.applied if applied else report.skipped).append(action)
    if report.applied:
        log.info("dispatcher applied %d action(s): %s", len(report.applied), report.applied)
    return report


def _apply(session, action, now) -> bool:
    match action:
        case OpenTicket(turbine_number, incident_at):
            return store.open_ticket(session, turbine_number, incident_at, now)
        case Assign(ticket_id, engineer, repair_s):
            return store.assign_ticket(session, ticket_id, engineer, repair_s, now)
        case StartRepair(ticket_id, started_at):
            return store.start_repair(session, ticket_id, started_at)
        case CompleteRepair(ticket_id, completed_at, _engineer):
            return store.complete_repair(session, ticket_id, completed_at)
        case Resolve(ticket_id, resolved_at):
            return store.resolve_ticket(session, ticket_id, resolved_at)
        case FailedAgain(ticket_id, turbine_number, broken_at, still_broken_after):
            return store.fail_again(session, ticket_id, turbine_number, broken_at, still_broken_after, now)
    raise TypeError(f"unknown dispatch action {action!r}")


def _audit(session, action) -> None:
    match action:
        case OpenTicket(turbine_number, incident_at):
            audit.record(session, "system", "turbine.ticket_opened", target=f"turbine {turbine_number}",
                         detail={"incident_at": incident_at.isoformat()})
        case Assign(ticket_id, engineer, repair_s):
            audit.record(session, "system", "turbine.ticket_assigned", target=f"ticket {ticket_id}",
                         detail={"engineer": engineer, "repair_s": round(repair_s, 1)})
        case CompleteRepair(ticket_id, completed_at, engineer):
            audit.record(session, "system", "turbine.repair_done", target=f"ticket {ticket_id}",
                         detail={"engineer": engineer, "completed_at": completed_at.isoformat()})
        case FailedAgain(ticket_id, turbine_number, broken_at, _after):
            audit.record(session, "system", "turbine.failed_again", target=f"turbine {turbine_number}",
                         detail={"ticket": ticket_id, "broken_at": broken_at.isoformat(),
                                 "note": "failed again after repair; a new incident and ticket were opened"})


def crew_from_settings(settings) -> CrewConfig:
    return CrewConfig(engineers=settings.turbine_crew_names(), repair_min_s=settings.turbine_repair_min_s,
                      repair_max_s=settings.turbine_repair_max_s, travel_s=settings.turbine_travel_s,
                      failed_again_after_s=settings.turbine_failed_again_after_s)
