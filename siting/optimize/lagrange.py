r"""Lagrangian relaxation of the p-median over truncated candidate lists, and a small
branch and bound on it (Beasley 1993, "Lagrangean heuristics for location problems").

**The instance.** Each demand point :math:`i` (weight :math:`w_i > 0`) lists its nearest
candidate sites :math:`N_i` with costs :math:`c_{ij}` (sorted by ``i`` then cost, as
:meth:`siting.optimize.median._Pairs.fetch` returns them) and a cap :math:`u_i`: the cost
counted when none of its listed sites is open (its existing office, or the next cost not
listed, whichever is lower; ``inf`` when neither exists). For a set :math:`S` of at most
:math:`k` sites the *truncated cost* is

.. math:: T(S) = \sum_i w_i \min\big(u_i, \min_{j \in S \cap N_i} c_{ij}\big) \le \text{true cost of } S,

because the true cost of point :math:`i` is :math:`\min(d^0_i, \min_{j \in S} c_{ij})` (its
office :math:`d^0_i \ge u_i`), and a site of :math:`S` outside :math:`N_i` costs at least the
first unlisted cost :math:`\ge u_i`.

**The bound.** For any multipliers :math:`\lambda` (cost units, one per demand point), with
:math:`\rho_j = \sum_{i: j \in N_i} w_i \min(0, c_{ij} - \lambda_i)`,

.. math:: L(\lambda) = \sum_i w_i \lambda_i + \sum_i w_i \min(0, u_i - \lambda_i)
          + \min_{|S| \le k} \sum_{j \in S} \rho_j

(the last term: the :math:`k` most negative :math:`\rho_j`, or fewer when fewer are negative)
is a lower bound of :math:`T(S)` for every :math:`S` with :math:`|S| \le k`, hence of the
true optimum. Proof: for one point :math:`i` and any :math:`S`, let :math:`a_i = \min(u_i,
\min_{j \in S\cap N_i} c_{ij})`. Then :math:`w_i a_i = w_i\lambda_i + w_i(a_i - \lambda_i) \ge
w_i\lambda_i + w_i\min(0, a_i - \lambda_i)`, and :math:`\min(0, a_i - \lambda_i)` is one of
:math:`\min(0, u_i - \lambda_i)` and :math:`\min(0, c_{ij} - \lambda_i)`, :math:`j \in S \cap
N_i`, all :math:`\le 0`, so it is at least their sum. Summing over :math:`i` gives
:math:`T(S) \ge \sum_i w_i\lambda_i + \sum_i w_i\min(0, u_i-\lambda_i) + \sum_{j\in S}\rho_j
\ge L(\lambda)`. Nothing is assumed of :math:`\lambda`, of the lists' lengths or of the caps
beyond :math:`u_i \le` the true cost of any unlisted choice: a truncated list only makes the
bound weaker (it caps :math:`\lambda_i` usefully at :math:`u_i`), never invalid.

Sites kept open are folded into the caps (:math:`u_i \leftarrow \min(u_i, c_{is})`, ``k``
one less) and sites ruled out lose their pairs: the same bound holds for the restricted
problem, which is how the branch and bound's nodes are built.

**Subgradient optimisation** (Beasley's rule): :math:`\lambda_i \leftarrow \min(u_i,
\lambda_i + t\, g_i / w_i)` with :math:`g_i = 1 - \#\{j \in S: c_{ij} < \lambda_i\} -
[\lambda_i \ge u_i]` and :math:`t = f\,(UB - L)/\lVert g\rVert^2`; :math:`f` starts at 2 and
is halved after ``STALL`` iterations without a better bound. :math:`g = 0` means the
Lagrangian solution's sites cost exactly :math:`L`: they are optimal for the (restricted)
truncated problem.

**Branch and bound** (:func:`branch_and_bound`): depth first; a node keeps some sites open and
rules others out, restarts the subgradient from its parent's multipliers (``NODE_ITERATIONS``
iterations from step factor ``NODE_F``), settles sites by the penalties below, and branches on
one site (open first, then ruled out); it is pruned when its bound cannot beat the incumbent.

**Fixing** (exact): with an incumbent of cost :math:`UB`, a site :math:`j \notin S` forced open
raises the bound to at least :math:`L + \rho_j - \rho_{(k)}` (:math:`\rho_{(k)}` the least
negative chosen one, 0 when a slot is free); when that cannot beat :math:`UB` the site is ruled
out. A chosen site whose closing gives :math:`L - \rho_j + \min(0, \rho_{(k+1)})` that cannot
beat :math:`UB` is kept open. "Cannot beat": :math:`\ge UB - 1 + 10^{-6}` when every weight and
cost is a whole number (a better solution costs at most :math:`UB - 1`), else :math:`\ge UB`
within a relative :math:`10^{-9}` (the tolerance of the proof itself).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# iterations without a better bound before the step factor is halved
STALL = 30
# the step factor below which the subgradient stops (at a node; the root goes on to ROOT_F_MIN)
F_MIN = 0.002
ROOT_F_MIN = 1e-4
# subgradient iterations per branch-and-bound node (warm-started from the parent's multipliers): many
# cheap nodes beat fewer well-converged ones (pmed36 on the 2 shared cores: 20 iterations about 5 s;
# at step factor 2, 60 iterations 15 s and 200 iterations 34 s)
NODE_ITERATIONS = 20
# the step factor a node starts with: the parent's multipliers are nearly right. pmed36 takes 7,000
# nodes at 0.25, 4,900 at 0.5, 2,700 at 1, 1,300 at 2 and 11,000 at 3; but from 1.5 up pmed30
# (p = 200) no longer finishes its tree (0.9 s at 1)
NODE_F = 1.0
# how the branch and bound picks its site: "frac" (the one whose running average of Lagrangian
# solutions is nearest 1/2, a rough most-fractional LP value), "down" (the chosen site whose closing
# raises the bound most), "weak" (the one whose closing raises it least)
BRANCH = "frac"
# weight of the latest Lagrangian solution in the running average that guides branching
AVERAGE = 0.1


@dataclass
class Instance:
    """A (restricted) truncated p-median: pairs ``(i, j, c)`` sorted by i then c, with c < cap[i]."""

    i: np.ndarray
    j: np.ndarray
    c: np.ndarray
    cap: np.ndarray
    w: np.ndarray
    m: int
    k: int

    def __post_init__(self) -> None:
        self.wp = self.w[self.i]
        self.n = len(self.cap)

    @classmethod
    def of(cls, i, j, c, cap, w, m: int, k: int) -> Instance:
        i, j, c = np.asarray(i, np.int64), np.asarray(j, np.int64), np.asarray(c, float)
        cap = np.asarray(cap, float)
        keep = c < cap[i]
        return cls(i[keep], j[keep], c[keep], cap, np.asarray(w, float), int(m), int(k))

    def restrict(self, forced: np.ndarray, closed: np.ndarray) -> Instance:
        """The instance with sites ``forced`` kept open (folded into the caps, ``k`` less) and the
        sites where ``closed`` (a mask) is set ruled out."""
        cap = self.cap
        out = closed.copy()
        if len(forced):
            cap = cap.copy()
            sel = np.zeros(self.m, bool)
            sel[forced] = True
            at = sel[self.j]
            np.minimum.at(cap, self.i[at], self.c[at])
            out |= sel
        keep = ~out[self.j] & (self.c < cap[self.i])
        return Instance(self.i[keep], self.j[keep], self.c[keep], cap, self.w, self.m, self.k - len(forced))

    def truncated_cost(self, sites: np.ndarray) -> float:
        """T(S): each point's cheapest of its cap and its listed sites among ``sites``."""
        open_ = np.zeros(self.m, bool)
        open_[np.asarray(sites, np.int64)] = True
        a = self.cap.copy()
        sel = open_[self.j]
        ii, cc = self.i[sel], self.c[sel]
        if len(ii):
            first = np.r_[True, ii[1:] != ii[:-1]]
            a[ii[first]] = np.minimum(a[ii[first]], cc[first])
        return float(self.w @ a)

    def sites(self) -> np.ndarray:
        """Sites that appear in some pair."""
        return np.unique(self.j)

    def start(self) -> np.ndarray:
        """Starting multipliers: each point's second-cheapest listed cost (or its cap)."""
        lam = self.cap.copy()
        if len(self.i):
            first = np.searchsorted(self.i, np.arange(self.n))
            deg = np.bincount(self.i, minlength=self.n)
            two = deg >= 2
            lam[two] = self.c[first[two] + 1]
            one = deg == 1
            lam[one] = np.minimum(lam[one], self.c[first[one]] * 2 + 1)
        lam[~np.isfinite(lam)] = 0.0
        return lam


