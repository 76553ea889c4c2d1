"""Keeping a ``flask`` command's start-up out of the cyclic garbage collector's sight.

A command is a process of its own: the modules, classes and functions its start-up imported and built live
until it exits. Every full collection scans all of them (100,000–200,000 objects, 0.03–0.1 s of CPU each), and
a 365-day ``optimise run`` sets off five or six: two reading a year of prices, one building the solver's
models, one at exit, about 0.4 s in all. ``gc.freeze`` moves what is alive into a generation no collection
scans; what is built afterwards is collected as before, and nothing a command computes changes.

Only the ``flask`` command line's own server (``app``'s lazy ``create_server(with_api=False)``) freezes: a web
server, a worker or a test that runs commands in its own process (``test_cli_runner``) never does, so garbage
left there before a freeze is never kept for the life of such a process.
"""

from __future__ import annotations

import gc

_command_process = False


def freeze_start_up() -> None:
    """The process is a ``flask`` command that serves nothing (``app`` calls this as it builds its server)."""
    global _command_process
    _command_process = True
    gc.freeze()


def freeze_late_imports() -> None:
    """After a command's own late imports (``optimise run``: the solver), in a ``flask`` command's process only."""
    if _command_process:
        gc.freeze()
