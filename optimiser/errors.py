"""Every error the optimiser raises, with messages written for a trader.

A message says what is wrong in the trader's terms and, where it can, what
to change ("initial SoC 1.2 is above the maximum 0.9"). Callers catch
``OptimiserError`` to show the message as it is; the subclasses let a caller
tell bad input (fix the form) from a problem with no answer (change the
battery or the dates) from a solver that failed (try again, or raise the
time limit).
"""

from __future__ import annotations

from datetime import date


class OptimiserError(Exception):
    """Base of every optimiser error; ``str(error)`` is the message to show."""


class InvalidParameters(OptimiserError):
    """Battery parameters, solver settings, markets mode or date range are not usable."""


class InvalidPrices(OptimiserError):
    """The price (or carbon-intensity) data do not cover the range cleanly."""


class InfeasibleProblem(OptimiserError):
    """No schedule satisfies the battery's limits on some settlement date."""

    def __init__(self, message: str, settlement_date: date | None = None) -> None:
        super().__init__(message)
        self.settlement_date = settlement_date


class SolverTimeLimit(OptimiserError):
    """The solver reached its time limit before finding any schedule for a day."""

    def __init__(self, message: str, settlement_date: date | None = None) -> None:
        super().__init__(message)
        self.settlement_date = settlement_date


class SolverFailed(OptimiserError):
    """The solver stopped with an error, or returned something the optimiser cannot use."""

    def __init__(self, message: str, settlement_date: date | None = None) -> None:
        super().__init__(message)
        self.settlement_date = settlement_date


class StopRequested(Exception):  # noqa: N818 - a request, not an error: it is no OptimiserError on purpose
    """Raised by a ``progress`` callback to stop a run after the day it was just told of (the run was
    cancelled). ``optimise`` stops there and re-raises it with ``partial`` set: the result of the days solved
    so far, as a run over just those days would have returned it (None when no day was solved)."""

    partial = None
