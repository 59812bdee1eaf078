"""The working group's map data (ui.views.conflict_map): a palette whose colours differ from each other and
from every colour of the base map, overlapping proposals kept apart, conflict lines labelled with the distance."""

from __future__ import annotations

import itertools
import math

import pytest

from siting import fmt
from ui.components import maps
from ui.views.conflict_map import (
    CONFLICT_COLOUR,
    PROPOSAL_COLOURS,
    conflict_lines,
    metres_per_pixel,
    proposal_marks,
)
from ui.views.mapdata import NOT_SERVING_COLOUR, OFFICE_COLOURS

MIN_DELTA_E = 20.0  # CIE76; about 2.3 is a just-noticeable difference


def _lab(rgba) -> tuple[float, float, float]:
    """sRGB (alpha composited over white, as the map draws it) to CIE L*a*b* (D65), from the formulas."""
    alpha = (rgba[3] if len(rgba) > 3 else 255) / 255
    rgb = [alpha * v + (1 - alpha) * 255 for v in rgba[:3]]

    def linear(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > (6 / 29) ** 3 else v / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(c1, c2) -> float:
    return math.dist(_lab(c1), _lab(c2))


def test_lab_conversion_matches_published_values():
    assert _lab((255, 255, 255, 255)) == pytest.approx((100, 0, 0), abs=0.05)
    assert _lab((255, 0, 0, 255)) == pytest.approx((53.24, 80.09, 67.20), abs=0.1)  # sRGB red, D65
    assert _lab((0, 0, 255, 255)) == pytest.approx((32.30, 79.19, -107.86), abs=0.1)


MINE = {**{f"proposal {k}": v for k, v in PROPOSAL_COLOURS.items() if k != "not_located"},
        "conflict line": CONFLICT_COLOUR}
BASE = {"urban office": OFFICE_COLOURS["urban"], "rural office": OFFICE_COLOURS["rural"],
        "inactive office": NOT_SERVING_COLOUR, "city": maps.CITY_FILL, "village": maps.VILLAGE_FILL,
        "gap": maps.GAP_FILL, "gap border": maps.GAP_LINE, "region border": maps.REGION_LINE,
        "county border": maps.COUNTY_LINE}


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(MINE, 2)))
def test_proposal_colours_differ_from_each_other(a, b):
    assert delta_e(MINE[a], MINE[b]) >= MIN_DELTA_E, (a, b)


@pytest.mark.parametrize(("mine", "base"), list(itertools.product(MINE, BASE)))
def test_proposal_colours_differ_from_the_base_map(mine, base):
    assert delta_e(MINE[mine], BASE[base]) >= MIN_DELTA_E, (mine, base)


def test_pass_is_not_the_rural_office_green():
    assert delta_e(PROPOSAL_COLOURS["pass"], OFFICE_COLOURS["rural"]) >= 2 * MIN_DELTA_E


def test_ground_resolution_at_zoom_zero_and_the_equator():
    assert metres_per_pixel(0, 0) == pytest.approx(40_075_016.686 / 512)
    assert metres_per_pixel(60, 1) == pytest.approx(40_075_016.686 / 512 / 4, rel=1e-9)


def _pt(pid, lon, lat, status="pass"):
    return {"proposal_id": pid, "lon": lon, "lat": lat, "status": status, "tip": pid}


def test_points_closer_than_a_marker_become_rings_with_labels_apart():
    zoom = 7.0  # about 1 km a pixel at 33°N
    mpp = metres_per_pixel(33, zoom)
    step = 5 * mpp / 111_320 / math.cos(math.radians(33))  # 5 pixels east, in degrees
    pts = [_pt("12", 59.0, 33.0, "warn"), _pt("3", 59.0 + step, 33.0), _pt("40", 59.0 + 2 * step, 33.0, "fail"),
           _pt("7", 60.0, 33.0)]  # the last one alone, ~90 px away
    marks = {m["proposal_id"]: m for m in proposal_marks(pts, zoom=zoom, lang="en")}
    # single linkage: 3, 12 and 40 form one cluster; in id order the first is largest
    assert [marks[k]["radius"] for k in ("3", "12", "40")] == [15.0, 11.0, 7.0]
    assert marks["7"]["radius"] == 7.0 and marks["7"]["label_offset"] == [0.0, -16.0]
    offsets = [tuple(marks[k]["label_offset"]) for k in ("3", "12", "40")]
    assert len(set(offsets)) == 3
    for p, q in itertools.combinations(offsets, 2):
        assert math.dist(p, q) > 20  # labels about 24 px apart around a 24 px circle
    assert marks["40"]["colour"] == list(PROPOSAL_COLOURS["fail"]) and marks["12"]["label"] == "12"
    # drawn largest first, so that smaller rings land on top
    order = [m["radius"] for m in proposal_marks(pts, zoom=zoom)]
    assert order == sorted(order, reverse=True)
    # zoomed in far enough, nothing overlaps any more
    assert {m["radius"] for m in proposal_marks(pts, zoom=13.0)} == {7.0}


def test_conflict_lines_carry_the_distance_at_their_middle():
    pos = {"1": (59.0, 33.0), "2": (59.02, 33.01)}
    pairs = [{"proposal_a": "1", "proposal_b": "2", "distance_m": 1612.0, "threshold_m": 5000.0},
             {"proposal_a": "1", "proposal_b": "9", "distance_m": 10.0, "threshold_m": 5000.0}]  # 9: no point
    (fa,) = conflict_lines(pairs, pos, lang="fa")
    assert fa["label"] == "۱٫۶" and (fa["mid_lon"], fa["mid_lat"]) == pytest.approx((59.01, 33.005))
    assert fa["tip"] == f"#۱ ↔ #۲: {fmt.distance(1612.0)} < {fmt.distance(5000.0)}"
    (en,) = conflict_lines(pairs, pos, lang="en")
    assert en["label"] == "1.6 km"


def test_text_layers_reach_deck_gl_as_plain_strings():
    """pydeck turns unquoted strings and lists into expressions; deck.gl then fails to build the text
    layers (seen in Chromium: "function is not iterable"). The character set and font must arrive as text."""
    import json

    import pydeck as pdk

    from ui.components.conflict_map import layers
    from ui.components.maps import CompactDeck

    marks = proposal_marks([_pt("12", 59.0, 33.0)], zoom=7.0, lang="fa")
    lines = conflict_lines([{"proposal_a": "12", "proposal_b": "3", "distance_m": 1612.0, "threshold_m": 5000.0}],
                           {"12": (59.0, 33.0), "3": (59.02, 33.0)}, lang="fa")
    deck = CompactDeck(layers=layers(marks, lines), initial_view_state=pdk.ViewState(longitude=59, latitude=33, zoom=7),
                       map_provider=None)
    text_layers = [lyr for lyr in json.loads(deck.to_json())["layers"] if lyr["@@type"] == "TextLayer"]
    assert [lyr["id"] for lyr in text_layers] == ["conflict_labels", "proposal_labels"]
    for lyr in text_layers:
        assert not lyr["characterSet"].startswith("@@=") and not lyr["fontFamily"].startswith("@@=")
        shown = "".join(d["label"] for d in lyr["data"])
        assert set(shown) <= set(lyr["characterSet"]), shown  # every character of every label is in the atlas
