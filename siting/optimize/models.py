r"""The models planners ask for beyond MCLP, LSCP and p-median.

* :func:`pcenter` - ``k`` new sites making the worst-served person's cost to the nearest office
  as small as possible (equity); :func:`min_beyond` - ``k`` new sites leaving the fewest
  settlements (or people) farther than a threshold ``T``;
* :func:`capacitated_pmedian` - p-median where an office serves at most its capacity (people);
* :func:`capacitated_mclp` - maximal covering where an office covers at most its capacity;
* :func:`backup_coverage` - the most people with *two* offices within the radius (Hogan &
  ReVelle's BACOP), first cover kept as a constraint or second objective;
* :func:`mclp_county_floor` - maximal covering with every county at least a given share covered.

Each takes the same prepared :class:`~siting.optimize.model.SitingProblem` as the other models:
existing offices are kept (never variables), chosen sites keep the minimum distance from each
other (conflict rows), demand points with the same candidate set are merged where the model
allows it, and HiGHS solves the sparse model (:mod:`siting.optimize.solve`) within a time limit.
``k`` is an upper bound on the new sites, as in :func:`~siting.optimize.mclp`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from siting.errors import InputError
from siting.optimize.greedy import conflict_graph, greedy_cover
from siting.optimize.locate import (
    DEFAULT_TIME_LIMIT,
    _check_k,
    _conflict_rows,
    _cover_structure,
    _people,
    _relative_gap,
    _result,
    _Run,
    _site_id,
)
from siting.optimize.model import EuclideanDistances, MatrixDistances, Pairs, SitingProblem
from siting.optimize.result import SitingResult
from siting.optimize.solve import INF, LinearModel, SolveOutcome, solve

NO_COUNTY = "(no county)"


# -- shared helpers -----------------------------------------------------------------
def _group_rows(sub: sp.csr_matrix, extra: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Codes (group of each row) and the first row of each group, for rows with the same
    column set (and the same ``extra`` key)."""
    sub = sub.tocsr()
    sub.sort_indices()
    ip, ix = sub.indptr, sub.indices
    keys = [ix[ip[r]:ip[r + 1]].tobytes() + (b"|" + str(extra[r]).encode() if extra is not None else b"")
            for r in range(sub.shape[0])]
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
    first = np.full(len(uniques), -1, np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return np.asarray(codes, np.int64), first


def _grouped(problem: SitingProblem, C: sp.csr_matrix, w: np.ndarray, rows: np.ndarray, key: np.ndarray):
    """The demand ``rows`` of cover matrix ``C`` grouped by identical candidate sets and ``key`` (the
    existing cover count, the county, ...): the group x useful-site matrix, the groups' weights and keys,
    the useful sites (positions in ``problem.sites``) and their conflicts (local positions)."""
    codes, first = _group_rows(C, key[rows])
    B = C[first]
    W = np.bincount(codes, weights=w[rows], minlength=len(first))
    sites = np.flatnonzero(np.diff(B.tocsc().indptr) > 0)
    return B[:, sites].tocsr(), W, key[rows][first], sites, _local_conflicts(problem, sites)


def _local_conflicts(problem: SitingProblem, sites: np.ndarray) -> np.ndarray:
    """Conflict pairs among ``sites`` (positions in problem.sites), as local positions."""
    local = np.full(problem.n_sites, -1, np.int64)
    local[sites] = np.arange(len(sites))
    if not len(problem.conflicts):
        return np.empty((0, 2), np.int64)
    c = local[problem.conflicts]
    return c[(c >= 0).all(axis=1)]


def _card_row(mu: int, n_cols: int) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(mu), (np.zeros(mu, np.int64), np.arange(mu))), shape=(1, n_cols))


def _pad(m: sp.spmatrix, n_cols: int) -> sp.csr_matrix:
    """``m`` with zero columns appended up to ``n_cols``."""
    m = sp.csr_matrix(m)
    return sp.hstack([m, sp.csr_matrix((m.shape[0], n_cols - m.shape[1]))]).tocsr() if n_cols > m.shape[1] else m


def _capacities(problem: SitingProblem, capacity: float | np.ndarray | str | None) -> np.ndarray:
    """Capacity (people) of each candidate: one number, one per candidate, or a column of the sites."""
    if capacity is None:
        raise InputError("capacity: give the people an office can serve (a number, one per candidate, "
                         "or a column of the candidate sites), or set `capacity` in the rules file")
    if isinstance(capacity, str):
        if capacity not in problem.sites.columns:
            raise InputError(f"capacity: the candidate sites have no column {capacity!r}")
        raw = pd.to_numeric(problem.sites[capacity], errors="coerce").to_numpy(float)
        where = f"column {capacity!r}"
    else:
        try:
            raw = np.broadcast_to(np.asarray(capacity, float), (problem.n_sites,)).copy()
        except (TypeError, ValueError):
            raise InputError(f"capacity: expected a number or {problem.n_sites} numbers, got {capacity!r}") from None
        where = "capacity"
    bad = np.flatnonzero(~np.isfinite(raw) | (raw < 0))
    if len(bad):
        sid = problem.sites["id"].iat[int(bad[0])]
        raise InputError(f"capacity: candidate site {sid!r} ({where}) has capacity {raw[bad[0]]!r}; "
                         "capacities must be numbers >= 0")
    return raw


def _status(out: SolveOutcome) -> str:
    return "optimal" if out.status == "optimal" else ("time_limit" if out.status == "time_limit" else out.status)


def _with_notes(result: SitingResult, notes: list[str], **changes) -> SitingResult:
    return replace(result, notes=(*result.notes, *notes), **changes)


