"""Applicant page: map, the three ways to choose a site, the validation report, bad input."""

from __future__ import annotations

import h3
import numpy as np
import pytest
from apptest_helpers import assert_clean, deck_spec, layer, select_on_map, sha256, table_with, texts
from pyproj import Geod

from siting import fmt
from siting.reports.html import format_value, status_label
from siting.rules import load_rules
from siting.rules.validate import validate_site
from siting.text import match_key, to_persian_digits
from ui.components import site_picker
from ui.views.picking import COARSE_RESOLUTION, FINE_RESOLUTION, Candidate, pick_cells

GEOD = Geod(ellps="WGS84")
RULE = "شرط"
RESULT = "نتیجه"
VALUE = "مقدار"


def _candidate_line(at) -> str:
    lines = [v for v in texts(at.markdown) if "محل پیشنهادی:" in v]
    assert len(lines) == 1, lines
    return lines[0]


def _nearest_active_m(ws, lon, lat, licence_type=None):
    o = ws.offices[ws.offices["status"] == "active"]
    if licence_type:
        o = o[o["licence_type"] == licence_type]
    _, _, d = GEOD.inv(np.full(len(o), lon), np.full(len(o), lat), o.geometry.x.to_numpy(), o.geometry.y.to_numpy())
    return float(d.min())


def test_widgets_map_layers_and_sample_banner(open_page, ws):
    at = open_page("applicant")
    assert at.title[0].value == "انتخاب و بررسی محل"
    assert any("دادهٔ نمونه" in w for w in texts(at.warning))  # sample data labelled
    assert at.radio(key="applicant.licence_type").options == ["پیشخوان شهری", "ICT روستایی"]
    assert at.selectbox(key="applicant.county").options == ["همهٔ شهرستان‌ها", *ws.counties["name_fa"]]
    assert [w.label for w in at.text_input] == [
        "جست‌وجوی آبادی روی نقشه",  # the search box on the map itself
        "عرض جغرافیایی (مثلاً ۳۲٫۸۶۶۳)", "طول جغرافیایی (مثلاً ۵۹٫۲۲۱۱)", "نام یا کد سکونتگاه"]
    assert at.toggle(key="applicant.basemap").value is False  # the internet basemap is off by default
    spec = deck_spec(at)
    # offline: a background-only style in a data: URL (nothing fetched), which gives the map zoom buttons
    assert spec["mapStyle"].startswith("data:application/json") and "http" not in spec["mapStyle"]
    assert [lyr["id"] for lyr in spec["layers"]] == ["region", "counties", "gaps", "pick-cells", "settlements", "offices",
                                                    "labels-villages", "labels-cities", "labels-counties",
                                                    "scale-bar", "scale-label"]
    # nothing drawn that costs a browser without a GPU and shows nothing: no county fill (counties are not
    # pickable here), no gap outlines (the orange fill shows the gaps)
    assert layer(at, "counties")["filled"] is False and layer(at, "gaps")["stroked"] is False
    assert layer(at, "gaps")["filled"] is True
    assert len(layer(at, "settlements")["data"]) == len(ws.settlements)
    assert len(layer(at, "offices")["data"]) == (ws.offices["licence_type"] == "urban").sum()
    expected_cells = pick_cells(ws, load_rules(), licence_type="urban")
    assert [c["h3"] for c in layer(at, "pick-cells")["data"]] == expected_cells["h3"].tolist()
    assert "گزارش بررسی محل" not in texts(at.subheader)  # no report before a site is chosen
    assert not [t for t in at.table]


