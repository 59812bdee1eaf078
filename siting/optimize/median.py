r"""p-median, exact by default: a Lagrangian branch and bound, then the radius formulation,
both truncated where it is safe.

For each demand point :math:`i` (weight :math:`w_i`) let
:math:`D_i^1 < D_i^2 < \dots < D_i^{K_i}` be the distinct costs to the
candidate sites cheaper than its existing office, and :math:`D_i^{K_i+1}`
the cost to that office (or, with a cost matrix, ``problem.penalty`` when no
office reaches it). With :math:`y_j = 1` when site :math:`j` is chosen and
:math:`z_i^k = 1` when no chosen site is within :math:`D_i^k` of :math:`i`
(Elloumi 2010, "A tighter formulation of the p-median problem"; the chained
rows below, Cornuéjols, Nemhauser and Wolsey 1980, have the same LP bound
with one nonzero per demand-site pair):

.. math::

   \begin{array}{lll}
   \min & \sum_i w_i \big(D_i^1 + \sum_{k=1}^{K_i} (D_i^{k+1} - D_i^k)\, z_i^k\big) \\
   \text{s.t.} & z_i^{k-1} - z_i^k \le \sum_{j:\, d_{ij} = D_i^k} y_j & \forall i, k \quad (z_i^0 = 1) \\
   & \sum_j y_j \le k, \quad y_a + y_b \le 1 \ \ \forall (a, b) \in C \\
   & y_j \in \{0, 1\},\ z_i^k \ge 0
   \end{array}

**Truncation that stays exact.** Modelling only the :math:`c_i` nearest sites
of :math:`i` (its first levels), with the next cost as the top level, counts
at most the true cost of any choice of sites: every truncated model's optimum
(and any bound of it) is a valid lower bound. Where the chosen sites leave a
demand point beyond its last modelled level the truncation *binds*; only
there are more sites added, and the model is solved again. When nothing
binds, the model's optimum is the true cost of its own sites: proven optimal.

The steps: (1) greedy + Teitz-Bart interchange (:mod:`siting.optimize.greedy`)
gives an incumbent and, per demand point, the level its sites reach, which
sizes the first truncation; (2) the **Lagrangian relaxation** of the
assignment rows (:mod:`siting.optimize.lagrange`, Beasley 1993) over lists
reaching each point's second-nearest incumbent site: up to
``LAGRANGE_ROUNDS`` rounds of subgradient optimisation within
``LAGRANGE_SHARE`` of the time limit, each list growing where its multiplier
reaches its cap; every Lagrangian solution's sites are evaluated at their true
cost (a few through the interchange), and sites are settled exactly by the
bound's penalties (ruled out, or kept open: folded into the offices). If the
bound does not prove the incumbent and the lists hold at most
``TREE_MAX_PAIRS`` pairs, a depth-first branch and bound on the Lagrangian
bound (warm-started multipliers, a few subgradient iterations per node, the
same fixing at every node) runs until ``TREE_SHARE`` of the time limit; a leaf
below the incumbent whose sites leave points beyond their lists enlarges those
lists and is looked at again, so a finished tree proves the incumbent optimal.
Every bound on truncated lists is valid (the proof is in
:mod:`siting.optimize.lagrange`). OR-Library pmed1-40 with the default settings
(``.venv/bin/python benchmarks/bench_orlib.py --no-spopt``): all 40 at the
published optimum and proven by this step (18 by the root bound, 22 by the
tree); the slowest, pmed36, in 4.9 s (2,685 nodes), the whole run in 23 s on
2 shared cores (load 2.7); before it pmed36, 38 and 39 stopped at the 60 s
limit with gaps up to 1 %. Conflicting sites skip this step; ``method="greedy"``
never takes it. Otherwise, or when it runs out of time, the best bound is kept
and (3) the LP relaxation is enlarged where its solution binds until it equals
the full model's LP (its bound is then Elloumi's LP bound); (4) reduced-cost
fixing: a site whose LP reduced cost exceeds the gap between the incumbent and
the LP bound cannot be in a better solution and is dropped (and one whose
negative reduced cost does is kept open), which shrinks the levels; (5) the
MIP, started from the incumbent, is enlarged where its solution binds until
nothing does. The model's size is estimated (nonzeros) before it is built:
past ``MAX_MEDIAN_NONZEROS`` the ``auto`` method keeps the heuristic and says
so in the status (``heuristic``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from siting.errors import InputError
from siting.optimize import lagrange
from siting.optimize.greedy import conflict_graph, greedy_median
from siting.optimize.model import EuclideanDistances, MatrixDistances, SitingProblem
from siting.optimize.solve import INF, LinearModel, solve

_log = logging.getLogger(__name__)

# Nonzeros of a p-median model past which ``auto`` keeps the heuristic (about 1 GB in HiGHS).
MAX_MEDIAN_NONZEROS = 12_000_000
# Share of the time limit the LP phase may use.
LP_SHARE = 0.4
# Demand-site pairs the heuristic start may use.
MAX_HEURISTIC_PAIRS = 3_000_000
# HiGHS options of the LP relaxations: interior point with crossover (HiGHS's default for ipm), which
# keeps a basic solution and its reduced costs; these LPs are degenerate for the simplex (pmed31:
# 7 LP rounds in 8 s instead of 24 s).
LP_OPTIONS: dict[str, object] = {"solver": "ipm"}
# HiGHS options of the MIPs (tests and benchmarks may change them).
MIP_OPTIONS: dict[str, object] = {}
# Before the MIP every candidate list grows by this factor: a MIP whose sites leave a point beyond
# its list must be solved again from scratch, which costs more than the extra pairs (pmed31: one
# MIP of 80,000 pairs proven in 39 s instead of a 53,000-pair MIP that bound and a second one cut
# off at the 60 s limit).
MIP_LIST_GROWTH = 1.5
# Lagrangian rounds (subgradient on the current lists, which grow where the multipliers reach their
# caps) before the branch and bound or the LP; 0 skips the Lagrangian step (tests of the LP/MIP path).
LAGRANGE_ROUNDS = 6
# Share of the time limit the Lagrangian rounds may use (from the start).
LAGRANGE_SHARE = 0.25
# Share of the time limit after which the Lagrangian branch and bound gives way to the LP/MIP path.
TREE_SHARE = 0.6
# Subgradient iterations per Lagrangian round.
LAGRANGE_ITERATIONS = 1500
# Demand-site pairs up to which the Lagrangian branch and bound is tried.
TREE_MAX_PAIRS = 2_000_000


@dataclass(frozen=True)
class MedianRun:
    """How a p-median was solved."""

    chosen: np.ndarray  # positions in problem.sites
    objective: float  # the true cost of ``chosen``
    bound: float | None
    gap: float | None
    status: str
    method: str
    solver: str
    build_seconds: float
    solve_seconds: float
    notes: tuple[str, ...]
    rounds: int  # models solved (LP and MIP)
    enlarged: int = 0  # times a demand point's candidate list was enlarged because it bound


class _Pairs:
    """Each demand point's nearest candidate sites, fetched ``cnt[i]`` at a time."""

    def __init__(self, problem: SitingProblem):
        self.problem = problem
        w = problem.weights
        self.rel = np.flatnonzero(w > 0)
        self.w = w[self.rel]
        self.m = problem.n_sites
        self.euclid = isinstance(problem.distances, EuclideanDistances)
        d0 = problem.existing_cost[self.rel].astype(float)
        if not self.euclid:
            d0 = np.where(np.isfinite(d0), d0, problem.penalty)
        self.d0 = d0
        n = len(self.rel)
        if self.euclid:
            dist = problem.distances
            assert isinstance(dist, EuclideanDistances)
            self.xy = dist.demand_xy[self.rel]
            self.tree = cKDTree(dist.site_xy)
        else:
            dist = problem.distances
            p = dist.pairs if isinstance(dist, MatrixDistances) else dist.nearest(self.m)[0]
            loc = np.full(problem.n_demand, -1, np.int64)
            loc[self.rel] = np.arange(n)
            keep = loc[p.i] >= 0
            self.pi, self.pj, self.pc = loc[p.i[keep]], p.j[keep], p.cost[keep]  # sorted by i, cost
            first = np.searchsorted(self.pi, np.arange(n))
            self.rank = np.arange(len(self.pi)) - first[self.pi]
            self.deg = np.bincount(self.pi, minlength=n)

    def degree(self) -> np.ndarray:
        """Sites each demand point can reach."""
        return np.full(len(self.rel), self.m) if self.euclid else self.deg

    def fetch(self, cnt: np.ndarray, d0: np.ndarray):
        """Pairs ``(i, j, c)`` (sorted by i, then c) of each point's ``cnt[i]`` nearest sites that are
        cheaper than ``d0[i]`` and than the next site not fetched; and ``cap``: the cost counted
        when none of them is open (min of ``d0`` and that next cost), a lower bound of the truth."""
        n = len(self.rel)
        nxt = np.full(n, np.inf)
        if self.euclid:
            parts_i, parts_j, parts_c = [], [], []
            for v in np.unique(cnt):
                rows = np.flatnonzero(cnt == v)
                q = int(min(v + 1, self.m))
                d, j = self.tree.query(self.xy[rows], k=q)
                d, j = d.reshape(len(rows), -1), j.reshape(len(rows), -1)
                if v < self.m:
                    nxt[rows] = d[:, v]
                    d, j = d[:, :v], j[:, :v]
                parts_i.append(np.repeat(rows, d.shape[1]))
                parts_j.append(j.ravel())
                parts_c.append(d.ravel())
            i, j, c = np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_c)
            order = np.lexsort((j, c, i))
            i, j, c = i[order], j[order], c[order]
        else:
            at = self.rank == cnt[self.pi]
            nxt[self.pi[at]] = self.pc[at]
            sel = self.rank < cnt[self.pi]
            i, j, c = self.pi[sel], self.pj[sel], self.pc[sel]
        cap = np.minimum(d0, nxt)
        keep = c < cap[i]
        return i[keep], j[keep].astype(np.int64), c[keep], cap

    def count_within(self, t: np.ndarray) -> np.ndarray:
        """Sites within cost ``t[i]`` of each demand point."""
        if self.euclid:
            ok = np.isfinite(t)
            out = np.full(len(t), self.m, np.int64)
            if ok.any():
                out[ok] = self.tree.query_ball_point(self.xy[ok], r=t[ok] * (1 + 1e-12) + 1e-9,
                                                     return_length=True)
            return out
        return np.bincount(self.pi, weights=(self.pc <= t[self.pi]), minlength=len(t)).astype(np.int64)

    def true_cost(self, sites: np.ndarray) -> np.ndarray:
        """Each demand point's cost to its nearest office once ``sites`` are added."""
        cost, _ = self.problem.current_cost(np.asarray(sites, np.int64))
        cost = cost[self.rel]
        return cost if self.euclid else np.where(np.isfinite(cost), cost, self.problem.penalty)


