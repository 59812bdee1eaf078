"""Map-ready records: views that fit, simplified polygons, sizes by population, choropleth classes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from siting.coverage import compute_coverage
from siting.gaps import compute_gaps
from ui.views.mapdata import (
    DISPLAY_TOLERANCE_DEG,
    NO_DATA_COLOUR,
    RAMPS,
    cell_records,
    county_choropleth,
    features,
    gap_features,
    office_records,
    settlement_records,
    view_for_bounds,
)
from ui.views.picking import pick_cells


def _merc_px(lon, lat, zoom):
    """Web-mercator world pixels (deck.gl's 512-pixel tiles)."""
    world = 512 * 2**zoom
    x = (lon + 180) / 360 * world
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * world
    return x, y


@pytest.mark.parametrize(("width", "height"), [(580, 560), (1000, 560), (400, 800)])
def test_view_fits_the_bounds(width, height):
    bounds = (55.40, 30.52, 60.95, 35.13)  # about South Khorasan
    v = view_for_bounds(bounds, width_px=width, height_px=height)
    x0, y0 = _merc_px(bounds[0], bounds[3], v.zoom)
    x1, y1 = _merc_px(bounds[2], bounds[1], v.zoom)
    assert x1 - x0 <= width and y1 - y0 <= height  # fits
    assert max((x1 - x0) / width, (y1 - y0) / height) > 0.8  # and fills most of the map


def test_features_are_simplified_rounded_geojson(hand_ws):
    circle = shapely.Point(59.2, 32.9).buffer(0.3, quad_segs=256)
    gdf = hand_ws.region.set_geometry([circle], crs=4326)
    fc = features(gdf, {"tip": ["x"]})
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) < 1025 / 4  # simplified for display
    assert all(round(c, 5) == c for xy in ring for c in xy)
    shown = shapely.geometry.shape(fc["features"][0]["geometry"])
    assert shown.symmetric_difference(circle).area < circle.length * DISPLAY_TOLERANCE_DEG  # within the tolerance
    assert shown.hausdorff_distance(circle) <= DISPLAY_TOLERANCE_DEG * 1.01
    assert fc["features"][0]["properties"] == {"tip": "x"}


def test_points_carry_picking_keys_tooltips_and_sizes(hand_ws):
    s = settlement_records(hand_ws, "fa")
    by_code = {r["code"]: r for r in s}
    assert by_code["S1"]["r"] > by_code["S4"]["r"] > by_code["S2"]["r"] > by_code["S3"]["r"]  # by population
    assert by_code["S5"]["r"] == 3.0  # population unknown
    assert "۲۰۰٬۰۰۰" in by_code["S1"]["tip"] and "نامعلوم" in by_code["S5"]["tip"]
    assert [r["code"] for r in settlement_records(hand_ws, county="خوسف")] == ["S4", "S5"]
    o = {r["office_id"]: r for r in office_records(hand_ws, "en")}
    assert o["R2"]["colour"][:3] == [130, 130, 130] and "inactive" in o["R2"]["tip"]  # not serving: grey
    assert [r["office_id"] for r in office_records(hand_ws, licence_type="urban")] == ["U1", "U2"]


def test_gap_and_cell_tooltips(hand_ws, rules):
    gaps = compute_gaps(hand_ws, rules, licence_type="rural")
    fc = gap_features(gaps, "fa")
    assert len(fc["features"]) == len(gaps)
    assert fc["features"][0]["properties"]["rank"] == 1 and "رتبهٔ ۱" in fc["features"][0]["properties"]["tip"]
    cells = pick_cells(hand_ws, rules, licence_type="rural")
    recs = cell_records(cells, "en")
    assert [r["h3"] for r in recs] == cells["h3"].tolist() and recs[0]["tip"].endswith("county")


def test_choropleth_classes(hand_ws, rules):
    cov = compute_coverage(hand_ws, rules)
    share = county_choropleth(hand_ws, cov.by_county, "covered_share_of_located", "fa")
    fills = {f["properties"]["name"]: f["properties"]["fill"] for f in share.geojson["features"]}
    for name, value in share.values.items():
        k = min(int(value // 0.2), 4)  # fixed 20 % classes
        assert fills[name] == list(RAMPS["good"][k])
    assert share.legend[0][1] == "۰٪ – ۲۰٪" and share.legend[-1][0] == NO_DATA_COLOUR
    per_office = county_choropleth(hand_ws, cov.by_county, "population_per_office", "en")
    values = np.array(list(per_office.values.values()), dtype=float)
    assert values.tolist() == pytest.approx(cov.by_county["population_per_office"].tolist())
    with pytest.raises(ValueError, match="unknown choropleth metric"):
        county_choropleth(hand_ws, cov.by_county, "nonsense")


def test_gap_outlines_for_the_province_are_coarser_and_still_within_a_fifth_of_a_pixel(hand_ws, rules):
    """The planner draws the gaps' outlines province-wide, where a frame's cost without a GPU is per
    vertex: they are simplified within DISPLAY_TOLERANCE_DEG (about 200 m; a pixel is about 1 km at
    province zoom), the maps zoomed in on a site within a quarter of that."""
    gaps = compute_gaps(hand_ws, rules, licence_type="rural").to_crs(4326)

    def vertices(fc):
        return sum(len(shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))) for f in fc["features"])

    fine, coarse = gap_features(gaps, "fa"), gap_features(gaps, "fa", tolerance=DISPLAY_TOLERANCE_DEG)
    assert vertices(coarse) < vertices(fine)
    for f, geom in zip(coarse["features"], gaps.geometry, strict=True):
        assert shapely.geometry.shape(f["geometry"]).hausdorff_distance(geom) <= DISPLAY_TOLERANCE_DEG * 1.01
    for f, geom in zip(fine["features"], gaps.geometry, strict=True):
        assert shapely.geometry.shape(f["geometry"]).hausdorff_distance(geom) <= DISPLAY_TOLERANCE_DEG / 4 * 1.01
