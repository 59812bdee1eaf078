"""OpenStreetMap extracts: places, boundaries and lines from .osm.pbf and .osm XML, and every damaged file.

Every fixture is written here: PBF files with ``osmium.SimpleWriter``, XML files as text by a small
writer of our own (so the two formats are produced independently and must read the same).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter

import numpy as np
import osmium
import pyproj
import pytest
import shapely
from osm_files import square, write_pbf, write_xml
from osmium.osm.mutable import Node

import siting.io.osm as osm
from siting.cli import main
from siting.errors import InputError
from siting.io.importer import import_file, prepare_import
from siting.io.osm import (
    check_osm_file,
    is_osm_file,
    read_osm_boundaries,
    read_osm_lines,
    read_osm_places,
)
from siting.io.readers import detect_format, read_file
from siting.samples.hand import hand_workspace
from siting.workspace import Workspace

GEOD = pyproj.Geod(ellps="WGS84")


# South of Birjand, inside the hand workspace's region (lon 58-60, lat 32-34)
SQ_NODES, SQ_RING = square(100, 59.40, 32.50, 0.02)            # village mapped as a closed way
PLACE_NODES = [
    (1, 59.22, 32.87, {"place": "town", "name": "بيرجند", "name:en": "Birjand", "population": "۲۰۰٬۰۰۰",
                       "ref:sci": "2901"}),                     # Arabic yeh; Persian digits
    (2, 59.52, 32.71, {"place": "village", "name": "Mud", "name:fa": "مود", "population": "3000"}),
    (3, 59.30, 32.95, {"place": "hamlet", "name": "نوفرست"}),  # Persian in `name` only
    (4, 59.31, 32.96, {"place": "isolated_dwelling", "name": "خانه"}),
    (5, 59.32, 32.97, {"amenity": "school", "name": "مدرسه"}),  # no place tag
    (6, 58.50, 33.50, {"place": "village", "name": "ماژان", "population": "about 500"}),
    (7, 59.60, 33.60, {"place": "village", "name": "دور", "population": "-4"}),
]
PLACE_WAYS = [
    (500, SQ_RING, {"place": "village", "name": "چهارگوش", "name:en": "Square"}),
    (501, [100, 101, 999, 103, 100], {"place": "village", "name": "ناقص"}),  # node 999 is not in the file
]


def places_fixture(tmp_path, fmt="pbf"):
    nodes = PLACE_NODES + SQ_NODES
    if fmt == "pbf":
        return write_pbf(tmp_path / "places.osm.pbf", nodes, PLACE_WAYS)
    return write_xml(tmp_path / "places.osm", nodes, PLACE_WAYS)


# -- recognising the file ----------------------------------------------------------------------

def test_is_osm_file_by_content_not_name(tmp_path):
    pbf = places_fixture(tmp_path)
    xml = places_fixture(tmp_path, "xml")
    assert is_osm_file(pbf) == "osm.pbf" and is_osm_file(xml) == "osm"
    renamed = tmp_path / "extract.bin"
    renamed.write_bytes(pbf.read_bytes())
    assert is_osm_file(renamed) == "osm.pbf"
    (tmp_path / "a.csv").write_text("name,lat,lon\nx,1,2\n")
    (tmp_path / "k.kml").write_text("<?xml version='1.0'?><kml></kml>")
    (tmp_path / "c.osm").write_text("<?xml version='1.0'?><osmChange></osmChange>")
    assert [is_osm_file(tmp_path / n) for n in ("a.csv", "k.kml", "c.osm", "missing.osm")] == [None] * 4
    assert detect_format(pbf) == "osm" and detect_format(xml) == "osm"


def test_counts_before_reading_match_what_was_written(tmp_path):
    for path in (places_fixture(tmp_path), places_fixture(tmp_path, "xml")):
        c = check_osm_file(path)
        assert (c.nodes, c.ways, c.relations) == (len(PLACE_NODES) + 4, 2, 0), path


# -- places ---------------------------------------------------------------------------------------

def test_places_names_kinds_population_and_codes(tmp_path):
    raw = read_osm_places(places_fixture(tmp_path))
    f = raw.frame
    assert raw.format == "osm"
    # settlements only, in reading order: nodes 1, 2, 3, 6, 7, then ways 500, 501
    assert list(f["osm_id"]) == ["n1", "n2", "n3", "n6", "n7", "w500", "w501"]
    assert list(raw.rows) == [1, 2, 3, 4, 5, 6, 7]
    assert list(f["kind"]) == ["city", "village", "village", "village", "village", "village", "village"]
    assert list(f["place"]) == ["town", "village", "hamlet", "village", "village", "village", "village"]
    # name:fa preferred; a Persian `name` is name_fa, a Latin one name_en; the raw name kept as written
    assert list(f["name_fa"]) == ["بيرجند", "مود", "نوفرست", "ماژان", "دور", "چهارگوش", "ناقص"]
    assert list(f["name_en"]) == ["Birjand", "Mud", None, None, None, "Square", None]
    assert f["name"].iat[1] == "Mud"
    assert list(f["population"]) == [200_000.0, 3000.0, None, None, None, None, None]
    assert f["code"].iat[0] == "2901" and f["code"].iat[1] is None
    assert "row 4 (n6): population 'about 500' is not a number; left empty" in raw.notes
    assert "row 5 (n7): population '-4' is negative; left empty" in raw.notes
    assert "elements with a place tag that is not a settlement skipped: isolated_dwelling 1" in raw.notes
    np.testing.assert_allclose(raw.lon[:5], [59.22, 59.52, 59.30, 58.50, 59.60])
    np.testing.assert_allclose(raw.lat[:5], [32.87, 32.71, 32.95, 33.50, 33.60])
    # the closed way: a point inside its square
    assert shapely.Polygon([(59.40, 32.50), (59.42, 32.50), (59.42, 32.52), (59.40, 32.52)]).contains(
        shapely.Point(raw.lon[5], raw.lat[5]))
    # the way with a node missing from the file: no location, the reason names the node
    assert np.isnan(raw.lon[6]) and raw.coord_errors == {
        6: "way 501: no location: 1 of its 5 nodes are not in the file (node 999)"}


def test_xml_reads_the_same_as_pbf(tmp_path):
    a = read_osm_places(places_fixture(tmp_path))
    b = read_osm_places(places_fixture(tmp_path, "xml"))
    assert a.frame.equals(b.frame)
    np.testing.assert_array_equal(a.lon, b.lon)
    np.testing.assert_array_equal(a.lat, b.lat)
    assert a.coord_errors == b.coord_errors and a.notes == b.notes


def test_clip_drops_places_outside_and_counts_them(tmp_path):
    clip = shapely.box(59.0, 32.0, 60.0, 33.0)  # keeps n1, n2, n3 and the square; n6 and n7 lie north/west
    raw = read_osm_places(places_fixture(tmp_path), clip=clip)
    assert list(raw.frame["osm_id"]) == ["n1", "n2", "n3", "w500", "w501"]
    assert list(raw.rows) == [1, 2, 3, 6, 7]  # numbers of the elements as read, before clipping
    assert "2 place(s) outside the clip polygon dropped" in raw.notes
    assert raw.coord_errors == {4: "way 501: no location: 1 of its 5 nodes are not in the file (node 999)"}
    # a way whose known nodes all lie outside the clip is dropped too, not reported
    raw = read_osm_places(places_fixture(tmp_path), clip=shapely.box(58.0, 33.0, 59.0, 34.0))
    assert list(raw.frame["osm_id"]) == ["n6"] and "6 place(s) outside the clip polygon dropped" in raw.notes


@pytest.mark.parametrize("clip", [shapely.LineString([(0, 0), (1, 1)]), shapely.box(500000, 3e6, 600000, 4e6),
                                  "POLYGON((0 0,1 0,1 1,0 0))", shapely.Polygon()])
def test_a_clip_that_is_not_a_lon_lat_polygon_is_refused(tmp_path, clip):
    with pytest.raises(InputError, match="^clip: "):
        read_osm_places(places_fixture(tmp_path), clip=clip)


def test_place_relation_area_and_duplicate_area_of_a_node(tmp_path):
    a_nodes, a_ring = square(200, 59.00, 33.00, 0.10)
    b_nodes, b_ring = square(210, 59.20, 33.00, 0.10)
    t_nodes, t_ring = square(220, 59.50, 33.50, 0.10)
    bow = [(230, 59.7, 33.0, {}), (231, 59.8, 33.1, {}), (232, 59.8, 33.0, {}), (233, 59.7, 33.1, {})]
    nodes = [*a_nodes, *b_nodes, *t_nodes, *bow,
             (1, 59.55, 33.55, {"place": "town", "name": "قاین"})]
    ways = [(600, a_ring, {}), (601, b_ring, {}),
            (602, t_ring, {"place": "town", "name": "قائن"}),             # the town's outline: same name (ئ/ی)
            (603, [230, 231, 232, 233, 230], {"place": "village", "name": "پاپیونی"})]  # crosses itself
    rels = [(700, [("w", 600, "outer"), ("w", 601, "outer")],
             {"type": "multipolygon", "place": "village", "name": "دوپاره"}),
            (701, [("w", 600, "outer")], {"type": "site", "place": "village", "name": "سایت"}),
            (702, [("w", 999, "outer")], {"type": "multipolygon", "place": "village", "name": "گمشده"})]
    raw = read_osm_places(write_pbf(tmp_path / "r.osm.pbf", nodes, ways, rels))
    ids = list(raw.frame["osm_id"])
    assert ids == ["n1", "w603", "r700", "r701", "r702"]
    assert any(n.startswith("1 place area(s) dropped") and "w602" in n for n in raw.notes)
    # the two-part relation: a point inside one of its squares
    two = shapely.union(shapely.box(59.0, 33.0, 59.1, 33.1), shapely.box(59.2, 33.0, 59.3, 33.1))
    assert two.contains(shapely.Point(raw.lon[2], raw.lat[2]))
    # the bow tie: a point inside one of its two triangles, with a note
    assert shapely.box(59.7, 33.0, 59.8, 33.1).contains(shapely.Point(raw.lon[1], raw.lat[1]))
    assert list(raw.rows) == [1, 3, 4, 5, 6]  # w602, row 2, was dropped
    assert "row 3 (w603): its ring crosses itself; a point inside the repaired ring is used" in raw.notes
    assert raw.coord_errors == {
        3: "relation 701: no location: a relation of type 'site', which is not an area (multipolygon or boundary)",
        4: "relation 702: no location: its multipolygon could not be assembled: member ways are missing from the "
           "extract or its rings are not closed",
    }


# -- boundaries ----------------------------------------------------------------------------------

def test_admin_level_8_multipolygon_of_two_outer_rings(tmp_path):
    a_nodes, a_ring = square(10, 59.0, 32.5, 0.2)
    b_nodes, b_ring = square(20, 59.5, 32.5, 0.1)
    c_nodes, c_ring = square(30, 58.0, 33.0, 0.5)
    ways = [(1, a_ring, {}), (2, b_ring, {}),
            (3, c_ring, {"boundary": "administrative", "admin_level": "7", "name": "Khusf"}),
            (4, [10, 11], {"boundary": "administrative", "admin_level": "8"})]  # a segment, not a boundary
    rels = [(50, [("w", 1, "outer"), ("w", 2, "outer")],
             {"type": "boundary", "boundary": "administrative", "admin_level": "8", "name": "دهستان",
              "name:en": "Dehestan", "ref": "29011"}),
            (51, [("w", 1, "outer")], {"type": "boundary", "boundary": "administrative", "admin_level": "6"}),
            (52, [("w", 77, "outer")], {"type": "multipolygon", "boundary": "administrative", "admin_level": "8"})]
    path = write_pbf(tmp_path / "b.osm.pbf", a_nodes + b_nodes + c_nodes, ways, rels)
    raw = read_osm_boundaries(path)
    assert list(raw.frame["osm_id"]) == ["w3", "r50", "r52"]
    assert list(raw.frame["admin_level"]) == ["7", "8", "8"]
    assert raw.frame.loc[1, ["name_fa", "name_en", "ref"]].tolist() == ["دهستان", "Dehestan", "29011"]
    g = raw.geometry.iat[1]
    assert g.geom_type == "MultiPolygon" and len(g.geoms) == 2
    assert g.area == pytest.approx(0.2 * 0.2 + 0.1 * 0.1, rel=1e-9)  # square degrees, by hand
    rings = [[(x, y) for _, x, y, _ in a_nodes], [(x, y) for _, x, y, _ in b_nodes]]
    expected = sum(abs(GEOD.polygon_area_perimeter([p[0] for p in r], [p[1] for p in r])[0]) for r in rings)
    assert abs(GEOD.geometry_area_perimeter(g)[0]) == pytest.approx(expected, rel=1e-9)
    # by hand: 0.05 square degrees × 111.32 km × 110.9 km × cos 32.6° ≈ 520 km²
    assert expected == pytest.approx(0.05 * 111.32e3 * 110.9e3 * np.cos(np.radians(32.6)), rel=0.01)
    assert raw.geometry.iat[0].equals(shapely.MultiPolygon([shapely.box(58.0, 33.0, 58.5, 33.5)]))
    assert raw.geometry.iat[2] is None and raw.coord_errors[2].startswith("relation 52: no polygon: its multipolygon")
    assert read_osm_boundaries(path, admin_levels=("6",)).frame["osm_id"].tolist() == ["r51"]
    clipped = read_osm_boundaries(path, clip=shapely.box(58.9, 32.4, 60, 33.9))
    assert clipped.frame["osm_id"].tolist() == ["r50", "r52"] and "1 boundaries outside the clip polygon dropped" \
        in clipped.notes


# -- lines ---------------------------------------------------------------------------------------

def test_roads_with_their_tags(tmp_path):
    nodes = [(1, 59.0, 32.0, {}), (2, 59.1, 32.0, {}), (3, 59.1, 32.1, {"highway": "traffic_signals"}),
             (4, 58.0, 34.0, {}), (5, 58.1, 34.0, {})]
    ways = [(10, [1, 2, 3], {"highway": "primary", "name": "جاده بیرجند", "name:en": "Birjand Road",
                             "maxspeed": "80", "surface": "asphalt", "oneway": "no"}),
            (11, [2, 1], {"highway": "track", "surface": "gravel"}),
            (12, [1, 2, 3, 1], {"building": "yes"}),
            (13, [1, 42], {"highway": "service"}),
            (14, [4, 5], {"highway": "residential"})]
    path = write_pbf(tmp_path / "roads.osm.pbf", nodes, ways)
    raw = read_osm_lines(path)
    assert list(raw.frame.columns) == ["osm_id", "highway", "name_fa", "name_en", "name", "maxspeed", "surface",
                                       "oneway"]
    assert raw.frame["osm_id"].tolist() == ["w10", "w11", "w13", "w14"]
    assert raw.frame.iloc[0].tolist() == ["w10", "primary", "جاده بیرجند", "Birjand Road", "جاده بیرجند", "80",
                                          "asphalt", "no"]
    assert raw.frame.iloc[1].tolist() == ["w11", "track", None, None, None, None, "gravel", None]
    assert list(raw.geometry.iat[0].coords) == [(59.0, 32.0), (59.1, 32.0), (59.1, 32.1)]
    assert list(raw.geometry.iat[1].coords) == [(59.1, 32.0), (59.0, 32.0)]
    assert raw.geometry.iat[2] is None
    assert raw.coord_errors == {2: "way 13: no line: 1 of its 2 nodes are not in the file (node 42)"}
    assert "row 3 (w13): way 13: no line: 1 of its 2 nodes are not in the file (node 42)" in raw.notes
    clipped = read_osm_lines(path, clip=shapely.box(58.9, 31.9, 59.2, 32.2))
    assert clipped.frame["osm_id"].tolist() == ["w10", "w11", "w13"]
    assert "1 lines outside the clip polygon dropped" in clipped.notes
    assert read_osm_lines(path, key="building").frame["osm_id"].tolist() == ["w12"]
    with pytest.raises(InputError, match="key: ''"):
        read_osm_lines(path, key="")


# -- through the importer --------------------------------------------------------------------------

def test_prepare_import_of_settlements_from_pbf(tmp_path):
    path = places_fixture(tmp_path)
    for ws in (hand_workspace(), Workspace.empty()):
        new, rep = prepare_import(ws, "settlements", path)
        assert rep.format == "osm" and rep.rows_read == 7
        s = new.settlements
        bad = {(i.row, i.severity): i.reason for i in rep.issues}
        if len(ws.region):
            # n7 (59.60, 33.60) is inside the region; n6 (58.5, 33.5) too; nothing is outside the hand region
            assert rep.imported == 6 and rep.rejected == 1
            assert list(s["county"]) == ["بیرجند", "بیرجند", "بیرجند", "خوسف", "بیرجند", "بیرجند"]
        else:
            assert rep.imported == 6 and rep.rejected == 1
        assert bad[(7, "error")] == "way 501: no location: 1 of its 5 nodes are not in the file (node 999)"
        # the importer normalises the Arabic yeh of بيرجند
        assert list(s["name_fa"]) == ["بیرجند", "مود", "نوفرست", "ماژان", "دور", "چهارگوش"]
        assert list(s["kind"]) == ["city", "village", "village", "village", "village", "village"]
        assert list(s["population"])[:2] == [200_000, 3000] and s["population"].iloc[2:].isna().all()
        assert s["code"].iat[0] == "2901" and s["code"].iat[1] == "osm-n2"  # the OSM id: stable across extracts
        assert s.geometry.x.iat[0] == pytest.approx(59.22) and s.geometry.y.iat[0] == pytest.approx(32.87)


def test_cli_import_settlements_from_an_extract(tmp_path, capsys):
    ws = hand_workspace().save(tmp_path / "ws.gpkg")
    path = places_fixture(tmp_path)
    assert main(["import", "settlements", str(path), "--workspace", str(ws), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "osm" and out["imported"] == 6 and out["rejected"] == 1
    assert Workspace.load(ws).settlements["name_fa"].iat[0] == "بیرجند"


# -- damaged, hostile and oversized files ------------------------------------------------------------

def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_truncated_pbf_at_every_length_is_an_input_error_naming_the_file(tmp_path):
    good = places_fixture(tmp_path).read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    refused = 0
    for n in range(1, len(good)):
        cut.write_bytes(good[:n])
        try:
            raw = read_file(cut)
        except InputError as exc:
            assert str(cut) in str(exc)
            refused += 1
        else:  # cut exactly between two blocks: a shorter, valid file
            assert len(raw) < 7
    assert refused >= len(good) - 5


def test_corrupted_bytes_never_end_in_a_traceback(tmp_path):
    good = bytearray(places_fixture(tmp_path).read_bytes())
    bad = tmp_path / "bad.osm.pbf"
    rnd = random.Random(11)
    for pos in range(len(good)):
        for _ in range(3):
            data = bytearray(good)
            data[pos] = (data[pos] + rnd.randrange(1, 256)) % 256
            bad.write_bytes(bytes(data))
            try:
                read_file(bad)
            except InputError as exc:
                assert str(bad) in str(exc)


def test_random_bytes_named_pbf_and_a_damaged_import_change_nothing(tmp_path):
    ws = hand_workspace().save(tmp_path / "ws.gpkg")
    before = _sha(ws)
    rnd = random.Random(3)
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"\x00\x01" + bytes(rnd.randrange(256) for _ in range(4000)))
    with pytest.raises(InputError, match=r"junk\.osm\.pbf: a binary file that is none of .*OpenStreetMap PBF"):
        import_file(ws, "settlements", junk)
    fake = tmp_path / "fake.osm.pbf"  # a PBF block header, then garbage
    fake.write_bytes(places_fixture(tmp_path).read_bytes()[:60] + bytes(rnd.randrange(256) for _ in range(500)))
    with pytest.raises(InputError, match=r"fake\.osm\.pbf: "):
        import_file(ws, "settlements", fake)
    csv = tmp_path / "table.osm"
    csv.write_text("name,lat,lon\nx,33,59\n")
    with pytest.raises(InputError, match="the extension says OpenStreetMap extract but the content is CSV"):
        import_file(ws, "settlements", csv)
    assert _sha(ws) == before


@pytest.mark.parametrize(("text", "message"), [
    ('<?xml version="1.0"?>\n<!DOCTYPE osm [<!ENTITY a "aaaa">]>\n<osm version="0.6"></osm>', "declares a DTD"),
    ('<?xml version="1.0"?>\n<osm version="0.6">\n<node id="1" lat="32" lon="59"><tag k="place" v="town"/>\n</osm>',
     "not well-formed XML (line 4, column 2: mismatched tag)"),
    ('<osm version="0.6"><node id="1" lat="32" lon="59"/>', "not well-formed XML"),
    ('<osm version="0.6"><node id="99999999999999999999999" lat="32" lon="59"/></osm>',
     "not a readable OpenStreetMap extract (illegal id: '99999999999999999999999')"),
    ('<osm version="0.6"><node id="1" lat="32" lon="599"/></osm>', "not a readable OpenStreetMap extract (wrong format for coordinate"),
    ('<osm version="0.6"><relation id="3"><member type="foo" ref="1" role=""/></relation></osm>', "Unknown type on relation"),
    ('<osm version="0.6"><node id="1" lat="32" lon="59"><tag k="a" v="&#1;"/></node></osm>', "reference to invalid character"),
    ('<?xml version="1.0" encoding="UTo-8"?><osm version="0.6"></osm>',
     "the XML declaration names an unknown text encoding (unknown encoding: UTo-8)"),
    ('<?xml version="1.0"?><osm version="0.6"><node id="1" lat="32" lon="59"/></osm>',
     "no settlements (place=city, town, village or hamlet) in the OpenStreetMap extract"),
])
def test_bad_xml_is_refused_naming_the_line(tmp_path, text, message):
    f = tmp_path / "bad.osm"
    f.write_text(text)
    with pytest.raises(InputError, match=re.escape(message)) as exc:
        read_file(f)
    assert str(f) in str(exc.value)


def test_node_way_and_relation_limits(tmp_path, monkeypatch):
    pbf = places_fixture(tmp_path)
    xml = places_fixture(tmp_path, "xml")
    monkeypatch.setattr(osm, "MAX_NODES", 10)
    for path in (pbf, xml):
        with pytest.raises(InputError, match=r"more than 10 nodes .*the limit on an OpenStreetMap extract is 10 "
                                             r"nodes \(siting\.io\.osm\.MAX_NODES\)") as exc:
            read_osm_places(path)
        assert str(path) in str(exc.value)
    monkeypatch.setattr(osm, "MAX_NODES", 11)
    monkeypatch.setattr(osm, "MAX_WAYS", 1)
    with pytest.raises(InputError, match="more than 1 ways"):
        read_osm_lines(pbf)


def test_many_regular_nodes_compress_to_little_and_are_refused_before_reading(tmp_path, monkeypatch):
    # 200,000 nodes on a grid: the file is tiny; the scan counts them from the blocks' contents
    path = tmp_path / "grid.osm.pbf"
    path.unlink(missing_ok=True)  # SimpleWriter refuses to overwrite
    w = osmium.SimpleWriter(str(path))
    for i in range(1, 200_001):
        w.add_node(Node(id=i, location=(59 + (i % 500) / 1000, 32 + (i // 500) / 1000)))
    w.close()
    assert path.stat().st_size < 200_000 * 2
    assert check_osm_file(path).nodes == 200_000
    monkeypatch.setattr(osm, "MAX_NODES", 199_999)
    with pytest.raises(InputError, match="more than 199,999 nodes"):
        read_osm_places(path)


def test_file_size_and_row_limits_apply(tmp_path, monkeypatch):
    path = places_fixture(tmp_path)
    monkeypatch.setenv("SITING_LIMIT_FILE_MB", str(path.stat().st_size / 2**20 / 2))
    with pytest.raises(InputError, match="larger than the .* limit on input files"):
        read_osm_places(path)
    monkeypatch.delenv("SITING_LIMIT_FILE_MB")
    monkeypatch.setenv("SITING_LIMIT_ROWS", "3")
    with pytest.raises(InputError, match=r"more than 3 rows \(SITING_LIMIT_ROWS\)"):
        read_osm_places(path)


def test_truncated_xml_at_every_length_is_an_input_error_naming_the_file(tmp_path):
    good = places_fixture(tmp_path, "xml").read_bytes()
    cut = tmp_path / "cut.osm"
    for n in range(1, len(good) - 1):
        cut.write_bytes(good[:n])
        with pytest.raises(InputError) as exc:
            read_file(cut)
        assert str(cut) in str(exc.value)


def test_a_place_node_without_a_location_is_a_row_error(tmp_path):
    f = tmp_path / "deleted.osm"
    f.write_text('<osm version="0.6"><node id="8" version="2"><tag k="place" v="village"/><tag k="name" v="الف"/>'
                 '</node><node id="9" lat="33.1" lon="59.1"><tag k="place" v="city"/><tag k="name" v="ب"/></node></osm>')
    raw = read_file(f)
    assert raw.frame["osm_id"].tolist() == ["n8", "n9"] and raw.coord_errors == {0: "node 8 has no valid location"}
    _, rep = prepare_import(hand_workspace(), "settlements", f)
    assert rep.imported == 1 and [(i.row, i.reason) for i in rep.errors] == [(1, "node 8 has no valid location")]


def test_a_way_on_one_spot_has_no_line(tmp_path):
    path = write_pbf(tmp_path / "spot.osm.pbf", [(1, 59.0, 32.0, {}), (2, 59.0, 32.0, {})],
                     [(10, [1, 1], {"highway": "service"}), (11, [1, 2], {"highway": "service"}),
                      (12, [1], {"highway": "service"})])
    raw = read_osm_lines(path)
    assert raw.geometry.isna().all() and raw.coord_errors == {
        0: "way 10: no line: fewer than two distinct node locations (2 node(s))",
        1: "way 11: no line: fewer than two distinct node locations (2 node(s))",
        2: "way 12: no line: fewer than two distinct node locations (1 node(s))"}


def _write(path, data):
    path.write_bytes(data)
    return path


def _varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_varint(buf, i):
    value, shift = 0, 0
    while True:
        b = buf[i]
        value, i, shift = value | (b & 0x7F) << shift, i + 1, shift + 7
        if b < 0x80:
            return value, i


def _blob_fields(blob):
    i, fields = 0, {}
    while i < len(blob):
        key, i = _read_varint(blob, i)
        if key & 7 == 0:
            fields[key >> 3], i = _read_varint(blob, i)
        else:
            n, i = _read_varint(blob, i)
            fields[key >> 3], i = blob[i:i + n], i + n
    return fields


def pbf_blocks(data):
    """(type, blob, decompressed data or None) of each block, read by hand (BlobHeader: type = 1,
    datasize = 3; Blob: raw_size = 2, zlib_data = 3)."""
    import zlib

    out, pos = [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        header = _blob_fields(data[pos + 4:pos + 4 + n])
        blob = data[pos + 4 + n:pos + 4 + n + header[3]]
        out.append((header[1], blob, zlib.decompress(_blob_fields(blob)[3]) if header[1] == b"OSMData" else None))
        pos += 4 + n + header[3]
    return out


def pbf_build(blocks):
    """A PBF from :func:`pbf_blocks`' triples; a block with data is compressed again."""
    import zlib

    out = bytearray()
    for kind, blob, raw in blocks:
        if raw is not None:
            z = zlib.compress(raw)
            blob = _varint(2 << 3) + _varint(len(raw)) + _varint(3 << 3 | 2) + _varint(len(z)) + z
        head = _varint(1 << 3 | 2) + _varint(len(kind)) + kind + _varint(3 << 3) + _varint(len(blob))
        out += len(head).to_bytes(4, "big") + head + blob
    return bytes(out)


