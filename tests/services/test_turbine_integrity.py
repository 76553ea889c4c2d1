"""Turbine reports that cannot poison the dispatcher (SQLite and PostgreSQL): a report stamped beyond the
allowed skew is refused and nothing is stored; a report stamped ahead within it cannot hide a later real
``broken`` (T1); a turbine still broken after its repair is done gets a new incident and ticket (T2)."""

import random
from datetime import UTC, datetime

import pytest

from components.turbines import repair_rows
from domain.turbine_fleet import CrewConfig
from domain.turbine_metrics import MetricError
from services.turbine_dispatch import dispatch_once
from services.turbine_ingest import ingest_metrics
from services.turbines import fleet_state, list_tickets, register_demo_fleet, turbine_metrics

CREW = CrewConfig(engineers=("Alex",), repair_min_s=60, repair_max_s=60, travel_s=0, failed_again_after_s=5)
T0 = 1_790_000_000.0


def when(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, UTC)


def metric(turbine: int, status: str, stamped: float, power_kw: float = 1500.0) -> dict:
    return {"turbine_number": turbine, "wind_speed": 36.0, "power_output_in_kwh": power_kw,
            "operational_status": status, "timestamp": T0 + stamped}


def report(db, turbine: int, status: str, stamped: float, received: float | None = None):
    return ingest_metrics(db, [metric(turbine, status, stamped)], T0 + (stamped if received is None else received),
                          auto_register=False, default_rating_kw=3000.0, actor="test", max_future_s=30)


def run(db, seconds: float):
    return dispatch_once(db, CREW, random.Random(1), now=when(seconds))


@pytest.fixture
def fleet(db):
    register_demo_fleet(db, 3000.0)
    return db


def stored(db, turbine: int):
    return turbine_metrics(db, [turbine], when(-1000), when(10_000))


def test_a_report_stamped_beyond_the_skew_is_refused_and_nothing_of_its_batch_stored(fleet):
    with pytest.raises(MetricError) as error:
        ingest_metrics(fleet, [metric(1, "ok", 0), metric(1, "ok", 30.5)], T0, auto_register=False,
                       default_rating_kw=3000.0, actor="test", max_future_s=30)
    assert (error.value.item, error.value.field) == (1, "timestamp")
    assert "is 30.5 s ahead of the server's clock (at most 30 s); nothing was stored" in str(error.value)
    assert stored(fleet, 1).empty
    assert report(fleet, 1, "ok", 30, received=0).stored == 1  # exactly the skew is accepted


def test_t1_a_future_ok_then_a_real_broken_opens_a_ticket(fleet):
    report(fleet, 3, "ok", 25, received=0)   # clock 25 s ahead, within the skew
    report(fleet, 3, "broken", 2, received=2)  # the real failure, correctly stamped, received later
    run(fleet, 3)
    (ticket,) = list_tickets(fleet, turbine_number=3)
    assert ticket.status in ("queued", "in_repair") and ticket.incident_at == when(2)
    (state,) = [s for s in fleet_state(fleet, 1.0, now=when(3)) if s.turbine_number == 3]
    assert state.last_status == "broken" and state.ticket.id == ticket.id


def test_t2_still_broken_after_the_repair_opens_a_new_incident_and_ticket(fleet):
    report(fleet, 4, "ok", 0)
    report(fleet, 4, "broken", 1)
    run(fleet, 2)
    run(fleet, 3)  # Alex starts a 60 s repair
    run(fleet, 63)
    (first,) = list_tickets(fleet, turbine_number=4)
    assert first.status == "done" and first.completed_at == when(63)
    report(fleet, 4, "broken", 65)  # in flight while the turbine learns of the repair: not yet a failure
    run(fleet, 66)
    assert len(list_tickets(fleet, turbine_number=4)) == 1
    report(fleet, 4, "broken", 70)
    report(fleet, 4, "broken", 71)
    applied = run(fleet, 71).applied
    assert [type(a).__name__ for a in applied][:1] == ["FailedAgain"]
    newest, old = list_tickets(fleet, turbine_number=4)
    assert old.id == first.id and old.failed_again_at == when(70) and old.resolved_at is None
    assert newest.incident_at == when(70) and newest.is_open_incident  # the first broken after the delay
    rows = {r["id"]: r for r in repair_rows([newest, old], {4: "Beinn Mhor 4"})}
    assert rows[old.id]["resolved"] == "failed again after repair" and rows[old.id]["status"] == "failed again"
    run(fleet, 72)
    assert len(list_tickets(fleet, turbine_number=4)) == 2  # a rerun opens nothing more
    run(fleet, 132)  # the second repair (started at 72) is done
    report(fleet, 4, "ok", 133)
    run(fleet, 134)
    newest, old = list_tickets(fleet, turbine_number=4)
    assert newest.status == "done" and newest.resolved_at == when(133) and old.failed_again_at == when(70)


def test_an_ok_after_the_repair_resolves_and_never_counts_as_failed_again(fleet):
    report(fleet, 5, "broken", 1)
    run(fleet, 2)
    run(fleet, 3)
    run(fleet, 63)
    report(fleet, 5, "ok", 64)
    report(fleet, 5, "broken", 100)  # a fresh failure later: its own new incident, not "failed again"
    run(fleet, 101)
    newest, first = list_tickets(fleet, turbine_number=5)
    assert first.resolved_at == when(64) and first.failed_again_at is None
    assert newest.incident_at == when(100)


def test_implausible_power_is_flagged_on_the_tile_and_in_the_metrics_csv(fleet):
    from services.turbines import metrics_csv

    # 36 km/h = 10 m/s: the shipped curve gives 0.775 × 3000 ≈ 2,324 kW; 3,000 kW is beyond +10 %
    ingest_metrics(fleet, [metric(6, "ok", 0, power_kw=2300.0), metric(6, "ok", 1, power_kw=3000.0),
                           {**metric(6, "ok", 2, power_kw=400.0), "wind_speed": 0}], T0 + 2,
                   auto_register=False, default_rating_kw=3000.0, actor="test")
    frame = stored(fleet, 6)
    assert frame["plausibility"].tolist() == ["", "power above the curve at this wind", "power at zero wind"]
    lines = metrics_csv(frame).splitlines()
    assert lines[0].endswith(",status,plausibility")
    assert lines[2].endswith(",ok,power above the curve at this wind") and lines[1].endswith(",ok,")
    (state,) = [s for s in fleet_state(fleet, 1.0, now=when(3)) if s.turbine_number == 6]
    assert state.plausibility == "power at zero wind"
    (state,) = [s for s in fleet_state(fleet, 1.0, now=when(3), curve_tolerance_share=0.5)
                if s.turbine_number == 6]
    assert state.plausibility == "power at zero wind"  # zero wind is flagged whatever the tolerance
