"""Battery optimiser: day-ahead then intraday trading of a GB grid battery, with Pyomo and HiGHS.

Pure: no Flask, Dash or SQL. The web app calls ``optimise`` with a price frame,
a date range and ``BatteryParams``, and stores the ``OptimisationResult``.
``python -m optimiser run ...`` does the same from the command line.

Reading order: ``params`` (inputs) → ``prices`` (input checks) → ``model``
(variables, constraints, objective) → ``solver`` (persistent HiGHS) →
``status`` (solver outcomes) → ``rolling`` (day by day, two stages) →
``results`` and ``baselines`` (outputs).
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
from optimiser.prices import read_price_csv
from optimiser.results import INTERVAL_COLUMNS, Baselines, OptimisationResult, SolverStats, Totals
from optimiser.rolling import optimise
from optimiser.status import RunStatus

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
