"""Import from the files people really have, and every bad-input case of the issue.

Each bad-input test checks the message (row number, field, reason) and that
the workspace file is byte-identical afterwards when nothing may be written.
"""

from __future__ import annotations

import hashlib
import json
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import pyogrio
import pytest
import shapely

from siting.errors import InputError
from siting.geo import geodesic_distance
from siting.io.importer import ImportOptions, import_file, prepare_import
from siting.samples.hand import hand_workspace
from siting.workspace import Workspace


@pytest.fixture()
def ws_path(tmp_path):
    return hand_workspace().save(tmp_path / "ws.gpkg")


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def rows(report):
    return {(i.row, i.severity): i.reason for i in report.issues}


OFFICE_CSV = (
    "کد دفتر,نام دفتر,نوع مجوز,عرض جغرافیایی,طول جغرافیایی,شماره پروانه,تاریخ صدور,شهرستان\n"
    "A1,دفتر یک,شهری,۳۲٫۸۸,۵۹٫۲۵,P-1,۱۴۰۲/۰۵/۱۲,بيرجند\n"
    "A2,دفتر دو,ICT روستایی,32.60,59.60,P-2,2023-01-01,بیرجند\n"
    "A3,دفتر سه,روستايي,32.70,58.70,P-3,,خوسف\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


# -- formats -----------------------------------------------------------------------------------

def test_csv_with_persian_headers_digits_and_licence_words(tmp_path, ws_path):
    f = write(tmp_path, "offices.csv", OFFICE_CSV)
    rep = import_file(ws_path, "offices", f)
    assert rep.written and rep.imported == 3 and rep.rejected == 0, rep.issues
    o = Workspace.load(ws_path).offices.set_index("office_id")
    assert list(o["licence_type"]) == ["urban", "rural", "rural"]
    assert o.loc["A1"].geometry.x == pytest.approx(59.25) and o.loc["A1"].geometry.y == pytest.approx(32.88)
    # Solar Hijri issue date converted to Gregorian, expiry five Solar Hijri years later
    assert o.loc["A1", "issued"] == "2023-08-03" and o.loc["A1", "expires"] == "2028-08-02"
    assert list(o["county"]) == ["بیرجند", "بیرجند", "خوسف"]


def test_csv_in_windows_1256_encoding(tmp_path, ws_path):
    f = tmp_path / "offices.csv"
    # Windows-1256 has only the Arabic forms of yeh and kaf (ي ك): the import turns them Persian
    text = (OFFICE_CSV.replace("ی", "ي").replace("ک", "ك").replace("۳۲٫۸۸", "32.88").replace("۵۹٫۲۵", "59.25")
            .replace("۱۴۰۲/۰۵/۱۲", "1402/05/12"))
    f.write_bytes(text.encode("cp1256"))
    rep = import_file(ws_path, "offices", f)
    assert rep.imported == 3
    assert Workspace.load(ws_path).offices["name"].iat[0] == "دفتر یک"


def test_xlsx_with_english_headers(tmp_path, ws_path):
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["Name", "Type", "Population", "Latitude", "Longitude"])
    sh.append(["Alpha", "village", 1200, 33.1, 59.1])
    sh.append(["Beta", "روستا", "۳۴۰", 33.2, 58.4])
    f = tmp_path / "villages.xlsx"
    wb.save(f)
    rep = import_file(ws_path, "settlements", f)
    assert rep.imported == 2, rep.issues
    s = Workspace.load(ws_path).settlements
    assert list(s["population"]) == [1200, 340]
    assert list(s["county"]) == ["بیرجند", "خوسف"]


