"""What a process imports before it does any work: ``import app`` and a ``flask`` command that does not solve
must not pay for Pyomo (the solver) or Alembic (migrations), nor a command that does not serve the UI for the
Dash pages and callbacks (issue 21, CLI start-up). Each check runs a fresh interpreter, as a user's command does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import FLASK_COMMANDS_SERVING_UI, flask_command_without_ui
from data_access import migrate

REPO = Path(__file__).resolve().parents[2]


def environment(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'startup.db'}"
    migrate.upgrade(url)
    return {**os.environ, "DATABASE_URL": url, "POWERDESK_INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "startup-imports-test-key", "FLASK_APP": "app", "PYTHONPATH": str(REPO)}


MODULES = "('pyomo', 'alembic', 'callbacks', 'pages', 'pandas', 'cli.prices', 'dash', 'highspy', 'numpy')"
REPORT = f"import json, sys; print(json.dumps({{m: m in sys.modules for m in {MODULES}}}))"


def test_import_app_does_not_import_pyomo_or_alembic(tmp_path):
    done = subprocess.run([sys.executable, "-c", f"import app; {REPORT}"], cwd=REPO, env=environment(tmp_path),
                          capture_output=True, text=True, check=True)
    imported = json.loads(done.stdout)
    assert imported["pyomo"] is False
    assert imported["alembic"] is False
    assert imported["pandas"] is False


def test_a_flask_command_that_does_not_serve_builds_no_ui_and_imports_no_pyomo(tmp_path):
    # `flask user list` as the console script runs it, reporting at exit what the process imported.
    script = ("import atexit, runpy, sys\n"
              "import json\n"
              f"atexit.register(lambda: print(json.dumps({{m: m in sys.modules for m in {MODULES}}})))\n"
              "sys.argv = ['flask', 'user', 'list']\n"
              "runpy.run_module('flask', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment(tmp_path),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert imported == {"pyomo": False, "alembic": False, "callbacks": False, "pages": False, "pandas": False,
                        "cli.prices": False, "dash": False,  # only the module of `user` among the CLI's; no UI
                        "highspy": False, "numpy": False}  # `import optimiser` (its error types) loads no solver


def test_what_an_optimise_run_imports_leaves_out_http_clients(tmp_path):
    # `requests` is for fetching carbon intensity and prices; a run reads them from the database.
    script = "import sys, cli.runs, services.optimisation_runs; print('requests' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment(tmp_path),
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def command_at_exit(argv: list[str], report: str) -> str:
    """A script running ``flask ARGV`` as the console script does, printing ``report`` (an expression) at exit."""
    return ("import atexit, gc, runpy, sys\n"
            f"atexit.register(lambda: print({report}))\n"
            f"sys.argv = {['flask', *argv]!r}\n"
            "runpy.run_module('flask', run_name='__main__')\n")


def test_a_flask_command_keeps_its_start_up_out_of_the_collectors_scans(tmp_path):
    # More objects frozen than the collector still tracks at exit: start-up's objects are not scanned.
    script = command_at_exit(["user", "list"], "gc.get_freeze_count() > len(gc.get_objects())")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=environment(tmp_path),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"


def test_optimise_run_freezes_the_solver_it_imports_too(tmp_path, seeded_sqlite_url):
    env = {**environment(tmp_path), "DATABASE_URL": seeded_sqlite_url}
    pyomo_core = "sys.modules['pyomo.core'].__dict__"
    script = command_at_exit(["optimise", "run", "--start", "2023-02-01", "--end", "2023-02-01"],
                             f"not any(o is {pyomo_core} for o in gc.get_objects())")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("Queued run #") and any(line.startswith("Run #1: succeeded") for line in lines)
    assert lines[-1] == "True"


def test_commands_run_inside_another_process_freeze_nothing(server):
    # A test (or a server) invoking commands in its own process keeps collecting all its garbage.
    import gc

    frozen = gc.get_freeze_count()
    runner = server.test_cli_runner()
    result = runner.invoke(args=["optimise", "run", "--start", "2023-02-01", "--end", "2023-02-01"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["user", "list"]).exit_code == 0
    assert gc.get_freeze_count() == frozen


@pytest.mark.parametrize(("argv", "without_ui"), [
    (["flask", "user", "list"], True),
    (["flask", "--app", "app", "optimise", "run"], True),
    (["flask", "-A", "run", "db", "current"], True),  # "run" here is the app option's value, not the command
    (["flask", "--help"], True),
    (["flask", "run", "--port", "8050"], False),
    (["flask", "--app", "app", "--debug", "routes"], False),
    (["flask", "-e", ".env", "shell"], False),
])
def test_which_flask_commands_get_the_ui(monkeypatch, argv, without_ui):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    assert flask_command_without_ui(argv) is without_ui
    assert {"run", "routes", "shell"} == FLASK_COMMANDS_SERVING_UI


def test_outside_the_flask_command_line_the_app_always_has_its_ui(monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    assert flask_command_without_ui(["gunicorn", "app:server"]) is False


def test_every_cli_command_is_found_by_loading_only_the_modules_the_map_names():
    import click
    from flask import Flask

    from cli import CLI_MODULES, COMMAND_MODULES, register_cli

    everything = Flask("all")
    register_cli(everything)
    context = click.Context(everything.cli)
    names = everything.cli.list_commands(context)
    assert set(names) == set(COMMAND_MODULES)
    for name in names:
        server = Flask(name)
        register_cli(server)
        command = server.cli.get_command(context, name)
        assert command is not None
        assert server.cli._loaded == set(COMMAND_MODULES[name]) <= set(CLI_MODULES), name
        if isinstance(command, click.Group):  # e.g. `optimise study` comes from cli/studies.py
            assert set(command.list_commands(context)) == set(
                everything.cli.get_command(context, name).list_commands(context)), name


def runtime_requirements(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """Every distribution a runtime install of ``name`` (with ``extras``) brings, by the installed metadata."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, set[str]] = {}
    todo = [(name, extras)]
    while todo:
        distribution, wanted = todo.pop()
        key = canonicalize_name(distribution)
        if key in found and wanted <= found[key]:
            continue
        found.setdefault(key, set()).update(wanted)
        try:
            requires = metadata.distribution(distribution).requires or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            environments = [{"extra": extra} for extra in wanted or {""}]
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
                todo.append((requirement.name, frozenset(requirement.extras)))
    return set(found)


def test_no_runtime_dependency_brings_rich():
    # Flask-Limiter's plugin command (loaded by `flask` before the app) imports rich when it is installed:
    # 0.05-0.2 s of every command. Only the test extra (schemathesis) installs it; a runtime install does not.
    assert "rich" not in runtime_requirements("powerdesk")
    assert "rich" in runtime_requirements("powerdesk", frozenset({"test"}))  # the walk does find it
