"""Dispatch rules: incidents, the crew, FIFO queue, repair timing, restart rebuild."""

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from domain.turbine_fleet import (
    Assign,
    CompleteRepair,
    CrewConfig,
    CrewState,
    OpenTicket,
    Resolve,
    StartRepair,
    Ticket,
    TicketTransitionError,
    TurbineReports,
    advance,
    plan_dispatch,
    repair_state_label,
    turbine_condition,
)

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
CREW = CrewConfig(engineers=("Alex", "Priya"), repair_min_s=60, repair_max_s=60, travel_s=10)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def broken(turbine: int, since: float, latest: float | None = None, last_ok: float | None = None) -> TurbineReports:
    return TurbineReports(turbine, "broken", at(latest if latest is not None else since), at(since),
                          at(last_ok) if last_ok is not None else None)


def ok(turbine: int, latest: float) -> TurbineReports:
    return TurbineReports(turbine, "ok", at(latest), None, at(latest))


def plan(now: float, tickets=(), reports=(), crew=CREW):
    return plan_dispatch(at(now), list(tickets), list(reports), crew, random.Random(7))


def test_first_report_broken_opens_a_ticket_at_the_incident_start():
    assert plan(5, reports=[broken(1, since=2, latest=4)]) == [OpenTicket(1, at(2))]


def test_ok_to_broken_opens_a_ticket_and_an_ok_turbine_opens_none():
    actions = plan(20, reports=[broken(1, since=15, latest=19, last_ok=14), ok(2, 19)])
    assert actions == [OpenTicket(1, at(15))]


def test_broken_to_broken_with_an_open_ticket_opens_no_new_one():
    ticket = Ticket(1, 1, incident_at=at(15), opened_at=at(16), status="in_repair", engineer="Alex",
                    assigned_at=at(16), started_at=at(26), repair_s=60)
    actions = plan(30, tickets=[ticket], reports=[broken(1, since=15, latest=29, last_ok=14)])
    assert not [a for a in actions if isinstance(a, OpenTicket)]


def test_queued_ticket_gets_the_first_free_engineer_with_the_configured_repair_time():
    ticket = Ticket(1, 1, incident_at=at(1), opened_at=at(2))
    assert plan(3, tickets=[ticket], reports=[broken(1, since=1)]) == [Assign(1, "Alex", 60.0)]


def test_crew_exhausted_queues_tickets_and_assigns_them_first_in_first_out():
    busy = [Ticket(1, 1, at(0), at(0), "in_repair", "Alex", at(0), at(10), repair_s=60),
            Ticket(2, 2, at(0), at(1), "assigned", "Priya", at(1), repair_s=60)]
    queued = [Ticket(4, 4, at(3), at(5)), Ticket(3, 3, at(2), at(4))]  # id 3 was opened first
    reports = [broken(n, since=0) for n in (1, 2, 3, 4)]
    # Nobody is free: both queued tickets wait (nothing is dropped), Priya's travel is over.
    assert plan(20, busy + queued, reports) == [StartRepair(2, at(11))]
    # Alex finishes at 70 s: the oldest queued ticket (3) goes to him; ticket 4 keeps waiting.
    assert plan(70, busy + queued, reports) == [CompleteRepair(1, at(70), "Alex"), StartRepair(2, at(11)),
                                                Assign(3, "Alex", 60.0)]


def test_done_ticket_resolves_only_when_the_turbine_reports_ok_after_completion():
    done = Ticket(1, 1, at(0), at(0), "done", "Alex", at(0), at(10), at(70), repair_s=60)
    assert plan(75, [done], [broken(1, since=0, latest=74)]) == []
    assert plan(80, [done], [ok(1, 78)]) == [Resolve(1, at(78))]


def test_broken_again_after_resolution_opens_a_new_ticket():
    resolved_elsewhere = []  # a resolved incident is no longer among the open tickets
    assert plan(200, resolved_elsewhere, [broken(1, since=150, latest=199, last_ok=149)]) == [OpenTicket(1, at(150))]


