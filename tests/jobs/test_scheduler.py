"""The scheduler: its job registry, APScheduler and Celery beat wiring, and the daily email job."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from celery import Celery

from data_access.engine import Database
from jobs.beat import SCHEDULED_QUEUE, TASK_PREFIX, configure_beat
from jobs.price_email import send_daily_price_email
from jobs.scheduler import JOBS, Daily, Every, ScheduledJob, add_jobs, run_job
from services import price_email
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
RUNS: list[str] = []
_lock = threading.Lock()


def counting_job(settings) -> None:
    with _lock:
        RUNS.append(settings.price_email_time)


def broken_job(settings) -> None:
    raise RuntimeError("this job always fails")


COUNTING = ScheduledJob("counting", "tests.jobs.test_scheduler:counting_job", lambda s: Every(0.2))
BROKEN = ScheduledJob("broken", "tests.jobs.test_scheduler:broken_job", lambda s: Every(0.2))


def test_run_job_runs_a_job_and_logs_a_failing_one_without_raising(settings, caplog):
    RUNS.clear()
    with caplog.at_level(logging.INFO, logger="powerdesk.scheduler"):
        assert run_job(COUNTING, settings) is True
        assert run_job(BROKEN, settings) is False
    assert RUNS == ["07:00"]
    failure = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure and "job broken: failed" in failure[0].message and "this job always fails" in failure[0].exc_text
    assert any("job counting: finished" in r.message for r in caplog.records)


def test_the_scheduler_keeps_running_jobs_after_one_raises(settings):
    RUNS.clear()
    background = BackgroundScheduler()
    add_jobs(background, settings, (BROKEN, COUNTING))
    background.start()
    try:
        deadline = time.monotonic() + 300  # a hang cap: the jobs fire every second
        while len(RUNS) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert background.running
        assert len(RUNS) >= 3  # the counting job kept firing while the broken one raised every time
    finally:
        background.shutdown(wait=True)


def test_a_daily_job_also_runs_when_the_scheduler_starts_so_a_scheduler_that_was_down_catches_up(settings):
    RUNS.clear()
    now = datetime.now(UTC)
    far = Daily((now.hour + 12) % 24, now.minute)  # hours away: only the start-up run can fire within the test
    background = BackgroundScheduler()
    add_jobs(background, settings, (ScheduledJob("daily", "tests.jobs.test_scheduler:counting_job", lambda s: far),))
    background.start()
    try:
        deadline = time.monotonic() + 300  # a hang cap
        while not RUNS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert RUNS == ["07:00"]
        assert background.get_job("daily").next_run_time > datetime.now(UTC)  # then on its daily schedule
    finally:
        background.shutdown(wait=True)


def test_the_price_email_fires_at_the_configured_uk_time_then_hourly(tmp_path, seeded_sqlite_url):
    settings = make_settings(tmp_path, seeded_sqlite_url, price_email_time="7:30")
    background = BackgroundScheduler()
    add_jobs(background, settings, JOBS)
    trigger = background.get_job("price_email").trigger
    summer = trigger.get_next_fire_time(None, datetime(2023, 6, 1, 0, 0, tzinfo=UTC))
    winter = trigger.get_next_fire_time(None, datetime(2023, 12, 1, 0, 0, tzinfo=UTC))
    later = trigger.get_next_fire_time(None, datetime(2023, 12, 1, 7, 31, tzinfo=UTC))
    assert summer.astimezone(UTC) == datetime(2023, 6, 1, 6, 30, tzinfo=UTC)  # 07:30 BST
    assert winter.astimezone(UTC) == datetime(2023, 12, 1, 7, 30, tzinfo=UTC)  # 07:30 GMT
    assert later.astimezone(UTC) == datetime(2023, 12, 1, 8, 30, tzinfo=UTC)


def test_every_registered_job_resolves_to_a_function_and_a_schedule(settings):
    assert "price_email" in [job.name for job in JOBS]
    assert all(callable(job.function()) for job in JOBS)
    assert JOBS[0].schedule(settings) == Daily(7, 0, until_hour=23)


def test_celery_beat_schedules_the_same_jobs_and_its_tasks_run_them(settings):
    RUNS.clear()
    app = Celery("test-beat", broker="memory://", backend="cache+memory://")
    configure_beat(app, settings, JOBS + (COUNTING, BROKEN))
    email = app.conf.beat_schedule["price_email"]
    assert email["task"] == TASK_PREFIX + "price_email"
    assert email["options"]["queue"] == SCHEDULED_QUEUE and email["options"]["expires"] < 3600
    assert app.conf.beat_schedule["counting"]["options"]["expires"] == 10
    assert email["schedule"].hour == set(range(7, 24)) and email["schedule"].minute == {0}
    assert app.conf.timezone == "Europe/London"
    assert app.conf.beat_schedule["counting"]["schedule"].total_seconds() == 0.2
    assert app.tasks[TASK_PREFIX + "counting"].apply().get() is True
    assert app.tasks[TASK_PREFIX + "broken"].apply().get() is False  # logged, not raised
    assert len(RUNS) == 1


def test_the_daily_job_sends_yesterdays_email_once_and_nothing_before_the_hour(tmp_path, seeded_sqlite_url,
                                                                            smtp_inbox):
    inbox, port = smtp_inbox
    settings = make_settings(tmp_path, seeded_sqlite_url, mail_server="127.0.0.1", mail_port=port)
    db = Database.from_url(seeded_sqlite_url)
    price_email.set_preference(db, "trader", "trader@example.com", True, actor="trader")
    db.dispose()
    send_daily_price_email(settings, now_utc=datetime(2023, 3, 27, 5, 59, tzinfo=UTC))  # 06:59 BST
    assert inbox.messages == []
    send_daily_price_email(settings, now_utc=datetime(2023, 3, 27, 6, 0, tzinfo=UTC))  # 07:00 BST
    send_daily_price_email(settings, now_utc=datetime(2023, 3, 27, 7, 0, tzinfo=UTC))  # the 08:00 catch-up run
    assert [m["Subject"] for m in inbox.messages] == [f"Powerdesk prices for {date(2023, 3, 26).isoformat()}"]


def test_python_m_jobs_scheduler_starts_and_schedules_the_email(tmp_path, seeded_sqlite_url):
    env = {**os.environ, "DATABASE_URL": seeded_sqlite_url, "POWERDESK_INSTANCE_PATH": str(tmp_path / "inst"),
           "PRICE_EMAIL_TIME": "06:45"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "jobs.scheduler"], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                               text=True)
    try:
        lines = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if "scheduled price_email" in line or not line:
                break
        assert "scheduled price_email" in lines[-1], "".join(lines)
        assert "hour='6-23', minute='45'" in lines[-1]
        assert process.poll() is None  # still running, waiting for its next job
    finally:
        process.terminate()
        process.wait(10)


def test_the_scheduler_runs_the_reaper_turbine_dispatch_intensity_and_price_folder_jobs(settings):
    """Every job the desk relies on is registered, and each runs once against a real database without failing."""
    wanted = {"price_email", "run_reaper", "turbine_dispatch", "carbon_intensity", "price_folder"}
    jobs = {job.name: job for job in JOBS}
    assert wanted <= set(jobs)
    assert jobs["run_reaper"].schedule(settings) == Every(30)
    assert jobs["turbine_dispatch"].schedule(settings) == Every(settings.turbine_dispatch_interval_s)
    for name in ("run_reaper", "turbine_dispatch", "price_folder"):
        assert run_job(jobs[name], settings), name


def test_the_jobs_modules_import_each_other_one_way_only():
    """``scheduler`` uses ``beat``, both read ``schedule``: no module of jobs/ reaches itself through its imports."""
    import ast
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "jobs"
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        graph[f"jobs.{path.stem}"] = {name for name in names if name.startswith("jobs.") and name != "jobs"}
    graph = {module: {target for target in targets if target in graph} for module, targets in graph.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(target == goal or (target not in seen and reaches(target, goal, seen | {target}))
                   for target in graph[start])

    assert "jobs.beat" in graph["jobs.scheduler"] and "jobs.schedule" in graph["jobs.beat"]
    assert [module for module in graph if reaches(module, module, {module})] == []