@dataclass
class _Model:
    lm: LinearModel
    const: float
    lev_i: np.ndarray  # demand point of each level
    last: np.ndarray  # level is the last modelled one of its point
    pair_lev: np.ndarray
    j: np.ndarray

    def start(self, sites: np.ndarray, m: int) -> np.ndarray:
        """The model's columns for a choice of sites."""
        y = np.zeros(m)
        y[sites] = 1.0
        opened = np.bincount(self.pair_lev, weights=y[self.j], minlength=len(self.lev_i))
        cs = np.cumsum(opened)
        first = np.r_[True, self.lev_i[1:] != self.lev_i[:-1]] if len(self.lev_i) else np.zeros(0, bool)
        g0 = np.maximum.accumulate(np.where(first, np.arange(len(first)), 0)) if len(first) else first
        before = (cs - opened)[g0]  # opened before the point's first level
        z = ((cs - before) < 0.5).astype(float)
        return np.r_[y, z]


def _build(i, j, c, cap, w, m, k, conflicts, lower, upper, with_integer=True) -> _Model:
    n = len(cap)
    L = 0
    if len(i):
        new = np.r_[True, (i[1:] != i[:-1]) | (c[1:] != c[:-1])]
        lev = np.cumsum(new) - 1
        L = int(lev[-1]) + 1
        lev_i, lev_c = i[new], c[new]
    else:
        lev = np.zeros(0, np.int64)
        lev_i, lev_c = np.zeros(0, np.int64), np.zeros(0)
    last = np.r_[lev_i[1:] != lev_i[:-1], True] if L else np.zeros(0, bool)
    first = np.r_[True, lev_i[1:] != lev_i[:-1]] if L else np.zeros(0, bool)
    nxt_c = np.where(last, cap[lev_i], np.r_[lev_c[1:], 0.0]) if L else np.zeros(0)
    open_top = ~np.isfinite(nxt_c)  # no office beyond: some modelled site must serve
    zcost = np.where(open_top, 0.0, w[lev_i] * (np.where(open_top, 0.0, nxt_c) - lev_c))
    has = np.zeros(n, bool)
    has[lev_i] = True
    const = float(w[lev_i[first]] @ lev_c[first]) + float(w[~has] @ cap[~has]) if n else 0.0
    # rows: levels, cardinality, conflicts
    e = len(conflicts)
    rows = np.r_[lev, np.arange(L), np.flatnonzero(~first),
                 np.full(m, L), L + 1 + np.repeat(np.arange(e), 2)]
    cols = np.r_[j, m + np.arange(L), m + np.flatnonzero(~first) - 1,
                 np.arange(m), conflicts.ravel()]
    vals = np.r_[-np.ones(len(j)), -np.ones(L), np.ones(int((~first).sum())), np.ones(m), np.ones(2 * e)]
    A = sp.csc_matrix((vals, (rows, cols)), shape=(L + 1 + e, m + L))
    lm = LinearModel(
        cost=np.r_[np.zeros(m), zcost],
        A=A,
        row_lower=np.full(L + 1 + e, -INF),
        row_upper=np.r_[np.where(first, -1.0, 0.0), k, np.ones(e)],
        col_lower=np.r_[lower.astype(float), np.zeros(L)],
        col_upper=np.r_[upper.astype(float), np.where(open_top, 0.0, 1.0)],
        integer=np.r_[np.full(m, with_integer), np.zeros(L, bool)],
        sense="min",
    )
    return _Model(lm, const, lev_i, last, lev, j)