# -- p-center -------------------------------------------------------------------------
def pcenter(
    problem: SitingProblem,
    k: int,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    name: str | None = None,
) -> SitingResult:
    r"""p-center: ``k`` new sites minimising the largest cost from a person to the nearest office.

    The cost is what the instance holds (straight-line metres, travel minutes or a matrix's
    unit); demand points with population 0 do not count; existing offices are kept. Solved
    exactly by searching the sorted distinct costs: the optimum :math:`T^*` is the smallest
    cost :math:`T` at which every demand point farther than :math:`T` from its existing
    office can be reached within :math:`T` by at most ``k`` non-conflicting new sites (a set
    covering feasibility problem, solved by HiGHS, points with the same candidate set merged).
    The search starts between the lower bound :math:`\max_i \min(d^0_i, \min_j d_{ij})` and
    the cost of a greedy solution (each step adds the candidate nearest to the worst-served
    point). ``bound`` is the largest cost proved infeasible's successor: equal to the
    objective when the search ends within the time limit.

    With a cost matrix, a demand point that neither an existing office nor any candidate
    reaches is left out (a note says how many).

    Examples
    --------
    >>> import numpy as np
    >>> from siting.optimize import SitingProblem, pcenter
    >>> p = SitingProblem.from_points(np.array([[0, 0], [4000, 0], [10000, 0]]), [1, 1, 1],
    ...     np.array([[2000, 0], [3000, 0], [9000, 0]]), radius=2000)
    >>> r = pcenter(p, k=2)
    >>> r.status, r.objective, sorted(s.id for s in r.sites)
    ('optimal', 2000.0, [0, 2])
    """
    t0 = time.perf_counter()
    k = _check_k(problem, k)
    w, ex = problem.weights, problem.existing_cost
    near1, _ = problem.distances.nearest(1)
    best_single = np.full(problem.n_demand, np.inf)
    best_single[near1.i] = near1.cost
    reach = np.minimum(ex, best_single)
    rel = (w > 0) & np.isfinite(reach)
    notes: list[str] = []
    lost = int(((w > 0) & ~np.isfinite(reach)).sum())
    if lost:
        notes.append(f"{lost} demand points ({_people(float(w[(w > 0) & ~np.isfinite(reach)].sum()))} people) "
                     "are reached by no office and no candidate site; they are left out of the worst cost.")
    lb = float(reach[rel].max()) if rel.any() else 0.0
    graph_all = conflict_graph(problem.conflicts, problem.n_sites)
    chosen, ub = _pcenter_greedy(problem, k, rel, graph_all)

    def worst(sites: np.ndarray) -> float:
        cost, _ = problem.current_cost(sites)
        return float(cost[rel].max()) if rel.any() else 0.0

    if ub <= lb + 1e-12 or not rel.any():
        obj = worst(chosen)
        run = _Run(chosen, obj, lb, _relative_gap(obj, lb), "optimal", "exact", "greedy (meets the lower bound)",
                   time.perf_counter() - t0, 0.0, tuple(notes))
        return _result(problem, "pcenter", run, k=k, share=None, name=name, t0=t0)
    pub = problem.distances.within(ub) if np.isfinite(ub) else _all_pairs(problem)
    values = np.unique(np.r_[pub.cost, ex[rel & (ex <= ub)], ub])
    values = values[(values >= lb - 1e-12) & (values <= ub) & np.isfinite(values)]
    t_build = time.perf_counter()
    if not np.isfinite(ub):  # the greedy sites leave someone unreached: is any choice better?
        ok, sites = _pcenter_feasible(problem, pub, values[-1], k, rel, time_limit)
        if not ok:
            raise InputError(f"p-center: with k={k} new sites some settlements stay out of reach of every office"
                             + (" (not decided within the time limit)" if ok is None else "")
                             + "; raise k")
        chosen = sites
    lo, hi = 0, len(values) - 1  # values[hi] feasible (the greedy solution reaches it)
    best, status = chosen, "optimal"
    while lo < hi:
        mid = (lo + hi) // 2
        left = time_limit - (time.perf_counter() - t_build)
        if left <= 0:
            status = "time_limit"
            break
        ok, sites = _pcenter_feasible(problem, pub, values[mid], k, rel, left)
        if ok is None:
            status = "time_limit"
            break
        if ok:
            hi, best = mid, sites
        else:
            lo = mid + 1
    obj = worst(best)
    bound = float(values[lo])
    gap = _relative_gap(obj, bound)
    if status == "time_limit" and gap is not None and gap <= 1e-12:
        status = "optimal"
    run = _Run(best, obj, bound, gap, status, "exact", "HiGHS set covering over sorted costs",
               t_build - t0, time.perf_counter() - t_build, tuple(notes))
    return _result(problem, "pcenter", run, k=k, share=None, name=name, t0=t0)


def _all_pairs(problem: SitingProblem) -> Pairs:
    d = problem.distances
    if isinstance(d, MatrixDistances):
        return d.pairs
    return d.within(np.inf)  # pragma: no cover - straight lines always give a finite greedy bound


def _pcenter_greedy(problem: SitingProblem, k: int, rel: np.ndarray,
                    graph: sp.csr_matrix) -> tuple[np.ndarray, float]:
    """Repeatedly add the candidate nearest to the worst-served point (skipping conflicts)."""
    L = min(problem.n_sites, 64)
    pairs, _ = problem.distances.nearest(L)
    first = np.searchsorted(pairs.i, np.arange(problem.n_demand + 1))
    blocked = np.zeros(problem.n_sites, bool)
    chosen: list[int] = []
    cost = problem.existing_cost.copy()
    skip = np.zeros(problem.n_demand, bool)
    for _ in range(k):
        if not (rel & ~skip).any():
            break
        cand = np.where(rel & ~skip, cost, -np.inf)
        i = int(np.argmax(cand))
        js = pairs.j[first[i]:first[i + 1]]
        cs = pairs.cost[first[i]:first[i + 1]]
        pick = [j for j, c in zip(js, cs, strict=True) if not blocked[j] and c < cost[i]]
        if not pick:
            skip[i] = True
            continue
        j = int(pick[0])
        chosen.append(j)
        blocked[j] = True
        blocked[graph.indices[graph.indptr[j]:graph.indptr[j + 1]]] = True
        d, _ = problem.distances.nearest_among(np.array([j]))
        cost = np.minimum(cost, d)
    sites = np.asarray(chosen, np.int64)
    cur, _ = problem.current_cost(sites)
    return sites, float(cur[rel].max()) if rel.any() else 0.0


def _pcenter_feasible(problem: SitingProblem, pub: Pairs, T: float, k: int, rel: np.ndarray,
                      time_limit: float) -> tuple[bool | None, np.ndarray]:
    """Can at most ``k`` non-conflicting new sites bring everyone within ``T``?
    ``None``: not decided within the time limit."""
    need = rel & (problem.existing_cost > T)
    if not need.any():
        return True, np.zeros(0, np.int64)
    sel = (pub.cost <= T) & need[pub.i]
    n = problem.n_demand
    C = sp.csr_matrix((np.ones(int(sel.sum())), (pub.i[sel], pub.j[sel])), shape=(n, problem.n_sites))[need]
    if (np.diff(C.indptr) == 0).any():
        return False, np.zeros(0, np.int64)
    _, first = _group_rows(C)
    B = C[first]
    sites = np.flatnonzero(np.diff(B.tocsc().indptr) > 0)
    B = B[:, sites].tocsr()
    G, mu = B.shape
    conf = _local_conflicts(problem, sites)
    g = greedy_cover(B, np.ones(G), k=None, conflicts=conflict_graph(conf, mu), target=float(G), swaps=False)
    covered = np.asarray(B[:, g].sum(axis=1)).ravel() > 0 if len(g) else np.zeros(G, bool)
    if covered.all() and len(g) <= k:
        return True, sites[np.asarray(g, np.int64)]
    model = LinearModel(
        cost=np.ones(mu),
        A=sp.vstack([B, _card_row(mu, mu), _conflict_rows(conf, mu)]).tocsc(),
        row_lower=np.r_[np.ones(G), -INF, np.full(len(conf), -INF)],
        row_upper=np.r_[np.full(G, INF), k, np.ones(len(conf))],
        col_lower=np.zeros(mu), col_upper=np.ones(mu), integer=np.ones(mu, bool), sense="min",
    )
    out = solve(model, time_limit=time_limit, mip_gap=1.0)  # any feasible solution answers
    if out.status == "infeasible":
        return False, np.zeros(0, np.int64)
    if out.x is not None:
        return True, sites[np.flatnonzero(out.x[:mu] > 0.5)]
    return None, np.zeros(0, np.int64)


