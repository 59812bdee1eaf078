"""The road network: a routable graph, places joined to it, and travel times.

Travel time instead of crow-flight distance (issue 10). Four steps, each a function:

1. :func:`build_graph` turns the ``roads`` layer into a :class:`RoadGraph` in the workspace's metric
   projection;
2. :func:`attach` joins places (settlements, offices, a proposed site) to it, giving an
   :class:`Attachment`;
3. :func:`nearest_time` gives every target the time to (or from) its nearest source by one
   multi-source Dijkstra search, and :func:`cost_matrix` the sparse matrix of times within a bound
   (cover sets and costs for MCLP, LSCP and p-median);
4. :func:`isochrones` draws the area each source reaches within given minutes.

The graph
---------
Lines are read as they are drawn. A node is a point shared by two lines (the same coordinates,
exactly), a line's end, or a vertex used twice by one line; lines are split at nodes into edges.
Two lines that cross without a shared vertex do NOT meet (a bridge or an underpass): OpenStreetMap
and road authorities draw a junction as a shared vertex. A line's end within
``snap_tolerance_m`` of another line's end or vertex is joined to it (digitising slips); the
joining is transitive, and a joined end keeps its drawn geometry (lengths are the drawn lengths).
An edge takes ``length / speed`` seconds, the speed being the road's maxspeed, else its class
speed (:class:`~siting.rules.roads.RoadParams`); a one-way road is an arc in its drawing
direction only. Of parallel edges between two nodes the fastest counts.

Places
------
A place joins the network by an off-road leg, straight to the NEAREST POINT ON A ROAD (not the
nearest node), at ``offroad_speed_kmh``; from there it travels along that edge to the edge's ends
(against a one-way edge's direction only when it is two-way). A place farther than
``max_offroad_m`` from every road is off the network (``Attachment.on_network`` False): it
reaches nothing by road and nothing reaches it. Two places on the same edge travel along the edge
between them without going through a node. Two places closer to each other than
``max_offroad_m`` may also go straight across at the off-road speed (an office in the village
itself is a short walk, not two legs to the road and back); this is the only way an off-network
place reaches anything.

Times are seconds, as float64; ``inf`` where nothing is reachable (within the bound).
Direction matters on one-way roads: ``to_sources=True`` (``to_candidates=True``) gives the time
of the trip from each target (demand point) to the source (candidate), as people travel to an
office; the search then runs on the transposed graph.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from siting.errors import InputError
from siting.geo import WGS84, MetricCRS, project_xy, to_crs
from siting.rules.roads import RoadParams, load_road_params

#: A place this close (metres, along its edge) to an edge's end is at that node (one-way edges included).
_AT_NODE_M = 1e-6
#: Cells of the dense block one bounded search fills at a time (chunks × nodes); bounds memory.
_BLOCK_CELLS = 20_000_000


@dataclass(frozen=True)
class ComponentInfo:
    """One connected piece of the network (connected ignoring one-way restrictions).

    ``places`` are the positions (in the Attachment given to :meth:`RoadGraph.report`) of the places
    joined to this piece; on any piece but the largest they are stranded.
    """

    id: int
    nodes: int
    edges: int
    length_km: float
    places: tuple[int, ...] = ()


@dataclass(frozen=True)
class NetworkReport:
    """What :meth:`RoadGraph.report` found: the graph's size, its pieces and the places they strand."""

    nodes: int
    edges: int
    length_km: float
    components: tuple[ComponentInfo, ...]
    largest_share: float
    stranded: tuple[int, ...] = ()
    off_network: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; places are named when names were given."""
        def name(i: int) -> Any:
            return self.names[i] if self.names else i

        return {
            "nodes": self.nodes, "edges": self.edges, "length_km": round(self.length_km, 3),
            "components": len(self.components), "largest_share": round(self.largest_share, 6),
            "pieces": [{"id": c.id, "nodes": c.nodes, "edges": c.edges, "length_km": round(c.length_km, 3),
                        "places": [name(i) for i in c.places]} for c in self.components],
            "stranded": [name(i) for i in self.stranded],
            "off_network": [name(i) for i in self.off_network],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """A routable road graph in a metric CRS (built by :func:`build_graph`).

    Attributes
    ----------
    crs
        PROJ string of the metric projection all coordinates are in.
    node_xy
        ``(nodes, 2)`` node coordinates (metres).
    edge_from, edge_to
        Node of each edge's start and end (the drawing direction).
    edge_length_m, edge_time_s, edge_speed_kmh
        Each edge's drawn length, travel time and speed.
    edge_oneway
        Whether the edge may only be travelled from ``edge_from`` to ``edge_to``.
    edge_road
        Row of the roads layer each edge comes from.
    vertex_xy, edge_vertex_start, edge_vertex_stop
        The edge's drawn shape is ``vertex_xy[edge_vertex_start[e]:edge_vertex_stop[e]]``.
    matrix
        ``(nodes, nodes)`` CSR matrix of arc times in seconds (the fastest of parallel edges).
    component
        Weakly connected piece of each node.
    params
        The road parameters the graph was built with.
    """

    crs: str
    node_xy: np.ndarray
    edge_from: np.ndarray
    edge_to: np.ndarray
    edge_length_m: np.ndarray
    edge_time_s: np.ndarray
    edge_speed_kmh: np.ndarray
    edge_oneway: np.ndarray
    edge_road: np.ndarray
    vertex_xy: np.ndarray
    edge_vertex_start: np.ndarray
    edge_vertex_stop: np.ndarray
    matrix: sp.csr_matrix
    component: np.ndarray
    params: RoadParams
    notes: tuple[str, ...] = field(default=())

    @property
    def n_nodes(self) -> int:
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        return len(self.edge_from)

    @cached_property
    def matrix_t(self) -> sp.csr_matrix:
        """The transposed arc matrix (for trips towards the sources)."""
        return self.matrix.transpose().tocsr()

    @cached_property
    def _segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any]:
        """(edge, start vertex, offset along the edge, length) of every segment, and an STRtree of them."""
        counts = self.edge_vertex_stop - self.edge_vertex_start - 1
        edge = np.repeat(np.arange(self.n_edges), counts)
        first = np.repeat(self.edge_vertex_start, counts)
        local = np.arange(len(edge)) - np.repeat(np.cumsum(counts) - counts, counts)
        a = first + local
        d = self.vertex_xy[a + 1] - self.vertex_xy[a]
        length = np.hypot(d[:, 0], d[:, 1])
        cum = np.cumsum(length)
        base = np.repeat(cum[np.cumsum(counts) - counts] - length[np.cumsum(counts) - counts], counts) \
            if len(edge) else np.zeros(0)
        offset = cum - length - base
        lines = shapely.linestrings(np.stack([self.vertex_xy[a], self.vertex_xy[a + 1]], axis=1)) \
            if len(edge) else np.empty(0, dtype=object)
        return edge, a, offset, length, shapely.STRtree(lines)

    def report(self, places: Attachment | None = None, names: Sequence[Any] | None = None) -> NetworkReport:
        """The graph's size and pieces, with the places stranded on pieces other than the largest.

        Parameters
        ----------
        places
            Places joined by :func:`attach` (e.g. the settlements); optional.
        names
            A name per place, used in :meth:`NetworkReport.to_dict`.
        """
        n_comp = int(self.component.max()) + 1 if self.n_nodes else 0
        ecomp = self.component[self.edge_from] if self.n_edges else np.zeros(0, np.int64)
        length = np.bincount(ecomp, self.edge_length_m, minlength=n_comp) / 1000.0
        nodes = np.bincount(self.component, minlength=n_comp)
        edges = np.bincount(ecomp, minlength=n_comp)
        order = np.lexsort((np.arange(n_comp), -length))
        pcomp = np.full(0, -1)
        if places is not None:
            pcomp = np.where(places.on_network, ecomp[np.maximum(places.edge, 0)] if self.n_edges else -1, -1)
        comps = []
        for rank, c in enumerate(order.tolist()):
            comps.append(ComponentInfo(rank, int(nodes[c]), int(edges[c]), float(length[c]),
                                       tuple(np.flatnonzero(pcomp == c).tolist())))
        total = float(length.sum())
        stranded = tuple(sorted(i for comp in comps[1:] for i in comp.places))
        off = tuple(np.flatnonzero(~places.on_network).tolist()) if places is not None else ()
        return NetworkReport(self.n_nodes, self.n_edges, total, tuple(comps),
                             float(length[order[0]] / total) if total > 0 else 0.0, stranded, off,
                             tuple(str(n) for n in names) if names is not None else (), self.notes)


@dataclass(frozen=True, eq=False)
class Attachment:
    """Places joined to a :class:`RoadGraph` (by :func:`attach`).

    Attributes
    ----------
    xy
        ``(places, 2)`` coordinates in the graph's CRS.
    edge
        The edge each place joins (-1: off the network).
    along_m
        Where on the edge: metres from the edge's start along its drawn shape.
    leg_m
        Length of the off-road leg (``inf`` off the network).
    leg_s
        Time of the off-road leg (``inf`` off the network).
    on_network
        Whether the place joins the network (its leg is at most ``max_offroad_m``).
    """

    xy: np.ndarray
    edge: np.ndarray
    along_m: np.ndarray
    leg_m: np.ndarray
    leg_s: np.ndarray
    on_network: np.ndarray

    def __len__(self) -> int:
        return len(self.xy)

    @cached_property
    def tree(self) -> cKDTree:
        """A k-d tree of the places' coordinates (built once, on first use: the straight-across walks)."""
        return cKDTree(self.xy, balanced_tree=False, compact_nodes=False)

    def subset(self, rows: Any) -> Attachment:
        """The places at ``rows`` (positions or a boolean mask), in that order."""
        return Attachment(self.xy[rows], self.edge[rows], self.along_m[rows], self.leg_m[rows], self.leg_s[rows],
                          self.on_network[rows])


