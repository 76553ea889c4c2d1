"""Every process Powerdesk starts goes through this module.

The rule: **never fork a process that has started threads.** A fork copies only the calling thread, but
every lock the other threads held at that instant (SQLite's global mutex, the logging module's locks,
Pyomo's output-capture lock, a connection pool's mutex) is copied held, and the child waits on it for
ever. The web server is threaded (the dev server's request threads, gunicorn's gthread workers, the
run watchers, SQLAlchemy's pool), and so is any process that writes heartbeats, so nothing here forks
the calling process:

- ``start_process``: a local optimisation run (``jobs.background``). A ``forkserver`` context: a clean
  single-threaded server process, started once (by fork+exec, not a bare fork) with the optimiser and
  the runs service preloaded (``set_forkserver_preload``), forks each run from itself, so a run starts
  without importing Pyomo, pandas and SQLAlchemy again;
- ``process_pool``: the pool solving a study's points (``jobs.studies``), on the same forkserver;
- ``start_detached``: a separate program (the detached study process, ``python -m jobs.studies``), by
  ``subprocess``, whose fork+exec runs no Python between the two, so nothing can wait on a copied lock;
- ``SpawnDiskcacheManager``: Dash's diskcache background callbacks. Stock ``DiskcacheManager`` starts each
  job with ``multiprocess.Process`` in the default (fork) context from the threaded web server; here
  each job is a ``spawn`` (a fresh interpreter; ``multiprocess`` pickles the job with dill).

Everything handed to a child crosses a pickle: ids, URLs and ``Settings`` (a pydantic model), never an
engine, a session or an open file. The helpers take module-level functions for the same reason.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

START_METHOD = "forkserver"
"""How runs and study points start. Never ``fork`` (see the module docstring)."""
PRELOAD = ("services.optimisation_runs", "optimiser.rolling", "optimiser.backtest", "data_access.runs",
           "data_access.prices", "jobs.background", "jobs.studies")
"""Imported once in the forkserver, so every run forked from it starts with Pyomo, HiGHS, pandas and
SQLAlchemy already loaded. Named by the modules that import Pyomo: ``optimiser`` itself imports it only on
first use, so preloading the package alone left every run importing Pyomo as it started (0.3 s of CPU, a
third of a 30-day run). None of them starts a thread at import (``test_processes`` checks)."""


@functools.cache
def run_context() -> multiprocessing.context.BaseContext:
    """The multiprocessing context every run and study pool uses: a forkserver with the optimiser preloaded."""
    context = multiprocessing.get_context(START_METHOD)
    context.set_forkserver_preload(list(PRELOAD))
    return context


def start_process(target: Callable[..., object], args: tuple, name: str) -> multiprocessing.Process:
    """Start ``target(*args)`` in a new process forked from the forkserver (never from this process);
    ``target`` is a module-level function and ``args`` pickle. Returns the started process."""
    process = run_context().Process(target=target, args=args, name=name, daemon=False)
    process.start()
    return process


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes forked from the forkserver (a study's points)."""
    return ProcessPoolExecutor(workers, mp_context=run_context())


def start_detached(command: Sequence[str], cwd: Path, log_path: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start a separate program in its own session, its output appended to ``log_path``: it outlives the
    web request (and the server process) that started it. fork+exec, so no Python runs in a forked copy."""
    with open(log_path, "ab") as log_file:
        return subprocess.Popen(list(command), cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env)


@functools.cache
def _spawn_diskcache_manager() -> type:
    from dash import DiskcacheManager  # the UI's: a command that serves nothing imports no Dash

    class SpawnDiskcacheManager(DiskcacheManager):
        """Dash's ``DiskcacheManager`` whose jobs start as ``spawn`` processes instead of forks of the
        (threaded) web server. The job function and its arguments are pickled with dill by ``multiprocess``;
        results, progress and cancellation go through the diskcache as before."""

        def call_job_fn(self, key, job_fn, args, context):
            from multiprocess import get_context  # Dash's own dependency for this manager

            process = get_context("spawn").Process(target=job_fn,
                                                   args=(key, self._make_progress_key(key), args, context))
            process.start()
            return process.pid

    SpawnDiskcacheManager.__module__, SpawnDiskcacheManager.__qualname__ = __name__, "SpawnDiskcacheManager"
    return SpawnDiskcacheManager


def __getattr__(name: str):
    """``SpawnDiskcacheManager``: made, importing Dash, on first use (by the served UI alone)."""
    if name == "SpawnDiskcacheManager":
        return _spawn_diskcache_manager()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def child_environment(root: Path) -> dict[str, str]:
    """The environment of a detached Powerdesk program: this one's, with the code's folder importable."""
    return {**os.environ, "PYTHONPATH": str(root)}
