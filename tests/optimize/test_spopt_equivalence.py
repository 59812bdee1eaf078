"""Equal optimal objectives with spopt.locate on seeded random instances.

Instances are small (spopt builds a dense PuLP model) but varied: clustered
populations, with and without existing offices, straight-line distances
(projected metres) and asymmetric travel-time matrices with unreachable
pairs, with and without the minimum-separation conflicts between new sites.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from spopt_reference import spopt_lscp, spopt_mclp, spopt_pmedian

from siting.optimize import SitingProblem, lscp, mclp, pmedian
from siting.samples.instances import clustered_instance

SEEDS = range(24)
# spopt 0.7 builds PuLP variables the way PuLP 3.3 deprecates; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")


def instance(seed: int):
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(40, 110))
    m = int(rng.integers(15, 45))
    e = 0 if seed % 2 == 0 else int(rng.integers(1, 6))
    inst = clustered_instance(n, m, e, area_km2=float(rng.uniform(1500, 4000)),
                              radius=float(rng.uniform(5000, 12000)), seed=seed)
    k = int(rng.integers(2, 7))
    return inst, k


def travel_times(seed: int, inst):
    """An asymmetric minutes matrix: distance over a random road speed per pair, 20% unreachable."""
    rng = np.random.default_rng(2000 + seed)
    d_all = cdist(inst.demand_xy, np.vstack([inst.site_xy, inst.existing_xy]))
    speed = rng.uniform(30, 90, d_all.shape) * 1000 / 60  # m per minute
    t = d_all / speed * rng.uniform(1.0, 1.6, d_all.shape)
    t[rng.random(d_all.shape) < 0.2] = np.inf
    m = len(inst.site_xy)
    return t[:, :m], t[:, m:]


@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_equals_spopt_straight_line(seed):
    inst, k = instance(seed)
    ours = mclp(inst.problem(), k)
    cost = cdist(inst.demand_xy, inst.site_xy)
    ex = cdist(inst.demand_xy, inst.existing_xy) if len(inst.existing_xy) else None
    assert ours.status == "optimal" and ours.gap == 0.0
    assert ours.covered_after == pytest.approx(spopt_mclp(cost, inst.weights, inst.radius, k, ex), abs=1e-6)
    assert ours.objective == pytest.approx(ours.covered_after - ours.covered_before)


@pytest.mark.parametrize("seed", SEEDS)
def test_lscp_equals_spopt_straight_line(seed):
    inst, _ = instance(seed)
    cost = cdist(inst.demand_xy, inst.site_xy)
    ex = cdist(inst.demand_xy, inst.existing_xy) if len(inst.existing_xy) else np.zeros((len(cost), 0))
    # spopt's LSCP must cover every demand point: keep the points some facility reaches
    reach = (cost <= inst.radius).any(axis=1) | (ex <= inst.radius).any(axis=1)
    p = SitingProblem.from_points(inst.demand_xy[reach], inst.weights[reach], inst.site_xy, inst.radius,
                                  existing_xy=inst.existing_xy if len(inst.existing_xy) else None)
    ours = lscp(p)
    assert ours.status in ("optimal", "empty") and ours.share_after == pytest.approx(1.0)
    expected = spopt_lscp(cost[reach], inst.radius, ex[reach] if ex.shape[1] else None)
    assert ours.objective + len(inst.existing_xy) == pytest.approx(expected)


@pytest.mark.parametrize("seed", SEEDS[::2])
def test_mclp_and_lscp_equal_spopt_on_travel_time_matrices(seed):
    inst, k = instance(seed)
    t_sites, t_existing = travel_times(seed, inst)
    radius = 12.0  # minutes
    existing = t_existing if t_existing.shape[1] else None
    p = SitingProblem.from_cost_matrix(t_sites, inst.weights, radius, existing=existing, unit="min")
    ours = mclp(p, k)
    assert ours.covered_after == pytest.approx(spopt_mclp(t_sites, inst.weights, radius, k, existing))
    reach = (t_sites <= radius).any(axis=1)
    if existing is not None:
        reach |= (t_existing <= radius).any(axis=1)
    p2 = SitingProblem.from_cost_matrix(t_sites[reach], inst.weights[reach], radius,
                                        existing=None if existing is None else t_existing[reach])
    expected = spopt_lscp(t_sites[reach], radius, None if existing is None else t_existing[reach])
    assert lscp(p2).objective + (0 if existing is None else existing.shape[1]) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(6))
def test_mclp_and_lscp_with_min_separation_equal_spopt_with_the_same_constraints(seed):
    inst, k = instance(seed)
    sep = inst.radius * 0.8
    p = inst.problem(min_separation=sep)
    assert len(p.conflicts) > 0
    cost = cdist(inst.demand_xy, inst.site_xy)
    ex = cdist(inst.demand_xy, inst.existing_xy) if len(inst.existing_xy) else None
    ours = mclp(p, k)
    assert ours.covered_after == pytest.approx(spopt_mclp(cost, inst.weights, inst.radius, k, ex, p.conflicts))
    chosen = np.array([[int(s.id)] for s in ours.sites]).ravel()
    d = cdist(inst.site_xy[chosen], inst.site_xy[chosen]) + np.eye(len(chosen)) * 1e12
    assert d.min() >= sep
    # LSCP with conflicts: a wide separation may make full cover impossible; both must agree
    reach = (cost <= inst.radius).any(axis=1) | ((ex <= inst.radius).any(axis=1) if ex is not None else False)
    p2 = SitingProblem.from_points(inst.demand_xy[reach], inst.weights[reach], inst.site_xy, inst.radius,
                                   existing_xy=inst.existing_xy if len(inst.existing_xy) else None,
                                   min_separation=inst.radius * 0.3)
    expected = spopt_lscp(cost[reach], inst.radius, None if ex is None else ex[reach], p2.conflicts)
    assert lscp(p2).objective + len(inst.existing_xy) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(8))
def test_pmedian_equals_spopt(seed):
    inst, k = instance(seed)
    cost = cdist(inst.demand_xy, inst.site_xy)
    ex = cdist(inst.demand_xy, inst.existing_xy) if len(inst.existing_xy) else None
    ours = pmedian(inst.problem(), k)
    assert ours.status == "optimal" and ours.method == "exact"
    assert ours.objective == pytest.approx(spopt_pmedian(cost, inst.weights, k, ex), rel=1e-9)
    assert ours.mean_cost_after == pytest.approx(ours.objective / inst.weights.sum())


def brute_force_lscp(cover: np.ndarray, w: np.ndarray, covered0: np.ndarray, share: float) -> int:
    """Fewest columns of ``cover`` reaching the share, by enumeration."""
    need = share * w.sum() - 1e-9
    m = cover.shape[1]
    for size in range(m + 1):
        for cols in itertools.combinations(range(m), size):
            got = covered0 | cover[:, list(cols)].any(axis=1)
            if w[got].sum() >= need:
                return size
    raise AssertionError("unreachable")


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("share", [0.5, 0.8, 0.95])
def test_lscp_partial_share_equals_enumeration(seed, share):
    inst = clustered_instance(30, 9, seed % 3, area_km2=900, radius=6000, seed=seed)
    cost = cdist(inst.demand_xy, inst.site_xy)
    cover = cost <= inst.radius
    covered0 = ((cdist(inst.demand_xy, inst.existing_xy) <= inst.radius).any(axis=1)
                if len(inst.existing_xy) else np.zeros(len(cost), bool))
    reachable = inst.weights[covered0 | cover.any(axis=1)].sum() / inst.weights.sum()
    p = inst.problem()
    if share > reachable:
        with pytest.raises(ValueError, match="cannot be reached"):
            lscp(p, share)
        return
    r = lscp(p, share)
    assert r.objective == brute_force_lscp(cover, inst.weights, covered0, share)
    assert r.share_after >= share - 1e-12


@pytest.mark.parametrize("seed", range(0, 12, 3))
def test_pmedian_on_a_matrix_with_unreachable_pairs_equals_spopt(seed):
    # an unreachable person counts at the largest cost in the matrix (problem.penalty); spopt gets
    # that cost in place of the missing pairs, so both price "nobody reaches me" the same way
    inst, k = instance(seed)
    t_sites, t_existing = travel_times(seed, inst)
    existing = t_existing if t_existing.shape[1] else None
    p = SitingProblem.from_cost_matrix(t_sites, inst.weights, 12.0, existing=existing, unit="min")
    ours = pmedian(p, k)
    assert ours.status == "optimal"
    fill = lambda a: np.where(np.isfinite(a), a, p.penalty)  # noqa: E731
    expected = spopt_pmedian(fill(t_sites), inst.weights, k, None if existing is None else fill(t_existing))
    assert ours.objective == pytest.approx(expected, rel=1e-9)