# -- fewest settlements beyond T ---------------------------------------------------------
def min_beyond(
    problem: SitingProblem,
    k: int,
    threshold: float,
    *,
    count: Literal["settlements", "population"] = "settlements",
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
    name: str | None = None,
) -> SitingResult:
    """``k`` new sites leaving the fewest settlements (or people) farther than ``threshold``
    from their nearest office: maximal covering with radius ``threshold``, each demand point
    (population > 0) counting 1 (``count="settlements"``) or its population.

    The objective is what remains beyond ``threshold`` afterwards (minimised); the result's
    ``radius`` is ``threshold`` and its covered figures are people within it.

    Examples
    --------
    >>> import numpy as np
    >>> from siting.optimize import SitingProblem, min_beyond
    >>> p = SitingProblem.from_points(np.array([[0, 0], [500, 0], [9000, 0]]), [10, 10, 500],
    ...     np.array([[250, 0], [9000, 0]]), radius=1000)
    >>> r = min_beyond(p, 1, 1000)
    >>> r.objective, [s.id for s in r.sites]
    (1.0, [0])
    >>> min_beyond(p, 1, 1000, count="population").objective
    20.0
    """
    from siting.optimize.locate import _prune, _solve_mclp

    t0 = time.perf_counter()
    if count not in ("settlements", "population"):
        raise InputError(f"count must be settlements or population, got {count!r}")
    try:
        T = float(threshold)
    except (TypeError, ValueError):
        raise InputError(f"threshold: expected a number, got {threshold!r}") from None
    if not np.isfinite(T) or T <= 0:
        raise InputError(f"threshold must be a positive number, got {threshold!r}")
    k = _check_k(problem, k)
    w = problem.weights
    at_T = replace(problem, radius=T, existing_covered=problem.existing_cost <= T)
    counted = at_T
    if count == "settlements":
        demand = problem.demand.copy()
        demand["population"] = (w > 0).astype(float)
        counted = replace(at_T, demand=demand)
    cv = _cover_structure(counted)
    weight = (w > 0).astype(float) if count == "settlements" else w
    beyond_before = float(weight[~at_T.existing_covered].sum())
    if cv.B.shape[0] == 0:
        run = _Run(np.zeros(0, np.int64), beyond_before, beyond_before, 0.0, "empty", "none", "none",
                   time.perf_counter() - t0, 0.0, ("Nothing to add: no candidate reaches anyone beyond the threshold.",))
        return _result(at_T, "beyond", run, k=k, share=None, name=name, t0=t0)
    t_build = time.perf_counter()
    local, gained, bound, _, status, used, solver = _solve_mclp(
        cv, k, method="exact", time_limit=time_limit, mip_gap=mip_gap)
    chosen, _ = _prune(cv, local, None)
    obj = beyond_before - float(gained)
    lower = None if bound is None else beyond_before - float(bound)
    gap = _relative_gap(obj, lower) if obj > 0 else (0.0 if lower is not None else None)
    if status in ("heuristic", "time_limit") and gap is not None and gap <= 1e-9:
        status = "optimal"
    what = "settlements" if count == "settlements" else "people"
    run = _Run(cv.sites[chosen], obj, lower, gap, status, used, solver, t_build - t0,
               time.perf_counter() - t_build,
               (f"{obj:,.0f} {what} stay beyond {T:,g} {problem.unit or 'cost units'} of every office "
                f"({beyond_before:,.0f} before).",))
    return _result(at_T, "beyond", run, k=k, share=None, name=name, t0=t0)


