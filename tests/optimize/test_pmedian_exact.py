"""p-median exact by default: the radius formulation's truncation stays exact, proven on
OR-Library instances (published optima) and on hand-built ones against brute force."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest

from siting.optimize import SitingProblem, pmedian
from siting.optimize import median as median_mod
from siting.optimize.median import solve_pmedian
from siting.optimize.orlib import read_optima, read_pmed

ORLIB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "benchmarks" / "orlib-pmed"
if os.environ.get("SITING_REFERENCE_DIR"):
    ORLIB = Path(os.environ["SITING_REFERENCE_DIR"]).parent / "benchmarks" / "orlib-pmed"


@pytest.fixture(scope="module")
def orlib() -> Path:
    if not (ORLIB / "optima.csv").exists():
        msg = f"OR-Library folder {ORLIB} not found (expected ../shared/data/benchmarks/orlib-pmed)"
        if os.environ.get("SITING_REQUIRE_REFERENCE"):
            pytest.fail(msg)
        pytest.skip(msg)
    return ORLIB


@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed5"])
def test_orlib_published_optimum_proven_with_default_settings(orlib, name):
    cost, p = read_pmed(orlib / f"{name}.txt")
    problem = SitingProblem.from_cost_matrix(cost, np.ones(len(cost)), radius=float(cost.max()) + 1)
    r = pmedian(problem, p)
    assert r.objective == read_optima(orlib / "optima.csv")[name]
    assert r.status == "optimal" and r.method == "exact"
    assert r.bound == pytest.approx(r.objective) and r.gap == pytest.approx(0.0, abs=1e-9)
    assert len(r.sites) == p


def test_orlib_reader_keeps_the_last_cost_of_a_repeated_edge_and_names_bad_lines(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("3 3 1\n1 2 5\n2 3 1\n1 2 2\n")
    cost, p = read_pmed(f)
    assert p == 1 and cost[0, 1] == 2 and cost[0, 2] == 3
    f.write_text("3 2 1\n1 2 5\n2 x 1\n")
    with pytest.raises(ValueError, match=r"t\.txt, line 3"):
        read_pmed(f)


# -- brute force ---------------------------------------------------------------------
def brute_force(cost, w, k, existing=None, conflicts=(), penalty=None):
    """min over every set of at most k sites without a conflicting pair of the weighted cost
    to the nearest office (inf cost: ``penalty``)."""
    n, m = cost.shape
    base = np.full(n, np.inf) if existing is None else existing.min(axis=1)
    bad = {tuple(sorted(c)) for c in np.asarray(conflicts, int).reshape(-1, 2).tolist()}
    best = np.inf
    for r in range(1, k + 1):
        for s in itertools.combinations(range(m), r):
            if any((a, b) in bad for a, b in itertools.combinations(s, 2)):
                continue
            c = np.minimum(base, cost[:, list(s)].min(axis=1))
            if penalty is not None:
                c = np.where(np.isfinite(c), c, penalty)
            best = min(best, float(w @ c))
    return best


def decoy_instance(seed: int, n: int = 14, m_private: int = 3, hubs: int = 4):
    """Each demand point has its own private sites close by (useless to everyone else) and a few
    hub sites further away serve everyone: a list of the nearest few candidates misses the hubs,
    so the truncation binds wherever a point's private sites stay closed."""
    rng = np.random.default_rng(seed)
    m = n * m_private + hubs
    cost = np.full((n, m), 1000.0)
    for i in range(n):
        cost[i, i * m_private:(i + 1) * m_private] = rng.integers(1, 10, m_private)
    cost[:, n * m_private:] = rng.integers(20, 60, (n, hubs))
    return cost, rng.integers(1, 9, n).astype(float)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_truncation_that_binds_is_enlarged_until_proven_against_brute_force(seed):
    cost, w = decoy_instance(seed)
    rng = np.random.default_rng(100 + seed)
    existing = rng.integers(30, 90, (len(w), 1)).astype(float)  # an office some points keep
    hubs = np.arange(cost.shape[1] - 4, cost.shape[1])
    conflicts = np.array([[hubs[0], hubs[1]], [0, hubs[2]]])
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10, existing=existing, conflicts=conflicts)
    k = 2
    truth = brute_force(cost, w, k, existing, conflicts)
    run = solve_pmedian(problem, k, first_count=1)
    assert run.enlarged > 0  # the first truncation bound somewhere
    assert run.status == "optimal" and run.objective == pytest.approx(truth)
    assert run.bound == pytest.approx(truth)
    chosen = set(run.chosen.tolist())
    assert not any({a, b} <= chosen for a, b in conflicts.tolist())
    # the default path through pmedian agrees
    r = pmedian(problem, k)
    assert r.status == "optimal" and r.objective == pytest.approx(truth)


@pytest.mark.parametrize("seed", [3, 4])
def test_unreachable_pairs_count_at_the_penalty_like_brute_force(seed):
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 50, (12, 9)).astype(float)
    cost[rng.random(cost.shape) < 0.5] = np.inf
    w = rng.integers(1, 5, 12).astype(float)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10)
    truth = brute_force(cost, w, 3, penalty=problem.penalty)
    run = solve_pmedian(problem, 3, first_count=1)
    assert run.status == "optimal" and run.objective == pytest.approx(truth)


