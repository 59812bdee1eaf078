"""Service-gap regions: the parts of the region farther than the service
radius from every serving office.

Per licence type (each office type with its own radius) and combined
('any': farther than its type's radius from every office of either type).
The gap is dissolved, cut along county borders so that each part lies in
one county, and split into parts; each part carries its area, the
settlements inside it and their uncovered population, ranked by uncovered
population. :func:`gap_cells` gives the same answer on an H3 hex grid.

Geometry work happens in the workspace's metric CRS (circles are true
circles in metres there); areas are measured in the matching equal-area
projection; results are returned in WGS84.

Travel time (issue 10): for a licence type whose service measure is
``"time"`` the served area is the union of its serving offices' service
areas (:func:`service_areas`: each office's isochrone of the service time,
:func:`siting.network.isochrones`, for trips towards the office), instead of
circles; the gap is the region minus that union, so the gaps and the service
areas drawn on the map are exact complements. The isochrone is drawn from
the roads' off-road reach, while a settlement's own time uses its leg to the
nearest road, so a settlement uncovered by travel time may lie just inside a
service area: it joins the nearest gap part within the longest off-road leg,
and any left over are counted in ``attrs["uncovered_outside_parts"]`` (never
dropped). :func:`gap_cells` times every cell centre on the network by one
multi-source search per licence type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from siting.coverage import covered_mask, nearest_offices, settlement_service, timed_nearest
from siting.errors import InputError
from siting.geo import WGS84, project_xy, to_crs
from siting.rules import Rules, load_rules
from siting.rules.roads import RoadParams
from siting.vocab import LICENCE_TYPES
from siting.workspace import Workspace

GAP_TYPES = (*LICENCE_TYPES, "any")
BUFFER_QUAD_SEGS = 32  # 128-gon circles: area within 0.04 % of a true circle
EDGE_DENSIFY_DEG = 0.005  # about 500 m: a densified edge stays within a metre of the lon/lat border


@dataclass(frozen=True)
class _MetricGeoms:
    region: shapely.Geometry | None
    counties: np.ndarray


def _metric_geoms(ws: Workspace) -> _MetricGeoms:
    cache = ws.__dict__.setdefault("_gaps_metric", {})
    if "g" not in cache:
        crs = ws.metric_crs.distance
        # Polygon edges are straight in lon/lat (as stored and as county_of tests points); projected
        # vertex by vertex, a long edge would become straight in the metric CRS instead and bow away
        # from the stored border by tens to hundreds of metres. Densify first so it follows the border.
        def metric(g):
            return to_crs(shapely.segmentize(g, EDGE_DENSIFY_DEG), WGS84, crs)

        region = metric(ws.region.geometry.union_all()) if len(ws.region) else None
        counties = np.array([metric(g) for g in ws.counties.geometry], dtype=object)
        cache["g"] = _MetricGeoms(region, counties)
    return cache["g"]


def _radii(rules: Rules | None, radii: Mapping[str, float] | None) -> dict[str, float]:
    r = dict(radii) if radii is not None else (rules or load_rules()).radii()
    for t in LICENCE_TYPES:
        if t not in r or not np.isfinite(r[t]) or r[t] < 0:
            raise InputError(f"service radius for {t}: expected a non-negative number of metres, got {r.get(t)!r}")
    return {t: float(r[t]) for t in LICENCE_TYPES}


def served_area(ws: Workspace, licence_type: str, radii: Mapping[str, float], *, rules: Rules | None = None,
                road_params: RoadParams | None = None) -> shapely.Geometry:
    """Union of the service areas of the serving offices (metric CRS).

    A circle of the service radius around each office of a type served by distance; the office's
    travel-time service area (:func:`service_areas`) for a type that ``rules`` serve by time.
    """
    idx = ws.index
    types = LICENCE_TYPES if licence_type == "any" else (licence_type,)
    measures = rules.measures() if rules is not None else {t: "distance" for t in LICENCE_TYPES}
    pieces = []
    for t in types:
        rows = idx.office_rows[t]
        if not len(rows):
            continue
        if measures[t] == "time":
            assert rules is not None
            areas = service_areas(ws, rules, t, road_params=road_params)
            if len(areas):
                pieces.append(np.asarray(areas.to_crs(ws.metric_crs.distance).geometry.array, dtype=object))
        elif radii[t] > 0:
            pieces.append(shapely.buffer(shapely.points(idx.office_xy[rows]), radii[t], quad_segs=BUFFER_QUAD_SEGS))
    if not pieces:
        return shapely.Polygon()
    return shapely.union_all(np.concatenate(pieces))


def service_areas(ws: Workspace, rules: Rules | None = None, licence_type: str = "any", *,
                  road_params: RoadParams | None = None, step_m: float = 250.0) -> gpd.GeoDataFrame:
    """Each serving office's travel-time service area (isochrone), for the map.

    The area from which the office is reached within its type's ``service_time_min`` on the road
    network (:func:`siting.network.isochrones` with ``to_sources=True``: trips towards the office).

    Parameters
    ----------
    ws
        The workspace (with a roads layer).
    rules
        Give each type's service time (default: the rules file). The time is used whatever the
        type's service measure.
    licence_type
        'urban', 'rural' or 'any' (the offices of both types, each with its type's time).
    road_params
        Road speeds and the off-road model (default: ``siting/rules/roads.yaml``).
    step_m
        Spacing of the points laid along the roads to draw the areas (metres).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per serving office, in WGS84: ``office_id``, ``name``, ``licence_type``,
        ``minutes``, ``area_km2`` (equal-area projection) and the polygon.

    Raises
    ------
    InputError
        An unknown licence type, a type without a service time, or no roads layer.
    """
    from siting.network import isochrones, workspace_network

    if licence_type not in GAP_TYPES:
        raise InputError(f"licence type {licence_type!r}: expected urban, rural or any", source="licence_type")
    rules = rules or load_rules()
    times = rules.service_times()
    types = LICENCE_TYPES if licence_type == "any" else (licence_type,)
    frames = []
    for t in types:
        rows = ws.index.office_rows[t]
        minutes = times[t]
        if minutes is None:
            raise InputError(f"service areas for {t}: the rules give no service_time_min", source="rules")
        if not len(rows):
            continue
        net = workspace_network(ws, road_params)
        iso = isochrones(net.graph, net.offices.subset(rows), float(minutes), to_sources=True, step_m=step_m)
        offices = ws.offices.iloc[rows]
        iso["office_id"] = offices["office_id"].to_numpy(dtype=object)[iso["source"].to_numpy()]
        iso["name"] = offices["name"].to_numpy(dtype=object)[iso["source"].to_numpy()]
        iso["licence_type"] = t
        frames.append(iso)
    cols = ["office_id", "name", "licence_type", "minutes", "area_km2"]
    if not frames:
        return gpd.GeoDataFrame(pd.DataFrame(columns=cols), geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
    out["area_km2"] = out.to_crs(ws.metric_crs.area).geometry.area.to_numpy() / 1e6
    return out[[*cols, "geometry"]]


def compute_gaps(
    ws: Workspace,
    rules: Rules | None = None,
    *,
    licence_type: str = "any",
    radii: Mapping[str, float] | None = None,
    road_params: RoadParams | None = None,
) -> gpd.GeoDataFrame:
    """Gap parts of the region for one licence type ('urban', 'rural' or 'any').

    Returns a GeoDataFrame in WGS84, one row per part, ranked by uncovered
    population then area, with columns ``rank``, ``gap_id``, ``licence_type``,
    ``county``, ``area_km2``, ``settlements`` (count), ``settlement_names``,
    ``uncovered_population`` (located population of the uncovered
    settlements in the part) and ``settlements_without_population``.

    A settlement belongs to a part when the coverage computation (exact
    distances) finds it uncovered and it lies in, or next to, the part: the
    polygon circles are 128-gons, so the point test is done on the exact
    distance, not on the polygon.

    For a type ``rules`` serve by travel time the served area is the union
    of the offices' service areas (:func:`service_areas`) and a settlement is
    uncovered when its travel time exceeds the service time (see the module
    notes); ``road_params`` are the road speeds and off-road model.
    """
    if licence_type not in GAP_TYPES:
        raise InputError(f"licence type {licence_type!r}: expected urban, rural or any")
    radii = _radii(rules, radii)
    rules = rules or load_rules()
    if not len(ws.region):
        raise InputError("the workspace has no region outline; import one (siting import region FILE)")
    mg = _metric_geoms(ws)
    gap = shapely.difference(mg.region, served_area(ws, licence_type, radii, rules=rules, road_params=road_params))
    parts, counties = [], []
    if len(mg.counties):
        pieces = shapely.intersection(gap, mg.counties)
        for ci, piece in enumerate(pieces):
            for p in getattr(piece, "geoms", [piece]):
                if p.geom_type == "Polygon" and p.area > 1.0:
                    parts.append(p)
                    counties.append(ws.counties["name_fa"].iat[ci])
        # gap outside every county polygon (a region that the counties do not tile)
        rest = shapely.difference(gap, shapely.union_all(mg.counties))
        for p in getattr(rest, "geoms", [rest]):
            if p.geom_type == "Polygon" and p.area > 1e6:
                parts.append(p)
                counties.append(None)
    else:
        for p in getattr(gap, "geoms", [gap]):
            if p.geom_type == "Polygon" and p.area > 1.0:
                parts.append(p)
                counties.append(None)

    # uncovered settlements (exact distances) -> the part that holds them
    idx = ws.index
    service = settlement_service(ws, rules, radii, road_params)
    uncovered = ~service.covered[licence_type]
    timed = any(service.measures[t] == "time" for t in (LICENCE_TYPES if licence_type == "any" else (licence_type,)))
    reach = 50.0
    if timed:
        from siting.network import workspace_network

        reach = max(50.0, float(workspace_network(ws, road_params).params.max_offroad_m))
    pop = ws.settlements["population"].to_numpy(dtype=float, na_value=np.nan)
    names = ws.settlements["name_fa"].to_numpy(dtype=object)
    part_of = np.full(len(pop), -1)
    if parts and uncovered.any():
        tree = shapely.STRtree(parts)
        rows = np.flatnonzero(uncovered)
        pts = shapely.points(idx.settlement_xy[rows])
        # points inside a part first (a point-in-polygon test), the first part when on a shared border;
        # only the few left over (just outside a 128-gon's edge, or inside a travel-time service area drawn
        # from a road they are not timed by) take the slower nearest-within-`reach` query
        pi, ci = tree.query(pts, predicate="intersects")
        first = np.unique(pi, return_index=True)[1]
        part_of[rows[pi[first]]] = ci[first]
        rest = np.flatnonzero(part_of[rows] < 0)
        if len(rest):
            found = tree.query_nearest(pts[rest], max_distance=reach, all_matches=False)
            part_of[rows[rest[found[0]]]] = found[1]
    n = len(parts)
    count = np.bincount(part_of[part_of >= 0], minlength=n)
    upop = np.bincount(part_of[part_of >= 0], weights=np.nan_to_num(pop[part_of >= 0]), minlength=n)
    unknown = np.bincount(part_of[part_of >= 0], weights=np.isnan(pop[part_of >= 0]).astype(float), minlength=n)
    members: list[list[str]] = [[] for _ in range(n)]
    order = np.argsort(-np.nan_to_num(pop))
    for i in order:
        if part_of[i] >= 0:
            members[part_of[i]].append(str(names[i]))
    area_crs = ws.metric_crs.area
    areas = np.array([to_crs(p, ws.metric_crs.distance, area_crs).area / 1e6 for p in parts]) if n else np.array([])
    geoms = [to_crs(p, ws.metric_crs.distance, WGS84) for p in parts]
    df = pd.DataFrame({
        "licence_type": [licence_type] * n,
        "county": counties,
        "area_km2": areas,
        "settlements": count.astype(int),
        "settlement_names": ["، ".join(m[:20]) + (" …" if len(m) > 20 else "") for m in members],
        "uncovered_population": upop.round().astype(np.int64),
        "settlements_without_population": unknown.astype(int),
    })
    out = gpd.GeoDataFrame(df, geometry=geoms, crs=WGS84)
    out = out.sort_values(["uncovered_population", "area_km2"], ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, n + 1))
    out.insert(1, "gap_id", [f"{licence_type}-{i + 1}" for i in range(n)])
    if timed:
        left = uncovered & (part_of < 0)
        out.attrs["uncovered_outside_parts"] = {"settlements": int(left.sum()),
                                                "population": round(float(np.nansum(pop[left])))}
    return out


def gap_cells(
    ws: Workspace,
    rules: Rules | None = None,
    *,
    resolution: int = 7,
    radii: Mapping[str, float] | None = None,
    with_geometry: bool = False,
    road_params: RoadParams | None = None,
) -> pd.DataFrame:
    """The region on an H3 grid (h3 v4): one row per cell whose centre lies in the region.

    Columns: ``h3`` (cell id), ``lon``/``lat`` (cell centre), ``county``,
    ``dist_urban_m``/``dist_rural_m`` (centre to nearest serving office),
    ``gap_urban``/``gap_rural``/``gap_any`` (centre farther than the radius
    from every office of that type / of every type), ``population`` and
    ``uncovered_population`` (located population of the settlements in the
    cell, and of those not covered by any office). With ``with_geometry``
    a GeoDataFrame of the hexagons.

    For a type ``rules`` serve by travel time, the cell centres are joined to
    the road network (:func:`siting.network.attach`) and timed to the nearest
    office of the type by one multi-source search: ``time_<type>_min`` gives
    the minutes (NaN when no office is reachable), ``off_network`` flags a
    centre farther than the longest off-road leg from every road, and
    ``gap_<type>`` is set where the time exceeds the service time. The
    ``dist_<type>_m`` columns then give the straight-line distance to the
    office nearest by time.
    """
    if not 0 <= int(resolution) <= 10:
        raise InputError(f"H3 resolution {resolution!r}: expected 0–10 (6 ≈ 36 km², 7 ≈ 5 km², 8 ≈ 0.7 km²)")
    radii = _radii(rules, radii)
    rules = rules or load_rules()
    if not len(ws.region):
        raise InputError("the workspace has no region outline; import one (siting import region FILE)")
    region = ws.region.geometry.union_all()
    cells = sorted(h3.h3shape_to_cells(h3.geo_to_h3shape(region.__geo_interface__), int(resolution)))
    if not cells:
        return pd.DataFrame(columns=["h3", "lon", "lat"])
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    lat, lon = centres[:, 0], centres[:, 1]
    xy = np.column_stack(project_xy(lon, lat, ws.metric_crs.distance))
    near = nearest_offices(ws, xy)
    time_types = tuple(t for t in LICENCE_TYPES if rules.measures()[t] == "time")
    off = None
    if time_types:
        from siting.network import attach, workspace_network

        net = workspace_network(ws, road_params)
        centres_on = attach(net.graph, lon, lat)
        near = timed_nearest(ws, near, xy, time_types,
                             {t: net.nearest_office_times(ws, t, centres_on) for t in time_types})
        off = ~centres_on.on_network
    cov = covered_mask(near, radii, rules.service_times())
    df = pd.DataFrame({
        "h3": cells,
        "lon": lon,
        "lat": lat,
        "county": ws.county_of(lon, lat),
        "dist_urban_m": near.dist["urban"],
        "dist_rural_m": near.dist["rural"],
        "gap_urban": ~cov["urban"],
        "gap_rural": ~cov["rural"],
        "gap_any": ~cov["any"],
    })
    for t in time_types:  # NaN (null in JSON and GeoJSON) where no office of the type is reachable
        minutes = near.seconds[t] / 60.0
        df[f"time_{t}_min"] = np.where(np.isfinite(minutes), minutes, np.nan)
    if off is not None:
        df["off_network"] = off
    s = ws.settlements
    pop = s["population"].to_numpy(dtype=float, na_value=np.nan)
    if len(s):
        scells = [h3.latlng_to_cell(y, x, int(resolution)) for x, y in zip(s.geometry.x, s.geometry.y, strict=True)]
        s_unc = ~settlement_service(ws, rules, radii, road_params).covered["any"]
        agg = pd.DataFrame({"h3": scells, "population": np.nan_to_num(pop),
                            "uncovered_population": np.where(s_unc, np.nan_to_num(pop), 0.0)})
        agg = agg.groupby("h3").sum()
        df = df.join(agg, on="h3")
    for col in ("population", "uncovered_population"):
        df[col] = df.get(col, pd.Series(0.0, index=df.index)).fillna(0).round().astype(np.int64)
    if with_geometry:
        polys = [shapely.Polygon([(x, y) for y, x in h3.cell_to_boundary(c)]) for c in cells]
        return gpd.GeoDataFrame(df, geometry=polys, crs=WGS84)
    return df

def open_cells(ws: Workspace, cells: pd.DataFrame, rules: Rules, licence_type: str) -> np.ndarray:
    """Cells of :func:`gap_cells` where a new office of ``licence_type`` could open: the cell lies in
    that type's service gap and its centre breaks none of the type's site rules
    (:func:`siting.rules.site.check_sites`, the one definition the site checker uses: inside the
    region, the minimum distances to offices, inside a city for an urban office, outside cities and
    near a village for a rural one). A rule the workspace cannot decide (no cities, no office list)
    does not close a cell.

    >>> from siting.samples.hand import hand_workspace
    >>> ws, rules = hand_workspace(), load_rules()
    >>> cells = gap_cells(ws, rules, resolution=6)
    >>> urban = open_cells(ws, cells, rules, "urban")  # only near the cities: 2 of 1,078 cells
    >>> int(urban.sum()), int((cells["gap_urban"] & (cells["dist_urban_m"] >= 1000)).sum())
    (2, 1077)
    """
    from siting.rules.site import check_sites

    if not len(cells):
        return np.zeros(0, bool)
    chk = check_sites(ws, rules, licence_type, cells["lon"].to_numpy(float), cells["lat"].to_numpy(float))
    return cells[f"gap_{licence_type}"].to_numpy(dtype=bool) & chk.passes
