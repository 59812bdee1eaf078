"""The models of siting.optimize.models against independent oracles.

* spopt 0.7 where it has the model: ``PCenter`` and the capacitated ``PMedian`` (single
  sourcing), on seeded clustered instances, with and without existing offices (spopt's
  predefined facilities);
* brute force everywhere: every choice of at most ``k`` of 8-10 candidates that respects the
  conflict pairs, on small matrices with existing offices, zero-population points and
  unreachable pairs; for the capacitated models each choice's assignment is solved on its own
  (scipy ``milp``/``linprog`` over the fixed sites, a different formulation from ours).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import LinearConstraint, linprog, milp
from scipy.spatial.distance import cdist
from spopt_reference import spopt_capacitated_pmedian, spopt_pcenter

from siting.errors import InputError
from siting.optimize import (
    SitingProblem,
    backup_coverage,
    capacitated_mclp,
    capacitated_pmedian,
    mclp,
    mclp_county_floor,
    min_beyond,
    pcenter,
)
from siting.samples.instances import clustered_instance

pytestmark = pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")


# -- small instances and brute force ------------------------------------------------
def small(seed: int, *, unreachable: bool = True):
    """A small matrix instance: 12-16 demand points, 8-10 candidates, 0-2 existing offices,
    a few conflict pairs, some zero populations, counties A/B/C."""
    rng = np.random.default_rng(500 + seed)
    n, m, e = int(rng.integers(12, 17)), int(rng.integers(8, 11)), int(rng.integers(0, 3))
    dxy = rng.uniform(0, 20_000, (n, 2))
    sxy = rng.uniform(0, 20_000, (m, 2))
    exy = rng.uniform(0, 20_000, (e, 2))
    cost = cdist(dxy, sxy).round()
    if unreachable:
        cost[rng.random(cost.shape) < 0.15] = np.inf
    ex = cdist(dxy, exy).round() if e else None
    w = rng.integers(1, 120, n).astype(float)
    w[rng.random(n) < 0.15] = 0.0
    w[0] = max(w[0], 1.0)
    all_pairs = list(itertools.combinations(range(m), 2))
    conf = np.array([all_pairs[i] for i in rng.choice(len(all_pairs), 3, replace=False)]) if seed % 3 else None
    radius = float(rng.uniform(4000, 8000))
    p = SitingProblem.from_cost_matrix(cost, w, radius, existing=ex, conflicts=conf)
    county = np.array(["A", "B", "C"], dtype=object)[rng.integers(0, 3, n)]
    p = replace(p, demand=p.demand.assign(county=county))
    k = int(rng.integers(2, 4))
    excost = np.full(n, np.inf) if ex is None else ex.min(axis=1)
    excount = np.zeros(n, int) if ex is None else (ex <= radius).sum(axis=1)
    return p, cost, w, excost, excount, conf, radius, k, county


def choices(m: int, k: int, conf):
    bad = {tuple(sorted(c)) for c in (conf if conf is not None else [])}
    for size in range(k + 1):
        for s in itertools.combinations(range(m), size):
            if not any(pair in bad for pair in itertools.combinations(s, 2)):
                yield list(s)


def best_cost(cost, excost, s):
    return np.minimum(excost, cost[:, s].min(axis=1)) if s else excost


def site_positions(result):
    return sorted(int(s.id) for s in result.sites)


SEEDS = range(8)


@pytest.mark.parametrize("seed", SEEDS)
def test_pcenter_equals_brute_force(seed):
    p, cost, w, excost, _, conf, _, k, _ = small(seed)
    rel = w > 0
    reach = np.isfinite(best_cost(cost, excost, list(range(cost.shape[1]))))
    values = [best_cost(cost, excost, s)[rel & reach].max() for s in choices(cost.shape[1], k, conf)]
    best = min(values)
    if not np.isfinite(best):
        with pytest.raises(InputError, match="out of reach"):
            pcenter(p, k)
        return
    r = pcenter(p, k)
    assert r.status == "optimal" and r.gap == 0.0
    assert r.objective == pytest.approx(best)
    assert best_cost(cost, excost, site_positions(r))[rel & reach].max() == pytest.approx(best)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("count", ["settlements", "population"])
def test_min_beyond_equals_brute_force(seed, count):
    p, cost, w, excost, _, conf, radius, k, _ = small(seed)
    T = radius * 0.8
    weight = (w > 0).astype(float) if count == "settlements" else w
    best = min(float(weight[best_cost(cost, excost, s) > T].sum()) for s in choices(cost.shape[1], k, conf))
    r = min_beyond(p, k, T, count=count)
    assert r.objective == pytest.approx(best)
    assert r.status in ("optimal", "empty")
    assert float(weight[best_cost(cost, excost, site_positions(r)) > T].sum()) == pytest.approx(best)
    assert r.radius == T


def assignment_cost(cost, w, excost, s, cap, single):
    """Least cost of serving every person (stay with the existing office, or one of the sites
    ``s`` within its capacity) for fixed sites; ``inf`` when impossible."""
    rel = np.flatnonzero(w > 0)
    opts = [(i, j, cost[i, j]) for i in rel for j in s if np.isfinite(cost[i, j])]
    opts += [(i, -1, excost[i]) for i in rel if np.isfinite(excost[i])]
    if not opts:
        return np.inf if len(rel) else 0.0
    c = np.array([w[i] * d for i, _, d in opts])
    A_eq = np.zeros((len(rel), len(opts)))
    pos = {i: r for r, i in enumerate(rel)}
    for q, (i, _, _) in enumerate(opts):
        A_eq[pos[i], q] = 1
    A_cap = np.zeros((len(s), len(opts)))
    for q, (i, j, _) in enumerate(opts):
        if j >= 0:
            A_cap[s.index(j), q] = w[i]
    cons = [LinearConstraint(A_eq, 1, 1)]
    if len(s):
        cons.append(LinearConstraint(A_cap, -np.inf, cap[s]))
    out = milp(c, constraints=cons, integrality=np.full(len(opts), int(single)), bounds=(0, 1))
    return out.fun if out.success else np.inf


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("single", [True, False])
def test_capacitated_pmedian_equals_brute_force(seed, single):
    p, cost, w, excost, _, conf, _, k, _ = small(seed, unreachable=False)
    rng = np.random.default_rng(seed)
    cap = rng.uniform(0.2, 0.6, cost.shape[1]) * w.sum()
    best = min(assignment_cost(cost, w, excost, s, cap, single) for s in choices(cost.shape[1], k, conf))
    if not np.isfinite(best):
        with pytest.raises(InputError, match="capacit"):
            capacitated_pmedian(p, k, cap, single_source=single)
        return
    r = capacitated_pmedian(p, k, cap, single_source=single)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best, rel=1e-7)
    # the reported sites achieve it, and no site serves more than its capacity
    assert assignment_cost(cost, w, excost, site_positions(r), cap, single) == pytest.approx(best, rel=1e-7)
    for s in r.sites:
        assert s.served_population <= cap[int(s.id)] + 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_pmedian_with_settlements_above_capacity_equals_brute_force(seed, monkeypatch):
    """Small capacities (some settlements larger than some sites' capacity, pairs the model drops):
    still brute force's optimum; the heuristic start handed to HiGHS satisfies the model and
    costs at least the optimum."""
    import siting.optimize.models as models_mod
    from siting.optimize import solve as solve_mod

    p, cost, w, excost, _, conf, _, k, _ = small(seed + 20, unreachable=False)
    rng = np.random.default_rng(seed)
    cap = rng.uniform(0.5, 1.5, cost.shape[1]) * np.median(w[w > 0]) * 2
    seen = []

    def spy(model, **kw):
        seen.append((model, kw.get("start")))
        return solve_mod.solve(model, **kw)

    monkeypatch.setattr(models_mod, "solve", spy)
    assert (w[:, None] > cap[None, :]).any()
    best = min(assignment_cost(cost, w, excost, s, cap, True) for s in choices(cost.shape[1], k, conf))
    if not np.isfinite(best):
        with pytest.raises(InputError, match="capacit"):
            capacitated_pmedian(p, k, cap)
        return
    r = capacitated_pmedian(p, k, cap)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(best, rel=1e-7)
    model, start = seen[-1]
    if np.isfinite(excost[w > 0]).all():   # everyone may stay: the heuristic always has a start
        assert start is not None
    if start is not None:
        A = model.A.tocsc()
        assert solve_mod._consistent(model, A, start, float(model.cost @ start), float(model.cost @ start))
        x = start[:model.shape[1]]
        assert float(model.cost @ x) >= float(model.cost @ solve_mod.solve(model).x) - 1e-9


def test_solve_takes_a_feasible_start_and_ignores_a_bad_one():
    """A knapsack (weights <= 10) with a known optimum 17 (items 1, 2, 4); the last two starts are
    infeasible (too heavy) and malformed (wrong length) and are ignored."""
    from siting.optimize.solve import LinearModel, solve

    value = np.array([4.0, 6.0, 5.0, 3.0, 6.0])
    weight = np.array([[5.0, 4.0, 3.0, 6.0, 3.0]])
    model = LinearModel(cost=value, A=sp.csc_matrix(weight),
                        row_lower=np.array([-np.inf]), row_upper=np.array([10.0]),
                        col_lower=np.zeros(5), col_upper=np.ones(5), integer=np.ones(5, bool), sense="max")
    for start in (None, np.array([1.0, 0, 1, 0, 0]), np.array([1.0, 1, 1, 1, 1]), np.ones(3)):
        out = solve(model, start=start)
        assert out.status == "optimal" and out.objective == pytest.approx(17.0)
        assert out.x is not None and out.x.round().tolist() == [0, 1, 1, 0, 1]


def covered_within_capacity(cost, w, excost, radius, s, cap):
    """Most newly covered people for fixed sites: an LP (transportation) over the pairs in reach."""
    rel = np.flatnonzero((w > 0) & ~(excost <= radius))
    opts = [(i, j) for i in rel for j in s if cost[i, j] <= radius]
    if not opts:
        return 0.0
    c = -np.array([w[i] for i, _ in opts])
    A1 = np.zeros((len(rel), len(opts)))
    A2 = np.zeros((len(s), len(opts)))
    pos = {i: r for r, i in enumerate(rel)}
    for q, (i, j) in enumerate(opts):
        A1[pos[i], q] = 1
        A2[s.index(j), q] = w[i]
    out = linprog(c, A_ub=np.vstack([A1, A2]), b_ub=np.r_[np.ones(len(rel)), cap[s]], bounds=(0, 1))
    assert out.success
    return -out.fun


@pytest.mark.parametrize("seed", range(5))
def test_capacitated_mclp_equals_brute_force(seed):
    p, cost, w, excost, _, conf, radius, k, _ = small(seed)
    rng = np.random.default_rng(seed)
    cap = rng.uniform(0.05, 0.3, cost.shape[1]) * w.sum()
    best = max(covered_within_capacity(cost, w, excost, radius, s, cap) for s in choices(cost.shape[1], k, conf))
    r = capacitated_mclp(p, k, cap)
    assert r.objective == pytest.approx(best, rel=1e-7, abs=1e-6)
    assert r.newly_covered_population == pytest.approx(best, rel=1e-7, abs=1e-6)
    got = covered_within_capacity(cost, w, excost, radius, site_positions(r), cap)
    assert got == pytest.approx(best, rel=1e-7, abs=1e-6)
    # with capacities above the population it is the MCLP
    assert capacitated_mclp(p, k, w.sum() + 1).objective == pytest.approx(mclp(p, k).objective)


def cover_counts(cost, excount, radius, s):
    return excount + ((cost[:, s] <= radius).sum(axis=1) if s else 0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("primary", ["backup", "first"])
def test_backup_coverage_equals_brute_force(seed, primary):
    p, cost, w, _, excount, conf, radius, k, _ = small(seed)

    def score(s):
        c = cover_counts(cost, excount, radius, s)
        twice, once = float(w[c >= 2].sum()), float(w[c >= 1].sum())
        return (twice, once) if primary == "backup" else (once, twice)

    best = max(score(s) for s in choices(cost.shape[1], k, conf))
    r = backup_coverage(p, k, primary=primary)
    got = score(site_positions(r))
    assert got[0] == pytest.approx(best[0]) and got[1] == pytest.approx(best[1])
    twice = got[0] if primary == "backup" else got[1]
    assert r.objective == pytest.approx(twice)
    assert r.covered_after == pytest.approx(got[1] if primary == "backup" else got[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_backup_with_a_first_cover_floor_equals_brute_force(seed):
    p, cost, w, _, excount, conf, radius, k, _ = small(seed)
    share = 0.5
    feasible = [s for s in choices(cost.shape[1], k, conf)
                if w[cover_counts(cost, excount, radius, s) >= 1].sum() >= share * w.sum() - 1e-9]
    if not feasible:
        with pytest.raises(InputError, match="first cover"):
            backup_coverage(p, k, first_share=share)
        return
    best = max(float(w[cover_counts(cost, excount, radius, s) >= 2].sum()) for s in feasible)
    r = backup_coverage(p, k, first_share=share)
    assert r.objective == pytest.approx(best)
    assert r.covered_after >= share * w.sum() - 1e-6


def test_backup_counts_two_existing_offices_from_points():
    # a village with two existing offices within reach is covered twice already
    p = SitingProblem.from_points(np.array([[0, 0], [20_000, 0]]), [100, 40], np.array([[20_500, 0]]),
                                  radius=2000, existing_xy=np.array([[500, 0], [-500, 0], [19_000, 0]]))
    assert p.existing_cover_count.tolist() == [2, 1]
    r = backup_coverage(p, 1)
    assert r.objective == 140.0 and [s.id for s in r.sites] == [0]


@pytest.mark.parametrize("seed", SEEDS)
def test_county_floor_equals_brute_force(seed):
    p, cost, w, excost, _, conf, radius, k, county = small(seed)
    floor = 0.3
    total = {c: w[county == c].sum() for c in "ABC"}

    def ok(s):
        cov = best_cost(cost, excost, s) <= radius
        return all(w[(county == c) & cov].sum() >= floor * total[c] - 1e-9 for c in "ABC" if total[c] > 0)

    def newly(s):
        return float(w[(best_cost(cost, excost, s) <= radius) & ~(excost <= radius)].sum())

    all_s = list(range(cost.shape[1]))
    feasible = [s for s in choices(cost.shape[1], k, conf) if ok(s)]
    if not feasible:
        with pytest.raises(InputError, match="county floor") as err:
            mclp_county_floor(p, k, floor)
        if not ok(all_s):  # some county cannot reach its floor at all: it is named
            cov = best_cost(cost, excost, all_s) <= radius
            short = [c for c in "ABC" if w[(county == c) & cov].sum() < floor * total[c] - 1e-9]
            for c in short:
                assert c in str(err.value)
        return
    best = max(newly(s) for s in feasible)
    r = mclp_county_floor(p, k, floor)
    assert r.objective == pytest.approx(best)
    assert ok(site_positions(r))
    assert "County floors" in r.notes[-1]


def test_county_floor_names_the_county_that_cannot_reach_it():
    cost = np.array([[1.0, 9.0], [9.0, 9.0], [9.0, 1.0]])
    p = SitingProblem.from_cost_matrix(cost, [100, 100, 50], radius=2)
    p = replace(p, demand=p.demand.assign(county=["Tabas", "Tabas", "Ferdows"]))
    with pytest.raises(InputError, match=r"cannot be reached in Tabas \(floor 60%, at most 50.0%"):
        mclp_county_floor(p, 2, 0.6)
    with pytest.raises(InputError, match="unknown counties Birjand"):
        mclp_county_floor(p, 2, {"Birjand": 0.5})
    assert mclp_county_floor(p, 2, {"Ferdows": 1.0}).covered_after == 150.0


# -- spopt ------------------------------------------------------------------------------
def spopt_instance(seed: int):
    rng = np.random.default_rng(3000 + seed)
    n, m = int(rng.integers(30, 60)), int(rng.integers(12, 25))
    e = 0 if seed % 2 == 0 else int(rng.integers(1, 4))
    inst = clustered_instance(n, m, e, area_km2=float(rng.uniform(1500, 4000)),
                              radius=float(rng.uniform(5000, 12000)), seed=seed)
    cost = cdist(inst.demand_xy, inst.site_xy)
    ex = cdist(inst.demand_xy, inst.existing_xy) if e else None
    return inst, cost, ex, int(rng.integers(2, 6))


@pytest.mark.parametrize("seed", range(4))
def test_pcenter_equals_spopt(seed):
    inst, cost, ex, k = spopt_instance(seed)
    assert (inst.weights > 0).all()
    r = pcenter(inst.problem(), k)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(spopt_pcenter(cost, k, ex), rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_capacitated_pmedian_equals_spopt(seed):
    inst, cost, ex, k = spopt_instance(seed)
    k = max(k, 3)
    rng = np.random.default_rng(seed)
    caps = rng.uniform(0.4, 0.8, cost.shape[1]) * inst.weights.sum()
    r = capacitated_pmedian(inst.problem(), k, caps)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(spopt_capacitated_pmedian(cost, inst.weights, k, caps, ex), rel=1e-7)


def test_capacity_inputs_are_checked():
    cost = np.array([[1.0, 5.0], [5.0, 1.0]])
    p = SitingProblem.from_cost_matrix(cost, [10, 10], radius=2)
    with pytest.raises(InputError, match="capacity: give"):
        capacitated_pmedian(p, 1, None)
    with pytest.raises(InputError, match="no column 'cap'"):
        capacitated_mclp(p, 1, "cap")
    with pytest.raises(InputError, match="site 1 .*-3"):
        capacitated_mclp(p, 1, [5, -3])
    with pytest.raises(InputError, match="more than the 1 largest candidate capacities"):
        capacitated_pmedian(p, 1, 15)
    p2 = replace(p, sites=p.sites.assign(cap=[20, 20]))
    assert capacitated_pmedian(p2, 1, "cap").objective == 60.0


def test_workspace_instance_counts_existing_offices_in_reach():
    from siting.optimize.scenarios import Scenario, prepare
    from siting.samples.hand import hand_workspace

    ws = hand_workspace()
    p = prepare(ws, Scenario("backup", k=1))
    assert ((p.existing_cover_count >= 1) == p.existing_covered).all()
    # independently: straight-line distances from each settlement to every serving office
    from siting.geo import project_xy

    crs = ws.metric_crs.distance
    dxy = np.column_stack(project_xy(p.demand["lon"], p.demand["lat"], crs))
    o = ws.serving_offices()
    oxy = np.column_stack(project_xy(o.geometry.x, o.geometry.y, crs))
    from siting.rules import load_rules

    rules = load_rules()
    radius = np.array([rules.for_type(t).service_radius_m for t in o["licence_type"]])
    assert (cdist(dxy, oxy) <= radius).sum(axis=1).tolist() == p.existing_cover_count.tolist()


def test_pcenter_refuses_when_k_sites_cannot_reach_everyone():
    inf = np.inf
    cost = np.array([[1.0, inf, inf], [inf, 2.0, inf], [inf, inf, 3.0]])
    p = SitingProblem.from_cost_matrix(cost, [1, 1, 1], radius=1)
    with pytest.raises(InputError, match="k=2 new sites some settlements stay out of reach"):
        pcenter(p, 2)
    r = pcenter(p, 3)
    assert r.objective == 3.0 and r.status == "optimal"


def test_no_idle_sites_are_reported():
    # one village; three candidates reach it: k=3 still places one site
    cost = np.array([[1.0, 1.0, 1.0]])
    p = SitingProblem.from_cost_matrix(cost, [10], radius=2)
    p = replace(p, demand=p.demand.assign(county=["A"]))
    assert len(mclp_county_floor(p, 3, 0.5).sites) == 1
    assert len(backup_coverage(p, 3).sites) == 2  # two offices within reach: the backup
    assert len(capacitated_mclp(p, 3, 100).sites) == 1