@pytest.mark.filterwarnings("ignore:Column names longer:UserWarning", "ignore:Normalized/laundered:RuntimeWarning")
def test_geojson_gpkg_and_zipped_shapefile_reproject_from_their_crs(tmp_path, ws_path):
    lon, lat = np.array([59.3, 58.6]), np.array([33.3, 32.5])
    gdf = gpd.GeoDataFrame({"name": ["U-a", "R-b"], "licence_type": ["urban", "rural"], "licence_number": ["X1", "X2"]},
                           geometry=shapely.points(lon, lat), crs=4326).to_crs(32640)
    gj, gp, shp_dir = tmp_path / "o.geojson", tmp_path / "o.gpkg", tmp_path / "shp"
    gdf.to_file(gj, driver="GeoJSON")
    gdf.to_file(gp, driver="GPKG", layer="offices_utm")
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "offices.shp")
    zpath = tmp_path / "offices.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for p in shp_dir.iterdir():
            zf.write(p, p.name)
    for f in (gj, gp, zpath):
        rep = import_file(ws_path, "offices", f)
        assert rep.imported == 2, (f, rep.issues)
        o = Workspace.load(ws_path).offices
        # round trip through UTM 40N: within a few centimetres of the original
        d = geodesic_distance(o.geometry.x, o.geometry.y, lon, lat)
        assert d.max() < 0.05, f
        assert any("reprojected" in n for n in rep.notes)


def test_csv_with_declared_projected_crs(tmp_path, ws_path):
    import pyproj

    t = pyproj.Transformer.from_crs(4326, 32640, always_xy=True)
    x, y = t.transform(59.4, 33.4)
    f = write(tmp_path, "s.csv", f"name,kind,x,y\nروستای الف,روستا,{x:.2f},{y:.2f}\n")
    with pytest.raises(InputError, match="coordinates look projected.*--crs"):
        import_file(ws_path, "settlements", f)
    rep = import_file(ws_path, "settlements", f, ImportOptions(crs="EPSG:32640"))
    g = Workspace.load(ws_path).settlements.geometry.iat[0]
    assert rep.imported == 1 and geodesic_distance(g.x, g.y, 59.4, 33.4) < 0.05


# -- bad rows (good rows still import) ---------------------------------------------------------

BAD_OFFICES = (
    "id,name,licence_type,lat,lon,licence_number\n"
    "B1,ok,urban,32.9,59.3,L-1\n"           # 1 good
    "B2,no coords,urban,,,L-2\n"            # 2 missing coordinates
    "B3,text,urban,abc,59.3,L-3\n"          # 3 non-numeric
    "B4,swapped,rural,59.4,33.1,L-4\n"      # 4 lat/lon swapped
    "B5,outside,rural,36.5,59.0,L-5\n"      # 5 outside the region
    "B6,dup number,rural,33.5,59.5,L-1\n"   # 6 duplicate licence number of row 1
    "B7,near dup,urban,32.90005,59.30005,L-7\n"  # 7 same type within 10 m of row 1
    "B8,unknown type,مخابرات,33.0,59.0,L-8\n"    # 8 unknown licence type
    "B9,other type near,rural,32.90003,59.30003,L-9\n"  # 9 good: different type may share a spot
)


def test_every_bad_row_reported_with_row_number_and_good_rows_import(tmp_path, ws_path):
    f = write(tmp_path, "bad.csv", BAD_OFFICES)
    rep = import_file(ws_path, "offices", f)
    r = rows(rep)
    assert rep.rows_read == 9 and rep.imported == 2 and rep.rejected == 7
    assert r[(2, "error")] == "missing coordinates"
    assert r[(3, "error")] == "lat 'abc' is not a number"
    assert "latitude and longitude look swapped" in r[(4, "error")] and "--fix-swapped" in r[(4, "error")]
    assert "lies outside the region test region" in r[(5, "error")]
    assert r[(6, "error")] == "duplicate licence number 'L-1': same as row 1"
    assert r[(7, "error")] == "duplicate: an office of the same type (urban) within 10 m at row 1"
    assert r[(8, "error")].startswith("unknown licence type 'مخابرات'")
    assert sorted(Workspace.load(ws_path).offices["office_id"]) == ["B1", "B9"]
    d = rep.to_dict()
    assert {"row": 6, "severity": "error", "reason": "duplicate licence number 'L-1': same as row 1",
            "field": "licence_number", "code": "duplicate_licence_number",
            "params": {"number": "L-1", "row": 1}} in d["rows"]
    json.dumps(d)  # the codes' params are plain values