# -- capacitated p-median ------------------------------------------------------------
def capacitated_pmedian(
    problem: SitingProblem,
    k: int,
    capacity: float | np.ndarray | str | None,
    *,
    single_source: bool = True,
    nearest: int = 100,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
    name: str | None = None,
) -> SitingResult:
    r"""Capacitated p-median: ``k`` new sites, each serving at most its capacity (people),
    minimising the population-weighted cost of the assignment.

    .. math::

       \begin{array}{lll}
       \min & \sum_i w_i \big(\sum_{j \in N_i} d_{ij} z_{ij} + d^0_i u_i\big) \\
       \text{s.t.} & \sum_{j \in N_i} z_{ij} + u_i = 1 & \forall i \\
       & z_{ij} \le x_j, \quad \sum_i w_i z_{ij} \le c_j x_j & \forall i, j \\
       & \sum_j x_j \le k, \quad x_a + x_b \le 1 \ \ \forall (a, b) \in C \\
       & x_j \in \{0, 1\},\ z_{ij} \in \{0, 1\} \text{ (single sourcing) or } [0, 1],\ u_i \ge 0
       \end{array}

    with :math:`d^0_i` the cost to the nearest existing office (:math:`u_i = 0` when there is
    none) and :math:`N_i` the ``nearest`` cheapest candidates cheaper than it. This is
    spopt's capacitated ``PMedian`` (single sourcing: each settlement to one office; binary
    assignment) with existing offices kept outside ``k``.

    **Existing offices have no capacity limit here**: the workspace does not know how many
    people each one serves today, so a person may always stay with the nearest existing
    office at its cost. When some demand point's existing office is farther than its
    ``nearest``-th candidate, only the ``nearest`` candidates are modelled: the solution is
    feasible but may not be optimal (status ``feasible``, with a note); raise ``nearest``.

    The objective is the cost of the model's assignment (not of the nearest office); the
    sites' ``served_population`` and ``mean_cost_after`` are the assignment's too.

    HiGHS solves it in savings form (the existing office's cost is a constant; a pair's cost is
    its change), without pairs that cannot be used (a settlement larger than the site's
    capacity under single sourcing), with :math:`\sum_j c_j x_j \ge` the people with no
    existing office, and from a capacitated greedy + swap start that is feasible by
    construction.

    Examples
    --------
    Two villages of 100 beside site 0 and one of 50 beside site 1; capacity 150:

    >>> import numpy as np
    >>> from siting.optimize import SitingProblem, capacitated_pmedian
    >>> cost = np.array([[1.0, 5.0], [1.0, 5.0], [5.0, 1.0]])
    >>> p = SitingProblem.from_cost_matrix(cost, [100, 100, 50], radius=2)
    >>> r = capacitated_pmedian(p, 2, 150)
    >>> r.status, r.objective   # one village of 100 moves to site 1: 100*1 + 100*5 + 50*1
    ('optimal', 650.0)
    >>> capacitated_pmedian(p, 2, 150, single_source=False).objective   # half of it: 100 + 50 + 250 + 50
    450.0
    """
    t0 = time.perf_counter()
    k = _check_k(problem, k)
    cap = _capacities(problem, capacity)
    w, ex = problem.weights, problem.existing_cost
    L = int(max(1, nearest))
    pairs, nxt = problem.distances.nearest(L)
    keep = (w[pairs.i] > 0) & (pairs.cost < ex[pairs.i])
    pi, pj, pc = pairs.i[keep], pairs.j[keep], pairs.cost[keep]
    rel = np.flatnonzero(w > 0)
    notes: list[str] = []
    has_pair = np.zeros(problem.n_demand, bool)
    has_pair[pi] = True
    lost = (w > 0) & ~has_pair & ~np.isfinite(ex)
    euclid = isinstance(problem.distances, EuclideanDistances)
    if lost.any():
        notes.append(f"{int(lost.sum())} demand points ({_people(float(w[lost].sum()))} people) are reached by no "
                     "office and no candidate; they count at the largest cost in the instance.")
    rel = rel[~lost[rel]]
    truncated = bool(np.any(np.isfinite(nxt[rel]) & (nxt[rel] < ex[rel])))
    if truncated:
        notes.append(f"Each demand point is modelled with its {L} nearest candidates only; a better solution "
                     "may use farther ones (raise `nearest`).")
    notes.append("Existing offices are kept with no capacity limit (their current load is unknown).")
    dloc = np.full(problem.n_demand, -1, np.int64)
    dloc[rel] = np.arange(len(rel))
    sites = np.unique(pj)
    sloc = np.full(problem.n_sites, -1, np.int64)
    sloc[sites] = np.arange(len(sites))
    li, lj = dloc[pi], sloc[pj]
    nr, mu, P = len(rel), len(sites), len(pi)
    wr, exr = w[rel], ex[rel]
    must = ~np.isfinite(exr)
    lost_cost = float(w[lost].sum()) * problem.penalty if lost.any() and not euclid else 0.0
    if mu == 0:
        obj = float(wr @ np.where(must, 0.0, exr)) + lost_cost
        run = _Run(np.zeros(0, np.int64), obj, obj, 0.0, "empty", "none", "none", time.perf_counter() - t0, 0.0,
                   ("No candidate site is nearer to anyone than their existing office.",))
        return _with_notes(_result(problem, "capacitated_pmedian", run, k=k, share=None, name=name, t0=t0), notes)
    capl = cap[sites]
    top = np.sort(capl)[::-1][:k].sum()
    if float(wr[must].sum()) > top + 1e-9:
        raise InputError(
            f"capacity: {_people(float(wr[must].sum()))} people have no existing office in reach, more than the "
            f"{k} largest candidate capacities add up to ({_people(top)}); raise k or the capacity")
    if single_source:
        # a settlement larger than a site's capacity can never be assigned to it (exact; tightens the LP)
        fits = must[li] | (wr[li] <= capl[lj] + 1e-9)
        li, lj, pc, pj = li[fits], lj[fits], pc[fits], pj[fits]
        P = len(li)
    # savings form: the cost of staying with the existing office is a constant, each pair's cost is
    # its change (u_i = 1 - sum_j z_ij eliminated); scaled to people so that HiGHS sees modest numbers
    const = float(wr[~must] @ exr[~must])
    scale = max(float(wr.sum()), 1.0)
    pair_cost = wr[li] * (pc - np.where(must[li], 0.0, exr[li]))
    n_cols = mu + P
    assign = sp.csr_matrix((np.ones(P), (li, mu + np.arange(P))), shape=(nr, n_cols))
    link = sp.csr_matrix((np.r_[np.ones(P), -np.ones(P)], (np.r_[np.arange(P), np.arange(P)], np.r_[mu + np.arange(P), lj])),
                         shape=(P, n_cols))
    load = sp.csr_matrix((np.r_[wr[li], -capl], (np.r_[lj, np.arange(mu)], np.r_[mu + np.arange(P), np.arange(mu)])),
                         shape=(mu, n_cols))
    conf = _local_conflicts(problem, sites)
    rows = [assign, link, load, _card_row(mu, n_cols), _pad(_conflict_rows(conf, mu), n_cols)]
    lower = [np.where(must, 1.0, -INF), np.full(P + mu + 1 + len(conf), -INF)]
    upper = [np.ones(nr), np.zeros(P + mu), np.array([float(k)]), np.ones(len(conf))]
    if must.any():
        # the new sites together hold everyone without an existing office in reach
        rows.append(sp.csr_matrix(np.r_[capl, np.zeros(P)][None, :]))
        lower.append(np.array([float(wr[must].sum())]))
        upper.append(np.array([INF]))
    model = LinearModel(
        cost=np.r_[np.zeros(mu), pair_cost / scale],
        A=sp.vstack(rows).tocsc(),
        row_lower=np.concatenate(lower),
        row_upper=np.concatenate(upper),
        col_lower=np.zeros(n_cols),
        col_upper=np.ones(n_cols),
        integer=np.r_[np.ones(mu, bool), np.full(P, bool(single_source))],
        sense="min",
    )
    start = _capacitated_start(li, lj, -pair_cost, wr, capl, must, k, conf, mu) if single_source else None
    t_build = time.perf_counter()
    out = solve(model, time_limit=time_limit, mip_gap=mip_gap, start=start)
    if out.status == "infeasible":
        raise InputError("capacity: no choice of at most "
                         f"{k} sites serves everyone without an office in reach within the capacities"
                         + (" and the minimum distance between sites" if len(conf) else "")
                         + "; raise k or the capacity")
    if out.x is None or out.objective is None:
        raise InputError(f"capacitated p-median: no solution within the time limit of {time_limit:g} s; "
                         "raise the time limit")
    objective = const + scale * out.objective
    x = out.x
    chosen_local = np.flatnonzero(x[:mu] > 0.5)
    z = x[mu:]
    served = np.bincount(lj, weights=wr[li] * z, minlength=mu)
    chosen_local = chosen_local[served[chosen_local] > 1e-9]
    status = _status(out)
    if truncated and status == "optimal":
        status = "feasible"
    obj = objective + lost_cost
    bound = None if out.bound is None or truncated else const + scale * out.bound + lost_cost
    gap = _relative_gap(obj, bound)
    run = _Run(sites[chosen_local], obj, bound, gap, status, "exact", out.solver, t_build - t0,
               time.perf_counter() - t_build, truncated=truncated)
    res = _result(problem, "capacitated_pmedian", run, k=k, share=None, name=name, t0=t0)
    by_site = dict(zip(sites[chosen_local].tolist(), served[chosen_local].tolist(), strict=True))
    pos = {_site_id(problem.sites["id"].iat[j]): j for j in sites[chosen_local]}
    new_sites = tuple(replace(s, served_population=float(by_site[pos[s.id]])) for s in res.sites)
    new_sites = tuple(replace(s, rank=r + 1) for r, s in
                      enumerate(sorted(new_sites, key=lambda s: -s.served_population)))
    mean = obj / problem.total_population if np.isfinite(obj) and not lost.any() else res.mean_cost_after
    return _with_notes(res, notes, sites=new_sites, mean_cost_after=mean)


