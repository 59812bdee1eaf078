"""The siting models: maximal covering (MCLP), set covering (LSCP) and p-median.

Each model takes a prepared :class:`~siting.optimize.model.SitingProblem`
(built once, solved for any ``k`` or target) and returns a frozen
:class:`~siting.optimize.result.SitingResult`. Existing offices are always
kept: they cover what they cover, and only the new sites are decided.

The models are built sparsely: a row per group of uncovered demand points
that the same candidates reach (points with identical candidate sets are
merged, their populations summed), a column per candidate that reaches
someone, and a conflict row per pair of candidates closer than the minimum
distance between offices of the same type. MCLP and LSCP are reduced further
first (:mod:`siting.optimize.cover_reduce`: dominated candidates, constant rows,
essential candidates) and started from their heuristic solution. They are
solved by HiGHS (:mod:`siting.optimize.solve`) within a time limit; the gap to
the best valid bound is reported (for MCLP also Lagrangian bounds, see
``_solve_mclp``), and the heuristic solution is kept if it is better.
``method="greedy"`` (or ``"auto"`` on instances past ``MAX_EXACT_NONZEROS``)
runs the heuristic of :mod:`siting.optimize.greedy` and reports its gap to
the LP relaxation; so does the fallback when HiGHS returns no usable solution.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from siting.errors import InputError
from siting.optimize.cover_reduce import (
    Reduced,
    drop_dominated,
    lagrangian_mclp,
    lagrangian_value,
    reduce_lscp_full,
    reduce_mclp,
    restrict,
)
from siting.optimize.greedy import (
    conflict_graph,
    greedy_cover,
    iterated_swap,
    slice_indices,
)
from siting.optimize.median import MAX_MEDIAN_NONZEROS, solve_pmedian
from siting.optimize.model import SitingProblem
from siting.optimize.result import ChosenSite, SitingResult
from siting.optimize.solve import INF, LinearModel, solve

Method = Literal["auto", "exact", "greedy"]
DEFAULT_TIME_LIMIT = 60.0
# Exact model size (nonzeros) past which "auto" uses the greedy heuristic.
MAX_EXACT_NONZEROS = 20_000_000
# p-median: see siting.optimize.median (MAX_MEDIAN_NONZEROS, estimated before building).
# MCLP / LSCP: reduce the model before solving (dominated sites, constant groups, essential sites),
# bound MCLP by a Lagrangian relaxation and start HiGHS from the greedy + swap solution. Private
# switches for benchmarks/bench_mclp_hard.py's before/after comparison.
_TUNING = {"reduce": True, "lagrangian": True, "start": True}
# Dominated sites are looked for only when that is expected to take at most this share of the
# time limit (cover_reduce.containment_seconds).
_REDUCE_SHARE = 0.05


# -- shared structures --------------------------------------------------------
@dataclass(frozen=True)
class _Cover:
    """Uncovered demand grouped by identical candidate sets, over the useful candidates."""

    B: sp.csr_matrix  # groups x useful sites, 0/1
    W: np.ndarray  # population of each group
    sites: np.ndarray  # useful site -> position in problem.sites
    conflicts: np.ndarray  # (E, 2) local positions
    graph: sp.csr_matrix  # conflict adjacency, local
    uncoverable: float  # uncovered population no candidate reaches
    uncoverable_points: int


def _cover_structure(problem: SitingProblem) -> _Cover:
    w = problem.weights
    C = problem.cover
    rows = np.flatnonzero(~problem.existing_covered & (w > 0))
    sub = C[rows].tocsr()
    reach = np.diff(sub.indptr) > 0
    uncoverable = float(w[rows[~reach]].sum())
    rows, sub = rows[reach], sub[reach]
    sub.sort_indices()
    ip, ix = sub.indptr, sub.indices
    keys = [ix[ip[r]:ip[r + 1]].tobytes() for r in range(len(rows))]
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
    n_groups = len(uniques)
    W = np.bincount(codes, weights=w[rows], minlength=n_groups) if n_groups else np.zeros(0)
    first = np.full(n_groups, -1, np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    B = sub[first] if n_groups else sp.csr_matrix((0, problem.n_sites))
    sites = np.flatnonzero(np.diff(B.tocsc().indptr) > 0)
    B = B[:, sites].tocsr()
    local = np.full(problem.n_sites, -1, np.int64)
    local[sites] = np.arange(len(sites))
    c = local[problem.conflicts] if len(problem.conflicts) else np.empty((0, 2), np.int64)
    c = c[(c >= 0).all(axis=1)] if len(c) else c
    return _Cover(B, W, sites, c, conflict_graph(c, len(sites)), uncoverable, int((~reach).sum()))


def _conflict_rows(pairs: np.ndarray, n_cols: int) -> sp.csr_matrix:
    e = len(pairs)
    if not e:
        return sp.csr_matrix((0, n_cols))
    r = np.repeat(np.arange(e), 2)
    return sp.csr_matrix((np.ones(2 * e), (r, pairs.ravel())), shape=(e, n_cols))


def _check_k(problem: SitingProblem, k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise InputError(f"k must be a whole number of sites, got {k!r}")
    k = int(k)
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    if k > problem.n_sites:
        raise InputError(
            f"k={k} is more than the {problem.n_sites} candidate sites that pass the site rules"
            + (f" (of {problem.candidates_total})" if problem.candidates_total is not None else "")
        )
    return k


def new_sites(problem: SitingProblem, k: int | None, p: int | None, model: str) -> int:
    """``k``, the number of new sites, from ``k`` or a spopt-style ``p`` (every open site,
    the kept ones included: ``k = p - problem.existing_offices``)."""
    if p is not None:
        if isinstance(p, bool) or not isinstance(p, int | np.integer):
            raise InputError(f"p must be a whole number of sites, got {p!r}")
        kept = problem.existing_offices
        if int(p) - kept < 1:
            raise InputError(f"p={p} leaves no new site: it counts the {kept} sites kept open "
                             f"(fixed and existing offices), so p must be at least {kept + 1}")
        if k is not None and k != int(p) - kept:
            raise InputError(f"k={k} and p={p} disagree: with {kept} sites kept open (fixed and existing "
                             f"offices), p={p} means k={int(p) - kept} new sites; give one of them")
        k = int(p) - kept
    if k is None:
        raise InputError(f"{model}: give k (the number of new sites) or p (all open sites, kept ones included)")
    return _check_k(problem, k)


def _check_method(method: str) -> None:
    if method not in ("auto", "exact", "greedy"):
        raise InputError(f"method must be auto, exact or greedy, got {method!r}")


def _prune(cv: _Cover, chosen: np.ndarray, need: float | None) -> tuple[np.ndarray, int]:
    """Drop chosen sites whose removal keeps the covered weight >= ``need``
    (``None``: keeps it unchanged). Returns the kept sites and how many were dropped."""
    if not len(chosen):
        return chosen, 0
    Bc = cv.B.tocsc()
    x = np.zeros(cv.B.shape[1])
    x[chosen] = 1
    count = np.asarray(cv.B @ x).ravel()
    covered = float(cv.W[count > 0].sum())
    floor = covered if need is None else need
    tol = 1e-9 * max(1.0, float(cv.W.sum()))

    def loss(s: int) -> float:
        rows = slice_indices(Bc, s)
        return float(cv.W[rows[count[rows] == 1]].sum())

    keep = list(chosen)
    for s in sorted(chosen, key=loss):
        ls = loss(s)
        if covered - ls >= floor - tol:
            rows = slice_indices(Bc, s)
            count[rows] -= 1
            covered -= ls
            keep.remove(s)
    return np.asarray(keep, np.int64), len(chosen) - len(keep)


def _covered_weight(cv: _Cover, chosen: np.ndarray) -> float:
    x = np.zeros(cv.B.shape[1])
    x[chosen] = 1
    return float(cv.W[np.asarray(cv.B @ x).ravel() > 0].sum())


@dataclass(frozen=True)
class _Run:
    """How a model was solved, for the result."""

    chosen: np.ndarray  # positions in problem.sites
    objective: float
    bound: float | None
    gap: float | None
    status: str
    method: str
    solver: str
    build_seconds: float
    solve_seconds: float
    notes: tuple[str, ...] = ()
    truncated: bool = False  # the model saw only each demand point's nearest candidates


def _relative_gap(objective: float, bound: float | None) -> float | None:
    if bound is None or not np.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


def _exact_or_greedy(
    model: LinearModel,
    greedy_x: np.ndarray | None,
    greedy_objective: float,
    *,
    method: Method,
    nonzeros: int,
    time_limit: float,
    mip_gap: float,
    integer_objective: bool = False,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray | None, float, float | None, float | None, str, str, str]:
    """Solve exactly, or keep the greedy solution with the LP bound.

    Returns x, objective, bound, gap, status, method, solver.
    """
    use_exact = method == "exact" or (method == "auto" and nonzeros <= MAX_EXACT_NONZEROS)
    if use_exact:
        out = solve(model, time_limit=time_limit, mip_gap=mip_gap, start=start)
        if out.x is not None and out.objective is not None and out.status in ("optimal", "time_limit"):
            better_greedy = (
                greedy_objective > out.objective + 1e-9
                if model.sense == "max"
                else greedy_objective < out.objective - 1e-9
            )
            if not better_greedy:
                return out.x, out.objective, out.bound, out.gap, out.status, "exact", out.solver
        if out.status == "infeasible":
            raise _Infeasible()
        if out.x is not None:  # within the time limit the greedy solution was better
            return (greedy_x, greedy_objective, out.bound, _relative_gap(greedy_objective, out.bound),
                    out.status, "greedy", out.solver)
        # no usable solution from HiGHS (none within the time limit, or one failing the check):
        # keep the greedy solution and bound it with the LP relaxation
    lp = solve(model, time_limit=time_limit, relax=True)
    if lp.status == "infeasible":
        raise _Infeasible()
    bound = lp.objective if lp.status == "optimal" else None
    if bound is not None and integer_objective:
        bound = float(np.ceil(bound - 1e-6)) if model.sense == "min" else float(np.floor(bound + 1e-6))
    return (greedy_x, greedy_objective, bound, _relative_gap(greedy_objective, bound), "heuristic",
            "greedy", f"greedy; bound: {lp.solver}" if bound is not None else "greedy")


class _Infeasible(Exception):
    pass


# -- MCLP -----------------------------------------------------------------------
def mclp(
    problem: SitingProblem,
    k: int | None = None,
    *,
    p: int | None = None,
    method: Method = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
    name: str | None = None,
) -> SitingResult:
    r"""Maximal covering: ``k`` new sites that bring the most people within the radius.

    Existing offices are kept and count as covering; the objective is the
    population newly covered. Chosen sites keep the minimum distance between
    offices of the same type from each other.

    .. math::

       \begin{array}{lll}
       \max & \sum_{g \in G} W_g\, y_g \\
       \text{s.t.} & y_g \le \sum_{j \in N_g} x_j & \forall g \in G \\
       & \sum_{j \in J} x_j \le k \\
       & x_a + x_b \le 1 & \forall (a, b) \in C \\
       & x_j \in \{0, 1\},\ 0 \le y_g \le 1
       \end{array}

    where :math:`G` are the groups of demand points no existing office covers
    (points reached by the same set of candidates, merged), :math:`W_g` their
    population, :math:`N_g = \{j : d_{ij} \le S\}` the candidates within the
    service radius :math:`S`, and :math:`C` the candidate pairs closer than the
    minimum separation. :math:`y` may be continuous: for binary :math:`x` the
    optimum has :math:`y_g = \min(1, \sum_{N_g} x_j) \in \{0, 1\}`.
    Compared with the textbook model (and spopt's), ``k`` is an upper bound
    (a site that adds nobody is not placed) and existing offices are not
    variables but remove the demand they already cover.

    Parameters
    ----------
    problem
        The instance.
    k
        Number of NEW sites (at most; fewer when more would add nobody). Sites
        kept open (existing offices, ``fixed`` columns) are not counted.
    p
        spopt's ``p_facilities``: all open sites, the kept ones included;
        ``k = p - problem.existing_offices``. Give ``k`` or ``p`` (both:
        they must agree).
    method
        ``auto`` (exact unless the model exceeds ``MAX_EXACT_NONZEROS``),
        ``exact`` (HiGHS) or ``greedy`` (greedy + swaps, gap to the LP bound).
    time_limit
        Seconds for HiGHS; after it the best solution is returned with its gap.
    mip_gap
        Relative gap at which HiGHS may stop (0: prove optimality).
    name
        Scenario name carried into the result.

    Examples
    --------
    Three villages on a line, an existing office covering the third; two
    candidate sites:

    >>> import numpy as np
    >>> from siting.optimize import SitingProblem, mclp
    >>> p = SitingProblem.from_points(
    ...     np.array([[0, 0], [3000, 0], [9000, 0]]), [100, 50, 80],
    ...     np.array([[1000, 0], [8000, 0]]), radius=2500,
    ...     existing_xy=np.array([[9500, 0]]))
    >>> r = mclp(p, k=1)
    >>> r.status, r.objective, [s.id for s in r.sites], r.objective_meaning
    ('optimal', 150.0, [0], 'population newly covered (maximised)')
    >>> round(r.share_before, 3), round(r.share_after, 3), r.proven
    (0.348, 1.0, True)
    """
    t0 = time.perf_counter()
    _check_method(method)
    problem.require_radius("MCLP")
    k = new_sites(problem, k, p, "MCLP")
    cv = _cover_structure(problem)
    notes: list[str] = []
    if cv.uncoverable > 0:
        notes.append(f"{_people(cv.uncoverable)} uncovered people ({cv.uncoverable_points} points) "
                     "are beyond the radius of every candidate site.")
    if cv.B.shape[0] == 0:
        t1 = time.perf_counter()
        run = _Run(np.zeros(0, np.int64), 0.0, 0.0, 0.0, "empty", "none", "none", t1 - t0, 0.0,
                   ("Nothing to add: every person within reach of a candidate site is covered already.",))
        return _result(problem, "mclp", run, k=k, share=None, name=name, extra_notes=notes, t0=t0)
    t_build = time.perf_counter()
    local, obj, bound, gap, status, used, solver = _solve_mclp(
        cv, k, method=method, time_limit=time_limit, mip_gap=mip_gap)
    chosen, dropped = _prune(cv, np.unique(local), None)
    if len(chosen) < k:
        notes.append(f"{len(chosen)} of the k={k} sites are placed: more would cover nobody new"
                     + (f" ({dropped} chosen sites that added nobody were left out)" if dropped else "")
                     + ".")
    run = _Run(cv.sites[chosen], obj, bound, gap, _proved(status, gap), used, solver, t_build - t0,
               time.perf_counter() - t_build)
    return _result(problem, "mclp", run, k=k, share=None, name=name, extra_notes=notes, t0=t0)


def _proved(status: str, gap: float | None) -> str:
    """A heuristic (or time-limited) solution whose gap to a valid bound is zero is optimal."""
    return "optimal" if status in ("heuristic", "time_limit") and gap is not None and gap <= 1e-9 else status


def _mclp_model(B: sp.csr_matrix, W: np.ndarray, conflicts: np.ndarray, k: int) -> LinearModel:
    G, mu = B.shape
    return LinearModel(
        cost=np.r_[np.zeros(mu), W],
        A=sp.vstack([
            sp.hstack([B, -sp.identity(G, format="csr")]),
            sp.hstack([sp.csr_matrix(np.ones((1, mu))), sp.csr_matrix((1, G))]),
            sp.hstack([_conflict_rows(conflicts, mu), sp.csr_matrix((len(conflicts), G))]),
        ]).tocsc(),
        row_lower=np.r_[np.zeros(G), -INF, np.full(len(conflicts), -INF)],
        row_upper=np.r_[np.full(G, INF), k, np.ones(len(conflicts))],
        col_lower=np.zeros(mu + G),
        col_upper=np.ones(mu + G),
        integer=np.r_[np.ones(mu, bool), np.zeros(G, bool)],
        sense="max",
    )


def _xy_start(B: sp.csr_matrix, local: np.ndarray) -> np.ndarray:
    x = np.zeros(B.shape[1])
    x[local] = 1
    return np.r_[x, np.minimum(1.0, np.asarray(B @ x).ravel())]


def _solve_mclp(cv: _Cover, k: int, *, method: Method, time_limit: float, mip_gap: float):
    """Solve the MCLP over the cover structure; returns local sites, objective, bound, gap,
    status, method used and solver.

    1. The model is reduced (:func:`~siting.optimize.cover_reduce.reduce_mclp`) and a start
       found by greedy + swaps.
    2. A Lagrangian relaxation (subgradient) bounds it and closes sites that cannot beat the start.
    3. A short iterated local search (up to 5 % of the time limit), then HiGHS on the reduced
       model from its solution for up to 75 % of the limit; most instances end here, proven.
    4. Otherwise the LP relaxation is solved by interior point; its duals, as Lagrangian
       multipliers, give a bound close to the LP bound and close more sites.
    5. Iterated swaps (:func:`~siting.optimize.greedy.iterated_swap`) from the best solution and
       from the LP's ``k`` largest sites, for half the time left; then HiGHS again from the best
       solution for the rest.

    The bound reported is the tightest valid one: Lagrangian bounds of the whole model and
    HiGHS's dual bound of the model solved in step 3 (plus the groups every site covers; when
    sites were closed, at least the objective of the solution that closed them).
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    tol = 1e-9 * max(1.0, float(cv.W.sum()))
    red = (reduce_mclp(cv.B, cv.W, cv.conflicts, max_seconds=_REDUCE_SHARE * time_limit) if _TUNING["reduce"]
           else Reduced(cv.B, cv.W, np.arange(cv.B.shape[1], dtype=np.int64), cv.conflicts))
    if red.B.shape[1] == 0:  # every group is covered by every site: any one site is optimal
        one = np.array([int(np.argmax(np.asarray(cv.B.T @ cv.W).ravel()))], np.int64)
        obj = _covered_weight(cv, one)
        return one, obj, obj, 0.0, "optimal", "exact", "reduction"
    g = greedy_cover(red.B, red.W, k=k, conflicts=conflict_graph(red.conflicts, red.B.shape[1]))
    best = red.cols[g]  # cv local sites of the best solution so far
    best_obj = _covered_weight(cv, best)
    bounds: list[float] = []  # valid bounds of the whole model
    floor = -np.inf  # bounds of models with closed sites are at least this (the closing incumbent)
    solvers: list[str] = []
    work = red
    if _TUNING["lagrangian"]:
        lag = lagrangian_mclp(red.B, red.W, k, best_obj - red.constant, keep_open=g,
                              seconds=max(0.05, 0.05 * time_limit))
        bounds.append(red.constant + lag.bound)
        solvers.append("Lagrangian bound")
        if lag.closed.any() and method != "greedy":
            work, floor = restrict(red, ~lag.closed), best_obj

    def proven() -> bool:
        return bool(bounds) and min(bounds) - best_obj <= tol

    def in_model(R: Reduced) -> np.ndarray:
        return np.flatnonzero(np.isin(R.cols, best))

    def take(x: np.ndarray | None, R: Reduced) -> None:
        nonlocal best, best_obj
        if x is None:
            return
        sites = R.cols[np.flatnonzero(x[:R.B.shape[1]] > 0.5)]
        got = _covered_weight(cv, sites)
        if got > best_obj + tol:
            best, best_obj = sites, got

    def finish(status: str, used: str):
        bound = min(bounds) if bounds else None
        if bound is not None and (best_obj - 1e-7 * max(1.0, abs(best_obj)) <= bound < best_obj
                                  or 0 <= bound - best_obj <= tol):
            bound = best_obj  # floating-point or solver tolerance: proven
        gap = _relative_gap(best_obj, bound)
        if status in ("time_limit", "heuristic") and gap is not None and gap <= max(mip_gap, 1e-9):
            status = "optimal"
        return best, best_obj, bound, gap, status, used, "; ".join(dict.fromkeys(solvers)) or "greedy"

    if proven() or work.B.shape[1] == 0 or work.B.shape[0] == 0:
        if not proven():  # every site that could beat the start was closed
            bounds.append(max(floor, best_obj))
        return finish("optimal", "greedy" if method == "greedy" else "exact")  # proven by the bound
    if deadline - time.perf_counter() < 0.25:  # the reductions used the time: the bound so far
        return finish("time_limit" if method != "greedy" else "heuristic", "greedy")
    model = _mclp_model(work.B, work.W, work.conflicts, k)
    use_exact = method == "exact" or (method == "auto" and model.A.nnz <= MAX_EXACT_NONZEROS)
    if use_exact:
        if _TUNING["start"]:  # a short iterated local search first: HiGHS starts from a strong solution
            ils = iterated_swap(work.B, work.W, [in_model(work)], k=k,
                                conflicts=conflict_graph(work.conflicts, work.B.shape[1]),
                                seconds=min(0.05 * time_limit, max(0.0, deadline - time.perf_counter())),
                                target=min(bounds) - work.constant if bounds else np.inf, max_stall=50)
            take(_cover_start_x(work.B.shape[1], ils), work)
            if proven():
                return finish("optimal", "exact")  # the local search met the bound: proven
        first = time_limit if not _TUNING["lagrangian"] else max(2.0, 0.75 * time_limit)
        start = _xy_start(work.B, in_model(work)) if _TUNING["start"] else None
        out = solve(model, time_limit=min(first, max(0.5, deadline - time.perf_counter())),
                    mip_gap=mip_gap, start=start)
        solvers.append(out.solver)
        if out.status == "infeasible":  # cannot happen: placing no site is feasible
            raise _Infeasible()
        take(out.x, work)
        if out.bound is not None and out.status in ("optimal", "time_limit"):
            bounds.append(max(out.bound + work.constant, floor))
        if out.status == "optimal" and out.x is not None:
            bounds.append(max(best_obj, floor))  # the reduced model's optimum is proven
            return finish("optimal", "exact")
        if not _TUNING["lagrangian"] or proven():
            return finish("time_limit" if out.x is not None else "heuristic", "exact")
    # LP relaxation by interior point: a bound from its duals, and the sites it uses
    left = deadline - time.perf_counter()
    lp = solve(model, time_limit=max(0.5, 0.25 * left if use_exact else left), relax=True, lp_solver="ipm")
    G = work.B.shape[0]
    x_lp = lp.x[:work.B.shape[1]] if lp.x is not None else None
    if lp.row_dual is not None:
        lv = lagrangian_value(work.B, work.W, k, np.abs(lp.row_dual[:G]), best_obj - work.constant,
                              keep_open=in_model(work))
        bounds.append(max(lv.bound + work.constant, floor))
        solvers.append("LP-dual Lagrangian bound")
        if lv.closed.any() and use_exact:
            keep = ~lv.closed
            x_lp = x_lp[keep] if x_lp is not None else None
            work, floor = restrict(work, keep), best_obj
    if proven() or work.B.shape[1] == 0:
        return finish("heuristic" if not use_exact else "time_limit", "exact" if use_exact else "greedy")
    # iterated local search from the best solution and the LP's k largest sites
    starts = [in_model(work)]
    if x_lp is not None and len(x_lp) == work.B.shape[1]:
        starts.append(np.argsort(-x_lp, kind="stable")[:k])
    left = deadline - time.perf_counter()
    ils = iterated_swap(work.B, work.W, starts, k=k, conflicts=conflict_graph(work.conflicts, work.B.shape[1]),
                        seconds=max(0.0, 0.5 * left if use_exact else min(left, 0.25 * time_limit)),
                        target=min(bounds) - work.constant if bounds else np.inf)
    take(_cover_start_x(work.B.shape[1], ils), work)
    solvers.append("iterated swaps")
    if not use_exact or proven():
        return finish("heuristic" if not use_exact else "time_limit", "exact" if use_exact else "greedy")
    # HiGHS again on the whole (reduced) model, from the best solution, for the time left
    left = deadline - time.perf_counter()
    if left >= 1.0:
        out = solve(_mclp_model(work.B, work.W, work.conflicts, k), time_limit=left, mip_gap=mip_gap,
                    start=_xy_start(work.B, in_model(work)))
        take(out.x, work)
        if out.bound is not None and out.status in ("optimal", "time_limit"):
            bounds.append(max(out.bound + work.constant, floor))
        if out.status == "optimal" and out.x is not None:
            bounds.append(max(best_obj, floor))
    return finish("time_limit", "exact")