def test_fix_swapped_fixes_and_says_so(tmp_path, ws_path):
    f = write(tmp_path, "bad.csv", BAD_OFFICES)
    rep = import_file(ws_path, "offices", f, ImportOptions(fix_swapped=True))
    r = rows(rep)
    assert "swapped" in r[(4, "warning")] and "fixed by --fix-swapped" in r[(4, "warning")]
    g = Workspace.load(ws_path).offices.set_index("office_id").loc["B4"].geometry
    assert (g.x, g.y) == (59.4, 33.1)


def test_strict_imports_nothing_and_leaves_the_file_identical(tmp_path, ws_path):
    before = sha(ws_path)
    rep = import_file(ws_path, "offices", write(tmp_path, "bad.csv", BAD_OFFICES), ImportOptions(strict=True))
    assert not rep.written and rep.imported == 0 and len(rep.errors) == 7
    assert sha(ws_path) == before


def test_duplicates_against_the_workspace_when_appending(tmp_path, ws_path):
    # U1 of the hand workspace is at (59.21, 32.87) with licence P-100
    f = write(tmp_path, "more.csv", "id,licence_type,lat,lon,licence_number\nN1,urban,32.87003,59.21003,P-999\n"
                                    "N2,rural,33.3,59.7,P-100\nN3,rural,33.4,59.8,P-500\n")
    rep = import_file(ws_path, "offices", f, ImportOptions(append=True))
    r = rows(rep)
    assert r[(1, "error")] == "duplicate: an office of the same type (urban) within 10 m is already in the workspace"
    assert r[(2, "error")] == "duplicate licence number 'P-100': already in the workspace"
    assert sorted(Workspace.load(ws_path).offices["office_id"]) == ["N3", "R1", "R2", "U1", "U2"]


def test_stated_county_disagreeing_with_polygon_is_a_warning_naming_both(tmp_path, ws_path):
    f = write(tmp_path, "s.csv", "name,kind,lat,lon,county,county_code\nالف,روستا,33.0,59.5,خوسف,\n"
                                 "ب,روستا,33.0,58.5,,2901\nج,روستا,33.1,58.4,شهرستان ناشناس,\n")
    rep = import_file(ws_path, "settlements", f)
    r = rows(rep)
    assert rep.imported == 3
    assert r[(1, "warning")] == "stated county 'خوسف' (خوسف) disagrees with the polygon the point falls in (بیرجند)"
    assert r[(2, "warning")] == "stated county code '2901' (بیرجند) disagrees with the polygon the point falls in (خوسف)"
    assert "is not a county of the workspace" in r[(3, "warning")]
    assert list(Workspace.load(ws_path).settlements["county"]) == ["بیرجند", "خوسف", "خوسف"]


def test_invalid_polygon_is_repaired_and_reported(tmp_path, ws_path):
    bowtie = shapely.Polygon([(58, 32), (60, 34), (60, 32), (58, 34), (58, 32)])
    assert not bowtie.is_valid
    ok = shapely.box(58.0, 32.0, 59.0, 34.0)
    gdf = gpd.GeoDataFrame({"name_fa": ["الف", "ب"], "name_en": ["A", "B"], "population": [1000, "n/a"]},
                           geometry=[bowtie, ok], crs=4326)
    f = tmp_path / "c.geojson"
    f.write_text(gdf.to_json(), encoding="utf-8")
    rep = import_file(ws_path, "counties", f)
    r = rows(rep)
    assert rep.imported == 2
    assert r[(1, "warning")].startswith("invalid polygon (Self-intersection") and "repaired with make_valid" in r[(1, "warning")]
    assert r[(2, "warning")] == "population 'n/a' is not a number; stored as unknown"
    c = Workspace.load(ws_path).counties
    assert c.geometry.is_valid.all()
    # the bow-tie's two triangles: area of half the 2x2 degree box (in degrees), both kept
    assert c.geometry.iat[0].area == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.geojson", b"  \n\n", "the file is empty"),
        ("header.csv", b"name,lat,lon\n", "no data rows"),
        ("zip.geojson", b"PK\x03\x04" + b"\x00" * 100, "a damaged ZIP archive"),
        ("json.csv", b'{"type": "FeatureCollection", "features": []}', "the extension says CSV but the content is GeoJSON"),
        ("sheet.csv", None, "the extension says CSV but the content is Excel workbook (XLSX)"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old Excel 97-2003 (.xls)"),
        ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "not a readable GeoJSON"),
        ("offices.kml", b"<kml></kml>", "KML is not supported; export GeoJSON"),
        ("offices.dat", b"a,b\n1,2\n", "unknown extension '.dat'"),
        ("nocoords.csv", b"name,licence_type\nx,urban\n", "no coordinate columns"),
    ],
)
def test_file_level_problems_name_the_file_and_change_nothing(tmp_path, ws_path, name, content, message):
    f = tmp_path / name
    if content is None:
        wb = openpyxl.Workbook()
        wb.active.append(["a"])
        wb.save(f)
    else:
        f.write_bytes(content)
    before = sha(ws_path)
    with pytest.raises(InputError) as exc:
        import_file(ws_path, "offices", f)
    assert message in str(exc.value)
    assert str(f) in str(exc.value)
    assert sha(ws_path) == before


