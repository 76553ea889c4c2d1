"""A run's carbon totals are stored when it finishes and equal the ones computed from its intervals."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from data_access import migrate
from data_access.carbon_intensity import read_intensity_folder
from data_access.engine import Database
from data_access.schema import RunCarbonTotals
from domain.settlement_time import day_start_utc
from optimiser import BatteryParams
from services import carbon, footprint
from services.optimisation_runs import RunRequest, run_optimisation
from services.prices import load_demo_prices
from services.run_carbon_totals import run_carbon_totals, stored_run_carbon_totals

FIRST = date(2023, 2, 1)
BATTERY = BatteryParams(power_mw=50, energy_mwh=100)


def intensity(first: date, days: int):
    return read_intensity_folder(footprint.DEMO_INTENSITY_DIR, day_start_utc(first),
                                 day_start_utc(first + timedelta(days=days)))


@pytest.fixture
def db(database_url):
    """SQLite and PostgreSQL (the upsert differs), with the seed prices."""
    migrate.upgrade(database_url)
    database = Database.from_url(database_url)
    load_demo_prices(database, feeds=("seed",))
    footprint.store_intensity(database, intensity(FIRST, 1), "test")  # the first of the run's two days only
    yield database
    database.dispose()


def recomputed(db, run_id):
    return carbon.footprint_totals(carbon.run_footprint(db, run_id))


def test_totals_stored_when_the_run_finishes_equal_the_recomputed_ones(db):
    run_id = run_optimisation(db, RunRequest(FIRST, FIRST + timedelta(days=1), BATTERY)).run_id
    stored = stored_run_carbon_totals(db, run_id)
    assert stored is not None
    expected = recomputed(db, run_id)
    assert stored.coverage_share == pytest.approx(0.5) and stored.net_tco2 is not None
    assert stored.as_dict() == pytest.approx(expected.as_dict())


def test_storing_intensity_drops_the_totals_and_the_next_view_computes_them_again(db):
    run_id = run_optimisation(db, RunRequest(FIRST, FIRST + timedelta(days=1), BATTERY)).run_id
    footprint.store_intensity(db, intensity(FIRST + timedelta(days=1), 1), "test")
    assert stored_run_carbon_totals(db, run_id) is None
    _run, intervals = carbon.get_run(db, run_id)
    shown = run_carbon_totals(db, run_id, lambda: intervals)
    assert shown.coverage_share == 1.0 and shown.as_dict() == pytest.approx(recomputed(db, run_id).as_dict())
    assert stored_run_carbon_totals(db, run_id).as_dict() == pytest.approx(shown.as_dict())


def test_a_run_without_intensity_stores_unknown_totals_and_deleting_the_run_removes_them(db):
    run_id = run_optimisation(db, RunRequest(date(2023, 3, 1), date(2023, 3, 1), BATTERY)).run_id
    stored = stored_run_carbon_totals(db, run_id)
    assert stored.net_tco2 is None and stored.coverage_share == 0.0
    from services.runs import delete_run
    delete_run(db, run_id, None, True)
    with db.session() as session:
        assert session.scalar(select(RunCarbonTotals).where(RunCarbonTotals.run_id == run_id)) is None
