from datetime import UTC, date, datetime, timedelta

from data_access import migrate
from data_access.engine import Database
from data_access.schema import OptimisationRun
from jobs.reaper import reap
from settings import Settings


def test_the_scheduled_reaper_fails_a_run_whose_heartbeat_stopped(tmp_path):
    url = f"sqlite:///{tmp_path / 'reap.db'}"
    migrate.upgrade(url)
    db = Database.from_url(url)
    old = datetime.now(UTC) - timedelta(minutes=5)
    with db.session() as session:
        session.add(OptimisationRun(first_date=date(2023, 2, 1), last_date=date(2023, 2, 1), markets="da", params={},
                                    params_hash="h", input_fingerprint="f", status="running", started_at=old,
                                    heartbeat_at=old))
    settings = Settings(POWERDESK_INSTANCE_PATH=str(tmp_path), database_url=url)
    reap(settings)
    reap(settings)  # idempotent
    with db.session() as session:
        run = session.get(OptimisationRun, 1)
        assert run.status == "failed" and "stopped responding" in run.message
    db.dispose()
