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
from pyomo.contrib.appsi.utils.get_objective import get_objective
from pyomo.core.base.block import Block
from pyomo.core.base.constraint import Constraint
from pyomo.core.base.objective import maximize, minimize
from pyomo.core.base.param import Param, ParamData
from pyomo.core.base.sos import SOSConstraint
from pyomo.core.base.var import Var, VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.numvalue import is_constant, value

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

_PLAIN_BOUND = (type(None), int, float)
"""Types of a variable bound the one-pass variable loader reads as they are (no expression to evaluate)."""


def _column_domain(interval: tuple) -> tuple:
    """(lower, upper, HiGHS column type, the interval itself) for a domain's ``(lower, upper, step)`` interval,
    as ``_process_domain_and_bounds`` reads it."""
    lb, ub, step = interval
    if step == 0:
        vtype = highspy.HighsVarType.kContinuous
    elif step == 1:
        vtype = highspy.HighsVarType.kInteger
    else:
        raise ValueError(f"Unrecognized domain step: {step} (should be either 0 or 1)")
    return (-highspy.kHighsInf if lb is None else lb, highspy.kHighsInf if ub is None else ub, vtype, interval)


def _bound(bound, infinite: float):
    """A row bound as the stock loader passes it on: ``infinite`` when there is none (None or ±inf), else the
    bound itself (a number, or the mutable Param the bulk updates read)."""
    if bound is None:
        return infinite
    if type(bound) in _NUMBER:
        return infinite if bound == infinite else bound
    if is_constant(bound) and value(bound) == infinite:
        return infinite
    return bound


_NO_LOWER, _NO_UPPER = -highspy.kHighsInf, highspy.kHighsInf


def _linear_row(body) -> tuple[list, list] | None:
    """``body``'s variables and constant coefficients in order, when it is a plain linear sum.

    That is an unfixed variable alone, or a ``LinearExpression`` whose terms are unfixed variables and number ×
    unfixed variable, with no variable twice, no zero coefficient and no constant: the shape every row of this
    model has (see ``optimiser.model``), for which these are exactly the terms ``generate_standard_repn`` gives.
    Anything else returns None, and the caller keeps Pyomo's own path.
    """
    if isinstance(body, VarData):
        return None if body._fixed else ([body], [1])
    return _linear_terms(body, param_coefficients=False)


def _linear_objective(expr) -> tuple[list, list] | None:
    """``expr``'s variables and coefficients in order, when it is a ``LinearExpression`` of unfixed variables, each
    alone or times a nonzero number or a bare mutable Param, no variable twice: the terms ``generate_standard_repn``
    gives (a Param coefficient kept as the Param). Anything else returns None."""
    return _linear_terms(expr, param_coefficients=True)


def _linear_terms(expr, param_coefficients: bool) -> tuple[list, list] | None:
    """The variables and coefficients of a ``LinearExpression`` of unfixed variables, each alone or times a nonzero
    number (or, with ``param_coefficients``, a bare mutable Param), no variable twice; else None."""
    if type(expr) is not LinearExpression:
        return None
    variables, coefs = [], []
    for term in expr.args:
        if type(term) is MonomialTermExpression:
            coef, var = term._args_
            if not isinstance(var, VarData):
                return None
            if param_coefficients and isinstance(coef, ParamData):
                if not coef.parent_component().mutable:
                    return None
            elif type(coef) not in _NUMBER or not coef:
                return None
        elif isinstance(term, VarData):
            coef, var = 1, term
        else:
            return None
        if var._fixed:
            return None
        variables.append(var)
        coefs.append(coef)
    if len(set(map(id, variables))) != len(variables):
        return None
    return variables, coefs