# -- building --------------------------------------------------------------------------------


def road_speeds(roads: pd.DataFrame, params: RoadParams) -> np.ndarray:
    """The speed of each road (km/h): its maxspeed, else its class speed, else its stored speed.

    The class speed comes from ``params`` (capped on an unpaved surface), so a change of the road
    parameters applies without re-importing; a road of a class the parameters do not list keeps
    the ``speed_kmh`` stored at import, or takes ``default_speed_kmh``.
    """
    n = len(roads)

    def col(name: str) -> pd.Series:
        return roads[name] if name in roads.columns else pd.Series([None] * n, index=roads.index, dtype=object)

    maxspeed = pd.to_numeric(col("maxspeed_kmh"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    stored = pd.to_numeric(col("speed_kmh"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    cls = col("road_class").astype(object).to_numpy()
    surface = col("surface").astype(object).to_numpy()
    known = np.array([c in params.class_speeds_kmh for c in cls], dtype=bool)
    class_speed = np.array([params.class_speed(c, s) if k else np.nan for c, s, k in zip(cls, surface, known,
                                                                                          strict=True)])
    out = np.where(np.isfinite(maxspeed) & (maxspeed > 0), maxspeed,
                   np.where(known, class_speed,
                            np.where(np.isfinite(stored) & (stored > 0), stored, params.default_speed_kmh)))
    return out.astype(float)


def build_graph(ws_or_roads: Any, params: RoadParams | None = None, *, crs: str | None = None) -> RoadGraph:
    """Build the routable graph of a workspace's roads layer (or of a roads GeoDataFrame).

    Parameters
    ----------
    ws_or_roads
        A :class:`~siting.workspace.Workspace` (its ``roads`` layer, projected to its
        ``metric_crs.distance``) or a GeoDataFrame of LineStrings/MultiLineStrings with a CRS and the
        roads layer's columns (``road_class``, ``maxspeed_kmh``, ``surface``, ``oneway``,
        ``speed_kmh``; missing ones count as blank).
    params
        Road parameters (default :func:`~siting.rules.roads.load_road_params`).
    crs
        The metric CRS to compute in (default: the workspace's, or one fitted to the roads).

    Returns
    -------
    RoadGraph

    Raises
    ------
    InputError
        A GeoDataFrame without a CRS, or geometries that are not lines.

    Examples
    --------
    Two roads meeting at a shared vertex, and a third crossing them without one (a bridge):

    >>> import geopandas as gpd, shapely
    >>> from siting.rules.roads import RoadParams
    >>> roads = gpd.GeoDataFrame({"road_class": ["primary", "primary", "primary"]}, geometry=[
    ...     shapely.LineString([(0, 0), (1000, 0)]), shapely.LineString([(1000, 0), (1000, 1000)]),
    ...     shapely.LineString([(500, -500), (500, 500)])], crs="EPSG:32640")
    >>> g = build_graph(roads, RoadParams({"primary": 36}), crs="EPSG:32640")
    >>> g.n_nodes, g.n_edges, float(g.edge_time_s[0])
    (5, 3, 100.0)
    >>> g.report().largest_share
    0.6666666666666666
    """
    from siting.workspace import Workspace

    params = params or load_road_params()
    if isinstance(ws_or_roads, Workspace):
        roads = ws_or_roads.roads
        crs = crs or ws_or_roads.metric_crs.distance
    elif isinstance(ws_or_roads, gpd.GeoDataFrame):
        roads = ws_or_roads
        if roads.crs is None:
            raise InputError("roads: the GeoDataFrame has no CRS; set it (e.g. .set_crs('EPSG:4326'))",
                             source="roads")
    else:
        raise InputError(f"roads: expected a Workspace or a GeoDataFrame, got {type(ws_or_roads).__name__}",
                         source="roads")
    roads = roads.reset_index(drop=True)
    if crs is None:
        if len(roads):
            crs = MetricCRS.fitted(tuple(roads.to_crs(WGS84).total_bounds)).distance
        else:
            crs = MetricCRS.fitted((44.0, 25.0, 63.5, 39.8)).distance
    geoms = np.asarray(roads.geometry.array, dtype=object)
    types = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~np.isin(types, (1, 5)) & ~shapely.is_missing(geoms))
    if len(bad):
        raise InputError(f"roads: row {int(bad[0]) + 1} is a {geoms[bad[0]].geom_type}, "
                         "not a line; expected LineString or MultiLineString", source="roads")
    speeds = road_speeds(roads, params)
    oneway = roads["oneway"].fillna(False).astype(bool).to_numpy() if "oneway" in roads.columns \
        else np.zeros(len(roads), bool)
    parts, part_row = shapely.get_parts(geoms, return_index=True)
    src_crs = roads.crs.to_string() if roads.crs is not None else WGS84
    coords, line = shapely.get_coordinates(parts, return_index=True)
    notes: list[str] = []
    if len(coords):
        x, y = _project(coords, src_crs, crs)
        xy = np.column_stack([x, y])
    else:
        xy = np.empty((0, 2))
    finite = np.isfinite(xy).all(axis=1)
    if not finite.all():
        dropped_lines = np.unique(line[~finite])
        notes.append(f"{len(dropped_lines)} line(s) with coordinates that cannot be projected left out")
        keep = ~np.isin(line, dropped_lines)
        xy, line = xy[keep], line[keep]
    return _assemble(xy, line, part_row, speeds, oneway, params, crs, notes)


def _project(coords: np.ndarray, src: str, dst: str) -> tuple[np.ndarray, np.ndarray]:
    if src == WGS84 or src.upper() == "EPSG:4326":
        return project_xy(coords[:, 0], coords[:, 1], dst)
    pts = to_crs(shapely.points(coords), src, dst)
    c = shapely.get_coordinates(pts)
    return c[:, 0], c[:, 1]


def _assemble(xy: np.ndarray, line: np.ndarray, part_row: np.ndarray, speeds: np.ndarray, oneway: np.ndarray,
              params: RoadParams, crs: str, notes: list[str]) -> RoadGraph:
    n = len(xy)
    # vertices with exactly the same coordinates are one point
    key = xy[:, 0] + 1j * xy[:, 1] if n else np.zeros(0, complex)
    uniq, first_of, inv = np.unique(key, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    is_end = np.zeros(n, bool)
    if n:
        is_end[0] = is_end[-1] = True
        change = line[1:] != line[:-1]
        is_end[1:] |= change
        is_end[:-1] |= change
    uxy = xy[first_of]
    label = np.arange(len(uniq))
    tol = float(params.snap_tolerance_m)
    if tol > 0 and len(uniq) > 1:
        ends = np.unique(inv[is_end])
        pairs = cKDTree(uxy[ends]).sparse_distance_matrix(cKDTree(uxy), tol, output_type="ndarray")
        if len(pairs):
            i = ends[pairs["i"]]
            j = pairs["j"]
            adj = sp.coo_matrix((np.ones(len(i)), (i, j)), shape=(len(uniq), len(uniq)))
            _, label = connected_components(adj, directed=False)
            joined = int(np.sum(i != j))
            if joined:
                notes.append(f"{len(uniq) - int(label.max()) - 1} road end(s) joined to a point within "
                             f"{tol:g} m")
    vid = label[inv]
    n_clusters = int(label.max()) + 1 if len(label) else 0
    incid = np.bincount(vid, minlength=n_clusters)
    junction = (np.bincount(vid, weights=is_end, minlength=n_clusters) > 0) | (incid >= 2)
    # segments between consecutive vertices of a line; a segment whose ends became one point is dropped
    a = np.flatnonzero(line[:-1] == line[1:]) if n > 1 else np.zeros(0, np.int64)
    b = a + 1
    a, b = a[vid[a] != vid[b]], b[vid[a] != vid[b]]
    d = xy[b] - xy[a]
    seg_len = np.hypot(d[:, 0], d[:, 1])
    start = junction[vid[a]].copy()
    if len(a):
        start[0] = True
        start[1:] |= line[a[1:]] != line[a[:-1]]
        start[1:] |= a[1:] != b[:-1]  # a dropped segment in between: a new edge (its ends are one node)
    edge = np.cumsum(start) - 1
    n_edges = int(edge[-1]) + 1 if len(edge) else 0
    first_seg = np.flatnonzero(start)
    last_seg = np.r_[first_seg[1:] - 1, len(a) - 1] if n_edges else np.zeros(0, np.int64)
    length = np.bincount(edge, weights=seg_len, minlength=n_edges)
    c_from, c_to = vid[a[first_seg]], vid[b[last_seg]]
    road = part_row[line[a[first_seg]]] if n_edges else np.zeros(0, np.int64)
    used, node_of = np.unique(np.r_[c_from, c_to], return_inverse=True)
    node_of = node_of.reshape(-1)
    e_from, e_to = node_of[:n_edges], node_of[n_edges:]
    # a node's point: the first vertex of its cluster
    rep = np.full(n_clusters, -1)
    order = np.argsort(label, kind="stable")
    lab_sorted = label[order]
    firsts = np.r_[True, lab_sorted[1:] != lab_sorted[:-1]] if len(order) else np.zeros(0, bool)
    rep[lab_sorted[firsts]] = order[firsts]
    node_xy = uxy[rep[used]] if len(used) else np.empty((0, 2))
    speed = speeds[road] if n_edges else np.zeros(0)
    e_time = length / (speed / 3.6)
    e_oneway = oneway[road] if n_edges else np.zeros(0, bool)
    n_nodes = len(used)
    matrix = _arc_matrix(n_nodes, e_from, e_to, e_time, e_oneway)
    if n_nodes:
        _, comp = connected_components(matrix, directed=True, connection="weak")
    else:
        comp = np.zeros(0, np.int64)
    return RoadGraph(crs=crs, node_xy=node_xy, edge_from=e_from.astype(np.int64), edge_to=e_to.astype(np.int64),
                     edge_length_m=length, edge_time_s=e_time, edge_speed_kmh=speed, edge_oneway=e_oneway,
                     edge_road=road.astype(np.int64), vertex_xy=xy, edge_vertex_start=a[first_seg].astype(np.int64),
                     edge_vertex_stop=(b[last_seg] + 1).astype(np.int64), matrix=matrix,
                     component=comp.astype(np.int64), params=params, notes=tuple(notes))


def _arc_matrix(n: int, e_from: np.ndarray, e_to: np.ndarray, e_time: np.ndarray, oneway: np.ndarray
                ) -> sp.csr_matrix:
    two = ~oneway
    rows = np.r_[e_from, e_to[two]]
    cols = np.r_[e_to, e_from[two]]
    w = np.r_[e_time, e_time[two]]
    keep = rows != cols  # a loop never shortens a trip
    rows, cols, w = rows[keep], cols[keep], w[keep]
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])] if len(rows) else np.zeros(0, bool)
    rows, cols, w = rows[first], cols[first], w[first]
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))].astype(np.int64)
    m = sp.csr_matrix((w.astype(float), cols.astype(np.int32), indptr.astype(np.int32)), shape=(n, n))
    m.has_sorted_indices = True
    return m


