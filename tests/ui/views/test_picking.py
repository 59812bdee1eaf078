"""Choosing a candidate site: H3 picking grids, map selections, typed coordinates, settlement names."""

from __future__ import annotations

import h3
import numpy as np
import pytest
from pyproj import Geod

from ui.views.picking import (
    COARSE_RESOLUTION,
    FINE_RESOLUTION,
    LAYER_COARSE,
    LAYER_FINE,
    Candidate,
    CandidateError,
    candidate_from_selection,
    candidate_from_settlement,
    candidate_from_text,
    cell_centre,
    fine_cells,
    pick_cells,
)

GEOD = Geod(ellps="WGS84")


def _nearest_serving_m(ws, lon, lat, licence_type):
    o = ws.offices[(ws.offices["status"] == "active") & (ws.offices["licence_type"] == licence_type)]
    n = len(o)
    _, _, d = GEOD.inv(np.full(n, lon), np.full(n, lat), o.geometry.x.to_numpy(), o.geometry.y.to_numpy())
    return float(np.min(d))


def test_cell_centre_is_h3s_centre_and_rejects_anything_else():
    cell = h3.latlng_to_cell(32.87, 59.22, COARSE_RESOLUTION)
    lat, lon = h3.cell_to_latlng(cell)
    assert cell_centre(cell) == pytest.approx((lon, lat))
    for bad in ("", None, "zzz", "8f2830828052d25x", "<script>"):
        with pytest.raises(CandidateError) as exc:
            cell_centre(bad)
        assert exc.value.code == "bad_cell"


def test_pick_cells_are_the_gap_of_the_licence_type(hand_ws, rules):
    radius = rules.for_type("rural").service_radius_m
    cells = pick_cells(hand_ws, rules, licence_type="rural")
    assert len(cells) > 100
    # every picking cell's centre is farther than the rural radius from every active rural office
    sample = cells.sample(40, random_state=1) if len(cells) > 40 else cells
    for lon, lat in zip(sample["lon"], sample["lat"], strict=True):
        assert _nearest_serving_m(hand_ws, lon, lat, "rural") > radius * 0.999
    # and a cell at the rural office R1 is not a picking cell (it is covered)
    assert h3.latlng_to_cell(32.90, 59.35, COARSE_RESOLUTION) not in set(cells["h3"])
    # the county filter keeps that county's cells only
    khusf = pick_cells(hand_ws, rules, licence_type="rural", county="خوسف")
    assert len(khusf) and set(khusf["county"]) == {"خوسف"} and set(khusf["h3"]) <= set(cells["h3"])


def test_fine_cells_are_the_children_inside_the_region(hand_ws, rules):
    parent = h3.latlng_to_cell(32.95, 59.30, COARSE_RESOLUTION)
    fine = fine_cells(hand_ws, rules, cell=parent)
    children = set(h3.cell_to_children(parent, FINE_RESOLUTION))
    assert set(fine["h3"]) == children  # the parent lies well inside the region: all 49 children
    assert len(children) == 49
    # gap flags agree with geodesic distances to the nearest active office of each type
    for t in ("urban", "rural"):
        radius = rules.for_type(t).service_radius_m
        for lon, lat, gap in zip(fine["lon"], fine["lat"], fine[f"gap_{t}"], strict=True):
            d = _nearest_serving_m(hand_ws, lon, lat, t)
            if abs(d - radius) > 0.001 * radius:  # away from the circle's edge, where 0.05 % CRS error could flip it
                assert gap == (d > radius)
    assert fine["gap_rural"].any() and not fine["gap_rural"].all()  # R1's 10 km circle cuts through this cell
    # near the region's edge only the children whose centre is inside are kept
    edge = h3.latlng_to_cell(32.0005, 59.5, COARSE_RESOLUTION)
    kept = fine_cells(hand_ws, rules, cell=edge)
    assert 0 < len(kept) < 49 and (kept["lat"] >= 32.0).all()


