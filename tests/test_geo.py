"""The metric CRS against geodesic distances (pyproj.Geod) anywhere in the province."""

import numpy as np
import pytest
import shapely

from siting.errors import InputError
from siting.geo import MetricCRS, geodesic_area_km2, geodesic_distance, project_xy, to_crs

SOUTH_KHORASAN_BOUNDS = (55.40, 30.52, 60.95, 35.13)  # the OSM outline's bounding box


def _pairs(bounds, n, rng, short=False):
    minx, miny, maxx, maxy = bounds
    lon1, lat1 = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    if short:
        lon2, lat2 = lon1 + rng.normal(0, 0.02, n), lat1 + rng.normal(0, 0.02, n)
    else:
        lon2, lat2 = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    return lon1, lat1, lon2, lat2


@pytest.mark.parametrize("short", [False, True])
def test_distance_error_under_half_a_percent_anywhere(short):
    crs = MetricCRS.fitted(SOUTH_KHORASAN_BOUNDS)
    rng = np.random.default_rng(7)
    lon1, lat1, lon2, lat2 = _pairs(SOUTH_KHORASAN_BOUNDS, 20_000, rng, short)
    x1, y1 = project_xy(lon1, lat1, crs.distance)
    x2, y2 = project_xy(lon2, lat2, crs.distance)
    planar = np.hypot(x2 - x1, y2 - y1)
    geodesic = geodesic_distance(lon1, lat1, lon2, lat2)
    keep = geodesic > 10
    err = np.abs(planar[keep] - geodesic[keep]) / geodesic[keep]
    assert err.max() < 0.005
    # the fitted conic is in fact much better than the requirement
    assert err.max() < 0.001


def test_utm_would_be_worse_at_the_eastern_edge():
    """Why not UTM 40N: near 61°E its scale error is several times ours."""
    ours = MetricCRS.fitted(SOUTH_KHORASAN_BOUNDS).distance
    lon1, lat1, lon2, lat2 = np.array([60.8]), np.array([31.0]), np.array([60.9]), np.array([31.1])
    g = geodesic_distance(lon1, lat1, lon2, lat2)
    def err(crs):
        x1, y1 = project_xy(lon1, lat1, crs)
        x2, y2 = project_xy(lon2, lat2, crs)
        return abs(np.hypot(x2 - x1, y2 - y1) - g)[0] / g[0]
    assert err(ours) < err("EPSG:32640") / 2


def test_equal_area_projection_matches_geodesic_area():
    crs = MetricCRS.fitted(SOUTH_KHORASAN_BOUNDS)
    box = shapely.box(57.0, 31.0, 60.0, 34.0)
    planar = to_crs(box.segmentize(0.01), "EPSG:4326", crs.area).area / 1e6
    assert planar == pytest.approx(geodesic_area_km2(box.segmentize(0.01)), rel=1e-3)


def test_fitting_refuses_a_continent():
    with pytest.raises(InputError, match="20°"):
        MetricCRS.fitted((0, 0, 60, 60))