def _capacitated_start(li: np.ndarray, lj: np.ndarray, saving: np.ndarray, wr: np.ndarray, capl: np.ndarray,
                       must: np.ndarray, k: int, conf: np.ndarray, mu: int, *, rounds: int = 3,
                       pool: int = 150) -> np.ndarray | None:
    """A feasible single-sourcing solution of the capacitated p-median model (columns: sites,
    then pairs), or ``None`` when the heuristic leaves someone without an office unassigned.

    Sites are added greedily (largest saving of the capacitated assignment), then swapped for
    other candidates (the ``pool`` best alone) while the saving grows, for up to ``rounds``
    rounds. The assignment of a site set takes pairs by saving, people without an existing
    office first, while the site has capacity: feasible by construction.
    """
    order = np.lexsort((-saving, ~must[li]))        # people without an office first, then by saving
    oi, oj, osav, ow = li[order], lj[order], saving[order], wr[li[order]]
    useful = must[oi] | (osav > 0)
    oi, oj, osav, ow, opos = oi[useful], oj[useful], osav[useful], ow[useful], order[useful]
    need = float(wr[must].sum())
    big = 1.0 + float(np.abs(saving).sum())
    nbr: list[set[int]] = [set() for _ in range(mu)]
    for a, b in conf:
        nbr[int(a)].add(int(b))
        nbr[int(b)].add(int(a))

    def assign(S: list[int]) -> tuple[float, np.ndarray]:
        sel = np.flatnonzero(np.isin(oj, S))
        left = {j: float(capl[j]) for j in S}
        done: set[int] = set()
        took = []
        value, served_must = 0.0, 0.0
        for t in sel.tolist():
            i, j = int(oi[t]), int(oj[t])
            if i in done or ow[t] > left[j] + 1e-9:
                continue
            done.add(i)
            left[j] -= ow[t]
            value += osav[t]
            if must[i]:
                served_must += ow[t]
            took.append(t)
        return value + big * served_must, np.asarray(took, np.int64)

    def allowed(S: list[int], j: int) -> bool:
        return j not in S and not any(j in nbr[s] for s in S)

    alone = np.array([assign([j])[0] for j in range(mu)])
    cands = np.argsort(-alone)[:max(pool, k)].tolist()
    S: list[int] = []
    best = 0.0
    for _ in range(k):
        gains = [(assign([*S, j])[0], j) for j in cands if allowed(S, j)]
        if not gains:
            break
        v, j = max(gains)
        if v <= best + 1e-9:
            break
        S.append(j)
        best = v
    for _ in range(rounds):
        improved = False
        for pos in range(len(S)):
            rest = S[:pos] + S[pos + 1:]
            for j in cands:
                if allowed(rest, j):
                    v = assign([*rest, j])[0]
                    if v > best + 1e-9 * max(1.0, abs(best)):
                        S, best, improved = [*rest, j], v, True
                        rest = S[:pos] + S[pos + 1:]
        if not improved:
            break
    value, took = assign(S)
    if value < big * need - 1e-6 * big:
        return None
    x = np.zeros(mu + len(li))
    x[S] = 1.0
    x[mu + opos[took]] = 1.0
    return x


# -- capacitated coverage ---------------------------------------------------------------
def capacitated_mclp(
    problem: SitingProblem,
    k: int,
    capacity: float | np.ndarray | str | None,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
    name: str | None = None,
) -> SitingResult:
    r"""Capacitated maximal covering: ``k`` new sites, each covering at most its capacity of
    the people within its radius whom no existing office covers, covering the most people.

    .. math::

       \max \sum_{g} \sum_{j \in N_g} W_g z_{gj} \quad\text{s.t.}\quad
       \sum_{j \in N_g} z_{gj} \le 1, \quad z_{gj} \le x_j, \quad
       \sum_g W_g z_{gj} \le c_j x_j, \quad \sum_j x_j \le k, \quad x_a + x_b \le 1

    with :math:`x` binary and :math:`z \in [0, 1]`: a settlement's people may be split between
    offices within reach (so demand points with the same candidate set merge). People already
    covered by an existing office do not load the new offices. The result's ``covered_after``
    counts the people the offices can take (not everyone within reach); a note gives both.

    Examples
    --------
    >>> import numpy as np
    >>> from siting.optimize import SitingProblem, capacitated_mclp
    >>> cost = np.array([[1.0, 9.0], [1.0, 1.0], [9.0, 1.0]])
    >>> p = SitingProblem.from_cost_matrix(cost, [300, 300, 100], radius=2)
    >>> capacitated_mclp(p, 1, 400).objective, capacitated_mclp(p, 2, 400).objective
    (400.0, 700.0)
    """
    t0 = time.perf_counter()
    problem.require_radius("capacitated coverage")
    k = _check_k(problem, k)
    cap = _capacities(problem, capacity)
    cv = _cover_structure(problem)
    notes: list[str] = []
    if cv.B.shape[0] == 0:
        run = _Run(np.zeros(0, np.int64), 0.0, 0.0, 0.0, "empty", "none", "none", time.perf_counter() - t0, 0.0,
                   ("Nothing to add: every person within reach of a candidate site is covered already.",))
        return _result(problem, "capacitated_mclp", run, k=k, share=None, name=name, t0=t0)
    B = cv.B.tocoo()
    G, mu, P = cv.B.shape[0], cv.B.shape[1], B.nnz
    gi, gj = B.row.astype(np.int64), B.col.astype(np.int64)
    capl = cap[cv.sites]
    n_cols = mu + P
    zc = mu + np.arange(P)
    one = sp.csr_matrix((np.ones(P), (gi, zc)), shape=(G, n_cols))
    link = sp.csr_matrix((np.r_[np.ones(P), -np.ones(P)], (np.r_[np.arange(P), np.arange(P)], np.r_[zc, gj])),
                         shape=(P, n_cols))
    load = sp.csr_matrix((np.r_[cv.W[gi], -capl], (np.r_[gj, np.arange(mu)], np.r_[zc, np.arange(mu)])),
                         shape=(mu, n_cols))
    model = LinearModel(
        cost=np.r_[np.zeros(mu), cv.W[gi]],
        A=sp.vstack([one, link, load, _card_row(mu, n_cols), _pad(_conflict_rows(cv.conflicts, mu), n_cols)]).tocsc(),
        row_lower=np.full(G + P + mu + 1 + len(cv.conflicts), -INF),
        row_upper=np.r_[np.ones(G), np.zeros(P + mu), k, np.ones(len(cv.conflicts))],
        col_lower=np.zeros(n_cols), col_upper=np.ones(n_cols),
        integer=np.r_[np.ones(mu, bool), np.zeros(P, bool)], sense="max",
    )
    t_build = time.perf_counter()
    out = solve(model, time_limit=time_limit, mip_gap=mip_gap)
    if out.x is None or out.objective is None:
        raise InputError(f"capacitated coverage: no solution within the time limit of {time_limit:g} s; "
                         "raise the time limit")
    served = np.bincount(gj, weights=cv.W[gi] * out.x[zc], minlength=mu)
    chosen = np.flatnonzero((out.x[:mu] > 0.5) & (served > 1e-9))
    obj = float(out.objective)
    run = _Run(cv.sites[chosen], obj, out.bound, out.gap, _status(out), "exact", out.solver, t_build - t0,
               time.perf_counter() - t_build)
    res = _result(problem, "capacitated_mclp", run, k=k, share=None, name=name, t0=t0)
    within, before = res.covered_after, res.covered_before
    assert within is not None and before is not None  # the radius is known (required above)
    notes.append(f"Within reach of the new sites: {_people(within - before)} people newly; the offices' "
                 f"capacities take {_people(obj)} of them (covered_after counts these).")
    pos = {_site_id(problem.sites["id"].iat[cv.sites[q]]): q for q in chosen}
    new_sites = tuple(replace(s, newly_covered_population=float(served[pos[s.id]]),
                              served_population=float(served[pos[s.id]])) for s in res.sites)
    new_sites = tuple(replace(s, rank=r + 1) for r, s in
                      enumerate(sorted(new_sites, key=lambda s: -s.newly_covered_population)))
    return _with_notes(res, notes, covered_after=before + obj, sites=new_sites)


