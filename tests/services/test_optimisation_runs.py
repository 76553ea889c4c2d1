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
from settings import Settings

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
    assert outcome.status == "succeeded" and outcome.reopened is False
    assert progress[-1] == (2, 2)
    with priced_db.session() as session:
        run = session.get(OptimisationRun, outcome.run_id)
        intervals = run_store.run_intervals(session, outcome.run_id)
    assert len(intervals) == 48 + 46  # 25 March has 48 periods, 26 March (spring) 46
    assert run.finished_at is not None and run.totals["days"] == 2
    assert (run.solver_status, run.progress_done, run.progress_total) == ("optimal", 2, 2)
    assert run.heartbeat_at is not None and run.da_series == "day_ahead" and run.id_series == "intraday"
    assert run.prices_as_of is not None
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


def test_reaper_ends_runs_with_a_stale_heartbeat_and_unclaimed_queued_runs(priced_db, tmp_path):
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), run_heartbeat_deadline_s=120, run_time_limit_s=1800)
    now = datetime.now(UTC)
    with priced_db.session() as session:
        for key, status, created, heartbeat in [
            ("beat-old", "running", 10, 3), ("beat-fresh", "running", 10, 1),
            ("queued-old", "queued", 40, None), ("queued-new", "queued", 5, None),
            ("overdue", "running", 60, 0.5), ("done", "succeeded", 600, 500),
        ]:
            session.add(OptimisationRun(
                first_date=date(2023, 2, 1), last_date=date(2023, 2, 1), markets="da", params={}, params_hash=key,
                input_fingerprint="f", status=status, created_at=now - timedelta(minutes=created),
                started_at=now - timedelta(minutes=created),
                heartbeat_at=now - timedelta(minutes=heartbeat) if heartbeat is not None else None))
    assert reap_stale_runs(priced_db, settings) == 3
    assert reap_stale_runs(priced_db, settings) == 0  # idempotent
    with priced_db.session() as session:
        rows = {r.params_hash: r for r in session.scalars(select(OptimisationRun))}
    assert {k: r.status for k, r in rows.items()} == {
        "beat-old": "failed", "beat-fresh": "running", "queued-old": "failed", "queued-new": "queued",
        "overdue": "timed_out", "done": "succeeded"}
    assert "stopped responding" in rows["beat-old"].message and "no worker" in rows["queued-old"].message


def test_queue_then_execute_solves_once_and_a_second_execute_does_nothing(priced_db):
    from services.optimisation_runs import execute_run, queue_run

    queued = queue_run(priced_db, SPRING, user_id=None)
    assert queued.status == "queued" and not queued.reopened
    with priced_db.session() as session:
        assert run_store.run_intervals(session, queued.run_id).empty
    assert queue_run(priced_db, SPRING).run_id == queued.run_id  # asking again while queued: the same run
    done = execute_run(priced_db, queued.run_id)
    assert done.status == "succeeded"
    again = execute_run(priced_db, queued.run_id, progress=lambda *_: pytest.fail("solved twice"))
    assert again.status == "succeeded" and again.reopened
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


# --- lifecycle: final statuses, cancel, errors, series ----------------------------------------------------

def _run(db, run_id):
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        session.expunge(run)
        return run


def test_a_time_limit_without_a_schedule_ends_timed_out(priced_db):
    from optimiser import SolverSettings

    request = RunRequest(date(2023, 2, 1), date(2023, 2, 1), BATTERY,
                         solver=SolverSettings(time_limit_s=1e-9, always_binary=True))
    outcome = run_optimisation(priced_db, request)
    run = _run(priced_db, outcome.run_id)
    assert (run.status, run.solver_status) == ("timed_out", "time_limit_no_solution")


def test_the_overall_run_limit_ends_a_run_timed_out_after_the_day_it_passes(priced_db, tmp_path):
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), run_time_limit_s=1e-6)
    outcome = run_optimisation(priced_db, SPRING, settings=settings)
    run = _run(priced_db, outcome.run_id)
    assert (outcome.status, run.status, run.progress_done) == ("timed_out", "timed_out", 1)
    assert "run time limit" in run.message