def patch_pbf(data, old, new):
    """The PBF with ``old`` replaced by ``new`` inside every decompressed block that holds it."""
    return pbf_build([(k, b, r.replace(old, new) if r is not None else None) for k, b, r in pbf_blocks(data)])


def test_strings_that_are_not_utf8_or_hold_nul(tmp_path):
    src = write_pbf(tmp_path / "src.osm.pbf", [(1, 59.2, 32.9, {"place": "village", "name": "aXb"}),
                                                (2, 59.3, 32.9, {"place": "town", "name": "ok"})])
    same = tmp_path / "same.osm.pbf"
    same.write_bytes(patch_pbf(src.read_bytes(), b"aXb", b"aYb"))  # the helper itself: a faithful rewrite
    assert read_osm_places(same).frame["name"].tolist() == ["aYb", "ok"]
    bad = tmp_path / "latin1.osm.pbf"
    bad.write_bytes(patch_pbf(src.read_bytes(), b"aXb", b"a\xffb"))
    raw = read_osm_places(bad)
    assert raw.frame["name"].tolist() == [None, "ok"] and "1 tag value(s) that are not UTF-8 text left empty" \
        in raw.notes
    nul = tmp_path / "nul.osm.pbf"
    nul.write_bytes(patch_pbf(src.read_bytes(), b"aXb", b"a\x00b"))
    with pytest.raises(InputError, match=r"nul\.osm\.pbf: block 2 \(byte \d+\): damaged data \(string \d+ of its "
                                         r"string table holds a NUL character"):
        read_osm_places(nul)


