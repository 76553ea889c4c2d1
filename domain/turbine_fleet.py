"""Turbine fleet rules: repair tickets, the engineer crew and dispatch. Pure: no SQL, no Flask.

A turbine's *incident* starts with the first ``broken`` report after it was last ``ok`` (or
after its previous incident was resolved). Each incident has exactly one repair ticket:

    queued ──assign──▶ assigned ──travel──▶ in_repair ──repair time──▶ done

- ``queued``: waiting for an engineer; tickets are assigned first-in-first-out (by
  ``opened_at``, then ``incident_at``, then ``id``) whenever an engineer of the crew is free. Never dropped.
- ``assigned``: an engineer is on the way (``travel_s`` seconds).
- ``in_repair``: the engineer works for the ticket's ``repair_s`` seconds.
- ``done``: the engineer is free again. The incident is *resolved* (the turbine counts as
  repaired) when the turbine next reports ``ok`` after ``completed_at``. If instead it is still
  reporting ``broken`` more than ``CrewConfig.failed_again_after_s`` after ``completed_at`` (and has
  not said ``ok`` since), the repair *failed*: the incident closes with ``failed_again_at`` and a new
  incident opens with its own ticket, so a turbine is never left broken without one.

Reports count at their *reported time*: the stamp, or the time received when that was earlier, so a
turbine clock running ahead (within the allowed skew) cannot hide later reports.

``plan_dispatch`` looks at the stored state (tickets and each turbine's latest reports) and
returns the actions that move it on; the caller applies each action with a conditional
update, so running it twice, or in two processes at once, does no harm. All state lives in
the tickets, so a restarted dispatcher carries on from the database.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

STATUSES = ("queued", "assigned", "in_repair", "done")
"""Ticket statuses, in the order a ticket passes through them."""
OPEN_STATUSES = ("queued", "assigned", "in_repair")
BUSY_STATUSES = ("assigned", "in_repair")
"""An engineer on a ticket in one of these is not free."""

TRANSITIONS = {"queued": "assigned", "assigned": "in_repair", "in_repair": "done"}


class TicketTransitionError(ValueError):
    """A ticket was asked to skip a step or go backwards."""


@dataclass(frozen=True)
class Ticket:
    """One repair ticket. Times are aware UTC; ``repair_s`` is the repair time [s], set on assignment."""

    id: int
    turbine_number: int
    incident_at: datetime
    """Measured time of the broken report that opened the incident."""
    opened_at: datetime
    status: str = "queued"
    engineer: str | None = None
    assigned_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    resolved_at: datetime | None = None
    """When the turbine first reported ok after ``completed_at`` (the incident is closed)."""
    repair_s: float | None = None
    failed_again_at: datetime | None = None
    """The turbine still reported broken this long after the repair (the incident is closed, a new one opened)."""

    @property
    def is_open_incident(self) -> bool:
        return self.resolved_at is None and self.failed_again_at is None


def advance(ticket: Ticket, to_status: str, at: datetime, engineer: str | None = None,
            repair_s: float | None = None) -> Ticket:
    """The ticket moved one step on to ``to_status`` at ``at``; any other move raises."""
    if TRANSITIONS.get(ticket.status) != to_status:
        raise TicketTransitionError(f"ticket {ticket.id} cannot go from {ticket.status} to {to_status}")
    if to_status == "assigned":
        if not engineer:
            raise TicketTransitionError(f"ticket {ticket.id} needs an engineer to be assigned")
        return replace(ticket, status="assigned", engineer=engineer, assigned_at=at, repair_s=repair_s)
    if to_status == "in_repair":
        return replace(ticket, status="in_repair", started_at=at)
    return replace(ticket, status="done", completed_at=at)


@dataclass(frozen=True)
class TurbineReports:
    """What the dispatcher needs to know about one turbine's reports (aware UTC instants)."""

    turbine_number: int
    latest_status: str
    latest_at: datetime
    first_broken_since_ok_at: datetime | None
    """The first ``broken`` report after the last ``ok`` one; None when the latest report is ok."""
    last_ok_at: datetime | None