def test_an_unexpected_error_fails_the_run_with_a_friendly_message_and_keeps_the_traceback(priced_db):
    from services.optimisation_runs import execute_run, queue_run

    queued = queue_run(priced_db, SPRING)
    with priced_db.session() as session:  # a stored request the optimiser cannot read
        session.get(OptimisationRun, queued.run_id).params = {**SPRING.describe(), "battery": {"power_mw": "x"}}
    outcome = execute_run(priced_db, queued.run_id)
    run = _run(priced_db, queued.run_id)
    assert outcome.status == run.status == "failed"
    assert "power" in run.message or "unexpectedly" in run.message
    broken = queue_run(priced_db, RunRequest(SPRING.first, SPRING.last, BATTERY, markets="da"))
    with priced_db.session() as session:
        session.get(OptimisationRun, broken.run_id).params = {"markets": "da"}  # no battery at all
    execute_run(priced_db, broken.run_id)
    run = _run(priced_db, broken.run_id)
    assert run.status == "failed" and "unexpectedly" in run.message
    assert "Traceback" in run.error_traceback and "KeyError" in run.error_traceback


def test_cancel_by_owner_or_admin_records_who_and_when_and_the_worker_stops(priced_db):
    from services.errors import Conflict, Forbidden
    from services.optimisation_runs import cancel_run, execute_run, queue_run
    from services.users import create_user

    owner = create_user(priced_db, "olive", "owner-password-123", "trader")
    other = create_user(priced_db, "otto", "other-password-123", "trader")
    queued = queue_run(priced_db, SPRING, user_id=owner.id)
    with pytest.raises(Forbidden):
        cancel_run(priced_db, queued.run_id, other.id, is_admin=False)
    stopped = []
    cancel_run(priced_db, queued.run_id, owner.id, is_admin=False, stop_job=stopped.append)
    run = _run(priced_db, queued.run_id)
    assert run.status == "cancelled" and run.cancelled_by_id == owner.id and run.cancelled_at is not None
    assert "olive" in run.message and stopped == []  # no job yet: nothing to stop
    assert execute_run(priced_db, queued.run_id).status == "cancelled"  # a worker handed it later does nothing
    with pytest.raises(Conflict, match="already ended"):
        cancel_run(priced_db, queued.run_id, None, is_admin=True)

    # A running run: the admin cancels it after day one; the worker sees it at its next beat and stops.
    second = queue_run(priced_db, RunRequest(date(2023, 2, 1), date(2023, 2, 4), BATTERY), user_id=owner.id)

    def cancel_after_first_day(done, total):
        if done == 1:
            cancel_run(priced_db, second.run_id, None, is_admin=True, stop_job=stopped.append)

    outcome = execute_run(priced_db, second.run_id, progress=cancel_after_first_day, job_id="pid:0@nowhere")
    run = _run(priced_db, second.run_id)
    assert outcome.status == run.status == "cancelled" and run.progress_done < 4
    assert stopped == ["pid:0@nowhere"]
    with priced_db.session() as session:  # the days solved before the worker saw the cancel are kept
        kept = run_store.run_intervals(session, second.run_id)
        assert kept["settlement_date"].nunique() == run.progress_done and len(kept) == 48 * run.progress_done
    from services.audit import list_events
    assert [e.action for e in list_events(priced_db, "run.")].count("run.cancelled") == 2


def test_a_run_on_the_market_index_series_records_it_and_solves_separately(priced_db):
    from data_access.prices import insert_prices

    starts = pd.date_range("2023-02-01T00:00Z", periods=48, freq="30min")
    with priced_db.session() as session:
        insert_prices(session, pd.DataFrame({"market": "market_index", "interval_start_utc": starts,
                                             "price_gbp_per_mwh": [50.0 + (i % 12) * 10 for i in range(48)]}), "mid")
    day = RunRequest(date(2023, 2, 1), date(2023, 2, 1), BATTERY)
    plain = run_optimisation(priced_db, day)
    mid = run_optimisation(priced_db, RunRequest(day.first, day.last, BATTERY, id_series="market_index"))
    assert mid.run_id != plain.run_id and mid.status == "succeeded"
    run = _run(priced_db, mid.run_id)
    assert (run.da_series, run.id_series) == ("day_ahead", "market_index")
    with priced_db.session() as session:
        intervals = run_store.run_intervals(session, mid.run_id)
    assert intervals["id_price"].iloc[:12].tolist() == [50.0 + i * 10 for i in range(12)]
    id_only = run_optimisation(priced_db, RunRequest(day.first, day.last, BATTERY, markets="id",
                                                     id_series="market_index"))
    with priced_db.session() as session:
        assert run_store.run_intervals(session, id_only.run_id)["da_price"].isna().all()
    with pytest.raises(InvalidInput, match="market_index prices cover 2023-02-01 to 2023-02-01"):
        queue_run_ = __import__("services.optimisation_runs", fromlist=["queue_run"]).queue_run
        queue_run_(priced_db, RunRequest(date(2023, 3, 1), date(2023, 3, 2), BATTERY, id_series="market_index"))


