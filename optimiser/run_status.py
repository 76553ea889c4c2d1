"""A solve's outcome as callers show it (``RunStatus``) and the worst of several, without the solver:
``optimiser.status`` maps HiGHS's statuses to these, and ``import optimiser`` (every ``flask`` command) needs
only these, not HiGHS and numpy."""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    OPTIMAL = "optimal"
    SUBOPTIMAL = "suboptimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT_NO_SOLUTION = "time_limit_no_solution"
    SOLVER_ERROR = "solver_error"

    @property
    def has_schedule(self) -> bool:
        """True when the outcome comes with a usable schedule."""
        return self in (RunStatus.OPTIMAL, RunStatus.SUBOPTIMAL)

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {status: rank for rank, status in enumerate(RunStatus)}
"""Each status's place in ``RunStatus``'s order, worst last."""


def worst(statuses: list[RunStatus]) -> RunStatus:
    """The most severe of ``statuses`` (optimal when there are none)."""
    return max(statuses, key=lambda s: s.severity, default=RunStatus.OPTIMAL)