def test_damaged_block_contents_never_end_in_a_traceback(tmp_path):
    """Bytes changed or cut inside the decompressed blocks (what libosmium itself parses), compressed again."""
    blocks = pbf_blocks(places_fixture(tmp_path).read_bytes())
    assert read_osm_places(_write(tmp_path / "rebuilt.osm.pbf", pbf_build(blocks))).frame["osm_id"].tolist() == [
        "n1", "n2", "n3", "n6", "n7", "w500", "w501"]
    data_blocks = [i for i, (_, _, raw) in enumerate(blocks) if raw is not None]
    rnd = random.Random(5)
    out = tmp_path / "fuzz.osm.pbf"
    outcomes = Counter()
    for _ in range(300):
        i = rnd.choice(data_blocks)
        raw = bytearray(blocks[i][2])
        for _ in range(rnd.randrange(1, 4)):
            raw[rnd.randrange(len(raw))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            at = rnd.randrange(len(raw))
            del raw[at:at + rnd.randrange(1, 20)]
        out.write_bytes(pbf_build([*blocks[:i], (blocks[i][0], None, bytes(raw)), *blocks[i + 1:]]))
        for reader in (read_osm_places, read_osm_lines, read_osm_boundaries):
            try:
                reader(out)
                outcomes["read"] += 1
            except InputError as exc:
                assert str(out) in str(exc)
                outcomes["refused"] += 1
    assert outcomes["refused"] > 300 and outcomes["read"] > 100, outcomes


def _blob(field, payload, raw_size=None):
    out = b"" if raw_size is None else _varint(2 << 3) + _varint(raw_size)
    return out + _varint(field << 3 | 2) + _varint(len(payload)) + payload


def test_block_encodings_and_block_level_damage(tmp_path, monkeypatch):
    import zlib

    blocks = pbf_blocks(places_fixture(tmp_path).read_bytes())
    header, data = blocks[0], [b for b in blocks if b[2] is not None]
    expected = read_osm_places(tmp_path / "places.osm.pbf").frame

    def framed(name, kinds_blobs):
        out = bytearray()
        for kind, blob in kinds_blobs:
            head = _varint(1 << 3 | 2) + _varint(len(kind)) + kind + _varint(3 << 3) + _varint(len(blob))
            out += len(head).to_bytes(4, "big") + head + blob
        return _write(tmp_path / name, bytes(out))

    # uncompressed ("raw") blocks are read like compressed ones
    raw = framed("raw.osm.pbf", [header[:2], *[(k, _blob(1, r)) for k, _, r in data]])
    assert read_osm_places(raw).frame.equals(expected)
    assert check_osm_file(raw).decompressed_bytes == sum(len(r) for _, _, r in data)
    cases = {
        "zstd.osm.pbf": ([header[:2], (b"OSMData", _blob(7, b"\x28\xb5\x2f\xfd", 100))],
                         "block 2 (byte "),
        "size.osm.pbf": ([header[:2], *[(k, _blob(3, zlib.compress(r), len(r) + 1)) for k, _, r in data]],
                         "decompresses to "),
        "zlib.osm.pbf": ([header[:2], (b"OSMData", _blob(3, b"not zlib at all", 100))], "damaged compressed data"),
        "first.osm.pbf": ([data[0][:2]], "not an OpenStreetMap extract (expected a .osm.pbf, whose first block"),
        "history.osm.pbf": ([(b"OSMHeader", _blob(1, _blob(4, b"OsmSchema-V0.6") + _blob(4, b"HistoricalInformation"))),
                             *[(k, _blob(1, r)) for k, _, r in data]], "an OpenStreetMap history file"),
    }
    for name, (parts, message) in cases.items():
        path = framed(name, parts)
        with pytest.raises(InputError, match=re.escape(message)) as exc:
            read_osm_places(path)
        assert str(exc.value).startswith(f"{path}: "), exc.value
    with pytest.raises(InputError, match="is compressed with zstd, which is not read"):
        read_osm_places(tmp_path / "zstd.osm.pbf")
    with pytest.raises(InputError, match=r"decompresses to \d+ bytes but declares \d+ \(damaged\)"):
        read_osm_places(tmp_path / "size.osm.pbf")
    good = places_fixture(tmp_path).read_bytes()
    n = int.from_bytes(good[:4], "big")
    first = good[:4 + n + _blob_fields(good[4:4 + n])[3]]  # the OSMHeader block, framed
    big = _varint(1 << 3 | 2) + _varint(7) + b"OSMData" + _varint(3 << 3) + _varint(40 * 2**20)
    with pytest.raises(InputError, match=r"block 2 \(byte [\d,]+\) announces 41,943,040 bytes; the PBF format's "
                                         r"limit is 32 MiB"):
        read_osm_places(_write(tmp_path / "huge.osm.pbf", first + len(big).to_bytes(4, "big") + big))
    with pytest.raises(InputError, match=r"block 2 \(byte [\d,]+\): a block header of 16,777,216 bytes"):
        read_osm_places(_write(tmp_path / "len.osm.pbf", first + b"\x01\x00\x00\x00" + b"\x00" * 64))
    monkeypatch.setenv("SITING_LIMIT_UNZIPPED_MB", "0.0001")
    with pytest.raises(InputError, match=r"decompresses to more than 0\.0 MiB .*SITING_LIMIT_UNZIPPED_MB"):
        read_osm_places(tmp_path / "places.osm.pbf")


def test_random_edits_of_either_format_never_end_in_a_traceback(tmp_path):
    """Bytes changed, cut and inserted anywhere (an XML encoding name broken this way once raised LookupError)."""
    rnd = random.Random(2)
    bases = {"osm.pbf": places_fixture(tmp_path).read_bytes(), "osm": places_fixture(tmp_path, "xml").read_bytes()}
    refused = 0
    for trial in range(300):
        ext = "osm.pbf" if trial % 2 else "osm"
        d = bytearray(bases[ext])
        for _ in range(rnd.randrange(1, 8)):
            op, at = rnd.random(), rnd.randrange(len(d))
            if op < 0.6:
                d[at] = rnd.randrange(256)
            elif op < 0.8:
                del d[at:at + rnd.randrange(1, 30)]
            else:
                d[at:at] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 10)))
        out = _write(tmp_path / f"edit.{ext}", bytes(d))
        for reader in (read_osm_places, read_osm_lines, read_osm_boundaries):
            try:
                reader(out)
            except InputError as exc:
                assert str(out) in str(exc)
                refused += 1
    assert refused > 600


