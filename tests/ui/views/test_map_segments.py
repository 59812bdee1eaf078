"""Outlines are split into segments of at most DISPLAY_SEGMENT_DEG, short enough that deck.gl's straight
web-mercator segment stays on the lon/lat edge it draws, and no shorter (every vertex costs a browser
without a GPU time in every frame)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import Geod

from ui.views.mapdata import DISPLAY_SEGMENT_DEG, features

GEOD = Geod(ellps="WGS84")


def _drawn_midpoint_error_m(lon: float, lat0: float, lat1: float) -> float:
    """Metres between the middle of a meridian segment straight in lon/lat and the middle of the same
    segment drawn straight in web mercator (as deck.gl draws it)."""
    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    y_mid = (merc_y(lat0) + merc_y(lat1)) / 2
    lat_drawn = math.degrees(2 * math.atan(math.exp(y_mid)) - math.pi / 2)
    return float(GEOD.inv(lon, lat_drawn, lon, (lat0 + lat1) / 2)[2])


@pytest.mark.parametrize("lat", [30.5, 33.0, 35.2])  # South Khorasan's southern edge, middle, northern edge
def test_a_segment_is_drawn_within_two_metres_of_its_edge(lat):
    assert _drawn_midpoint_error_m(59.0, lat, lat + DISPLAY_SEGMENT_DEG) < 2.0
    # an unsplit one-degree county edge would be drawn more than a hundred metres off
    assert _drawn_midpoint_error_m(59.0, lat, lat + 1.0) > 100.0


def test_long_edges_are_split_and_no_segment_is_longer_than_the_limit(hand_ws):
    # a county-like box with 1.5° edges: four vertices in, each edge split into segments of ≤ 0.1°
    box = shapely.box(58.0, 31.0, 59.5, 32.5)
    gdf = hand_ws.region.set_geometry([box], crs=4326)
    ring = np.array(features(gdf, {"tip": ["x"]})["features"][0]["geometry"]["coordinates"][0])
    steps = np.hypot(*np.diff(ring, axis=0).T)
    assert steps.max() <= DISPLAY_SEGMENT_DEG + 1e-9
    # and not split finer than needed: 4 edges of 1.5° make 4 × 15 segments
    assert len(ring) - 1 == 4 * math.ceil(1.5 / DISPLAY_SEGMENT_DEG)
