"""Pyomo's persistent HiGHS interface, adapted to re-solving one fixed model thousands of times."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.version
from pyomo.common.errors import PyomoException
from pyomo.common.timing import HierarchicalTimer
from pyomo.contrib.appsi.cmodel import cmodel, cmodel_available
from pyomo.contrib.appsi.solvers.highs import Highs, _MutableConstraintBounds, _MutableObjectiveCoefficient
from pyomo.core.base.param import ParamData

from optimiser.params import SolverSettings

_FEASIBLE = 2
"""HiGHS's ``primal_solution_status`` for a feasible point."""


@functools.cache
def solver_description() -> str:
    """Which solver, which version, through which interface: reported with every result."""
    version = ".".join(str(part) for part in PersistentHighs().version())
    return f"HiGHS {version} via Pyomo {pyomo.version.version} (appsi persistent interface)"


def _evaluator(expr) -> Callable[[], float]:
    """A zero-argument callable giving ``expr``'s current value.

    A bare mutable Param, the only kind this model uses, is read from its stored value: the symmetric read of
    ``Param.store_values(check=False)``, which is how ``DayProblem`` writes it, and far cheaper than calling the
    Param. Anything else is evaluated by calling it.
    """
    if isinstance(expr, int | float):
        constant = float(expr)
        return lambda: constant
    if isinstance(expr, ParamData):
        return lambda: expr._value
    return expr


def _reader(exprs: list) -> Callable[[], np.ndarray]:
    """A zero-argument callable giving the current values of ``exprs`` as one float array.

    When every expression is a bare mutable Param, as in this model, their stored values are read in one
    ``map`` over the Params with no Python-level call per value; otherwise each goes through ``_evaluator``.
    """
    count = len(exprs)
    if all(isinstance(e, ParamData) for e in exprs):
        params = list(exprs)
        return lambda: np.fromiter(map(_STORED_VALUE, params), dtype=float, count=count)
    evaluators = [_evaluator(e) for e in exprs]
    return lambda: np.fromiter((e() for e in evaluators), dtype=float, count=count)


_STORED_VALUE = operator.attrgetter("_value")


@dataclass(frozen=True)
class HighsRun:
    """How one HiGHS run ended."""

    model_status: highspy.HighsModelStatus
    has_solution: bool
    """HiGHS holds a primal-feasible point (an LP stopped early may hold an infeasible one)."""
    objective: float | None
    bound: float | None
    """Best bound on the objective: the MIP dual bound for a MILP, the objective for an optimal LP."""


