"""``siting publish``: the files of the public map, what they hold (and do not hold), and how the
folder is written. Expected figures come from the library's own functions (``compute_gaps``, the
workspace's layers, ``match_key``) and from the workflow file read here with plain YAML."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import shapely
import yaml
from shapely.geometry import shape

import siting.publish as pub
from siting.cli import main
from siting.errors import InputError
from siting.gaps import compute_gaps
from siting.geo import geodesic_area_km2
from siting.publish import DATA_LIMIT_BYTES, MARKER, publish
from siting.publish.data import OFFICE_FIELDS, fold_table
from siting.text import match_key

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "siting" / "tracker" / "workflow.yaml"
FORBIDDEN_KEYS = {"licence_number", "address", "issued", "expires", "office_id", "holder", "source",
                  "located_at", "national_id", "phone"}


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _walk_keys(obj) -> set[str]:
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in _walk_keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in _walk_keys(v)}
    return set()


def _coords(obj) -> list[float]:
    if isinstance(obj, (int, float)):
        return [float(obj)]
    if isinstance(obj, list):
        return [c for v in obj for c in _coords(v)]
    return []


@pytest.fixture(scope="module")
def site(sample_ws, tmp_path_factory):
    from siting.rules import load_rules

    out = tmp_path_factory.mktemp("site") / "map"
    return out, publish(sample_ws, out, rules=load_rules())


def test_every_file_is_written_with_the_reported_size(site):
    out, report = site
    assert report.out_dir == out.absolute()
    for rel, size in report.files.items():
        assert (out / rel).stat().st_size == size, rel
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == set(report.files) | {MARKER}
    assert {"index.html", "app.js", "style.css", "vendor/leaflet/leaflet.js", "vendor/leaflet/LICENSE",
            *pub.DATA_FILES} <= written
    assert "BSD 2-Clause" in (out / "vendor/leaflet/LICENSE").read_text(encoding="utf-8")
    assert report.data_bytes == sum((out / f).stat().st_size for f in pub.DATA_FILES) < DATA_LIMIT_BYTES
    assert _json(out / MARKER)["generator"] == "siting publish"


def test_the_page_is_persian_rtl_and_labels_sample_data(site, sample_ws):
    out, report = site
    html = (out / "index.html").read_text(encoding="utf-8")
    assert sample_ws.is_sample and report.sample
    assert re.search(r'<html lang="fa" dir="rtl">', html)
    assert 'id="sample-banner"' in html and "داده‌های نمونه" in html and "SAMPLE data" in html
    assert _json(out / "data/meta.json")["sample"] is True


def test_no_asset_comes_from_another_server(site):
    out, _ = site
    html = (out / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(not re.match(r"[a-z]+://|//", r) for r in refs if not r.startswith(("#", "data:")))
    for rel in refs:
        if not rel.startswith(("#", "data:")):
            assert (out / rel).is_file(), rel
    assert "http" not in (out / "app.js").read_text(encoding="utf-8")  # the script names no server
    for name in ("style.css", "vendor/leaflet/leaflet.css"):
        css = (out / name).read_text(encoding="utf-8")
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):  # what a stylesheet fetches
            assert url.startswith("#") or (out / Path(name).parent / url).is_file(), (name, url)
    assert _json(out / "data/meta.json")["basemap_url"] is None


def test_offices_are_counted_as_in_the_workspace_with_name_type_status_only(site, sample_ws):
    out, report = site
    offices = _json(out / "data/offices.json")
    o = sample_ws.offices
    assert len(offices) == report.offices == len(o) == 56
    assert all(tuple(rec) == OFFICE_FIELDS for rec in offices)
    for t in ("urban", "rural"):
        for s in ("active", "inactive", "suspended", "pending"):
            assert sum(r["type"] == t and r["status"] == s for r in offices) == int(
                ((o["licence_type"] == t) & (o["status"] == s)).sum())
    assert sorted(r["name"] for r in offices) == sorted(o["name"])
    np.testing.assert_allclose(sorted(r["lon"] for r in offices), sorted(o.geometry.x), atol=5e-6)


def test_gap_parts_are_the_librarys(site, sample_ws):
    from siting.rules import load_rules

    out, report = site
    feats = _json(out / "data/gaps.geojson")["features"]
    for t in ("urban", "rural"):
        exact = compute_gaps(sample_ws, load_rules(), licence_type=t)
        mine = [f for f in feats if f["properties"]["licence_type"] == t]
        assert len(mine) == len(exact) == report.gaps[t] > 0
        by_id = {f["properties"]["gap_id"]: f for f in mine}
        for row in exact.itertuples():
            p = by_id[row.gap_id]["properties"]
            assert (p["rank"], p["county"], p["uncovered_population"], p["settlements"]) == (
                row.rank, row.county, row.uncovered_population, row.settlements)
            # simplified, but the same area: the symmetric difference is under 1.5 % of the part
            g = shape(by_id[row.gap_id]["geometry"])
            assert g.is_valid
            diff = geodesic_area_km2(shapely.symmetric_difference(g, row.geometry))
            assert diff <= 0.015 * geodesic_area_km2(row.geometry) + 0.05, (row.gap_id, diff)


def test_coordinates_are_rounded_to_five_decimals(site):
    out, _ = site
    for name in ("data/gaps.geojson", "data/region.geojson", "data/offices.json", "data/settlements.json"):
        text = (out / name).read_text(encoding="utf-8")
        decimals = [len(m) for m in re.findall(r"-?\d+\.(\d+)", text)]
        assert decimals and max(decimals) <= 5, name


def test_settlements_carry_the_match_key_of_their_names(site, sample_ws):
    out, report = site
    recs = _json(out / "data/settlements.json")
    s = sample_ws.settlements
    assert len(recs) == report.settlements == len(s) == 923
    assert [r["key"] for r in recs] == [match_key(n) for n in s["name_fa"]]
    assert [r["name"] for r in recs] == list(s["name_fa"])


def _js_fold(text: str, table: dict[str, str]) -> str:
    """What app.js's fold() does, step by step: NFKC, the table, NFKD without marks, lower case,
    letters and digits only."""
    t = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFKC", text))
    t = "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.category(ch).startswith("M"))
    return "".join(ch for ch in t.lower() if unicodedata.category(ch)[0] in "LN")


def test_the_exported_fold_table_folds_typed_text_as_match_key(site, sample_ws):
    out, _ = site
    table = _json(out / "data/meta.json")["fold"]
    assert table == fold_table()
    assert table["ي"] == "ی" and table["ك"] == "ک" and table["\u200c"] == "" and table["۵"] == "5"
    names = [*sample_ws.settlements["name_fa"], *sample_ws.settlements["name_en"].dropna()]
    typed = ["حاجي‌آباد", "حاجی آباد", "حاجى  اباد", "قائنات", "قاینات", "عشق‌آباد", "كلاته",
             "روستای ۱۲", "روستاي ١٢", "Ḩājjīābād", "HAJI-ABAD", "سَرایان"]
    for text in names + typed + [n.replace("ی", "ي").replace("ک", "ك").replace(" ", "\u200c") for n in names]:
        assert _js_fold(text, table) == match_key(text), text


def test_applicant_steps_are_the_workflows_new_licence_steps(site):
    out, _ = site
    steps = _json(out / "data/meta.json")["steps"]
    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    expected = [s for s in wf["steps"]
                if "new" in (s.get("applies_to") or {}).get("request_types", ["new"])]
    assert [s["id"] for s in steps] == [s["id"] for s in expected]
    assert {"principles", "request", "company_registration"} <= {s["id"] for s in steps}
    assert "directorate_review" not in {s["id"] for s in steps}  # renewal and the like only
    reg = next(s for s in steps if s["id"] == "company_registration")
    assert reg["licence_types"] == ["urban"] and reg["fa"].startswith("ثبت شرکت")
    assert next(s for s in steps if s["id"] == "request")["phase_fa"] == wf["phases"]["request"]["fa"]


def test_no_personal_field_or_value_is_published(sample_ws, rules, tmp_path):
    o = sample_ws.offices.copy()
    n = len(o)
    o["licence_number"] = [f"LIC-SECRET-{i:04d}" for i in range(n)]
    o["address"] = [f"خیابان محرمانه پلاک {i} holder-address-{i}" for i in range(n)]
    o["issued"] = "1999-01-02"
    o["expires"] = "2099-03-04"
    o["office_id"] = [f"OFFICEID-{i}" for i in range(n)]
    o["source"] = "register of holders: SECRET-SOURCE"
    ws = sample_ws.with_layer("offices", o)
    out = tmp_path / "site"
    publish(ws, out, rules=rules)
    for path in out.rglob("*"):
        if not path.is_file() or path.suffix == ".png":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("LIC-SECRET", "holder-address", "محرمانه", "1999-01-02", "2099-03-04", "OFFICEID",
                       "SECRET-SOURCE"):
            assert needle not in text, (path.name, needle)
        if path.suffix in (".json", ".geojson"):
            assert not (_walk_keys(json.loads(text)) & FORBIDDEN_KEYS), path.name


def test_english_default_and_a_basemap(sample_ws, rules, tmp_path):
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    report = publish(sample_ws, tmp_path / "en", rules=rules, lang_default="en", basemap_url=url)
    html = (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in html
    assert _json(tmp_path / "en" / "data/meta.json")["basemap_url"] == url == report.basemap_url


@pytest.mark.parametrize("url, reason", [
    ("javascript:alert(1)//{z}{x}{y}", "expected an http"),
    ("https://t.example.org/{z}/{x}.png", "lacks {y}"),
    ('https://t.example.org/{z}/{x}/{y}.png"><script>', "no spaces or quotes"),
    ("https://t.example.org/" + "a" * 3000 + "/{z}/{x}/{y}", "at most 2000"),
    ("ftp://t.example.org/{z}/{x}/{y}.png", "expected an http"),
])
def test_bad_basemap_urls_are_refused(sample_ws, rules, tmp_path, url, reason):
    with pytest.raises(InputError, match=re.escape(reason)):
        publish(sample_ws, tmp_path / "x", rules=rules, basemap_url=url)
    assert not (tmp_path / "x").exists()


def test_bad_language_is_refused(sample_ws, rules, tmp_path):
    with pytest.raises(InputError, match="--lang 'de': expected fa or en"):
        publish(sample_ws, tmp_path / "x", rules=rules, lang_default="de")


def test_a_foreign_folder_is_refused_and_left_alone(sample_ws, rules, tmp_path):
    out = tmp_path / "www"
    out.mkdir()
    (out / "index.html").write_text("the directorate's own page", encoding="utf-8")
    (out / MARKER).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"www: the folder is not empty and is not a previous `siting publish`"):
        publish(sample_ws, out, rules=rules)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "index.html"]
    assert (out / "index.html").read_text(encoding="utf-8") == "the directorate's own page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["www"]  # no temporary folder left


def test_a_file_a_missing_parent_and_a_symlink_are_refused(sample_ws, rules, tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="exists and is not a folder"):
        publish(sample_ws, tmp_path / "f", rules=rules)
    with pytest.raises(InputError, match="does not exist; create it first"):
        publish(sample_ws, tmp_path / "no" / "site", rules=rules)
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(InputError, match="symbolic link"):
        publish(sample_ws, tmp_path / "link", rules=rules)


def test_an_empty_folder_and_a_previous_publish_are_replaced_whole(sample_ws, rules, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    first = publish(sample_ws, out, rules=rules)
    assert not first.replaced
    (out / "stale.txt").write_text("left by hand", encoding="utf-8")
    second = publish(sample_ws, out, rules=rules, lang_default="en")
    assert second.replaced
    assert not (out / "stale.txt").exists()
    assert '<html lang="en" dir="ltr">' in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failure_while_writing_leaves_the_previous_site(sample_ws, rules, tmp_path, monkeypatch):
    out = tmp_path / "site"
    publish(sample_ws, out, rules=rules)
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = pub._write_tree

    def half(root, files):  # writes a few files, then the disk is full
        real(root, dict(list(files.items())[:3]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pub, "_write_tree", half)
    with pytest.raises(InputError, match="writing the site failed .No space left on device.; the folder is as it was"):
        publish(sample_ws, out, rules=rules, lang_default="en")
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_cli_publish_json_and_refusal(sample_ws_path, tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["publish", "--out", str(out), "-w", str(sample_ws_path), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["sample"] is True and got["offices"] == 56 and got["data_bytes"] < DATA_LIMIT_BYTES
    assert set(got["gaps"]) == {"urban", "rural"} and (out / "index.html").is_file()
    assert main(["publish", "--out", str(out), "-w", str(sample_ws_path)]) == 0
    text = capsys.readouterr().out
    assert "SAMPLE data" in text and "previous publish was replaced" in text and "data/gaps.geojson" in text
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "a.txt").write_text("x", encoding="utf-8")
    assert main(["publish", "--out", str(tmp_path / "other"), "-w", str(sample_ws_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "other: the folder is not empty" in err and "Traceback" not in err
    assert main(["publish", "--out", str(tmp_path / "x"), "-w", str(tmp_path / "missing.gpkg")]) == 2
    assert "workspace not found" in capsys.readouterr().err
    assert main(["publish", "--out", str(tmp_path / "x"), "-w", str(sample_ws_path), "--basemap", "nope"]) == 2
    assert "--basemap 'nope'" in capsys.readouterr().err


@pytest.mark.reference
def test_the_reference_province_publishes_under_two_megabytes(reference_dir, tmp_path, rules):
    from siting.io.manifest import init_workspace
    from siting.workspace import Workspace

    path = tmp_path / "ref.gpkg"
    init_workspace(ROOT / "data" / "sources" / "south-khorasan.yaml", reference_dir, path)
    ws = Workspace.load(path)
    report = publish(ws, tmp_path / "site", rules=rules)
    assert not report.sample
    assert 'id="sample-banner"' not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert report.data_bytes < DATA_LIMIT_BYTES
    assert report.settlements == len(ws.settlements) and report.offices == len(ws.offices)
    for t in ("urban", "rural"):
        assert report.gaps.get(t, 0) == len(compute_gaps(ws, rules, licence_type=t))
    print({f: n for f, n in report.files.items() if f.startswith("data/")}, report.data_bytes)


def test_a_workspace_without_region_or_offices_still_publishes(sample_ws, rules, tmp_path):
    from siting.workspace import empty_layer

    ws = sample_ws.with_layer("offices", empty_layer("offices"))
    report = publish(ws, tmp_path / "no-offices", rules=rules)
    assert report.offices == 0
    # no office at all: each type's gap is the whole region, cut by the counties
    for t in ("urban", "rural"):
        assert report.gaps[t] == len(compute_gaps(ws, rules, licence_type=t)) == len(ws.counties)
    ws = sample_ws.with_layer("region", empty_layer("region"))
    report = publish(ws, tmp_path / "no-region", rules=rules)
    assert report.gaps == {} and _json(tmp_path / "no-region" / "data/meta.json")["bounds"] is None
    assert [f["properties"]["layer"] for f in _json(tmp_path / "no-region" / "data/region.geojson")["features"]] == (
        ["county"] * len(ws.counties))
