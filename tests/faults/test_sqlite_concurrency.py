"""Several processes writing to one SQLite file at once (price uploads, logins with their audit
rows): no "database is locked" reaches a user, and every acknowledged upload is stored."""

from __future__ import annotations

import json
import multiprocessing

from sqlalchemy import func, select

from data_access.engine import Database
from data_access.schema import AuditEvent, MarketPrice
from tests.conftest import build_app, log_in, make_settings
from tests.faults.test_postgres_faults import _upload_body

PROCESSES = 4
UPLOADS_EACH = 6


def _writer(args) -> list[tuple[int, str]]:
    number, tmp_path, database_url = args
    app = build_app(make_settings(tmp_path / f"p{number}", database_url), seed=False)
    client = app.server.test_client()
    results = []
    for upload in range(UPLOADS_EACH):
        response = log_in(app.server.test_client(), "viewer")  # a write: last login and an audit row
        results.append((response.status_code, ""))
        if upload == 0:
            assert log_in(client, "trader").status_code == 302
        day = number * UPLOADS_EACH + upload
        for _ in range(20):
            response = client.post("/_dash-update-component", json=_upload_body(app, day))
            if response.status_code != 503:
                break
        results.append((response.status_code, response.get_data(as_text=True)))
    return results


def test_concurrent_writer_processes_never_show_database_is_locked(tmp_path, seeded_sqlite_url):
    context = multiprocessing.get_context("fork")
    with context.Pool(PROCESSES) as pool:
        outcomes = pool.map(_writer, [(n, tmp_path, seeded_sqlite_url) for n in range(PROCESSES)])
    flat = [item for outcome in outcomes for item in outcome]
    assert not [body for _status, body in flat if "locked" in body.lower()]
    assert all(status in (200, 302) for status, _body in flat), [status for status, _ in flat]
    uploads = [body for status, body in flat if body]
    assert len(uploads) == PROCESSES * UPLOADS_EACH
    assert all(" 48 added, " in json.dumps(json.loads(body)) for body in uploads), uploads[:1]
    db = Database.from_url(seeded_sqlite_url)
    with db.session() as session:
        stored = session.scalar(select(func.count()).select_from(MarketPrice)
                                .where(MarketPrice.source == "upload:seed:fault.csv"))
        logins = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "login.succeeded", AuditEvent.actor == "viewer"))
    db.dispose()
    assert stored == 48 * PROCESSES * UPLOADS_EACH
    assert logins == PROCESSES * UPLOADS_EACH