def _covered_weight_bw(B: sp.csr_matrix, W: np.ndarray, local: np.ndarray) -> float:
    x = np.zeros(B.shape[1])
    x[local] = 1
    return float(W[np.asarray(B @ x).ravel() > 0].sum())


# -- LSCP -----------------------------------------------------------------------
def lscp(
    problem: SitingProblem,
    share: float = 1.0,
    *,
    method: Method = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
    name: str | None = None,
) -> SitingResult:
    r"""Set covering: the fewest new sites that bring the covered share to ``share``.

    Existing offices are kept and count as covering. With ``share = 1`` every
    person must end up within the radius of an office:

    .. math::

       \min \sum_{j \in J} x_j \quad\text{s.t.}\quad
       \sum_{j \in N_g} x_j \ge 1 \ \ \forall g \in G, \qquad
       x_a + x_b \le 1 \ \ \forall (a, b) \in C, \qquad x_j \in \{0, 1\}

    and with ``share < 1`` enough of them, weighted by population:

    .. math::

       \min \sum_{j \in J} x_j \quad\text{s.t.}\quad
       y_g \le \sum_{j \in N_g} x_j, \quad
       \sum_{g \in G} W_g\, y_g \ge s P - P_0, \quad
       x_a + x_b \le 1, \quad x_j \in \{0, 1\},\ 0 \le y_g \le 1

    (:math:`P` total population, :math:`P_0` already covered; notation as in
    :func:`mclp`). Among the fewest sites, the set that covers the most
    people is returned (a second, maximal-covering solve with ``k`` fixed
    to the minimum).

    Parameters
    ----------
    problem
        The instance.
    share
        Target covered share of the population, ``0 < share <= 1``.
    method, time_limit, mip_gap, name
        As in :func:`mclp`.

    Raises
    ------
    InputError
        When the target cannot be reached (people beyond every candidate's
        radius, or the minimum separation forbids it), naming how far it can go.

    Examples
    --------
    >>> import numpy as np
    >>> from siting.optimize import SitingProblem, lscp
    >>> cost = np.array([[1, 9, 9], [9, 1, 9], [1, 1, 9], [9, 9, 1]], float)
    >>> p = SitingProblem.from_cost_matrix(cost, [40, 30, 20, 10], radius=2)
    >>> r = lscp(p)
    >>> int(r.objective), sorted(s.id for s in r.sites)
    (3, [0, 1, 2])
    >>> r = lscp(p, share=0.6)
    >>> int(r.objective), [s.id for s in r.sites], r.share_after
    (1, [0], 0.6)
    """
    t0 = time.perf_counter()
    _check_method(method)
    problem.require_radius("LSCP")
    try:
        share = float(share)
    except (TypeError, ValueError):
        raise InputError(f"share must be a number between 0 and 1, got {share!r}") from None
    if not (0 < share <= 1):
        raise InputError(f"share must be above 0 and at most 1 (100%), got {share!r}")
    cv = _cover_structure(problem)
    mu = cv.B.shape[1]
    total, before = problem.total_population, problem.covered_before
    tol = 1e-9 * max(1.0, total)
    need = share * total - before
    reachable = (before + float(cv.W.sum())) / total
    if need <= tol:
        t1 = time.perf_counter()
        run = _Run(np.zeros(0, np.int64), 0.0, 0.0, 0.0, "empty", "none", "none", t1 - t0, 0.0,
                   (f"The target {share:.1%} is met already: existing offices cover {before / total:.1%}.",))
        return _result(problem, "lscp", run, k=None, share=share, name=name, t0=t0)
    if (share == 1.0 and cv.uncoverable > 0) or need > float(cv.W.sum()) + tol:
        raise InputError(
            f"target {share:.1%} cannot be reached: {_people(cv.uncoverable)} people "
            f"({cv.uncoverable_points} points) are beyond the radius of every candidate site and of "
            f"every existing office; at most {reachable:.2%} can be covered with these candidates"
        )
    full = share == 1.0
    infeasible_msg = (f"target {share:.1%} cannot be reached while chosen sites keep the minimum distance of "
                      f"{problem.min_separation_m:,.0f} m from each other")
    ident = Reduced(cv.B, cv.W, np.arange(mu, dtype=np.int64), cv.conflicts)
    if not _TUNING["reduce"]:
        red = ident
    elif full:
        try:
            red = reduce_lscp_full(cv.B, cv.conflicts, max_seconds=_REDUCE_SHARE * time_limit)
        except ValueError:
            raise InputError(infeasible_msg) from None
    else:
        red = restrict(ident, drop_dominated(cv.B, cv.conflicts, max_seconds=_REDUCE_SHARE * time_limit))
    need_r = need - red.constant
    t_build = time.perf_counter()
    if red.B.shape[0] == 0 or need_r <= tol:
        # the essential sites cover everyone, or any one site reaches the target
        chosen = red.fixed if red.B.shape[0] == 0 and full else np.array(
            [int(np.argmax(np.asarray(cv.B.T @ cv.W).ravel()))], np.int64)
        x, obj, bound, status, used, solver = None, float(len(chosen)), float(len(chosen)), "optimal", "exact", \
            "reduction"
    else:
        x, obj, bound, status, used, solver, chosen = _solve_lscp_reduced(
            cv, red, need, need_r, full=full, method=method,
            time_limit=max(0.5, time_limit - (time.perf_counter() - t0)), mip_gap=mip_gap,
            infeasible_msg=infeasible_msg)
        if x is None or not np.isfinite(obj):
            raise InputError(f"no solution reaching {share:.1%} was found within the time limit "
                             f"of {time_limit:g} s; raise --time-limit")
    chosen, _ = _prune(cv, chosen, need)
    notes: list[str] = []
    if status == "optimal" and not full and len(chosen):
        # among the fewest sites, the set that covers the most people
        best, got, *_, sub_status, _, _ = _solve_mclp(
            cv, len(chosen), method="exact", time_limit=max(0.5, time_limit - (time.perf_counter() - t0)),
            mip_gap=0.0)
        if sub_status == "optimal" and len(best) <= len(chosen) and got >= need - tol:
            chosen = best
            notes.append("Among the solutions with the fewest sites, this one covers the most people.")
    obj = float(len(chosen))
    if bound is not None:
        bound = float(np.ceil(bound - 1e-6))  # a whole number of sites
    gap = _relative_gap(obj, bound)
    run = _Run(cv.sites[chosen], obj, bound, gap, _proved(status, gap), used, solver, t_build - t0,
               time.perf_counter() - t_build, tuple(notes))
    return _result(problem, "lscp", run, k=None, share=share, name=name, t0=t0)


