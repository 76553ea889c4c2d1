from datetime import timedelta

import pytest

from data_access.types import utc_now
from services import audit


def test_events_are_listed_newest_first_and_filtered(db):
    audit.record(db, "trader", "run.submitted", target="run 1", detail={"days": 3})
    audit.record(db, "nobody", "login.failed", remote_addr="127.0.0.1")
    audit.record(db, "admin", "user.role_changed", target="trader", detail={"from": "viewer", "to": "trader"})
    events = audit.list_events(db)
    assert [e.action for e in events] == ["user.role_changed", "login.failed", "run.submitted"]
    assert [e.actor for e in audit.list_events(db, action_prefix="login")] == ["nobody"]
    assert [e.detail for e in audit.list_events(db, actor="trader")] == [{"days": 3}]
    assert audit.list_events(db, since=utc_now() + timedelta(minutes=1)) == []


def test_an_event_recorded_in_a_failed_unit_of_work_is_not_stored(db):
    with pytest.raises(RuntimeError), db.session() as session:
        audit.record(session, "admin", "user.disabled", target="viewer")
        raise RuntimeError("the action failed")
    assert audit.list_events(db) == []