@dataclass
class Value:
    """L(lambda) and its subproblem's solution."""

    bound: float
    rho: np.ndarray
    chosen: np.ndarray  # up to k sites with the most negative rho (all negative)
    hit: np.ndarray  # per pair: c < lambda_i and the site chosen


def _choose(rho: np.ndarray, k: int) -> np.ndarray:
    if k <= 0:
        return np.zeros(0, np.int64)
    part = np.arange(len(rho)) if k >= len(rho) else np.argpartition(rho, k - 1)[:k]
    return part[rho[part] < 0]


def value(inst: Instance, lam: np.ndarray) -> Value:
    """L(lambda) (see the module doc: a valid lower bound of T(S), |S| <= k, for any lambda)."""
    d = np.minimum(inst.c - lam[inst.i], 0.0) * inst.wp
    rho = np.bincount(inst.j, weights=d, minlength=inst.m)
    chosen = _choose(rho, inst.k)
    with np.errstate(invalid="ignore"):
        capterm = np.where(np.isfinite(inst.cap), np.minimum(inst.cap - lam, 0.0), 0.0)
    bound = float(inst.w @ lam + inst.w @ capterm + rho[chosen].sum())
    open_ = np.zeros(inst.m, bool)
    open_[chosen] = True
    return Value(bound, rho, chosen, (d < 0) & open_[inst.j])


