"""Solving sparse (mixed-integer) linear programs with HiGHS through ``highspy``.

The models of :mod:`siting.optimize.locate` are built as scipy.sparse
matrices and handed to HiGHS as one column-wise :class:`highspy.HighsLp`:
no modelling layer, no Python object per variable or constraint, so building
a model costs milliseconds even at national size (PuLP, which spopt uses,
creates one Python object per coefficient of a dense model).

Why HiGHS: it is the strongest MIP solver that installs from PyPI as a wheel
(MIT licence, maintained, used by scipy's ``milp``); it reports the incumbent,
the dual bound and the relative gap honestly after a time limit (PuLP reports
"Optimal" after a CBC time limit, see FIELD-NOTES).

HiGHS's MIP presolve is switched off: the models arrive reduced already
(identical demand rows merged, candidates that reach nobody dropped), and on
dense covering instances (large radius) presolve's probing ran for 20-150 s
past a 1-5 s time limit without finding a solution, while without it HiGHS
respected the limit and solved the same instances (national size with
conflicts: 2.7 s instead of 12.7 s). LP relaxations keep HiGHS's presolve.

A MIP start (``start=``, handed to HiGHS with ``setSolution``) is used by
the p-median (:mod:`siting.optimize.median`), MCLP/LSCP
(:mod:`siting.optimize.locate`) and the capacitated p-median, whose models
are solved with presolve off like every MIP here: with presolve on, HiGHS
1.16 once returned a start that presolve could improve ("MIP start solution
is feasible in the reduced space: objective 224") as the original, worse
start (232 sites) labelled optimal. A start that violates the model is not
passed. Every returned solution is checked against the model (row activities and the
objective HiGHS reports); a mismatch is reported as status ``error`` and the
callers fall back to their heuristic. LP solves also return the reduced costs
of the columns (``reduced_costs``, for reduced-cost fixing) and the rows' duals
(``row_dual``, for bounds).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf

Status = Literal["optimal", "time_limit", "infeasible", "unbounded", "error"]


@dataclass(frozen=True)
class LinearModel:
    """A linear program, with some integer columns, in sparse form.

    ``row_lower <= A @ x <= row_upper``, ``col_lower <= x <= col_upper``,
    ``x[integer]`` integral; objective ``cost @ x``, minimised or maximised.
    """

    cost: np.ndarray
    A: sp.csc_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    sense: Literal["min", "max"] = "min"

    @property
    def shape(self) -> tuple[int, int]:
        return self.A.shape


@dataclass(frozen=True)
class SolveOutcome:
    """What HiGHS returned.

    Attributes
    ----------
    x
        Column values of the best solution found (``None`` when none was found).
    objective
        Objective value of ``x``.
    bound
        The dual bound: no solution is better than it (for an LP, its optimum).
    gap
        HiGHS's relative MIP gap, ``|objective - bound| / |objective|``
        (0 for a proven optimum; ``None`` when there is no solution).
    status
        ``optimal``, ``time_limit`` (best solution and gap so far),
        ``infeasible``, ``unbounded`` or ``error``.
    seconds
        Wall time of the solve.
    """

    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    status: Status
    seconds: float
    solver: str
    reduced_costs: np.ndarray | None = None  # LP only: the columns' reduced costs (the model's sense)
    row_dual: np.ndarray | None = None  # LP only: the rows' dual values (HiGHS's signs, minimising)


def _new_highs():
    """A silent HiGHS instance.

    ``highspy.Highs()`` enables callbacks in its constructor, which prints the
    HiGHS banner to the C-level stdout before any option can be set (and
    would corrupt ``siting optimize --json`` output). The underlying core
    class takes the option first; the public class is the fallback.
    """
    core = getattr(getattr(highspy, "_core", None), "_Highs", None)
    h = core() if core is not None else highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _consistent(model: LinearModel, A: sp.csc_matrix, x: np.ndarray, objective: float,
                reported: float, *, integral: bool = True) -> bool:
    """The solution satisfies the model (1e-6 tolerances) and has the objective HiGHS reports."""
    tol = 1e-6
    act = A @ x
    scale = 1.0 + np.abs(act)
    ok_rows = np.all(act >= model.row_lower - tol * scale) and np.all(act <= model.row_upper + tol * scale)
    ok_cols = np.all(x >= model.col_lower - tol) and np.all(x <= model.col_upper + tol)
    ints = np.asarray(model.integer, bool) & integral
    ok_int = np.all(np.abs(x[ints] - np.round(x[ints])) <= 1e-5) if ints.any() else True
    ok_obj = abs(objective - reported) <= tol * max(1.0, abs(objective))
    return bool(ok_rows and ok_cols and ok_int and ok_obj)


def solver_name() -> str:
    """E.g. ``"HiGHS 1.16.0"``."""
    return f"HiGHS {highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"


def solve(
    model: LinearModel,
    *,
    time_limit: float = 60.0,
    mip_gap: float = 0.0,
    relax: bool = False,
    threads: int | None = None,
    start: np.ndarray | None = None,
    options: dict[str, object] | None = None,
    lp_solver: Literal["simplex", "ipm"] = "simplex",
) -> SolveOutcome:
    """Solve ``model`` with HiGHS.

    Parameters
    ----------
    model
        The model.
    time_limit
        Seconds; after it HiGHS stops and the best solution found so far is
        returned with its gap (status ``time_limit``).
    mip_gap
        Relative gap at which HiGHS stops and calls the solution optimal
        (0: prove optimality).
    relax
        Solve the LP relaxation (integrality dropped): its optimum bounds the
        MIP optimum.
    threads
        Threads HiGHS may use (default: HiGHS's choice).
    start
        A feasible solution (one value per column) handed to HiGHS as its first incumbent
        (MIP only; ignored when its length does not match or it violates the model). It
        only prunes the search: the result is still HiGHS's, checked against the model.
    options
        Further HiGHS options (e.g. ``{"solver": "ipm"}``: the p-median's LPs,
        degenerate for the simplex, solve about 3 times faster by interior point
        with crossover, which keeps the basic solution and its reduced costs).
    lp_solver
        For ``relax=True``: ``simplex`` (HiGHS's default choice) or ``ipm`` (interior point
        without crossover: on dense covering LPs 5-10x faster, the solution is then only
        approximately a vertex; the callers turn its duals into a bound that is valid anyway).
    """
    t0 = time.perf_counter()
    n_row, n_col = model.A.shape
    A = model.A.tocsc()
    A.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    sign = -1.0 if model.sense == "max" else 1.0
    lp.col_cost_ = np.ascontiguousarray(sign * model.cost, dtype=np.float64)
    lp.col_lower_ = np.ascontiguousarray(model.col_lower, dtype=np.float64)
    lp.col_upper_ = np.ascontiguousarray(model.col_upper, dtype=np.float64)
    lp.row_lower_ = np.ascontiguousarray(model.row_lower, dtype=np.float64)
    lp.row_upper_ = np.ascontiguousarray(model.row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    lp.a_matrix_.start_ = np.ascontiguousarray(A.indptr, dtype=np.int32)
    lp.a_matrix_.index_ = np.ascontiguousarray(A.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.ascontiguousarray(A.data, dtype=np.float64)
    integer = np.asarray(model.integer, bool)
    is_mip = bool(integer.any()) and not relax
    if is_mip:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous for v in integer
        ]
    h = _new_highs()
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    if is_mip:
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.setOptionValue("presolve", "off")
    if not is_mip and lp_solver == "ipm":
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    h.passModel(lp)
    if is_mip and start is not None:
        x0 = np.ascontiguousarray(start, dtype=np.float64)
        if x0.shape == (n_col,) and _consistent(model, A, x0, float(model.cost @ x0), float(model.cost @ x0),
                                                integral=True):
            sol = highspy.HighsSolution()
            sol.col_value = x0.tolist()
            sol.value_valid = True
            h.setSolution(sol)
    h.run()
    seconds = time.perf_counter() - t0
    ms = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    status: Status
    if ms == S.kOptimal:
        status = "optimal"
    elif ms == S.kTimeLimit:
        status = "time_limit"
    elif ms == S.kInfeasible:
        status = "infeasible"
    elif ms in (S.kUnbounded, S.kUnboundedOrInfeasible):
        status = "unbounded"
    else:
        status = "error"
    has_solution = int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)
    name = f"{solver_name()} ({'MIP' if is_mip else 'LP'})"
    if not has_solution or status in ("infeasible", "unbounded", "error"):
        return SolveOutcome(None, None, None, None, status, seconds, name)
    solution = h.getSolution()
    x = np.asarray(solution.col_value, dtype=float)
    row_dual = (np.asarray(solution.row_dual, dtype=float)
                if not is_mip and solution.dual_valid and len(solution.row_dual) == n_row else None)
    objective = float(model.cost @ x)
    if not _consistent(model, A, x, objective, sign * float(info.objective_function_value), integral=is_mip):
        # an interior-point LP slightly off the tolerances: no solution, but its duals still serve
        return SolveOutcome(None, None, None, None, "error", seconds, name, row_dual=row_dual)
    bound: float | None
    gap: float | None
    if is_mip:
        # The bound is derived from HiGHS's gap, which HiGHS computes on the original objective:
        # its mip_dual_bound can omit the objective offset of columns presolve fixed (seen with
        # HiGHS 1.16 on set covering: bound 371 for a proven optimum of 408, gap 0).
        gap = float(info.mip_gap)
        if np.isfinite(gap):
            slack = gap * max(abs(objective), 1e-9)
            bound = objective + slack if model.sense == "max" else objective - slack
        else:
            bound = None
    else:
        bound = objective if status == "optimal" else None
        gap = 0.0 if status == "optimal" else None
    if gap is not None and not np.isfinite(gap):
        gap = bound = None
    rc = None
    if not is_mip and status == "optimal" and info.dual_solution_status == int(
            highspy.SolutionStatus.kSolutionStatusFeasible):
        rc = sign * np.asarray(solution.col_dual, dtype=float)
    return SolveOutcome(x, objective, bound, gap, status, seconds, name, reduced_costs=rc, row_dual=row_dual)
