"""The optimizer's API as a planner meets it (issue 14, item 3).

* ``radius`` only for the models that use it (p-median runs without one);
* ``fixed=`` columns of the same matrix kept open, identical to splitting them out by hand, and a
  spopt-style ``p`` (kept sites included) equal to spopt's predefined facilities;
* site ids as the user's own labels (ints stay ints, also in JSON);
* ``objective_meaning``, ``total_cost`` and ``covered_after`` on every result;
* the headline fields ``proven``, ``heuristic``, ``stopped_by_time_limit``, ``truncated``;
* a GeoDataFrame without a CRS: a message saying how to fix it.

Expected figures come from hand-built instances, brute force over every choice of sites, the
split-by-hand route, or spopt.
"""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial.distance import cdist
from spopt_reference import spopt_mclp, spopt_pmedian

from siting.cli.optimize import render
from siting.errors import InputError
from siting.optimize import SitingProblem, capacitated_pmedian, lscp, mclp, pmedian
from siting.optimize import locate as locate_module
from siting.optimize.result import OBJECTIVES
from siting.optimize.solve import SolveOutcome
from siting.samples.instances import clustered_instance

pytestmark = pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")

# A hand instance: 4 villages, 3 candidate columns A, B, C (B is an office kept open).
#            A     B     C
COST = np.array([[1.0, 9.0, 4.0],
                 [8.0, 2.0, 7.0],
                 [3.0, 9.0, 1.0],
                 [9.0, 9.0, 2.0]])
W = np.array([10.0, 20.0, 30.0, 40.0])


def frame(cost=COST, columns=("A", "B", "C")) -> pd.DataFrame:
    return pd.DataFrame(cost, index=[f"v{i}" for i in range(len(cost))], columns=list(columns))


def brute_total_cost(cost: np.ndarray, w: np.ndarray, open_cols) -> float:
    return float(w @ cost[:, list(open_cols)].min(axis=1))


# -- radius only where it is used ----------------------------------------------------------------------
def test_pmedian_without_a_radius_from_every_constructor():
    xy_d = np.array([[0, 0], [2000, 0], [10000, 0]], float)
    xy_s = np.array([[1000, 0], [9000, 0]], float)
    w = [100, 100, 50]
    by_points = pmedian(SitingProblem.from_points(xy_d, w, xy_s), k=1)
    by_matrix = pmedian(SitingProblem.from_cost_matrix(cdist(xy_d, xy_s), w), k=1)
    crs = "EPSG:32640"
    d = gpd.GeoDataFrame({"pop": w}, geometry=shapely.points(xy_d), crs=crs)
    s = gpd.GeoDataFrame(geometry=shapely.points(xy_s), crs=crs)
    by_gdf = pmedian(SitingProblem.from_geodataframe(d, s, weights_col="pop"), k=1)
    best = min(brute_total_cost(cdist(xy_d, xy_s), np.asarray(w, float), [j]) for j in range(2))
    for r in (by_points, by_matrix, by_gdf):
        assert r.status == "optimal" and r.proven and r.objective == pytest.approx(best) == 650_000
        assert r.radius is None and r.covered_before is None and r.covered_after is None
        assert r.share_before is None and r.share_after is None and r.newly_covered_population is None
        assert r.total_cost == pytest.approx(best)
        d_json = json.loads(r.to_json())
        assert d_json["radius"] is None and d_json["covered_after"] is None and d_json["total_cost"] == 650_000
    assert "no radius" in render(by_points) and "coverage not applicable" in render(by_points)


@pytest.mark.parametrize("model", ["MCLP", "LSCP"])
def test_a_model_that_needs_a_radius_says_so(model):
    p = SitingProblem.from_cost_matrix(COST, W)
    with pytest.raises(InputError, match=f"{model} needs a service radius: build the problem with radius="):
        mclp(p, k=1) if model == "MCLP" else lscp(p)


