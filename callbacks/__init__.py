"""Dash callbacks, one module per page. Each module's ``register(app)`` adds its callbacks.

Callbacks are registered on the app passed in (not the global ``dash.callback``), so several
apps in one process (the tests) each get their own, and nothing imports ``app`` back.
"""

from __future__ import annotations

import importlib

import dash

CALLBACK_MODULES = (
    "theme",
    "overview",
    "prices",
    "runs",
    "run_form",
    "run_clone",
    "forecast_tab",
    "users",
    "studies",
    "profile",
    "carbon",
    "turbines",
    "meters",
    "audit",
    "keys",
    "not_found",
)
"""A new page adds its callbacks module's name on a line of its own."""


def register_callbacks(app: dash.Dash) -> None:
    for name in CALLBACK_MODULES:
        importlib.import_module(f"callbacks.{name}").register(app)
