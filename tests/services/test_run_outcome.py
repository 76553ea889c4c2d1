"""A stopped run says how far it got: "cancelled at day k of N" and the dates solved."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from services.run_outcome import stopped_at


def run(status, done, total=5, by=None):
    return SimpleNamespace(status=status, progress_done=done, progress_total=total, first_date=date(2023, 3, 1),
                           last_date=date(2023, 3, 5), cancelled_at=datetime(2023, 3, 9, 12, tzinfo=UTC),
                           finished_at=None, cancelled_by=SimpleNamespace(username=by) if by else None)


def test_a_cancelled_run_names_the_day_it_stopped_at_and_the_dates_solved():
    stop = stopped_at(run("cancelled", 2, by="trader"))
    assert stop.headline() == "cancelled at day 2 of 5"
    assert (stop.first_solved, stop.last_solved) == (date(2023, 3, 1), date(2023, 3, 2))
    assert stop.stopped_by == "trader" and stop.schedule_kept is False


def test_nothing_solved_has_no_solved_dates_and_progress_is_clamped():
    assert stopped_at(run("cancelled", 0)).first_solved is None
    assert stopped_at(run("timed_out", 9)).days_done == 5


def test_a_finished_or_live_run_did_not_stop_early():
    assert stopped_at(run("succeeded", 5)) is None
    assert stopped_at(run("running", 2)) is None


def test_a_run_cancelled_while_solving_records_the_days_it_had_solved(db):
    from data_access.schema import OptimisationRun
    from optimiser import BatteryParams
    from services.optimisation_runs import RunRequest, cancel_run, execute_run, queue_run
    from services.prices import load_demo_prices

    load_demo_prices(db, feeds=("seed",))
    run_id = queue_run(db, RunRequest(date(2023, 2, 1), date(2023, 2, 4), BatteryParams(power_mw=10, energy_mwh=20))).run_id

    def cancel_after_the_first_day(done, _total):
        if done == 1:
            cancel_run(db, run_id, None, True)

    assert execute_run(db, run_id, progress=cancel_after_the_first_day).status == "cancelled"
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        # Day 2 was solved before the worker saw the cancel; the spaced-out progress writes had stopped at 1.
        assert (run.status, run.progress_done, run.progress_total) == ("cancelled", 2, 4)
        assert stopped_at(run).headline() == "cancelled at day 2 of 4"


def test_a_cancelled_run_keeps_exactly_the_days_it_solved_with_their_totals(db):
    """The cancel lands after day 2 has been reported; the worker sees it at its next look, after day 3, and
    stores days 1-3: the intervals and totals a run over just those days would have stored."""
    from data_access import runs as run_store
    from data_access.schema import OptimisationRun
    from optimiser import BatteryParams
    from services.optimisation_runs import RunRequest, cancel_run, execute_run, queue_run, run_optimisation
    from services.prices import load_demo_prices

    load_demo_prices(db, feeds=("seed",))
    battery = BatteryParams(power_mw=10, energy_mwh=20)
    run_id = queue_run(db, RunRequest(date(2023, 2, 1), date(2023, 2, 5), battery)).run_id

    def cancel_after_day_two(done, _total):
        if done == 2:
            cancel_run(db, run_id, None, True, stop_job=lambda _job: None)

    assert execute_run(db, run_id, progress=cancel_after_day_two, job_id="pid:0@nowhere").status == "cancelled"
    with db.session() as session:
        run = session.get(OptimisationRun, run_id)
        intervals = run_store.run_intervals(session, run_id)
        status, done, totals, message = run.status, run.progress_done, run.totals, run.message
        finished_after_cancel = run.finished_at >= run.cancelled_at
        stop = stopped_at(run, len(intervals))
    assert (status, done) == ("cancelled", 3)
    assert sorted(intervals["settlement_date"].unique()) == [date(2023, 2, 1), date(2023, 2, 2), date(2023, 2, 3)]
    assert len(intervals) == 3 * 48 and finished_after_cancel
    assert totals["days"] == 3 and totals["requested_days"] == 5
    net = (intervals["da_cash_gbp"] + intervals["id_cash_gbp"]).sum()  # no degradation cost in this battery
    assert totals["net_revenue_gbp"] == pytest.approx(net, abs=1e-6)
    assert totals["da_revenue_gbp"] == pytest.approx(intervals["da_cash_gbp"].sum(), abs=1e-6)
    assert "The 3 of 5 days solved before the cancel are kept (2023-02-01 to 2023-02-03)." in message
    assert message.startswith("Cancelled by system")

    # The same as a run over just those three days.
    three = run_optimisation(db, RunRequest(date(2023, 2, 1), date(2023, 2, 3), battery))
    with db.session() as session:
        whole = session.get(OptimisationRun, three.run_id).totals
    assert totals["net_revenue_gbp"] == pytest.approx(whole["net_revenue_gbp"], abs=1e-6)
    assert totals["baselines"] == whole["baselines"]
    assert stop.headline() == "cancelled at day 3 of 5" and stop.schedule_kept


def test_a_run_cancelled_while_queued_keeps_nothing(db):
    from data_access import runs as run_store
    from optimiser import BatteryParams
    from services.optimisation_runs import RunRequest, cancel_run, execute_run, queue_run
    from services.prices import load_demo_prices

    load_demo_prices(db, feeds=("seed",))
    run_id = queue_run(db, RunRequest(date(2023, 2, 1), date(2023, 2, 2), BatteryParams())).run_id
    cancel_run(db, run_id, None, True)
    assert execute_run(db, run_id).status == "cancelled"
    with db.session() as session:
        assert run_store.run_intervals(session, run_id).empty