class PersistentHighs(Highs):
    """Pyomo's persistent HiGHS interface (``appsi``), trimmed for thousands of re-solves of one fixed model.

    Pyomo builds the model and keeps the map from its variables, constraints and mutable Params to HiGHS's
    columns and rows; ``resolve`` then pushes the changed Param values and runs HiGHS from its last basis.
    Where the stock interface costs more than a one-day LP itself, or misbehaves on repeated runs, it is
    overridden:

    - the stock ``solve`` searches the model for added, removed or changed components before every run and
      wraps each run in results objects and timers; this model's structure never changes, so ``resolve`` only
      pushes Param values, runs, and reads HiGHS's status (``update`` is trimmed the same way, for callers of
      the stock ``solve``);
    - ``update_params`` makes one highspy call per coefficient and bound; here they go in two bulk calls;
    - the stock ``_solve`` assigns ``HandleKeyboardInterrupt = True`` before every run, and highspy 1.15
      subscribes one more interrupt callback on each assignment (HiGHS issue #3251), so the N-th re-solve
      calls back into Python N times per simplex iteration: a year of daily solves slows quadratically.
      Neither path here sets it (Ctrl-C does not interrupt a solve; the time limit bounds it);
    - HiGHS checks ``time_limit`` against its clock summed over every run of the instance (HiGHS #1331,
      #1477), so after a minute of daily solves every later solve would stop at once. Each run here gets
      the limit on top of the time already on the clock;
    - the stock ``set_instance`` builds the model inside ``capture_output(capture_fd=True)``, which swaps the
      process's stdout/stderr file descriptors under Pyomo's ``capture_output_lock``. Once anything imports
      multiprocessing that lock is a process-shared semaphore, so a run process killed on cancel while it
      held the lock left every later run in its parent (the web server forks them) to fail with
      "Deadlock starting capture_output" 200 s later; and swapping fds 1 and 2 in a threaded server would
      take every thread's output. HiGHS's own output is switched off here instead, before anything is
      loaded, so nothing needs capturing.

    The overrides lean on appsi internals as of Pyomo 6.10 (its mutable-term helpers and index maps); the
    reference-model tests fail loudly if an upgrade changes them.
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

    def set_instance(self, model) -> None:
        """The stock ``set_instance`` without ``capture_output`` (see the class docstring)."""
        if self._last_results_object is not None:
            self._last_results_object.solution_loader.invalidate()
        if not self.available():
            raise PyomoException(f"the HiGHS solver is not available ({self.available()})")
        self._reinit()
        self._model = model
        if self.use_extensions and cmodel_available:
            self._expr_types = cmodel.PyomoExprTypes()
        highs = self._solver_model = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", float(self.config.mip_gap))
        self.add_block(model)
        if self._objective is None:
            self.set_objective(None)

    def resolve(self) -> HighsRun:
        """Push changed Param values to HiGHS, run it from its last basis, and report how it ended."""
        self.update_params()
        highs = self._solver_model
        self._set_time_limit()
        highs.run()
        has_solution = self._info("primal_solution_status") == _FEASIBLE
        status = highs.getModelStatus()
        objective = self._info("objective_function_value") if has_solution else None
        if self._info("mip_node_count") >= 0:  # a MILP was solved
            bound = self._info("mip_dual_bound")
        else:
            bound = objective if status == highspy.HighsModelStatus.kOptimal else None
        return HighsRun(status, has_solution, objective, bound)

    def _info(self, name: str):
        """One entry of HiGHS's info after a run (``getInfo`` would copy every entry, ten times the cost)."""
        _, value = self._solver_model.getInfoValue(name)
        return value

    def _set_time_limit(self) -> None:
        limit = self.config.time_limit
        total = float("inf") if limit is None else self._solver_model.getRunTime() + float(limit)
        self._solver_model.setOptionValue("time_limit", total)

    def column_values(self) -> np.ndarray:
        """Values of every HiGHS column in the last solution."""
        return np.asarray(self._solver_model.getSolution().col_value, dtype=float)

    def columns_of(self, variables: list) -> np.ndarray:
        """HiGHS column index of each Pyomo variable in ``variables`` (fixed once the model is loaded)."""
        return np.array([self._pyomo_var_to_solver_var_map[id(v)] for v in variables], dtype=np.int64)

    # --- the stock solve path, kept safe for callers of ``solve`` -------------------------------------------

    def update(self, timer: HierarchicalTimer | None = None) -> None:
        """Push changed Param values to HiGHS, and nothing else (the model's structure never changes)."""
        self.update_params()

    def _solve(self, timer: HierarchicalTimer):
        highs = self._solver_model
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", float(self.config.mip_gap))
        for key, option in self.highs_options.items():
            highs.setOptionValue(key, option)
        self._set_time_limit()
        timer.start("optimize")
        highs.run()
        timer.stop("optimize")
        return self._postsolve(timer)

    # --- bulk parameter updates -----------------------------------------------------------------------------

    def update_params(self) -> None:
        """Write every mutable objective coefficient and constraint bound to HiGHS in two bulk calls.

        Any other kind of mutable term (none in this model) keeps its stock one-at-a-time update.
        """
        self._sol = None  # appsi's cached solution no longer matches the model
        if self._bulk is None:
            self._bulk = self._plan_bulk_updates()
        cost_cols, costs, bound_rows, lower, upper, others = self._bulk
        highs = self._solver_model
        if len(cost_cols):
            highs.changeColsCost(len(cost_cols), cost_cols, costs())
        if len(bound_rows):
            highs.changeRowsBounds(len(bound_rows), bound_rows, lower(), upper())
        for helper in others:
            helper.update()

    def _plan_bulk_updates(self):
        cost_cols, cost_exprs, others = [], [], []
        for helper in self._objective_helpers:
            if isinstance(helper, _MutableObjectiveCoefficient):
                cost_cols.append(self._pyomo_var_to_solver_var_map[helper.pyomo_var_id])
                cost_exprs.append(helper.expr)
            else:
                others.append(helper)
        bound_rows, lower_exprs, upper_exprs = [], [], []
        for con, helpers in self._mutable_helpers.items():
            for helper in helpers:
                if isinstance(helper, _MutableConstraintBounds):
                    bound_rows.append(self._pyomo_con_to_solver_con_map[con])
                    lower_exprs.append(helper.lower_expr)
                    upper_exprs.append(helper.upper_expr)
                else:
                    others.append(helper)
        others += [helper for _, helper in self._mutable_bounds.values()]
        return (
            np.array(cost_cols, dtype=np.int32),
            _reader(cost_exprs),
            np.array(bound_rows, dtype=np.int32),
            _reader(lower_exprs),
            _reader(upper_exprs),
            others,
        )