def test_covered_after_and_total_cost_for_every_model_against_brute_force():
    p = SitingProblem.from_cost_matrix(frame(), W, radius=2.5)
    cover = COST <= 2.5
    results = {"mclp": mclp(p, k=1), "lscp": lscp(p), "pmedian": pmedian(p, k=2)}
    for model, r in results.items():
        cols = [["A", "B", "C"].index(s.id) for s in r.sites]
        assert r.covered_before == 0
        assert r.covered_after == pytest.approx(W[cover[:, cols].any(axis=1)].sum()), model
        assert r.total_cost == pytest.approx(brute_total_cost(COST, W, cols)), model
        assert r.objective_meaning == OBJECTIVES[model] and r.to_dict()["objective_meaning"] == OBJECTIVES[model]
    # MCLP k=1: the best single column covers the most people (brute force)
    assert results["mclp"].objective == max(W[cover[:, j]].sum() for j in range(3)) == 70
    # LSCP: fewest columns covering everyone (brute force), and it counts sites, not people
    fewest = min(n for n in range(1, 4) for c in itertools.combinations(range(3), n)
                 if cover[:, list(c)].any(axis=1).all())
    assert results["lscp"].objective == fewest == 3
    assert results["lscp"].objective_meaning == "number of new sites (minimised)"
    # p-median: total cost, the brute-force minimum over every pair
    assert results["pmedian"].objective == min(brute_total_cost(COST, W, c)
                                               for c in itertools.combinations(range(3), 2))
    assert results["pmedian"].objective == results["pmedian"].total_cost


def test_total_cost_is_none_with_a_note_when_someone_has_no_office_in_reach():
    cost = np.array([[1.0, np.inf], [np.inf, 1.0], [np.inf, np.inf]])
    r = mclp(SitingProblem.from_cost_matrix(cost, [5, 6, 7], radius=2), k=2)
    assert r.total_cost is None and r.mean_cost_after is None
    assert any("Total cost not given: 7 people (1 points)" in n for n in r.notes)
    r2 = mclp(SitingProblem.from_cost_matrix(cost[:2], [5, 6], radius=2), k=2)
    assert r2.total_cost == pytest.approx(5 * 1 + 6 * 1)


# -- fixed= and p= -----------------------------------------------------------------------------------------
def by_hand(cost: np.ndarray, w, radius, fixed_cols, conflicts=None):
    """The route the API replaces: the kept columns split out as a separate ``existing`` matrix."""
    keep = [j for j in range(cost.shape[1]) if j not in fixed_cols]
    ex = cost[:, fixed_cols] if fixed_cols else None
    return SitingProblem.from_cost_matrix(cost[:, keep], w, radius, existing=ex, conflicts=conflicts), keep


@pytest.mark.parametrize("seed", range(6))
def test_fixed_columns_give_the_split_by_hand_results(seed):
    rng = np.random.default_rng(seed)
    inst = clustered_instance(60, 16, 0, area_km2=2500, radius=9000, seed=seed)
    cost = cdist(inst.demand_xy, inst.site_xy) / 1000
    cost[rng.random(cost.shape) < 0.15] = np.inf  # some pairs unreachable
    labels = [int(x) for x in rng.choice(1000, size=cost.shape[1], replace=False)]
    fixed_cols = sorted(rng.choice(cost.shape[1], size=3, replace=False).tolist())
    df = pd.DataFrame(cost, columns=labels)
    ours = SitingProblem.from_cost_matrix(df, inst.weights, 9.0, fixed=[labels[j] for j in fixed_cols], unit="km")
    hand, keep = by_hand(cost, inst.weights, 9.0, fixed_cols)
    assert ours.existing_offices == hand.existing_offices == 3
    assert ours.fixed == tuple(labels[j] for j in fixed_cols)
    np.testing.assert_array_equal(ours.existing_cost, hand.existing_cost)
    reach = (cost <= 9.0).any(axis=1)
    share = 0.9 * inst.weights[reach].sum() / inst.weights.sum()  # a target these candidates can reach
    for solve in (lambda p: mclp(p, k=3), lambda p: lscp(p, share), lambda p: pmedian(p, k=3)):
        a, b = solve(ours), solve(hand)
        assert a.objective == pytest.approx(b.objective) and a.status == b.status == "optimal"
        assert a.covered_after == pytest.approx(b.covered_after) and a.total_cost == pytest.approx(b.total_cost)
        # the same sites, under the user's own labels
        assert sorted(s.id for s in a.sites) == sorted(labels[keep[s.id]] for s in b.sites)
        assert all(type(s.id) is int for s in a.sites)
        assert not {s.id for s in a.sites} & set(ours.fixed)


