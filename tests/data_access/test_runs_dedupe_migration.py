"""0013_runs_dedupe_index: existing duplicates are resolved (the newest succeeded run is kept), then the unique
partial index allows one live run per reuse fingerprint, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from data_access import migrate
from data_access.engine import make_engine

INSERT = text(
    "INSERT INTO optimisation_runs (id, name, created_at, first_date, last_date, markets, params, params_hash, "
    "input_fingerprint, status, message, progress_done, progress_total, da_series, id_series) VALUES (:id, '', "
    "CURRENT_TIMESTAMP, '2023-02-01', '2023-02-01', 'da', '{}', :hash, 'f', :status, '', 0, 1, 'day_ahead', "
    "'intraday')")


def test_duplicates_are_resolved_on_upgrade_and_then_refused(database_url):
    migrate.upgrade(database_url, "0012_api_key_scopes")
    engine = make_engine(database_url)
    rows = [(1, "a", "succeeded"), (2, "a", "succeeded"), (3, "a", "queued"),  # kept: 2, the newest succeeded
            (4, "b", "running"), (5, "b", "queued"),  # none succeeded: kept 5, the newest
            (6, "c", "failed"), (7, "c", "succeeded")]  # one live run: nothing to do
    with engine.begin() as connection:
        for run_id, params_hash, status in rows:
            connection.execute(INSERT, {"id": run_id, "hash": params_hash, "status": status})
    migrate.upgrade(database_url)
    with engine.connect() as connection:
        after = {row.id: row for row in connection.execute(text(
            "SELECT id, status, duplicate_of_id, message FROM optimisation_runs ORDER BY id"))}
    assert {run_id: (row.status, row.duplicate_of_id) for run_id, row in after.items()} == {
        1: ("succeeded", 2), 2: ("succeeded", None), 3: ("cancelled", 2),
        4: ("cancelled", 5), 5: ("queued", None), 6: ("failed", None), 7: ("succeeded", None)}
    assert after[3].message == "Ended by the upgrade: run #2 has the same parameters on the same prices."
    with pytest.raises(IntegrityError), engine.begin() as connection:  # a second live run of "c"
        connection.execute(INSERT, {"id": 8, "hash": "c", "status": "queued"})
    with engine.begin() as connection:  # ended runs are outside the index: any number of them
        connection.execute(INSERT, {"id": 8, "hash": "c", "status": "failed"})
        connection.execute(INSERT, {"id": 9, "hash": "c", "status": "cancelled"})
    migrate.downgrade(database_url, "0012_api_key_scopes")
    with engine.begin() as connection:  # no index any more: the old check-then-insert world
        connection.execute(INSERT, {"id": 10, "hash": "c", "status": "queued"})
    engine.dispose()
