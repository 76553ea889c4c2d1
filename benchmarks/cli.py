"""Benchmark the command line: ``python -c "import app"``, ``flask user list`` and ``flask optimise run``.

Run from the repository root (not part of the test suite)::

    .venv/bin/python benchmarks/cli.py            # best of 3
    .venv/bin/python benchmarks/cli.py --repeat 5

Each figure is the wall time and the CPU time (user + sys) of a fresh process, as a user types the command, on a
temporary SQLite
database holding the synthetic prices of ``benchmarks/run_page.py`` (the seed's whole hours repeated);
every ``optimise run`` has a different name and battery, so none reopens a stored run. The reference,
measured in the same run, is a bare ``python -c "import flask, sqlalchemy, dash"``: the libraries any
command needs, which no change here can make cheaper.

``flask user list`` stands for a command that does not optimise (it loads the app, opens the database, prints).
It is timed twice: as the test environment runs it, where ``rich`` is installed (``schemathesis`` needs it) and
Flask-Limiter's plugin command imports it for every ``flask`` command, and with ``rich`` unimportable, as a
runtime install (``make install``, the container) runs it: no runtime dependency brings ``rich``.
On a busy machine compare CPU seconds, of two trees one after the other; wall time says little there.

Targets: start-up ≤ 1.5 s (``import app`` and a command that does not optimise), 365 days ≤ 3 s end to end.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # ahead of benchmarks/, whose optimiser.py would shadow the package

from benchmarks.run_page import store_prices  # noqa: E402
from data_access import migrate  # noqa: E402
from data_access.engine import Database  # noqa: E402

STARTUP_TARGET_S, YEAR_TARGET_S = 1.5, 3.0
BEFORE = """before this branch (same machine, load average 10-18 on 2 cores, so inflated several times):
  import app 7.9 s (of it 1.5 s an Argon2 hash computed at import in security/passwords.py)
  the issue's figures on a quiet machine: start-up ≈ 7 s, 365 days 13 s (prices read twice 1.3 s, a status
  SELECT per day 0.6 s, storing 1.2 s)
after (this branch, load average 13 on 2 cores, best of 1): the reference import took 14.1 s, import app 19.2 s
  (1.4× the reference), optimise run 1 day 50 s, 365 days 82 s: at that load no figure says anything about the
  targets; the 1-day run's 50 s points at a fixed cost beyond imports that was not yet looked into. Measure again
  on an idle machine.
branch speed2 (lazy Pyomo, Alembic, UI, API and CLI modules for commands that do not serve), best of 3:
  load 2.2: main: reference 0.56 s, import app 0.92 s, flask user list 2.46 s; speed2 before its lazy CLI modules:
    reference 0.57 s, import app 0.97 s (met), flask user list 1.73 s, optimise run 1 day 2.24 s, 365 days 4.30 s
  load 1.8-2.6, one after the other: main flask user list 5.28 s = 4.4x its reference (1.19 s);
    speed2 final 2.50 s = 2.0x its reference (1.25 s)
branch speed4 (bulk interval insert, prices parsed at once, Core status reads, no Dash for commands that serve
  nothing): CPU seconds (user + sys) of optimise run 365 days, main vs speed4 interleaved at load 10-12:
  4.83 / 4.59 / 4.85 -> 3.96 / 4.05 / 3.75 (wall time at that load says nothing; measure it on an idle machine)
branch cli5 (start-up frozen out of the garbage collector's scans, no HiGHS/numpy in `import optimiser`, no
  requests in a run): CPU seconds, main and cli5 alternating one command at a time, six pairs at load 8-9:
  optimise run 365 days median 4.68 -> 4.29 (min 4.40 -> 4.03); flask user list median 1.71 -> 1.17 (min 1.51 ->
  1.07). Not measured on an idle machine."""


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of ``command`` in a fresh process."""
    cpu_before, started = _children_cpu_s(), time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - started, _children_cpu_s() - cpu_before
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, cpu


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The least wall and the least CPU seconds of several runs (each its own minimum)."""
    return min(wall for wall, _ in runs), min(cpu for _, cpu in runs)


WITHOUT_RICH = ("import runpy, sys; sys.modules['rich'] = None; sys.argv = ['flask', 'user', 'list']; "
                "runpy.run_module('flask', run_name='__main__')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    flask = str(Path(python).with_name("flask"))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'cli.db'}"
        migrate.upgrade(url)
        db = Database.from_url(url)
        store_prices(db)
        db.dispose()
        env = {**os.environ, "DATABASE_URL": url, "POWERDESK_INSTANCE_PATH": str(Path(folder) / "instance"),
               "SECRET_KEY": "benchmark-secret-key", "FLASK_APP": "app", "PYTHONPATH": str(REPO)}
        repeat = range(args.repeat)
        reference = best([timed([python, "-c", "import flask, sqlalchemy, dash"], env) for _ in repeat])
        startup = best([timed([python, "-c", "import app"], env) for _ in repeat])
        command = best([timed([flask, "user", "list"], env) for _ in repeat])
        runtime_command = best([timed([python, "-c", WITHOUT_RICH], env) for _ in repeat])
        runs = {}
        counter = iter(range(1, 1000))
        for days, (first, last) in {1: ("2023-02-01", "2023-02-01"), 365: ("2022-01-01", "2022-12-31")}.items():
            runs[days] = best([timed([flask, "optimise", "run", "--start", first, "--end", last, "--power-mw",
                                      str(100 - next(counter)), "--name", f"bench {days}"], env) for _ in repeat])
    load = os.getloadavg()
    print(f"machine load average (1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"best of {args.repeat}, seconds of a fresh process: wall (CPU, user + sys); targets are wall seconds")

    def line(label: str, figures: tuple[float, float], target: float | None = None) -> None:
        wall, cpu = figures
        verdict = f"  target ≤ {target} s: {'met' if wall <= target else 'MISSED'}" if target else ""
        print(f"  {label:<48}{wall:5.2f} ({cpu:.2f} CPU) = {wall / reference[0]:.1f}× reference{verdict}")

    line("reference: import flask, sqlalchemy, dash", reference)
    line("import app", startup, STARTUP_TARGET_S)
    line("flask user list", command, STARTUP_TARGET_S)
    line("flask user list, rich absent (runtime install)", runtime_command, STARTUP_TARGET_S)
    line("flask optimise run, 1 day", runs[1])
    line("flask optimise run, 365 days", runs[365], YEAR_TARGET_S)
    print(BEFORE)


if __name__ == "__main__":
    main()
