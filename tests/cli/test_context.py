"""cli.context: the one place every command gets the app from and turns user errors into one line."""

import ast
from pathlib import Path

import click
import pytest

from cli import CLI_MODULES
from cli.context import context, user_errors
from optimiser import OptimiserError
from services.errors import InvalidInput, NotFound

CLI_DIR = Path(__file__).resolve().parents[2] / "cli"


@pytest.mark.parametrize("error", [InvalidInput("initial SoC 1.2 is above the maximum 0.9"),
                                   NotFound("there is no user called 'zoe'"),
                                   OptimiserError("no prices for 2023-02-01")])
def test_user_errors_become_one_line_click_errors_with_the_message(error):
    with pytest.raises(click.ClickException) as raised, user_errors():
        raise error
    assert raised.value.message == str(error) and raised.value.exit_code == 1


def test_other_errors_pass_through_user_errors_untouched():
    with pytest.raises(KeyError), user_errors():
        raise KeyError("a bug, not the user's input")


def test_context_is_the_running_apps_services(server):
    with server.app_context():
        assert context() is server.extensions["powerdesk"]


def test_no_command_module_defines_its_own_context_or_error_helpers():
    for name in CLI_MODULES:
        tree = ast.parse((CLI_DIR / f"{name}.py").read_text())
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert not defined & {"_context", "_db", "_user_errors", "_fail"}, name
        assert "extensions" not in (CLI_DIR / f"{name}.py").read_text(), name
