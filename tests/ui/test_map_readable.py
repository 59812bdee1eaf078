"""A map people can read (issue 15, item 5): distinct legend colours, place names that deck.gl draws
joined and in the right order, a scale bar that is true, a search box on the map, zoom buttons with no
internet, and after a pick a view that keeps the settlements around the site in sight."""

from __future__ import annotations

import itertools
import math
import unicodedata

import numpy as np
import pytest
from apptest_helpers import assert_clean, deck_spec, layer, select_on_map, texts
from pyproj import Geod

from siting import fmt
from siting.rules import load_rules
from ui.components import maps
from ui.components.maps import COLUMN_MAP_WIDTH, MAP_HEIGHT
from ui.i18n import t
from ui.views import mapdata
from ui.views.picking import pick_cells

GEOD = Geod(ellps="WGS84")
MIN_DELTA_E = 20.0  # CIE76 distance between two legend colours as the map shows them


# -- colour distance, written here from the CIE formulas (not the code under test) -----------------------
def _over(top, bottom):
    """``top`` (RGBA, alpha 0..255) composited over an opaque ``bottom`` (RGB)."""
    a = (top[3] if len(top) > 3 else 255) / 255
    return tuple(a * top[i] + (1 - a) * bottom[i] for i in range(3))


def _lab(rgb):
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(float(c)) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v):
        return v ** (1 / 3) if v > (6 / 29) ** 3 else v / (3 * (6 / 29) ** 2) + 4 / 29
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta_e(c1, c2):
    return math.dist(_lab(c1), _lab(c2))


def test_delta_e_formula_on_known_values():
    assert np.allclose(_lab((255, 255, 255)), (100, 0, 0), atol=0.05)
    assert np.allclose(_lab((255, 0, 0)), (53.24, 80.09, 67.20), atol=0.1)  # published sRGB red
    assert _delta_e((0, 0, 0), (255, 255, 255)) == pytest.approx(100, abs=0.05)


def test_applicant_legend_colours_are_distinct_as_the_map_shows_them():
    bg = maps.MAP_BACKGROUND[:3]
    gap = _over(maps.GAP_FILL, bg)
    shown = {text: _over(colour, bg) for colour, text in maps.base_legend("en")}
    # the hexagons lie in the gaps, seen by their outline over a faint tint (the legend's swatch)
    shown[t("map.legend_cells", "en")] = _over(maps.CELL_LINE, _over(maps.CELL_FILL, gap))
    shown[t("map.legend_candidate", "en")] = _over(maps.CANDIDATE_FILL, bg)
    assert len(shown) == 9
    close = [(a, b, round(_delta_e(shown[a], shown[b]), 1)) for a, b in itertools.combinations(shown, 2)
             if _delta_e(shown[a], shown[b]) < MIN_DELTA_E]
    assert close == []
    # the two pairs people mixed up, by name
    assert _delta_e(shown[t("map.legend_gap", "en")], shown[t("map.legend_cells", "en")]) >= MIN_DELTA_E
    assert _delta_e(_over(maps.VILLAGE_FILL, bg), _over(maps.INACTIVE_FILL, bg)) >= MIN_DELTA_E
    # and the hexagons' outline stands out from the gap at province zoom
    assert _delta_e(_over(maps.CELL_LINE, _over(maps.CELL_FILL, gap)), _over(maps.CELL_FILL, gap)) >= MIN_DELTA_E


# -- place names ----------------------------------------------------------------------------------------
def test_place_names_are_shaped_for_deck_gl(ws):
    labels = mapdata.label_records(ws, "fa")
    cities = ws.settlements[ws.settlements["kind"] == "city"]
    assert sorted(r["text"] for r in labels["cities"]) == sorted(mapdata.map_text(n) for n in cities["name_fa"])
    assert len(labels["counties"]) == len(ws.counties)
    for rec in labels["cities"] + labels["counties"]:
        text = rec["text"]
        # every letter in its joined (presentation) form: deck.gl draws characters one by one
        assert all(c == " " or "\ufb50" <= c <= "\ufeff" for c in text), text
        # read right to left and unshaped (Unicode's compatibility mapping) it is the name again
        name = unicodedata.normalize("NFKC", text[::-1])
        assert name in {unicodedata.normalize("NFKC", n) for n in [*cities["name_fa"], *ws.counties["name_fa"]]}
    # an English map keeps English names as they are
    en = mapdata.label_records(ws, "en")
    assert {r["text"] for r in en["counties"]} == set(ws.counties["name_en"])