# -- attaching places ------------------------------------------------------------------------


def attach(graph: RoadGraph, lon: Any, lat: Any, params: RoadParams | None = None) -> Attachment:
    """Join places to the network by an off-road leg to the nearest point on a road.

    Parameters
    ----------
    graph
        The road graph.
    lon, lat
        The places' WGS84 coordinates (arrays of equal length).
    params
        Off-road speed and longest leg (default: the graph's parameters, which the searches use for a
        walk straight across between two places; pass other ones only to ask "which places lie within
        this leg").

    Returns
    -------
    Attachment
        A place farther than ``max_offroad_m`` from every road has ``on_network`` False and
        ``edge`` -1: it is never dropped and never treated as reachable by road.

    Raises
    ------
    InputError
        Coordinates of unequal length, or a coordinate that is not a finite number (naming the place).
    """
    params = params or graph.params
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    if lon.shape != lat.shape or lon.ndim != 1:
        raise InputError(f"places: {lon.size} longitudes and {lat.size} latitudes", source="places")
    bad = np.flatnonzero(~(np.isfinite(lon) & np.isfinite(lat)) | (np.abs(lon) > 180) | (np.abs(lat) > 90))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"place {i}: lon={lon[i]} lat={lat[i]} is not a WGS84 longitude/latitude "
                         f"({len(bad)} such place(s))", source="places")
    x, y = project_xy(lon, lat, graph.crs)
    return attach_xy(graph, np.column_stack([x, y]), params)