def _solve_lscp_reduced(cv: _Cover, red: Reduced, need: float, need_r: float, *, full: bool, method: Method,
                        time_limit: float, mip_gap: float, infeasible_msg: str):
    """LSCP over a reduced model: returns x, objective, bound, status, method, solver and the chosen
    sites (cv local, with the sites the reduction fixed open); the bound counts the fixed sites."""
    G, mu = red.B.shape
    tol = 1e-9 * max(1.0, float(cv.W.sum()))
    E = len(red.conflicts)
    if full:
        model = LinearModel(
            cost=np.ones(mu), A=sp.vstack([red.B, _conflict_rows(red.conflicts, mu)]).tocsc(),
            row_lower=np.r_[np.ones(G), np.full(E, -INF)],
            row_upper=np.r_[np.full(G, INF), np.ones(E)],
            col_lower=np.zeros(mu), col_upper=np.ones(mu), integer=np.ones(mu, bool), sense="min",
        )
    else:
        model = LinearModel(
            cost=np.r_[np.ones(mu), np.zeros(G)],
            A=sp.vstack([
                sp.hstack([red.B, -sp.identity(G, format="csr")]),
                sp.hstack([sp.csr_matrix((1, mu)), sp.csr_matrix(red.W.reshape(1, -1))]),
                sp.hstack([_conflict_rows(red.conflicts, mu), sp.csr_matrix((E, G))]),
            ]).tocsc(),
            row_lower=np.r_[np.zeros(G), need_r, np.full(E, -INF)],
            row_upper=np.r_[np.full(G, INF), INF, np.ones(E)],
            col_lower=np.zeros(mu + G), col_upper=np.ones(mu + G),
            integer=np.r_[np.ones(mu, bool), np.zeros(G, bool)], sense="min",
        )
    g = greedy_cover(red.B, red.W, k=None, conflicts=conflict_graph(red.conflicts, mu), target=need_r,
                     swaps=False)
    g_orig, _ = _prune(cv, red.original(g), need)
    greedy_ok = _covered_weight(cv, g_orig) >= need - tol
    g_red = np.flatnonzero(np.isin(red.cols, g_orig))
    gx = _xy_start(red.B, g_red) if not full else _cover_start_x(mu, g_red)
    if greedy_ok and len(red.fixed) + len(g_red) != len(g_orig):  # fixed sites pruned: not a start
        greedy_ok = False
    try:
        x, obj, bound, _, status, used, solver = _exact_or_greedy(
            model, gx if greedy_ok else None, float(len(g_red)) if greedy_ok else np.inf,
            method=method if greedy_ok else "exact", nonzeros=model.A.nnz,
            time_limit=time_limit, mip_gap=mip_gap, integer_objective=True,
            start=gx if greedy_ok and _TUNING["start"] else None,
        )
    except _Infeasible:
        raise InputError(infeasible_msg) from None
    if x is None:
        return None, np.inf, None, status, used, solver, np.zeros(0, np.int64)
    chosen = red.original(np.flatnonzero(x[:mu] > 0.5))
    return x, obj + len(red.fixed), None if bound is None else bound + len(red.fixed), status, used, solver, chosen


