"""The run read side and deletion rules, on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import func, select

from data_access import runs as run_store
from data_access.runs import INTERVAL_FIELDS
from data_access.schema import AuditEvent, OptimisationRun, RunInterval, User
from domain.settlement_time import settlement_index
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.runs import delete_run, get_runs, list_runs


def store_run(db, user_id, first=date(2023, 2, 1), name="mine", status="succeeded") -> int:
    """A finished run with 48 intervals, stored directly (these tests are about storage, not solving)."""
    intervals = settlement_index(first, first)
    for column in INTERVAL_FIELDS[3:]:
        intervals[column] = 1.0
    with db.session() as session:
        run = OptimisationRun(name=name, created_by_id=user_id, first_date=first, last_date=first, markets="da+id",
                              params={"battery": {"power_mw": 10.0}}, params_hash="h" + name,
                              input_fingerprint="f", status="running")
        session.add(run)
        session.flush()
        run_store.store_result(session, run.id, status, "", {"net_revenue_gbp": 1.0}, {}, intervals)
        return run.id


@pytest.fixture
def people_and_run(db):
    with db.session() as session:
        owner, other = User(username="owner", password_hash="x", role="trader"), User(
            username="other", password_hash="x", role="trader")
        session.add_all([owner, other])
    return owner, other, store_run(db, owner.id)


def count(db, model, **where):
    with db.session() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def test_the_owner_deletes_a_run_with_its_intervals_and_it_is_audited(db, people_and_run):
    owner, _other, run_id = people_and_run
    assert count(db, RunInterval, run_id=run_id) == 48
    delete_run(db, run_id, owner.id, is_admin=False)
    assert count(db, OptimisationRun, id=run_id) == 0 and count(db, RunInterval, run_id=run_id) == 0
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "run.deleted"))
    assert (event.actor, event.target, event.detail["name"]) == ("owner", f"run:{run_id}", "mine")
    with pytest.raises(NotFound):
        delete_run(db, run_id, owner.id, is_admin=False)


def test_someone_else_may_not_delete_but_an_admin_may(db, people_and_run):
    _owner, other, run_id = people_and_run
    with pytest.raises(Forbidden):
        delete_run(db, run_id, other.id, is_admin=False)
    with pytest.raises(Forbidden):
        delete_run(db, run_id, None, is_admin=False)
    assert count(db, OptimisationRun, id=run_id) == 1 and count(db, AuditEvent, action="run.deleted") == 0
    delete_run(db, run_id, other.id, is_admin=True)
    assert count(db, OptimisationRun, id=run_id) == 0


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_run_in_progress_cannot_be_deleted(db, people_and_run, status):
    owner, _other, run_id = people_and_run
    with db.session() as session:
        session.get(OptimisationRun, run_id).status = status
    with pytest.raises(Conflict, match=status):
        delete_run(db, run_id, owner.id, is_admin=True)
    assert count(db, RunInterval, run_id=run_id) == 48


def test_list_filters_and_comparison_need_two_to_four_runs(db, people_and_run):
    owner, _other, run_id = people_and_run
    assert [r.id for r in list_runs(db, user="owner")] == [run_id]
    assert list_runs(db, user="other") == [] and list_runs(db, status="failed") == []
    assert list_runs(db, first=date(2023, 2, 2)) == [] and len(list_runs(db, last=date(2023, 2, 1))) == 1
    with pytest.raises(InvalidInput, match="between 2 and 4"):
        get_runs(db, [run_id, run_id])
    second = store_run(db, owner.id, first=date(2023, 2, 2), name="second")
    pairs = get_runs(db, [second, run_id])
    assert [run.id for run, _ in pairs] == [second, run_id] and all(len(i) == 48 for _, i in pairs)


def test_one_list_serves_page_api_and_cli_filters_newest_first_with_author_and_canceller(db, people_and_run):
    owner, other, first_run = people_and_run
    march = store_run(db, other.id, first=date(2023, 3, 1), name="march")
    failed = store_run(db, owner.id, first=date(2023, 2, 10), name="failed", status="failed")
    with db.session() as session:
        session.get(OptimisationRun, failed).cancelled_by_id = other.id
    assert [r.id for r in list_runs(db)] == [failed, march, first_run]
    assert [r.id for r in list_runs(db, limit=2)] == [failed, march]
    assert [r.id for r in list_runs(db, user="owner", first=date(2023, 2, 5), last=date(2023, 2, 28))] == [failed]
    assert [r.id for r in list_runs(db, status="succeeded", last=date(2023, 2, 28))] == [first_run]
    listed = list_runs(db, status="failed")
    # Read after the session closed, as the API's JSON and the grid do: both people are loaded.
    assert [(r.created_by.username, r.cancelled_by.username) for r in listed] == [("owner", "other")]
    with pytest.raises(TypeError):
        list_runs(db, "failed")  # filters are named, so no caller can swap status and user