@pytest.mark.parametrize("seed", range(4))
def test_p_with_fixed_columns_equals_spopt_predefined_facilities(seed):
    rng = np.random.default_rng(50 + seed)
    inst = clustered_instance(50, 14, 0, area_km2=2000, radius=8000, seed=seed)
    cost = cdist(inst.demand_xy, inst.site_xy)
    mask = np.zeros(cost.shape[1], bool)
    mask[rng.choice(cost.shape[1], size=2, replace=False)] = True  # spopt's predefined_facilities_arr
    k = 3
    p = SitingProblem.from_cost_matrix(cost, inst.weights, inst.radius, fixed=mask)
    ex, cand = cost[:, mask], cost[:, ~mask]
    med = pmedian(p, p=k + 2)
    assert med.k == k and len(med.sites) <= k
    assert med.objective == pytest.approx(spopt_pmedian(cand, inst.weights, k, ex), rel=1e-9)
    cov = mclp(p, p=k + 2)
    assert cov.covered_after == pytest.approx(spopt_mclp(cand, inst.weights, inst.radius, k, ex), rel=1e-9)
    assert mclp(p, k=k).objective == cov.objective and pmedian(p, k=k, p=k + 2).objective == med.objective


def test_p_and_k_checks():
    p = SitingProblem.from_cost_matrix(frame(), W, radius=2.5, fixed=["B"])
    assert p.existing_offices == 1 and p.sites["id"].tolist() == ["A", "C"]
    with pytest.raises(InputError, match=r"k=2 and p=2 disagree: with 1 sites kept open .* p=2 means k=1"):
        mclp(p, k=2, p=2)
    with pytest.raises(InputError, match=r"p=1 leaves no new site: it counts the 1 sites kept open .* at least 2"):
        pmedian(p, p=1)
    with pytest.raises(InputError, match="give k .* or p"):
        mclp(p)
    with pytest.raises(InputError, match="p must be a whole number"):
        pmedian(p, p=2.5)  # type: ignore[arg-type]
    # existing offices from a separate matrix count in p too
    q = SitingProblem.from_cost_matrix(COST[:, [0, 2]], W, radius=2.5, existing=COST[:, [1]])
    assert pmedian(q, p=2).objective == pmedian(p, k=1).objective == pmedian(p, p=2).objective


def test_fixed_bad_input_names_the_label():
    with pytest.raises(InputError, match=r"fixed: 'Z' is not one of the cost matrix columns \('A', 'B', 'C'\)"):
        SitingProblem.from_cost_matrix(frame(), W, fixed=["Z"])
    with pytest.raises(InputError, match="fixed: a mask of 2 values for 3 cost matrix columns"):
        SitingProblem.from_cost_matrix(frame(), W, fixed=np.array([True, False]))
    with pytest.raises(InputError, match="fixed: a mask of 4 values for 3 cost matrix columns"):
        SitingProblem.from_cost_matrix(frame(), W, fixed=[True, False, False, True])
    as_list = SitingProblem.from_cost_matrix(frame(), W, fixed=[False, True, False])  # a plain list mask
    assert as_list.fixed == ("B",) and as_list.sites["id"].tolist() == ["A", "C"]
    with pytest.raises(InputError, match="fixed: 'A' names more than one"):
        SitingProblem.from_cost_matrix(frame(columns=("A", "A", "C")), W, fixed="A")
    with pytest.raises(InputError, match="fixed: '1' is not one"):  # labels keep their type
        SitingProblem.from_cost_matrix(COST, W, fixed=["1"])