def test_all_rows_bad_writes_nothing(tmp_path, ws_path):
    before = sha(ws_path)
    rep = import_file(ws_path, "offices", write(tmp_path, "o.csv", "licence_type,lat,lon\nurban,,\nrural,40,70\n"))
    assert not rep.written and rep.rejected == 2
    assert sha(ws_path) == before


def test_prepare_import_writes_nothing(tmp_path, ws_path):
    before = sha(ws_path)
    ws = Workspace.load(ws_path)
    new, rep = prepare_import(ws, "offices", write(tmp_path, "o.csv", OFFICE_CSV))
    assert rep.imported == 3 and len(new.offices) == 3 and len(ws.offices) == 4
    assert sha(ws_path) == before


def test_import_log_and_provenance(tmp_path, ws_path):
    f = write(tmp_path, "o.csv", OFFICE_CSV)
    import_file(ws_path, "offices", f, ImportOptions(source="directorate list 1403"))
    ws = Workspace.load(ws_path)
    last = ws.imports.iloc[-1]
    assert last["layer"] == "offices" and last["sha256"] == sha(f) and last["source"] == "directorate list 1403"
    assert set(ws.offices["source"]) == {"directorate list 1403"}


def test_counties_import_reassigns_point_counties(tmp_path, ws_path):
    # one county covering everything: every settlement and office moves to it
    gdf = gpd.GeoDataFrame({"name": ["همه"]}, geometry=[shapely.box(57, 31, 61, 35)], crs=4326)
    f = tmp_path / "one.geojson"
    f.write_text(gdf.to_json(), encoding="utf-8")
    import_file(ws_path, "counties", f)
    ws = Workspace.load(ws_path)
    assert set(ws.settlements["county"]) == {"همه"} and set(ws.offices["county"]) == {"همه"}


def test_geojson_point_layer_rejects_lines_and_accepts_polygons_with_warning(tmp_path, ws_path):
    gdf = gpd.GeoDataFrame({"name": ["line", "poly"], "kind": ["village", "village"]},
                           geometry=[shapely.LineString([(59, 33), (59.1, 33.1)]), shapely.box(59, 33, 59.01, 33.01)],
                           crs=4326)
    f = tmp_path / "s.geojson"
    f.write_text(json.dumps(json.loads(gdf.to_json())), encoding="utf-8")
    rep = import_file(ws_path, "settlements", f)
    r = rows(rep)
    assert r[(1, "error")] == "a LineString where a point is expected"
    assert r[(2, "warning")] == "a Polygon where a point is expected; a point inside it is used"
    assert rep.imported == 1


def test_gpkg_with_several_layers_asks_which(tmp_path, ws_path):
    f = tmp_path / "multi.gpkg"
    g = gpd.GeoDataFrame({"licence_type": ["urban"]}, geometry=shapely.points([(59.3, 33.0)]), crs=4326)
    pyogrio.write_dataframe(g, f, layer="a")
    pyogrio.write_dataframe(g, f, layer="b")
    with pytest.raises(InputError, match=r"several layers \(a, b\); choose one with --layer-name"):
        import_file(ws_path, "offices", f)
    assert import_file(ws_path, "offices", f, ImportOptions(layer_name="b")).imported == 1