def _cover_start_x(mu: int, local: np.ndarray) -> np.ndarray:
    x = np.zeros(mu)
    x[local] = 1
    return x


# -- p-median -------------------------------------------------------------------
def pmedian(
    problem: SitingProblem,
    k: int | None = None,
    *,
    p: int | None = None,
    method: Method = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
    nearest: int = 100,
    name: str | None = None,
) -> SitingResult:
    r"""p-median: ``k`` new sites minimising the population-weighted cost to the nearest office.

    Existing offices are kept: a person's cost is to the nearest office, old
    or new. Solved exactly by default: first by a Lagrangian relaxation and
    branch and bound (:mod:`siting.optimize.lagrange`; not with spacing
    conflicts), else with the radius formulation of
    :mod:`siting.optimize.median`: each demand point is modelled with its
    nearest candidates only, and its list is enlarged wherever the chosen
    sites leave it beyond them, until the model's optimum is the true cost of
    its sites (a proof of optimality, ``status == "optimal"``, ``gap == 0``).

    .. math::

       \begin{array}{lll}
       \min & \sum_i w_i \big(D_i^1 + \sum_{k} (D_i^{k+1} - D_i^k)\, z_i^k\big) \\
       \text{s.t.} & z_i^{k-1} - z_i^k \le \sum_{j:\, d_{ij} = D_i^k} y_j & \forall i, k \quad (z_i^0 = 1) \\
       & \sum_j y_j \le k, \quad y_a + y_b \le 1 \ \ \forall (a, b) \in C \\
       & y_j \in \{0, 1\},\ z_i^k \ge 0
       \end{array}

    where :math:`D_i^1 < D_i^2 < \dots` are the distinct costs from
    :math:`i` to the candidates cheaper than its existing office, the last
    :math:`D_i^{k+1}` the cost to that office.

    ``auto`` tries this exact path first and keeps greedy + Teitz-Bart
    interchange (status ``heuristic``, a note, the gap to the LP bound) only
    when the model would be too large for memory (``MAX_MEDIAN_NONZEROS``,
    estimated before it is built). At the time limit the best sites found are
    returned with status ``time_limit``, a valid bound and the gap.
    With a cost matrix, a demand point no office reaches counts at
    ``problem.penalty`` (the largest cost in the matrix).

    Parameters
    ----------
    problem
        The instance.
    k
        Number of NEW sites (at most); kept sites are not counted.
    p
        All open sites, kept ones included (spopt's ``p_facilities``); as in
        :func:`mclp`.
    nearest
        Candidates per demand point given to the heuristic start at least;
        the exact path enlarges each point's list where it binds, so the
        answer does not depend on it.
    method, time_limit, mip_gap, name
        As in :func:`mclp`; ``exact`` has no model-size limit.

    Examples
    --------
    >>> import numpy as np
    >>> from siting.optimize import SitingProblem, pmedian
    >>> p = SitingProblem.from_points(
    ...     np.array([[0, 0], [2000, 0], [10000, 0]]), [100, 100, 50],
    ...     np.array([[1000, 0], [9000, 0]]))
    >>> r = pmedian(p, k=1)
    >>> r.status, [s.id for s in r.sites], r.objective   # 100*1000 + 100*1000 + 50*9000
    ('optimal', [0], 650000.0)
    >>> r.total_cost, r.covered_after   # no radius: coverage is not applicable
    (650000.0, None)
    """
    t0 = time.perf_counter()
    _check_method(method)
    k = new_sites(problem, k, p, "p-median")
    mr = solve_pmedian(problem, k, method=method, time_limit=time_limit, mip_gap=mip_gap,
                       nearest=int(max(1, nearest)))
    # the candidate lists are enlarged wherever they bind, so nothing is truncated (see siting.optimize.median)
    run = _Run(mr.chosen, mr.objective, mr.bound, mr.gap, mr.status, mr.method, mr.solver,
               mr.build_seconds, mr.solve_seconds, mr.notes)
    return _result(problem, "pmedian", run, k=k, share=None, name=name, t0=t0)


