"""`flask --app app ...` commands.

``CLI_MODULES`` names every module here with a ``register_cli(server)``, in order (``studies`` adds
``optimise study`` to the group ``runs`` defines); a new feature adds its
own module (``cli/<feature>.py``) and its name on a line of its own.
"""

import importlib

import click
from flask import Flask
from flask.cli import AppGroup

from cli.start_up import freeze_late_imports

CLI_MODULES = (
    "commands",
    "runs",
    "studies",
    "email",
    "carbon",
    "prices",
    "turbines",
    "operational",
    "meters",
)


COMMAND_MODULES = {
    "setup": ("commands",), "db": ("commands",), "demo": ("commands",), "user": ("commands",),
    "apikey": ("commands",), "optimise": ("runs", "studies"), "email": ("email",), "carbon": ("carbon",),
    "prices": ("prices",), "turbine": ("turbines",), "operational": ("operational",), "meters": ("meters",),
}
"""Which modules of ``CLI_MODULES`` a top-level command needs. A command missing here is still found: asking for
it loads every module. (Only start-up time depends on this map; ``test_startup_imports`` checks it.)"""


class LazyCommands(AppGroup):
    """The server's ``cli``: a command's module is imported when that command is asked for, so ``flask user list``
    does not import what ``flask prices`` or ``flask optimise`` need (pandas among them); listing loads them all."""

    def __init__(self, server: Flask, commands: dict[str, click.Command]):
        super().__init__(server.cli.name, commands=commands)
        self._server = server
        self._loaded: set[str] = set()

    def _load(self, modules) -> None:
        wanted = [name for name in CLI_MODULES if name in modules and name not in self._loaded]
        for name in wanted:
            self._loaded.add(name)
            importlib.import_module(f"cli.{name}").register_cli(self._server)
        if wanted:
            freeze_late_imports()  # pandas and the services a command imports: start-up too

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(COMMAND_MODULES.get(cmd_name, ()))
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load(CLI_MODULES)
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load(CLI_MODULES)
        return super().list_commands(ctx)


def register_cli(server: Flask) -> None:
    server.cli = LazyCommands(server, dict(server.cli.commands))