@pytest.mark.parametrize("licence_type", ["rural", "urban"])
def test_typed_persian_coordinates_give_the_expected_rule_results(open_page, ws, workspace_copy, licence_type):
    before = sha256(workspace_copy)
    lon, lat = 58.32945, 33.96396  # sample proposal SMP-P02
    at = open_page("applicant")
    at.radio(key="applicant.licence_type").set_value(licence_type).run()
    at.text_input(key="applicant.lat").input(to_persian_digits("33.96396").replace(".", "٫"))
    at.text_input(key="applicant.lon").input(to_persian_digits("58.32945").replace(".", "٫"))
    at.button(key="FormSubmitter:applicant.coords_form-بررسی این نقطه").click().run()
    assert_clean(at)
    assert "با مختصات" not in _candidate_line(at) and "۳۳٫۹۶۳۹۶" in _candidate_line(at)

    expected = validate_site(ws, load_rules(), licence_type=licence_type, lon=lon, lat=lat)
    shown = table_with(at, RESULT)
    assert shown.index.tolist() == [r.title_fa for r in expected.rules]
    for r in expected.rules:
        assert shown.loc[r.title_fa, RESULT].endswith(status_label(r.status))
        assert shown.loc[r.title_fa, VALUE] == format_value(r.value, r.unit, "fa")
    # the distance rule's value is the geodesic distance to the nearest active office of that type
    d = _nearest_active_m(ws, lon, lat, licence_type)
    rule = expected.rule("min_distance_same_type")
    assert rule.value == pytest.approx(d, rel=5e-4)
    assert shown.loc[rule.title_fa, VALUE] == fmt.distance(rule.value)
    status_box = {"pass": at.success, "warn": at.warning, "unknown": at.warning, "fail": at.error}[expected.status]
    assert any(v.startswith(status_label(expected.status)) for v in texts(status_box))
    assert texts(at.metric)[0] == expected.county
    assert [b.label for b in at.get("download_button")] == [
        "دریافت گزارش برای چاپ (HTML)", "دریافت گزارش (JSON)"]
    assert sha256(workspace_copy) == before  # validating writes nothing


def test_settlement_by_name(open_page, ws):
    keys = [match_key(n) for n in ws.settlements["name_fa"]]
    row = next(i for i, k in enumerate(keys) if keys.count(k) == 1 and ws.settlements["kind"].iat[i] == "village")
    name = ws.settlements["name_fa"].iat[row]
    at = open_page("applicant")
    at.radio(key="applicant.licence_type").set_value("rural").run()
    at.text_input(key="applicant.settlement").input(name)
    at.button(key="FormSubmitter:applicant.settlement_form-یافتن و بررسی").click().run()
    assert_clean(at)
    assert name in _candidate_line(at)
    g = ws.settlements.geometry.iat[row]
    cand = at.session_state[site_picker.CANDIDATE_KEY]
    assert (cand.lon, cand.lat) == (g.x, g.y)
    assert texts(at.metric)[0] == ws.county_of(g.x, g.y)[0]
    village = table_with(at, RESULT).loc["نزدیک روستا"]
    assert village[RESULT].endswith("قبول") and village[VALUE] == "۰ متر"  # the site is the village itself


@pytest.mark.parametrize(("form", "values", "message"), [
    ("coords", {"applicant.lat": "abc", "applicant.lon": "59.2"}, "«abc» عدد نیست"),
    ("coords", {"applicant.lat": "", "applicant.lon": "59.2"}, "عرض جغرافیایی را بنویسید"),
    ("coords", {"applicant.lat": "35.6892", "applicant.lon": "51.3890"}, "بیرون از استان است"),  # Tehran
    ("coords", {"applicant.lat": "59.2211", "applicant.lon": "32.8663"}, "جای عرض و طول جغرافیایی عوض شده"),
    ("settlement", {"applicant.settlement": "ناکجاآباد"}, "«ناکجاآباد» در فضای کاری پیدا نشد"),
])
def test_bad_input_shows_a_message_and_writes_nothing(open_page, workspace_copy, form, values, message):
    before = sha256(workspace_copy)
    at = open_page("applicant")
    for key, value in values.items():
        at.text_input(key=key).input(value)
    button = ("FormSubmitter:applicant.coords_form-بررسی این نقطه" if form == "coords"
              else "FormSubmitter:applicant.settlement_form-یافتن و بررسی")
    at.button(key=button).click().run()
    assert_clean(at)
    assert any(message in e for e in texts(at.error)), texts(at.error)
    assert not at.table  # no report
    assert site_picker.CANDIDATE_KEY not in at.session_state
    assert sha256(workspace_copy) == before


