"""Importing roads: a GeoJSON with Persian classes and bad rows, an OpenStreetMap extract written by osmium, the
command line, and files that must be refused.

The hand workspace (siting.samples.hand) covers lon 58–60, lat 32–34 with settlements at known points; the
roads below join Birjand (59.22, 32.87) to Khusf (58.89, 32.78) and to Mud (59.52, 32.71), and leave small
pieces next to Mazhan (58.50, 33.50) and Nowferest (59.30, 32.95) that join nothing.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from osm_files import write_pbf

from siting.errors import InputError
from siting.io.importer import ImportOptions, import_file
from siting.network import attach, build_graph, nearest_time
from siting.rules.roads import load_road_params
from siting.samples.hand import hand_workspace
from siting.workspace import Workspace

BIN = Path(sys.executable).parent / "siting"
GEOD = pyproj.Geod(ellps="WGS84")
SPEEDS = load_road_params().class_speeds_kmh


def feature(props, geom):
    return {"type": "Feature", "properties": props,
            "geometry": None if geom is None else shapely.geometry.mapping(geom)}


def write_geojson(path: Path, feats) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8")
    return path


L = shapely.LineString
ROWS = [
    ({"کد": "R1", "نوع راه": "راه اصلی", "نام": "بیرجند - خوسف", "سرعت مجاز": "۸۰"}, L([(59.22, 32.87), (58.89, 32.78)])),
    ({"کد": "R2", "نوع راه": "راه فرعی", "نام": "بیرجند - مود", "رویه": "آسفالت"}, L([(59.22, 32.87), (59.52, 32.71)])),
    ({"کد": "R3", "نوع راه": "خاکی", "نام": "ماژان"}, L([(58.50, 33.50), (58.52, 33.52)])),
    ({"کد": "R4", "نوع راه": "hyperloop"}, L([(59.30, 32.95), (59.25, 32.95)])),
    ({"کد": "R5", "نوع راه": "راه اصلی"}, L([(59.0, 32.5), (59.0, 32.5)])),
    ({"کد": "R6", "نوع راه": "راه اصلی"}, shapely.Point(59.0, 32.5)),
    ({"کد": "R7", "نوع راه": "راه اصلی"}, L([(70.0, 30.0), (70.1, 30.0)])),
    ({"کد": "R8", "نوع راه": "footway"}, L([(59.22, 32.87), (59.23, 32.88)])),
    ({"کد": "R9", "نوع راه": "بزرگراه", "سرعت مجاز": "fast", "یکطرفه": "-1"}, L([(59.22, 32.87), (59.22, 33.0)])),
    ({"کد": "R10", "نوع راه": None, "رویه": "moon dust"}, L([(59.22, 33.0), (59.3, 33.0)])),
    ({"کد": "R1", "نوع راه": "راه روستایی"}, L([(59.3, 33.0), (59.35, 33.0)])),
    ({"کد": "R12", "نوع راه": "راه اصلی"}, None),
]


@pytest.fixture()
def ws_path(tmp_path):
    return hand_workspace().save(tmp_path / "ws.gpkg")


def test_a_geojson_with_persian_classes_and_bad_rows(tmp_path, ws_path):
    f = write_geojson(tmp_path / "roads.geojson", [feature(p, g) for p, g in ROWS])
    rep = import_file(ws_path, "roads", f)
    assert rep.written and rep.rows_read == 12 and rep.imported == 6 and rep.rejected == 6
    errors = {i.row: (i.field, i.reason) for i in rep.errors}
    assert errors == {
        5: ("geometry", "a line of zero length (fewer than two distinct points)"),
        6: ("geometry", "a Point where a line is expected"),
        7: ("geometry", "the line lies wholly outside the region test region"),
        8: ("road_class", "road class 'footway' is not a road for motor vehicles; not imported"),
        11: ("code", "duplicate road code 'R1': same as row 1"),
        12: ("geometry", "no geometry"),
    }
    warnings = {(i.row, i.field): i.reason for i in rep.warnings}
    assert "road class 'hyperloop' is not known" in warnings[(4, "road_class")]
    assert "default speed 30 km/h" in warnings[(4, "road_class")]
    assert warnings[(9, "maxspeed")] == "maxspeed 'fast' is not a speed in km/h; the class speed is used"
    assert warnings[(10, "road_class")] == "no road class; the default speed 30 km/h is used"
    assert "surface 'moon dust' is not known" in warnings[(10, "surface")]
    # the network the roads make: pieces not joined to the main one, with the settlements stranded on them
    notes = " | ".join(rep.notes)
    assert "road network:" in notes and "settlements stranded on it: ماژان" in notes
    assert "settlements stranded on it: نوفرست" in notes

    ws = Workspace.load(ws_path)
    r = ws.roads.set_index("code")
    assert list(r.index) == ["R1", "R2", "R3", "R4", "R9", "R10"]
    assert r.loc["R1", "road_class"] == "primary" and r.loc["R1", "maxspeed_kmh"] == 80
    assert r.loc["R1", "speed_kmh"] == 80 and r.loc["R1", "name_fa"] == "بیرجند - خوسف"
    assert r.loc["R2", "road_class"] == "secondary" and r.loc["R2", "surface"] == "paved"
    assert r.loc["R2", "speed_kmh"] == SPEEDS["secondary"]
    assert r.loc["R3", "road_class"] == "track" and r.loc["R3", "speed_kmh"] == SPEEDS["track"]
    assert r.loc["R4", "road_class"] is None and r.loc["R4", "speed_kmh"] == 30
    assert r.loc["R9", "road_class"] == "trunk" and bool(r.loc["R9", "oneway"]) and not bool(r.loc["R1", "oneway"])
    # oneway=-1: stored drawn the way it is travelled
    assert shapely.get_coordinates(r.loc["R9", "geometry"])[0].tolist() == [59.22, 33.0]
    assert all(g.geom_type == "MultiLineString" for g in ws.roads.geometry)
    assert ws.summary()["roads"] == 6

    # travel time over the imported roads: from Birjand's point to Khusf's along R1 at 80 km/h
    g = build_graph(ws)
    _, _, metres = GEOD.inv(59.22, 32.87, 58.89, 32.78)
    assert g.edge_length_m[g.edge_road == 0].sum() == pytest.approx(metres, rel=5e-4)
    s = ws.settlements.set_index("code")
    a = attach(g, [s.loc["S1"].geometry.x], [s.loc["S1"].geometry.y])
    b = attach(g, [s.loc["S4"].geometry.x], [s.loc["S4"].geometry.y])
    seconds, _ = nearest_time(g, a, b)
    assert seconds[0] == pytest.approx(metres / (80 / 3.6), rel=5e-4)
    # trunk R9 (oneway=-1) runs south from (59.22, 33.0) to Birjand: from Birjand one cannot drive up it
    north = attach(g, [59.22], [33.0])
    assert np.isinf(nearest_time(g, a, north)[0][0])
    assert nearest_time(g, north, a)[0][0] == pytest.approx(GEOD.inv(59.22, 33.0, 59.22, 32.87)[2]
                                                              / (SPEEDS["trunk"] / 3.6), rel=5e-4)


def test_strict_imports_nothing_when_a_row_is_bad(tmp_path, ws_path):
    f = write_geojson(tmp_path / "roads.geojson", [feature(p, g) for p, g in ROWS])
    rep = import_file(ws_path, "roads", f, ImportOptions(strict=True))
    assert not rep.written and rep.imported == 0 and len(Workspace.load(ws_path).roads) == 0


def test_an_openstreetmap_extract_written_by_osmium(tmp_path, ws_path):
    nodes = [(1, 59.22, 32.87, {}), (2, 58.89, 32.78, {}), (3, 59.52, 32.71, {}), (4, 59.22, 32.90, {}),
             (5, 70.0, 30.0, {}), (6, 70.1, 30.0, {}), (7, 59.25, 32.90, {})]
    ways = [
        (10, [1, 2], {"highway": "primary", "name": "بیرجند - خوسف", "name:en": "Birjand-Khusf", "maxspeed": "80"}),
        (11, [1, 3], {"highway": "secondary", "surface": "asphalt"}),
        (12, [4, 1], {"highway": "residential", "oneway": "-1"}),
        (13, [1, 4], {"highway": "footway"}),
        (14, [4, 7], {"highway": "construction"}),
        (15, [5, 6], {"highway": "primary"}),  # outside the region
        (16, [4, 99], {"highway": "track"}),  # a node missing from the extract
        (17, [7, 1], {"highway": "unclassified", "maxspeed": "30 mph", "oneway": "sometimes"}),
    ]
    f = write_pbf(tmp_path / "roads.osm.pbf", nodes, ways)
    rep = import_file(ws_path, "roads", f)
    assert rep.written and rep.imported == 4, rep.to_dict()
    notes = " | ".join(rep.notes)
    assert "1 lines outside the clip polygon dropped" in notes
    assert "not roads for motor vehicles skipped: " in notes and "footway 1" in notes and "construction 1" in notes
    assert [(i.row, i.field) for i in rep.errors] == [(7, "geometry")]
    assert "node 99" in rep.errors[0].reason or "missing" in rep.errors[0].reason
    assert {(i.row, i.field) for i in rep.warnings} == {(8, "oneway")}
    r = Workspace.load(ws_path).roads.set_index("code")
    assert list(r.index) == ["osm-w10", "osm-w11", "osm-w12", "osm-w17"]
    assert r.loc["osm-w10", "name_fa"] == "بیرجند - خوسف" and r.loc["osm-w10", "name_en"] == "Birjand-Khusf"
    assert r.loc["osm-w11", "surface"] == "paved" and r.loc["osm-w11", "speed_kmh"] == SPEEDS["secondary"]
    assert r.loc["osm-w12", "road_class"] == "residential" and bool(r.loc["osm-w12", "oneway"])
    assert shapely.get_coordinates(r.loc["osm-w12", "geometry"])[0].tolist() == [59.22, 32.87]  # reversed
    assert r.loc["osm-w17", "maxspeed_kmh"] == 48 and not bool(r.loc["osm-w17", "oneway"])


def test_files_that_are_refused(tmp_path, ws_path, monkeypatch):
    csv = tmp_path / "roads.csv"
    csv.write_text("name,class\nx,primary\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no lines"):
        import_file(ws_path, "roads", csv)
    empty = tmp_path / "empty.geojson"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        import_file(ws_path, "roads", empty)
    none = write_geojson(tmp_path / "none.geojson", [])
    with pytest.raises(InputError, match="no features"):
        import_file(ws_path, "roads", none)
    # an extract without roads
    f = write_pbf(tmp_path / "noroads.osm.pbf", [(1, 59.2, 32.8, {"place": "village", "name": "x"})])
    with pytest.raises(InputError, match="no roads"):
        import_file(ws_path, "roads", f)
    # bounded before it is expanded: more features than the row limit, a file over the size limit
    big = write_geojson(tmp_path / "big.geojson",
                        [feature({"class": "primary"}, L([(59.0, 32.0 + k * 1e-3), (59.1, 32.0 + k * 1e-3)]))
                         for k in range(30)])
    monkeypatch.setenv("SITING_LIMIT_ROWS", "20")
    with pytest.raises(InputError, match="20"):
        import_file(ws_path, "roads", big)
    monkeypatch.delenv("SITING_LIMIT_ROWS")
    monkeypatch.setenv("SITING_LIMIT_FILE_MB", "0.001")
    with pytest.raises(InputError, match="limit"):
        import_file(ws_path, "roads", big)
    monkeypatch.delenv("SITING_LIMIT_FILE_MB")
    with pytest.raises(InputError, match="--admin-level"):
        import_file(ws_path, "roads", big, ImportOptions(admin_level="6"))
    assert len(Workspace.load(ws_path).roads) == 0


def test_a_workspace_written_before_roads_loads_with_no_roads(tmp_path):
    path = hand_workspace().save(tmp_path / "old.gpkg")
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE roads")
        db.execute("DELETE FROM gpkg_contents WHERE table_name = 'roads'")
        db.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = 'roads'")
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'rtree_roads%' AND type='table'"
                                  ).fetchall():
            db.execute(f'DROP TABLE IF EXISTS "{name}"')
    ws = Workspace.load(path)
    assert len(ws.roads) == 0 and list(ws.roads.columns)[:3] == ["code", "road_class", "name_fa"]
    g = build_graph(ws)
    assert g.n_edges == 0 and not attach(g, [59.22], [32.87]).on_network.any()


def test_cli_import_roads(tmp_path, ws_path):
    f = write_geojson(tmp_path / "roads.geojson", [feature(p, g) for p, g in ROWS[:4]])
    p = subprocess.run([str(BIN), "import", "roads", str(f), "-w", str(ws_path), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["layer"] == "roads" and d["imported"] == 4 and d["written"]
    assert any("road network:" in n for n in d["notes"])


def test_a_manifest_may_list_the_roads(tmp_path):
    from siting.io.manifest import build_workspace

    write_geojson(tmp_path / "region.geojson", [feature({"name": "آزمون"}, shapely.box(58.0, 32.0, 60.0, 34.0))])
    write_geojson(tmp_path / "roads.geojson", [feature(p, g) for p, g in ROWS[:3]] + [feature(*ROWS[6])])
    (tmp_path / "m.yaml").write_text("name: t\nroot: .\nlayers:\n  region: {file: region.geojson}\n"
                                     "  roads: {file: roads.geojson}\n", encoding="utf-8")
    ws, report = build_workspace(tmp_path / "m.yaml")
    assert list(ws.roads["code"]) == ["R1", "R2", "R3"]
    assert [(r.layer, r.imported, r.rejected) for r in report.imports] == [("region", 1, 0), ("roads", 3, 1)]