def test_selection_of_a_coarse_cell_gives_its_centre(hand_ws):
    cell = h3.latlng_to_cell(33.2, 58.3, COARSE_RESOLUTION)
    lat, lon = h3.cell_to_latlng(cell)
    cand = candidate_from_selection(hand_ws, {LAYER_COARSE: [{"h3": cell, "tip": "…"}]})
    assert cand == Candidate(lon, lat, "cell", cell)
    assert cand.cell == cell


def test_fine_cell_wins_over_coarse_and_settlement(hand_ws):
    coarse = h3.latlng_to_cell(33.2, 58.3, COARSE_RESOLUTION)
    fine = sorted(h3.cell_to_children(coarse, FINE_RESOLUTION))[7]
    lat, lon = h3.cell_to_latlng(fine)
    cand = candidate_from_selection(hand_ws, {LAYER_COARSE: [{"h3": coarse}], LAYER_FINE: [{"h3": fine}],
                                              "settlements": [{"code": "S1"}]})
    assert (cand.source, cand.lon, cand.lat) == ("fine-cell", pytest.approx(lon), pytest.approx(lat))


def test_selection_of_a_settlement_or_of_nothing(hand_ws):
    cand = candidate_from_selection(hand_ws, {"settlements": [{"code": "S2", "name": "مود"}]})
    assert (cand.source, cand.lon, cand.lat, cand.label, cand.settlement) == ("settlement", 59.52, 32.71, "مود", "S2")
    assert candidate_from_selection(hand_ws, {}) is None
    assert candidate_from_selection(hand_ws, {"offices": [{"office_id": "U1"}], "gaps": [{"rank": 1}]}) is None
    with pytest.raises(CandidateError):
        candidate_from_selection(hand_ws, {LAYER_COARSE: [{"h3": "not-a-cell"}]})


def test_typed_coordinates_persian_and_ascii_digits(hand_ws):
    a = candidate_from_text(hand_ws, "۳۲٫۸۷۱۲", "۵۹٫۲۲۰۱")
    b = candidate_from_text(hand_ws, "32.8712", "59.2201")
    assert (a.lon, a.lat) == (b.lon, b.lat) == (59.2201, 32.8712)
    c = candidate_from_text(hand_ws, "32°52′16.32″N", "59°13′12.36″E")
    assert c.lat == pytest.approx(32.8712) and c.lon == pytest.approx(59.2201)


@pytest.mark.parametrize(("lat", "lon", "code"), [
    ("abc", "59.2", "not_a_number"),
    ("32.8", "۵۹/۲x", "not_a_number"),
    ("", "59.2", "missing"),
    ("95", "59.2", "out_of_range"),
    ("32.8", "190", "out_of_range"),
    ("35.7", "51.4", "outside_region"),  # Tehran
    ("59.2", "32.8", "swapped"),
])
def test_bad_typed_coordinates(hand_ws, lat, lon, code):
    with pytest.raises(CandidateError) as exc:
        candidate_from_text(hand_ws, lat, lon)
    assert exc.value.code == code
    assert str(exc.value)  # an English message naming the field for logs and the CLI


def test_settlement_by_name_or_code(hand_ws):
    by_name = candidate_from_settlement(hand_ws, "نوفرست")
    assert (by_name.lon, by_name.lat, by_name.settlement) == (59.30, 32.95, "S3")
    assert candidate_from_settlement(hand_ws, "Nowferest") == by_name
    assert candidate_from_settlement(hand_ws, "S3") == by_name
    with pytest.raises(CandidateError) as exc:
        candidate_from_settlement(hand_ws, "تهران")
    assert exc.value.code == "settlement_not_found" and exc.value.params["query"] == "تهران"
    with pytest.raises(CandidateError) as exc:
        candidate_from_settlement(hand_ws, "  ")
    assert exc.value.code == "no_settlement"