def attach_xy(graph: RoadGraph, xy: np.ndarray, params: RoadParams | None = None) -> Attachment:
    """:func:`attach` for coordinates already in the graph's CRS."""
    params = params or graph.params
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    edge = np.full(n, -1, np.int64)
    along = np.zeros(n)
    leg = np.full(n, np.inf)
    max_leg = float(params.max_offroad_m)
    if n and graph.n_edges:
        s_edge, s_a, s_off, s_len, tree = graph._segments
        pi, si = tree.query_nearest(shapely.points(xy), max_distance=max_leg if max_leg > 0 else 1e-9,
                                    all_matches=False)
        p = xy[pi]
        a = graph.vertex_xy[s_a[si]]
        bvec = graph.vertex_xy[s_a[si] + 1] - a
        t = np.clip(np.einsum("ij,ij->i", p - a, bvec) / np.maximum(s_len[si] ** 2, 1e-300), 0.0, 1.0)
        foot = a + t[:, None] * bvec
        dist = np.hypot(*(p - foot).T)
        ok = dist <= max_leg
        pi, si, t, dist = pi[ok], si[ok], t[ok], dist[ok]
        edge[pi] = s_edge[si]
        along[pi] = np.minimum(s_off[si] + t * s_len[si], graph.edge_length_m[s_edge[si]])
        leg[pi] = dist
    on = edge >= 0
    return Attachment(xy, edge, along, leg, leg / (params.offroad_speed_kmh / 3.6), on)