def _debug(kind: str, md: _Model, out, cnt: np.ndarray) -> None:
    """One line per solved model on the ``siting.optimize.median`` logger (level DEBUG)."""
    if _log.isEnabledFor(logging.DEBUG):
        obj = None if out.objective is None else out.objective + md.const
        _log.debug("%s rows x cols %s, %d nonzeros, %d pairs: %s, objective %s, %.2f s",
                   kind, md.lm.shape, md.lm.A.nnz, int(cnt.sum()), out.status, obj, out.seconds)


def _round_lp(y: np.ndarray, k: int, graph: sp.csr_matrix) -> np.ndarray:
    """Up to ``k`` sites with the largest LP values (above zero), skipping conflicting ones."""
    blocked = np.zeros(len(y), bool)
    out: list[int] = []
    for s in np.argsort(-y, kind="stable"):
        if len(out) >= k or y[s] <= 1e-6:
            break
        if blocked[s]:
            continue
        out.append(int(s))
        blocked[s] = True
        blocked[graph.indices[graph.indptr[s]:graph.indptr[s + 1]]] = True
    return np.asarray(out, np.int64)


def _estimate(cnt: np.ndarray, m: int) -> int:
    """Nonzeros of a model over ``cnt`` pairs per point (pairs + two per level at most)."""
    return int(3 * cnt.sum() + 3 * m)


