"""Battery optimiser: day-ahead then intraday trading of a GB grid battery, with Pyomo and HiGHS.

Pure: no Flask, Dash or SQL. The web app calls ``optimise`` with a price frame,
a date range and ``BatteryParams``, and stores the ``OptimisationResult``.
``python -m optimiser run ...`` does the same from the command line.

Reading order: ``params`` (inputs) → ``prices`` (input checks) → ``model``
(variables, constraints, objective) → ``solver`` (persistent HiGHS) →
``status`` (solver outcomes) → ``rolling`` (day by day, two stages) →
``results`` and ``baselines`` (outputs).

``optimise`` (and so Pyomo) and the price and result types (and so pandas) are imported on first use, not with
the package: the web app and every ``flask`` command import the package for its parameter and error types, and
only a solve needs the solver.
"""

from optimiser.errors import (
    InfeasibleProblem,
    InvalidParameters,
    InvalidPrices,
    OptimiserError,
    SolverFailed,
    SolverTimeLimit,
    StopRequested,
)
from optimiser.params import BatteryParams, Markets, SolverSettings
from optimiser.run_status import RunStatus

__all__ = [
    "INTERVAL_COLUMNS",
    "Baselines",
    "BatteryParams",
    "InfeasibleProblem",
    "InvalidParameters",
    "InvalidPrices",
    "Markets",
    "OptimisationResult",
    "OptimiserError",
    "RunStatus",
    "SolverFailed",
    "SolverSettings",
    "SolverStats",
    "StopRequested",
    "SolverTimeLimit",
    "Totals",
    "optimise",
    "read_price_csv",
]


_LAZY = {"optimise": "optimiser.rolling", "read_price_csv": "optimiser.prices",
         **dict.fromkeys(("INTERVAL_COLUMNS", "Baselines", "OptimisationResult", "SolverStats", "Totals"),
                         "optimiser.results")}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'optimiser' has no attribute {name!r}")
