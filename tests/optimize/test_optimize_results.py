"""The result object's exports, the heuristics and their bounds, and scenarios."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from siting.errors import InputError
from siting.optimize import (
    Scenario,
    SitingProblem,
    compare_scenarios,
    export_result,
    lscp,
    mclp,
    pmedian,
    run_scenario,
    run_scenarios,
    scenario_table,
)
from siting.optimize.result import SAMPLE_LABEL
from siting.optimize.solve import LinearModel, _consistent
from siting.samples.instances import clustered_instance


@pytest.fixture(scope="module")
def rural_result(sample_ws):
    return run_scenario(sample_ws, Scenario("mclp", licence_type="rural", k=5))


def test_json_is_strict_and_complete(rural_result):
    d = rural_result.to_dict()
    text = json.dumps(d, allow_nan=False, ensure_ascii=False)
    back = json.loads(text)
    assert back["model"] == "mclp" and back["k"] == 5 and len(back["sites"]) == 5
    assert back["newly_covered_population"] == pytest.approx(rural_result.newly_covered_population)
    assert sum(c["newly_covered_population"] for c in back["by_county"]) == pytest.approx(
        rural_result.newly_covered_population)
    assert back["data"] == SAMPLE_LABEL and back["sample"] is True
    assert {"share_before", "share_after", "objective", "gap", "status", "seconds", "solver"} <= set(back)


def test_geojson_and_csv_round_trip(rural_result, tmp_path):
    g = export_result(rural_result, tmp_path / "sites.geojson")
    gdf = gpd.read_file(g)
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == 5
    np.testing.assert_allclose(gdf.geometry.x, [s.lon for s in rural_result.sites])
    np.testing.assert_allclose(gdf.geometry.y, [s.lat for s in rural_result.sites])
    assert list(gdf["id"]) == [s.id for s in rural_result.sites]
    assert (gdf["data"] == SAMPLE_LABEL).all() and (gdf["licence_type"] == "rural").all()
    raw = json.loads(g.read_text(encoding="utf-8"))
    assert raw["siting"]["newly_covered"] == round(rural_result.newly_covered_population)
    c = export_result(rural_result, tmp_path / "sites.csv")
    assert c.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Persian names
    df = pd.read_csv(c, encoding="utf-8-sig", dtype={"id": str})
    assert list(df["id"]) == [s.id for s in rural_result.sites]
    assert list(df["name"]) == [s.name for s in rural_result.sites]
    assert df["newly_covered_population"].sum() == pytest.approx(rural_result.newly_covered_population)
    j = export_result(rural_result, tmp_path / "result.json")
    assert json.loads(j.read_text(encoding="utf-8"))["model"] == "mclp"
    with pytest.raises(InputError, match=r"\.geojson, \.csv or \.json"):
        export_result(rural_result, tmp_path / "sites.xlsx")
    assert rural_result.to_geojson().startswith('{"type": "FeatureCollection"')


def test_greedy_is_bounded_by_the_exact_optimum_and_the_lp_bound():
    for seed in range(5):
        p = clustered_instance(1500, 600, 30, area_km2=40_000, radius=10_000, seed=seed).problem(
            min_separation=5000)
        exact = mclp(p, 12, method="exact")
        greedy = mclp(p, 12, method="greedy")
        assert exact.status == "optimal" and greedy.method == "greedy"
        assert greedy.objective <= exact.objective + 1e-6 <= greedy.bound + 1e-6
        assert greedy.gap == pytest.approx((greedy.bound - greedy.objective) / greedy.objective)
        assert greedy.status == ("optimal" if greedy.gap <= 1e-9 else "heuristic")
        ids = [int(s.id) for s in greedy.sites]
        conflicts = {tuple(sorted(c)) for c in p.conflicts.tolist()}
        assert not any(tuple(sorted((a, b))) in conflicts for a in ids for b in ids if a != b)
        le = lscp(p, 0.9, method="exact")
        lg = lscp(p, 0.9, method="greedy")
        assert le.objective <= lg.objective and lg.bound <= le.objective
        assert lg.share_after >= 0.9 - 1e-12


def test_pmedian_heuristic_and_its_bound():
    inst = clustered_instance(400, 200, 10, area_km2=10_000, radius=10_000, seed=3)
    p = inst.problem()
    exact = pmedian(p, 6, method="exact")
    heur = pmedian(p, 6, method="greedy")
    assert exact.status == "optimal"
    assert heur.method == "greedy" and heur.status in ("heuristic", "optimal") and heur.bound is not None
    assert heur.bound <= exact.objective * (1 + 1e-9) <= heur.objective * (1 + 1e-9)
    assert heur.gap == pytest.approx((heur.objective - heur.bound) / heur.objective)
    # fewer modelled neighbours: a relaxation whose bound stays valid, objective stays true
    few = pmedian(p, 6, nearest=3, method="exact")
    assert few.bound <= exact.objective * (1 + 1e-9) <= few.objective * (1 + 1e-9)


def test_time_limit_is_kept_and_reports_a_gap():
    # dense coverage (15 km radius, 2,500 candidates on 10,000 km²): not provable in 1 s
    p = clustered_instance(2500, 2500, 0, area_km2=10_000, radius=15_000, seed=11).problem()
    r = mclp(p, 15, time_limit=1.0)
    assert r.status == "time_limit" and r.gap is not None and r.gap > 0
    assert r.bound >= r.objective and r.gap == pytest.approx((r.bound - r.objective) / r.objective, rel=1e-6)
    assert r.solve_seconds < 8  # the limit, plus the greedy and the LP bound; not minutes


def test_solution_check_rejects_what_does_not_fit_the_model():
    import scipy.sparse as sp

    m = LinearModel(cost=np.ones(2), A=sp.csc_matrix(np.array([[1.0, 1.0]])), row_lower=np.array([1.0]),
                    row_upper=np.array([np.inf]), col_lower=np.zeros(2), col_upper=np.ones(2),
                    integer=np.ones(2, bool))
    assert _consistent(m, m.A, np.array([1.0, 0.0]), 1.0, 1.0)
    assert not _consistent(m, m.A, np.array([0.0, 0.0]), 0.0, 0.0)  # row violated
    assert not _consistent(m, m.A, np.array([1.0, 1.0]), 2.0, 1.0)  # objective differs from HiGHS's
    assert not _consistent(m, m.A, np.array([0.5, 0.5]), 1.0, 1.0)  # not integral


def test_scenarios_side_by_side(sample_ws, rules):
    scen = [Scenario("mclp", licence_type="rural", k=k) for k in (2, 4, 6)]
    scen += [Scenario("mclp", licence_type="rural", k=4, radius=15_000),
             Scenario("lscp", licence_type="rural", share=0.8),
             Scenario("mclp", licence_type="urban", k=2, candidates="h3:8"),
             Scenario("pmedian", licence_type="rural", k=4, name="p-median, 4 sites")]
    table = compare_scenarios(sample_ws, scen, rules)
    assert list(table["scenario"][:3]) == ["MCLP rural k=2", "MCLP rural k=4", "MCLP rural k=6"]
    assert table["newly_covered"][:3].is_monotonic_increasing
    assert table["newly_covered"].iat[3] >= table["newly_covered"].iat[1]  # a wider radius covers more
    assert table["share_after"].iat[4] >= 0.8 and table["scenario"].iat[6] == "p-median, 4 sites"
    assert (table["share_before"][:3] == table["share_before"].iat[0]).all()
    assert table["sample"].all()
    again = run_scenarios(sample_ws, scen[:2], rules)
    assert scenario_table(again)["newly_covered"].tolist() == table["newly_covered"][:2].tolist()


def test_scenario_validation():
    with pytest.raises(InputError, match="give k"):
        Scenario("mclp")
    with pytest.raises(InputError, match="model must be"):
        Scenario("center", k=1)  # type: ignore[arg-type]


def test_from_geodataframe_matches_from_points():
    inst = clustered_instance(80, 40, 3, area_km2=2000, radius=7000, seed=4)
    crs = "+proj=lcc +lat_1=31.6 +lat_2=34 +lat_0=32.8 +lon_0=58.5 +units=m"
    d = gpd.GeoDataFrame({"pop": inst.weights}, geometry=gpd.points_from_xy(*inst.demand_xy.T), crs=crs)
    s = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*inst.site_xy.T), crs=crs)
    e = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*inst.existing_xy.T), crs=crs)
    p = SitingProblem.from_geodataframe(d, s, weights_col="pop", radius=7000, existing=e)
    assert mclp(p, 3).objective == mclp(inst.problem(), 3).objective
    with pytest.raises(InputError, match="differs"):
        SitingProblem.from_geodataframe(d, s.to_crs("EPSG:32640"), weights_col="pop", radius=7000)
