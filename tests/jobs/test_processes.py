"""No process is forked from a process that has started threads (jobs/processes.py).

A lock held by another thread of the parent is the hazard: a fork copies it held, and a child that needs
it waits for ever. Each way Powerdesk starts a process is tried here while a thread of this (test) process
holds ``HELD``; the child must find it free, because it never was a copy of this process.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import diskcache
import pytest

from jobs import processes

HELD = threading.Lock()
"""Held by a thread of the parent while children start."""


@pytest.fixture
def lock_held_by_another_thread():
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with HELD:
            taken.set()
            release.wait(120)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert taken.wait(10)
    yield
    release.set()
    holder.join(10)


def report(path: str) -> None:
    """In the child: whether ``HELD`` is free, the parent's pid and how many threads the parent has."""
    free = HELD.acquire(timeout=5)
    parent = os.getppid()
    threads = Path(f"/proc/{parent}/status").read_text().split("Threads:")[1].split()[0]
    Path(path).write_text(f"{free} {parent} {threads}")


def wait_for(path: Path, process_done) -> str:
    deadline = time.monotonic() + 120  # an event (the file), with a cap that only a broken start reaches
    while not path.exists():
        assert time.monotonic() < deadline and not process_done(), "the child never reported"
        time.sleep(0.02)
    return path.read_text()


def test_a_run_process_comes_from_a_single_threaded_forkserver_not_from_this_threaded_process(
        tmp_path, lock_held_by_another_thread):
    out = tmp_path / "report.txt"
    process = processes.start_process(report, (str(out),), "report")
    process.join(120)
    free, parent, parent_threads = out.read_text().split()
    assert process.exitcode == 0
    assert free == "True", "the child found a lock that another thread of the parent holds: it was forked"
    assert int(parent) != os.getpid()  # forked by the forkserver...
    assert parent_threads == "1"  # ...which has no threads, even with the optimiser preloaded


def loaded_modules(path: str) -> None:
    """In the child: which of the modules a run needs were already imported when it started."""
    import sys

    wanted = ("pyomo.environ", "highspy", "pandas", "sqlalchemy.orm", "optimiser.rolling", "optimiser.model",
              "optimiser.backtest", "services.optimisation_runs", "data_access.runs")
    Path(path).write_text(" ".join(name for name in wanted if name not in sys.modules))


def test_a_run_process_starts_with_the_optimiser_already_imported(tmp_path):
    """The forkserver preloads what a run imports, so no run pays Pyomo's import as it starts."""
    out = tmp_path / "missing.txt"
    process = processes.start_process(loaded_modules, (str(out),), "modules")
    process.join(120)
    assert process.exitcode == 0
    assert out.read_text() == "", f"imported by each run, not preloaded: {out.read_text()}"


def test_a_study_pool_worker_comes_from_the_forkserver(tmp_path, lock_held_by_another_thread):
    out = tmp_path / "report.txt"
    with processes.process_pool(1) as pool:
        pool.submit(report, str(out)).result(timeout=120)
    free, parent, parent_threads = out.read_text().split()
    assert (free, parent_threads) == ("True", "1") and int(parent) != os.getpid()


def callback_output(value: int) -> dict:
    """A Dash background callback's body: proves it ran in a process where ``HELD`` is free."""
    return {"value": value * 2, "lock_free": HELD.acquire(timeout=5), "pid": os.getpid()}


def test_dash_background_callbacks_start_by_spawn_not_by_forking_the_server(tmp_path, lock_held_by_another_thread):
    from jobs.background import make_background_manager
    from settings import Settings

    manager = make_background_manager(Settings(POWERDESK_INSTANCE_PATH=str(tmp_path)))
    assert isinstance(manager, processes.SpawnDiskcacheManager)
    job_fn = manager.make_job_fn(callback_output, progress=False)
    pid = manager.call_job_fn("job-key", job_fn, [21], {"args_grouping": [], "using_outputs_grouping": []})
    deadline = time.monotonic() + 120
    while not manager.result_ready("job-key"):
        assert time.monotonic() < deadline, "the background job never stored a result"
        time.sleep(0.05)
    result = manager.get_result("job-key", pid)
    assert result["value"] == 42 and result["pid"] == pid != os.getpid()
    assert result["lock_free"] is True, "the job found a lock another thread of the server holds: it was forked"
    assert isinstance(manager.handle, diskcache.Cache)


def test_a_detached_program_starts_in_its_own_session_with_its_output_in_the_log(tmp_path):
    import sys

    log_path = tmp_path / "out.log"
    child = processes.start_detached([sys.executable, "-c", "import os; print(os.getsid(0))"], tmp_path, log_path,
                                     processes.child_environment(tmp_path))
    assert child.wait(60) == 0
    assert int(log_path.read_text().strip()) == child.pid  # a new session, led by the child itself


def test_every_process_start_in_the_product_goes_through_jobs_processes():
    """No product module but jobs/processes.py starts a process itself (a fork context, a pool, Popen)."""
    import re

    root = Path(__file__).resolve().parents[2]
    starts = re.compile(r"get_context\(|ProcessPoolExecutor\(|subprocess\.Popen\(|os\.fork\(|(?<!psutil\.)\bProcess\(")
    offenders = []
    for package in ("app.py", "api", "callbacks", "cli", "jobs", "services", "data_access", "security"):
        for path in [root / package] if package.endswith(".py") else sorted((root / package).rglob("*.py")):
            if path.name != "processes.py" and starts.search(path.read_text()):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_no_worker_redirects_the_process_s_output():
    """Neither the optimiser nor the jobs capture or redirect stdout globally (Pyomo's ``capture_output``
    swaps file descriptors under a process-wide lock), and Celery workers keep their own stdout."""
    from jobs.background import _celery_app

    root = Path(__file__).resolve().parents[2]
    swaps = ("capture_output(", "redirect_stdout(", "redirect_stderr(", "sys.stdout =", "os.dup2(")
    offenders = [str(path.relative_to(root)) for package in ("optimiser", "jobs", "services")
                 for path in sorted((root / package).rglob("*.py"))
                 if any(swap in line for line in path.read_text().splitlines()
                        if not line.lstrip().startswith(("#", "-", "``")) for swap in swaps)]
    assert offenders == []
    assert _celery_app("redis://127.0.0.1:1/0", 60.0).conf.worker_redirect_stdouts is False
