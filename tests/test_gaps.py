"""Service gaps checked against known areas."""

import math

import h3
import numpy as np
import pytest
import shapely

from siting.gaps import compute_gaps, gap_cells
from siting.geo import geodesic_area_km2, geodesic_distance
from siting.samples.hand import hand_workspace
from siting.workspace import make_layer


def _one_office_ws(radius_km=10):
    ws = hand_workspace()
    office = make_layer("offices", {"office_id": ["C"], "licence_type": ["rural"], "status": ["active"]},
                        shapely.points([(59.0, 33.0)]))
    return ws.with_layer("offices", office), radius_km * 1000


def test_gap_area_is_region_minus_the_service_circle():
    ws, r = _one_office_ws()
    gaps = compute_gaps(ws, licence_type="rural", radii={"urban": 3000, "rural": r})
    region = ws.region.geometry.iat[0].segmentize(0.01)
    expected = geodesic_area_km2(region) - math.pi * (r / 1000) ** 2
    assert gaps["area_km2"].sum() == pytest.approx(expected, rel=5e-4)
    # the circle straddles the county border at 59°E: one part per county, each minus a half circle
    assert sorted(gaps["county"]) == sorted(["بیرجند", "خوسف"])
    for _, part in gaps.iterrows():
        county = ws.counties.set_index("name_fa").loc[part["county"]].geometry.segmentize(0.01)
        assert part["area_km2"] == pytest.approx(geodesic_area_km2(county) - math.pi * (r / 1000) ** 2 / 2, rel=5e-4)


def test_gap_settlements_and_population_match_coverage(hand_ws, rules):
    gaps = compute_gaps(hand_ws, rules, licence_type="any")
    # uncovered: مود (3,000, Birjand county) and ماژان (unknown population, Khusf county)
    by_county = gaps.groupby("county")[["uncovered_population", "settlements", "settlements_without_population"]].sum()
    assert by_county.loc["بیرجند"].tolist() == [3000, 1, 0]
    assert by_county.loc["خوسف"].tolist() == [0, 1, 1]
    assert gaps["rank"].tolist() == list(range(1, len(gaps) + 1))
    assert gaps["uncovered_population"].is_monotonic_decreasing


def test_gap_per_type_uses_only_that_type(hand_ws, rules):
    urban = compute_gaps(hand_ws, rules, licence_type="urban")
    rural = compute_gaps(hand_ws, rules, licence_type="rural")
    region = geodesic_area_km2(hand_ws.region.geometry.iat[0].segmentize(0.01))
    # two active urban offices of 3 km radius (disjoint circles), one active rural office of 10 km
    assert urban["area_km2"].sum() == pytest.approx(region - 2 * math.pi * 9, rel=5e-4)
    assert rural["area_km2"].sum() == pytest.approx(region - math.pi * 100, rel=5e-4)


def test_h3_cells_flag_gaps_by_distance(hand_ws, rules):
    cells = gap_cells(hand_ws, rules, resolution=6)
    region = hand_ws.region.geometry.iat[0]
    expected = h3.h3shape_to_cells(h3.geo_to_h3shape(region.__geo_interface__), 6)
    assert set(cells["h3"]) == set(expected)
    sample = cells.sample(200, random_state=1)
    o = hand_ws.offices[hand_ws.offices["status"] == "active"]
    for _, c in sample.iterrows():
        d = min(geodesic_distance(c.lon, c.lat, g.x, g.y) for g, t in zip(o.geometry, o.licence_type, strict=True)
                if t == "rural")
        assert c["dist_rural_m"] == pytest.approx(d, rel=1e-3)
        assert c["gap_rural"] == (d > rules.rural.service_radius_m)
    # Birjand's 200,000 people fall in the cell holding its point, covered
    cell = h3.latlng_to_cell(32.87, 59.22, 6)
    row = cells.set_index("h3").loc[cell]
    assert row["population"] >= 200_000 and row["uncovered_population"] == 0


def test_bad_gap_arguments(hand_ws):
    from siting.errors import InputError

    with pytest.raises(InputError, match="expected urban, rural or any"):
        compute_gaps(hand_ws, licence_type="mobile")
    with pytest.raises(InputError, match="non-negative number of metres"):
        compute_gaps(hand_ws, radii={"urban": -1, "rural": 10})
    with pytest.raises(InputError, match="H3 resolution"):
        gap_cells(hand_ws, resolution=14)
    assert np.all(compute_gaps(hand_ws, radii={"urban": 0, "rural": 0})["area_km2"] > 0)


def test_gap_parts_follow_the_stored_county_borders(sample_workspace_path, rules):
    """Borders are straight in lon/lat as stored; a gap part must not bow into the next county.

    Projected vertex by vertex, a 100 km county edge bows by up to a few hundred metres in the
    metric CRS; the edges are densified before projecting, so each part stays inside its county.
    """
    from siting.geo import WGS84, to_crs
    from siting.workspace import Workspace

    ws = Workspace.load(sample_workspace_path)
    gaps = compute_gaps(ws, rules, licence_type="rural")
    crs = ws.metric_crs.area
    counties = dict(zip(ws.counties["name_fa"], ws.counties.geometry, strict=True))
    for part, county in zip(gaps.geometry, gaps["county"], strict=True):
        if not isinstance(county, str):  # the sample's outline reaches beyond its counties in places
            inside = to_crs(shapely.intersection(part, shapely.union_all(list(counties.values()))), WGS84, crs)
            assert inside.area < 0.05e6
            continue
        outside = to_crs(shapely.difference(part, counties[county]), WGS84, crs)
        assert outside.area < 0.05e6, (county, outside.area)  # under 0.05 km² (was ~48 km² in all)
