"""The `siting` console script, run as a user runs it (a subprocess)."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from siting.samples.hand import hand_workspace

BIN = Path(sys.executable).parent / "siting"


def run(*args, cwd=None):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture()
def ws(tmp_path):
    return hand_workspace().save(tmp_path / "ws.gpkg")


def test_validate_json(ws):
    p = run("validate", "--lon", "59.21", "--lat", "32.87", "--type", "urban", "--json", "-w", ws)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert {"county", "rules", "nearest_offices", "newly_covered_population"} <= set(d)
    assert d["county"] == "بیرجند"
    for r in d["rules"]:
        assert {"id", "status", "value", "threshold", "message_fa", "message_en"} <= set(r)
    assert d["nearest_offices"][0]["office_id"] == "U1"


def test_validate_persian_digits_and_settlement(ws):
    p = run("validate", "--lon", "۵۹٫۵۲", "--lat", "۳۲٫۷۲", "--type", "روستایی", "-w", ws)
    assert p.returncode == 0, p.stderr
    assert "near_village" in p.stdout and "SAMPLE DATA" in p.stdout
    p = run("validate", "--settlement", "مود", "--type", "rural", "--json", "-w", ws)
    assert json.loads(p.stdout)["settlement"] == "مود"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "--lon", "abc", "--lat", "32", "--type", "urban"], "--lon 'abc' is not a number"),
        (["validate", "--settlement", "ناکجاآباد", "--type", "urban"], "settlement 'ناکجاآباد' not found"),
        (["validate", "--lon", "59", "--lat", "33", "--type", "x"], "unknown licence type 'x'"),
        (["gaps", "--h3", "15"], "H3 resolution"),
    ],
)
def test_bad_input_exits_2_with_one_line(ws, args, message):
    p = run(*args, "-w", ws)
    assert p.returncode == 2
    assert message in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_missing_workspace_is_one_line(tmp_path):
    p = run("coverage", "-w", tmp_path / "none.gpkg")
    assert p.returncode == 2 and "workspace not found" in p.stderr and "Traceback" not in p.stderr


def test_coverage_json_keys(ws):
    p = run("coverage", "--json", "-w", ws)
    d = json.loads(p.stdout)
    assert {"total_population", "covered_population", "not_located_population", "by_county"} <= set(d)
    assert d["covered_population"] == 207_500 and d["not_located_population"] == 69_500
    p = run("coverage", "-w", ws)
    assert "not located" in p.stdout and "بیرجند" in p.stdout


def test_gaps_json_and_geojson(ws, tmp_path):
    d = json.loads(run("gaps", "--json", "-w", ws).stdout)
    assert d["parts"] == len(d["gaps"]) and d["uncovered_population"] == 3000
    out = tmp_path / "gaps.geojson"
    p = run("gaps", "--geojson", "--out", out, "--type", "rural", "-w", ws)
    assert p.returncode == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and fc["features"][0]["properties"]["sample"] is True
    cells = json.loads(run("gaps", "--h3", "5", "--json", "-w", ws).stdout)
    assert cells["resolution"] == 5 and cells["cells"] > 0


def test_import_json_report_and_exit_codes(ws, tmp_path):
    good = tmp_path / "o.csv"
    good.write_text("licence_type,lat,lon\nurban,32.9,59.3\nrural,,\n", encoding="utf-8")
    p = run("import", "offices", good, "--json", "-w", ws)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["imported"] == 1 and d["rejected"] == 1
    assert d["rows"] == [{"row": 2, "severity": "error", "reason": "missing coordinates", "field": "coordinates",
                          "code": "missing_coordinates", "params": {}}]
    before = hashlib.sha256(ws.read_bytes()).hexdigest()
    p = run("import", "offices", good, "--strict", "-w", ws)
    assert p.returncode == 2 and "row 2: missing coordinates" in p.stderr
    assert hashlib.sha256(ws.read_bytes()).hexdigest() == before
    empty = tmp_path / "e.csv"
    empty.write_text("")
    p = run("import", "offices", empty, "-w", ws)
    assert p.returncode == 2 and p.stderr.strip() == f"siting: {empty}: the file is empty"


def test_init_sample_and_info(tmp_path):
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "sample.gpkg"
    p = run("init", "--manifest", root / "data/sources/sample.yaml", "-w", out)
    assert p.returncode == 0, p.stderr
    assert "SAMPLE DATA" in p.stdout
    p = run("init", "--manifest", root / "data/sources/sample.yaml", "-w", out)
    assert p.returncode == 2 and "use --force" in p.stderr
    info = json.loads(run("info", "--json", "-w", out).stdout)
    assert info["sample"] is True and info["villages"] == 900 and info["counties"] == 11
    assert all(s["sample"] for s in info["sources"] if s["layer"] != "settlements")
    shutil.rmtree(tmp_path, ignore_errors=True)