# -- the result -------------------------------------------------------------------
def _people(v: float) -> str:
    return f"{v:,.0f}"


def _result(
    problem: SitingProblem,
    model: str,
    run: _Run,
    *,
    k: int | None,
    share: float | None,
    name: str | None,
    t0: float,
    extra_notes: list[str] | None = None,
) -> SitingResult:
    w = problem.weights
    chosen = np.asarray(run.chosen, np.int64)
    d_new, nearest_new = problem.distances.nearest_among(chosen)
    radius = problem.radius
    covered_new = d_new <= radius if radius is not None else np.zeros(len(w), bool)
    newly = covered_new & ~problem.existing_covered & (w > 0)
    m = len(chosen)
    newly_pop = np.bincount(nearest_new[newly], weights=w[newly], minlength=m) if m else np.zeros(0)
    newly_pts = np.bincount(nearest_new[newly], minlength=m) if m else np.zeros(0, int)
    serve = d_new < problem.existing_cost
    served = np.bincount(nearest_new[serve], weights=w[serve], minlength=m) if m else np.zeros(0)
    county = problem.demand["county"].to_numpy(dtype=object)
    by_county: dict[str, float] = {}
    for c, v in zip(county[newly], w[newly], strict=True):
        key = c if isinstance(c, str) and c else "(no county)"
        by_county[key] = by_county.get(key, 0.0) + float(v)
    order = (np.argsort(-(served if model == "pmedian" else newly_pop), kind="stable") if m
             else np.zeros(0, np.int64))
    s = problem.sites
    sites = tuple(
        ChosenSite(
            rank=r + 1,
            id=_site_id(s["id"].iat[chosen[q]]),
            name=_opt_str(s["name"].iat[chosen[q]]),
            county=_opt_str(s["county"].iat[chosen[q]]),
            lon=_opt_float(s["lon"].iat[chosen[q]]),
            lat=_opt_float(s["lat"].iat[chosen[q]]),
            newly_covered_population=float(newly_pop[q]),
            newly_covered_points=int(newly_pts[q]),
            served_population=float(served[q]),
        )
        for r, q in enumerate(order)
    )
    total = problem.total_population
    before = None if radius is None else problem.covered_before
    after = None if before is None else before + float(w[newly].sum())
    rel = w > 0
    cost_before = problem.existing_cost[rel]
    cost_after = np.minimum(cost_before, d_new[rel])
    mean_before = float(w[rel] @ cost_before / total) if np.isfinite(cost_before).all() else None
    reached = np.isfinite(cost_after)
    total_cost = float(w[rel] @ cost_after) if reached.all() else None
    mean_after = None if total_cost is None else total_cost / total
    notes = [*problem.notes, *(extra_notes or []), *run.notes]
    if total_cost is None:
        notes.append(f"Total cost not given: {_people(float(w[rel][~reached].sum()))} people "
                     f"({int((~reached).sum())} points) have no office in reach after siting.")
    return SitingResult(
        model=model,  # type: ignore[arg-type]
        licence_type=problem.licence_type,
        k=k,
        share_target=share,
        radius=radius,
        unit=problem.unit,
        sites=sites,
        total_population=total,
        covered_before=before,
        covered_after=after,
        by_county=tuple(sorted(by_county.items(), key=lambda kv: -kv[1])),
        objective=float(run.objective),
        bound=None if run.bound is None else float(run.bound),
        gap=None if run.gap is None else float(run.gap),
        status=run.status,
        method=run.method,
        solver=run.solver,
        seconds=time.perf_counter() - t0,
        build_seconds=run.build_seconds,
        solve_seconds=run.solve_seconds,
        candidates=problem.n_sites,
        candidates_total=problem.candidates_total,
        rejected=tuple(problem.rejected.items()),
        mean_cost_before=mean_before,
        mean_cost_after=mean_after,
        notes=tuple(notes),
        sample=problem.sample,
        name=name,
        total_cost=total_cost,
        proven=run.status in ("optimal", "empty"),
        heuristic=run.method == "greedy",
        stopped_by_time_limit=run.status == "time_limit",
        truncated=run.truncated,
    )


def _site_id(v: object) -> str | int | float:
    """A site label for the result: the user's own value, JSON-ready (numpy ints as ints)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, int | str) or (isinstance(v, float) and np.isfinite(v)):
        return v
    return str(v)


def _opt_str(v) -> str | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)


def _opt_float(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


__all__ = ["DEFAULT_TIME_LIMIT", "MAX_EXACT_NONZEROS", "MAX_MEDIAN_NONZEROS", "lscp", "mclp", "pmedian"]