def test_scale_bar_is_as_long_as_it_says(ws):
    bounds = ws.region.total_bounds
    bar = mapdata.scale_bar(bounds, "fa")
    (x0, y0), (x1, y1) = bar["paths"][0]["path"][1:3]
    _, _, metres = GEOD.inv(x0, y0, x1, y1)
    assert abs(metres / 1000 - bar["km"]) / bar["km"] < 0.005
    assert bar["km"] in (1, 2, 5, 10, 20, 25, 50, 100, 200)
    text = bar["labels"][0]["text"]  # visual order: the word reversed, the number (left to right) at its right
    assert "کیلومتر" in unicodedata.normalize("NFKC", text[::-1]) and text.endswith(fmt.number(bar["km"]))
    assert mapdata.scale_bar(bounds, "en")["labels"][0]["text"] == f"{bar['km']} km"


# -- the applicant's map ----------------------------------------------------------------------------------
def test_offline_map_has_a_local_style_names_and_a_scale_bar(open_page, ws):
    at = open_page("applicant")
    spec = deck_spec(at)
    assert spec["mapStyle"].startswith("data:application/json") and "http" not in spec["mapStyle"]
    ids = [lyr["id"] for lyr in spec["layers"]]
    assert {"labels-cities", "labels-counties", "labels-villages", "scale-bar", "scale-label"} <= set(ids)
    assert len(layer(at, "labels-cities")["data"]) == (ws.settlements["kind"] == "city").sum()
    # the pickable hexagons are outlined (visible at province zoom)
    cells = layer(at, "pick-cells")
    assert cells["stroked"] is True and cells["lineWidthMinPixels"] >= 1
    # the basemap switch still gives Carto's tiles
    at.toggle(key="applicant.basemap").set_value(True).run()
    assert "cartocdn" in deck_spec(at)["mapStyle"] or deck_spec(at)["mapProvider"] == "carto"


def test_search_box_on_the_map_chooses_the_place(open_page, ws):
    at = open_page("applicant")
    row = ws.settlements.iloc[int(np.argmax(ws.settlements["population"].fillna(0).to_numpy()))]
    at.text_input(key="applicant.map_search").input(row["name_fa"])
    at.button(key=f"FormSubmitter:applicant.map_search_form-{t('map.search_go', 'fa')}").click().run()
    assert_clean(at)
    cand = at.session_state["applicant.candidate"]
    assert (cand.lon, cand.lat) == (row.geometry.x, row.geometry.y)
    assert t("report.title", "fa") in texts(at.subheader)
    # an unknown name: a message, no traceback
    at.text_input(key="applicant.map_search").input("ناکجاآباد")
    at.button(key=f"FormSubmitter:applicant.map_search_form-{t('map.search_go', 'fa')}").click().run()
    assert_clean(at)
    assert at.error


