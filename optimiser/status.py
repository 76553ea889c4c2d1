"""The one place that maps what the solver reports to an outcome a caller can show.

Every solve ends in exactly one ``RunStatus`` (``optimiser.run_status``):

- ``optimal``: solved to optimality (a MILP within the MIP gap);
- ``suboptimal``: the time limit stopped a MILP that had a schedule; it is used, with its gap;
- ``infeasible``: no schedule satisfies the battery's limits;
- ``time_limit_no_solution``: the time limit came before any schedule was found;
- ``solver_error``: anything else (numerical trouble, an unbounded model, an unknown status).

A run's status is the worst of its days' statuses, in the order above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import highspy

from optimiser.run_status import RunStatus, worst

__all__ = ["RunStatus", "SolveOutcome", "classify", "worst"]


@dataclass(frozen=True)
class SolveOutcome:
    """What one solve ended in."""

    status: RunStatus
    detail: str
    """HiGHS's own name for how it ended (its model status), for logs and messages."""
    objective: float | None = None
    """Objective of the schedule found [£], when there is one."""
    bound: float | None = None
    """Best bound on the objective [£], when known."""

    @property
    def gap(self) -> float | None:
        """Relative gap between the schedule found and the bound (HiGHS's definition), when both are known."""
        if self.objective is None or self.bound is None:
            return None
        diff = abs(self.bound - self.objective)
        if diff == 0:
            return 0.0
        return diff / abs(self.objective) if self.objective else math.inf


_S = highspy.HighsModelStatus
_INFEASIBLE = {_S.kInfeasible, _S.kUnboundedOrInfeasible}
_DETAIL = {status: status.name.removeprefix("k") for status in _S.__members__.values()}
"""HiGHS's name for each model status, without its ``k`` prefix (``Optimal``, ``TimeLimit``, ...)."""
_OTHER_LIMITS = {_S.kIterationLimit, _S.kSolutionLimit, _S.kObjectiveBound, _S.kObjectiveTarget, _S.kInterrupt}


def classify(
    model_status: highspy.HighsModelStatus,
    has_solution: bool,
    objective: float | None = None,
    bound: float | None = None,
) -> SolveOutcome:
    """Map HiGHS's model status (and whether it holds a feasible schedule) to a ``SolveOutcome``."""
    detail = _DETAIL.get(model_status) or getattr(model_status, "name", str(model_status)).removeprefix("k")
    if model_status == _S.kOptimal:
        if not has_solution:
            return SolveOutcome(RunStatus.SOLVER_ERROR, f"{detail} reported without a solution")
        return SolveOutcome(RunStatus.OPTIMAL, detail, objective, bound)
    if model_status in _INFEASIBLE:
        return SolveOutcome(RunStatus.INFEASIBLE, detail)
    if model_status == _S.kTimeLimit:
        if has_solution:
            return SolveOutcome(RunStatus.SUBOPTIMAL, detail, objective, bound)
        return SolveOutcome(RunStatus.TIME_LIMIT_NO_SOLUTION, detail)
    if model_status in _OTHER_LIMITS and has_solution:
        return SolveOutcome(RunStatus.SUBOPTIMAL, detail, objective, bound)
    # Load, model, presolve, solve and postsolve errors, an unbounded model (a modelling bug: every variable
    # is bounded), a memory limit, an unknown status, or a limit reached with nothing to show.
    return SolveOutcome(RunStatus.SOLVER_ERROR, detail)
