"""The worker that finishes a run draws its view and stores it (``RUN_VIEWS_WHEN_FINISHED``), in both colour
modes, exactly as the page would draw it; study points, runs still going and runs without a schedule are left."""

import time
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from components.run_view import intervals_export
from components.stored_run_view import decode, encode, schedule_view, view_format
from data_access import runs as run_store
from data_access.schema import OptimisationRun, RunView, Study, StudyPoint
from jobs.background import _solve, start_run_job
from jobs.run_views import store_run_views
from optimiser import BatteryParams
from services.optimisation_runs import RunRequest, queue_run
from services.prices import load_demo_prices
from settings import Settings

FEB = date(2023, 2, 1)


@pytest.fixture
def priced(db):
    load_demo_prices(db, feeds=("seed",))
    return db


def _queued(db, days: int = 1) -> int:
    return queue_run(db, RunRequest(FEB, date(2023, 2, days), BatteryParams(power_mw=5, energy_mwh=10),
                                    name=uuid.uuid4().hex[:6])).run_id


def _views(db, run_id) -> dict[str, RunView]:
    with db.session() as session:
        rows = session.scalars(select(RunView).where(RunView.run_id == run_id))
        return {row.theme: row for row in rows}


def _settings(tmp_path, db, **overrides) -> Settings:
    return Settings(POWERDESK_INSTANCE_PATH=str(tmp_path / "instance"),
                    database_url=db.engine.url.render_as_string(hide_password=False), **overrides)


@pytest.mark.parametrize("on", [True, False])
def test_the_worker_stores_both_views_only_when_asked(priced, tmp_path, on):
    settings = _settings(tmp_path, priced, run_views_when_finished=on)
    run_id = _queued(priced, days=3)
    assert _solve(settings.resolved_database_url(), run_id, "pid:test", settings=settings) == "succeeded"
    views = _views(priced, run_id)
    if not on:
        assert views == {}
        return
    assert sorted(views) == ["dark", "light"] and {v.view_format for v in views.values()} == {view_format()}
    with priced.session() as session:
        run = session.get(OptimisationRun, run_id)
        intervals = run_store.run_intervals(session, run_id)
    for theme, row in views.items():  # what the page would have drawn, to the byte
        assert row.payload and decode(row.payload) == decode(
            encode(schedule_view(run, intervals, theme, intervals_export(intervals))))
        assert decode(row.payload)["day"] == FEB.isoformat() and decode(row.payload)["intervals"] == 3 * 48


def test_study_points_queued_runs_and_runs_without_a_schedule_are_left(priced, tmp_path):
    queued = _queued(priced)
    assert store_run_views(priced, queued) == []
    with priced.session() as session:
        failed = OptimisationRun(first_date=FEB, last_date=FEB, markets="da", params={}, params_hash=uuid.uuid4().hex,
                                 input_fingerprint="f", status="failed")
        study = Study(name="sizing", first_date=FEB, last_date=FEB, spec={})
        session.add_all([failed, study])
        session.flush()
        failed_id, study_id = failed.id, study.id
    assert store_run_views(priced, failed_id) == []
    point = _queued(priced, days=2)
    off = _settings(tmp_path, priced, run_views_when_finished=False)
    assert _solve(off.resolved_database_url(), point, "pid:test", settings=off) == "succeeded"
    with priced.session() as session:
        session.add(StudyPoint(study_id=study_id, point_index=0, params={}, varied={}, run_id=point))
    assert store_run_views(priced, point) == []
    assert store_run_views(priced, 10_000) == []  # no such run
    assert _views(priced, queued) == _views(priced, failed_id) == _views(priced, point) == {}


def test_a_local_job_process_stores_the_views_after_its_run(priced, tmp_path):
    settings = _settings(tmp_path, priced, run_views_when_finished=True)
    run_id = _queued(priced)
    start_run_job(settings, run_id)
    deadline = time.monotonic() + 300  # far beyond any machine's speed: only a bug reaches it
    while len(_views(priced, run_id)) < 2:
        assert time.monotonic() < deadline, "the job stored no views"
        time.sleep(0.05)
    with priced.session() as session:
        assert session.get(OptimisationRun, run_id).status == "succeeded"