def test_a_candidate_in_conflict_with_a_fixed_site_is_never_chosen():
    # C would be the best single site, but it may not open beside the kept B
    p = SitingProblem.from_cost_matrix(frame(), W, radius=2.5, fixed=["B"], conflicts=[[1, 2]])
    assert p.sites["id"].tolist() == ["A"] and len(p.conflicts) == 0
    assert any("conflict with a fixed site" in n and "C" in n for n in p.notes)
    r = mclp(p, k=1)
    assert [s.id for s in r.sites] == ["A"] and r.objective == 10  # A covers v0 only (C would cover 70)


def test_fixed_in_from_points_and_from_geodataframe_equal_existing_offices():
    inst = clustered_instance(70, 12, 0, area_km2=2500, radius=9000, seed=3)
    fixed = [2, 7]
    keep = [j for j in range(12) if j not in fixed]
    split = SitingProblem.from_points(inst.demand_xy, inst.weights, inst.site_xy[keep], inst.radius,
                                      existing_xy=inst.site_xy[fixed])
    pts = SitingProblem.from_points(inst.demand_xy, inst.weights, inst.site_xy, inst.radius, fixed=fixed)
    crs = "EPSG:32640"
    names = [f"s{j}" for j in range(12)]
    d = gpd.GeoDataFrame({"pop": inst.weights}, geometry=shapely.points(inst.demand_xy), crs=crs)
    s = gpd.GeoDataFrame(geometry=shapely.points(inst.site_xy), crs=crs, index=names)
    gdf = SitingProblem.from_geodataframe(d, s, weights_col="pop", radius=inst.radius, fixed=["s2", "s7"])
    a, b, c = mclp(split, k=3), mclp(pts, k=3), mclp(gdf, k=3)
    assert a.objective == b.objective == c.objective and a.covered_before == b.covered_before
    assert sorted(s.id for s in b.sites) == sorted(keep[s.id] for s in a.sites)
    assert sorted(s.id for s in c.sites) == sorted(names[i] for i in (s.id for s in b.sites))
    assert pmedian(pts, k=2).objective == pytest.approx(pmedian(split, k=2).objective)


# -- labels ----------------------------------------------------------------------------------------------
def test_site_ids_are_the_users_labels_with_their_type():
    ints = mclp(SitingProblem.from_cost_matrix(frame(columns=(101, 202, 303)), W, radius=2.5), k=1)
    assert [s.id for s in ints.sites] == [303] and type(ints.sites[0].id) is int  # C covers v2 + v3
    assert json.loads(ints.to_json())["sites"][0]["id"] == 303
    assert json.loads(ints.to_geojson())["features"][0]["properties"]["id"] == 303
    named = mclp(SitingProblem.from_cost_matrix(COST, W, radius=2.5, site_ids=["A", "B", "C"]), k=1)
    assert [s.id for s in named.sites] == ["C"]
    plain = mclp(SitingProblem.from_cost_matrix(COST, W, radius=2.5), k=1)
    assert [s.id for s in plain.sites] == [2]  # positions, as ints
    assert any(line.startswith("  1  2 ") for line in render(plain).split("\n"))  # the CLI table


# -- headline fields -------------------------------------------------------------------------------------
def test_headline_fields_of_an_exact_and_a_greedy_run():
    inst = clustered_instance(80, 20, 2, area_km2=2500, radius=8000, seed=5)
    p = inst.problem()
    exact = mclp(p, k=3)
    assert exact.proven and not exact.heuristic and not exact.stopped_by_time_limit and not exact.truncated
    greedy = mclp(p, k=3, method="greedy")
    assert greedy.heuristic and greedy.method == "greedy"
    assert greedy.proven == (greedy.status == "optimal")
    summary = greedy.summary()
    assert summary["heuristic"] is True and summary["proven"] == greedy.proven
    text = render(greedy)
    assert "HEURISTIC solution (greedy)" in text
    d = greedy.to_dict()
    assert {k: d[k] for k in ("proven", "heuristic", "stopped_by_time_limit", "truncated")} == {
        "proven": greedy.proven, "heuristic": True, "stopped_by_time_limit": False, "truncated": False}