# -- backup coverage ---------------------------------------------------------------------
def backup_coverage(
    problem: SitingProblem,
    k: int,
    *,
    primary: Literal["backup", "first"] = "backup",
    first_share: float | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
    name: str | None = None,
) -> SitingResult:
    r"""Backup coverage (Hogan & ReVelle's BACOP): ``k`` new sites maximising the population
    with at least two offices within the radius (existing offices count).

    .. math::

       \begin{array}{lll}
       \max & \sum_g W_g u_g \\
       \text{s.t.} & y_g + u_g \le e_g + \sum_{j \in N_g} x_j, \quad u_g \le y_g & \forall g \\
       & \sum_g W_g y_g \ge F, \quad \sum_j x_j \le k, \quad x_a + x_b \le 1 \\
       & x_j, u_g \in \{0, 1\},\ 0 \le y_g \le 1
       \end{array}

    :math:`y_g` says the group is covered at least once, :math:`u_g` twice; :math:`e_g` is how
    many existing offices cover it (capped at 2; points covered twice already leave the model).
    :math:`u` is binary (with both continuous, :math:`y_g = u_g = 1/2` would count a single
    office as half a backup); :math:`y` may stay continuous.
    ``primary="backup"`` maximises the backup cover and, among those solutions, the first
    cover (a second solve); ``primary="first"`` maximises the first cover (the MCLP optimum)
    and then the backup cover among those. ``first_share`` (0-1] adds the constraint that at
    least that share of the whole population is covered once.

    The objective is the population covered at least twice after the new sites (including
    those covered twice already); ``covered_after`` is the population covered at least once.

    Examples
    --------
    >>> import numpy as np
    >>> from siting.optimize import SitingProblem, backup_coverage
    >>> cost = np.array([[1.0, 1.0, 9.0], [9.0, 9.0, 1.0]])
    >>> p = SitingProblem.from_cost_matrix(cost, [100, 60], radius=2)
    >>> r = backup_coverage(p, 2)
    >>> r.objective, sorted(s.id for s in r.sites)
    (100.0, [0, 1])
    >>> r = backup_coverage(p, 2, primary="first")
    >>> r.objective, r.covered_after
    (0.0, 160.0)
    """
    t0 = time.perf_counter()
    problem.require_radius("backup coverage")
    k = _check_k(problem, k)
    if primary not in ("backup", "first"):
        raise InputError(f"primary must be backup or first, got {primary!r}")
    w = problem.weights
    notes: list[str] = []
    if problem.existing_cover_count is not None:
        e = np.minimum(np.asarray(problem.existing_cover_count, np.int64), 2)
    else:
        e = problem.existing_covered.astype(np.int64)
        if problem.existing_covered.any():
            notes.append("The instance does not say how many existing offices cover each place: "
                         "each covered place counts one existing office.")
    twice_before = float(w[(e >= 2) & (w > 0)].sum())
    rows = np.flatnonzero((w > 0) & (e < 2))
    C = problem.cover[rows].tocsr()
    reach = np.diff(C.indptr) > 0
    rows, C = rows[reach], C[reach]
    total = problem.total_population
    once_fixed = float(w[(w > 0) & (e >= 1)].sum()) - float(w[rows][e[rows] >= 1].sum())
    need_first = None
    if first_share is not None:
        try:
            first_share = float(first_share)
        except (TypeError, ValueError):
            raise InputError(f"first_share must be a number between 0 and 1, got {first_share!r}") from None
        if not 0 < first_share <= 1:
            raise InputError(f"first_share must be above 0 and at most 1, got {first_share!r}")
        need_first = first_share * total - once_fixed
    if not len(rows):
        if need_first is not None and need_first > 1e-9 * max(1.0, total):
            raise InputError(f"first cover: {first_share:.1%} cannot be reached: no candidate reaches anyone "
                             "not covered already")
        run = _Run(np.zeros(0, np.int64), twice_before, twice_before, 0.0, "empty", "none", "none",
                   time.perf_counter() - t0, 0.0, ("Nothing to add: no candidate reaches anyone not covered twice.",))
        return _backup_result(problem, run, k, name, t0, e, notes)
    B, W, eg, sites, conf = _grouped(problem, C, w, rows, e)
    G, mu = B.shape
    n_cols = mu + 2 * G
    yc, uc = mu + np.arange(G), mu + G + np.arange(G)
    cover_rows = sp.hstack([-B, sp.identity(G, format="csr"), sp.identity(G, format="csr")]).tocsr()
    order_rows = sp.csr_matrix((np.r_[np.ones(G), -np.ones(G)], (np.r_[np.arange(G), np.arange(G)], np.r_[uc, yc])),
                               shape=(G, n_cols))
    first_row = sp.csr_matrix((W, (np.zeros(G, np.int64), yc)), shape=(1, n_cols))
    backup_row = sp.csr_matrix((W, (np.zeros(G, np.int64), uc)), shape=(1, n_cols))
    A = sp.vstack([cover_rows, order_rows, _card_row(mu, n_cols), _pad(_conflict_rows(conf, mu), n_cols),
                   first_row, backup_row]).tocsc()
    n_rows = A.shape[0]
    base_lower = np.full(n_rows, -INF)
    base_upper = np.r_[eg.astype(float), np.zeros(G), k, np.ones(len(conf)), INF, INF]
    if need_first is not None:
        base_lower[-2] = need_first
    col_lower = np.r_[np.zeros(mu), (eg >= 1).astype(float), np.zeros(G)]
    # u binary: with y and u both continuous, y = u = 1/2 would count one office as half a backup
    integer = np.r_[np.ones(mu, bool), np.zeros(G, bool), np.ones(G, bool)]

    def run_model(obj: np.ndarray, lower: np.ndarray, limit: float) -> SolveOutcome:
        m = LinearModel(cost=obj, A=A, row_lower=lower, row_upper=base_upper, col_lower=col_lower,
                        col_upper=np.ones(n_cols), integer=integer, sense="max")
        return solve(m, time_limit=max(limit, 0.1), mip_gap=mip_gap)

    obj_first = np.r_[np.zeros(mu), W, np.zeros(G)]
    obj_backup = np.r_[np.zeros(mu + G), W]
    t_build = time.perf_counter()
    main, second = (obj_backup, obj_first) if primary == "backup" else (obj_first, obj_backup)
    out = run_model(main, base_lower, time_limit)
    if out.status == "infeasible":
        raise InputError(f"first cover: {first_share:.1%} of the population cannot be covered once with k={k} "
                         "new sites" + (" and the minimum distance between sites" if len(conf) else ""))
    if out.x is None or out.objective is None:
        raise InputError(f"backup coverage: no solution within the time limit of {time_limit:g} s; "
                         "raise the time limit")
    x, status, bound, gap, solver = out.x, _status(out), out.bound, out.gap, out.solver
    if status == "optimal":
        lower2 = base_lower.copy()
        row = -1 if primary == "backup" else -2
        lower2[row] = max(lower2[row], float(out.objective) - 1e-7 * max(1.0, abs(float(out.objective))))
        out2 = run_model(second, lower2, time_limit - (time.perf_counter() - t_build))
        if out2.x is not None and out2.status == "optimal":
            x = out2.x
        else:
            notes.append("The second objective was not optimised within the time limit.")
    chosen = np.flatnonzero(x[:mu] > 0.5)

    def scores(sel: np.ndarray) -> tuple[float, float]:
        c = eg + (np.asarray(B[:, sel].sum(axis=1)).ravel() if len(sel) else 0)
        return float(W @ (c >= 2)), float(W @ (c >= 1))

    chosen = _drop_idle(chosen, scores)
    backup_now = float(W @ np.minimum(1.0, np.maximum(0.0, eg + np.asarray(B[:, chosen].sum(axis=1)).ravel() - 1)))
    obj = twice_before + backup_now
    if primary == "backup":
        bound = None if bound is None else twice_before + float(bound)
        gap = _relative_gap(obj, bound)
    else:
        bound = None  # the first step's bound is in people covered once, not twice
        notes.append("The first cover was maximised first; status and gap are those of that first step.")
    run = _Run(sites[chosen], obj, bound, gap, status, "exact", solver, t_build - t0, time.perf_counter() - t_build)
    return _backup_result(problem, run, k, name, t0, e, notes)


