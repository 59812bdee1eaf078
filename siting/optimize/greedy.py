"""Greedy heuristics with local search, for instances too large for the exact model.

They work on the same sparse structures as the exact models and respect the
same constraints (at most ``k`` sites, no two conflicting sites). Their
results come with a gap to a bound computed by the caller (the LP
relaxation), so a planner knows how far from the optimum they can be.

* coverage (MCLP / LSCP): add the site covering the most uncovered
  population, then swap a chosen site for another while that covers more
  (one-exchange local search). Greedy alone is within 1 - 1/e of the optimum
  for MCLP (Nemhauser, Wolsey and Fisher, 1978); the swaps usually close most
  of the rest.
* p-median: add the site that lowers total weighted cost most, then the
  Teitz-Bart interchange: swap a chosen site for another while the cost falls.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def conflict_graph(conflicts: np.ndarray, n: int) -> sp.csr_matrix:
    """Symmetric ``(n, n)`` adjacency of conflicting site pairs."""
    if not len(conflicts):
        return sp.csr_matrix((n, n), dtype=np.int8)
    a, b = conflicts[:, 0], conflicts[:, 1]
    data = np.ones(2 * len(a), np.int8)
    g = sp.csr_matrix((data, (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    g.data[:] = 1
    return g


def slice_indices(m: sp.csr_matrix | sp.csc_matrix, j: int) -> np.ndarray:
    """The stored indices of row ``j`` of a CSR matrix (column ``j`` of a CSC one)."""
    return m.indices[m.indptr[j]:m.indptr[j + 1]]


def _block(blocked: np.ndarray, conflicts: sp.csr_matrix, j: int) -> None:
    """Mark site ``j`` and the sites conflicting with it as unavailable."""
    blocked[j] = True
    blocked[slice_indices(conflicts, j)] = True


def _tolerance(w: np.ndarray) -> float:
    return 1e-9 * max(1.0, float(np.abs(w).sum()))


def greedy_cover(
    B: sp.csr_matrix,
    W: np.ndarray,
    *,
    k: int | None,
    conflicts: sp.csr_matrix,
    target: float | None = None,
    swaps: bool = True,
    max_passes: int = 25,
) -> np.ndarray:
    """Choose columns of the 0/1 matrix ``B`` (groups x sites) covering weight ``W``.

    Stops after ``k`` sites, when the covered weight reaches ``target``, or
    when no site adds weight. With ``swaps`` and a ``k`` (MCLP), improves the
    choice by one-exchange local search. Returns site positions.
    """
    n_groups, n_sites = B.shape
    Bc = B.tocsc()
    Br = B.tocsr()
    tol = _tolerance(W)
    gain = np.asarray(Br.T @ W, float)
    covered = np.zeros(n_groups, bool)
    blocked = np.zeros(n_sites, bool)
    chosen: list[int] = []
    got = 0.0
    limit = n_sites if k is None else k
    while len(chosen) < limit and (target is None or got < target - tol):
        g = np.where(blocked, -np.inf, gain)
        j = int(np.argmax(g)) if n_sites else -1
        if j < 0 or g[j] <= tol:
            break
        chosen.append(j)
        _block(blocked, conflicts, j)
        rows = slice_indices(Bc, j)
        new = rows[~covered[rows]]
        covered[new] = True
        got += float(W[new].sum())
        if len(new):
            gain -= np.asarray(Br[new].T @ W[new], float)
    out = np.asarray(chosen, np.int64)
    if swaps and k is not None and len(out):
        out = swap_cover(Br, Bc, W, out, conflicts, max_passes=max_passes)
    return out


def swap_cover(
    Br: sp.csr_matrix,
    Bc: sp.csc_matrix,
    W: np.ndarray,
    chosen: np.ndarray,
    conflicts: sp.csr_matrix,
    *,
    max_passes: int = 25,
) -> np.ndarray:
    """One-exchange local search for maximal covering: swap while coverage grows."""
    n_sites = Br.shape[1]
    tol = _tolerance(W)
    x = np.zeros(n_sites, bool)
    x[chosen] = True
    count = np.asarray(Br @ x.astype(float)).ravel()
    n_conf = np.asarray(conflicts @ x.astype(float)).ravel()
    chosen = chosen.copy()
    for _ in range(max_passes):
        improved = False
        base = np.asarray(Br.T @ (W * (count == 0)), float)
        for pos in range(len(chosen)):
            s = int(chosen[pos])
            rows = slice_indices(Bc, s)
            only = rows[count[rows] == 1]
            loss = float(W[only].sum())
            gain = base + (np.asarray(Br[only].T @ W[only], float) if len(only) else 0.0)
            conf_s = np.zeros(n_sites, bool)
            conf_s[slice_indices(conflicts, s)] = True
            allowed = ~x & ((n_conf - conf_s) == 0)
            if not allowed.any():
                continue
            g = np.where(allowed, gain, -np.inf)
            c = int(np.argmax(g))
            if g[c] - loss <= tol:
                continue
            # swap s -> c
            x[s], x[c] = False, True
            chosen[pos] = c
            count[rows] -= 1
            rows_c = slice_indices(Bc, c)
            count[rows_c] += 1
            n_conf = np.asarray(conflicts @ x.astype(float)).ravel()
            base = np.asarray(Br.T @ (W * (count == 0)), float)
            improved = True
        if not improved:
            break
    return chosen


def _nearest_cost(i: np.ndarray, j: np.ndarray, c: np.ndarray, open_: np.ndarray,
                  D: np.ndarray) -> np.ndarray:
    """Per demand point: min(D, cost to the nearest open site among its pairs).

    Pairs are sorted by demand point, then cost: the first open pair of a demand
    point is its nearest open site.
    """
    sel = open_[j]
    ii, cc = i[sel], c[sel]
    out = D.copy()
    if len(ii):
        first = np.r_[True, ii[1:] != ii[:-1]]
        out[ii[first]] = np.minimum(out[ii[first]], cc[first])
    return out


def greedy_median(
    i: np.ndarray,
    j: np.ndarray,
    c: np.ndarray,
    D: np.ndarray,
    w: np.ndarray,
    n_sites: int,
    *,
    k: int,
    conflicts: sp.csr_matrix,
    interchange: bool = True,
    max_passes: int = 25,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy + Teitz-Bart interchange for the p-median over sparse pairs.

    ``(i, j, c)`` are the demand-site pairs (sorted by ``i`` then ``c``); ``D``
    each demand point's cost when none of its paired sites is open (its
    existing office, or a bound); ``w`` the weights. ``start``: sites to
    begin from (e.g. a rounded LP solution; the caller keeps them free of
    conflicts) instead of the greedy construction. Returns site positions.
    """
    big = float(np.max(c)) * 4 + 1.0 if len(c) else 1.0
    D = np.where(np.isfinite(D), D, big)
    tol = _tolerance(w * D)
    cur = D.copy()
    blocked = np.zeros(n_sites, bool)
    chosen: list[int] = []
    wi = w[i]
    if start is not None:
        chosen = [int(v) for v in start][:k]
        for s in chosen:
            _block(blocked, conflicts, s)
        if chosen:
            open0 = np.zeros(n_sites, bool)
            open0[chosen] = True
            cur = _nearest_cost(i, j, c, open0, D)
    while len(chosen) < k:
        gain = np.bincount(j, weights=wi * np.maximum(cur[i] - c, 0.0), minlength=n_sites)
        gain[blocked] = -np.inf
        s = int(np.argmax(gain)) if n_sites else -1
        if s < 0 or gain[s] <= tol:
            break
        chosen.append(s)
        _block(blocked, conflicts, s)
        sel = j == s
        np.minimum.at(cur, i[sel], c[sel])
    out = np.asarray(chosen, np.int64)
    if not interchange or not len(out):
        return out
    open_ = np.zeros(n_sites, bool)
    open_[out] = True
    cur = _nearest_cost(i, j, c, open_, D)
    total = float(w @ cur)
    for _ in range(max_passes):
        improved = False
        for pos in range(len(out)):
            s = int(out[pos])
            open_[s] = False
            without = _nearest_cost(i, j, c, open_, D)
            n_conf = np.asarray(conflicts @ open_.astype(float)).ravel()
            gain = np.bincount(j, weights=wi * np.maximum(without[i] - c, 0.0), minlength=n_sites)
            gain[open_ | (n_conf > 0)] = -np.inf
            gain[s] = -np.inf
            best = int(np.argmax(gain))
            new_total = float(w @ without) - gain[best]
            if np.isfinite(gain[best]) and new_total < total - tol:
                open_[best] = True
                out[pos] = best
                cur = _nearest_cost(i, j, c, open_, D)
                total = float(w @ cur)
                improved = True
            else:
                open_[s] = True
        if not improved:
            break
    return out