# -- searching -------------------------------------------------------------------------------


def _links(graph: RoadGraph, att: Attachment, outgoing: bool) -> tuple[np.ndarray, np.ndarray]:
    """For each place: the two nodes of its edge and the time between the place and each (``inf`` where the
    edge's direction forbids it or the place is off the network); ``outgoing``: from the place to the node."""
    n = len(att)
    nodes = np.zeros((n, 2), np.int64)
    cost = np.full((n, 2), np.inf)
    on = np.flatnonzero(att.on_network)
    if not len(on):
        return nodes, cost
    e = att.edge[on]
    speed = graph.edge_speed_kmh[e] / 3.6
    x = att.along_m[on]
    to_start = x / speed  # between the place and the edge's start
    to_end = (graph.edge_length_m[e] - x) / speed
    one = graph.edge_oneway[e]
    nodes[on, 0], nodes[on, 1] = graph.edge_from[e], graph.edge_to[e]
    leg = att.leg_s[on]
    # a place exactly at a node of a one-way edge is at that node: no travel against the direction
    at_start = x <= _AT_NODE_M
    at_end = graph.edge_length_m[e] - x <= _AT_NODE_M
    if outgoing:  # place -> start needs a two-way edge; place -> end always allowed
        cost[on, 0] = np.where(one & ~at_start, np.inf, to_start + leg)
        cost[on, 1] = to_end + leg
    else:  # start -> place always; end -> place needs a two-way edge
        cost[on, 0] = to_start + leg
        cost[on, 1] = np.where(one & ~at_end, np.inf, to_end + leg)
    return nodes, cost


def _augmented(base: sp.csr_matrix, nodes: np.ndarray, cost: np.ndarray) -> sp.csr_matrix:
    """``base`` with one extra row (a virtual node) per source, joined to its edge's nodes."""
    n = base.shape[0]
    k = len(nodes)
    ok = np.isfinite(cost)
    counts = ok.sum(axis=1)
    data = np.r_[base.data, cost[ok]]
    indices = np.r_[base.indices, nodes[ok]].astype(np.int32)
    indptr = np.r_[base.indptr, base.indptr[-1] + np.cumsum(counts)].astype(np.int32)
    return sp.csr_matrix((data, indices, indptr), shape=(n + k, n + k))


def _pair_candidates(graph: RoadGraph, src: Attachment, tgt: Attachment, to_sources: bool
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target, source, time) of trips that need no node: along one shared edge, or straight off-road."""
    ts, ss, tt = [], [], []
    # along a shared edge
    s_on = np.flatnonzero(src.on_network)
    t_on = np.flatnonzero(tgt.on_network)
    if len(s_on) and len(t_on):
        has_source = np.zeros(graph.n_edges, bool)
        has_source[src.edge[s_on]] = True
        t_on = t_on[has_source[tgt.edge[t_on]]]  # only targets on an edge with a source
    if len(s_on) and len(t_on):
        order = s_on[np.argsort(src.edge[s_on], kind="stable")]
        sorted_edges = src.edge[order]
        lo = np.searchsorted(sorted_edges, tgt.edge[t_on], "left")
        hi = np.searchsorted(sorted_edges, tgt.edge[t_on], "right")
        counts = hi - lo
        if counts.sum():
            ti = np.repeat(t_on, counts)
            pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
            si = order[pos]
            e = tgt.edge[ti]
            x_from, x_to = (tgt.along_m[ti], src.along_m[si]) if to_sources else (src.along_m[si], tgt.along_m[ti])
            forward = x_to >= x_from
            along = np.abs(x_to - x_from) / (graph.edge_speed_kmh[e] / 3.6)
            t = np.where(forward | ~graph.edge_oneway[e], along, np.inf) + src.leg_s[si] + tgt.leg_s[ti]
            ts.append(ti)
            ss.append(si)
            tt.append(t)
    # straight across, off-road
    max_leg = float(graph.params.max_offroad_m)
    if max_leg > 0 and len(src) and len(tgt):
        ti, si = _within(tgt, src, max_leg)
        d = tgt.xy[ti] - src.xy[si]
        ts.append(ti)
        ss.append(si)
        tt.append(np.sqrt(d[:, 0] ** 2 + d[:, 1] ** 2) / (graph.params.offroad_speed_kmh / 3.6))
    if not ts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(ts), np.concatenate(ss), np.concatenate(tt)


def _within(a: Attachment, b: Attachment, r: float) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) of places ``a[i]`` and ``b[j]`` at most ``r`` apart (coincident ones included), from the
    places' cached k-d trees; the smaller set queries the larger."""
    small_is_a = len(a) <= len(b)
    q, other = (a, b) if small_is_a else (b, a)
    hits = q.tree.query_ball_tree(other.tree, r)
    counts = np.fromiter(map(len, hits), np.int64, len(hits))
    qi = np.repeat(np.arange(len(hits), dtype=np.int64), counts)
    oi = np.fromiter(itertools.chain.from_iterable(hits), np.int64, int(counts.sum()))
    return (qi, oi) if small_is_a else (oi, qi)


def _check_bound(name: str, value: float | None) -> float:
    if value is None:
        return np.inf
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: {value!r} is not a number of seconds", source=name) from None
    if not v >= 0:  # also NaN
        raise InputError(f"{name}: {value!r} must be a number of seconds ≥ 0", source=name)
    return v


