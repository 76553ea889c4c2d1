"""Pyomo's persistent HiGHS interface, adapted to re-solving one fixed model thousands of times."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pyomo.version
from pyomo.common.timing import HierarchicalTimer
from pyomo.contrib.appsi.solvers.highs import Highs, _MutableConstraintBounds, _MutableObjectiveCoefficient

from optimiser.params import SolverSettings


@functools.cache
def solver_description() -> str:
    """Which solver, which version, through which interface: reported with every result."""
    version = ".".join(str(part) for part in PersistentHighs().version())
    return f"HiGHS {version} via Pyomo {pyomo.version.version} (appsi persistent interface)"


def _evaluator(expr) -> Callable[[], float]:
    """A zero-argument callable giving ``expr``'s current value (Params and expressions evaluate when called)."""
    if isinstance(expr, int | float):
        constant = float(expr)
        return lambda: constant
    return expr


class PersistentHighs(Highs):
    """Pyomo's persistent HiGHS interface (``appsi``), trimmed for thousands of re-solves of one fixed model.

    Three stock behaviours cost more than a one-day LP itself and are overridden:

    - ``_solve`` assigns ``HandleKeyboardInterrupt = True`` before every run, and highspy 1.15 subscribes one
      more interrupt callback on each assignment (HiGHS issue #3251): the N-th re-solve calls back into
      Python N times per simplex iteration, so a year of daily solves slows quadratically. It also captures
      file-descriptor output around every run, though HiGHS's output is off. Here HiGHS simply runs, with
      its output off, the time limit and the MIP gap (Ctrl-C does not interrupt a solve; the limit bounds it).
    - ``update`` searches the model for added, removed or changed components before every solve; this
      model's structure never changes, so only Param values are pushed.
    - ``update_params`` makes one highspy call per coefficient and bound; here they go in two bulk calls.

    Status mapping and solution handling stay stock. The overrides lean on appsi internals as of Pyomo 6.10
    (its mutable-term helpers and index maps); the reference-model tests fail loudly if an upgrade changes them.
    """

    def __init__(self, settings: SolverSettings | None = None, only_child_vars: bool = True) -> None:
        # Pyomo re-runs __init__ (with only_child_vars) inside set_instance and restores the configuration
        # afterwards, so the settings are applied only when given.
        super().__init__(only_child_vars=only_child_vars)
        self.use_extensions = True  # appsi's compiled expression helpers, when built, speed up loading the model
        self._bulk = None
        if settings is not None:
            self.configure(settings)

    def configure(self, settings: SolverSettings) -> None:
        """Apply the run's solver settings."""
        self.config.load_solution = False
        self.config.time_limit = settings.time_limit_s
        self.config.mip_gap = settings.mip_gap

    def update(self, timer: HierarchicalTimer | None = None) -> None:
        """Push changed Param values to HiGHS, and nothing else.

        A day model's structure never changes after it is built, so the stock update's search for added,
        removed or modified components (and its empty remove/add calls, which re-index every row) is skipped.
        Variable domain changes (the LP/MILP switch) are pushed explicitly with ``update_variables``.
        """
        self.update_params()

    def update_params(self) -> None:
        """Write every mutable objective coefficient and constraint bound to HiGHS in two bulk calls.

        The stock method makes one highspy call per coefficient and per bound; here the values are
        gathered into arrays and passed with ``changeColsCost`` and ``changeRowsBounds``. Any other kind
        of mutable term (none in this model) keeps its stock one-at-a-time update.
        """
        if self._bulk is None:
            self._bulk = self._plan_bulk_updates()
        cost_cols, cost_exprs, bound_rows, lower_exprs, upper_exprs, others = self._bulk
        highs = self._solver_model
        if len(cost_cols):
            costs = np.fromiter((e() for e in cost_exprs), dtype=float, count=len(cost_exprs))
            highs.changeColsCost(len(cost_cols), cost_cols, costs)
        if len(bound_rows):
            lower = np.fromiter((e() for e in lower_exprs), dtype=float, count=len(lower_exprs))
            upper = np.fromiter((e() for e in upper_exprs), dtype=float, count=len(upper_exprs))
            highs.changeRowsBounds(len(bound_rows), bound_rows, lower, upper)
        for helper in others:
            helper.update()

    def _plan_bulk_updates(self):
        cost_cols, cost_exprs, others = [], [], []
        for helper in self._objective_helpers:
            if isinstance(helper, _MutableObjectiveCoefficient):
                cost_cols.append(self._pyomo_var_to_solver_var_map[helper.pyomo_var_id])
                cost_exprs.append(_evaluator(helper.expr))
            else:
                others.append(helper)
        bound_rows, lower_exprs, upper_exprs = [], [], []
        for con, helpers in self._mutable_helpers.items():
            for helper in helpers:
                if isinstance(helper, _MutableConstraintBounds):
                    bound_rows.append(self._pyomo_con_to_solver_con_map[con])
                    lower_exprs.append(_evaluator(helper.lower_expr))
                    upper_exprs.append(_evaluator(helper.upper_expr))
                else:
                    others.append(helper)
        others += [helper for _, helper in self._mutable_bounds.values()]
        return (
            np.array(cost_cols, dtype=np.int32),
            cost_exprs,
            np.array(bound_rows, dtype=np.int32),
            lower_exprs,
            upper_exprs,
            others,
        )

    def _solve(self, timer: HierarchicalTimer):
        highs = self._solver_model
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("time_limit", float(self.config.time_limit))
        highs.setOptionValue("mip_rel_gap", float(self.config.mip_gap))
        for key, option in self.highs_options.items():
            highs.setOptionValue(key, option)
        timer.start("optimize")
        highs.run()
        timer.stop("optimize")
        return self._postsolve(timer)

    def columns_of(self, variables: list) -> np.ndarray:
        """HiGHS column index of each Pyomo variable in ``variables`` (fixed once the model is loaded)."""
        return np.array([self._pyomo_var_to_solver_var_map[id(v)] for v in variables], dtype=np.int64)

    def column_values(self) -> np.ndarray:
        """Values of every HiGHS column in the last solution."""
        return np.asarray(self._sol.col_value, dtype=float)

    def has_feasible_solution(self) -> bool:
        """True when HiGHS holds a primal-feasible schedule (an LP stopped early may hold an infeasible one)."""
        return self._solver_model.getInfo().primal_solution_status == 2
