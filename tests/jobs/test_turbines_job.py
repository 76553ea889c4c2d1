"""The scheduler's job: ``jobs.turbines.dispatch(settings)`` opens and assigns tickets, idempotently."""

import time

from jobs.turbines import dispatch, main
from services.turbine_ingest import ingest_metrics
from services.turbines import list_tickets, register_demo_fleet
from tests.conftest import make_settings


def test_dispatch_job_opens_assigns_and_is_idempotent(tmp_path, seeded_sqlite_url, dash_app):
    settings = make_settings(tmp_path, seeded_sqlite_url, turbine_crew="Ana,Ben", turbine_travel_s=0,
                             turbine_repair_min_s=600, turbine_repair_max_s=600)
    db = dash_app.server.extensions["powerdesk"].db
    register_demo_fleet(db, 3000.0)
    ingest_metrics(db, [{"turbine_number": n, "wind_speed": 10, "power_output_in_kwh": 0,
                         "operational_status": "broken", "timestamp": time.time() - 1} for n in (4, 5, 6)],
                   time.time(), auto_register=False, default_rating_kw=3000.0, actor="t")
    dispatch(settings)
    dispatch(settings)
    dispatch(settings)  # nothing left to do
    tickets = sorted(list_tickets(db), key=lambda t: t.turbine_number)
    assert [t.status for t in tickets] == ["in_repair", "in_repair", "queued"]
    assert sorted(t.engineer for t in tickets[:2]) == ["Ana", "Ben"]


def test_module_entry_point_runs_one_pass(monkeypatch, tmp_path, seeded_sqlite_url):
    monkeypatch.setenv("DATABASE_URL", seeded_sqlite_url)
    monkeypatch.setenv("POWERDESK_INSTANCE_PATH", str(tmp_path / "instance"))
    main(["--once"])  # an empty fleet: nothing to do, and no error
