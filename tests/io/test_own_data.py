"""README "Bringing your own data", run as written: one OpenStreetMap extract, a census workbook, two register
versions, and the commands of the README in their order.

Every file is generated here: the extract with osmium's PBF writer (province, two counties, three
districts, four rural districts, eleven places), the census village table in the Statistical Centre's
published layout (openpyxl), the registers as CSV with village names instead of coordinates. The
figures checked (populations, not-located people, covered population) are summed by hand from the
rows written here, or counted by brute force with pyproj.Geod.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pyproj
import pytest
from osm_files import square, write_pbf

from siting.registry import offices_at
from siting.rules import load_rules
from siting.text import to_persian_digits
from siting.workspace import Workspace

BIN = Path(sys.executable).parent / "siting"
README = Path(__file__).resolve().parents[2] / "README.md"
GEOD = pyproj.Geod(ellps="WGS84")

BOXES = [  # (first node id, x0, y0, width, height, tags)
    (100, 58.0, 32.0, 2.0, 2.0, {"admin_level": "4", "name": "استان آزمون", "name:en": "Test province"}),
    (110, 59.0, 32.0, 1.0, 2.0, {"admin_level": "5", "name": "شهرستان بیرجند", "name:fa": "بیرجند",
                                 "name:en": "Birjand", "ref": "2901"}),
    (120, 58.0, 32.0, 1.0, 2.0, {"admin_level": "5", "name:fa": "خوسف", "name:en": "Khusf", "ref": "2910"}),
    (130, 59.0, 32.0, 0.5, 2.0, {"admin_level": "7", "name:fa": "مرکزی", "ref": "290101"}),
    (140, 59.5, 32.0, 0.5, 2.0, {"admin_level": "7", "name:fa": "شرقی", "ref": "290102"}),
    (150, 58.0, 32.0, 1.0, 2.0, {"admin_level": "7", "name:fa": "مرکزی", "ref": "291001"}),
    (160, 59.0, 32.0, 0.5, 1.0, {"admin_level": "8", "name:fa": "دهستان الف"}),
    (170, 59.0, 33.0, 0.5, 1.0, {"admin_level": "8", "name:fa": "دهستان ب"}),
    (180, 59.5, 32.0, 0.5, 2.0, {"admin_level": "8", "name:fa": "دهستان ج"}),
    (190, 58.0, 32.0, 1.0, 2.0, {"admin_level": "8", "name:fa": "دهستان د"}),
]
PLACES = [  # (id, lon, lat, tags)
    (1, 59.22, 32.87, {"place": "city", "name": "بيرجند", "name:en": "Birjand"}),
    (2, 58.89, 32.78, {"place": "town", "name:fa": "خوسف"}),
    (3, 59.52, 32.71, {"place": "village", "name:fa": "مود"}),                 # ج
    (4, 59.10, 33.50, {"place": "village", "name:fa": "حسین‌آباد علیا"}),      # ب
    (5, 59.15, 33.55, {"place": "village", "name:fa": "حسین‌آباد سفلی"}),      # ب
    (6, 59.20, 32.30, {"place": "village", "name:fa": "گل"}),                  # الف
    (7, 58.40, 32.50, {"place": "village", "name:fa": "گل"}),                  # د
    (8, 59.80, 33.20, {"place": "hamlet", "name": "چاهک"}),                    # ج
    (9, 59.30, 32.95, {"place": "village", "name:fa": "نوفرست"}),              # الف
    (10, 58.50, 33.50, {"place": "village", "name:fa": "ماژان"}),              # د
    (11, 59.35, 33.70, {"place": "village", "name:fa": "بی‌سرشماری"}),         # ب, in no census
]
# (code, name, households, population): Birjand 186,200 (of which «ده ناپیدا» 700 has no point), Khusf 7,600
CENSUS = [
    (None, "استان آزمون", 57_100, 193_800),
    ("2901", "شهرستان بیرجند", 51_000, 186_200),
    ("290101", "بخش مرکزی", 50_700, 181_850),
    (None, "شهر بیرجند", 50_000, 180_000),
    ("29010101", "دهستان الف", 400, 950),
    ("29010101001", "گل", 80, 250),
    ("29010101002", "ده ناپیدا", 320, 700),
    ("29010102", "دهستان ب", 300, 900),
    ("29010102001", "حسين آباد عليا", 160, 500),
    ("29010102002", "حسينآباد سفلي", 140, 400),
    ("290102", "بخش شرقی", 300, 4_350),
    ("29010201", "دهستان ج", 300, 4_350),
    ("29010201001", "مود", 250, 4_000),
    ("29010201002", "چاهک", 50, 350),
    ("2910", "شهرستان خوسف", 6_100, 7_600),
    ("291001", "بخش مرکزی", 6_100, 7_600),
    (None, "شهر خوسف", 6_000, 6_500),
    ("29100101", "دهستان د", 100, 1_100),
    ("29100101001", "گل", 20, 200),
    ("29100101002", "ماژان", 80, 900),
]


def extract(path: Path) -> Path:
    nodes, ways = [], []
    for k, (first, x0, y0, w, h, tags) in enumerate(BOXES):
        sq_nodes, ring = square(first, x0, y0, 1.0)
        sq_nodes = [(i, x0 + (x - x0) * w, y0 + (y - y0) * h, t) for i, x, y, t in sq_nodes]
        nodes += sq_nodes
        ways.append((1000 + k, ring, {"boundary": "administrative", **tags}))
    nodes += [(i, x, y, t) for i, x, y, t in PLACES]
    return write_pbf(path, nodes, ways)


def census(path: Path) -> Path:
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["جدول ۱ - تعداد خانوار و جمعیت آبادی‌ها به تفکیک تقسیمات کشوری"])
    sh.append([])
    sh.append(["کد", "نام آبادی", "خانوار", "جمعیت"])
    for code, name, hh, pop in CENSUS:
        sh.append([None if code is None else to_persian_digits(code), name, to_persian_digits(hh),
                   to_persian_digits(pop)])
    wb.save(path)
    return path


def registers(folder: Path) -> None:
    (folder / "register-1403-01.csv").write_text(
        "شماره پروانه,نام دفتر,نوع مجوز,وضعیت,شهرستان,روستا\n"
        "P-1,پیشخوان مرکز,شهری,فعال,بیرجند,بیرجند\n"
        "R-1,ICT گل,روستایی,فعال,خوسف,گل\n"
        "R-2,ICT مود,روستایی,فعال,بیرجند,مود\n"
        "R-3,ICT حسین آباد,روستایی,فعال,بیرجند,حسين آباد عليا\n", encoding="utf-8")
    (folder / "register-1403-07.csv").write_text(
        "شماره پروانه,نام دفتر,نوع مجوز,وضعیت,شهرستان,روستا,عرض جغرافیایی,طول جغرافیایی\n"
        "P-1,پیشخوان مرکز,شهری,فعال,بیرجند,بیرجند,,\n"
        "R-1,ICT گل,روستایی,فعال,خوسف,,32.52,58.62\n"
        "R-2,ICT مود,روستایی,لغو,بیرجند,مود,,\n"
        "R-3,ICT حسین آباد,روستایی,فعال,بیرجند,حسين آباد عليا,,\n", encoding="utf-8")


def readme_commands() -> list[list[str]]:
    """The commands of the README's "Bringing your own data" block, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Bringing your own data", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README: no ```sh block under Bringing your own data"
    return [line.split() for line in block.group(1).splitlines() if line.startswith("siting ")]