def test_stopped_by_the_time_limit_is_a_headline_field(monkeypatch):
    # HiGHS stopping at the limit is simulated: the solver's own outcome with status "time_limit"
    inst = clustered_instance(60, 15, 0, area_km2=2000, radius=8000, seed=2)
    p = inst.problem()
    real = locate_module.solve

    def stopped(model, **kw):
        out = real(model, **kw)
        if kw.get("relax"):
            return out
        return SolveOutcome(out.x, out.objective, out.objective * 1.1, 0.1 / 1.1, "time_limit",
                            out.seconds, out.solver)

    monkeypatch.setattr(locate_module, "solve", stopped)
    # without the Lagrangian bound and the local search, which prove this small instance before HiGHS runs
    monkeypatch.setitem(locate_module._TUNING, "lagrangian", False)
    monkeypatch.setitem(locate_module._TUNING, "start", False)
    r = mclp(p, k=2)
    assert r.status == "time_limit" and r.stopped_by_time_limit and not r.proven
    assert "STOPPED BY THE TIME LIMIT" in render(r) and r.to_dict()["stopped_by_time_limit"] is True


def test_truncated_is_a_headline_field():
    inst = clustered_instance(60, 15, 0, area_km2=2000, radius=8000, seed=4)
    p = inst.problem()
    # p-median enlarges a demand point's list wherever it binds: seeing one candidate at first, it is
    # still proven optimal, with the same optimum, and nothing is truncated
    short = pmedian(p, k=3, nearest=1)
    full = pmedian(p, k=3, nearest=100)
    assert not short.truncated and short.proven and full.proven
    assert short.objective == pytest.approx(full.objective)
    # the capacitated p-median keeps its nearest-candidate truncation: the headline says so (two
    # existing offices, so that everyone can stay with one whatever the three new sites are)
    cap = capacitated_pmedian(clustered_instance(60, 15, 2, area_km2=2000, radius=8000, seed=4).problem(),
                              3, 1e9, nearest=1)
    assert cap.truncated and not cap.proven and cap.status == "feasible"
    assert cap.objective >= cap.total_cost - 1e-6  # an assignment costs at least the nearest office
    assert "TRUNCATED model" in render(cap)


# -- no CRS ------------------------------------------------------------------------------------------------
def test_from_geodataframe_without_crs_says_how_to_fix_it():
    lonlat = gpd.GeoDataFrame({"pop": [5, 7]}, geometry=shapely.points([(59.2, 32.9), (59.3, 33.0)]))
    sites = gpd.GeoDataFrame(geometry=shapely.points([(59.25, 32.95)]), crs="EPSG:4326").to_crs("EPSG:32640")
    with pytest.raises(InputError) as e:
        SitingProblem.from_geodataframe(lonlat, sites, weights_col="pop", radius=3000)
    msg = str(e.value)
    assert msg.startswith("demand: the GeoDataFrame has no CRS")
    assert 'look like longitude/latitude' in msg and 'demand.set_crs("EPSG:4326")' in msg and ".to_crs(" in msg
    metric = gpd.GeoDataFrame({"pop": [5, 7]}, geometry=shapely.points([(700000, 3600000), (701000, 3601000)]))
    with pytest.raises(InputError, match=r"if they are already metres, declare their projected CRS with demand\.set_crs"):
        SitingProblem.from_geodataframe(metric, sites, weights_col="pop", radius=3000)
    # following the advice works
    fixed = lonlat.set_crs("EPSG:4326").to_crs("EPSG:32640")
    ok = SitingProblem.from_geodataframe(fixed, sites, weights_col="pop", radius=8000)
    assert ok.n_demand == 2 and ok.cover.toarray().tolist() == [[1], [1]]  # both within 8 km of the site