@dataclass(frozen=True)
class CrewConfig:
    """The crew and the timings [s]. ``repair_min_s == repair_max_s`` makes repairs deterministic."""

    engineers: tuple[str, ...]
    repair_min_s: float
    repair_max_s: float
    travel_s: float = 0.0
    failed_again_after_s: float = 5.0
    """A turbine still broken this long after its repair was done failed again [s] (reports in flight
    while it learns of the repair do not count)."""

    def __post_init__(self):
        if not self.engineers:
            raise ValueError("the crew needs at least one engineer")
        if len(set(self.engineers)) != len(self.engineers):
            raise ValueError("engineer names must be unique")
        if not 0 <= self.repair_min_s <= self.repair_max_s:
            raise ValueError(f"repair time bounds {self.repair_min_s}..{self.repair_max_s} s are not 0 <= min <= max")
        if self.travel_s < 0:
            raise ValueError("travel time cannot be negative")
        if self.failed_again_after_s < 0:
            raise ValueError("the failed-again delay cannot be negative")

    def draw_repair_s(self, rng: random.Random) -> float:
        """A repair time [s], uniform within the bounds."""
        if self.repair_min_s == self.repair_max_s:
            return self.repair_min_s
        return rng.uniform(self.repair_min_s, self.repair_max_s)


# --- actions the dispatcher applies (each one conditional on the state it was planned from) ---

@dataclass(frozen=True)
class OpenTicket:
    turbine_number: int
    incident_at: datetime


@dataclass(frozen=True)
class Assign:
    ticket_id: int
    engineer: str
    repair_s: float


@dataclass(frozen=True)
class StartRepair:
    ticket_id: int
    started_at: datetime


@dataclass(frozen=True)
class CompleteRepair:
    ticket_id: int
    completed_at: datetime
    engineer: str


@dataclass(frozen=True)
class Resolve:
    ticket_id: int
    resolved_at: datetime


@dataclass(frozen=True)
class FailedAgain:
    """Close a done ticket's incident as failed after repair and open the turbine's next incident."""

    ticket_id: int
    turbine_number: int
    broken_at: datetime
    """The latest broken report (reported time), which shows the repair did not hold."""
    still_broken_after: datetime
    """``completed_at`` + the allowed delay: the new incident starts at the first broken report after it."""


Action = OpenTicket | Assign | StartRepair | CompleteRepair | Resolve | FailedAgain


@dataclass(frozen=True)
class CrewState:
    """Who is busy on what, and the queue, rebuilt from tickets alone (so a restart loses nothing)."""

    busy: dict[str, int]
    """engineer -> ticket id."""
    free: tuple[str, ...]
    """Free engineers, in crew order."""
    queue: tuple[int, ...]
    """Queued ticket ids, first in first out."""

    @classmethod
    def from_tickets(cls, tickets: Iterable[Ticket], engineers: Sequence[str]) -> CrewState:
        tickets = list(tickets)
        busy = {t.engineer: t.id for t in tickets if t.status in BUSY_STATUSES and t.engineer}
        queue = tuple(t.id for t in sorted((t for t in tickets if t.status == "queued"),
                                           key=lambda t: (t.opened_at, t.incident_at, t.id)))
        return cls(busy=busy, free=tuple(e for e in engineers if e not in busy), queue=queue)