def lagrangian_bound(i, j, c, cap, w, m: int, k: int, lam) -> float:
    """L(lambda) of the truncated p-median given by pairs ``(i, j, c)`` (sorted by i then c),
    caps ``cap`` and weights ``w``: a lower bound of the cost of every choice of at most ``k``
    sites, whatever ``lam`` (module doc)."""
    inst = Instance.of(i, j, c, cap, w, m, k)
    return value(inst, np.asarray(lam, float)).bound


class Judge:
    """Whether a bound can still beat the incumbent: integral data need a whole unit."""

    def __init__(self, integral: bool):
        self.integral = integral

    def beats(self, b, ub: float):
        """``b`` (a bound, or an array of them) is below what a solution better than ``ub`` may cost."""
        if self.integral:
            return b < ub - 1 + 1e-6
        return b < ub - 1e-9 * max(1.0, abs(ub))


@dataclass
class Descent:
    bound: float  # best L found
    lam: np.ndarray  # its multipliers
    val: Value  # the subproblem at ``lam``
    exact: bool  # g == 0 at ``lam``: val.chosen costs exactly ``bound`` (optimal for the instance)
    iterations: int
    f: float
    y: np.ndarray  # per site, a running average of the Lagrangian solutions (a rough LP solution)


def subgradient(inst: Instance, lam: np.ndarray, ub: Callable[[], float], judge: Judge, *, iterations: int,
                f: float = 2.0, f_min: float = F_MIN, deadline: float = np.inf, offer: Callable[[np.ndarray, np.ndarray], None] | None = None,
                offer_every: int = 10) -> Descent:
    """Beasley's subgradient optimisation from ``lam`` (at most ``iterations``); stops early when the
    bound cannot beat ``ub()`` any more, at ``g == 0``, when ``f`` falls below ``F_MIN`` or at
    ``deadline``. ``offer(chosen, rho)`` sees a Lagrangian solution every ``offer_every``
    iterations (for incumbents)."""
    lam = np.minimum(np.asarray(lam, float), inst.cap)
    best_lam = lam
    best_val: Value | None = None
    best = -np.inf
    stall = 0
    it = 0
    exact = False
    at_cap = np.isfinite(inst.cap)
    y = np.zeros(inst.m)
    while it < iterations:
        it += 1
        val = value(inst, lam)
        y *= 1 - AVERAGE
        y[val.chosen] += AVERAGE if it > 1 else 1.0
        if best_val is None or val.bound > best + 1e-12 * max(1.0, abs(best)):
            best, best_lam, best_val = val.bound, lam, val
            stall = 0
        else:
            stall += 1
            if stall >= STALL:
                f /= 2
                stall = 0
        if offer is not None and (it == 1 or it % offer_every == 0):
            offer(val.chosen, val.rho)
        u = ub()
        if not judge.beats(best, u):
            break
        cnt = np.bincount(inst.i, weights=val.hit, minlength=inst.n)
        g = 1.0 - cnt - (at_cap & (lam >= inst.cap))
        nrm = float(g @ g)
        if nrm == 0.0:
            best, best_lam, best_val, exact = val.bound, lam, val, True
            break
        if f < f_min or time.perf_counter() > deadline:
            break
        step = f * max(u - val.bound, 1e-9 * max(1.0, abs(u))) / nrm
        lam = np.minimum(lam + step * g / inst.w, inst.cap)
    if best_val is None:
        best_val = value(inst, lam)
        best, best_lam = best_val.bound, lam
    return Descent(best, best_lam, best_val, exact, it, f, y)