def _backup_result(problem: SitingProblem, run: _Run, k: int, name: str | None, t0: float,
                   e: np.ndarray, notes: list[str]) -> SitingResult:
    res = _result(problem, "backup", run, k=k, share=None, name=name, t0=t0)
    w = problem.weights
    twice_before = float(w[(e >= 2) & (w > 0)].sum())
    share = run.objective / problem.total_population
    notes = [*notes, f"Covered by two offices or more: {_people(twice_before)} people before, "
             f"{_people(run.objective)} after ({share:.1%})."]
    return _with_notes(res, notes)


# -- per-county floors ------------------------------------------------------------------
def mclp_county_floor(
    problem: SitingProblem,
    k: int,
    floor: float | Mapping[str, float],
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = 0.0,
    name: str | None = None,
) -> SitingResult:
    r"""Maximal covering with per-county floors: ``k`` new sites covering the most people
    while every county ends with at least ``floor`` of its population covered.

    The MCLP of :func:`~siting.optimize.mclp` plus, for every county :math:`c` with a floor
    :math:`f_c`, the row :math:`P^0_c + \sum_{g \in c} W_g y_g \ge f_c P_c` (:math:`P_c` its
    population, :math:`P^0_c` covered by existing offices; demand groups are merged within a
    county only). ``floor`` is one share for every county or a mapping ``{county: share}``
    (counties not named have no floor). Demand points without a county get no floor.

    Raises
    ------
    InputError
        Naming the counties whose floor no choice of sites can reach (with the most each can
        reach), or, when each floor alone is reachable but not all together with ``k`` sites,
        the counties with the fewest sites each needs alone.

    Examples
    --------
    >>> import numpy as np
    >>> from dataclasses import replace
    >>> from siting.optimize import SitingProblem, mclp_county_floor
    >>> cost = np.array([[1.0, 9.0], [1.0, 9.0], [9.0, 1.0]])
    >>> p = SitingProblem.from_cost_matrix(cost, [100, 100, 50], radius=2)
    >>> p = replace(p, demand=p.demand.assign(county=["A", "A", "B"]))
    >>> [s.id for s in mclp_county_floor(p, 1, 0.0).sites], [s.id for s in mclp_county_floor(p, 1, {"B": 0.5}).sites]
    ([0], [1])
    >>> mclp_county_floor(p, 1, 0.5)
    Traceback (most recent call last):
    ...
    siting.errors.InputError: county floors cannot all be met with k=1 new sites; each county alone: A needs 1, B needs 1 (sites)
    """
    t0 = time.perf_counter()
    problem.require_radius("MCLP with county floors")
    k = _check_k(problem, k)
    w = problem.weights
    county = np.array([c if isinstance(c, str) and c else NO_COUNTY
                       for c in problem.demand["county"].to_numpy(dtype=object)], dtype=object)
    named = sorted(set(county) - {NO_COUNTY})
    if not named:
        raise InputError("county floor: the demand points have no county")
    floors = _floors(floor, named)
    pop = {c: float(w[county == c].sum()) for c in floors}
    before = {c: float(w[(county == c) & problem.existing_covered].sum()) for c in floors}
    rows = np.flatnonzero(~problem.existing_covered & (w > 0))
    C = problem.cover[rows].tocsr()
    reach = np.diff(C.indptr) > 0
    rows, C = rows[reach], C[reach]
    reachable = {c: before[c] + float(w[rows][county[rows] == c].sum()) for c in floors}
    tol = 1e-9 * max(1.0, problem.total_population)
    short = [c for c in floors if reachable[c] < floors[c] * pop[c] - tol]
    if short:
        raise InputError("county floor cannot be reached in "
                         + "; ".join(f"{c} (floor {floors[c]:.0%}, at most {reachable[c] / pop[c]:.1%} within "
                                     "reach of the candidates and existing offices)" for c in short))
    if not len(rows):
        run = _Run(np.zeros(0, np.int64), 0.0, 0.0, 0.0, "empty", "none", "none", time.perf_counter() - t0, 0.0,
                   ("Nothing to add: every person within reach of a candidate site is covered already.",))
        return _result(problem, "mclp", run, k=k, share=None, name=name, t0=t0)
    B, W, gcounty, sites, conf = _grouped(problem, C, w, rows, county)
    G, mu = B.shape
    active = [c for c in floors if floors[c] * pop[c] - before[c] > tol]
    n_cols = mu + G
    yc = mu + np.arange(G)
    floor_rows = sp.csr_matrix(
        (np.concatenate([W[gcounty == c] for c in active]) if active else np.zeros(0),
         (np.concatenate([np.full(int((gcounty == c).sum()), r) for r, c in enumerate(active)]) if active
          else np.zeros(0, np.int64),
          np.concatenate([yc[gcounty == c] for c in active]) if active else np.zeros(0, np.int64))),
        shape=(len(active), n_cols))
    A = sp.vstack([sp.hstack([-B, sp.identity(G, format="csr")]), _card_row(mu, n_cols),
                   _pad(_conflict_rows(conf, mu), n_cols), floor_rows]).tocsc()
    need = np.array([floors[c] * pop[c] - before[c] - tol for c in active])
    model = LinearModel(
        cost=np.r_[np.zeros(mu), W], A=A,
        row_lower=np.r_[np.full(G + 1 + len(conf), -INF), need],
        row_upper=np.r_[np.zeros(G), k, np.ones(len(conf)), np.full(len(active), INF)],
        col_lower=np.zeros(n_cols), col_upper=np.ones(n_cols),
        integer=np.r_[np.ones(mu, bool), np.zeros(G, bool)], sense="max",
    )
    t_build = time.perf_counter()
    out = solve(model, time_limit=time_limit, mip_gap=mip_gap)
    if out.status == "infeasible":
        alone = {c: _sites_alone(B, W, gcounty, c, floors[c] * pop[c] - before[c] - tol, conf, time_limit)
                 for c in active}
        listing = ", ".join(f"{c} {'cannot' if v is None else f'needs {v}'}"
                            for c, v in sorted(alone.items(), key=lambda kv: -(kv[1] or 10**9)))
        raise InputError(f"county floors cannot all be met with k={k} new sites"
                         + (" and the minimum distance between sites" if len(conf) else "")
                         + f"; each county alone: {listing} (sites)")
    if out.x is None or out.objective is None:
        raise InputError(f"county floor: no solution within the time limit of {time_limit:g} s; raise the time limit")
    chosen = np.flatnonzero(out.x[:mu] > 0.5)

    def covered(sel: np.ndarray) -> tuple[float, ...]:
        y = (np.asarray(B[:, sel].sum(axis=1)).ravel() > 0) if len(sel) else np.zeros(G, bool)
        return (float(W @ y), *(float(W[(gcounty == c) & y].sum()) for c in active))

    chosen = _drop_idle(chosen, covered)
    run = _Run(sites[chosen], float(out.objective), out.bound, out.gap, _status(out), "exact", out.solver,
               t_build - t0, time.perf_counter() - t_build)
    res = _result(problem, "mclp", run, k=k, share=None, name=name, t0=t0)
    after = res.newly_covered_by_county
    shares = "; ".join(f"{c} {(before[c] + after.get(c, 0.0)) / pop[c]:.1%} (floor {floors[c]:.0%})"
                       for c in floors if pop[c] > 0)
    return _with_notes(res, [f"County floors: covered share after — {shares}."])


