"""Districts (بخش) and rural districts (دهستان) as optional polygon layers, and coverage per unit.

The hand workspace's Birjand county (lon 59–60, lat 32–34) is cut into two
districts at lon 59.5 and three rural districts; which unit each settlement and
office falls in is known from the hand-built coordinates, and covered
population per unit is checked against a brute-force count with pyproj.Geod.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyproj
import pytest
import shapely

from siting.coverage import compute_coverage, coverage_by_unit
from siting.errors import InputError
from siting.io.importer import import_file
from siting.samples.hand import hand_workspace
from siting.workspace import Workspace

GEOD = pyproj.Geod(ellps="WGS84")
BIN = Path(sys.executable).parent / "siting"


def feature(props, geom):
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


def write_geojson(path: Path, feats) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture()
def ws_path(tmp_path):
    path = hand_workspace().save(tmp_path / "ws.gpkg")
    d = write_geojson(tmp_path / "districts.geojson", [
        feature({"نام بخش": "مرکزی", "کد بخش": "290101"}, shapely.box(59.0, 32.0, 59.5, 34.0)),
        feature({"نام بخش": "شرقی", "کد بخش": "290102"}, shapely.box(59.5, 32.0, 60.0, 34.0)),
    ])
    r = write_geojson(tmp_path / "rural.geojson", [
        feature({"name": "الف", "code": "29010101"}, shapely.box(59.0, 32.0, 59.5, 33.0)),
        feature({"name": "ب", "code": "29010102"}, shapely.box(59.0, 33.0, 59.5, 34.0)),
        feature({"name": "ج", "code": "29010201"}, shapely.box(59.5, 32.0, 60.0, 34.0)),
        feature({"name": "بی‌نام"}, shapely.LineString([(59, 32), (60, 33)])),
    ])
    rep = import_file(path, "districts", d)
    assert rep.written and rep.imported == 2
    rep = import_file(path, "rural_districts", r)
    assert rep.written and rep.imported == 3 and rep.rejected == 1
    assert "LineString where a polygon is expected" in rep.errors[0].reason
    return path


def test_units_are_stored_with_their_county_and_set_on_settlements(ws_path):
    ws = Workspace.load(ws_path)
    assert sorted(ws.districts["name_fa"]) == ["شرقی", "مرکزی"]
    assert set(ws.districts["county"]) == {"بیرجند"}
    r = ws.rural_districts.set_index("name_fa")
    assert r.at["الف", "district"] == "مرکزی" and r.at["ج", "district"] == "شرقی"
    assert r.at["الف", "code"] == "29010101"
    s = ws.settlements.set_index("code")
    # Birjand city (59.22, 32.87) lies in «الف»'s polygon, but a city belongs to its district only
    assert (s.at["S1", "district"], s.at["S1", "rural_district"]) == ("مرکزی", None)
    assert (s.at["S2", "district"], s.at["S2", "rural_district"]) == ("شرقی", "ج")      # Mud 59.52, 32.71
    assert (s.at["S3", "district"], s.at["S3", "rural_district"]) == ("مرکزی", "الف")   # Nowferest 59.30, 32.95
    assert s["district"].isna().sum() == 2  # the two settlements of Khusf county


def test_settlements_imported_after_the_units_get_them_too(tmp_path, ws_path):
    f = tmp_path / "v.csv"
    f.write_text("name,kind,population,lat,lon\nده نو,روستا,500,33.5,59.2\n", encoding="utf-8")
    from siting.io.importer import ImportOptions

    assert import_file(ws_path, "settlements", f, ImportOptions(append=True)).written
    s = Workspace.load(ws_path).settlements.set_index("name_fa")
    assert (s.at["ده نو", "district"], s.at["ده نو", "rural_district"]) == ("مرکزی", "ب")


def test_coverage_per_rural_district_adds_up_and_matches_geodesic_counts(ws_path, rules):
    ws = Workspace.load(ws_path)
    cov = compute_coverage(ws, rules)
    t = coverage_by_unit(cov, "rural_district")
    assert t["located_population"].sum() == cov.totals["located_population"]
    assert t["covered_population"].sum() == cov.totals["covered_population"]
    row = t[t["rural_district"] == "الف"].iloc[0]
    assert row["settlements"] == 1 and row["located_population"] == 1_500
    cities = t[(t["county"] == "بیرجند") & t["rural_district"].isna()].iloc[0]
    assert cities["located_population"] == 200_000
    radii = rules.radii()
    serving = ws.serving_offices()
    expected = 0
    for code in ("S3",):
        g = ws.settlements.set_index("code").geometry[code]
        pop = int(ws.settlements.set_index("code").at[code, "population"])
        if any(GEOD.inv(g.x, g.y, o.x, o.y)[2] <= radii[lt]
               for lt, o in zip(serving["licence_type"], serving.geometry, strict=True)):
            expected += pop
    assert row["covered_population"] == expected
    # offices by polygon: U1 (59.21, 32.87) and R1 (59.35, 32.90) lie in «الف»; none in «ج»
    assert row["offices"] == 2 and t[t["rural_district"] == "ج"]["offices"].iat[0] == 0
    d = coverage_by_unit(cov, "district")
    assert list(d[d["district"] == "شرقی"]["located_population"]) == [3000]
    with pytest.raises(InputError, match="--by 'village'"):
        coverage_by_unit(cov, "village")


def test_cli_coverage_by_district_json_and_table(ws_path):
    p = subprocess.run([str(BIN), "coverage", "-w", str(ws_path), "--by", "district", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    by = {(r["county"], r["district"]): r for r in d["by_district"]}
    assert by[("بیرجند", "مرکزی")]["located_population"] == 201_500
    assert by[("خوسف", None)]["located_population"] == 6_000  # Khusf has no districts in the layer
    p = subprocess.run([str(BIN), "coverage", "-w", str(ws_path), "--by", "rural_district"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "الف" in p.stdout and "rural_district" in p.stdout


def test_units_layer_problems_are_reported(tmp_path, ws_path):
    ws_before = Workspace.load(ws_path)
    f = write_geojson(tmp_path / "dup.geojson", [
        feature({"name": "مرکزی"}, shapely.box(59.0, 32.0, 59.5, 34.0)),
        feature({"name": "مركزي"}, shapely.box(59.0, 32.0, 59.4, 33.0)),  # Arabic letters: the same name
        feature({"name": None}, shapely.box(59.5, 32.0, 60.0, 34.0)),
    ])
    rep = import_file(ws_path, "districts", f)
    reasons = {i.row: i.reason for i in rep.errors}
    assert "duplicate district" in reasons[2] and "row 1" in reasons[2]
    assert reasons[3] == "no district name"
    csv = tmp_path / "d.csv"
    csv.write_text("name,lat,lon\nx,33,59\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no polygons"):
        import_file(ws_path, "districts", csv)
    assert len(pd.DataFrame(Workspace.load(ws_path).districts)) == 1 and len(ws_before.districts) == 2
