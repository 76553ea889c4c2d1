"""`flask --app app ...` commands.

``CLI_MODULES`` names every module here with a ``register_cli(server)``, in order (``studies`` adds
``optimise study`` to the group ``runs`` defines); a new feature adds its
own module (``cli/<feature>.py``) and its name on a line of its own.
"""

import importlib

from flask import Flask

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


def register_cli(server: Flask) -> None:
    for name in CLI_MODULES:
        importlib.import_module(f"cli.{name}").register_cli(server)