def test_progress_is_written_at_most_twice_a_second_yet_every_day_is_reported(priced_db):
    """Each progress write is a committed write; one per day cost a year-long run more than its solves."""
    from sqlalchemy import event

    from services.optimisation_runs import PROGRESS_WRITE_INTERVAL_S

    writes = []

    def count_progress_writes(_conn, _cursor, statement, _params, _context, _many):
        if statement.startswith("UPDATE optimisation_runs SET") and "progress_done" in statement:
            writes.append(statement)

    request = RunRequest(date(2023, 2, 1), date(2023, 3, 2), BATTERY, markets="da")
    reported = []
    event.listen(priced_db.engine, "before_cursor_execute", count_progress_writes)
    try:
        started = datetime.now(UTC)
        outcome = run_optimisation(priced_db, request, progress=lambda done, total: reported.append(done))
        elapsed_s = (datetime.now(UTC) - started).total_seconds()
    finally:
        event.remove(priced_db.engine, "before_cursor_execute", count_progress_writes)
    run = _run(priced_db, outcome.run_id)
    assert outcome.status == "succeeded" and reported == list(range(1, 31))
    assert (run.progress_done, run.progress_total) == (30, 30)
    assert 2 <= len(writes) <= 2 + elapsed_s / PROGRESS_WRITE_INTERVAL_S


def _running(db, job_id: str, heartbeat_age: timedelta) -> int:
    """A queued run claimed by ``job_id`` whose last heartbeat is ``heartbeat_age`` old."""
    from services.optimisation_runs import queue_run

    run_id = queue_run(db, SPRING).run_id
    with db.session() as session:
        assert run_store.claim(session, run_id, job_id, worker="worker-a")
        session.get(OptimisationRun, run_id).heartbeat_at = datetime.now(UTC) - heartbeat_age
    return run_id


def test_a_redelivered_task_takes_over_a_run_whose_worker_died_and_finishes_it(priced_db):
    """Celery redelivers an unacked task (its worker was killed) with the same task id: once the dead
    worker's heartbeat is stale, the redelivery claims the run, solves it and records its own worker."""
    from services.optimisation_runs import execute_run

    run_id = _running(priced_db, "celery:task-1", timedelta(minutes=10))
    outcome = execute_run(priced_db, run_id, job_id="celery:task-1")
    assert (outcome.status, outcome.reopened) == ("succeeded", False)
    with priced_db.session() as session:
        run = session.get(OptimisationRun, run_id)
        assert run.worker not in (None, "worker-a") and run.job_id == "celery:task-1"
        assert len(run_store.run_intervals(session, run_id)) == 48 + 46


@pytest.mark.parametrize(("job_id", "heartbeat_age"), [
    ("celery:task-1", timedelta(seconds=1)),  # the first worker is alive: a duplicate delivery stays out
    ("celery:other", timedelta(minutes=10)),  # another task never takes a run over
])
def test_a_run_is_not_taken_over_while_its_worker_beats_or_by_another_task(priced_db, job_id, heartbeat_age):
    from services.optimisation_runs import execute_run

    run_id = _running(priced_db, "celery:task-1", heartbeat_age)
    outcome = execute_run(priced_db, run_id, job_id=job_id, progress=lambda *_: pytest.fail("solved twice"))
    assert (outcome.status, outcome.reopened) == ("running", True)
    with priced_db.session() as session:
        run = session.get(OptimisationRun, run_id)
        assert (run.worker, run.job_id) == ("worker-a", "celery:task-1")


def test_database_calls_are_retried_through_an_outage_and_give_up_after_the_limit():
    from sqlalchemy.exc import OperationalError

    from services.optimisation_runs import _through_outages

    calls, slept = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("select 1", {}, ConnectionError("server closed the connection"))
        return "stored"

    assert _through_outages(flaky, "test", retry_s=60, sleep=slept.append) == "stored"
    assert (len(calls), slept) == (3, [1.0, 1.0])

    def down():
        raise OperationalError("select 1", {}, ConnectionError("refused"))

    with pytest.raises(OperationalError):
        _through_outages(down, "test", retry_s=0, sleep=slept.append)
    with pytest.raises(ZeroDivisionError):  # anything else is not an outage: raised at once
        _through_outages(lambda: 1 / 0, "test", retry_s=60, sleep=pytest.fail)
