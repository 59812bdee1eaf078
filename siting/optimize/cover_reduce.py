"""Reducing covering models (MCLP, LSCP) before they are solved, and a Lagrangian bound for MCLP.

Everything here works on the merged cover structure of :mod:`siting.optimize.locate`: a 0/1
matrix ``B`` (groups of demand points x candidate sites), the groups' weights ``W`` and the
conflict pairs (sites closer than the minimum separation). Each reduction keeps at least one
optimal solution of the original model:

* **dominated sites**: site ``a`` covers a subset of what site ``b`` covers, and ``b`` conflicts
  with nothing ``a`` does not conflict with (apart from ``a`` itself). Any solution using ``a``
  stays feasible and covers at least as much with ``b`` in its place (or with ``a`` left out
  when ``b`` is chosen already), with no more sites. Of identical sites one is kept. Removals
  are made one at a time against the current conflicts, so chains of dominations stay valid.
* **identical groups** merged again after sites are dropped (their weights summed).
* **MCLP: groups every remaining site covers** become a constant: any solution places at least
  one site (``k >= 1`` and any single site is feasible), so they are always covered.
* **LSCP (everyone covered): essential sites** (the only site of some group) are fixed open, the
  groups they cover and the sites conflicting with them leave the model; a group whose sites
  include all the sites of another group is implied by it and dropped.
* **MCLP: sites fixed closed by the Lagrangian bound** (:func:`lagrangian_mclp`): a site with which
  no solution can beat the starting solution is left out; the start is kept, so the best of the
  start and the reduced model's optimum is optimal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

# Columns per block when computing which sites' cover sets contain which.
_BLOCK = 256
# Dominators checked against the conflicts per site that has conflicts (Python set checks).
_MAX_CHECKS = 16


@dataclass
class Reduced:
    """A reduced covering model and the way back to the original one.

    ``cols`` maps reduced columns to columns of the original ``B``; ``fixed`` are original
    columns fixed open (LSCP); ``constant`` is the weight always covered (MCLP).
    """

    B: sp.csr_matrix
    W: np.ndarray
    cols: np.ndarray
    conflicts: np.ndarray  # (E, 2) reduced positions
    constant: float = 0.0
    fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    stats: dict[str, int] = field(default_factory=dict)

    def original(self, local: np.ndarray) -> np.ndarray:
        """Reduced column positions -> original column positions (fixed ones added)."""
        return np.unique(np.r_[self.cols[np.asarray(local, np.int64)], self.fixed]).astype(np.int64)


def merge_rows(B: sp.csr_matrix, W: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Merge rows with identical column sets (weights summed); rows with no column are dropped."""
    B = B.tocsr()
    B.sort_indices()
    keep = np.diff(B.indptr) > 0
    B, W = B[keep], W[keep]
    if B.shape[0] == 0:
        return B, W
    ip, ix = B.indptr, B.indices
    keys = [ix[ip[r]:ip[r + 1]].tobytes() for r in range(B.shape[0])]
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
    n = len(uniques)
    if n == B.shape[0]:
        return B, W
    Wn = np.bincount(codes, weights=W, minlength=n)
    first = np.full(n, -1, np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return B[first].tocsr(), Wn


def _containment(Bc: sp.csc_matrix, sizes: np.ndarray, cols: np.ndarray):
    """For each column ``a`` in ``cols``, the columns whose cover set contains ``a``'s (``a`` excluded)."""
    BT = Bc.T.tocsr()
    for s in range(0, len(cols), _BLOCK):
        blk = cols[s:s + _BLOCK]
        M = (BT[blk] @ Bc).tocsr()  # sparse: the work is the pairs that share a row
        for r, a in enumerate(blk):
            lo, hi = M.indptr[r], M.indptr[r + 1]
            sup = M.indices[lo:hi][M.data[lo:hi] >= sizes[a]]
            yield int(a), sup[sup != a]


def pair_work(B: sp.spmatrix) -> int:
    """Multiplications in ``B.T @ B``: the cost of finding which columns contain which."""
    deg = np.diff(B.tocsr().indptr).astype(np.int64)
    return int((deg * deg).sum())


def containment_seconds(B: sp.spmatrix) -> float:
    """Estimated seconds to find which columns of ``B`` contain which (measured here: about
    50 us per column for the Python loop and 20 ns per multiplication; 18,582 sites, 1.2e6
    multiplications: 1.0 s)."""
    return 5e-5 * B.shape[1] + 2e-8 * pair_work(B)


def drop_dominated(B: sp.csr_matrix, conflicts: np.ndarray, *, max_seconds: float = np.inf) -> np.ndarray:
    """Columns of ``B`` to keep after dropping dominated sites (see the module's docstring).

    Returns a boolean mask over the columns; all kept when finding the containments would take
    more than ``max_seconds`` (:func:`containment_seconds`).
    """
    n = B.shape[1]
    keep = np.ones(n, bool)
    if n <= 1 or containment_seconds(B) > max_seconds:
        return keep
    Bc = B.tocsc().astype(np.float64)
    sizes = np.diff(Bc.indptr)
    neigh: list[set[int]] = [set() for _ in range(n)]
    for a, b in np.asarray(conflicts, np.int64).reshape(-1, 2):
        neigh[int(a)].add(int(b))
        neigh[int(b)].add(int(a))
    free = np.array([not s for s in neigh], bool)
    # smaller cover sets first: they are the ones that can be dominated
    order = np.lexsort((np.arange(n), sizes)).astype(np.int64)
    for a, sup in _containment(Bc, sizes, order):
        if not keep[a]:
            continue
        sup = sup[keep[sup]]
        if not len(sup):
            continue
        # identical sets: the one processed first (smaller position on ties of size) is dropped only
        # in favour of a kept one, so one of each group of identical sites stays
        if free[a]:
            ok = sup[free[sup]]
            if len(ok):
                keep[a] = False
            continue
        for b in sup[:_MAX_CHECKS]:  # bounded: a site with conflicts checks its first few dominators
            b = int(b)
            if len(neigh[b]) <= len(neigh[a]) + 1 and neigh[b] - {a} <= neigh[a]:
                keep[a] = False
                break
        if not keep[a]:
            for b in neigh[a]:
                neigh[b].discard(a)
                free[b] = not neigh[b]
            neigh[a] = set()
    return keep


def _subset_conflicts(conflicts: np.ndarray, keep: np.ndarray) -> np.ndarray:
    local = np.full(len(keep), -1, np.int64)
    local[keep] = np.arange(int(keep.sum()))
    if not len(conflicts):
        return np.empty((0, 2), np.int64)
    c = local[np.asarray(conflicts, np.int64)]
    return c[(c >= 0).all(axis=1)]


def _take_columns(red: Reduced, keep: np.ndarray) -> Reduced:
    B, W = merge_rows(red.B[:, np.flatnonzero(keep)].tocsr(), red.W)
    return Reduced(B, W, red.cols[keep], _subset_conflicts(red.conflicts, keep), red.constant,
                   red.fixed, red.stats)


def _drop_unused(red: Reduced) -> Reduced:
    used = np.diff(red.B.tocsc().indptr) > 0
    return red if used.all() else _take_columns(red, used)


def reduce_mclp(B: sp.csr_matrix, W: np.ndarray, conflicts: np.ndarray, *, max_seconds: float = np.inf) -> Reduced:
    """Dominated sites out (unless that takes more than ``max_seconds``, see :func:`drop_dominated`),
    identical groups merged, groups every site covers made constant."""
    G0, n0 = B.shape
    red = Reduced(B.tocsr(), np.asarray(W, float), np.arange(n0, dtype=np.int64),
                  np.asarray(conflicts, np.int64).reshape(-1, 2))
    red = _take_columns(red, drop_dominated(red.B, red.conflicts, max_seconds=max_seconds))
    red = _constant_rows(red)
    red.stats.update(groups_before=G0, sites_before=n0, groups_after=red.B.shape[0],
                     sites_after=red.B.shape[1])
    return red


def _constant_rows(red: Reduced) -> Reduced:
    n = red.B.shape[1]
    if n == 0 or red.B.shape[0] == 0:
        return red
    full = np.diff(red.B.indptr) == n
    if not full.any():
        return red
    B, W = red.B[~full].tocsr(), red.W[~full]
    red = Reduced(B, W, red.cols, red.conflicts, red.constant + float(red.W[full].sum()), red.fixed, red.stats)
    return _drop_unused(red)


def restrict(red: Reduced, keep: np.ndarray) -> Reduced:
    """Only the columns in ``keep`` (e.g. the sites the Lagrangian bound did not close); groups
    merged again and groups every remaining site covers made constant (MCLP)."""
    out = _take_columns(red, np.asarray(keep, bool))
    out.stats = dict(red.stats)
    return _constant_rows(out)


def reduce_lscp_full(B: sp.csr_matrix, conflicts: np.ndarray, *, max_rounds: int = 10,
                     max_seconds: float = np.inf) -> Reduced:
    """Set covering (every group covered): essential sites fixed, implied groups and dominated sites out.

    Raises ``ValueError`` when the conflicts make covering every group impossible (two essential
    sites in conflict, or a group whose sites all conflict with essential ones).
    """
    G0, n0 = B.shape
    red = Reduced(B.tocsr(), np.ones(G0), np.arange(n0, dtype=np.int64),
                  np.asarray(conflicts, np.int64).reshape(-1, 2))
    red.B, red.W = merge_rows(red.B, red.W)
    fixed: list[int] = []
    for _ in range(max_rounds):
        changed = False
        # essential sites
        nnz = np.diff(red.B.indptr)
        single = np.flatnonzero(nnz == 1)
        if len(single):
            ess = np.unique(red.B.indices[red.B.indptr[single]])
            if len(red.conflicts):
                e = np.zeros(red.B.shape[1], bool)
                e[ess] = True
                if (e[red.conflicts[:, 0]] & e[red.conflicts[:, 1]]).any():
                    raise ValueError("two sites that are each the only cover of some group conflict")
            fixed.extend(red.cols[ess].tolist())
            x = np.zeros(red.B.shape[1])
            x[ess] = 1
            covered = np.asarray(red.B @ x).ravel() > 0
            blocked = np.zeros(red.B.shape[1], bool)
            blocked[ess] = True
            if len(red.conflicts):
                c = red.conflicts
                hit = np.isin(c[:, 0], ess) | np.isin(c[:, 1], ess)
                blocked[c[hit].ravel()] = True
            B = red.B[~covered].tocsr()
            W = red.W[~covered]
            keep = ~blocked
            Bk = B[:, np.flatnonzero(keep)].tocsr()
            if (np.diff(Bk.indptr) == 0).any():
                raise ValueError("a group can only be covered by sites conflicting with essential ones")
            red = Reduced(Bk, W, red.cols[keep], _subset_conflicts(red.conflicts, keep), 0.0, red.fixed,
                          red.stats)
            red.B, red.W = merge_rows(red.B, red.W)
            changed = True
        if red.B.shape[0] == 0:
            break
        # implied groups: row g contains row h -> g is covered whenever h is
        R = red.B.astype(np.float64)
        sizes = np.diff(R.indptr)
        drop = np.zeros(R.shape[0], bool)
        rows = (np.argsort(sizes, kind="stable") if containment_seconds(R.T) <= max_seconds
                else np.zeros(0, np.int64))
        for h, sup in _containment(R.T.tocsc(), sizes, rows):
            if drop[h]:
                continue
            sup = sup[~drop[sup]]
            drop[sup] = True
        if drop.any():
            red.B, red.W = red.B[~drop].tocsr(), red.W[~drop]
            changed = True
        red = _drop_unused(red)
        keep = drop_dominated(red.B, red.conflicts, max_seconds=max_seconds)
        if not keep.all():
            red = _take_columns(red, keep)
            changed = True
        if not changed:
            break
    red.fixed = np.asarray(sorted(set(fixed)), np.int64)
    red.stats.update(groups_before=G0, sites_before=n0, groups_after=red.B.shape[0],
                     sites_after=red.B.shape[1], fixed_open=len(red.fixed))
    return red


# -- Lagrangian bound for MCLP --------------------------------------------------------------
@dataclass(frozen=True)
class Lagrangian:
    """The best Lagrangian bound found and the sites it proves useless.

    ``bound`` is valid for the model given (conflicts are ignored, which only loosens it):
    no choice of at most ``k`` sites covers more weight. ``closed`` marks sites that cannot be
    part of a solution better than ``incumbent``.
    """

    bound: float
    closed: np.ndarray
    iterations: int
    multipliers: np.ndarray


def _top_sum(c: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """Sum of the ``k`` largest positive entries and their positions."""
    pos = np.flatnonzero(c > 0)
    if len(pos) > k:
        pos = pos[np.argpartition(-c[pos], k - 1)[:k]]
    return float(c[pos].sum()), pos


def lagrangian_mclp(B: sp.csr_matrix, W: np.ndarray, k: int, incumbent: float,
                    *, keep_open: np.ndarray | None = None, iterations: int = 300,
                    multipliers: np.ndarray | None = None, seconds: float = np.inf) -> Lagrangian:
    """Relax the cover rows ``y_g <= sum_{j in N_g} x_j`` with multipliers ``0 <= l_g <= W_g``:

    ``L(l) = sum_g max(0, W_g - l_g) + (sum of the k largest positive c_j)``, ``c = B^T l``,

    an upper bound for every ``l``; minimised by subgradient steps (Polyak's step towards
    ``incumbent``) from ``multipliers`` (default ``W``), for at most ``iterations`` steps or
    ``seconds``. With the best multipliers, sites are closed as in :func:`lagrangian_value`.
    """
    t_end = time.perf_counter() + seconds
    n = B.shape[1]
    W = np.asarray(W, float)
    BT = B.tocsc().T.tocsr()
    lam = W.copy() if multipliers is None else np.clip(np.asarray(multipliers, float), 0.0, W)
    best, best_lam = np.inf, lam.copy()
    theta, stall = 2.0, 0
    done = 0
    tol = 1e-9 * max(1.0, float(W.sum()))
    for _ in range(iterations):
        done += 1
        c = BT @ lam
        top, pos = _top_sum(c, k)
        val = float(np.maximum(W - lam, 0.0).sum()) + top
        if val < best - tol:
            best, best_lam, stall = val, lam.copy(), 0
        else:
            stall += 1
            if stall >= 15:
                theta, stall = theta / 2, 0
        if best - incumbent <= tol or theta < 1e-4 or time.perf_counter() > t_end:
            break
        x = np.zeros(n)
        x[pos] = 1.0
        s = np.asarray(B @ x).ravel() - (lam < W)  # subgradient of L in l
        norm = float(s @ s)
        if norm == 0:
            break
        step = theta * (val - incumbent) / norm
        lam = np.clip(lam - step * s, 0.0, W)
    out = lagrangian_value(B, W, k, best_lam, incumbent, keep_open=keep_open)
    return Lagrangian(out.bound, out.closed, done, best_lam)


def lagrangian_value(B: sp.csr_matrix, W: np.ndarray, k: int, multipliers: np.ndarray, incumbent: float,
                     *, keep_open: np.ndarray | None = None) -> Lagrangian:
    """``L(l)`` (see :func:`lagrangian_mclp`) for the given multipliers (clipped to ``[0, W]``),
    valid whatever they are (e.g. an LP's duals), and the sites it closes: a site ``j`` outside
    the top ``k`` is closed when ``L - c_(k) + c_j <= incumbent`` (the bound of every solution
    that opens it); sites in ``keep_open`` (the incumbent's) are never closed."""
    W = np.asarray(W, float)
    lam = np.clip(np.asarray(multipliers, float), 0.0, W)
    tol = 1e-9 * max(1.0, float(W.sum()))
    c = np.asarray(B.T @ lam).ravel()
    top, pos = _top_sum(c, k)
    bound = float(np.maximum(W - lam, 0.0).sum()) + top
    kth = float(np.min(c[pos])) if len(pos) == k and k > 0 else 0.0
    with_j = bound - kth + np.maximum(c, 0.0)
    closed = with_j <= incumbent + tol
    closed[pos] = False
    if keep_open is not None and len(keep_open):
        closed[np.asarray(keep_open, np.int64)] = False
    return Lagrangian(bound, closed, 0, lam)


__all__ = [
    "Lagrangian",
    "Reduced",
    "containment_seconds",
    "drop_dominated",
    "lagrangian_mclp",
    "lagrangian_value",
    "merge_rows",
    "pair_work",
    "reduce_lscp_full",
    "reduce_mclp",
    "restrict",
]