def test_xml_details_same_object_twice_crs_option_and_extension_mismatch(tmp_path):
    f = tmp_path / "twice.osm"
    f.write_text('<?xml version="1.0"?>\n<!-- exported -->\n<osm version="0.6">'
                 '<node id="1" lat="32.9" lon="59.2"><tag k="place" v="Village"/><tag k="name" v="الف"/></node>'
                 '<node id="1" lat="33.9" lon="59.9"><tag k="place" v="city"/><tag k="name" v="ب"/></node>'
                 '<node id="2" lat="32.8" lon="59.1"><tag k="highway" v="stop"/></node></osm>')
    raw = read_file(f, crs="EPSG:32640")
    assert raw.frame[["osm_id", "kind", "place", "name_fa"]].values.tolist() == [["n1", "village", "Village", "الف"]]
    assert (raw.lon[0], raw.lat[0]) == (59.2, 32.9)
    assert "1 object(s) appear more than once in the file; the first of each is kept" in raw.notes
    assert "an OpenStreetMap extract is always WGS84; --crs EPSG:32640 ignored" in raw.notes
    pbf_as_csv = _write(tmp_path / "places.csv", places_fixture(tmp_path).read_bytes())
    with pytest.raises(InputError, match="the extension says CSV but the content is OpenStreetMap extract"):
        read_file(pbf_as_csv)
    xml_as_pbf = _write(tmp_path / "x.osm.pbf", places_fixture(tmp_path, "xml").read_bytes())
    assert read_file(xml_as_pbf).frame.equals(read_osm_places(places_fixture(tmp_path)).frame)


def test_boundaries_and_lines_read_the_same_from_xml(tmp_path):
    a_nodes, a_ring = square(10, 59.0, 32.5, 0.2)
    b_nodes, b_ring = square(20, 59.5, 32.5, 0.1)
    ways = [(1, a_ring, {"highway": "primary", "name": "Ring road"}), (2, b_ring, {})]
    rels = [(50, [("w", 1, "outer"), ("w", 2, "outer")],
             {"type": "multipolygon", "boundary": "administrative", "admin_level": "7", "name": "بخش"})]
    pbf = write_pbf(tmp_path / "b.osm.pbf", a_nodes + b_nodes, ways, rels)
    xml = write_xml(tmp_path / "b.osm", a_nodes + b_nodes, ways, rels)
    for reader in (read_osm_boundaries, read_osm_lines):
        p, x = reader(pbf), reader(xml)
        assert p.frame.equals(x.frame) and len(p) == 1, reader
        assert p.geometry.iat[0].equals(x.geometry.iat[0])
    assert read_osm_lines(xml).frame["name_en"].tolist() == ["Ring road"]
