"""A hand-drawn workspace with roads, shared by the travel-time tests of the optimizer and the site rules.

Everything is drawn in kilometres in the workspace's own metric projection (so the lengths the graph
measures are the lengths drawn) and stored in WGS84 like any workspace, inside a 1.2° x 1.1° region
with one county.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from siting.geo import unproject_xy
from siting.workspace import Workspace, empty_layer, make_layer

REGION = (58.6, 32.3, 59.8, 33.4)
COUNTY = "بخش"


def region_ws(name: str = "travel-time test") -> Workspace:
    """The region and its one county, with no settlements, offices or roads."""
    box = shapely.box(*REGION)
    region = make_layer("region", {"name_fa": ["آزمون"], "name_en": ["test"], "source": ["test"]}, [box])
    counties = make_layer("counties", {"code": ["1"], "name_fa": [COUNTY], "name_en": ["county"],
                                       "population": [100_000], "source": ["test"]}, [box])
    return Workspace(region, counties, empty_layer("settlements"), empty_layer("offices"),
                     meta={"name": name, "sample": True})


def road_ws(settlements: Sequence[tuple], offices: Sequence[tuple], roads: Sequence[tuple]) -> Workspace:
    """settlements: ``(code, kind, population, x_km, y_km)``; offices: ``(id, licence type, x_km, y_km)``
    (all active); roads: ``(points_km, maxspeed_kmh, oneway)``, every road of class primary."""
    base = region_ws()
    crs = base.metric_crs.distance

    def lonlat(pts):
        a = np.asarray(pts, float) * 1000.0
        lon, lat = unproject_xy(a[:, 0], a[:, 1], crs)
        return list(zip(lon.tolist(), lat.tolist(), strict=True))

    n, m = len(settlements), len(offices)
    s = make_layer("settlements", {
        "code": [c for c, *_ in settlements], "name_fa": [f"آبادی {c}" for c, *_ in settlements],
        "name_en": [c for c, *_ in settlements], "kind": [k for _, k, *_ in settlements],
        "population": [p for _, _, p, *_ in settlements], "county": [COUNTY] * n,
        "source": ["test"] * n}, shapely.points(lonlat([(x, y) for *_, x, y in settlements])))
    o = make_layer("offices", {
        "office_id": [i for i, *_ in offices], "name": [f"دفتر {i}" for i, *_ in offices],
        "licence_type": [t for _, t, *_ in offices], "status": ["active"] * m,
        "county": [COUNTY] * m, "source": ["test"] * m},
        shapely.points(lonlat([(x, y) for *_, x, y in offices])) if offices else [])
    r = make_layer("roads", {
        "code": [f"r{k}" for k in range(len(roads))], "road_class": ["primary"] * len(roads),
        "maxspeed_kmh": [v for _, v, _ in roads], "oneway": [w for *_, w in roads],
        "source": ["test"] * len(roads)}, [shapely.LineString(lonlat(pts)) for pts, _, _ in roads])
    return Workspace(base.region, base.counties, s, o, meta=base.meta, roads=r)
