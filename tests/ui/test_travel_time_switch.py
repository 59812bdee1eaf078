"""The distance/time switch on the applicant, planner and scenario pages: disabled (with the reason) on a
workspace without roads; on the sample (which has roads) choosing travel time draws the offices' service
areas, changes the labels and hands the switched rules to the library."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from apptest_helpers import assert_clean, deck_spec, layer, open_app, sha256, table_with, texts

from siting import fmt
from siting.coverage import compute_coverage
from siting.io.manifest import init_workspace
from siting.reports.html import status_label
from siting.rules import load_rules
from siting.rules.validate import validate_site
from siting.workspace import Workspace
from ui.i18n import t
from ui.views.travel import office_isochrones

ROOT = Path(__file__).resolve().parents[2]
PREFIX = {"applicant": "applicant", "planner": "planner", "scenarios": "scenario"}


def _layer_ids(at, index: int = 0) -> list[str]:
    return [lyr["id"] for lyr in deck_spec(at, index)["layers"]]


def _captions(at) -> str:
    return "\n".join(texts(at.caption))


@pytest.fixture()
def no_roads(tmp_path, monkeypatch) -> Path:
    """The sample workspace built without its roads (the manifest's other layers, same files)."""
    manifest = yaml.safe_load((ROOT / "data/sources/sample.yaml").read_text(encoding="utf-8"))
    del manifest["layers"]["roads"]
    manifest["root"] = str(ROOT / "data" / "sample")
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    ws = tmp_path / "noroads.gpkg"
    init_workspace(path, workspace=ws)
    assert not len(Workspace.load(ws).roads)
    monkeypatch.setenv("SITING_WORKSPACE", str(ws))
    return ws


@pytest.mark.parametrize("page", ["applicant", "planner", "scenarios"])
def test_switch_is_disabled_without_roads_and_says_why(no_roads, page):
    at = open_app(page)
    switch = at.radio(key=f"{PREFIX[page]}.measure")
    assert switch.disabled and switch.value == "distance"
    assert switch.options == [t("measure.distance", "fa"), t("measure.time", "fa")]
    assert t("measure.no_roads", "fa") in _captions(at)
    if page != "scenarios":  # the scenario page has no map before a run
        assert "isochrones" not in _layer_ids(at)


def test_planner_travel_time_draws_service_areas_and_uses_the_switched_rules(open_page, ws):
    rules = load_rules()
    at = open_page("planner")
    switch = at.radio(key="planner.measure")
    assert not switch.disabled and switch.value == "distance"
    assert "isochrones" not in _layer_ids(at)
    assert "پوشش یعنی فاصلهٔ مستقیم ≤ ۳٫۰ کیلومتر" in _captions(at)

    switch.set_value("time").run()
    assert_clean(at)
    shown = layer(at, "isochrones")["data"]["features"]
    expected = office_isochrones(ws, rules, "any", "fa")["features"]
    assert len(shown) == len(expected) == len(ws.index.office_rows["any"])
    assert [f["properties"]["area_km2"] for f in shown] == pytest.approx(
        [f["properties"]["area_km2"] for f in expected])
    caption = _captions(at)
    assert f"زمان سفر در راه ≤ {fmt.number(rules.urban.service_time_min)} دقیقه" in caption
    assert f"زمان سفر در راه ≤ {fmt.number(rules.rural.service_time_min)} دقیقه" in caption
    assert t("measure.off_network", "fa") in caption
    timed = compute_coverage(ws, rules.with_measure("time"))
    covered = [m.value for m in at.metric if m.label.startswith("جمعیت پوشش‌یافته")]
    assert covered == [fmt.number(timed.totals["covered_population"])]

    # the choice is kept for the session: the applicant page opens on travel time
    at.switch_page("ui/pages/applicant.py").run()
    assert at.radio(key="applicant.measure").value == "time"
    at.switch_page("ui/pages/planner.py").run()
    at.radio(key="planner.measure").set_value("distance").run()
    assert_clean(at)
    assert "isochrones" not in _layer_ids(at) and t("measure.off_network", "fa") not in _captions(at)


def test_planner_labels_in_english(open_page):
    at = open_page("planner", lang="en")
    assert at.radio(key="planner.measure").options == ["straight-line distance", "travel time by road"]
    at.radio(key="planner.measure").set_value("time").run()
    assert_clean(at)
    assert "Covered means travel time by road ≤ 15 min (urban Pishkhan)" in _captions(at)
    tips = [f["properties"]["tip"] for f in layer(at, "isochrones")["data"]["features"]]
    assert tips and all(tip.startswith("service area of ") and "min by road" in tip for tip in tips)


def test_applicant_travel_time_map_and_report(open_page, ws):
    rules = load_rules()
    lon, lat = 58.32945, 33.96396  # sample proposal SMP-P02
    at = open_page("applicant")
    at.radio(key="applicant.licence_type").set_value("rural").run()
    at.radio(key="applicant.measure").set_value("time").run()
    assert_clean(at)
    shown = layer(at, "isochrones")["data"]["features"]
    assert len(shown) == len(ws.index.office_rows["rural"])
    assert {f["properties"]["licence_type"] for f in shown} == {"rural"}
    assert f"زمان سفر در راه ≤ {fmt.number(rules.rural.service_time_min)} دقیقه" in _captions(at)

    at.text_input(key="applicant.lat").input(str(lat))
    at.text_input(key="applicant.lon").input(str(lon))
    at.button(key="FormSubmitter:applicant.coords_form-بررسی این نقطه").click().run()
    assert_clean(at)
    ids = _layer_ids(at)
    # by travel time the candidate's service area replaces its radius circle
    assert "candidate-area" in ids and "candidate" in ids and "candidate-radius" not in ids
    area = layer(at, "candidate-area")["data"]["features"][0]["properties"]
    assert area["minutes"] == rules.rural.service_time_min
    expected = validate_site(ws, rules.with_measure("time"), licence_type="rural", lon=lon, lat=lat)
    table = table_with(at, "نتیجه")
    for r in expected.rules:
        assert table.loc[r.title_fa, "نتیجه"].endswith(status_label(r.status))

    at.radio(key="applicant.measure").set_value("distance").run()
    ids = _layer_ids(at)
    assert "candidate-radius" in ids and "candidate-area" not in ids and "isochrones" not in ids


def test_scenarios_travel_time_uses_the_service_time_and_draws_service_areas(open_page, ws):
    rules = load_rules()
    at = open_page("scenarios")
    assert at.number_input(key="scenario.radius_km.rural")
    at.radio(key="scenario.measure").set_value("time").run()
    assert_clean(at)
    assert not [w for w in at.number_input if w.key == "scenario.radius_km.rural"]
    assert f"زمان سفر در راه ≤ {fmt.number(rules.rural.service_time_min)} دقیقه" in _captions(at)
    at.number_input(key="scenario.k").set_value(2).run()
    at.button(key="scenario.run").click().run()
    assert_clean(at)
    ids = _layer_ids(at)
    assert "isochrones" in ids and "sites" in ids and "sites-radius" not in ids and "gaps" not in ids
    assert len(layer(at, "isochrones")["data"]["features"]) == len(ws.index.office_rows["rural"])


def test_the_switch_writes_nothing(open_page, workspace_copy):
    before = sha256(workspace_copy)
    at = open_page("planner")
    at.radio(key="planner.measure").set_value("time").run()
    assert_clean(at)
    assert sha256(workspace_copy) == before