def test_picking_a_cell_then_a_finer_cell_on_the_map(open_page, ws):
    at = open_page("applicant")
    assert layer(at, "pick-cells")["stroked"] is True  # outlined at the province's zoom, before a pick
    cells = pick_cells(ws, load_rules(), licence_type="urban")
    coarse = cells.sort_values("uncovered_population").h3.iat[-1]  # the gap cell with most people
    at = select_on_map(at, {"pick-cells": [{"h3": coarse, "tip": "…"}]})
    assert_clean(at)
    lat, lon = h3.cell_to_latlng(coarse)
    assert at.session_state[site_picker.CANDIDATE_KEY] == Candidate(lon, lat, "cell", coarse)
    assert "شش‌ضلعی نقشه" in _candidate_line(at)
    assert texts(at.metric)[0] == ws.county_of(lon, lat)[0]
    expected = validate_site(ws, load_rules(), licence_type="urban", lon=lon, lat=lat)
    assert table_with(at, RESULT).index.tolist() == [r.title_fa for r in expected.rules]
    # the fine grid around the candidate: the children of the picked cell (inside the region), outlined;
    # the coarse grid now tinted only
    fine = [c["h3"] for c in layer(at, "pick-fine")["data"]]
    assert layer(at, "pick-fine")["stroked"] is True and layer(at, "pick-cells")["stroked"] is False
    assert set(fine) <= set(h3.cell_to_children(coarse, FINE_RESOLUTION)) and len(fine) > 40
    spec = deck_spec(at)
    assert spec["initialViewState"]["longitude"] == pytest.approx(lon)  # the map centres on the candidate
    # a second click on a fine cell refines the site
    at = select_on_map(at, {"pick-fine": [{"h3": fine[3]}]})
    flat, flon = h3.cell_to_latlng(fine[3])
    cand = at.session_state[site_picker.CANDIDATE_KEY]
    assert (cand.source, cand.lon, cand.lat) == ("fine-cell", flon, flat)
    assert h3.latlng_to_cell(flat, flon, COARSE_RESOLUTION) == coarse
    assert "شش‌ضلعی ریز نقشه" in _candidate_line(at)


def test_the_map_stays_one_widget_and_a_pick_after_a_search_is_a_new_pick(open_page, ws):
    """The map's widget key never changes (the browser keeps its map); a site set by name makes a new
    generation of the pickable layers, so the cell picked before can be picked again."""
    at = open_page("applicant")
    cells = pick_cells(ws, load_rules(), licence_type="urban")
    coarse = cells.sort_values("uncovered_population").h3.iat[-1]
    at = select_on_map(at, {"pick-cells": [{"h3": coarse, "tip": "…"}]})
    chart_id = at.get("deck_gl_json_chart")[0].proto.id
    assert at.session_state[site_picker.CANDIDATE_KEY].cell == coarse
    name = ws.settlements["name_fa"].iat[0]
    at.text_input(key="applicant.settlement").input(name)
    at.button(key="FormSubmitter:applicant.settlement_form-یافتن و بررسی").click().run()
    assert_clean(at)
    assert at.session_state[site_picker.CANDIDATE_KEY].source == "settlement"
    assert at.get("deck_gl_json_chart")[0].proto.id == chart_id  # the same map, not a new one
    ids = [lyr["id"] for lyr in deck_spec(at)["layers"]]
    # only the layer holding the pick is renamed: deck.gl rebuilds a renamed layer (another frame)
    assert "pick-cells~1" in ids and "pick-cells" not in ids and "settlements" in ids
    # the same cell again, as the browser sends it from the new generation's layer
    at = select_on_map(at, {"pick-cells~1": [{"h3": coarse, "tip": "…"}]})
    assert_clean(at)
    lat, lon = h3.cell_to_latlng(coarse)
    assert at.session_state[site_picker.CANDIDATE_KEY] == Candidate(lon, lat, "cell", coarse)
    assert "شش‌ضلعی نقشه" in _candidate_line(at)


def test_picks_on_the_map_keep_the_view_a_search_fits_the_site(open_page, ws):
    """The first pick fits the site's surroundings; a later pick inside them keeps the view (no jump under
    the pointer, one frame to draw); a pick outside them, or a site found by name, fits again."""
    at = open_page("applicant")
    province = deck_spec(at)["initialViewState"]
    cells = pick_cells(ws, load_rules(), licence_type="urban")
    coarse = cells.sort_values("uncovered_population").h3.iat[-1]
    at = select_on_map(at, {"pick-cells": [{"h3": coarse, "tip": "…"}]})
    first = deck_spec(at)["initialViewState"]
    _, lon = h3.cell_to_latlng(coarse)
    assert first["zoom"] > province["zoom"] + 1 and first["longitude"] == pytest.approx(lon)
    fine = [c["h3"] for c in layer(at, "pick-fine")["data"]]
    at = select_on_map(at, {"pick-fine": [{"h3": fine[3]}]})
    assert at.session_state[site_picker.CANDIDATE_KEY].cell == coarse
    assert deck_spec(at)["initialViewState"] == first  # the same view: the map does not move
    # a coarse cell far away (outside the view): fitted to that site
    flat, flon = h3.cell_to_latlng(coarse)
    far = max(cells.h3, key=lambda c: GEOD.inv(flon, flat, h3.cell_to_latlng(c)[1], h3.cell_to_latlng(c)[0])[2])
    at = select_on_map(at, {"pick-cells": [{"h3": far, "tip": "…"}]})
    assert_clean(at)
    moved = deck_spec(at)["initialViewState"]
    assert moved["longitude"] == pytest.approx(h3.cell_to_latlng(far)[1]) and moved != first
    # a settlement found by name inside the view shown: fitted to it all the same
    s = ws.settlements
    _, _, d = GEOD.inv(np.full(len(s), moved["longitude"]), np.full(len(s), moved["latitude"]), s.geometry.x, s.geometry.y)
    name = s["name_fa"].iat[int(np.argmin(d))]
    at.text_input(key="applicant.settlement").input(name)
    at.button(key="FormSubmitter:applicant.settlement_form-یافتن و بررسی").click().run()
    assert_clean(at)
    found = at.session_state[site_picker.CANDIDATE_KEY]
    assert found.source == "settlement" and found.lon != pytest.approx(moved["longitude"], abs=1e-4)
    assert deck_spec(at)["initialViewState"]["longitude"] == pytest.approx(found.lon)