def penalties(inst: Instance, val: Value) -> tuple[np.ndarray, np.ndarray]:
    """Per site, the bound's rise when it is forced open (sites not chosen; 0 for chosen) and
    when it is forced closed (chosen sites; 0 for the others)."""
    rho = val.rho
    chosen = val.chosen
    is_ch = np.zeros(inst.m, bool)
    is_ch[chosen] = True
    kth = float(rho[chosen].max()) if len(chosen) >= inst.k and len(chosen) else 0.0
    if inst.k <= 0:
        kth = -np.inf  # no slot: forcing any site open is infeasible
    rest = rho[~is_ch]
    nxt = min(0.0, float(rest.min())) if len(rest) else 0.0
    up = np.where(is_ch, 0.0, rho - kth)
    down = np.where(is_ch, nxt - rho, 0.0)
    return up, down


def fix(inst: Instance, d: Descent, ub: float, judge: Judge) -> tuple[np.ndarray, np.ndarray]:
    """Sites that no solution better than ``ub`` opens (to rule out) and that every such solution
    opens (to keep open), from the penalties at the best multipliers (module doc)."""
    up, down = penalties(inst, d.val)
    present = np.zeros(inst.m, bool)
    present[inst.j] = True
    is_ch = np.zeros(inst.m, bool)
    is_ch[d.val.chosen] = True
    close = present & ~is_ch & ~judge.beats(d.bound + up, ub)
    keep = is_ch & ~judge.beats(d.bound + down, ub)
    return np.flatnonzero(close), np.flatnonzero(keep)


@dataclass
class TreeOutcome:
    bound: float  # a valid lower bound of the true optimum (<= the incumbent)
    complete: bool  # every node was settled
    nodes: int
    reach: np.ndarray  # per demand point: the largest true cost of a leaf below the incumbent that left
    # it beyond its list (0: none did)