def covered_weight(Br: sp.csr_matrix, W: np.ndarray, chosen: np.ndarray) -> float:
    """Weight of the rows of ``Br`` that at least one of ``chosen`` covers."""
    x = np.zeros(Br.shape[1])
    x[np.asarray(chosen, np.int64)] = 1
    return float(W[np.asarray(Br @ x).ravel() > 0].sum())


def _refill(Br: sp.csr_matrix, Bc: sp.csc_matrix, W: np.ndarray, chosen: list[int], k: int,
            conflicts: sp.csr_matrix) -> list[int]:
    """Greedy additions to ``chosen`` (at most ``k`` sites, no conflicts)."""
    n = Br.shape[1]
    x = np.zeros(n)
    x[chosen] = 1
    count = np.asarray(Br @ x).ravel()
    tol = _tolerance(W)
    while len(chosen) < k:
        blocked = (np.asarray(conflicts @ x).ravel() > 0) | (x > 0)
        gain = np.asarray(Br.T @ (W * (count == 0)), float)
        gain[blocked] = -np.inf
        j = int(np.argmax(gain))
        if gain[j] <= tol:
            break
        chosen.append(j)
        x[j] = 1
        count[slice_indices(Bc, j)] += 1
    return chosen


def iterated_swap(
    B: sp.csr_matrix,
    W: np.ndarray,
    starts: list[np.ndarray],
    *,
    k: int,
    conflicts: sp.csr_matrix,
    seconds: float,
    seed: int = 0,
    target: float = np.inf,
    max_stall: int = 200,
) -> np.ndarray:
    """Iterated local search for maximal covering within ``seconds``.

    Each start is improved by one-exchange (:func:`swap_cover`); then, from the best solution,
    a few sites (a tenth of ``k``, at least 2) are dropped at random, refilled greedily and
    improved by swaps again; the result replaces the best one when it covers at least as much.
    Stops at the time limit, when the best reaches ``target`` (a bound) or after ``max_stall``
    rounds without a strict improvement. Seeded: reproducible up to the time limit.
    """
    import time

    t_end = time.perf_counter() + max(0.0, seconds)
    Br, Bc = B.tocsr(), B.tocsc()
    tol = _tolerance(W)
    best, best_w = np.zeros(0, np.int64), -np.inf
    for st in starts:
        st = np.asarray(st, np.int64)
        if not len(st):
            continue
        cur = swap_cover(Br, Bc, W, st, conflicts)
        cw = covered_weight(Br, W, cur)
        if cw > best_w + tol:
            best, best_w = cur, cw
        if time.perf_counter() > t_end:
            return best
    if not len(best):
        return best
    rng = np.random.default_rng(seed)
    drop = max(2, len(best) // 10)
    stall = 0
    while time.perf_counter() < t_end and best_w < target - tol and stall < max_stall:
        stall += 1
        keep = list(rng.permutation(best)[drop:]) if len(best) > drop else []
        cand = np.asarray(_refill(Br, Bc, W, [int(v) for v in keep], k, conflicts), np.int64)
        if not len(cand):
            continue
        cand = swap_cover(Br, Bc, W, cand, conflicts)
        cw = covered_weight(Br, W, cand)
        if cw > best_w + tol:
            stall = 0
        if cw >= best_w - tol:
            best, best_w = cand, max(cw, best_w)
    return best


__all__ = ["conflict_graph", "covered_weight", "greedy_cover", "greedy_median", "iterated_swap", "slice_indices",
           "swap_cover"]
