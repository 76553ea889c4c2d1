"""0003_runs_engine keeps stored runs readable: old statuses become the lifecycle's, and back on downgrade."""

from sqlalchemy import text

from data_access import migrate
from data_access.engine import make_engine

OLD = ("optimal", "suboptimal", "infeasible", "time_limit_no_solution", "solver_error", "failed")


def test_old_run_statuses_are_migrated_and_restored(database_url):
    migrate.upgrade(database_url, "0009_meters")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for number, status in enumerate(OLD, start=1):
            connection.execute(text(
                "INSERT INTO optimisation_runs (id, name, created_at, first_date, last_date, markets, params, "
                "params_hash, input_fingerprint, status, message) VALUES (:id, '', CURRENT_TIMESTAMP, "
                "'2023-02-01', '2023-02-01', 'da', '{}', 'h', 'f', :status, '')"), {"id": number, "status": status})
    migrate.upgrade(database_url, "0003_runs_engine")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT status, solver_status, progress_done, da_series, id_series FROM optimisation_runs ORDER BY id"
        )).all()
    assert [(r[0], r[1]) for r in rows] == [
        ("succeeded", "optimal"), ("succeeded", "suboptimal"), ("infeasible", None),
        ("timed_out", "time_limit_no_solution"), ("failed", "solver_error"), ("failed", None)]
    assert {(r[2], r[3], r[4]) for r in rows} == {(0, "day_ahead", "intraday")}
    migrate.downgrade(database_url, "0009_meters")
    with engine.connect() as connection:
        statuses = connection.execute(text("SELECT status FROM optimisation_runs ORDER BY id")).scalars().all()
    assert tuple(statuses) == OLD
    engine.dispose()