def _visible(view, width, height):
    """(minx, miny, maxx, maxy) a web-mercator map of width x height px shows at ``view``."""
    def y_of(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    scale = 512 * 2 ** view["zoom"]
    half_x = width / 2 / scale * 360
    cy = y_of(view["latitude"])
    half_y = height / 2 / scale * 2 * math.pi
    return (view["longitude"] - half_x, math.degrees(2 * math.atan(math.exp(cy - half_y)) - math.pi / 2),
            view["longitude"] + half_x, math.degrees(2 * math.atan(math.exp(cy + half_y)) - math.pi / 2))


def test_after_a_pick_the_settlements_around_stay_in_view_and_named(open_page, ws):
    at = open_page("applicant")
    cells = pick_cells(ws, load_rules(), licence_type="urban")
    cell = cells["h3"].iloc[len(cells) // 2]
    at = select_on_map(at, {"pick-cells": [{"h3": cell, "tip": ""}]})
    assert_clean(at)
    cand = at.session_state["applicant.candidate"]
    view = deck_spec(at)["initialViewState"]
    minx, miny, maxx, maxy = _visible(view, COLUMN_MAP_WIDTH, MAP_HEIGHT)
    assert minx < cand.lon < maxx and miny < cand.lat < maxy
    s = ws.settlements
    _, _, d = GEOD.inv(np.full(len(s), cand.lon), np.full(len(s), cand.lat), s.geometry.x, s.geometry.y)
    nearest = [*np.argsort(d)[:4]]
    cities = np.flatnonzero((s["kind"] == "city").to_numpy())
    nearest_city = int(cities[np.argmin(d[cities])])
    if d[nearest_city] < 30_000:
        nearest.append(nearest_city)
    named = {r["text"] for lyr in ("labels-villages", "labels-cities") for r in layer(at, lyr)["data"]}
    for i in nearest:
        if d[i] > 30_000:  # farther than the widest context the page shows
            continue
        assert minx < s.geometry.x.iat[i] < maxx and miny < s.geometry.y.iat[i] < maxy, s["name_fa"].iat[i]
        assert mapdata.map_text(s["name_fa"].iat[i]) in named
    assert 8.5 <= view["zoom"] <= 11.5  # a context, still fine enough to refine on the fine grid


# -- what a frame costs without a GPU (benchmarks/bench_browser.py) ------------------------------------------
def test_village_names_province_wide_are_the_biggest_and_near_a_site_only_those_around_it(ws, monkeypatch):
    s = ws.settlements
    pop = s["population"].fillna(0).to_numpy()
    villages = (s["kind"] != "city").to_numpy() & (pop >= mapdata.VILLAGE_LABEL_MIN_POPULATION)
    assert villages.sum() >= 3  # the sample has enough big villages for a cap of 2 to bite
    monkeypatch.setattr(mapdata, "VILLAGE_LABEL_MAX", 2)
    got = [r["text"] for r in mapdata.label_records(ws, "en")["villages"]]
    names = s["name_en"].where(s["name_en"].fillna("") != "", s["name_fa"]).to_numpy()
    biggest = names[villages][np.argsort(-pop[villages], kind="stable")[:2]]
    assert sorted(got) == sorted(biggest)
    # around a site: the villages within the distance (of any size), none beyond it, no two names on top of
    # each other; a village left unnamed is one whose name would overlap that of a bigger one
    lon, lat = float(s.geometry.x.median()), float(s.geometry.y.median())
    km = 40.0
    near = mapdata.label_records(ws, "en", near=(lon, lat, km))["villages"]
    _, _, metres = GEOD.inv(np.full(len(s), lon), np.full(len(s), lat), s.geometry.x, s.geometry.y)
    # the page's own planar distance may differ from the geodesic by well under 1 % at these ranges
    village = (s["kind"] != "city").to_numpy()
    inside = np.flatnonzero(village & (metres <= km * 1000 * 0.99))
    outside = set(names[village & (metres > km * 1000 * 1.01)])
    shown = {r["text"] for r in near}
    assert len(inside) >= 5 and not (shown & outside)

    def box(i):  # the name's extent in metres on the ground: 700 m tall, 0.6 of that a letter, above the point
        _, _, dx = GEOD.inv(lon, lat, s.geometry.x.iat[i], lat)
        _, _, dy = GEOD.inv(lon, lat, lon, s.geometry.y.iat[i])
        x = dx * np.sign(s.geometry.x.iat[i] - lon)
        y = dy * np.sign(s.geometry.y.iat[i] - lat)
        w = len(mapdata.map_text(names[i])) * 0.6 * 700
        return x - w / 2, y, x + w / 2, y + 700

    def overlap(a, b, slack=0.02):  # boxes shrunk by 2 %: the page measures on a plane, the test on the ellipsoid
        a = (a[0] + (a[2] - a[0]) * slack, a[1] + 14, a[2] - (a[2] - a[0]) * slack, a[3] - 14)
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    named = [i for i in inside if names[i] in shown]
    assert len(named) >= 3
    for i, j in itertools.combinations(named, 2):
        assert not overlap(box(i), box(j)), (names[i], names[j])
    for i in inside:
        if names[i] not in shown:
            assert any(overlap(box(i), box(j)) and pop[j] >= pop[i] for j in named), names[i]


def test_static_layers_travel_packed_and_the_changing_ones_inline(open_page, ws):
    """The layers that are the same on every run go as data: URLs (deck.gl neither converts nor rebuilds
    them when the page reruns); the fine grid and the candidate, which change with each pick, inline."""
    import json

    at = open_page("applicant")
    row = ws.settlements.iloc[int(np.argmax(ws.settlements["population"].fillna(0).to_numpy()))]
    at.text_input(key="applicant.map_search").input(row["name_fa"])
    at.button(key=f"FormSubmitter:applicant.map_search_form-{t('map.search_go', 'fa')}").click().run()
    assert_clean(at)
    raw = {lyr["id"].split("~")[0]: lyr for lyr in json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]}
    for lid in ("region", "counties", "gaps", "pick-cells", "settlements", "offices"):
        assert str(raw[lid]["data"]).startswith(maps.PACKED_PREFIX), lid
    for lid in ("pick-fine", "candidate"):
        assert isinstance(raw[lid]["data"], list) and raw[lid]["data"], lid
    # unpacked, the records are those of the workspace: every settlement, by code
    assert sorted(r["code"] for r in layer(at, "settlements")["data"]) == sorted(ws.settlements["code"])
    # the coarse grid keeps one hexagon shape wherever the view goes, and is drawn as polygons once a site
    # is chosen (no outlines), so that deck.gl does not build it again when the view moves
    assert raw["pick-cells"]["highPrecision"] is True and raw["pick-cells"]["stroked"] is False
    # a double click does not zoom: deck.gl would hold every click 300 ms waiting for a second one
    assert deck_spec(at)["views"] == [{"@@type": "MapView", "controller": {"doubleClickZoom": False}}]


def test_middle_cell_is_the_centre_of_a_ring():
    import h3

    centre = "862cd8487ffffff"
    disk = [{"h3": c} for c in sorted(h3.grid_disk(centre, 2))]
    assert maps.middle_cell(disk) == centre
    assert maps.middle_cell([]) is None
