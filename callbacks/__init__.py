"""Dash callbacks, one module per page. Each module's ``register(app)`` adds its callbacks.

Callbacks are registered on the app passed in (not the global ``dash.callback``), so several
apps in one process (the tests) each get their own, and nothing imports ``app`` back.
"""

from __future__ import annotations

import dash


def register_callbacks(app: dash.Dash) -> None:
    from callbacks import overview, prices, runs, theme, users

    for module in (theme, overview, prices, runs, users):
        module.register(app)