def nearest_time(graph: RoadGraph, sources: Attachment, targets: Attachment, *, max_time_s: float | None = None,
                 to_sources: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Travel time between every target and its nearest source, by one multi-source Dijkstra search.

    Every source becomes a virtual node joined to its edge's two nodes by its leg and along-edge time;
    ``scipy.sparse.csgraph.dijkstra(..., indices=all sources, min_only=True)`` then labels every node
    with the time from the nearest source and which source that is. A target's time is the least over
    its edge's two nodes, then over the trips that need no node (along a shared edge, straight
    off-road).

    Parameters
    ----------
    graph
        The road graph.
    sources, targets
        Places joined by :func:`attach` (e.g. offices and settlements).
    max_time_s
        Stop searching beyond this time; targets farther are ``inf``.
    to_sources
        Time the trip from the target to the source (people travelling to an office) instead of from
        the source to the target; they differ only where one-way roads are involved.

    Returns
    -------
    seconds : numpy.ndarray
        Float seconds per target (``inf`` when no source is reachable within the bound).
    source : numpy.ndarray
        Position in ``sources`` of each target's nearest source (-1 when none).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from siting.rules.roads import RoadParams
    >>> roads = gpd.GeoDataFrame({"road_class": ["primary"]},
    ...                          geometry=[shapely.LineString([(0, 0), (36000, 0)])], crs="EPSG:32640")
    >>> p = RoadParams({"primary": 36}, offroad_speed_kmh=3.6, max_offroad_m=500)
    >>> g = build_graph(roads, p, crs="EPSG:32640")
    >>> offices = attach_xy(g, [[0, 100]]); villages = attach_xy(g, [[36000, 0], [18000, -50], [9000, 900]])
    >>> seconds, nearest = nearest_time(g, offices, villages)
    >>> seconds.tolist(), nearest.tolist()
    ([3700.0, 1950.0, inf], [0, 0, -1])
    """
    limit = _check_bound("max_time_s", max_time_s)
    nt = len(targets)
    best = np.full(nt, np.inf)
    who = np.full(nt, -1, np.int64)
    if not nt or not len(sources):
        return best, who
    if graph.n_nodes and sources.on_network.any() and targets.on_network.any():
        base = graph.matrix_t if to_sources else graph.matrix
        s_nodes, s_cost = _links(graph, sources, outgoing=not to_sources)
        m = _augmented(base, s_nodes, s_cost)
        n = graph.n_nodes
        dist, _, src = dijkstra(m, directed=True, indices=np.arange(n, n + len(sources)), min_only=True,
                                return_predecessors=True, limit=limit)
        t_nodes, t_cost = _links(graph, targets, outgoing=to_sources)
        cand = dist[t_nodes] + t_cost
        pick = np.argmin(cand, axis=1)
        best = cand[np.arange(nt), pick]
        reached = np.isfinite(best)
        who = np.where(reached, src[t_nodes[np.arange(nt), pick]] - n, -1).astype(np.int64)
    ti, si, tt = _pair_candidates(graph, sources, targets, to_sources)
    if len(ti):
        order = np.lexsort((si, tt, ti))
        ti, si, tt = ti[order], si[order], tt[order]
        first = np.r_[True, ti[1:] != ti[:-1]]
        ti, si, tt = ti[first], si[first], tt[first]
        better = (tt < best[ti]) | ((tt == best[ti]) & (si < who[ti]) & np.isfinite(tt))
        best[ti[better]] = tt[better]
        who[ti[better]] = si[better]
    over = best > limit
    best[over] = np.inf
    who[~np.isfinite(best)] = -1
    return best, who


def _bounded_rows(graph: RoadGraph, sources: Attachment, base: sp.csr_matrix, outgoing: bool, limit: float):
    """Yield (source positions, dist block) of bounded searches from each source, a block at a time."""
    n = graph.n_nodes
    on = np.flatnonzero(sources.on_network)
    s_nodes, s_cost = _links(graph, sources, outgoing=outgoing)
    chunk = max(1, min(len(on), _BLOCK_CELLS // max(n + 1, 1)))
    for k in range(0, len(on), chunk):
        rows = on[k:k + chunk]
        m = _augmented(base, s_nodes[rows], s_cost[rows])
        dist = dijkstra(m, directed=True, indices=np.arange(n, n + len(rows)), limit=limit)
        yield rows, dist[:, :n]


def cost_matrix(graph: RoadGraph, demand: Attachment, candidates: Attachment, *, max_time_s: float,
                to_candidates: bool = True) -> sp.csr_matrix:
    """Sparse travel times between demand points and candidate sites, up to ``max_time_s``.

    One bounded Dijkstra search per candidate (run a block of candidates at a time, so memory stays
    within about 160 MB whatever the network's size). Entry ``[i, j]`` is the time of the trip from
    demand point ``i`` to candidate ``j`` (``to_candidates=True``, people travelling to an office) or
    from ``j`` to ``i``; a pair with no entry is farther than ``max_time_s`` (or unreachable). An
    explicit entry may be 0 (a demand point at the candidate's site): use the sparsity structure, not
    the values, as the cover set (``m.indices``/``m.indptr``, or ``m.nnz``).

    Parameters
    ----------
    graph
        The road graph.
    demand, candidates
        Places joined by :func:`attach`.
    max_time_s
        The bound (seconds), e.g. 1800 for a 30-minute service time.
    to_candidates
        Direction of the trip (see above).

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(len(demand), len(candidates))``, float64 seconds.
    """
    limit = _check_bound("max_time_s", max_time_s)
    nd, nc = len(demand), len(candidates)
    rows_i: list[np.ndarray] = []
    cols_j: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    if graph.n_nodes and nd and nc and demand.on_network.any():
        base = graph.matrix_t if to_candidates else graph.matrix
        d_on = np.flatnonzero(demand.on_network)
        d_nodes, d_cost = _links(graph, demand.subset(d_on), outgoing=to_candidates)
        for cand_rows, dist in _bounded_rows(graph, candidates, base, outgoing=not to_candidates, limit=limit):
            t = np.minimum(dist[:, d_nodes[:, 0]] + d_cost[:, 0], dist[:, d_nodes[:, 1]] + d_cost[:, 1])
            ci, di = np.nonzero(t <= limit)
            rows_i.append(d_on[di])
            cols_j.append(cand_rows[ci])
            vals.append(t[ci, di])
    ti, si, tt = _pair_candidates(graph, candidates, demand, to_sources=to_candidates)
    ok = tt <= limit
    rows_i.append(ti[ok])
    cols_j.append(si[ok])
    vals.append(tt[ok])
    r = np.concatenate(rows_i)
    c = np.concatenate(cols_j)
    v = np.concatenate(vals)
    order = np.lexsort((v, c, r))
    r, c, v = r[order], c[order], v[order]
    first = np.r_[True, (r[1:] != r[:-1]) | (c[1:] != c[:-1])] if len(r) else np.zeros(0, bool)
    r, c, v = r[first], c[first], v[first]
    indptr = np.r_[0, np.cumsum(np.bincount(r, minlength=nd))]
    out = sp.csr_matrix((v, c, indptr), shape=(nd, nc))
    out.has_sorted_indices = True
    return out


# -- service areas ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Samples:
    edge: np.ndarray
    along: np.ndarray
    xy: np.ndarray


def _samples(graph: RoadGraph, step_m: float) -> _Samples:
    """Points along every edge, at most ``step_m`` apart, both ends included."""
    n_pts = np.maximum(np.ceil(graph.edge_length_m / step_m).astype(np.int64), 1) + 1
    edge = np.repeat(np.arange(graph.n_edges), n_pts)
    k = np.arange(len(edge)) - np.repeat(np.cumsum(n_pts) - n_pts, n_pts)
    along = graph.edge_length_m[edge] * k / (n_pts[edge] - 1)
    lines = [shapely.LineString(graph.vertex_xy[s:e])
             for s, e in zip(graph.edge_vertex_start.tolist(), graph.edge_vertex_stop.tolist(), strict=True)]
    arr = np.empty(len(lines), dtype=object)
    arr[:] = lines
    pts = shapely.line_interpolate_point(arr[edge], along) if len(edge) else np.empty(0, dtype=object)
    return _Samples(edge, along, shapely.get_coordinates(pts) if len(edge) else np.empty((0, 2)))


def isochrones(graph: RoadGraph, sources: Attachment, minutes: float | Sequence[float], *,
               to_sources: bool = False, step_m: float = 250.0, quad_segs: int = 4) -> gpd.GeoDataFrame:
    """Service areas: the area each source reaches within each of ``minutes``.

    Method (the off-road reach of the reached roads, as AccessMod draws it): one bounded search per
    source gives the time to every node; points are laid along every edge at most ``step_m`` apart
    and timed from the edge's ends (respecting one-way roads, and directly along the source's own
    edge). A point reached at time ``t ≤ T`` can still leave the road for
    ``r = min(max_offroad_m, (T - t) × offroad speed)`` metres: it stands for a disc of radius ``r``.
    Two neighbouring points both reached give the convex hull of their two discs (exactly the swept
    area when the radius varies linearly along a straight piece); a reached point whose neighbour is
    not gives the hull of its disc and the point where the time runs out on the road. The source
    itself gives its own disc. The area is the union of these pieces, in WGS84.

    It is an approximation of the places whose trip fits in the time: a place is timed by its
    leg to the NEAREST road (:func:`attach`), which may be a slower road than the one whose reach
    covers it; curved roads are followed at the spacing ``step_m``.

    Parameters
    ----------
    graph
        The road graph.
    sources
        Places joined by :func:`attach` (e.g. offices). An off-network source's area is its own disc.
    minutes
        One or several times; one row per source and time.
    to_sources
        Areas from which the source is reached (trips towards it) instead of reached from it.
    step_m
        Spacing of the points along the roads (metres, > 0).
    quad_segs
        Points per quarter circle of each disc.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``source`` (position in ``sources``), ``minutes``, ``area_km2`` (measured in the
        graph's CRS) and the polygon, in WGS84.
    """
    mins = np.atleast_1d(np.asarray(minutes, dtype=float))
    if not len(mins) or not np.isfinite(mins).all() or (mins < 0).any():
        raise InputError(f"minutes: {minutes!r}: expected one or more times ≥ 0", source="minutes")
    if isinstance(step_m, bool) or not (isinstance(step_m, int | float) and np.isfinite(step_m) and step_m > 0):
        raise InputError(f"step_m: {step_m!r} must be a positive number of metres", source="step_m")
    params = graph.params
    v_off = params.offroad_speed_kmh / 3.6
    max_leg = float(params.max_offroad_m)
    limit = float(mins.max()) * 60.0
    samples = _samples(graph, float(step_m)) if graph.n_edges else None
    dist_of: dict[int, np.ndarray] = {}
    base = graph.matrix_t if to_sources else graph.matrix
    if graph.n_nodes:
        for rows, dist in _bounded_rows(graph, sources, base, outgoing=not to_sources, limit=limit):
            for r, d in zip(rows.tolist(), dist, strict=True):
                dist_of[r] = d
    circle = np.linspace(0.0, 2 * np.pi, 4 * max(int(quad_segs), 1), endpoint=False)
    unit = np.column_stack([np.cos(circle), np.sin(circle)])
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for s in range(len(sources)):
        t = None
        if samples is not None and s in dist_of:
            t = _sample_times(graph, samples, dist_of[s], sources, s, to_sources)
        for m in mins.tolist():
            budget = m * 60.0
            pieces = [_hulls(sources.xy[s:s + 1], np.array([min(max_leg, budget * v_off)]),
                             sources.xy[s:s + 1], np.zeros(1), unit)]
            if t is not None and samples is not None:
                pieces.append(_road_reach(graph, samples, t, budget, v_off, max_leg, unit))
            parts = np.concatenate(pieces)
            area = shapely.union_all(parts) if len(parts) else shapely.Polygon()
            if area.geom_type not in ("Polygon", "MultiPolygon"):
                area = shapely.Polygon()
            records.append({"source": s, "minutes": m, "area_km2": float(area.area) / 1e6})
            geoms.append(area)
    frame = pd.DataFrame(records, columns=["source", "minutes", "area_km2"])
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=graph.crs), crs=graph.crs)
    return out.to_crs(WGS84)


def _sample_times(graph: RoadGraph, samples: _Samples, d: np.ndarray, sources: Attachment, s: int,
                  to_sources: bool) -> np.ndarray:
    """Time of each sample point from (or, ``to_sources``, to) source ``s``, given node times ``d``."""
    e = samples.edge
    speed = graph.edge_speed_kmh[e] / 3.6
    one = graph.edge_oneway[e]
    from_start = samples.along / speed
    from_end = (graph.edge_length_m[e] - samples.along) / speed
    if to_sources:  # the trip runs from the sample to the edge's ends
        t = np.minimum(np.where(one, np.inf, d[graph.edge_from[e]] + from_start), d[graph.edge_to[e]] + from_end)
    else:
        t = np.minimum(d[graph.edge_from[e]] + from_start, np.where(one, np.inf, d[graph.edge_to[e]] + from_end))
    own = np.flatnonzero(e == sources.edge[s])
    if len(own):
        xs, xa = sources.along_m[s], samples.along[own]
        fwd = xa <= xs if to_sources else xa >= xs
        direct = np.where(fwd | ~one[own], np.abs(xa - xs) / speed[own], np.inf) + sources.leg_s[s]
        t[own] = np.minimum(t[own], direct)
    return t


def _hulls(a: np.ndarray, ra: np.ndarray, b: np.ndarray, rb: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Convex hulls of disc (a, ra) and disc (b, rb), pair by pair (a radius 0 is the point)."""
    if not len(a):
        return np.empty(0, dtype=object)
    pts = np.concatenate([a[:, None, :] + ra[:, None, None] * unit[None], b[:, None, :] + rb[:, None, None] * unit[None]],
                         axis=1)
    return shapely.convex_hull(shapely.multipoints(pts))


def _road_reach(graph: RoadGraph, samples: _Samples, t: np.ndarray, budget: float, v_off: float, max_leg: float,
                unit: np.ndarray) -> np.ndarray:
    """The hull pieces of the roads reached within ``budget`` seconds (see :func:`isochrones`)."""
    reached = t <= budget
    radius = np.where(reached, np.minimum(max_leg, (budget - np.where(reached, t, 0.0)) * v_off), -1.0)
    k = np.flatnonzero(samples.edge[:-1] == samples.edge[1:])  # neighbouring samples on one edge
    ra, rb = reached[k], reached[k + 1]
    both = k[ra & rb]
    pieces = [_hulls(samples.xy[both], radius[both], samples.xy[both + 1], radius[both + 1], unit)]
    for near, far in ((k[ra & ~rb], k[ra & ~rb] + 1), (k[~ra & rb] + 1, k[~ra & rb])):
        if not len(near):
            continue
        e = samples.edge[near]
        gap = np.abs(samples.along[far] - samples.along[near])
        run = (budget - t[near]) * graph.edge_speed_kmh[e] / 3.6
        frac = np.clip(run / np.maximum(gap, 1e-12), 0.0, 1.0)
        tip = samples.xy[near] + (samples.xy[far] - samples.xy[near]) * frac[:, None]
        pieces.append(_hulls(samples.xy[near], radius[near], tip, np.zeros(len(near)), unit))
    return np.concatenate(pieces)


__all__ = ["Attachment", "ComponentInfo", "NetworkReport", "RoadGraph", "attach", "attach_xy", "build_graph",
           "cost_matrix", "isochrones", "nearest_time", "road_speeds"]


# -- the workspace's network -------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkspaceNetwork:
    """A workspace's road graph with its settlements and offices attached, built once per workspace.

    Get it with :func:`workspace_network` (cached on the workspace instance, like its spatial index).
    ``settlements`` and ``offices`` are the attachments of every row of those layers, in row order.
    """

    graph: RoadGraph
    params: RoadParams
    settlements: Attachment
    offices: Attachment

    def nearest_office_times(self, ws: Any, licence_type: str = "any", targets: Attachment | None = None,
                             *, max_time_s: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Travel time (s) from each target (default: every settlement) to the nearest serving office of
        ``licence_type`` ('urban', 'rural' or 'any'), and that office's row in ``ws.offices`` (-1, inf
        when none is reachable). One multi-source search from all those offices, timed in the direction
        people travel (place → office)."""
        rows = ws.index.office_rows[licence_type]
        targets = self.settlements if targets is None else targets
        n = len(targets)
        if not len(rows) or not n:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        seconds, src = nearest_time(self.graph, self.offices.subset(rows), targets, max_time_s=max_time_s,
                                    to_sources=True)
        office = np.where(src >= 0, rows[np.clip(src, 0, None)], -1)
        return seconds, office.astype(np.int64)


def _params_key(params: RoadParams) -> tuple:
    """The values that shape the graph (equal parameters share one cached network)."""
    return (tuple(sorted(params.class_speeds_kmh.items())), params.default_speed_kmh, params.unpaved_max_speed_kmh,
            params.offroad_speed_kmh, params.max_offroad_m, params.snap_tolerance_m)


def workspace_network(ws: Any, params: RoadParams | None = None) -> WorkspaceNetwork:
    """The workspace's road graph with its settlements and offices attached (built once per workspace).

    Raises :class:`~siting.errors.InputError` when the workspace has no roads layer (travel time needs
    one: ``siting import roads FILE``).
    """
    if not len(getattr(ws, "roads", ())):
        raise InputError("travel time needs a road network: the workspace has no roads layer "
                         "(import one with `siting import roads FILE`)", source="roads")
    cache = ws.__dict__.setdefault("_network_cache", {})
    params = params or load_road_params()
    key = _params_key(params)
    hit = cache.get(key)
    if hit is not None:
        return hit
    graph = build_graph(ws, params)
    s, o = ws.settlements, ws.offices
    out = WorkspaceNetwork(graph, params,
                           attach(graph, s.geometry.x.to_numpy(), s.geometry.y.to_numpy(), params),
                           attach(graph, o.geometry.x.to_numpy(), o.geometry.y.to_numpy(), params))
    cache[key] = out
    return out
