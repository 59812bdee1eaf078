"""What-if planning: overrides, coverage and gaps under moved sliders, open sites."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from siting.errors import RulesError
from ui.views.planning import RuleOverrides, open_site_mask, planner_view

GEOD = Geod(ellps="WGS84")


def test_overrides_are_hashable_values(rules):
    a = RuleOverrides.of({"urban": {"service_radius_m": 4000}, "rural": {"min_distance_same_type_m": 3000}})
    b = RuleOverrides.of({"rural": {"min_distance_same_type_m": 3000.0}, "urban": {"service_radius_m": 4000.0}})
    assert a == b and hash(a) == hash(b)
    changed = a.apply(rules)
    assert changed.urban.service_radius_m == 4000 and changed.rural.min_distance_same_type_m == 3000
    assert RuleOverrides.between(rules, changed) == a
    assert RuleOverrides().apply(rules) is rules
    with pytest.raises(RulesError):
        RuleOverrides.of({"urban": {"no_such_rule": 1}}).apply(rules)


def _covered_population(ws, radii):
    """Independent coverage: geodesic distance from each settlement to every active office."""
    o = ws.offices[ws.offices["status"] == "active"]
    total = 0
    for pop, g in zip(ws.settlements["population"], ws.settlements.geometry, strict=True):
        if pd.isna(pop):
            continue
        n = len(o)
        _, _, d = GEOD.inv(np.full(n, g.x), np.full(n, g.y), o.geometry.x.to_numpy(), o.geometry.y.to_numpy())
        if any(dist <= radii[t] for dist, t in zip(d, o["licence_type"], strict=True)):
            total += int(pop)
    return total


@pytest.mark.parametrize("urban_radius", [3000, 12_000, 40_000])
def test_planner_view_follows_the_radius(hand_ws, rules, urban_radius):
    moved = RuleOverrides.of({"urban": {"service_radius_m": urban_radius}}).apply(rules)
    view = planner_view(hand_ws, moved, licence_type="urban", resolution=5)
    radii = {"urban": urban_radius, "rural": rules.rural.service_radius_m}
    assert view.coverage.totals["covered_population"] == _covered_population(hand_ws, radii)
    assert view.summary["urban"]["service_radius_m"] == urban_radius
    assert view.summary["gaps"]["licence_type"] == "urban" and view.gaps["licence_type"].eq("urban").all()


def test_gap_area_is_region_minus_circles(hand_ws, rules):
    small = planner_view(hand_ws, rules, licence_type="urban", resolution=5).summary["gaps"]["area_km2"]
    moved = RuleOverrides.of({"urban": {"service_radius_m": 12_000}}).apply(rules)
    large = planner_view(hand_ws, moved, licence_type="urban", resolution=5).summary["gaps"]["area_km2"]
    # U1 and U2 are ~31 km apart: their circles do not overlap below 15 km, so the gap loses pi (R² - r²) each
    expected = 2 * np.pi * (12.0**2 - 3.0**2)
    assert small - large == pytest.approx(expected, rel=0.005)


def _nearest(lon, lat, points):
    """Geodesic distance (m) from each (lon, lat) to the nearest of ``points`` (a GeoSeries), vectorised."""
    lon, lat = np.atleast_1d(lon), np.atleast_1d(lat)
    px, py = points.x.to_numpy(), points.y.to_numpy()
    _, _, d = GEOD.inv(np.repeat(lon, len(px)), np.repeat(lat, len(px)), np.tile(px, len(lon)), np.tile(py, len(lon)))
    return d.reshape(len(lon), len(px)).min(axis=1)


def _nearest_kind(ws, lon, lat, kind):
    return _nearest(lon, lat, ws.settlements[ws.settlements["kind"] == kind].geometry)


def test_open_sites_keep_every_site_rule(hand_ws, rules):
    view = planner_view(hand_ws, rules, licence_type="any", resolution=7)
    cells = view.cells
    o = hand_ws.offices[hand_ws.offices["status"] == "active"]
    lon, lat = cells["lon"].to_numpy(), cells["lat"].to_numpy()
    city = _nearest_kind(hand_ws, lon, lat, "city")
    village = _nearest_kind(hand_ws, lon, lat, "village")
    any_office = _nearest(lon, lat, o.geometry)
    for t in ("urban", "rural"):
        sec = rules.for_type(t)
        mask = open_site_mask(hand_ws, cells, rules, t)
        assert (mask == cells[f"open_{t}"]).all()
        assert view.summary[t]["open_cells"] == int(mask.sum()) > 0
        # brute force with geodesic distances: in the gap, the minimum distances, and the settlement rules
        same = _nearest(lon, lat, o[o["licence_type"] == t].geometry)
        expected = (cells[f"gap_{t}"].to_numpy() & (same >= sec.min_distance_same_type_m)
                    & (any_office >= sec.min_distance_any_type_m))
        if t == "urban":
            expected &= city <= sec.city_radius_m  # an urban office must be inside a city
        else:
            expected &= (city > sec.city_radius_m) & (village <= sec.village_max_distance_m)
        assert int(mask.sum()) == pytest.approx(int(expected.sum()), abs=1)  # (a centre within a metre of a threshold)
        assert (mask & ~expected).sum() <= 1
    # a minimum distance beyond the radius closes the cells between them
    far = RuleOverrides.of({"rural": {"min_distance_same_type_m": 30_000}}).apply(rules)
    closed = planner_view(hand_ws, far, licence_type="any", resolution=7).summary["rural"]["open_cells"]
    assert closed < view.summary["rural"]["open_cells"]


def _city_distance(ws, lon, lat):
    return _nearest_kind(ws, lon, lat, "city")


def test_the_urban_open_area_respects_the_inside_a_city_rule(hand_ws, rules):
    """Issue 15 (9): the planner's "area allowed for a new urban office" was every gap cell far enough
    from the offices, cities or not. Without the urban office of Khusf, only cells within the city radius
    of Khusf open, counted by brute force (geodesic distances)."""
    from siting.workspace import Workspace

    ws = Workspace(hand_ws.region, hand_ws.counties, hand_ws.settlements,
                   hand_ws.offices[hand_ws.offices["office_id"] != "U2"].copy(), meta=hand_ws.meta)
    view = planner_view(ws, rules, licence_type="urban", resolution=7)
    cells, sec = view.cells, rules.urban
    o = ws.offices[ws.offices["status"] == "active"]
    lon, lat = cells["lon"].to_numpy(), cells["lat"].to_numpy()
    same = _nearest(lon, lat, o[o["licence_type"] == "urban"].geometry)
    expected = (cells["gap_urban"].to_numpy() & (_city_distance(ws, lon, lat) <= sec.city_radius_m)
                & (same >= sec.min_distance_same_type_m) & (_nearest(lon, lat, o.geometry) >= sec.min_distance_any_type_m))
    got = cells["open_urban"].to_numpy()
    # brute force and the library agree but for cells whose centre is within a metre of a threshold
    assert int(got.sum()) == pytest.approx(int(expected.sum()), abs=1) and int(got.sum()) > 0
    assert (_city_distance(ws, lon[got], lat[got]) <= sec.city_radius_m * 1.001).all()
    # before the fix the gap cells far enough from the offices all counted, cities or not: far more
    far_enough = cells["gap_urban"] & (cells["dist_urban_m"] >= sec.min_distance_same_type_m)
    assert int(far_enough.sum()) > 10 * int(got.sum())
