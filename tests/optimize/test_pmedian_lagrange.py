"""The Lagrangian p-median (siting.optimize.lagrange) against brute force over every set of sites:
its bounds stay below the true optimum whatever the multipliers and however short the candidate
lists, and the default solve proves the brute-force optimum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from siting.optimize import SitingProblem, lagrange, pmedian
from siting.optimize import median as median_mod
from siting.optimize.median import _Pairs, solve_pmedian


def brute(cost: np.ndarray, w: np.ndarray, k: int, base: np.ndarray | None = None) -> float:
    """min over every set of at most k columns of the weighted cost to the nearest office."""
    n, m = cost.shape
    base = np.full(n, np.inf) if base is None else base
    best = float(w @ base) if np.all(np.isfinite(base)) else np.inf
    for r in range(1, k + 1):
        for s in itertools.combinations(range(m), r):
            best = min(best, float(w @ np.minimum(base, cost[:, list(s)].min(axis=1))))
    return best


def instance(seed: int, n: int = 32, m: int = 12, integral: bool = True, existing: bool = False):
    """Points and sites in a square; costs rounded to whole numbers or not; maybe one office."""
    rng = np.random.default_rng(seed)
    dxy, sxy = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    cost = np.hypot(*(dxy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(1, 10, n).astype(float)
    if integral:
        cost = np.round(cost)
    else:
        w = w + rng.uniform(0, 1, n)
    ex = None
    if existing:
        ex = np.round(np.hypot(*(dxy - [50.0, 50.0]).T))[:, None] + 5
    return cost, w, ex


class Recorded(list):
    """Every L(lambda) the solver computes (a list of floats) and, per instance it was computed on,
    the instance and its largest bound."""

    def __init__(self) -> None:
        super().__init__()
        self.by_instance: dict[int, tuple[lagrange.Instance, float]] = {}
        self.first: lagrange.Instance | None = None

    def check_each_instance(self) -> None:
        """Each bound is at most its own instance's optimum (brute force over the instance's sites:
        the truncated cost T(S) of the restricted problem a node or round solved)."""
        for inst, b in self.by_instance.values():
            sites = inst.sites()
            best = inst.truncated_cost(np.zeros(0, np.int64))
            for r in range(1, min(inst.k, len(sites)) + 1):
                for s in itertools.combinations(sites, r):
                    best = min(best, inst.truncated_cost(np.asarray(s)))
            assert b <= best + 1e-9 * max(1.0, abs(best))

    def clear(self) -> None:
        super().clear()
        self.by_instance.clear()
        self.first = None


@pytest.fixture
def recorded_bounds(monkeypatch):
    seen = Recorded()
    real = lagrange.value

    def spy(inst, lam):
        v = real(inst, lam)
        seen.append(v.bound)
        if seen.first is None:
            seen.first = inst
        prev = seen.by_instance.get(id(inst))
        seen.by_instance[id(inst)] = (inst, max(v.bound, prev[1]) if prev else v.bound)
        return v

    monkeypatch.setattr(lagrange, "value", spy)
    return seen


def root_bounds(seen: Recorded) -> list[float]:
    """The bounds of the first round (the whole truncated problem, before any site was settled)."""
    return [b for i, b in seen.by_instance.values() if i is seen.first]


CASES = [(seed, k, integral, existing) for seed, (k, integral, existing) in enumerate(
    [(2, True, False), (3, True, True), (4, False, False), (5, False, True), (3, False, False), (5, True, False),
     (2, False, True), (4, True, True)])]


@pytest.mark.parametrize("seed,k,integral,existing", CASES)
@pytest.mark.parametrize("first_count", [None, 1, 3])
def test_lagrangian_solve_equals_brute_force_and_every_bound_stays_below(recorded_bounds, seed, k, integral,
                                                                         existing, first_count):
    cost, w, ex = instance(seed, integral=integral, existing=existing)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10, existing=ex)
    truth = brute(cost, w, k, None if ex is None else ex.min(axis=1))
    run = solve_pmedian(problem, k, first_count=first_count)
    assert run.status == "optimal"
    assert run.objective == pytest.approx(truth, rel=1e-12)
    assert run.bound is not None and run.bound <= truth + 1e-9 * truth
    assert recorded_bounds, "the Lagrangian step did not run"
    # the first round's bounds (the whole truncated problem) never pass the true optimum; every later
    # one (sites settled, a node's restrictions) never passes its own restricted problem's optimum
    assert max(root_bounds(recorded_bounds)) <= truth + 1e-9 * truth
    recorded_bounds.check_each_instance()
    assert "Lagrangian" in run.solver or any("Lagrangian" in n for n in run.notes)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("count", [1, 2, 4, 12])
def test_bound_is_valid_for_any_multipliers_on_truncated_lists(seed, count):
    # the bound function itself: random multipliers (far above and below the costs), lists of the
    # nearest `count` sites only, with and without an office: never above the brute-force optimum
    rng = np.random.default_rng(50 + seed)
    cost, w, ex = instance(seed, n=20, m=9, integral=seed % 2 == 0, existing=seed % 3 == 0)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10, existing=ex)
    k = 2 + seed % 3
    truth = brute(cost, w, k, None if ex is None else ex.min(axis=1))
    src = _Pairs(problem)
    i, j, c, cap = src.fetch(np.full(len(src.rel), count), src.d0)
    if count < 9:
        assert np.all(cap < np.inf)  # truncated: the cap is the next unlisted cost (or the office)
    for _ in range(40):
        lam = rng.uniform(-20, 3 * float(cost.max()), len(cap))
        b = lagrange.lagrangian_bound(i, j, c, cap, src.w, src.m, k, lam)
        assert b <= truth + 1e-9 * truth
    # and the best the subgradient finds, from any start
    inst = lagrange.Instance.of(i, j, c, cap, src.w, src.m, k)
    d = lagrange.subgradient(inst, inst.start(), lambda: truth, lagrange.Judge(False), iterations=500,
                             f_min=lagrange.ROOT_F_MIN)
    assert d.bound <= truth + 1e-9 * truth
    assert lagrange.value(inst, d.lam).bound == pytest.approx(d.bound)
    if count >= 9:  # full lists: the bound is the LP bound, near the optimum on these small instances
        assert d.bound >= 0.8 * truth


def test_bound_with_sites_kept_open_folded_into_the_caps_stays_below_brute_force():
    rng = np.random.default_rng(3)
    cost, w, _ = instance(3, n=24, m=10)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10)
    src = _Pairs(problem)
    i, j, c, cap = src.fetch(np.full(len(src.rel), 3), src.d0)
    root = lagrange.Instance.of(i, j, c, cap, src.w, src.m, 4)
    forced = np.array([2, 7])
    closed = np.zeros(src.m, bool)
    closed[[0, 5]] = True
    sub = root.restrict(forced, closed)
    assert sub.k == 2
    allowed = [s for s in range(10) if s not in (0, 5, 2, 7)]
    truth = min(float(w @ cost[:, [2, 7, *s]].min(axis=1)) for r in range(3)
                for s in itertools.combinations(allowed, r))
    for _ in range(40):
        lam = rng.uniform(0, 2 * float(cost.max()), len(cap))
        assert lagrange.value(sub, lam).bound <= truth + 1e-9


@pytest.mark.parametrize("integral", [True, False])
def test_fixed_open_sites_and_an_office_equal_brute_force(recorded_bounds, integral):
    cost, w, ex = instance(11, n=34, m=14, integral=integral, existing=True)
    fixed = [3, 9]
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10, existing=ex, fixed=fixed)
    free = [s for s in range(14) if s not in fixed]
    base = np.minimum(ex.min(axis=1), cost[:, fixed].min(axis=1))
    truth = brute(cost[:, free], w, 3, base)
    run = solve_pmedian(problem, 3)
    assert run.status == "optimal" and run.objective == pytest.approx(truth, rel=1e-12)
    assert max(root_bounds(recorded_bounds)) <= truth + 1e-9 * truth
    recorded_bounds.check_each_instance()
    r = pmedian(problem, 3)  # the public entry agrees
    assert r.status == "optimal" and r.objective == pytest.approx(truth, rel=1e-12)


def test_straight_line_distances_without_office_equal_brute_force(recorded_bounds):
    rng = np.random.default_rng(21)
    dxy, sxy = rng.uniform(0, 10_000, (36, 2)), rng.uniform(0, 10_000, (11, 2))
    w = rng.uniform(1, 20, 36)
    problem = SitingProblem.from_points(dxy, w, sxy, radius=2000)
    cost = np.hypot(*(dxy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1))
    truth = brute(cost, w, 4)
    run = solve_pmedian(problem, 4, first_count=2)
    assert run.status == "optimal" and run.objective == pytest.approx(truth, rel=1e-9)
    assert max(root_bounds(recorded_bounds)) <= truth * (1 + 1e-9)
    recorded_bounds.check_each_instance()


def test_branch_and_bound_finds_the_optimum_when_the_root_bound_does_not_prove_it():
    # a bad incumbent (no site at all) and an instance whose Lagrangian (= LP) bound has a gap:
    # the tree must find the optimum itself through its offers and prove it
    found = 0
    for seed in range(40):
        cost, w, _ = instance(200 + seed, n=30, m=12, integral=True)
        problem = SitingProblem.from_cost_matrix(cost, w, radius=10)
        k = 2 + seed % 4
        truth = brute(cost, w, k)
        src = _Pairs(problem)
        i, j, c, cap = src.fetch(np.full(len(src.rel), 5), src.d0)
        inst = lagrange.Instance.of(i, j, c, cap, src.w, src.m, k)
        judge = lagrange.Judge(True)
        root = lagrange.subgradient(inst, inst.start(), lambda truth=truth: truth, judge, iterations=2000,
                                    f_min=lagrange.ROOT_F_MIN)
        if not judge.beats(root.bound, truth):
            continue  # the root proves it: not the case looked for
        found += 1
        best = {"cost": float(src.w @ src.d0), "sites": np.zeros(0, np.int64)}

        def offer(sites, best=best, src=src):
            tc = src.true_cost(sites)
            if float(src.w @ tc) < best["cost"]:
                best["cost"], best["sites"] = float(src.w @ tc), sites

            return tc

        def grow(reach, src=src, k=k):  # the whole lists
            i2, j2, c2, cap2 = src.fetch(np.full(len(src.rel), src.m), src.d0)
            return lagrange.Instance.of(i2, j2, c2, cap2, src.w, src.m, k)

        out = lagrange.branch_and_bound(inst, root.lam, judge, lambda best=best: best["cost"], offer,
                                        deadline=np.inf, grow=grow)
        assert out.complete and out.nodes > 1
        assert best["cost"] == truth
        assert out.bound == truth
    assert found >= 3  # the test looked at such cases


def test_default_solve_reports_the_tree_when_the_root_does_not_prove(recorded_bounds):
    # among these seeds some root Lagrangian bounds leave a gap: the note names the branch and bound
    hits = 0
    for seed in range(200, 240):
        cost, w, _ = instance(seed, n=30, m=12, integral=True)
        k = 2 + (seed - 200) % 4
        problem = SitingProblem.from_cost_matrix(cost, w, radius=10)
        recorded_bounds.clear()
        run = solve_pmedian(problem, k)
        truth = brute(cost, w, k)
        assert run.status == "optimal" and run.objective == truth
        assert max(root_bounds(recorded_bounds)) <= truth * (1 + 1e-12)
        recorded_bounds.check_each_instance()
        if any("branch and bound" in n for n in run.notes):
            hits += 1
    assert hits >= 1


def test_greedy_method_and_conflicts_skip_the_lagrangian(recorded_bounds):
    cost, w, _ = instance(4, n=30, m=10)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10)
    g = solve_pmedian(problem, 3, method="greedy")
    assert g.status in ("heuristic", "optimal") and "Lagrangian" not in g.solver
    assert not recorded_bounds
    conflicts = np.array([[0, 1], [2, 3]])
    pc = SitingProblem.from_cost_matrix(cost, w, radius=10, conflicts=conflicts)
    run = solve_pmedian(pc, 3)
    assert not recorded_bounds
    n_ok = []
    for r in range(1, 4):
        for s in itertools.combinations(range(10), r):
            if {0, 1} <= set(s) or {2, 3} <= set(s):
                continue
            n_ok.append(float(w @ cost[:, list(s)].min(axis=1)))
    assert run.status == "optimal" and run.objective == pytest.approx(min(n_ok))


def test_lagrange_rounds_zero_keeps_the_lp_mip_path(recorded_bounds, monkeypatch):
    monkeypatch.setattr(median_mod, "LAGRANGE_ROUNDS", 0)
    cost, w, ex = instance(5, existing=True)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10, existing=ex)
    run = solve_pmedian(problem, 3)
    assert not recorded_bounds and "Lagrangian" not in run.solver
    assert run.status == "optimal" and run.objective == pytest.approx(brute(cost, w, 3, ex.min(axis=1)))


@pytest.mark.parametrize("seed,k,integral,existing", [(6, 4, True, True), (30, 4, True, True)])
def test_a_site_kept_open_by_the_bound_still_gives_the_brute_force_optimum(recorded_bounds, seed, k, integral,
                                                                          existing):
    # instances (found by search) where the Lagrangian penalties keep a site open: it is folded into
    # the offices and the rest is solved without it
    cost, w, ex = instance(seed, integral=integral, existing=existing)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10, existing=ex)
    truth = brute(cost, w, k, None if ex is None else ex.min(axis=1))
    run = solve_pmedian(problem, k, first_count=3)
    assert any("(1 kept open" in n for n in run.notes)
    assert run.status == "optimal" and run.objective == pytest.approx(truth, rel=1e-12)
    assert max(root_bounds(recorded_bounds)) <= truth * (1 + 1e-12)
    recorded_bounds.check_each_instance()


@pytest.mark.parametrize("first_count", [None, 1])
def test_without_the_tree_the_lp_mip_path_takes_over_with_the_settled_sites(monkeypatch, first_count):
    # instances whose root Lagrangian bound leaves a gap, the tree not allowed: the sites the bound
    # settled go to the LP/MIP path, which must still prove the brute-force optimum
    monkeypatch.setattr(median_mod, "TREE_MAX_PAIRS", 0)
    fell_through = 0
    by_settling = 0
    for seed in range(200, 230):
        cost, w, _ = instance(seed, n=30, m=12, integral=True)
        k = 2 + (seed - 200) % 4
        problem = SitingProblem.from_cost_matrix(cost, w, radius=10)
        run = solve_pmedian(problem, k, first_count=first_count)
        truth = brute(cost, w, k)
        assert run.status == "optimal" and run.objective == truth
        assert run.bound is not None and run.bound <= truth
        if "Lagrangian" not in run.solver:
            fell_through += 1
        # the Lagrangian's and the LP's settled sites together can leave no choice: that proves it too
        by_settling += any("no choice of sites respects" in n for n in run.notes)
    assert fell_through >= 1
    if first_count is None:
        assert by_settling >= 1
