"""The dispatcher against real SQLite and PostgreSQL: tickets persist, the crew queues FIFO,
a restarted or doubled dispatcher does no work twice; ingest is idempotent on both databases."""

import random
import threading
import time
from datetime import UTC, datetime

import pytest

from data_access.engine import Database
from domain.turbine_fleet import CrewConfig
from domain.turbine_metrics import MetricError
from services.turbine_dispatch import dispatch_once
from services.turbine_ingest import ingest_metrics
from services.turbines import fleet_kpis, list_tickets, register_demo_fleet

CREW = CrewConfig(engineers=("Alex",), repair_min_s=60, repair_max_s=60, travel_s=0)
T0 = 1_790_000_000.0


def when(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, UTC)


def report(db, turbine: int, status: str, seconds: float):
    ingest_metrics(db, [{"turbine_number": turbine, "wind_speed": 36.0, "power_output_in_kwh": 1500.0,
                         "operational_status": status, "timestamp": T0 + seconds}], T0 + seconds,
                   auto_register=False, default_rating_kw=3000.0, actor="test")


def run(db, seconds: float, crew=CREW):
    return dispatch_once(db, crew, random.Random(1), now=when(seconds))


@pytest.fixture
def fleet(db):
    register_demo_fleet(db, 3000.0)
    return db


def test_broken_turbines_queue_for_one_engineer_and_are_served_in_order(fleet):
    report(fleet, 2, "ok", 0)
    report(fleet, 2, "broken", 1)
    report(fleet, 1, "broken", 2)
    run(fleet, 3)   # opens two tickets
    run(fleet, 4)   # Alex takes the older incident (turbine 2)
    tickets = {t.turbine_number: t for t in list_tickets(fleet)}
    assert (tickets[2].status, tickets[2].engineer) == ("in_repair", "Alex")
    assert tickets[1].status == "queued"
    report(fleet, 2, "broken", 30)
    run(fleet, 30)
    assert list_tickets(fleet, turbine_number=2)[0].started_at == when(4)
    assert len(list_tickets(fleet, turbine_number=2)) == 1  # broken → broken: no second ticket
    run(fleet, 64)  # 60 s repair done; Alex moves on to turbine 1
    tickets = {t.turbine_number: t for t in list_tickets(fleet)}
    assert tickets[2].status == "done" and tickets[2].completed_at == when(64)
    assert (tickets[1].status, tickets[1].engineer) == ("in_repair", "Alex")
    report(fleet, 2, "ok", 65)
    run(fleet, 66)
    assert list_tickets(fleet, turbine_number=2)[0].resolved_at == when(65)
    report(fleet, 2, "broken", 70)
    run(fleet, 71)  # a new incident after resolution opens a new ticket
    assert [t.status for t in list_tickets(fleet, turbine_number=2)] == ["queued", "done"]
    assert fleet_kpis(fleet, now=when(72)).open_tickets == 2


def test_a_restarted_dispatcher_carries_on_from_the_database(fleet, database_url):
    report(fleet, 3, "broken", 0)
    run(fleet, 1)
    run(fleet, 2)
    fresh = Database.from_url(database_url)  # a new process: nothing but the database
    try:
        run(fresh, 70)
        [ticket] = list_tickets(fresh, turbine_number=3)
        assert (ticket.status, ticket.engineer, ticket.completed_at) == ("done", "Alex", when(62))
    finally:
        fresh.dispose()


def test_two_dispatchers_at_once_open_one_ticket_and_assign_each_engineer_once(fleet, database_url):
    crew = CrewConfig(engineers=("Alex", "Priya"), repair_min_s=600, repair_max_s=600)
    for turbine in (1, 2, 3, 4):
        report(fleet, turbine, "broken", turbine)
    others = [Database.from_url(database_url) for _ in range(3)]
    try:
        for step in (10, 11):
            threads = [threading.Thread(target=run, args=(db, step, crew)) for db in [fleet, *others]]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        for db in others:
            db.dispose()
    tickets = list_tickets(fleet)
    assert sorted(t.turbine_number for t in tickets) == [1, 2, 3, 4]
    busy = [t for t in tickets if t.status == "in_repair"]
    assert sorted(t.engineer for t in busy) == ["Alex", "Priya"]
    assert sorted(t.turbine_number for t in busy) == [1, 2]  # the two oldest incidents


def test_ingest_is_idempotent_and_atomic_on_both_databases(fleet):
    items = [{"turbine_number": 5, "wind_speed": 20.0, "power_output_in_kwh": 100.0, "operational_status": "ok",
              "timestamp": T0 + i} for i in range(4)]
    first = ingest_metrics(fleet, items, T0 + 10, auto_register=False, default_rating_kw=3000.0, actor="t")
    again = ingest_metrics(fleet, items, T0 + 10, auto_register=False, default_rating_kw=3000.0, actor="t")
    assert (first.stored, again.stored, again.duplicates) == (4, 0, 4)
    with pytest.raises(MetricError):
        ingest_metrics(fleet, [{**items[0], "timestamp": T0 + 50}, {**items[0], "turbine_number": 999}],
                       T0 + 60, auto_register=False, default_rating_kw=3000.0, actor="t")
    from services.turbines import turbine_metrics
    frame = turbine_metrics(fleet, [5], when(-10), when(100))
    assert len(frame) == 4


def test_ingest_never_waits_on_a_repair(fleet):
    report(fleet, 1, "broken", 0)
    run(fleet, 1)
    run(fleet, 2)
    started = time.perf_counter()
    report(fleet, 1, "broken", 3)
    assert time.perf_counter() - started < 10.0  # the 60 s repair is not waited on
    assert list_tickets(fleet, turbine_number=1)[0].status == "in_repair"

