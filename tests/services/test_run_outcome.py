"""A stopped run says how far it got: "cancelled at day k of N" and the dates solved."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

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
