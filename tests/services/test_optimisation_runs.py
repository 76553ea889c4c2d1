from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import runs as run_store
from data_access.schema import OptimisationRun, RunInterval
from optimiser import BatteryParams
from services.errors import InvalidInput
from services.optimisation_runs import RunRequest, reap_stale_runs, run_optimisation
from services.prices import load_demo_prices

BATTERY = BatteryParams(power_mw=10, energy_mwh=20, charge_efficiency=0.9, discharge_efficiency=0.9)
SPRING = RunRequest(first=date(2023, 3, 25), last=date(2023, 3, 26), battery=BATTERY, name="clock change")


@pytest.fixture
def priced_db(db):
    load_demo_prices(db, feeds=("seed",))
    return db


def counts(db):
    with db.session() as session:
        return (session.scalar(select(func.count(OptimisationRun.id))),
                session.scalar(select(func.count()).select_from(RunInterval)))


def test_a_run_is_solved_and_stored_with_every_interval(priced_db):
    progress = []
    outcome = run_optimisation(priced_db, SPRING, progress=lambda done, total: progress.append((done, total)))
    assert outcome.status == "optimal" and outcome.reopened is False
    assert progress[-1] == (2, 2)
    with priced_db.session() as session:
        run = session.get(OptimisationRun, outcome.run_id)
        intervals = run_store.run_intervals(session, outcome.run_id)
    assert len(intervals) == 48 + 46  # 25 March has 48 periods, 26 March (spring) 46
    assert run.finished_at is not None and run.totals["days"] == 2
    stored_net = (intervals["da_cash_gbp"] + intervals["id_cash_gbp"]).sum() - run.totals["degradation_cost_gbp"]
    assert stored_net == pytest.approx(run.totals["net_revenue_gbp"], rel=1e-9)
    assert intervals["interval_start_utc"].iloc[0] == pd.Timestamp("2023-03-25T00:00Z")
    assert "baselines" in run.totals and run.solver_stats["solves"] >= 2


def test_identical_request_reopens_the_stored_run_without_solving(priced_db):
    first = run_optimisation(priced_db, SPRING)
    before = counts(priced_db)
    again = run_optimisation(priced_db, SPRING, progress=lambda *_: pytest.fail("solved again"))
    assert again.reopened is True and again.run_id == first.run_id
    assert counts(priced_db) == before


def test_other_parameters_or_changed_prices_solve_again(priced_db):
    first = run_optimisation(priced_db, SPRING)
    other = run_optimisation(priced_db, RunRequest(SPRING.first, SPRING.last, BATTERY.model_copy(
        update={"max_cycles_per_day": 1.0})))
    assert other.run_id != first.run_id and other.reopened is False
    from data_access.prices import insert_prices
    with priced_db.session() as session:  # a newer source for one interval changes the input
        insert_prices(session, pd.DataFrame({"market": ["intraday"], "interval_start_utc": [
            pd.Timestamp("2023-03-25T12:00Z")], "price_gbp_per_mwh": [999.0]}), "correction")
    changed = run_optimisation(priced_db, SPRING)
    assert changed.reopened is False and changed.run_id not in (first.run_id, other.run_id)


def test_missing_prices_are_refused_and_nothing_is_stored(priced_db):
    before = counts(priced_db)
    with pytest.raises(InvalidInput, match="price"):
        run_optimisation(priced_db, RunRequest(date(2023, 4, 30), date(2023, 5, 1), BATTERY))
    with pytest.raises(InvalidInput, match="before the start"):
        run_optimisation(priced_db, RunRequest(date(2023, 2, 2), date(2023, 2, 1), BATTERY))
    assert counts(priced_db) == before


def test_an_infeasible_run_is_stored_with_its_status_and_no_intervals(priced_db):
    # Day 1 discharges for profit; with no imports, day 2 cannot get back to the initial SoC.
    impossible = BATTERY.model_copy(update={"terminal_soc": "geq-initial", "import_limit_mw": 0.0})
    request = RunRequest(date(2023, 2, 1), date(2023, 2, 2), impossible, markets="da")
    outcome = run_optimisation(priced_db, request)
    with priced_db.session() as session:
        run = session.get(OptimisationRun, outcome.run_id)
        assert run_store.run_intervals(session, outcome.run_id).empty
    assert outcome.status == run.status == "infeasible"
    assert run.finished_at is not None and "import limit" in run.message


def test_reaper_marks_only_stale_running_and_queued_runs_failed(priced_db):
    with priced_db.session() as session:
        for status in ("running", "queued"):
            for hours in (10, 1):
                then = datetime.now(UTC) - timedelta(hours=hours)
                session.add(OptimisationRun(first_date=date(2023, 2, 1), last_date=date(2023, 2, 1), markets="da",
                                            params={}, params_hash=f"{status}-{hours}", input_fingerprint="f",
                                            status=status, created_at=then, started_at=then))
    assert reap_stale_runs(priced_db) == 2
    with priced_db.session() as session:
        statuses = dict(session.execute(select(OptimisationRun.params_hash, OptimisationRun.status)).all())
    assert statuses == {"running-10": "failed", "running-1": "running", "queued-10": "failed", "queued-1": "queued"}


def test_queue_then_execute_solves_once_and_a_second_execute_does_nothing(priced_db):
    from services.optimisation_runs import execute_run, queue_run

    queued = queue_run(priced_db, SPRING, user_id=None)
    assert queued.status == "queued" and not queued.reopened
    with priced_db.session() as session:
        assert run_store.run_intervals(session, queued.run_id).empty
    done = execute_run(priced_db, queued.run_id)
    assert done.status == "optimal"
    again = execute_run(priced_db, queued.run_id, progress=lambda *_: pytest.fail("solved twice"))
    assert again.status == "optimal" and again.reopened
    assert queue_run(priced_db, SPRING).run_id == queued.run_id  # identical request now reopens it


def test_queueing_refuses_missing_prices_with_the_interval_named(priced_db):
    from services.optimisation_runs import queue_run

    before = counts(priced_db)
    with pytest.raises(InvalidInput, match="2023-05-01"):
        queue_run(priced_db, RunRequest(date(2023, 4, 30), date(2023, 5, 1), BATTERY))
    assert counts(priced_db) == before


def test_execute_unknown_run_is_not_found(priced_db):
    from services.errors import NotFound
    from services.optimisation_runs import execute_run

    with pytest.raises(NotFound):
        execute_run(priced_db, 12345)