def solve_pmedian(
    problem: SitingProblem,
    k: int,
    *,
    method: str = "auto",
    time_limit: float = 60.0,
    mip_gap: float = 0.0,
    nearest: int = 100,
    max_nonzeros: int | None = None,
    first_count: int | None = None,
) -> MedianRun:
    """``k`` new sites minimising the weighted cost to the nearest office (see the module doc).

    ``method``: ``auto`` (exact unless the model is past ``max_nonzeros``, default
    ``MAX_MEDIAN_NONZEROS``), ``exact`` (no size limit) or ``greedy`` (greedy +
    interchange with the LP bound). ``nearest``: sites per demand point given to the
    heuristic at least (the exact path enlarges its lists wherever they bind).
    ``first_count``: the first truncation, candidates per demand point (default: those
    the heuristic's sites reach, plus one); tests use it to make the truncation bind.
    """
    t0 = time.perf_counter()
    deadline = t0 + float(time_limit)
    limit = MAX_MEDIAN_NONZEROS if max_nonzeros is None else int(max_nonzeros)
    if method == "exact":
        limit = np.iinfo(np.int64).max
    src = _Pairs(problem)
    m, n, w = src.m, len(src.rel), src.w
    conflicts = problem.conflicts
    graph = conflict_graph(conflicts, m)
    deg = src.degree()
    integral = bool(np.all(w == np.round(w)))
    notes: list[str] = []

    def left() -> float:
        return max(deadline - time.perf_counter(), 0.01)

    def total(sites: np.ndarray) -> tuple[float, np.ndarray]:
        tc = src.true_cost(sites)
        return float(w @ tc), tc

    # 1. heuristic start
    ch = int(min(m, max(nearest, int(np.ceil(3.0 * m / max(k, 1))))))
    ch = int(max(1, min(ch, max(nearest, MAX_HEURISTIC_PAIRS // max(n, 1)))))
    cnt_h = np.minimum(np.full(n, ch, np.int64), np.maximum(deg, 0))
    hi, hj, hc, hcap = src.fetch(np.maximum(cnt_h, 1), src.d0)
    if not len(hi) and bool(np.all(hcap >= src.d0)):
        cost0 = float(w @ src.d0)
        return MedianRun(np.zeros(0, np.int64), cost0, cost0, 0.0, "empty", "none", "none",
                         time.perf_counter() - t0, 0.0,
                         ("No candidate site is nearer to anyone than their existing office.",), 0)
    inc = greedy_median(hi, hj, hc, hcap, w, m, k=k, conflicts=graph)
    inc_cost, inc_tc = total(inc)
    # whole weights and whole costs (every pair of a matrix, the offices, the penalty): the optimum is
    # a whole number, so a bound may be rounded up (straight-line distances never are)
    integral = (integral and not src.euclid and bool(np.all(src.pc == np.round(src.pc)))
                and bool(np.all(src.d0 == np.round(src.d0))))
    t_build = time.perf_counter()

    def tight(b: float) -> float:
        return float(np.ceil(b - 1e-6)) if integral else b

    # first truncation: what the heuristic's sites reach, and a little more
    cnt = np.minimum(np.maximum(src.count_within(inc_tc) + 1, min(8, m)), np.maximum(deg, 1))
    if first_count is not None:
        cnt = np.minimum(np.full(n, max(1, int(first_count)), np.int64), np.maximum(deg, 1))
    enlarged = 0
    roundings = 0
    lower = np.zeros(m, bool)
    upper = np.ones(m, bool)
    d0 = src.d0.copy()
    rounds = 0
    bound: float | None = None
    solver = "greedy + interchange"

    def gap_of(obj: float, b: float | None) -> float | None:
        return None if b is None else max(0.0, obj - b) / max(abs(obj), 1e-9)

    def finish(status: str, used: str, extra: tuple[str, ...] = ()) -> MedianRun:
        b = None if bound is None else min(bound, inc_cost)
        g = gap_of(inc_cost, b)
        if g is not None and g <= max(mip_gap, 1e-9) and status in ("time_limit", "feasible", "heuristic",
                                                                      "optimal"):
            status = "optimal"
        elif status == "optimal":
            status = "feasible"
        return MedianRun(np.asarray(inc, np.int64), inc_cost, b, g, status, used, solver,
                         t_build - t0, time.perf_counter() - t_build, (*notes, *extra), rounds, enlarged)

    def settled_proof() -> MedianRun:
        # sites are settled only against choices cheaper than the incumbent of the time: when no choice
        # respects them all, nothing is cheaper than that incumbent, nor than today's
        nonlocal bound
        bound = inc_cost
        return finish("optimal", "exact", ("Proven optimal: no choice of sites respects every site the bounds "
                                           "settled (each was settled against the cheaper choices).",))

    # 2. Lagrangian relaxation (siting.optimize.lagrange): rounds of subgradient optimisation whose
    # lists grow where the multipliers reach their caps, exact fixing of sites, then a branch and bound
    lagrangian = (method != "greedy" and LAGRANGE_ROUNDS > 0 and not len(conflicts) and k > 0
                  and (method == "exact" or _estimate(cnt, m) <= limit))
    if lagrangian:
        judge = lagrange.Judge(integral)
        tol = 1e-9 * max(1.0, abs(inc_cost))
        seen: set[tuple[int, ...]] = set()

        def ub() -> float:
            return inc_cost

        def offer(sites: np.ndarray) -> np.ndarray:
            nonlocal inc, inc_cost, inc_tc
            full = np.union1d(np.asarray(sites, np.int64), np.flatnonzero(lower))
            cost, tc = total(full)
            if cost < inc_cost - tol:
                inc, inc_cost, inc_tc = full, cost, tc
            return tc

        def polish(sites: np.ndarray) -> None:
            nonlocal inc, inc_cost, inc_tc
            key = tuple(sorted(int(v) for v in sites))
            if key in seen or not len(key):
                return
            seen.add(key)
            alt = greedy_median(hi, hj, hc, hcap, w, m, k=k, conflicts=graph, start=np.asarray(key, np.int64))
            cost, tc = total(alt)
            if cost < inc_cost - tol:
                inc, inc_cost, inc_tc = alt, cost, tc

        def instance() -> lagrange.Instance:
            i, j, c, cap = src.fetch(cnt, d0)
            live = upper[j] & ~lower[j]
            return lagrange.Instance.of(i[live], j[live], c[live], cap, w, m, k - int(lower.sum()))

        cnt_lp = cnt.copy()  # the LP/MIP path keeps its own, shorter, first lists
        if first_count is None:
            # lists up to each point's second-nearest incumbent site (what it pays when its own closes):
            # the multipliers settle near there, and a list shorter than its multiplier caps the bound
            op = np.zeros(m, bool)
            op[inc] = True
            sel = op[hj]
            si, sc = hi[sel], hc[sel]
            second = hcap.copy()
            at = (np.arange(len(si)) - np.searchsorted(si, si)) == 1
            second[si[at]] = sc[at]
            want = src.count_within(np.minimum(second, d0)) + 1
            cnt = np.minimum(np.maximum(cnt, want), np.maximum(deg, 1))
        lam = None
        proof = ""
        lag_deadline = t0 + LAGRANGE_SHARE * float(time_limit)
        iters = 0
        for _ in range(LAGRANGE_ROUNDS):
            if time.perf_counter() >= lag_deadline:
                break
            inst = instance()
            if inst.k <= 0:
                break
            lam = inst.start() if lam is None else np.minimum(lam, inst.cap)

            def root_offer(chosen: np.ndarray, rho: np.ndarray, inst: lagrange.Instance = inst) -> None:
                if judge.beats(inst.truncated_cost(chosen), inc_cost):
                    offer(chosen)

            d = lagrange.subgradient(inst, lam, ub, judge, iterations=LAGRANGE_ITERATIONS, deadline=lag_deadline,
                                     f_min=lagrange.ROOT_F_MIN, offer=root_offer)
            iters += d.iterations
            lam = d.lam
            bound = tight(d.bound) if bound is None else max(bound, tight(d.bound))
            polish(d.val.chosen)
            if not judge.beats(d.bound, inc_cost):
                proof = "the Lagrangian bound"
                break
            if d.exact:
                break
            close, keep = lagrange.fix(inst, d, inc_cost, judge)
            upper[close] = False
            if len(keep):
                lower[keep] = True
                d1, _ = problem.distances.nearest_among(np.flatnonzero(lower))
                d0 = np.minimum(d0, d1[src.rel])
            cnt_i = np.bincount(inst.i, weights=d.val.hit, minlength=n)
            bind = (inst.cap < d0) & (lam >= inst.cap) & (cnt_i == 0)
            _log.debug("Lagrangian round: %d pairs, bound %.6g (incumbent %.6g), %d iterations, %d sites ruled "
                       "out, %d kept open, %d points at their caps, %.2f s", len(inst.i), d.bound, inc_cost,
                       d.iterations, len(close), len(keep), int(bind.sum()), time.perf_counter() - t0)
            if not bind.any():
                break
            grown = np.minimum(np.maximum(2 * cnt, cnt + 4), np.maximum(deg, 1))
            cnt = np.where(bind, grown, cnt)
            enlarged += int(bind.sum())
        fixed = int((~upper).sum() + lower.sum())
        if fixed:
            notes.append(f"{fixed} of {m} candidate sites were settled by the Lagrangian bound "
                         f"({int(lower.sum())} kept open, {int((~upper).sum())} ruled out).")
        nodes = 0
        tree_deadline = t0 + TREE_SHARE * float(time_limit)

        def grow(reach: np.ndarray) -> lagrange.Instance | None:
            # a leaf's sites leave these points beyond their lists: enlarge them (as the MIP does)
            nonlocal cnt, enlarged
            bind = reach > 0
            want = np.maximum(src.count_within(reach)[bind] + 1, cnt[bind] + cnt[bind] // 2)
            cnt[bind] = np.minimum(want, np.maximum(deg[bind], 1))
            enlarged += int(bind.sum())
            bigger = instance()
            return bigger if len(bigger.i) <= TREE_MAX_PAIRS else None
        while not proof and lam is not None and time.perf_counter() < tree_deadline:
            inst = instance()
            if len(inst.i) > TREE_MAX_PAIRS or inst.k <= 0:
                break
            tree = lagrange.branch_and_bound(inst, np.minimum(lam, inst.cap), judge, ub, offer, tree_deadline,
                                             grow=grow)
            nodes += tree.nodes
            _log.debug("Lagrangian tree: %d pairs, %d nodes, bound %.6g (incumbent %.6g), complete %s, %d points "
                       "bind, %.2f s", len(inst.i), tree.nodes, tree.bound, inc_cost, tree.complete,
                       int((tree.reach > 0).sum()), time.perf_counter() - t0)
            bound = max(bound if bound is not None else -np.inf, tight(tree.bound))
            if not judge.beats(tree.bound, inc_cost):
                proof = f"a Lagrangian branch and bound ({nodes} nodes)"
                break
            bind = tree.reach > 0
            if not tree.complete or not bind.any():
                break
            want = np.maximum(src.count_within(np.where(bind, tree.reach, 0.0))[bind] + 1,
                              cnt[bind] + cnt[bind] // 2)
            cnt[bind] = np.minimum(want, np.maximum(deg[bind], 1))
            enlarged += int(bind.sum())
        if proof:
            solver = "Lagrangian relaxation (subgradient" + (", branch and bound)" if nodes else ")")
            return finish("optimal", "exact", (f"Proven optimal by {proof} ({iters} subgradient iterations at "
                                                "the root).",))
        solver = "greedy + interchange; bound: Lagrangian relaxation"
        cnt = cnt_lp

    # 3. LP relaxation, enlarged where it binds
    lp_bound = None
    rc = None
    too_big = _estimate(cnt, m) > limit
    # at most LP_SHARE of the time: the MIP, started from the incumbent, needs the rest to improve it
    lp_deadline = t0 + LP_SHARE * float(time_limit) if method != "greedy" else deadline
    while not too_big and time.perf_counter() < lp_deadline:
        i, j, c, cap = src.fetch(cnt, d0)
        md = _build(i, j, c, cap, w, m, k, conflicts, lower, upper, with_integer=False)
        rounds += 1
        out = solve(md.lm, time_limit=max(lp_deadline - time.perf_counter(), 0.01), relax=True,
                    options=LP_OPTIONS)
        _debug("LP", md, out, cnt)
        if out.status == "infeasible" and (lower.any() or not upper.all()):
            return settled_proof()
        if out.status != "optimal" or out.x is None or out.objective is None:
            break
        # a truncated LP counts at most the truth: its optimum is a valid bound already
        lp_round = tight(md.const + out.objective)
        bound = lp_round if bound is None else max(bound, lp_round)
        if roundings < 3 and bound < inc_cost - 1e-9 * max(1.0, abs(inc_cost)):
            # the LP's largest y, then interchange: often better than the greedy's local optimum
            roundings += 1
            cand = _round_lp(out.x[:m], k, graph)
            if len(cand):
                alt = greedy_median(hi, hj, hc, hcap, w, m, k=k, conflicts=graph, start=cand)
                alt_cost, alt_tc = total(alt)
                if alt_cost < inc_cost - 1e-9 * max(1.0, abs(inc_cost)):
                    inc, inc_cost, inc_tc = alt, alt_cost, alt_tc
        z = out.x[m:]
        trunc = cap < d0
        bind_lv = md.last & (z > 1e-7) & trunc[md.lev_i]
        bind = np.zeros(n, bool)
        bind[md.lev_i[bind_lv]] = True
        bind |= trunc & ~np.isin(np.arange(n), md.lev_i)  # no modelled level at all
        if not bind.any():
            lp_bound = md.const + out.objective
            rc = out.reduced_costs
            break
        grown = np.minimum(np.maximum(2 * cnt, cnt + 4), np.maximum(deg, 1))
        cnt = np.where(bind, grown, cnt)
        enlarged += int(bind.sum())
        too_big = _estimate(cnt, m) > limit
    if lp_bound is not None:
        bound = max(tight(lp_bound), bound if bound is not None else -np.inf)
        solver = "greedy + interchange; bound: LP (radius formulation)"
    if too_big and method == "auto":
        notes.append(f"The exact p-median model is too large for memory (over {limit:,} nonzeros): "
                     "greedy + interchange was used; see the gap.")
        return finish("heuristic", "greedy")
    if method == "greedy":
        return finish("heuristic", "greedy")
    if bound is not None and bound >= inc_cost - 1e-9 * max(1.0, abs(inc_cost)):
        return finish("optimal", "exact", ("The heuristic's sites meet the LP bound: proven optimal.",))

    # 4. reduced-cost fixing
    if rc is not None and lp_bound is not None:
        room = inc_cost - lp_bound + 1e-6 * max(1.0, abs(inc_cost))
        r = rc[:m]
        out_rc = (r > room) & upper  # newly settled (the Lagrangian step may have settled some already)
        keep_rc = (-r > room) & ~lower
        upper = upper & ~out_rc
        lower = lower | keep_rc
        fixed = int(out_rc.sum() + keep_rc.sum())
        if fixed:
            notes.append(f"{fixed} of {m} candidate sites were settled by the LP's reduced costs "
                         f"({int(keep_rc.sum())} kept open, {int(out_rc.sum())} ruled out).")
        if (lower & ~upper).any() or int(lower.sum()) > k:
            return settled_proof()
        if lower.any():
            d1, _ = problem.distances.nearest_among(np.flatnonzero(lower))
            d0 = np.minimum(d0, d1[src.rel])
        cnt = np.maximum(cnt, 1)

    # 5. the MIP, enlarged where it binds
    cnt = np.minimum(np.maximum(cnt, np.ceil(cnt * MIP_LIST_GROWTH).astype(np.int64)), np.maximum(deg, 1))
    status = "time_limit"
    solver = "HiGHS MIP (radius formulation)"
    while True:
        if _estimate(cnt, m) > limit:
            status = "feasible"
            notes.append(f"Enlarging the model past {limit:,} nonzeros was not attempted: the bound "
                         "is that of the largest model solved.")
            break
        if time.perf_counter() >= deadline:
            break
        i, j, c, cap = src.fetch(cnt, d0)
        live = upper[j]  # sites ruled out by reduced costs leave the levels
        i, j, c = i[live], j[live], c[live]
        md = _build(i, j, c, cap, w, m, k, conflicts, lower, upper)
        rounds += 1
        start = md.start(inc, m) if upper[inc].all() and lower[inc].sum() == lower.sum() else None
        out = solve(md.lm, time_limit=left(), mip_gap=mip_gap, start=start,
                    options=MIP_OPTIONS or None)
        _debug("MIP", md, out, cnt)
        solver = f"{out.solver}, radius formulation"
        if out.status == "infeasible":
            if lower.any() or not upper.all():
                return settled_proof()
            raise InputError("p-median: no feasible choice of sites (check k and the candidates)")
        if out.x is None:
            break
        sites = np.flatnonzero(out.x[:m] > 0.5)
        cost, tc = total(sites)
        if cost < inc_cost - 1e-9 * max(1.0, abs(inc_cost)):
            inc, inc_cost, inc_tc = sites, cost, tc
        if out.bound is not None:
            b = tight(md.const + out.bound)
            bound = b if bound is None else max(bound, b)
        if out.status != "optimal":
            break
        bind = tc > cap * (1 + 1e-12) + 1e-9
        if not bind.any() or (bound is not None and bound >= inc_cost - 1e-9 * max(1.0, abs(inc_cost))):
            status = "optimal"
            break
        want = np.maximum(src.count_within(np.where(bind, tc, 0.0))[bind] + 1, cnt[bind] + cnt[bind] // 2)
        cnt[bind] = np.minimum(want, np.maximum(deg[bind], 1))
        enlarged += int(bind.sum())
    if rounds > 2:
        notes.append(f"Solved in {rounds} rounds, enlarging each demand point's candidate list only "
                     "where the truncation bound.")
    return finish(status, "exact")


__all__ = ["MAX_MEDIAN_NONZEROS", "MedianRun", "solve_pmedian"]
