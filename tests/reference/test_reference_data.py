"""Tests on the real reference data in ../shared/data/south-khorasan (read, never copied).

Expected figures come from the files themselves (read here with plain
json/csv/shapely, not through the project's import) and from pyproj.Geod.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from siting.coverage import compute_coverage
from siting.geo import geodesic_area_km2, geodesic_distance, project_xy, to_crs
from siting.io.manifest import build_workspace, init_workspace
from siting.rules.validate import validate_site

pytestmark = pytest.mark.reference
ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "data" / "sources" / "south-khorasan.yaml"


@pytest.fixture(scope="module")
def built(reference_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "ref.gpkg"
    report = init_workspace(MANIFEST, reference_dir, path)
    from siting.workspace import Workspace

    return Workspace.load(path), report


def _raw_counties(reference_dir):
    fc = json.loads((reference_dir / "counties.geojson").read_text(encoding="utf-8"))
    return [(f["properties"]["name_fa"], shape(f["geometry"])) for f in fc["features"]]


def _raw_places(reference_dir):
    with open(reference_dir / "places_gnaf.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_layers_and_counts(built):
    ws, _ = built
    assert len(ws.region) == 1 and len(ws.counties) == 12 and len(ws.settlements) == 35
    assert not ws.is_sample
    assert set(ws.settlements["kind"]) == {"city"}


def test_counties_tile_the_province(reference_dir, built):
    ws, _ = built
    area = ws.metric_crs.area
    counties = [to_crs(g, "EPSG:4326", area) for g in ws.counties.geometry]
    province = to_crs(ws.region.geometry.iat[0], "EPSG:4326", area)
    union = shapely.union_all(counties)
    gap_or_extra = shapely.symmetric_difference(union, province).area / 1e6
    overlap = sum(counties[i].intersection(counties[j]).area
                  for i in range(len(counties)) for j in range(i + 1, len(counties))) / 1e6
    assert gap_or_extra < 1.0, f"{gap_or_extra:.3f} km² of gap or excess"
    assert overlap < 1.0, f"{overlap:.3f} km² of overlap"
    # PROVENANCE: about 149,900 km² in an equal-area projection; check against the geodesic area too
    assert province.area / 1e6 == pytest.approx(149_900, rel=0.005)
    raw = shape(json.loads((reference_dir / "province.geojson").read_text(encoding="utf-8"))["features"][0]["geometry"])
    assert province.area / 1e6 == pytest.approx(geodesic_area_km2(raw), rel=1e-3)


def test_towns_lie_in_their_listed_counties_and_mismatches_are_reported(reference_dir, built):
    ws, report = built
    counties = _raw_counties(reference_dir)
    places = _raw_places(reference_dir)
    by_id = {p["gnaf_id"]: p for p in places}
    expected_mismatch = {}
    for row, p in enumerate(places, start=1):
        stated = by_id[p["gnaf_county_id"]]["name_fa"]
        pt = shapely.Point(float(p["lon"]), float(p["lat"]))
        actual = [n for n, g in counties if g.covers(pt)]
        assert len(actual) == 1, p["name_fa"]
        if actual[0] != stated:
            expected_mismatch[row] = (stated, actual[0])
    settle = next(r for r in report.imports if r.layer == "settlements")
    reported = {i.row: i.reason for i in settle.warnings if i.field == "county"}
    assert set(reported) == set(expected_mismatch)
    for row, (stated, actual) in expected_mismatch.items():
        assert f"'{stated}'" in reported[row] and f"({actual})" in reported[row]
    # every other town lies in the county listed for it
    assert len(expected_mismatch) <= 3
    names = dict(zip(ws.settlements["code"], ws.settlements["county"], strict=True))
    for row, p in enumerate(places, start=1):
        if row not in expected_mismatch:
            assert names[p["gnaf_id"]] == by_id[p["gnaf_county_id"]]["name_fa"]


def test_distance_between_towns_matches_geodesic(built):
    ws, _ = built
    s = ws.settlements.set_index("name_en")
    crs = ws.metric_crs.distance
    pairs = [("Birjand", "Qaen"), ("Tabas", "Nehbandan"), ("Eshqabad", "Doroh"), ("Ferdows", "Shusef")]
    for a, b in pairs:
        ga, gb = s.loc[a].geometry, s.loc[b].geometry
        x, y = project_xy([ga.x, gb.x], [ga.y, gb.y], crs)
        planar = float(np.hypot(x[1] - x[0], y[1] - y[0]))
        geodesic = float(geodesic_distance(ga.x, ga.y, gb.x, gb.y))
        assert abs(planar - geodesic) / geodesic < 0.005, (a, b)


def test_census_join_and_the_tabas_eshqabad_vintage(reference_dir, built):
    ws, report = built
    with open(reference_dir / "census2016_counties.csv", encoding="utf-8") as fh:
        census = {r["county_name_fa"]: int(r["population"]) for r in csv.DictReader(fh)}
    c = ws.counties.set_index("name_fa")
    assert int(c["population"].sum()) == sum(census.values()) == 768_898
    for name, pop in census.items():
        assert c.loc[name, "population"] == pop
    assert c.loc["طبس", "census_unit"] == c.loc["عشق آباد", "census_unit"]
    assert c["population"].isna().sum() == 1 and c["population"].isna()["عشق آباد"]
    assert "Eshqabad" in c.loc["عشق آباد", "population_note"]
    assert any("Tabas and Eshqabad" in n["en"] for n in ws.meta["population_notes"])
    assert report.census["total_population"] == 768_898 and report.census["unmatched_rows"] == []
    cov = compute_coverage(ws)
    assert cov.totals["total_population"] == 768_898
    assert cov.totals["covered_population"] == 0  # the reference data holds no offices
    assert cov.totals["not_located_population"] == 768_898 - cov.totals["located_population"]
    tabas = cov.by_county.set_index("county")
    located_tabas_unit = tabas.loc[["طبس", "عشق آباد"], "located_population"].sum()
    assert tabas.loc["طبس", "not_located_population"] == 72_617 - located_tabas_unit


def test_census_join_survives_spelling_variants(reference_dir, tmp_path):
    """قاینات for قائنات, Arabic ي/ك, and codes missing: the join still matches every row."""
    work = tmp_path / "data"
    shutil.copytree(reference_dir, work)
    text = (work / "census2016_counties.csv").read_text(encoding="utf-8")
    text = text.replace("قائنات", "قاینات").replace("بیرجند", "بيرجند").replace("سربیشه", "سربيشه")
    (work / "census2016_counties.csv").write_text(text, encoding="utf-8")
    ws, report = build_workspace(MANIFEST, work)
    assert report.census["unmatched_rows"] == []
    assert int(ws.counties.set_index("name_fa").loc["قائنات", "population"]) == 116_181


def test_validation_on_the_reference_workspace(built):
    ws, _ = built
    rep = validate_site(ws, licence_type="urban", lon=59.21, lat=32.87)
    assert rep.county == "بیرجند" and rep.rule("inside_region").status == "pass"
    assert rep.rule("site_in_city").status == "pass"
    far = validate_site(ws, licence_type="urban", lon=62.0, lat=32.87)
    assert far.rule("inside_region").status == "fail"


def test_qaen_does_not_pass_without_an_office_list(built):
    """Issue 15 (9): the reference workspace has no office list, so the distance rules and the population
    newly covered cannot be evaluated: "unknown" with the reason, never a pass."""
    ws, _ = built
    assert len(ws.offices) == 0
    rep = validate_site(ws, licence_type="urban", settlement="Qaen")
    for rid in ("min_distance_same_type", "min_distance_any_type", "min_uncovered_population"):
        assert rep.rule(rid).status == "unknown" and "No active office is recorded" in rep.rule(rid).message_en
    assert rep.status == "unknown"


def test_cli_example_from_the_issue(built):
    ws, _ = built
    p = subprocess.run([str(Path(sys.executable).parent / "siting"), "validate", "--lon", "59.21", "--lat", "32.87",
                        "--type", "urban", "--json", "-w", str(ws.path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["county"] == "بیرجند" and d["sample"] is False
    assert {r["id"] for r in d["rules"]} >= {"inside_region", "min_distance_same_type", "site_in_city"}