_NUMBER = (int, float)
_ACTIVE = operator.attrgetter("active")
_MUTABLE = operator.attrgetter("mutable")


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
        if self._model is not None:  # a fresh instance holds nothing to clear, and re-running __init__ costs
            self._reinit()           # as much as loading a variable per period
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
        return self.run()

    def run(self) -> HighsRun:
        """Run HiGHS from its last basis on what it holds now, and report how it ended."""
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

    # --- loading the model ------------------------------------------------------------------------------------

    def add_block(self, block) -> None:
        """The stock ``add_block`` for a block with no sub-blocks and no References, listing each component's data
        straight from its data dict instead of walking the block's data objects through its index sets.

        A component holding every index of its set was built over the set in order, so its dict is in index
        order and the same Params, variables, constraints (active ones) and objective are added in the same
        order as the stock walk adds them; a sparse component is listed through ``values()``.
        """
        components = list(block.component_objects(descend_into=False))
        if any(comp.ctype is Block or comp.is_reference() for comp in components):
            super().add_block(block)
            return

        def data(ctype, keep=None) -> list:
            listed = []
            for comp in components:
                if comp.ctype is ctype and (keep is None or keep(comp)):
                    listed.extend(comp._data.values() if len(comp._data) == len(comp.index_set()) else comp.values())
            return listed

        def active(ctype) -> list:
            return [d for d in data(ctype, _ACTIVE) if d.active]

        self.add_params(data(Param, _MUTABLE))
        if self._only_child_vars:
            self.add_variables(list({id(v): v for v in data(Var)}.values()))
        self.add_constraints(active(Constraint))
        self.add_sos_constraints(active(SOSConstraint))
        obj = get_objective(block)
        if obj is not None:
            self.set_objective(obj)

    def set_objective(self, obj) -> None:
        """The stock ``set_objective`` in one pass for a linear objective of number or bare-Param coefficients
        (``_linear_objective``): the same bookkeeping, costs, sense and mutable-coefficient helpers, without
        ``prep_for_repn`` and ``generate_standard_repn`` walking it twice. Anything else goes the stock way."""
        terms = None if obj is None or self._objective is not None else _linear_objective(obj.expr)
        if terms is None or obj.sense not in (minimize, maximize):
            super().set_objective(obj)
            return
        variables, coefs = terms
        self._objective, self._objective_expr, self._objective_sense = obj, obj.expr, obj.sense
        self._obj_named_expressions = []
        self._vars_referenced_by_obj = variables
        referenced, var_map = self._referenced_variables, self._pyomo_var_to_solver_var_map
        self._sol = None
        if self._last_results_object is not None:
            self._last_results_object.solution_loader.invalidate()
        highs = self._solver_model
        n = len(var_map)
        costs = np.zeros(n, dtype=np.double)
        self._objective_helpers = []
        for v, coef in zip(variables, coefs, strict=True):
            v_id = id(v)
            referenced[v_id][2] = obj
            if isinstance(coef, ParamData):
                costs[var_map[v_id]] = coef._value
                self._objective_helpers.append(_MutableObjectiveCoefficient(
                    pyomo_var_id=v_id, var_map=var_map, expr=coef, highs=highs))
            else:
                costs[var_map[v_id]] = coef
        highs.changeObjectiveOffset(0)
        highs.changeObjectiveSense(highspy.ObjSense.kMinimize if obj.sense == minimize
                                   else highspy.ObjSense.kMaximize)
        highs.changeColsCost(n, np.arange(n), costs)

    def add_variables(self, variables: list) -> None:
        """Pyomo's ``add_variables`` and HiGHS's ``_add_variables`` in one pass, for plain variables.

        The stock pair reads each variable's domain interval and bounds through several calls per variable. A
        list of unfixed variables with number (or no) bounds, as every variable of this model is, is read here
        once into the same bookkeeping and the same HiGHS columns (bounds, integrality) in the same order, each
        domain's interval read once; anything else goes the stock way.
        ``tests/optimiser/test_persistent_loading.py`` checks that both load the same columns and bookkeeping.
        """
        referenced, stored = self._referenced_variables, self._vars
        if any(v.fixed or type(v._lb) not in _PLAIN_BOUND or type(v._ub) not in _PLAIN_BOUND
               or id(v) in referenced for v in variables):
            super().add_variables(variables)
            return
        self._sol = None
        if self._last_results_object is not None:
            self._last_results_object.solution_loader.invalidate()
        var_map = self._pyomo_var_to_solver_var_map
        current = len(var_map)
        first = current
        intervals: dict[int, tuple] = {}
        lbs, ubs, vtypes = [], [], []
        for v in variables:
            v_id = id(v)
            domain = v.domain
            interval = intervals.get(id(domain))
            if interval is None:
                interval = intervals[id(domain)] = _column_domain(domain.get_interval())
            lb, ub, vtype, domain_interval = interval
            lower, upper = v._lb, v._ub
            referenced[v_id] = [{}, {}, None]
            stored[v_id] = (v, lower, upper, False, domain_interval, v.value)
            # As _process_domain_and_bounds: the tighter of the domain's and the variable's own bounds.
            lbs.append(lb if lower is None else max(lower, lb))
            ubs.append(ub if upper is None else min(upper, ub))
            vtypes.append(vtype)
            var_map[v_id] = current
            current += 1
        highs = self._solver_model
        highs.addVars(len(lbs), np.array(lbs, dtype=np.double), np.array(ubs, dtype=np.double))
        highs.changeColsIntegrality(len(vtypes), np.arange(first, current), np.array(vtypes))

    def add_constraints(self, cons: list) -> None:
        """Pyomo's ``add_constraints`` and HiGHS's ``_add_constraints`` in one pass, for plain linear rows.

        The stock pair walks every constraint twice (``prep_for_repn`` for its bookkeeping, then
        ``generate_standard_repn``) and reads the configuration once per constraint, which is most of the
        time it takes to load a one-day model, longer than many daily solves together. A model whose rows
        are all plain linear sums of unfixed variables (``_linear_row``) is read here once, into the same
        bookkeeping, the same HiGHS rows in the same order and the same mutable-bound helpers; any other
        model goes the stock way. ``tests/optimiser/test_persistent_model.py`` checks that both load the same
        HiGHS model.
        """
        standard = [con.to_bounded_expression() for con in cons]  # (lower, body, upper), built once per row
        rows = [_linear_row(body) for _, body, _ in standard]
        if None in rows or any(con in self._named_expressions for con in cons) or not self._only_child_vars:
            super().add_constraints(cons)
            return
        self._sol = None
        if self._last_results_object is not None:
            self._last_results_object.solution_loader.invalidate()
        var_map, con_map = self._pyomo_var_to_solver_var_map, self._pyomo_con_to_solver_con_map
        referenced, row_to_con = self._referenced_variables, self._solver_con_to_pyomo_con_map
        active, named, by_con = self._active_constraints, self._named_expressions, self._vars_referenced_by_con
        current = len(con_map)
        lbs, ubs, starts, indices, coef_values = [], [], [], [], []
        for con, (lower, _, upper), (variables, coefs) in zip(cons, standard, rows, strict=True):
            active[con] = con.expr
            named[con] = []
            by_con[con] = variables
            starts.append(len(coef_values))
            for v in variables:
                v_id = id(v)
                referenced[v_id][0][con] = None
                indices.append(var_map[v_id])
            coef_values.extend(coefs)
            # As the stock loader: the bound (less the row's constant, 0 here), kept as the Param when mutable.
            lb, ub = _bound(lower, _NO_LOWER), _bound(upper, _NO_UPPER)
            if type(lb) in _NUMBER and type(ub) in _NUMBER:
                lbs.append(lb)
                ubs.append(ub)
            else:
                if not is_constant(lb) or not is_constant(ub):
                    self._mutable_helpers.setdefault(con, []).append(_MutableConstraintBounds(
                        lower_expr=lb, upper_expr=ub, pyomo_con=con, con_map=con_map, highs=self._solver_model))
                lbs.append(value(lb))
                ubs.append(value(ub))
            con_map[con] = current
            row_to_con[current] = con
            current += 1
        self._solver_model.addRows(len(lbs), np.array(lbs, dtype=np.double), np.array(ubs, dtype=np.double),
                                   len(coef_values), np.array(starts), np.array(indices),
                                   np.array(coef_values, dtype=np.double))

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

    def param_writer(self, params: list) -> Callable[[np.ndarray], None]:
        """A callable writing values of ``params`` (an array in their order) straight into HiGHS: every mutable
        objective coefficient and row bound that is one of them, in two bulk calls, the same values
        ``update_params`` would push once the Params held them. The Params themselves are left as they are.

        Every mutable term must be a bare Param of ``params`` (or, for a row's other bound, a constant).
        """
        cost_cols, cost_exprs, bound_rows, lower_exprs, upper_exprs, others = self._mutable_terms()
        if others:
            raise ValueError(f"{len(others)} mutable terms are not a bare Param's coefficient or row bound")
        slot = {id(param): i for i, param in enumerate(params)}
        constants: list[float] = []

        def position(expr) -> int:
            if isinstance(expr, ParamData) and id(expr) in slot:
                return slot[id(expr)]
            if not is_constant(expr):
                raise ValueError(f"mutable term {expr} is not one of the Params written")
            constants.append(float(value(expr)))
            return len(params) + len(constants) - 1

        cost_at = np.array([position(e) for e in cost_exprs], dtype=np.intp)
        lower_at = np.array([position(e) for e in lower_exprs], dtype=np.intp)
        upper_at = np.array([position(e) for e in upper_exprs], dtype=np.intp)
        fixed = np.array(constants, dtype=float)
        cost_cols, bound_rows = np.array(cost_cols, dtype=np.int32), np.array(bound_rows, dtype=np.int32)
        highs = self._solver_model

        def write(values: np.ndarray) -> None:
            self._sol = None
            every = np.concatenate((values, fixed))
            if len(cost_cols):
                highs.changeColsCost(len(cost_cols), cost_cols, every[cost_at])
            if len(bound_rows):
                highs.changeRowsBounds(len(bound_rows), bound_rows, every[lower_at], every[upper_at])

        return write

    def _mutable_terms(self) -> tuple[list, list, list, list, list, list]:
        """HiGHS columns with a mutable cost and their coefficients, rows with mutable bounds and their lower and
        upper bounds, and any other mutable term's helper."""
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
        return cost_cols, cost_exprs, bound_rows, lower_exprs, upper_exprs, others

    def _plan_bulk_updates(self):
        cost_cols, cost_exprs, bound_rows, lower_exprs, upper_exprs, others = self._mutable_terms()
        return (
            np.array(cost_cols, dtype=np.int32),
            _reader(cost_exprs),
            np.array(bound_rows, dtype=np.int32),
            _reader(lower_exprs),
            _reader(upper_exprs),
            others,
        )
