"""Carbon of battery runs: per-interval footprint and totals, carbon-priced runs reading stored intensity,
and the carbon trade-off."""

from datetime import date, timedelta

import pandas as pd
import pytest

from data_access.carbon_intensity import read_intensity_folder
from data_access.engine import Database
from domain.settlement_time import day_start_utc
from optimiser import BatteryParams
from services import carbon, footprint
from services.errors import InvalidInput
from services.optimisation_runs import RunRequest, run_optimisation
from services.runs import get_run

FIRST = date(2023, 2, 1)
BATTERY = BatteryParams(power_mw=50, energy_mwh=100)


@pytest.fixture
def db(seeded_sqlite_url):
    """The seeded SQLite copy (demo prices) with NESO intensity for 1–2 Feb 2023 only."""
    database = Database.from_url(seeded_sqlite_url)
    frame = read_intensity_folder(footprint.DEMO_INTENSITY_DIR, day_start_utc(FIRST),
                                  day_start_utc(FIRST + timedelta(days=2)))
    footprint.store_intensity(database, frame, "test")
    yield database
    database.dispose()


def test_run_footprint_is_net_import_times_intensity_with_exports_avoided(db):
    run_id = run_optimisation(db, RunRequest(FIRST, FIRST, BATTERY)).run_id
    frame = carbon.run_footprint(db, run_id)
    _run, intervals = get_run(db, run_id)
    assert len(frame) == 48 and list(frame["settlement_period"]) == list(range(1, 49))
    net_mwh = (intervals["charge_mw"] - intervals["discharge_mw"]).to_numpy() * 0.5
    assert frame["net_import_mwh"].to_numpy() == pytest.approx(net_mwh)
    # 1 MWh × 1 gCO2/kWh = 1 kgCO2
    assert frame["emissions_kg"].to_numpy() == pytest.approx(net_mwh * frame["intensity_g_per_kwh"].to_numpy())
    exports = frame["net_import_mwh"] < -1e-9
    assert exports.any() and (frame.loc[exports, "avoided_kg"] > 0).all()
    assert (frame.loc[exports, "emitted_kg"] == 0).all()
    totals = carbon.footprint_totals(frame)
    assert totals.coverage_share == 1.0
    assert totals.net_tco2 == pytest.approx(frame["emissions_kg"].sum() / 1000)
    assert totals.net_tco2 == pytest.approx(totals.emitted_tco2 - totals.avoided_tco2)


def test_intervals_without_intensity_are_null_and_the_coverage_says_so(db):
    run_id = run_optimisation(db, RunRequest(FIRST + timedelta(days=1), FIRST + timedelta(days=2), BATTERY)).run_id
    frame = carbon.run_footprint(db, run_id)
    assert frame["emissions_kg"].iloc[:48].notna().all()
    assert frame["emissions_kg"].iloc[48:].isna().all()  # 3 Feb has no stored intensity: null, not 0
    assert carbon.footprint_totals(frame).coverage_share == pytest.approx(0.5)
    csv_lines = carbon.footprint_csv(frame).splitlines()
    assert csv_lines[0].startswith("interval_start_utc,settlement_date,settlement_period,net_import_mwh")
    assert csv_lines[-1].endswith(",,,,,")  # unknown cells are empty


def test_a_carbon_priced_run_reads_the_stored_intensity(db):
    priced = BATTERY.model_copy(update={"carbon_price_gbp_per_tco2": 100.0})
    outcome = run_optimisation(db, RunRequest(FIRST, FIRST, priced))
    run, _ = get_run(db, outcome.run_id)
    assert run.status == "succeeded", run.message
    ours = carbon.footprint_totals(carbon.run_footprint(db, outcome.run_id)).net_tco2
    assert run.totals["carbon_tco2"] == pytest.approx(ours)
    assert run.totals["carbon_cost_gbp"] == pytest.approx(100.0 * ours)


def test_a_carbon_priced_run_without_intensity_is_refused_before_anything_is_queued(db):
    from services.errors import InvalidInput
    from services.runs import list_runs

    priced = BATTERY.model_copy(update={"carbon_price_gbp_per_tco2": 50.0})
    with pytest.raises(InvalidInput, match="carbon intensity for every half-hour; 48 of 48"):
        run_optimisation(db, RunRequest(date(2023, 3, 1), date(2023, 3, 1), priced))
    assert list_runs(db) == []