def branch_and_bound(root: Instance, lam: np.ndarray, judge: Judge, ub: Callable[[], float],
                     offer: Callable[[np.ndarray], np.ndarray], deadline: float,
                     node_iterations: int | None = None,
                     grow: Callable[[np.ndarray], Instance | None] | None = None) -> TreeOutcome:
    """Depth-first branch and bound over the truncated instance ``root``.

    ``offer(sites)`` evaluates a choice of sites (of ``root``'s numbering) at its TRUE cost, makes
    it the incumbent when better, and returns each point's true cost; ``ub()`` is the incumbent's
    cost. A node is pruned when its Lagrangian bound cannot beat ``ub()``; a node whose Lagrangian
    solution is exact (``g == 0``) or whose sites are all decided is a leaf: its truncated cost is
    its optimum. A leaf that still beats the incumbent after its sites were offered left some
    points beyond their lists (truncated cost < true cost): those points are returned in
    ``reach`` (with their true cost) and the leaf's truncated cost caps the returned bound, unless
    ``grow(reach)`` returns the instance with those points' lists enlarged: the tree then goes on
    with it (every node's restrictions and bounds stay valid) and looks at the leaf again.
    """
    nonlocal_root = [root]
    node_iterations = NODE_ITERATIONS if node_iterations is None else node_iterations
    n = root.n
    reach = np.zeros(n)
    stack: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = [
        (np.zeros(0, np.int64), np.zeros(root.m, bool), lam, -np.inf)]
    leaf_min = np.inf
    open_min = np.inf
    nodes = 0
    seen: set[tuple[int, ...]] = set()

    def try_sites(sites: np.ndarray) -> np.ndarray | None:
        key = tuple(sorted(int(s) for s in sites))
        if key in seen:
            return None
        seen.add(key)
        return offer(np.asarray(key, np.int64))

    def leaf(forced: np.ndarray, closed: np.ndarray, lam: np.ndarray, sites: np.ndarray, t: float) -> None:
        nonlocal leaf_min
        if not judge.beats(t, ub()):
            return
        tc = offer(np.r_[forced, sites].astype(np.int64))
        if not judge.beats(t, ub()):
            return
        root = nonlocal_root[0]
        bind = tc > root.cap * (1 + 1e-12) + 1e-9
        here = np.where(bind, tc, 0.0)
        bigger = grow(here) if grow is not None and bind.any() else None
        if bigger is not None:
            nonlocal_root[0] = bigger
            stack.append((forced, closed, lam, t))
            return
        reach[bind] = np.maximum(reach[bind], tc[bind])
        leaf_min = min(leaf_min, t)

    def top_up(sub: Instance, chosen: np.ndarray, rho: np.ndarray) -> np.ndarray:
        if len(chosen) >= sub.k:
            return chosen
        order = np.argsort(rho, kind="stable")
        present = np.zeros(sub.m, bool)
        present[sub.j] = True
        is_ch = np.zeros(sub.m, bool)
        is_ch[chosen] = True
        extra = [s for s in order if present[s] and not is_ch[s]][: sub.k - len(chosen)]
        return np.r_[chosen, np.asarray(extra, np.int64)].astype(np.int64)

    complete = True
    while stack:
        if time.perf_counter() > deadline:
            complete = False
            open_min = min(b for *_, b in stack)
            break
        forced, closed, lam0, parent = stack.pop()
        if not judge.beats(parent, ub()):
            continue
        sub = nonlocal_root[0].restrict(forced, closed)
        nodes += 1
        present = sub.sites()
        if sub.k <= 0 or len(present) <= sub.k:
            s_ = present if sub.k > 0 else np.zeros(0, np.int64)
            leaf(forced, closed, lam0, s_, sub.truncated_cost(s_))
            continue

        def node_offer(chosen: np.ndarray, rho: np.ndarray, sub: Instance = sub,
                       forced: np.ndarray = forced) -> None:
            s = top_up(sub, chosen, rho)
            if judge.beats(sub.truncated_cost(s), ub()):
                try_sites(np.r_[forced, s].astype(np.int64))

        d = subgradient(sub, lam0, ub, judge, iterations=node_iterations, f=NODE_F, deadline=deadline,
                        offer=node_offer, offer_every=20)
        if not judge.beats(d.bound, ub()):
            continue
        if d.exact:
            leaf(forced, closed, d.lam, d.val.chosen, d.bound)
            continue
        close, keep = fix(sub, d, ub(), judge)
        if len(close) or len(keep):
            c2 = closed.copy()
            c2[close] = True
            stack.append((np.r_[forced, keep].astype(np.int64), c2, d.lam, d.bound))
            continue
        # branch (BRANCH): by default on the site the recent Lagrangian solutions took about half the
        # time; the "open" child (explored first) has one site fewer to choose
        up, down = penalties(sub, d.val)
        cand = d.val.chosen
        if BRANCH == "frac":
            s = int(present[np.argmin(np.abs(d.y[present] - 0.5))])
        elif len(cand):
            s = int(cand[np.argmax(down[cand])]) if BRANCH == "down" else int(cand[np.argmin(down[cand])])
        else:  # no negative rho: the site nearest to it
            s = int(present[np.argmin(up[present])])
        c2 = closed.copy()
        c2[s] = True
        stack.append((forced, c2, d.lam, d.bound))
        stack.append((np.r_[forced, s].astype(np.int64), closed, d.lam, d.bound))
    bound = min(ub(), leaf_min, open_min)
    return TreeOutcome(bound, complete, nodes, reach)


__all__ = ["Instance", "Judge", "branch_and_bound", "fix", "lagrangian_bound", "penalties", "subgradient",
           "value"]