def _drop_idle(chosen: np.ndarray, score) -> np.ndarray:
    """Leave out chosen sites whose removal changes none of ``score``'s figures (they add nobody)."""
    ref = score(chosen)
    keep = list(chosen)
    for s in list(chosen):
        trial = np.asarray([q for q in keep if q != s], np.int64)
        if all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(score(trial), ref, strict=True)):
            keep = list(trial)
    return np.asarray(keep, np.int64)


def _floors(floor: float | Mapping[str, float], named: list[str]) -> dict[str, float]:
    def share(v, where: str) -> float:
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise InputError(f"county floor {where}: expected a share between 0 and 1, got {v!r}") from None
        if f > 1 and f <= 100:
            f /= 100
        if not 0 <= f <= 1:
            raise InputError(f"county floor {where}: expected a share between 0 and 1 (or 0-100%), got {v!r}")
        return f

    if isinstance(floor, Mapping):
        unknown = sorted(str(c) for c in floor if c not in named)
        if unknown:
            raise InputError(f"county floor: unknown counties {', '.join(unknown)}; the demand has "
                             f"{', '.join(named)}")
        return {str(c): share(v, str(c)) for c, v in floor.items()}
    f = share(floor, "")
    return dict.fromkeys(named, f)


def _sites_alone(B: sp.csr_matrix, W: np.ndarray, gcounty: np.ndarray, c: str, need: float,
                 conf: np.ndarray, time_limit: float) -> int | None:
    """The fewest sites bringing county ``c`` alone to its floor (``None``: impossible)."""
    rows = np.flatnonzero(gcounty == c)
    Bc = B[rows]
    G, mu = Bc.shape
    A = sp.vstack([sp.hstack([-Bc, sp.identity(G, format="csr")]),
                   sp.csr_matrix((W[rows], (np.zeros(G, np.int64), mu + np.arange(G))), shape=(1, mu + G)),
                   _pad(_conflict_rows(conf, mu), mu + G)]).tocsc()
    m = LinearModel(cost=np.r_[np.ones(mu), np.zeros(G)], A=A,
                    row_lower=np.r_[np.full(G, -INF), need, np.full(len(conf), -INF)],
                    row_upper=np.r_[np.zeros(G), INF, np.ones(len(conf))],
                    col_lower=np.zeros(mu + G), col_upper=np.ones(mu + G),
                    integer=np.r_[np.ones(mu, bool), np.zeros(G, bool)], sense="min")
    out = solve(m, time_limit=time_limit)
    if out.objective is None or out.status == "infeasible":
        return None
    return round(out.objective)


__all__ = [
    "backup_coverage",
    "capacitated_mclp",
    "capacitated_pmedian",
    "mclp_county_floor",
    "min_beyond",
    "pcenter",
]
