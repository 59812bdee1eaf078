"""The office register as it really comes: villages named instead of coordinates, and new versions.

A hand-built workspace (the hand workspace plus villages with the same name in
two counties, twice in one county, and «علیا/سفلی» pairs) and registers
written by the tests as XLSX and CSV. Positions are checked against the
settlement points they were placed at, moves against pyproj.Geod, coverage
on a date against a brute-force count with pyproj.Geod distances.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from hand_places import hand_with_villages

from siting.coverage import compute_coverage
from siting.errors import InputError
from siting.io.importer import ImportOptions, import_file
from siting.registry import offices_at, record_history, versions
from siting.rules import load_rules
from siting.rules.validate import validate_site
from siting.samples.hand import hand_workspace
from siting.vocab import parse_office_status
from siting.workspace import REQUIRED_LAYERS, Workspace

GEOD = pyproj.Geod(ellps="WGS84")
BIN = Path(sys.executable).parent / "siting"

EXTRA = {  # code: (name, county, lon, lat)
    "V10": ("حسین‌آباد", "بیرجند", 59.40, 32.80),
    "V11": ("حسین آباد", "خوسف", 58.60, 32.60),
    "V12": ("چاه‌شور علیا", "بیرجند", 59.70, 33.20),
    "V13": ("چاه‌شور سفلی", "بیرجند", 59.75, 33.25),
    "V14": ("کلاته", "بیرجند", 59.80, 32.30),
    "V15": ("کلاته", "بیرجند", 59.90, 32.40),
}


def _workspace() -> Workspace:
    return hand_with_villages(EXTRA, {code: 1000 + 100 * i for i, code in enumerate(EXTRA)})


@pytest.fixture()
def ws_path(tmp_path):
    return _workspace().save(tmp_path / "ws.gpkg")


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def point_of(ws: Workspace, code: str) -> tuple[float, float]:
    g = ws.settlements.set_index("code").geometry[code]
    return g.x, g.y


# The first register: no coordinates except one office; villages by name (Arabic letters, spaces instead of
# ZWNJ), by code, and inside an address; one name twice in its county; one name nowhere.
REGISTER_1 = [
    ["ردیف", "شماره پروانه", "نام دفتر", "نوع مجوز", "وضعیت", "شهرستان", "روستا", "کد آبادی", "نشانی",
     "عرض جغرافیایی", "طول جغرافیایی"],
    [1, "P-1", "پیشخوان مرکز", "شهری", "فعال", "بیرجند", "شهر بیرجند", None, None, None, None],
    [2, "R-1", "ICT حسین آباد", "روستایی", "فعال", "خوسف", "حسين آباد", None, None, None, None],
    [3, "R-2", "ICT چاه شور", "روستایی", "فعال", "بیرجند", "چاه شور عليا", None, None, None, None],
    [4, "R-3", "ICT کلاته", "روستایی", "فعال", "بیرجند", "کلاته", None, None, None, None],
    [5, "R-4", "ICT چاه شور پایین", "روستایی", "فعال", "بیرجند", None, "V13", None, None, None],
    [6, "R-5", "ICT مود", "روستایی", "فعال", "بیرجند", None, None, "شهرستان بیرجند، روستای مود، بخش مرکزی",
     None, None],
    [7, "R-6", "ICT ناموجود", "روستایی", "فعال", "بیرجند", "ده‌ناموجود", None, None, None, None],
    [8, "R-7", "ICT نوفرست", "روستایی", "فعال", "بیرجند", None, None, None, "۳۲٫۹۴", "۵۹٫۳۱"],
]


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    sh = wb.active
    for r in rows:
        sh.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list]) -> Path:
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(path, index=False)
    return path


@pytest.fixture()
def first(tmp_path, ws_path):
    f = write_xlsx(tmp_path / "register-1403-01.xlsx", REGISTER_1)
    rep = import_file(ws_path, "offices", f, ImportOptions(as_of="1403/01/15"))
    return rep


def test_offices_placed_at_the_settlements_their_register_names(first, ws_path):
    rep = first
    assert rep.written and rep.rows_read == 8 and rep.imported == 6 and rep.rejected == 2
    errors = {i.row: i.reason for i in rep.errors}
    assert set(errors) == {4, 7}
    assert "V14" in errors[4] and "V15" in errors[4] and "2 settlements match" in errors[4]
    assert "no settlement of that name in county بیرجند" in errors[7]
    assert rep.placement == {"approximate": 5, "not_placed": 2}
    ws = Workspace.load(ws_path)
    o = ws.offices.set_index("licence_number")
    expected = {"P-1": "S1", "R-1": "V11", "R-2": "V12", "R-4": "V13", "R-5": "S2"}
    for num, code in expected.items():
        g = o.geometry[num]
        assert (g.x, g.y) == point_of(ws, code), num
        assert o.at[num, "location"] == "approximate" and o.at[num, "located_at"] == code
    # the one office with coordinates is exact, at its own point (Persian digits)
    assert o.at["R-7", "location"] == "exact" and o.at["R-7", "located_at"] is None
    assert (round(o.geometry["R-7"].x, 6), round(o.geometry["R-7"].y, 6)) == (59.31, 32.94)
    # the same name in the other county, and «سفلی» for «علیا», were not taken
    assert o.at["R-1", "county"] == "خوسف" and o.at["R-2", "located_at"] != "V13"


def test_approximate_offices_are_marked_in_coverage_and_validation(first, ws_path, rules):
    ws = Workspace.load(ws_path)
    cov = compute_coverage(ws, rules)
    assert any("5 serving offices are located approximately" in n for n in cov.notes)
    lon, lat = point_of(ws, "V12")
    rep = validate_site(ws, rules, licence_type="rural", lon=lon + 0.01, lat=lat)
    first_near = rep.nearest_offices[0]
    assert first_near.name == "ICT چاه شور" and first_near.location == "approximate"
    assert any("located approximately" in n and "ICT چاه شور" in n for n in rep.notes)
    from siting.reports.html import report_html

    assert "approximate: at the settlement the register names" in report_html(rep, lang="en")
    assert "تقریبی: محل آبادیِ نام‌برده در دفتر ثبت" in report_html(rep, lang="fa")
    # the map marks it too: a black ring and a tooltip
    from ui.views.mapdata import office_records

    recs = {r["office_id"]: r for r in office_records(ws, "en")}
    approx = ws.offices[ws.offices["location"] == "approximate"]["office_id"]
    assert len(approx) == 5 and all(recs[o]["approximate"] and "located approximately" in recs[o]["tip"]
                                    for o in approx)
    assert not any(r["approximate"] for k, r in recs.items() if k not in set(approx))


def test_a_second_version_reports_moves_closures_and_removals_and_keeps_history(tmp_path, first, ws_path, rules):
    ws1 = Workspace.load(ws_path)
    o1 = ws1.offices.set_index("licence_number")
    new_r1 = (58.62, 32.61)
    v2 = [
        ["licence_number", "name", "licence_type", "status", "county", "settlement", "lat", "lon"],
        ["P-1", "پیشخوان مرکز", "urban", "active", "بیرجند", "بیرجند", None, None],
        ["R-1", "ICT حسین آباد", "rural", "active", "خوسف", None, new_r1[1], new_r1[0]],
        ["R-2", "ICT چاه شور", "rural", "لغو", "بیرجند", "چاه‌شور علیا", None, None],
        ["R-5", "ICT مود", "rural", "active", "بیرجند", "مود", None, None],
        ["R-7", "ICT نوفرست", "rural", "active", "بیرجند", None, 32.94, 59.31],
    ]
    rep = import_file(ws_path, "offices", write_csv(tmp_path / "register-1403-06.csv", v2),
                      ImportOptions(as_of="1403/06/01"))
    assert rep.written, rep.issues
    c = rep.changes
    assert c.counts() == {"added": 0, "removed": 1, "moved": 1, "changed": 2, "unchanged": 3}
    assert c.removed == ["R-4"]
    (key, dist, before, after), = c.moved
    assert before == (o1.geometry["R-1"].x, o1.geometry["R-1"].y) and after == pytest.approx(new_r1)
    _, _, expected = GEOD.inv(o1.geometry["R-1"].x, o1.geometry["R-1"].y, *new_r1)
    assert key == "R-1" and dist == pytest.approx(expected, abs=0.01) and 2000 < dist < 3000
    changed = {(k, f): (a, b) for k, f, a, b in c.changed}
    assert changed[("R-2", "status")] == ("active", parse_office_status("لغو"))
    assert changed[("R-1", "location")] == ("approximate", "exact")

    ws2 = Workspace.load(ws_path)
    assert sorted(ws2.offices["licence_number"]) == ["P-1", "R-1", "R-2", "R-5", "R-7"]
    v = versions(ws2)
    # the hand workspace's 4 offices (kept as the version before the history), the first register that
    # replaced them, and the second
    assert list(zip(v["valid_from"], v["import_file"], strict=True)) == [
        ("2024-04-03", "(before the history was kept)"), ("2024-04-03", "register-1403-01.xlsx"),
        ("2024-08-22", "register-1403-06.csv")]
    assert list(v[["added", "moved", "changed", "removed"]].iloc[1]) == [6, 0, 0, 4]
    assert list(v[["added", "moved", "changed", "removed"]].iloc[2]) == [0, 1, 1, 1]
    # the office layer on a date between the versions is the first version, R-4 included
    before_layer = offices_at(ws2, "1403/03/01")
    assert sorted(before_layer["licence_number"]) == ["P-1", "R-1", "R-2", "R-4", "R-5", "R-7"]
    b = before_layer.set_index("licence_number")
    assert (b.geometry["R-1"].x, b.geometry["R-1"].y) == point_of(ws2, "V11")
    assert b.at["R-2", "status"] == "active"
    after_layer = offices_at(ws2, "2024-09-01")
    assert sorted(after_layer["licence_number"]) == sorted(ws2.offices["licence_number"])
    with pytest.raises(InputError, match="starts on 2024-04-03"):
        offices_at(ws2, "1402/12/29")
    h = record_history(ws2, "R-1")
    assert list(h["change"]) == ["added", "moved"] and h["valid_to"].iat[0] == "2024-08-22"

    # coverage on each date, checked against a brute-force count with geodesic distances
    for when in ("1403/03/01", "1403/07/01"):
        layer = offices_at(ws2, when)
        got = compute_coverage(ws2.with_layer("offices", layer), rules).totals["covered_population"]
        assert got == _covered_by_geod(ws2, layer, rules), when


def _covered_by_geod(ws: Workspace, offices, rules) -> int:
    radii = rules.radii()
    s = ws.settlements
    total = 0
    serving = offices[offices["status"] == "active"]
    for pop, g in zip(s["population"], s.geometry, strict=True):
        if pd.isna(pop):
            continue
        for t, og in zip(serving["licence_type"], serving.geometry, strict=True):
            _, _, d = GEOD.inv(g.x, g.y, og.x, og.y)
            if d <= radii[t]:
                total += int(pop)
                break
    return total


def test_update_takes_a_coordinate_later_without_losing_the_record(tmp_path, first, ws_path):
    before = Workspace.load(ws_path).offices.set_index("licence_number").loc["R-5"]
    f = write_csv(tmp_path / "surveyed.csv", [["شماره پروانه", "lat", "lon"], ["R-5", 32.712, 59.523]])
    rep = import_file(ws_path, "offices", f, ImportOptions(update=True, as_of="1403/02/01"))
    assert rep.written and rep.changes.counts()["moved"] == 1 and rep.changes.counts()["removed"] == 0
    ws = Workspace.load(ws_path)
    after = ws.offices.set_index("licence_number").loc["R-5"]
    for fld in ("name", "licence_type", "status", "office_id", "county"):
        assert after[fld] == before[fld], fld
    assert after["address"] == before["address"] and "روستای مود" in after["address"]
    assert after["location"] == "exact" and after["located_at"] is None
    assert (round(after.geometry.x, 6), round(after.geometry.y, 6)) == (59.523, 32.712)
    assert len(ws.offices) == 6  # records not in the file are kept
    assert list(record_history(ws, "R-5")["location"]) == ["approximate", "exact"]


def test_update_rows_without_a_key_and_unknown_new_records_are_reported(tmp_path, first, ws_path):
    f = write_csv(tmp_path / "u.csv", [["licence_number", "lat", "lon"], [None, 32.7, 59.5], ["NEW-1", 32.7, 59.5]])
    rep = import_file(ws_path, "offices", f, ImportOptions(update=True))
    errors = {i.row: (i.field, i.reason) for i in rep.errors}
    assert errors[1][0] == "licence_number" and "--update matches records" in errors[1][1]
    assert errors[2][0] == "licence_type"  # a new record needs its licence type


def test_a_version_dated_before_the_last_is_refused_and_nothing_is_written(tmp_path, first, ws_path):
    before = sha(ws_path)
    f = write_csv(tmp_path / "old.csv", [["licence_number", "licence_type", "lat", "lon"], ["X-1", "rural", 32.7, 59.5]])
    with pytest.raises(InputError, match="imported in date order"):
        import_file(ws_path, "offices", f, ImportOptions(as_of="1402/01/01"))
    with pytest.raises(InputError, match="not a date"):
        import_file(ws_path, "offices", f, ImportOptions(as_of="yesterday"))
    with pytest.raises(InputError, match="offices register"):
        import_file(ws_path, "settlements", f, ImportOptions(as_of="1404/01/01"))
    assert sha(ws_path) == before


def test_a_workspace_written_before_the_new_layers_loads_and_takes_a_register(tmp_path):
    ws = hand_workspace()
    old = tmp_path / "old.gpkg"
    for layer in REQUIRED_LAYERS:
        gdf = getattr(ws, layer)
        if layer == "offices":
            gdf = gdf.drop(columns=["location", "located_at"])
        pyogrio.write_dataframe(gdf, old, layer=layer, driver="GPKG")
    pyogrio.write_dataframe(pd.DataFrame({"key": ["name", "sample"], "value": ['"old"', "true"]}), old,
                            layer="siting_metadata", driver="GPKG")
    loaded = Workspace.load(old)
    assert len(loaded.districts) == 0 and len(loaded.office_history) == 0
    assert set(loaded.offices["location"]) == {"exact"}
    f = write_csv(tmp_path / "r.csv", [["licence_number", "licence_type", "status", "lat", "lon"],
                                        ["P-100", "urban", "inactive", 32.87, 59.21]])
    rep = import_file(old, "offices", f, ImportOptions(update=True))
    assert rep.written and rep.changes.counts()["changed"] == 1
    h = Workspace.load(old).office_history
    # the layer before the history existed is kept as its first version (4 records), then the change
    assert (h["change"] == "added").sum() == 4 and (h["change"] == "changed").sum() == 1


def test_cli_prints_the_changes_and_history_compares_two_dates(tmp_path, first, ws_path):
    v2 = [["licence_number", "licence_type", "status", "settlement", "county"],
          ["P-1", "urban", "active", "بیرجند", "بیرجند"], ["R-1", "rural", "active", "حسین‌آباد", "خوسف"]]
    f = write_csv(tmp_path / "v2.csv", v2)
    p = subprocess.run([str(BIN), "import", "offices", str(f), "-w", str(ws_path), "--as-of", "1403/05/01",
                        "--json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["changes"]["counts"]["removed"] == 4 and d["placement"]["approximate"] == 2
    p = subprocess.run([str(BIN), "history", "-w", str(ws_path), "--compare", "1403/03/01", "1403/05/02", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["changes"]["counts"]["removed"] == 4
    ws = Workspace.load(ws_path)
    rules = load_rules()
    for when, side in (("1403/03/01", "from"), ("1403/05/02", "to")):
        assert d["coverage"]["covered_population"][side] == _covered_by_geod(ws, offices_at(ws, when), rules)
    p = subprocess.run([str(BIN), "history", "-w", str(ws_path), "--date", "1403/03/01"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and "offices on 1403/03/01: 6" in p.stdout and "approximate" in p.stdout
    p = subprocess.run([str(BIN), "coverage", "-w", str(ws_path), "--at", "1300/01/01"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2 and "history starts on" in p.stderr and "Traceback" not in p.stderr


def test_moves_are_measured_on_the_ellipsoid():
    from siting.registry import diff_registers

    ws = hand_workspace()
    moved = ws.offices.copy()
    moved.loc[0, "geometry"] = shapely.Point(59.31, 32.87)
    d = diff_registers(ws.offices, moved)
    _, _, expected = GEOD.inv(59.21, 32.87, 59.31, 32.87)
    assert d.moved[0][0] == "P-100" and d.moved[0][1] == pytest.approx(expected, abs=1e-6)
    assert np.isclose(d.moved[0][1], 9359, atol=1)  # 0.1° of longitude at 32.87°N
