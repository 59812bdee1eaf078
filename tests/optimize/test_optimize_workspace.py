"""Siting on a workspace: rules inside the model, checked against the core's own answers.

Independent checks: validate_site (one site at a time) for the candidate
filter and the population rule, compute_coverage with the chosen sites added
as offices for the covered population, pyproj.Geod for the distances between
chosen sites, spopt for the optimum.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial.distance import cdist
from spopt_reference import spopt_lscp, spopt_mclp, workspace_matrices

from siting.coverage import compute_coverage
from siting.errors import InputError
from siting.geo import geodesic_distance, project_xy
from siting.optimize import (
    candidate_sites,
    filter_by_rules,
    lscp,
    mclp,
    problem_from_workspace,
)
from siting.rules.validate import validate_site
from siting.workspace import make_layer

pytestmark = pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")
SITE_RULES = {"inside_region", "min_distance_same_type", "min_distance_any_type", "site_in_city",
              "site_outside_city", "near_village"}


@pytest.mark.parametrize("licence_type", ["urban", "rural"])
@pytest.mark.parametrize("source", ["settlements", "h3:6"])
def test_candidate_filter_agrees_with_validate_site(sample_ws, rules, licence_type, source):
    sites, _ = candidate_sites(sample_ws, rules, licence_type, source)
    passing, chk, rejected = filter_by_rules(sample_ws, rules, licence_type, sites)
    assert len(passing) and sum(rejected.values()) > 0
    rng = np.random.default_rng(5)
    for i in rng.choice(len(sites), 60, replace=False):
        rep = validate_site(sample_ws, rules, licence_type=licence_type,
                            lon=sites["lon"].iat[i], lat=sites["lat"].iat[i])
        failed = {r.id for r in rep.rules if r.id in SITE_RULES and r.status == "fail"}
        assert bool(chk.passes[i]) == (not failed), (sites["id"].iat[i], failed)


def _with_sites_as_offices(ws, result, licence_type):
    o = ws.offices
    new = pd.DataFrame({"office_id": [f"NEW-{s.id}" for s in result.sites], "name": None,
                        "licence_type": licence_type, "status": "active", "source": "test"})
    attrs = pd.concat([pd.DataFrame(o.drop(columns="geometry")), new], ignore_index=True)
    geoms = [*o.geometry, *shapely.points([(s.lon, s.lat) for s in result.sites])]
    return dataclasses.replace(ws, offices=make_layer("offices", attrs, geoms))


@pytest.mark.parametrize(("licence_type", "candidates", "k"), [("rural", "settlements", 15), ("urban", "h3:8", 6)])
def test_covered_population_and_separation_match_the_core(sample_ws, rules, licence_type, candidates, k):
    p = problem_from_workspace(sample_ws, rules, licence_type=licence_type, candidates=candidates)
    r = mclp(p, k)
    assert r.status == "optimal" and len(r.sites) == k
    # coverage recomputed by the core with the chosen sites as offices
    before = compute_coverage(sample_ws, rules).totals
    after = compute_coverage(_with_sites_as_offices(sample_ws, r, licence_type), rules).totals
    assert r.covered_before == before["covered_population"]
    assert r.covered_after == after["covered_population"]
    assert r.total_population == before["located_population"]
    by_county = pd.Series(r.newly_covered_by_county)
    assert by_county.sum() == pytest.approx(r.newly_covered_population)
    # chosen sites keep the same-type minimum from each other (geodesic; the metric CRS is within 0.05 %)
    lon = np.array([s.lon for s in r.sites])
    lat = np.array([s.lat for s in r.sites])
    i, j = np.triu_indices(len(lon), 1)
    d = geodesic_distance(lon[i], lat[i], lon[j], lat[j])
    assert d.min() >= rules.for_type(licence_type).min_distance_same_type_m * 0.9995
    # and each passes validation's site rules
    for s in r.sites:
        rep = validate_site(sample_ws, rules, licence_type=licence_type, lon=s.lon, lat=s.lat)
        assert not [x.id for x in rep.rules if x.id in SITE_RULES and x.status == "fail"]


def test_sample_workspace_optimum_equals_spopt_with_existing_offices_and_rules(sample_ws, rules):
    p = problem_from_workspace(sample_ws, rules, licence_type="rural")
    assert p.existing_offices > 0 and len(p.conflicts) > 0
    cost, ex, w, conf, _ = workspace_matrices(sample_ws, p, rules)
    radius = p.radius
    ours = mclp(p, 10)
    assert ours.covered_after == pytest.approx(spopt_mclp(cost, w, radius, 10, ex, conf))
    reach = (cost <= radius).any(axis=1) | (ex <= radius).any(axis=1)
    r = lscp(p, w[reach].sum() / w.sum())
    assert r.objective + ex.shape[1] == pytest.approx(spopt_lscp(cost[reach], radius, ex[reach], conf))


def test_cost_matrix_of_straight_lines_reproduces_the_straight_line_result(sample_ws, rules, tmp_path):
    p = problem_from_workspace(sample_ws, rules, licence_type="rural")
    crs = sample_ws.metric_crs.distance
    dxy = np.column_stack(project_xy(p.demand["lon"], p.demand["lat"], crs))
    o = sample_ws.serving_offices()
    dest_ids = [*p.sites["id"], *o["office_id"]]
    dest_xy = np.vstack([np.column_stack(project_xy(p.sites["lon"], p.sites["lat"], crs)),
                         np.column_stack(project_xy(o.geometry.x, o.geometry.y, crs))])
    d = cdist(dxy, dest_xy)
    i, j = np.nonzero(d <= 25_000)  # long form: pairs in a 25 km reach are enough
    long = tmp_path / "od_long.csv"
    pd.DataFrame({"origin": p.demand["id"].to_numpy()[i], "destination": np.asarray(dest_ids)[j],
                  "cost": d[i, j]}).to_csv(long, index=False)
    straight = mclp(p, 8)
    with_costs = mclp(problem_from_workspace(sample_ws, rules, licence_type="rural", costs=long,
                                                   radius=rules.rural.service_radius_m), 8)
    assert with_costs.objective == pytest.approx(straight.objective)
    assert with_costs.covered_before == pytest.approx(straight.covered_before)
    assert with_costs.unit == "" and any("origin-destination" in n for n in with_costs.notes)
    # the same in wide form, in km and with a km radius
    wide = tmp_path / "od_wide.csv"
    w = pd.DataFrame(np.where(d <= 25_000, d / 1000, np.nan), columns=dest_ids)
    w.insert(0, "origin", p.demand["id"].to_numpy())
    w.to_csv(wide, index=False)
    km = mclp(problem_from_workspace(sample_ws, rules, licence_type="rural", costs=wide, radius=10), 8)
    assert km.objective == pytest.approx(straight.objective)


def test_cost_matrix_missing_ids_are_named(sample_ws, rules, tmp_path):
    f = tmp_path / "od.csv"
    s = sample_ws.settlements
    f.write_text(f"origin,destination,cost\n{s['code'].iat[0]},{s['code'].iat[1]},5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"od.csv: \d+ settlements with population are not origins"):
        problem_from_workspace(sample_ws, rules, licence_type="rural", costs=f, radius=10)
    with pytest.raises(InputError, match="radius: required with a cost matrix"):
        problem_from_workspace(sample_ws, rules, licence_type="rural", costs=f)


def test_population_rule_keeps_only_sites_validation_would_pass(sample_ws, rules):
    p = problem_from_workspace(sample_ws, rules, licence_type="rural", population_rule=True)
    assert p.rejected.get("min_uncovered_population", 0) > 0
    r = mclp(p, 5)
    for s in r.sites:
        rep = validate_site(sample_ws, rules, licence_type="rural", lon=s.lon, lat=s.lat)
        assert rep.rule("min_uncovered_population").status == "pass"


def test_h3_candidates_lie_in_gap_cells_and_pass_the_rules(sample_ws, rules):
    from siting.gaps import gap_cells

    p = problem_from_workspace(sample_ws, rules, licence_type="rural", candidates="h3:6")
    cells = gap_cells(sample_ws, rules, resolution=6).set_index("h3")
    assert cells.loc[p.sites["id"], "gap_rural"].all()
    assert p.candidates_total == int(cells["gap_rural"].sum())
    assert len(p.sites) + 0 < p.candidates_total


def test_candidates_from_files(sample_ws, rules, tmp_path):
    villages = sample_ws.settlements[sample_ws.settlements["kind"] == "village"].head(40)
    csv = tmp_path / "mine.csv"
    pd.DataFrame({"site_id": [f"C{i}" for i in range(40)], "name": villages["name_fa"].to_numpy(),
                  "lat": villages.geometry.y.to_numpy(), "lon": villages.geometry.x.to_numpy()}).to_csv(csv, index=False)
    p = problem_from_workspace(sample_ws, rules, licence_type="rural", candidates=str(csv))
    assert p.candidates_total == 40 and set(p.sites["id"]) <= {f"C{i}" for i in range(40)}
    gj = tmp_path / "mine.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": f"G{i}"},
         "geometry": {"type": "Point", "coordinates": [g.x, g.y]}}
        for i, g in enumerate(villages.geometry)]}), encoding="utf-8")
    p2 = problem_from_workspace(sample_ws, rules, licence_type="rural", candidates=str(gj))
    assert [s[1:] for s in p2.sites["id"]] == [s[1:] for s in p.sites["id"]]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lat,lon\nA,32.5,59.1\nB,abc,59.2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv, row 2, field lon/lat: lat 'abc' is not a number"):
        problem_from_workspace(sample_ws, rules, licence_type="rural", candidates=str(bad))
    with pytest.raises(InputError, match="expected settlements, h3"):
        problem_from_workspace(sample_ws, rules, licence_type="rural", candidates="nowhere.csv")


def test_unknown_licence_type(sample_ws, rules):
    with pytest.raises(InputError, match="unknown licence type"):
        problem_from_workspace(sample_ws, rules, licence_type="airport")