def test_restart_rebuilds_busy_engineers_and_the_queue_from_tickets_alone():
    tickets = [Ticket(1, 1, at(0), at(0), "in_repair", "Priya", at(0), at(10), repair_s=60),
               Ticket(5, 5, at(9), at(9)), Ticket(2, 2, at(3), at(3)), Ticket(3, 3, at(0), at(0), "done", "Alex",
                                                                       at(0), at(1), at(2), repair_s=1)]
    state = CrewState.from_tickets(tickets, ("Alex", "Priya"))
    assert state.busy == {"Priya": 1}
    assert state.free == ("Alex",)
    assert state.queue == (2, 5)
    # A fresh dispatcher planning from the same rows gives the same, deterministic answer.
    first = plan(30, tickets, [broken(n, since=0) for n in (1, 2, 5)] + [broken(3, since=0)])
    again = plan(30, tickets, [broken(n, since=0) for n in (1, 2, 5)] + [broken(3, since=0)])
    assert first == again == [Assign(2, "Alex", 60.0)]


def test_repair_time_is_drawn_within_bounds_and_deterministic_for_a_seed():
    crew = CrewConfig(engineers=("A",), repair_min_s=30, repair_max_s=90)
    draws = [crew.draw_repair_s(random.Random(3)) for _ in range(2)]
    assert draws[0] == draws[1] and 30 <= draws[0] <= 90
    spread = {round(crew.draw_repair_s(random.Random(seed))) for seed in range(20)}
    assert len(spread) > 5


def test_ticket_state_machine_refuses_skips_and_reversals():
    ticket = Ticket(1, 1, at(0), at(0))
    with pytest.raises(TicketTransitionError):
        advance(ticket, "in_repair", at(1))
    with pytest.raises(TicketTransitionError):
        advance(ticket, "assigned", at(1))  # no engineer
    assigned = advance(ticket, "assigned", at(1), engineer="Alex", repair_s=5)
    repairing = advance(assigned, "in_repair", at(2))
    done = advance(repairing, "done", at(7))
    assert (done.status, done.engineer, done.completed_at) == ("done", "Alex", at(7))
    with pytest.raises(TicketTransitionError):
        advance(done, "queued", at(8))


def test_crew_config_checks_itself():
    with pytest.raises(ValueError, match="at least one"):
        CrewConfig(engineers=(), repair_min_s=1, repair_max_s=2)
    with pytest.raises(ValueError, match="min <= max"):
        CrewConfig(engineers=("A",), repair_min_s=5, repair_max_s=2)


def test_labels_and_conditions_for_the_page():
    assert repair_state_label(Ticket(1, 1, at(0), at(0), "in_repair", "Alex")) == "Alex repairing"
    assert repair_state_label(Ticket(1, 1, at(0), at(0))) == "queued for an engineer"
    assert turbine_condition("ok", 2.9, 1.0) == "ok"
    assert turbine_condition("ok", 3.1, 1.0) == "stale"
    assert turbine_condition(None, None, 1.0) == "no data"


# --- plausibility against the power curve ---

def test_power_above_the_curve_beyond_the_tolerance_or_at_zero_wind_is_flagged():
    from domain.turbine_fleet import implausible_power

    curve_wind, curve_share = np.array([0.0, 3.0, 13.0, 25.0]), np.array([0.0, 0.0, 1.0, 1.0])
    wind = np.array([8.0, 8.0, 8.0, 0.0, 0.0, 20.0, 2.0])
    power = np.array([1500.0, 1800.0, 1800.1, 0.0, 0.5, 3300.0, -50.0])
    flags = implausible_power(wind, power, np.full(7, 3000.0), curve_wind, curve_share, 0.10)
    # at 8 m/s the curve gives 0.5 × 3000 = 1500 kW; +10 % of the rating allows up to 1800 kW
    assert flags.tolist() == ["", "", "power above the curve at this wind", "", "power at zero wind", "", ""]


def test_still_broken_after_a_done_repair_fails_again_only_after_the_delay():
    from domain.turbine_fleet import FailedAgain

    done = Ticket(4, 3, at(0), at(0), "done", "Alex", at(1), at(1), completed_at=at(61), repair_s=60)
    crew = CrewConfig(engineers=("Alex",), repair_min_s=60, repair_max_s=60, failed_again_after_s=5)
    assert plan(64, [done], [broken(3, since=0, latest=64)], crew) == []  # in flight: not yet
    assert plan(70, [done], [broken(3, since=0, latest=67)], crew) == [FailedAgain(4, 3, at(67), at(66))]
    # an ok after the repair resolves instead, and a later broken is a new incident, not a failed repair
    actions = plan(90, [done], [broken(3, since=80, latest=85, last_ok=70)], crew)
    assert actions[:2] == [Resolve(4, at(70)), OpenTicket(3, at(80))]
