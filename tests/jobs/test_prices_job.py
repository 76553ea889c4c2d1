from datetime import datetime, timedelta

from data_access import migrate
from data_access.engine import Database
from domain.settlement_time import LONDON, day_start_utc
from jobs.prices import fetch_prices_job
from services.audit import list_events
from tests.conftest import make_settings


def test_the_job_imports_todays_file_once_and_skips_without_a_folder(tmp_path):
    url = f"sqlite:///{tmp_path / 'job.db'}"
    migrate.upgrade(url)
    fetch_prices_job(make_settings(tmp_path, url))  # no folder: nothing happens, no error
    folder = tmp_path / "drop"
    folder.mkdir()
    today = datetime.now(LONDON).date()
    start = day_start_utc(today).strftime("%Y-%m-%dT%H:%M:%SZ")
    (folder / "today.csv").write_text(f"interval_start_utc,day_ahead\n{start},42.0\n")
    (folder / "old.csv").write_text(f"interval_start_utc,day_ahead\n"
                                    f"{day_start_utc(today - timedelta(days=30)).strftime('%Y-%m-%dT%H:%M:%SZ')},1\n")
    settings = make_settings(tmp_path, url, prices_folder=folder)
    fetch_prices_job(settings)
    fetch_prices_job(settings)  # a second run (restart, second scheduler) changes nothing
    db = Database.from_url(url)
    events = list_events(db, action_prefix="prices.imported")
    db.dispose()
    added = sorted((e.target, e.detail["added"]) for e in events)
    assert added == [("folder:today.csv", 1)]  # fetches that change nothing are not audited
