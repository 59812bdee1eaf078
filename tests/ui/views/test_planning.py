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


def test_open_sites_keep_the_minimum_distances(hand_ws, rules):
    view = planner_view(hand_ws, rules, licence_type="any", resolution=6)
    cells = view.cells
    for t in ("urban", "rural"):
        sec = rules.for_type(t)
        mask = open_site_mask(cells, rules, t)
        assert (mask == cells[f"open_{t}"]).all()
        assert view.summary[t]["open_cells"] == int(mask.sum()) > 0
        # open cells are in the gap and at least the minimum distances from the offices (checked with Geod)
        o = hand_ws.offices[hand_ws.offices["status"] == "active"]
        for lon, lat in cells.loc[mask, ["lon", "lat"]].sample(30, random_state=0).itertuples(index=False):
            _, _, d = GEOD.inv(np.full(len(o), lon), np.full(len(o), lat), o.geometry.x, o.geometry.y)
            same = d[(o["licence_type"] == t).to_numpy()].min()
            assert same > sec.service_radius_m * 0.999 and d.min() >= sec.min_distance_any_type_m * 0.999
    # a minimum distance beyond the radius closes the cells between them
    far = RuleOverrides.of({"rural": {"min_distance_same_type_m": 30_000}}).apply(rules)
    closed = planner_view(hand_ws, far, licence_type="any", resolution=6).summary["rural"]["open_cells"]
    assert closed < view.summary["rural"]["open_cells"]