def test_the_carbon_trade_off_stores_one_run_per_price_and_cleaner_costs_more(db):
    base = run_optimisation(db, RunRequest(FIRST, FIRST + timedelta(days=1), BATTERY)).run_id
    points = carbon.carbon_tradeoff(db, base)
    assert [p.carbon_price_gbp_per_tco2 for p in points] == [0, 50, 100, 200, 400]
    assert len({p.run_id for p in points}) == 5 and all(p.status == "succeeded" for p in points)
    # The £0 point is the base run itself (no carbon price, same fingerprint): reopened, not solved again.
    assert points[0].run_id == base and points[0].reopened
    assert points[-1].net_tco2 < points[0].net_tco2
    assert points[-1].revenue_gbp < points[0].revenue_gbp
    again = carbon.carbon_tradeoff(db, base)
    assert all(p.reopened for p in again) and [p.run_id for p in again] == [p.run_id for p in points]


def test_the_trade_off_refuses_long_runs_and_dates_without_intensity(db):
    long_run = run_optimisation(db, RunRequest(date(2023, 3, 1), date(2023, 3, 16), BATTERY)).run_id
    with pytest.raises(InvalidInput, match="at most 14 days"):
        carbon.carbon_tradeoff(db, long_run)
    no_intensity = run_optimisation(db, RunRequest(date(2023, 3, 1), date(2023, 3, 1), BATTERY)).run_id
    with pytest.raises(InvalidInput, match="no carbon intensity is stored for 48"):
        carbon.carbon_tradeoff(db, no_intensity)


def test_a_run_without_a_schedule_has_an_empty_footprint_and_null_totals():
    empty = pd.DataFrame(columns=list(carbon.FOOTPRINT_COLUMNS))
    totals = carbon.footprint_totals(empty)
    assert totals.net_tco2 is None and totals.emitted_tco2 is None and totals.coverage_share == 0.0


def test_the_runs_intervals_csv_carries_intensity_and_emissions_and_leaves_unknown_empty(db):
    from components.run_view import intervals_export
    from services.runs import get_run

    run_id = run_optimisation(db, RunRequest(FIRST + timedelta(days=1), FIRST + timedelta(days=2), BATTERY)).run_id
    _run, intervals = get_run(db, run_id)
    export = carbon.with_carbon_columns(db, intervals, intervals_export(intervals))
    footprint = carbon.run_footprint(db, run_id)
    assert list(export.columns[-3:]) == ["intensity_g_per_kwh", "intensity_kind", "emissions_kg"]
    assert export["emissions_kg"].iloc[:48].to_numpy() == pytest.approx(footprint["emissions_kg"].iloc[:48], abs=1e-3)
    assert export["emissions_kg"].iloc[48:].isna().all()  # no stored intensity on the second day: empty, not 0


def correct_one_intensity(db, period_index: int, delta_g_per_kwh: float) -> None:
    """Store a corrected actual intensity for one half-hour of FIRST, as a later NESO revision would."""
    frame = read_intensity_folder(footprint.DEMO_INTENSITY_DIR, day_start_utc(FIRST),
                                  day_start_utc(FIRST + timedelta(days=1)))
    frame.loc[period_index, "actual_g_per_kwh"] += delta_g_per_kwh
    assert footprint.store_intensity(db, frame, "revision").changed == 1


def test_a_carbon_priced_run_solves_again_after_an_intensity_correction_and_is_reused_without_one(db):
    priced = RunRequest(FIRST, FIRST, BATTERY.model_copy(update={"carbon_price_gbp_per_tco2": 100.0}))
    first = run_optimisation(db, priced)
    again = run_optimisation(db, priced)
    assert again.reopened and again.run_id == first.run_id

    correct_one_intensity(db, period_index=20, delta_g_per_kwh=35.0)
    corrected = run_optimisation(db, priced)
    assert not corrected.reopened and corrected.run_id != first.run_id
    old, _ = get_run(db, first.run_id)
    new, _ = get_run(db, corrected.run_id)
    assert new.status == "succeeded" and new.input_fingerprint != old.input_fingerprint
    assert new.totals["carbon_tco2"] != pytest.approx(old.totals["carbon_tco2"])  # it read the corrected value
    assert run_optimisation(db, priced).run_id == corrected.run_id  # unchanged since: reused again


def test_a_run_without_a_carbon_price_is_reused_whatever_the_intensity(db):
    plain = RunRequest(FIRST, FIRST, BATTERY)
    first = run_optimisation(db, plain)
    correct_one_intensity(db, period_index=20, delta_g_per_kwh=35.0)
    again = run_optimisation(db, plain)
    assert again.reopened and again.run_id == first.run_id