def run(args, cwd):
    return subprocess.run([str(BIN), *args[1:]], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture()
def built(tmp_path):
    extract(tmp_path / "extract.osm.pbf")
    census(tmp_path / "abadi-1395.xlsx")
    registers(tmp_path)
    outputs = []
    for args in readme_commands():
        p = run(args, tmp_path)
        assert p.returncode == 0, (args, p.stdout, p.stderr)
        assert "Traceback" not in p.stderr
        outputs.append((args, p.stdout))
    return tmp_path, outputs


def test_the_readme_sequence_builds_a_workspace_with_village_populations(built):
    folder, outputs = built
    ws = Workspace.load(folder / "workspace.gpkg")
    assert len(ws.region) == 1 and sorted(ws.counties["name_fa"]) == ["بیرجند", "خوسف"]
    assert len(ws.districts) == 3 and len(ws.rural_districts) == 4
    s = ws.settlements.set_index("name_fa")
    assert len(ws.settlements) == 11 and (ws.settlements["kind"] == "city").sum() == 2
    # every planted match and no false one: «علیا» and «سفلی» apart, «گل» to its own rural district
    expected = {"بیرجند": 180_000, "خوسف": 6_500, "مود": 4_000, "حسین‌آباد علیا": 500, "حسین‌آباد سفلی": 400,
                "چاهک": 350, "نوفرست": None, "ماژان": 900, "بی‌سرشماری": None}
    for name, pop in expected.items():
        got = s.at[name, "population"]
        assert (None if pd.isna(got) else int(got)) == pop, name
    gol = ws.settlements[ws.settlements["name_fa"] == "گل"].set_index("rural_district")["population"]
    assert int(gol["دهستان الف"]) == 250 and int(gol["دهستان د"]) == 200
    # the census import's report, as printed
    census_out = next(out for args, out in outputs if args[1:3] == ["import", "census"])
    assert "unmatched_census" in census_out
    report = pd.read_csv(folder / "match.csv", encoding="utf-8-sig")
    left = report[(report["side"] == "census") & (report["status"] == "unmatched")]
    assert list(left["census_name"]) == ["ده ناپیدا"]
    # coverage over the census total: «ده ناپیدا» (700) is not located, in its county and rural district
    p = run(["siting", "coverage", "-w", "workspace.gpkg", "--json", "--by", "rural_district"], folder)
    d = json.loads(p.stdout)
    assert d["total_population"] == 186_200 + 7_600 and d["not_located_population"] == 700
    by = {r["rural_district"]: r for r in d["by_rural_district"]}
    assert by["دهستان الف"]["not_located_population"] == 700 and by["دهستان الف"]["census_population"] == 950
    # offices on a date, and coverage on two dates against a brute-force geodesic count
    assert (offices_at(ws, "1403/03/01")["location"] == "approximate").all()
    p = run(["siting", "history", "-w", "workspace.gpkg", "--compare", "1403/03/01", "1403/08/01", "--json"], folder)
    d = json.loads(p.stdout)
    assert d["changes"]["counts"] == {"added": 0, "removed": 0, "moved": 1, "changed": 2, "unchanged": 2}
    rules = load_rules()
    for when, side in (("1403/03/01", "from"), ("1403/08/01", "to")):
        assert d["coverage"]["covered_population"][side] == _covered(ws, offices_at(ws, when), rules), when


def _covered(ws, offices, rules) -> int:
    radii = rules.radii()
    serving = offices[offices["status"] == "active"]
    total = 0
    for pop, g in zip(ws.settlements["population"], ws.settlements.geometry, strict=True):
        if pd.isna(pop):
            continue
        if any(GEOD.inv(g.x, g.y, o.x, o.y)[2] <= radii[t]
               for t, o in zip(serving["licence_type"], serving.geometry, strict=True)):
            total += int(pop)
    return total
