"""`siting import census`: a census village workbook in the published layout joined to a workspace's points.

The workspace is the hand workspace plus villages whose names test the join
(«علیا/سفلی», the same name in two counties, a spelling variant); the census
workbook is written by the test with openpyxl (title rows, Persian digits,
subtotal rows, one wrong subtotal). Populations, county totals and the
not-located people are checked against figures summed by hand from the rows
written here.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hand_places import hand_with_villages
from rapidfuzz import fuzz

from siting.coverage import compute_coverage, coverage_by_unit
from siting.errors import InputError
from siting.io.placejoin import place_key
from siting.io.population import import_census
from siting.text import to_persian_digits
from siting.workspace import Workspace

BIN = Path(sys.executable).parent / "siting"

EXTRA = {  # code: (name, county, lon, lat)
    "V1": ("حسین‌آباد علیا", "بیرجند", 59.60, 33.10),
    "V2": ("حسین‌آباد سفلی", "بیرجند", 59.65, 33.05),
    "V3": ("گل", "بیرجند", 59.70, 32.40),
    "V4": ("گل", "خوسف", 58.40, 32.50),
    "V5": ("چاهداشی", "خوسف", 58.30, 33.00),   # the census writes «چاهداشت»: score 85.7
    "V6": ("ده بی‌سرشماری", "خوسف", 58.20, 33.20),  # no census row
}

# (code, name, households, population); the subtotal of «دهستان ب» is wrong (stated 1,500, rows add up to 1,270)
CENSUS = [
    (None, "استان آزمون", 57_300, 194_550),
    ("2901", "شهرستان بیرجند", 51_000, 186_550),
    ("290101", "بخش مرکزی", 51_000, 186_550),
    (None, "شهر بیرجند", 50_000, 180_000),
    ("29010101", "دهستان الف", 1_000, 6_550),
    ("29010101001", "مود", 300, 3_100),
    ("29010101002", "نوفرسـت", 150, 1_600),
    ("29010101003", "حسين آباد عليا", 120, 500),
    ("29010101004", "حسینآباد سفلی", 100, 400),
    ("29010101005", "گل", 80, 250),
    ("29010101006", "ده ناپیدا", 250, 700),
    ("2910", "شهرستان خوسف", 6_300, 8_000),
    ("291001", "بخش مرکزی", 6_300, 8_000),
    (None, "شهر خوسف", 6_000, 6_500),
    ("29100101", "دهستان ب", 300, 1_500),
    ("29100101001", "گل", 40, 120),
    ("29100101002", "ماژان", 200, 900),
    ("29100101003", "چاهداشت", 60, 250),
]


def census_xlsx(path: Path, rows=CENSUS) -> Path:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["جدول ۱ - تعداد خانوار و جمعیت آبادی‌ها"])
    sh.append(["سرشماری عمومی نفوس و مسکن ۱۳۹۵"])
    sh.append([])
    sh.append(["کد", "نام آبادی", "خانوار", "جمعیت"])
    for code, name, hh, pop in rows:
        sh.append([None if code is None else to_persian_digits(code), name, to_persian_digits(hh),
                   to_persian_digits(pop)])
    wb.save(path)
    return path


def _workspace() -> Workspace:
    return hand_with_villages(EXTRA)


@pytest.fixture()
def ws_path(tmp_path):
    return _workspace().save(tmp_path / "ws.gpkg")


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def pops(ws: Workspace) -> dict[str, int | None]:
    return {c: (None if pd.isna(p) else int(p)) for c, p in zip(ws.settlements["code"], ws.settlements["population"],
                                                                 strict=True)}


def test_census_joined_to_points_and_the_rest_not_located(tmp_path, ws_path, rules):
    f = census_xlsx(tmp_path / "abadi-1395.xlsx")
    res = import_census(ws_path, f, threshold=90, report=tmp_path / "match.csv")
    assert res.written
    c = res.join.counts
    # planted: 2 cities + 7 villages by name; «چاهداشی»/«چاهداشت» scores 85.7 < 90; «ده ناپیدا» has no point
    assert (c["code"], c["exact"], c["fuzzy"], c["ambiguous"]) == (0, 9, 0, 0)
    assert (c["unmatched_points"], c["unmatched_census"]) == (2, 2)
    assert c["not_located_population"] == 700 + 250
    ws = Workspace.load(ws_path)
    assert pops(ws) == {"S1": 180_000, "S2": 3_100, "S3": 1_600, "S4": 6_500, "S5": 900,
                        "V1": 500, "V2": 400, "V3": 250, "V4": 120, "V5": None, "V6": None}
    s = ws.settlements.set_index("code")
    assert s.at["V3", "rural_district"] == "الف" and s.at["V4", "rural_district"] == "ب"
    assert s.at["S2", "households"] == 300 and s.at["S2", "district"] == "مرکزی"
    assert s.at["V1", "population_source"] == "census abadi-1395.xlsx (by name)"
    # counties take the census population of all their places, joined or not
    cty = ws.counties.set_index("name_fa")
    assert cty.at["بیرجند", "population"] == 186_550 and cty.at["خوسف", "population"] == 7_770
    assert cty.at["بیرجند", "population_year"] == 2016
    # coverage: the census total, of which the unmatched villages are not located
    cov = compute_coverage(ws, rules)
    assert cov.totals["total_population"] == 186_550 + 7_770
    assert cov.totals["not_located_population"] == 950
    by_rd = coverage_by_unit(cov, "rural_district").set_index("rural_district")
    assert by_rd.at["الف", "census_population"] == 6_550 and by_rd.at["الف", "not_located_population"] == 700
    assert by_rd.at["ب", "census_population"] == 1_270 and by_rd.at["ب", "not_located_population"] == 250
    # the wrong subtotal is reported with both figures
    (m,) = [m for m in res.census.mismatches if m["field"] == "population"]
    assert (m["name"], m["stated"], m["computed"]) == ("ب", 1_500, 1_270)
    # the match report a person can act on
    rep = pd.read_csv(tmp_path / "match.csv", encoding="utf-8-sig")
    assert set(rep["status"]) == {"exact", "unmatched"}
    left = rep[(rep["status"] == "unmatched") & (rep["side"] == "census")]
    assert sorted(left["census_name"]) == ["ده ناپیدا", "چاهداشت"]


def test_threshold_is_an_option_and_fuzzy_matches_show_both_spellings(tmp_path, ws_path):
    score = fuzz.ratio(place_key("چاهداشی").base, place_key("چاهداشت").base)
    assert 80 < score < 90
    f = census_xlsx(tmp_path / "abadi.xlsx")
    res = import_census(ws_path, f, threshold=80)
    c = res.join.counts
    assert (c["exact"], c["fuzzy"], c["unmatched_census"]) == (9, 1, 1)
    fz = res.join.matches[res.join.matches["status"] == "fuzzy"].iloc[0]
    assert (fz["point_name"], fz["census_name"]) == ("چاهداشی", "چاهداشت")
    assert fz["score"] == pytest.approx(score)
    assert pops(Workspace.load(ws_path))["V5"] == 250
    # and again at 90: nothing joins below it, and the population the earlier join gave is gone
    res = import_census(ws_path, f, threshold=90)
    assert res.join.counts["fuzzy"] == 0
    p = pops(Workspace.load(ws_path))
    assert p["V5"] is None and p["V1"] == 500
    assert any("from an earlier census join" in n for n in res.notes)


def test_cli_json_has_the_match_counts_and_the_table_lists_the_mismatch(tmp_path, ws_path):
    f = census_xlsx(tmp_path / "abadi.xlsx")
    p = subprocess.run([str(BIN), "import", "census", str(f), "-w", str(ws_path), "--threshold", "80", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["match"]["counts"]["fuzzy"] == 1 and d["match"]["counts"]["exact"] == 9
    assert d["match"]["threshold"] == 80 and d["written"] is True
    assert d["census"]["villages"] == 9 and d["census"]["cities"] == 2
    ws2 = _workspace().save(tmp_path / "ws2.gpkg")
    p = subprocess.run([str(BIN), "import", "census", str(f), "-w", str(ws2)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert "stated 1,500, its rows add up to 1,270" in p.stdout
    assert "unmatched_census" in p.stdout and "written to" in p.stdout


def test_bad_census_files_and_options_change_nothing(tmp_path, ws_path):
    before = sha(ws_path)
    empty = tmp_path / "e.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="e.csv"):
        import_census(ws_path, empty)
    no_pop = tmp_path / "n.csv"
    no_pop.write_text("کد,نام\n1,الف\n", encoding="utf-8")
    with pytest.raises(InputError, match="no header row with a population column"):
        import_census(ws_path, no_pop)
    with pytest.raises(InputError, match="--threshold"):
        import_census(ws_path, census_xlsx(tmp_path / "a.xlsx"), threshold=101)
    p = subprocess.run([str(BIN), "import", "offices", str(no_pop), "-w", str(ws_path), "--threshold", "80"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "--threshold and --report are for `siting import census`" in p.stderr
    assert sha(ws_path) == before