def test_straight_line_instance_with_truncation_equals_brute_force():
    rng = np.random.default_rng(7)
    dxy, sxy = rng.uniform(0, 10_000, (25, 2)), rng.uniform(0, 10_000, (12, 2))
    w = rng.integers(1, 20, 25).astype(float)
    problem = SitingProblem.from_points(dxy, w, sxy, radius=2000, existing_xy=np.array([[5000.0, 5000.0]]),
                                        min_separation=1500)
    cost = np.hypot(*(dxy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1))
    existing = np.hypot(*(dxy - [5000.0, 5000.0]).T)[:, None]
    truth = brute_force(cost, w, 3, existing, problem.conflicts)
    run = solve_pmedian(problem, 3, first_count=1)
    assert run.enlarged > 0 and run.status == "optimal"
    assert run.objective == pytest.approx(truth, rel=1e-9)


def test_points_beyond_the_old_nearest_100_are_proven_optimal_by_default():
    # pmed21-like: twenty light villages (x = 0..19) have 150 candidate sites on their side
    # (x = 1..150), but the two chosen sites serve two heavy towns at x = -1000 and x = 1000;
    # the former model (each point's 100 nearest candidates) was a relaxation and ended "feasible".
    demand_x = np.r_[np.arange(20.0), -1000.0, 1000.0]
    site_x = np.r_[np.arange(1.0, 151.0), -1000.0, 1000.0]
    cost = np.abs(demand_x[:, None] - site_x[None, :])
    w = np.r_[np.ones(20), 1e6, 1e6]
    problem = SitingProblem.from_cost_matrix(cost, w, radius=1)
    r = pmedian(problem, 2)
    truth = brute_force(cost, w, 2)
    assert truth == float(np.sum(1000 - np.arange(20.0)))  # both towns' sites; villages go to x = 1000
    assert r.status == "optimal" and r.objective == truth and r.gap == pytest.approx(0.0, abs=1e-12)
    assert sorted(s.id for s in r.sites) == [150, 151]


def test_auto_falls_back_to_the_heuristic_only_when_the_model_is_too_large(monkeypatch):
    cost, w = decoy_instance(5)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10)
    truth = brute_force(cost, w, 2)
    monkeypatch.setattr(median_mod, "MAX_MEDIAN_NONZEROS", 10)
    r = pmedian(problem, 2)
    assert r.status == "heuristic" and r.method == "greedy"
    assert any("too large" in n for n in r.notes)
    assert r.objective >= truth - 1e-9
    assert r.bound is None or r.bound <= truth + 1e-9
    exact = pmedian(problem, 2, method="exact")  # "exact" has no size limit
    assert exact.status == "optimal" and exact.objective == pytest.approx(truth)


def test_time_limit_reports_the_incumbent_a_valid_bound_and_the_gap(orlib):
    cost, p = read_pmed(orlib / "pmed26.txt")
    problem = SitingProblem.from_cost_matrix(cost, np.ones(len(cost)), radius=float(cost.max()) + 1)
    r = pmedian(problem, p, time_limit=2.0)
    opt = read_optima(orlib / "optima.csv")["pmed26"]
    assert r.objective >= opt
    if r.status != "optimal":
        assert r.status == "time_limit"
    if r.bound is not None:
        assert r.bound <= opt + 1e-9
        assert r.gap == pytest.approx((r.objective - r.bound) / r.objective)
    assert r.seconds < 20  # the 2 s limit, plus the heuristic start, on a loaded machine


@pytest.mark.parametrize("seed", [0, 6])
def test_mip_phase_enlarges_where_its_sites_leave_points_beyond_their_lists(monkeypatch, seed):
    # without the LP phase (its solves fail here), the first MIP sees each point's nearest site
    # only: its hubs leave every point beyond its list, and the MIP rounds must enlarge them
    from siting.optimize import solve as solve_mod

    real = solve_mod.solve

    def no_lp(model, **kw):
        if kw.get("relax"):
            return solve_mod.SolveOutcome(None, None, None, None, "error", 0.0, "test")
        return real(model, **kw)

    monkeypatch.setattr(median_mod, "solve", no_lp)
    monkeypatch.setattr(median_mod, "LAGRANGE_ROUNDS", 0)  # the LP/MIP path, not the Lagrangian one
    cost, w = decoy_instance(seed)
    existing = np.full((len(w), 1), 45.0)
    problem = SitingProblem.from_cost_matrix(cost, w, radius=10, existing=existing)
    truth = brute_force(cost, w, 3, existing)
    run = solve_pmedian(problem, 3, first_count=1)
    assert run.enlarged > 0 and run.rounds >= 2
    assert run.status == "optimal" and run.objective == pytest.approx(truth) and run.bound == pytest.approx(truth)


@pytest.mark.parametrize("growth", [1.0, 1.5, 3.0])
@pytest.mark.parametrize("lp_options", [{}, {"solver": "ipm"}])
def test_mip_list_growth_and_lp_solver_keep_the_proof_against_brute_force(monkeypatch, growth, lp_options):
    # the lists' growth before the MIP and the LP's algorithm change the work, never the proven optimum
    monkeypatch.setattr(median_mod, "MIP_LIST_GROWTH", growth)
    monkeypatch.setattr(median_mod, "LP_OPTIONS", lp_options)
    monkeypatch.setattr(median_mod, "LAGRANGE_ROUNDS", 0)  # the LP/MIP path, not the Lagrangian one
    for seed in (0, 1):
        cost, w = decoy_instance(seed)
        existing = np.full((len(w), 1), 45.0)
        problem = SitingProblem.from_cost_matrix(cost, w, radius=10, existing=existing)
        truth = brute_force(cost, w, 3, existing)
        run = solve_pmedian(problem, 3, first_count=1)
        assert run.status == "optimal" and run.objective == pytest.approx(truth)
        assert run.bound == pytest.approx(truth)