def test_picking_a_settlement_an_office_and_a_bad_object(open_page, ws):
    at = open_page("applicant")
    code = ws.settlements["code"].iat[5]
    at = select_on_map(at, {"settlements": [{"code": code}]})
    g = ws.settlements.geometry.iat[5]
    assert at.session_state[site_picker.CANDIDATE_KEY].lon == g.x
    at = select_on_map(at, {"offices": [{"office_id": ws.offices["office_id"].iat[0]}]})
    assert at.session_state[site_picker.CANDIDATE_KEY].lon == g.x  # an office picks no site: unchanged
    at = select_on_map(at, {"pick-cells": [{"h3": "not-a-cell"}]})
    assert_clean(at)
    assert any("انتخاب روی نقشه معتبر نبود" in e for e in texts(at.error))
    # a refused pick clears the previous site (issue 15: its report must not stand for the refused input)
    assert site_picker.CANDIDATE_KEY not in at.session_state and not at.table


def test_selection_handler_with_a_picked_object_payload(ws):
    """The map's handler alone, as the browser would call it after a click."""
    state: dict = {}
    cell = h3.latlng_to_cell(33.0, 58.5, COARSE_RESOLUTION)
    got = site_picker.apply_selection(ws, {"indices": {"pick-cells": [12]},
                                           "objects": {"pick-cells": [{"h3": cell, "tip": "x"}]}}, state, "fa")
    lat, lon = h3.cell_to_latlng(cell)
    assert got == state[site_picker.CANDIDATE_KEY] == Candidate(lon, lat, "cell", cell)
    assert site_picker.apply_selection(ws, {"indices": {}, "objects": {}}, state, "fa") is None  # a deselection
    assert state[site_picker.CANDIDATE_KEY].lon == lon
    site_picker.apply_selection(ws, {"objects": {"pick-fine": [{"h3": 12}]}}, state, "en")
    assert state[site_picker.ERROR_KEY] == "The map selection was not valid; click a hexagon again."


def test_internet_basemap_is_optional_and_labelled(open_page):
    at = open_page("applicant")
    toggle = at.toggle(key="applicant.basemap")
    assert toggle.label == "نقشهٔ پایه (نیاز به اینترنت)" and toggle.value is False
    assert "mapProvider" not in deck_spec(at)  # offline: our own layers only
    toggle.set_value(True).run()
    assert_clean(at)
    spec = deck_spec(at)
    assert spec["mapProvider"] == "carto" and spec["mapStyle"].startswith("https://basemaps.cartocdn.com/")
    assert [lyr["id"] for lyr in spec["layers"]][:3] == ["region", "counties", "gaps"]  # drawn over the tiles


def test_county_filter_and_english(open_page, ws):
    at = open_page("applicant", lang="en")
    assert at.title[0].value == "Choose and check a site"
    assert at.radio(key="applicant.licence_type").options == ["urban Pishkhan", "rural ICT"]
    county = ws.counties["name_fa"].iat[3]
    at.selectbox(key="applicant.county").set_value(county).run()
    assert_clean(at)
    cells = layer(at, "pick-cells")["data"]
    assert cells and all(ws.county_of(*h3.cell_to_latlng(c["h3"])[::-1])[0] == county for c in cells[:50])
    assert {s["code"] for s in layer(at, "settlements")["data"]} == set(
        ws.settlements.loc[ws.settlements["county"] == county, "code"])
    gaps = at.dataframe[0].value
    assert set(gaps["County"]) == {county}
    assert not any("direction: rtl" in v for v in texts(at.markdown))  # left to right in English
