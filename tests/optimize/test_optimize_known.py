"""Instances whose optimum is known by construction, and degenerate or infeasible inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from siting.errors import InputError
from siting.optimize import SitingProblem, lscp, mclp, pmedian, problem_from_workspace, run_scenario
from siting.optimize.scenarios import Scenario
from siting.rules.validate import validate_site

KM = 1000.0


def three_clusters(**kw) -> SitingProblem:
    """Clusters A (5,000 people at x=0), B (3,000 at x=50 km), C (1,000 at x=100 km).

    Candidates: a (x=0), b (x=50 km), c (x=100 km), d (x=25 km: reaches nobody within 8 km),
    e (x=0.5 km: reaches cluster A, like a).
    """
    demand = np.array([[0, 0], [600, 300], [-500, -400],     # A: 2000 + 2000 + 1000
                       [50 * KM, 0], [50 * KM + 700, 0],     # B: 1500 + 1500
                       [100 * KM, 0]])                      # C: 1000
    weights = [2000, 2000, 1000, 1500, 1500, 1000]
    sites = np.array([[0, 0], [50 * KM, 0], [100 * KM, 0], [25 * KM, 0], [500, 0]])
    return SitingProblem.from_points(demand, weights, sites, 8 * KM, **kw)


@pytest.mark.parametrize(("k", "covered", "placed"), [(1, 5000, 1), (2, 8000, 2), (3, 9000, 3), (4, 9000, 3)])
def test_mclp_known_optimum(k, covered, placed):
    r = mclp(three_clusters(), k)
    assert r.status == "optimal" and r.objective == covered and len(r.sites) == placed
    assert r.covered_before == 0 and r.total_population == 9000
    assert sum(s.newly_covered_population for s in r.sites) == covered
    if k == 4:  # a fourth site would add nobody: not placed, and said so
        assert any("more would cover nobody new" in n for n in r.notes)
    if k >= 2:
        assert {1} <= {s.id for s in r.sites}  # ids: the site positions, as ints


def test_mclp_keeps_existing_offices_and_counts_them():
    r = mclp(three_clusters(existing_xy=np.array([[50 * KM + 300, 0]])), 1)
    assert r.covered_before == 3000 and r.objective == 5000 and r.covered_after == 8000
    assert r.share_before == pytest.approx(3000 / 9000) and r.share_after == pytest.approx(8000 / 9000)
    assert r.sites[0].id in {0, 4}


def test_min_separation_changes_the_optimum_as_constructed():
    # a and b are 50 km apart: with 60 km separation the best pair is a + c
    r = mclp(three_clusters(min_separation=60 * KM), 2)
    assert r.objective == 6000 and {s.id for s in r.sites} in ({0, 2}, {4, 2})


@pytest.mark.parametrize(("share", "sites"), [(1.0, 3), (0.5, 1), (0.6, 2), (8000 / 9000, 2), (0.9, 3)])
def test_lscp_known_optimum(share, sites):
    r = lscp(three_clusters(), share)
    assert r.status == "optimal" and r.objective == sites and len(r.sites) == sites
    assert r.share_after >= share - 1e-12


def test_lscp_prefers_the_most_coverage_among_minimal_solutions():
    # one site reaches 50% with A (5,000); B would also reach 33%: A must be chosen
    r = lscp(three_clusters(), 0.3)
    assert r.objective == 1 and r.covered_after == 5000


def test_pmedian_known_optimum_with_existing_office():
    demand = np.array([[0, 0], [2 * KM, 0], [10 * KM, 0]])
    sites = np.array([[1 * KM, 0], [9 * KM, 0]])
    p = SitingProblem.from_points(demand, [100, 100, 50], sites, 5 * KM, existing_xy=np.array([[0, 0]]))
    r = pmedian(p, 1)
    # before: 0 + 100*2000 + 50*10000 = 700,000; site 1 km: 0 + 100*1000 + 50*9000 = 550,000;
    # site 9 km: 0 + 100*2000 + 50*1000 = 250,000
    assert r.status == "optimal" and [s.id for s in r.sites] == [1] and r.objective == 250_000
    assert r.mean_cost_before == pytest.approx(700_000 / 250) and r.mean_cost_after == pytest.approx(1000)
    assert r.sites[0].served_population == 50


def test_hand_workspace_rural_optimum_is_mud_as_validation_says(hand_ws, rules):
    r = run_scenario(hand_ws, Scenario("mclp", licence_type="rural", k=1), rules)
    assert [s.name for s in r.sites] == ["مود"] and r.objective == 3000 and r.sample
    report = validate_site(hand_ws, rules, licence_type="rural", settlement="مود")
    assert report.newly_covered_population == r.objective
    assert all(x.status != "fail" for x in report.rules if x.id != "min_uncovered_population")


# -- degenerate and infeasible inputs -------------------------------------------------
def test_k_larger_than_candidates_is_a_clear_error():
    with pytest.raises(InputError, match=r"k=6 is more than the 5 candidate sites"):
        mclp(three_clusters(), 6)
    with pytest.raises(InputError, match="more than the 5 candidate"):
        pmedian(three_clusters(), 9)


@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_k_must_be_a_positive_whole_number(k):
    with pytest.raises(InputError, match="k must"):
        mclp(three_clusters(), k)


def test_no_demand_is_a_clear_error(hand_ws):
    with pytest.raises(InputError, match="no demand"):
        SitingProblem.from_points(np.array([[0, 0]]), [0], np.array([[0, 0]]), 1000)
    s = hand_ws.settlements.copy()
    s["population"] = s["population"].astype("Int64") * 0
    with pytest.raises(InputError, match="no demand: none of the 5 settlements"):
        problem_from_workspace(dataclasses.replace(hand_ws, settlements=s), licence_type="rural")


def test_all_covered_already_gives_an_honest_empty_result():
    p = three_clusters(existing_xy=np.array([[0, 0], [50 * KM, 0], [100 * KM, 0]]))
    r = mclp(p, 2)
    assert r.status == "empty" and r.sites == () and r.objective == 0
    assert r.share_before == r.share_after == 1.0
    assert any("covered already" in n for n in r.notes)
    r = lscp(p)
    assert r.status == "empty" and r.objective == 0 and r.sites == ()
    assert any("met already" in n for n in r.notes)


@pytest.mark.parametrize("radius", [0, -5, float("nan"), "x"])
def test_radius_zero_or_invalid_is_a_clear_error(radius, hand_ws):
    with pytest.raises(InputError, match="radius"):
        SitingProblem.from_points(np.array([[0, 0]]), [1], np.array([[0, 0]]), radius)
    with pytest.raises(InputError, match="radius"):
        problem_from_workspace(hand_ws, licence_type="rural", radius=radius)


def test_unreachable_full_cover_names_the_reachable_share():
    demand = np.array([[0, 0], [100 * KM, 0]])
    p = SitingProblem.from_points(demand, [900, 100], np.array([[0, 0]]), 5 * KM)
    with pytest.raises(InputError, match=r"target 100.0% cannot be reached: 100 people .* at most 90.00%"):
        lscp(p)
    assert lscp(p, 0.9).objective == 1


def test_conflicts_that_forbid_full_cover_are_reported():
    demand = np.array([[0, 0], [3 * KM, 0]])
    sites = np.array([[-1 * KM, 0], [4 * KM, 0]])  # each reaches one point; they are 5 km apart
    p = SitingProblem.from_points(demand, [10, 10], sites, 2 * KM, min_separation=6 * KM)
    with pytest.raises(InputError, match="minimum distance"):
        lscp(p)
    assert mclp(p, 2).objective == 10  # only one of them may be placed


@pytest.mark.parametrize("share", [0, 1.5, -0.2, "all"])
def test_share_out_of_range(share):
    with pytest.raises(InputError, match="share"):
        lscp(three_clusters(), share)


def test_unknown_method():
    with pytest.raises(InputError, match="method"):
        mclp(three_clusters(), 1, method="magic")


def test_geographic_crs_is_refused():
    import geopandas as gpd
    import shapely

    d = gpd.GeoDataFrame({"pop": [5]}, geometry=shapely.points([(59.2, 32.9)]), crs="EPSG:4326")
    with pytest.raises(InputError, match="geographic"):
        SitingProblem.from_geodataframe(d, d, weights_col="pop", radius=1000)
    with pytest.raises(InputError, match="no CRS"):
        SitingProblem.from_geodataframe(d.set_crs(None, allow_override=True), d, weights_col="pop", radius=1000)


def test_result_is_frozen():
    r = mclp(three_clusters(), 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.objective = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.sites[0].lon = 0  # type: ignore[misc]
