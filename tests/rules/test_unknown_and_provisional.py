"""Issue 15 (9): a rule that cannot be evaluated is "unknown" (never a pass) and the overall result
says so; thresholds that are placeholders in the rules file are marked provisional in every report."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from siting.reports.html import report_html, report_json
from siting.rules import DEFAULT_RULES_PATH, load_rules
from siting.rules.site import UNDECIDED, check_sites
from siting.rules.validate import overall_status, validate_site
from siting.samples.hand import hand_workspace
from siting.workspace import Workspace


def _without_offices() -> Workspace:
    """The hand workspace with an empty office list (like the reference workspace: no register)."""
    ws = hand_workspace()
    return Workspace(ws.region, ws.counties, ws.settlements, ws.offices.iloc[:0].copy(), meta=ws.meta)


def test_no_office_list_makes_distance_and_population_rules_unknown():
    ws = _without_offices()
    # an urban site in Birjand city: every site rule that needs no office passes
    rep = validate_site(ws, licence_type="urban", lon=59.22, lat=32.87)
    by_id = {r.id: r for r in rep.rules}
    assert by_id["inside_region"].status == "pass" and by_id["site_in_city"].status == "pass"
    for rid in ("min_distance_same_type", "min_distance_any_type", "min_uncovered_population"):
        assert by_id[rid].status == "unknown", rid
        assert "No active office is recorded" in by_id[rid].message_en
        assert "فهرست دفترها" in by_id[rid].message_fa
    assert rep.status == "unknown"


def test_with_an_office_list_a_type_without_offices_still_passes(hand_ws):
    # offices registered, but none rural active near: the register is known, the same-type rule can pass
    ws = hand_ws
    keep = ws.offices["licence_type"] == "urban"
    only_urban = Workspace(ws.region, ws.counties, ws.settlements, ws.offices[keep].copy(), meta=ws.meta)
    rep = validate_site(only_urban, licence_type="rural", lon=59.52, lat=32.72)
    assert rep.rule("min_distance_same_type").status == "pass"
    assert rep.rule("min_distance_any_type").status == "pass"


def test_check_sites_leaves_distance_rules_undecided_without_offices():
    ws = _without_offices()
    chk = check_sites(ws, load_rules(), "urban", [59.22], [32.87])
    assert chk.status["min_distance_same_type"][0] == UNDECIDED
    assert chk.status["min_distance_any_type"][0] == UNDECIDED


@pytest.mark.parametrize(("statuses", "expected"), [
    (["pass", "pass"], "pass"),
    (["pass", "warn"], "warn"),
    (["pass", "warn", "unknown"], "unknown"),
    (["unknown", "fail"], "fail"),
    ([], "pass"),
])
def test_overall_status(statuses, expected):
    assert overall_status(statuses) == expected


def test_placeholder_thresholds_are_marked_provisional(hand_ws, rules):
    rep = validate_site(hand_ws, rules, licence_type="rural", lon=59.52, lat=32.72, applicant_type="natural")
    prov = {r.id: r.provisional for r in rep.rules}
    # every one of these thresholds is `placeholder: true` in the shipped rules file
    assert prov["min_distance_same_type"] and prov["near_village"] and prov["min_uncovered_population"]
    # the region and the applicant type come from the guide: final
    assert not prov["inside_region"] and not prov["applicant_type"]
    assert rep.to_dict()["rules"][1]["provisional"] is True


def test_a_value_set_by_the_working_group_is_not_provisional(tmp_path, hand_ws):
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    block = text[text.index("rural:"):]
    start = block.index("  min_distance_same_type_m:")
    seg = block[start:block.index("  min_distance_any_type_m:")]
    assert "placeholder: true" in seg
    text = text.replace(seg, seg.replace("placeholder: true", "placeholder: false"))
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    rep = validate_site(hand_ws, load_rules(path), licence_type="rural", lon=59.52, lat=32.72)
    assert rep.rule("min_distance_same_type").provisional is False
    assert rep.rule("min_distance_any_type").provisional is True


def test_html_and_json_reports_show_unknown_and_provisional():
    rep = validate_site(_without_offices(), licence_type="urban", lon=59.22, lat=32.87)
    fa = report_html(rep, lang="fa")
    en = report_html(rep, lang="en")
    assert 'data-status="unknown"' in fa and "<b>نتیجه: نامعلوم</b>" in fa
    assert "(موقت)" in fa and "«موقت»" in fa
    assert "(provisional)" in en and "not a pass" in en
    d = json.loads(report_json(rep))
    assert d["status"] == "unknown"
    assert {r["id"] for r in d["rules"] if r["provisional"]} >= {"min_distance_same_type", "site_in_city"}


def test_cli_table_marks_provisional_and_unknown(tmp_path):
    ws = _without_offices()
    path = tmp_path / "ws.gpkg"
    ws.save(path)
    cli = str(Path(sys.executable).parent / "siting")
    p = subprocess.run([cli, "validate", "--lon", "59.22", "--lat", "32.87", "--type", "urban", "-w", str(path)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert ": UNKNOWN" in p.stdout and "(provisional)" in p.stdout
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("min_distance_same_type")]
    assert lines and "unknown" in lines[0]