def plan_dispatch(now: datetime, tickets: Sequence[Ticket], reports: Sequence[TurbineReports],
                  crew: CrewConfig, rng: random.Random) -> list[Action]:
    """Actions that bring the stored state up to ``now``.

    ``tickets``: every ticket whose incident is still open (``resolved_at`` is None), whatever
    its status. ``reports``: one entry per turbine that has reported.
    """
    actions: list[Action] = []
    open_by_turbine = {t.turbine_number: t for t in tickets if t.is_open_incident}
    travel = timedelta(seconds=crew.travel_s)

    # 1. Resolve incidents whose repair is done and whose turbine has since reported ok.
    reports_by_turbine = {r.turbine_number: r for r in reports}
    for ticket in tickets:
        report = reports_by_turbine.get(ticket.turbine_number)
        if (ticket.status == "done" and ticket.is_open_incident and report is not None
                and report.last_ok_at is not None and report.last_ok_at > ticket.completed_at):
            actions.append(Resolve(ticket.id, report.last_ok_at))
            open_by_turbine.pop(ticket.turbine_number, None)
        elif (ticket.status == "done" and ticket.is_open_incident and report is not None
              and report.latest_status == "broken"
              and (report.last_ok_at is None or report.last_ok_at <= ticket.completed_at)
              and report.latest_at > ticket.completed_at + timedelta(seconds=crew.failed_again_after_s)):
            # 1b. Still broken well after the repair: the repair failed; the next incident gets its own ticket.
            actions.append(FailedAgain(ticket.id, ticket.turbine_number, report.latest_at,
                                       ticket.completed_at + timedelta(seconds=crew.failed_again_after_s)))

    # 2. A turbine whose latest report is broken and that has no open incident opens one ticket.
    #    Several at once are opened in the order the turbines broke.
    def incident_start(report: TurbineReports) -> datetime:
        return report.first_broken_since_ok_at or report.latest_at

    for report in sorted(reports, key=lambda r: (incident_start(r), r.turbine_number)):
        if report.latest_status == "broken" and report.turbine_number not in open_by_turbine:
            actions.append(OpenTicket(report.turbine_number, incident_start(report)))

    # 3. Repairs move on in time: travel ends, repairs finish (at their due time, not at ``now``,
    #    so a dispatcher that was down for a while still records when the work ended).
    now_busy = dict(CrewState.from_tickets(tickets, crew.engineers).busy)
    for ticket in tickets:
        if ticket.status == "assigned":
            arrives = ticket.assigned_at + travel
            if arrives <= now:
                actions.append(StartRepair(ticket.id, arrives))
                ticket = advance(ticket, "in_repair", arrives)
        if ticket.status == "in_repair":
            due = ticket.started_at + timedelta(seconds=ticket.repair_s or 0.0)
            if due <= now:
                actions.append(CompleteRepair(ticket.id, due, ticket.engineer))
                now_busy.pop(ticket.engineer, None)

    # 4. Free engineers take queued tickets, oldest first.
    state = CrewState.from_tickets(tickets, crew.engineers)
    free = [e for e in crew.engineers if e not in now_busy]
    for engineer, ticket_id in zip(free, state.queue, strict=False):
        actions.append(Assign(ticket_id, engineer, crew.draw_repair_s(rng)))
        if crew.travel_s == 0:
            actions.append(StartRepair(ticket_id, now))
    return actions


# --- what the fleet page shows ---

FAILED_AGAIN_LABEL = "failed again after repair"


def repair_outcome(ticket: Ticket) -> str:
    """What became of the incident, for the repair log: when it was back to ok, or that it failed again."""
    if ticket.failed_again_at is not None:
        return FAILED_AGAIN_LABEL
    return ""


def repair_state_label(ticket: Ticket | None) -> str:
    """``queued``, ``Alex travelling``, ``Alex repairing``, ``repair done, awaiting ok`` or ''."""
    if ticket is None or not ticket.is_open_incident:
        return ""
    if ticket.status == "queued":
        return "queued for an engineer"
    if ticket.status == "assigned":
        return f"{ticket.engineer} on the way"
    if ticket.status == "in_repair":
        return f"{ticket.engineer} repairing"
    return "repair done, awaiting ok report"


def turbine_condition(latest_status: str | None, last_seen_age_s: float | None, report_interval_s: float) -> str:
    """``no data``, ``stale`` (3 expected reports missed), ``ok`` or ``broken``."""
    if latest_status is None or last_seen_age_s is None:
        return "no data"
    if last_seen_age_s > 3 * report_interval_s:
        return "stale"
    return latest_status


# --- plausibility of a report's power against the turbine's power curve ---

ZERO_WIND_LABEL = "power at zero wind"
ABOVE_CURVE_LABEL = "power above the curve at this wind"


def implausible_power(wind_m_per_s: np.ndarray, power_kw: np.ndarray, rated_power_kw: np.ndarray,
                      curve_wind_m_per_s: np.ndarray, curve_power_share: np.ndarray,
                      tolerance_share: float) -> np.ndarray:
    """Per report, why its power is implausible, or '' when it is not (an object array of str).

    ``power at zero wind``: power [kW] > 0 while the wind [m/s] is 0. ``power above the curve at this wind``:
    power > (curve share at that wind + ``tolerance_share``) × rating [kW]; the curve is the
    theoretical power curve as a share of rating, linearly interpolated (held beyond its ends).
    Reports at or below the curve are never flagged: a turbine may always make less (curtailed, iced).
    """
    wind = np.asarray(wind_m_per_s, dtype=float)
    power = np.asarray(power_kw, dtype=float)
    rating = np.asarray(rated_power_kw, dtype=float)
    expected_share = np.interp(wind, np.asarray(curve_wind_m_per_s, float), np.asarray(curve_power_share, float))
    above = power > (expected_share + tolerance_share) * rating
    at_zero_wind = (wind == 0) & (power > 0)
    return np.where(at_zero_wind, ZERO_WIND_LABEL, np.where(above, ABOVE_CURVE_LABEL, "")).astype(object)
