"""MCLP / LSCP reductions, starts and bounds against brute force (itertools.combinations).

Hand-built instances where sites dominate one another (with ties, existing offices and
conflict pairs), and small seeded random ones: the reduced models reach the brute-force
optimum, the local search is feasible and never worse than greedy, every reported bound (and
every Lagrangian bound, whatever the multipliers) is at least the optimum.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from siting.errors import InputError
from siting.optimize import SitingProblem, lscp, mclp
from siting.optimize import locate as L
from siting.optimize.cover_reduce import (
    drop_dominated,
    lagrangian_mclp,
    lagrangian_value,
    reduce_lscp_full,
    reduce_mclp,
)
from siting.optimize.greedy import conflict_graph, covered_weight, greedy_cover, iterated_swap

IN, OUT = 1.0, 9.0  # costs: within / beyond the radius 2


def problem(cover: np.ndarray, w, *, existing: np.ndarray | None = None, conflicts=None) -> SitingProblem:
    cost = np.where(cover, IN, OUT)
    ex = None if existing is None else np.where(existing, IN, OUT).reshape(-1, 1)
    return SitingProblem.from_cost_matrix(cost, w, radius=2.0, existing=ex, conflicts=conflicts)


def feasible(sel: tuple[int, ...], conflicts) -> bool:
    s = set(sel)
    return not any(int(a) in s and int(b) in s for a, b in np.asarray(conflicts).reshape(-1, 2))


def brute_mclp(cover, w, k, *, existing=None, conflicts=()) -> float:
    w = np.asarray(w, float)
    free = np.ones(len(w), bool) if existing is None else ~np.asarray(existing, bool)
    best = 0.0
    for r in range(1, k + 1):
        for sel in itertools.combinations(range(cover.shape[1]), r):
            if feasible(sel, conflicts):
                best = max(best, float(w[cover[:, list(sel)].any(axis=1) & free].sum()))
    return best


def brute_lscp(cover, w, share, *, existing=None, conflicts=()) -> int | None:
    w = np.asarray(w, float)
    before = np.zeros(len(w), bool) if existing is None else np.asarray(existing, bool)
    need = share * w.sum() - 1e-9
    if w[before].sum() >= need:
        return 0
    for r in range(1, cover.shape[1] + 1):
        for sel in itertools.combinations(range(cover.shape[1]), r):
            if feasible(sel, conflicts) and w[cover[:, list(sel)].any(axis=1) | before].sum() >= need:
                return r
    return None


# -- hand-built domination -------------------------------------------------------------------
# demand 0..5; site 0 covers {0,1} (dominated by 1), sites 1 and 2 identical {0,1,2} (a tie),
# site 3 covers {3} (dominated by 4), site 4 covers {3,4}, site 5 covers {4,5}, site 6 covers {2,5}
COVER = np.zeros((6, 7), bool)
for s, rows in enumerate([[0, 1], [0, 1, 2], [0, 1, 2], [3], [3, 4], [4, 5], [2, 5]]):
    COVER[rows, s] = True
W6 = [10, 20, 30, 40, 50, 60]


def test_dominated_sites_and_one_of_each_tie_are_dropped():
    keep = drop_dominated(sp.csr_matrix(COVER.astype(float)), np.empty((0, 2), np.int64))
    assert not keep[0] and not keep[3]
    assert keep[1] != keep[2]  # identical sites: exactly one kept
    assert keep[4] and keep[5] and keep[6]


def test_domination_respects_conflicts():
    # site 1 (and its twin 2) dominate site 0 by cover, but both conflict with site 5 and site 0
    # does not: dropping 0 would lose {0 + 5}; 4 still dominates 3 (no conflicts involved)
    conf = np.array([[1, 5], [2, 5]])
    keep = drop_dominated(sp.csr_matrix(COVER.astype(float)), conf)
    assert keep[0] and not keep[3] and keep[1] != keep[2]
    # when the dominated site shares the conflict the dominator has, it goes
    keep = drop_dominated(sp.csr_matrix(COVER.astype(float)), np.array([[1, 5], [2, 5], [0, 5]]))
    assert not keep[0]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("case", ["plain", "existing", "conflicts", "both"])
def test_reduced_mclp_reaches_brute_force(k, case):
    existing = np.array([0, 0, 0, 1, 0, 0], bool) if case in ("existing", "both") else None
    conf = np.array([[1, 5], [2, 5], [4, 6]]) if case in ("conflicts", "both") else np.empty((0, 2), np.int64)
    p = problem(COVER, W6, existing=existing, conflicts=conf)
    r = mclp(p, k)
    opt = brute_mclp(COVER, W6, k, existing=existing, conflicts=conf)
    assert r.status == "optimal" and r.objective == pytest.approx(opt)
    assert r.bound >= opt - 1e-9
    chosen = tuple(int(s.id) for s in r.sites)
    assert len(chosen) <= k and feasible(chosen, conf)
    cv = L._cover_structure(p)
    red = reduce_mclp(cv.B, cv.W, cv.conflicts)
    assert red.B.shape[1] < cv.B.shape[1]  # something was dominated


def test_reduction_shrinks_and_groups_covered_by_every_site_become_constant():
    # every site covers demand 0; sites 0 and 1 identical otherwise; site 2 covers a subset of 3
    cover = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]], bool)
    B = sp.csr_matrix(cover.astype(float))
    red = reduce_mclp(B, np.array([5.0, 1, 2, 3]), np.empty((0, 2), np.int64))
    assert red.stats["sites_after"] == 2 and red.constant == 5.0
    assert sorted(red.cols.tolist()) in ([0, 3], [1, 3])
    for k in (1, 2):
        assert mclp(problem(cover, [5, 1, 2, 3]), k).objective == brute_mclp(cover, [5, 1, 2, 3], k)


# -- LSCP --------------------------------------------------------------------------------------
def test_lscp_essential_sites_and_implied_groups():
    # demand 0 only site 0 reaches (essential); demand 1 reached by 1 or 2; demand 2 by 1, 2 or 3
    # (implied by demand 1); site 3 dominated, sites 1 and 2 identical: one goes, the other
    # becomes essential; nothing is left to solve
    cover = np.array([[1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 1]], bool)
    red = reduce_lscp_full(sp.csr_matrix(cover.astype(float)), np.empty((0, 2), np.int64))
    assert red.fixed.tolist() in ([0, 1], [0, 2]) and red.B.shape[0] == 0
    r = lscp(problem(cover, [1, 1, 1]))
    assert r.objective == 2 == brute_lscp(cover, [1, 1, 1], 1.0) and r.status == "optimal"


def test_lscp_reduction_detects_conflicting_essential_sites():
    cover = np.array([[1, 0], [0, 1]], bool)
    with pytest.raises(ValueError):
        reduce_lscp_full(sp.csr_matrix(cover.astype(float)), np.array([[0, 1]]))
    with pytest.raises(InputError, match="minimum distance"):
        lscp(problem(cover, [1, 1], conflicts=np.array([[0, 1]])))


# -- random small instances vs brute force ------------------------------------------------------
def random_instance(seed: int):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(6, 14)), int(rng.integers(4, 10))
    cover = rng.random((n, m)) < rng.uniform(0.15, 0.5)
    # copies and subsets of columns so that domination happens
    for _ in range(2):
        a, b = rng.integers(0, m, 2)
        cover[:, a] = cover[:, b] & (rng.random(n) < 0.7) if rng.random() < 0.5 else cover[:, b]
    w = rng.integers(1, 101, n)
    existing = (rng.random(n) < 0.2) if seed % 2 else None
    pairs = [(a, b) for a, b in itertools.combinations(range(m), 2) if rng.random() < 0.08] if seed % 3 == 0 else []
    conf = np.array(pairs, np.int64).reshape(-1, 2)
    return cover, w, existing, conf


@pytest.mark.parametrize("seed", range(30))
def test_random_mclp_objective_and_bound_vs_brute_force(seed):
    cover, w, existing, conf = random_instance(seed)
    p = problem(cover, w, existing=existing, conflicts=conf)
    for k in range(1, min(4, cover.shape[1]) + 1):
        opt = brute_mclp(cover, w, k, existing=existing, conflicts=conf)
        for method in ("auto", "greedy"):
            r = mclp(p, k, method=method)
            chosen = tuple(int(s.id) for s in r.sites)
            assert len(chosen) <= k and feasible(chosen, conf)
            assert r.objective <= opt + 1e-9
            if method == "auto":
                assert r.objective == pytest.approx(opt) and r.status == "optimal"
            if r.bound is not None:
                assert r.bound >= opt - 1e-6
            if r.status == "optimal":
                assert r.objective == pytest.approx(opt)


@pytest.mark.parametrize("seed", range(30))
def test_random_lscp_count_vs_brute_force(seed):
    cover, w, existing, conf = random_instance(seed)
    cover = cover.copy()
    cover[~cover.any(axis=1), 0] = True  # everyone reachable
    p = problem(cover, w, existing=existing, conflicts=conf)
    for share in (1.0, 0.7):
        opt = brute_lscp(cover, w, share, existing=existing, conflicts=conf)
        if opt is None:
            with pytest.raises(InputError):
                lscp(p, share)
            continue
        r = lscp(p, share)
        assert r.objective == opt and r.status in ("optimal", "empty")
        assert r.bound is not None and r.bound <= opt + 1e-9  # LSCP minimises: the bound is below
        assert r.covered_after >= share * w.sum() - 1e-6


@pytest.mark.parametrize("seed", range(12))
def test_reductions_off_give_the_same_optimum(seed, monkeypatch):
    cover, w, existing, conf = random_instance(seed)
    p = problem(cover, w, existing=existing, conflicts=conf)
    on = [mclp(p, k).objective for k in (1, 2, 3)]
    monkeypatch.setitem(L._TUNING, "reduce", False)
    monkeypatch.setitem(L._TUNING, "lagrangian", False)
    monkeypatch.setitem(L._TUNING, "start", False)
    assert [mclp(p, k).objective for k in (1, 2, 3)] == on


# -- starts and Lagrangian bounds ------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(15))
def test_local_search_is_feasible_and_never_worse_than_greedy(seed):
    rng = np.random.default_rng(100 + seed)
    n, m, k = 60, 25, int(rng.integers(2, 7))
    cover = rng.random((n, m)) < 0.12
    W = rng.integers(1, 101, n).astype(float)
    pairs = np.array([(a, b) for a, b in itertools.combinations(range(m), 2) if rng.random() < 0.05],
                     np.int64).reshape(-1, 2)
    B = sp.csr_matrix(cover.astype(float))
    graph = conflict_graph(pairs, m)
    g = greedy_cover(B, W, k=k, conflicts=graph)
    best = iterated_swap(B, W, [g], k=k, conflicts=graph, seconds=0.2, seed=seed)
    assert len(best) <= k and len(set(best.tolist())) == len(best) and feasible(tuple(best), pairs)
    assert covered_weight(B, W, best) >= covered_weight(B, W, g) - 1e-9


@pytest.mark.parametrize("seed", range(15))
def test_lagrangian_bounds_are_valid_and_close_only_useless_sites(seed):
    rng = np.random.default_rng(200 + seed)
    n, m, k = 12, 8, int(rng.integers(1, 4))
    cover = rng.random((n, m)) < 0.3
    W = rng.integers(1, 101, n).astype(float)
    B = sp.csr_matrix(cover.astype(float))
    opt = brute_mclp(cover, W, k)
    g = greedy_cover(B, W, k=k, conflicts=conflict_graph(np.empty((0, 2), np.int64), m))
    inc = covered_weight(B, W, g)
    lag = lagrangian_mclp(B, W, k, inc, keep_open=g)
    assert lag.bound >= opt - 1e-9
    for _ in range(5):  # any multipliers give a valid bound
        assert lagrangian_value(B, W, k, rng.uniform(0, 1, n) * W, inc).bound >= opt - 1e-9
    # a closed site is in no solution better than the incumbent
    for j in np.flatnonzero(lag.closed):
        for r in range(1, k + 1):
            for sel in itertools.combinations(range(m), r):
                if j in sel:
                    assert W[cover[:, list(sel)].any(axis=1)].sum() <= inc + 1e-9


def test_after_a_first_slice_without_answer_the_later_phases_still_reach_the_optimum(monkeypatch):
    # the first HiGHS slice "times out" with nothing: the LP-dual bound, the iterated swaps and the
    # second HiGHS run must still give the brute-force optimum and a valid bound
    from siting.optimize.solve import SolveOutcome, solve

    calls: list[str] = []

    def first_mip_times_out(model, **kw):
        calls.append("lp" if kw.get("relax") else "mip")
        if calls.count("mip") == 1 and calls[-1] == "mip":
            return SolveOutcome(None, None, None, None, "time_limit", 0.0, "HiGHS (simulated time limit)")
        return solve(model, **kw)

    monkeypatch.setattr(L, "solve", first_mip_times_out)
    reached = 0
    for seed in range(10):
        rng = np.random.default_rng(300 + seed)
        cover = rng.random((40, 18)) < 0.15
        w = rng.integers(1, 101, 40)
        conf = np.array([(a, b) for a, b in itertools.combinations(range(18), 2) if rng.random() < 0.03],
                        np.int64).reshape(-1, 2) if seed % 2 else np.empty((0, 2), np.int64)
        p = problem(cover, w, conflicts=conf)
        for k in (3, 4):
            calls.clear()
            opt = brute_mclp(cover, w, k, conflicts=conf)
            r = mclp(p, k, time_limit=2)
            reached += "lp" in calls
            assert r.objective == pytest.approx(opt) and r.bound >= opt - 1e-6
            assert len(r.sites) <= k and feasible(tuple(int(s.id) for s in r.sites), conf)
    assert reached >= 5  # the later phases did run (the Lagrangian bound proves the others at once)
