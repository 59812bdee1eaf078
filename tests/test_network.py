"""The road network (siting.network): hand-built graphs with times worked out by hand, and a random network
checked against networkx shortest paths built independently from the same lines.

Coordinates are metres in UTM 40N (EPSG:32640) and the graph is built in that CRS, so the lengths in the
comments are the lengths of the lines as drawn. Speeds are chosen so that times are round: 36 km/h is
10 m/s, 72 km/h is 20 m/s, and the off-road speed 3.6 km/h is 1 m/s.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from siting.errors import InputError, RulesError
from siting.geo import project_xy
from siting.network import (
    Attachment,
    attach,
    attach_xy,
    build_graph,
    cost_matrix,
    isochrones,
    nearest_time,
)
from siting.rules.roads import (
    RoadParams,
    load_road_params,
    parse_maxspeed,
    parse_oneway,
    parse_road_class,
)

CRS = "EPSG:32640"
P = RoadParams({"primary": 36.0, "secondary": 72.0, "track": 18.0}, default_speed_kmh=36.0,
               unpaved_max_speed_kmh=18.0, offroad_speed_kmh=3.6, max_offroad_m=500.0, snap_tolerance_m=0.0)


def roads(lines, classes=None, oneway=None, maxspeed=None):
    n = len(lines)
    return gpd.GeoDataFrame({"road_class": classes or ["primary"] * n, "oneway": oneway or [False] * n,
                             "maxspeed_kmh": maxspeed or [None] * n},
                            geometry=[shapely.LineString(c) for c in lines], crs=CRS)


def graph(lines, params=P, **kw):
    return build_graph(roads(lines, **kw), params, crs=CRS)


# -- hand-built graphs -------------------------------------------------------------------------


def test_a_line_of_roads_of_known_lengths_and_speeds():
    # A(0,0)-B(1000,0) primary 10 m/s: 100 s; B-C(3000,0) secondary 20 m/s: 100 s;
    # C-D(3000,1200) with maxspeed 36 km/h although a track: 120 s
    g = graph([[(0, 0), (1000, 0)], [(1000, 0), (3000, 0)], [(3000, 0), (3000, 1200)]],
              classes=["primary", "secondary", "track"], maxspeed=[None, None, 36])
    assert (g.n_nodes, g.n_edges) == (4, 3)
    assert g.edge_time_s.tolist() == pytest.approx([100.0, 100.0, 120.0])
    src = attach_xy(g, [[0, 0]])
    tgt = attach_xy(g, [[1000, 0], [3000, 0], [3000, 1200]])
    seconds, who = nearest_time(g, src, tgt)
    assert seconds.tolist() == pytest.approx([100.0, 200.0, 320.0])
    assert who.tolist() == [0, 0, 0]
    # the bound: D at 320 s is beyond 300 s
    seconds, who = nearest_time(g, src, tgt, max_time_s=300)
    assert seconds[:2].tolist() == pytest.approx([100.0, 200.0]) and math.isinf(seconds[2]) and who[2] == -1


def test_the_nearest_of_several_sources_and_which_one():
    # a 10 km road at 10 m/s, offices at 0 m and 10,000 m, villages at 2,000, 6,000 and 9,000 m
    g = graph([[(0, 0), (10000, 0)]])
    offices = attach_xy(g, [[0, 0], [10000, 0]])
    villages = attach_xy(g, [[2000, 0], [6000, 0], [9000, 0]])
    seconds, who = nearest_time(g, offices, villages)
    assert seconds.tolist() == pytest.approx([200.0, 400.0, 100.0])
    assert who.tolist() == [0, 1, 1] and who.dtype == np.int64


def test_a_one_way_loop_is_travelled_one_way():
    # a square 0→1→2→3→0 of 1,000 m sides, one-way, 10 m/s
    corners = [(0, 0), (1000, 0), (1000, 1000), (0, 1000)]
    lines = [[corners[k], corners[(k + 1) % 4]] for k in range(4)]
    g = graph(lines, oneway=[True] * 4)
    a, d = attach_xy(g, [[0, 0]]), attach_xy(g, [[0, 1000]])
    assert nearest_time(g, a, d)[0].tolist() == pytest.approx([300.0])  # 0 → 1 → 2 → 3
    assert nearest_time(g, d, a)[0].tolist() == pytest.approx([100.0])  # 3 → 0
    # the trip from the target to the source: from D to A is 100 s, not 300 s
    assert nearest_time(g, a, d, to_sources=True)[0].tolist() == pytest.approx([100.0])
    # a place 400 m along the one-way side 0→1, reached from corner 1: all the way round, 3,000 + 400 m
    mid = attach_xy(g, [[400, 0]])
    assert nearest_time(g, attach_xy(g, [[1000, 0]]), mid)[0].tolist() == pytest.approx([340.0])
    # and from it to corner 1: 600 m ahead on its own side
    assert nearest_time(g, mid, attach_xy(g, [[1000, 0]]))[0].tolist() == pytest.approx([60.0])
    # two places 600 m apart on the same one-way side (too far to walk across): 600 m forward directly,
    # backwards all the way round (300 + 3,000 + 100 m)
    p, q = attach_xy(g, [[100, 0]]), attach_xy(g, [[700, 0]])
    assert nearest_time(g, p, q)[0].tolist() == pytest.approx([60.0])
    assert nearest_time(g, q, p)[0].tolist() == pytest.approx([340.0])
    # the same two, on two-way roads: 60 s both ways
    g2 = graph(lines)
    assert nearest_time(g2, attach_xy(g2, [[700, 0]]), attach_xy(g2, [[100, 0]]))[0].tolist() == pytest.approx([60.0])


def test_a_place_exactly_at_a_junction_of_a_one_way_road_is_at_the_junction():
    # one-way A(0,0)→B(1000,0); two-way B→C(1000,1000) and A→D(0,1000); 10 m/s everywhere. A place exactly
    # at B (or A) may be joined to any road meeting there, the one-way one included (a tie): it is at the
    # junction, so it reaches C (D) and is reached from it in 100 s whichever road it was joined to
    g = graph([[(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)], [(0, 0), (0, 1000)]], oneway=[True, False, False])
    base = attach_xy(g, [[0, 0]])
    tried = 0
    for at, other in (((1000, 0), (1000, 1000)), ((0, 0), (0, 1000))):
        target = attach_xy(g, [other])
        for e in range(g.n_edges):
            for node, along in ((g.edge_from[e], 0.0), (g.edge_to[e], g.edge_length_m[e])):
                if tuple(g.node_xy[node]) != at:
                    continue
                place = Attachment(np.array([at], float), np.array([e]), np.array([along]), base.leg_m,
                                   base.leg_s, base.on_network)
                assert nearest_time(g, place, target)[0].tolist() == pytest.approx([100.0]), (at, e)
                assert nearest_time(g, target, place)[0].tolist() == pytest.approx([100.0]), (at, e)
                tried += 1
    assert tried == 4  # B on A→B and on B→C, A on A→B and on A→D


def test_a_bridge_crossing_without_a_shared_vertex_is_not_a_junction():
    west_east = [(0, 0), (2000, 0)]
    bridge = [(1000, -1000), (1000, 1000)]
    g = graph([west_east, bridge])
    assert (g.n_nodes, g.n_edges) == (4, 2)
    seconds, who = nearest_time(g, attach_xy(g, [[0, 0]]), attach_xy(g, [[1000, 1000]]))
    assert math.isinf(seconds[0]) and who[0] == -1
    rep = g.report()
    assert len(rep.components) == 2 and rep.largest_share == pytest.approx(0.5)
    # the same roads meeting at a shared vertex (1000, 0): a junction, 100 s + 100 s
    g = graph([[(0, 0), (1000, 0), (2000, 0)], [(1000, -1000), (1000, 0), (1000, 1000)]])
    assert (g.n_nodes, g.n_edges) == (5, 4)
    assert nearest_time(g, attach_xy(g, [[0, 0]]), attach_xy(g, [[1000, 1000]]))[0].tolist() == pytest.approx([200.0])


def test_ends_within_the_tolerance_are_joined_and_farther_ones_are_not():
    lines = [[(0, 0), (1000, 0)], [(1003, 0), (2003, 0)]]  # a 3 m gap
    far = build_graph(roads(lines), RoadParams({"primary": 36}, snap_tolerance_m=2, max_offroad_m=0.5), crs=CRS)
    near = build_graph(roads(lines), RoadParams({"primary": 36}, snap_tolerance_m=5, max_offroad_m=0.5), crs=CRS)
    assert (far.n_nodes, near.n_nodes) == (4, 3)
    s_far, t_far = attach_xy(far, [[0, 0]]), attach_xy(far, [[2003, 0]])
    assert math.isinf(nearest_time(far, s_far, t_far)[0][0])
    s, t = attach_xy(near, [[0, 0]]), attach_xy(near, [[2003, 0]])
    assert nearest_time(near, s, t)[0].tolist() == pytest.approx([200.0])  # drawn lengths: 1,000 + 1,000 m


def test_two_components_with_a_stranded_village():
    main = [[(0, 0), (5000, 0)], [(5000, 0), (5000, 3000)]]  # 8 km
    island = [[(20000, 0), (22000, 0)]]  # 2 km, not joined
    g = graph(main + island)
    places = attach_xy(g, [[100, 10], [21000, 50], [5000, 2000], [40000, 0]])
    rep = g.report(places, names=["A", "Stranded", "B", "Far"])
    assert [c.length_km for c in rep.components] == pytest.approx([8.0, 2.0])
    assert [c.places for c in rep.components] == [(0, 2), (1,)]
    assert rep.largest_share == pytest.approx(0.8)
    assert rep.stranded == (1,) and rep.off_network == (3,)
    d = rep.to_dict()
    assert d["stranded"] == ["Stranded"] and d["off_network"] == ["Far"] and d["components"] == 2
    assert d["pieces"][1]["length_km"] == 2.0
    seconds, _ = nearest_time(g, attach_xy(g, [[0, 0]]), places)
    # A: leg 10 m (10 s) + 100 m along (10 s); B: 500 + 200 s along; the stranded village and the far one: never
    assert seconds[[0, 2]].tolist() == pytest.approx([20.0, 700.0])
    assert math.isinf(seconds[1]) and math.isinf(seconds[3])


def test_a_place_beyond_the_longest_leg_is_off_the_network_and_never_reachable():
    g = graph([[(0, 0), (10000, 0)]])
    places = attach_xy(g, [[5000, 499], [5000, 501], [5000, -2500]])
    assert places.on_network.tolist() == [True, False, False]
    assert places.edge.tolist()[1:] == [-1, -1] and np.isinf(places.leg_m[1:]).all()
    assert places.leg_m[0] == pytest.approx(499.0)
    seconds, who = nearest_time(g, attach_xy(g, [[0, 0]]), places)
    assert seconds[0] == pytest.approx(499 + 500) and np.isinf(seconds[1:]).all() and who.tolist() == [0, -1, -1]
    # an off-network place as a source reaches nothing either
    seconds, _ = nearest_time(g, places.subset([2]), attach_xy(g, [[0, 0], [10000, 0]]))
    assert np.isinf(seconds).all()


def test_a_place_joins_the_nearest_point_on_a_road_not_the_nearest_node():
    # the road's nodes are 5 km away; the place is 300 m off the road at 2,400 m
    g = graph([[(0, 0), (5000, 0)]])
    p = attach_xy(g, [[2400, 300]])
    assert (p.edge[0], p.along_m[0], p.leg_m[0]) == (0, pytest.approx(2400.0), pytest.approx(300.0))
    ends = attach_xy(g, [[0, 0], [5000, 0]])
    seconds, _ = nearest_time(g, p, ends)
    assert seconds.tolist() == pytest.approx([300 + 240.0, 300 + 260.0])
    # on a bent road the nearest point is on the second segment
    g = graph([[(0, 0), (1000, 0), (1000, 1000)]])
    p = attach_xy(g, [[1100, 600]])
    assert p.along_m[0] == pytest.approx(1600.0) and p.leg_m[0] == pytest.approx(100.0)


def test_an_office_in_the_village_itself_is_a_short_walk_not_two_legs():
    g = graph([[(0, 0), (10000, 0)]])
    village = attach_xy(g, [[3000, 400], [6000, 300]])
    office = attach_xy(g, [[3000, 400], [6000, 100]])
    seconds, who = nearest_time(g, office, village)
    # the first: the same point, 0 s; the second: 200 m straight across (200 s) beats 300 + 100 s by road
    assert seconds.tolist() == pytest.approx([0.0, 200.0]) and who.tolist() == [0, 1]


def test_attach_from_longitude_latitude_and_bad_coordinates():
    lon, lat = np.array([59.0, 59.1]), np.array([32.8, 32.8])
    line = gpd.GeoDataFrame({"road_class": ["primary"]}, geometry=[shapely.LineString(np.column_stack([lon, lat]))],
                            crs="EPSG:4326")
    g = build_graph(line, P, crs=CRS)
    x, y = project_xy(lon, lat, CRS)
    assert g.edge_length_m[0] == pytest.approx(math.hypot(x[1] - x[0], y[1] - y[0]))
    places = attach(g, [59.05], [32.8])
    assert places.on_network[0] and places.leg_m[0] < 20
    with pytest.raises(InputError, match="place 1: lon=nan"):
        attach(g, [59.0, float("nan")], [32.8, 32.8])
    with pytest.raises(InputError, match="place 0: lon=200"):
        attach(g, [200.0], [32.8])
    with pytest.raises(InputError, match="2 longitudes and 1 latitudes"):
        attach(g, [59.0, 59.1], [32.8])


def test_bad_arguments_are_input_errors():
    g = graph([[(0, 0), (1000, 0)]])
    a = attach_xy(g, [[0, 0]])
    with pytest.raises(InputError, match="max_time_s"):
        nearest_time(g, a, a, max_time_s=-1)
    with pytest.raises(InputError, match="max_time_s"):
        cost_matrix(g, a, a, max_time_s=float("nan"))
    with pytest.raises(InputError, match="minutes"):
        isochrones(g, a, [-5])
    with pytest.raises(InputError, match="no CRS"):
        build_graph(gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])]), P)
    with pytest.raises(InputError, match="Point, not a line"):
        build_graph(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=CRS), P, crs=CRS)


def test_an_empty_network_reaches_nothing():
    g = build_graph(roads([]), P, crs=CRS)
    assert (g.n_nodes, g.n_edges) == (0, 0)
    places = attach_xy(g, [[0, 0], [100, 0]])
    assert not places.on_network.any()
    seconds, who = nearest_time(g, places.subset([0]), places.subset([1]))
    assert seconds.tolist() == pytest.approx([100.0]) and who.tolist() == [0]  # only the walk across
    assert cost_matrix(g, places, places, max_time_s=50).nnz == 2  # each to itself
    assert g.report().components == ()


def test_cost_matrix_on_a_hand_built_network():
    # a 10 km road at 10 m/s, candidates at 0 and 10,000 m, demand at 1,000 / 5,000 / 9,500 m and one off
    g = graph([[(0, 0), (10000, 0)]])
    cand = attach_xy(g, [[0, 0], [10000, 0]])
    demand = attach_xy(g, [[1000, 0], [5000, 0], [9500, 0], [5000, 5000]])
    m = cost_matrix(g, demand, cand, max_time_s=600)
    assert m.shape == (4, 2)
    got = {(int(i), int(j)): float(v) for i, j, v in zip(*_triplets(m), strict=True)}
    assert got == pytest.approx({(0, 0): 100.0, (1, 0): 500.0, (1, 1): 500.0, (2, 1): 50.0})
    # bound 400 s: only the pairs within it
    m = cost_matrix(g, demand, cand, max_time_s=400)
    assert {(int(i), int(j)) for i, j, _ in zip(*_triplets(m), strict=True)} == {(0, 0), (2, 1)}


def _triplets(m):
    coo = m.tocoo()
    return coo.row, coo.col, coo.data


def test_cost_matrix_keeps_a_zero_time_as_an_explicit_entry():
    g = graph([[(0, 0), (1000, 0)]])
    a = attach_xy(g, [[0, 0]])
    m = cost_matrix(g, a, a, max_time_s=10)
    assert m.nnz == 1 and m.data.tolist() == [0.0]


def test_isochrone_of_a_straight_road_has_the_area_worked_out_by_hand():
    # road 0..10 km at 10 m/s; off-road 1 m/s up to 100 m; 5 minutes from (0, 0): the road is reached to 3,000 m,
    # the off-road reach is 100 m up to 2,000 m then falls linearly to 0 at 3,000 m
    g = build_graph(roads([[(0, 0), (10000, 0)]]),
                    RoadParams({"primary": 36}, offroad_speed_kmh=3.6, max_offroad_m=100, snap_tolerance_m=0), crs=CRS)
    iso = isochrones(g, attach_xy(g, [[0, 0]]), [5, 1])
    assert iso["minutes"].tolist() == [5.0, 1.0] and iso["source"].tolist() == [0, 0]
    poly = iso.to_crs(CRS).geometry.iat[0]
    inside = [(1500, 99), (1500, -99), (2500, 40), (2990, 0), (-99, 0)]
    outside = [(1500, 101), (2500, 60), (3010, 0), (-101, 0), (5000, 0)]
    assert all(poly.contains(shapely.Point(p)) for p in inside)
    assert not any(poly.contains(shapely.Point(p)) for p in outside)
    # 2,000 × 200 m strip + 1,000 m taper (2 triangles 1,000 × 100 / 2) + a half disc of 100 m (16-gon: 3.0615 r²/2)
    expected = 2000 * 200 + 100_000 + 3.0615 * 100**2 / 2
    assert iso["area_km2"].iat[0] * 1e6 == pytest.approx(expected, rel=2e-3)
    # 1 minute: 600 m of road; the reach is 60 m at the source (60 s at 1 m/s), falling to 0 at 600 m
    assert iso["area_km2"].iat[1] * 1e6 == pytest.approx(2 * 600 * 60 / 2 + 3.0615 * 60**2 / 2, rel=2e-3)


def test_isochrone_respects_one_way_roads():
    g = build_graph(roads([[(0, 0), (10000, 0)]], oneway=[True]),
                    RoadParams({"primary": 36}, offroad_speed_kmh=3.6, max_offroad_m=100, snap_tolerance_m=0), crs=CRS)
    src = attach_xy(g, [[5000, 0]])
    poly = isochrones(g, src, 5).to_crs(CRS).geometry.iat[0]
    assert poly.contains(shapely.Point(7000, 0)) and not poly.contains(shapely.Point(3000, 0))
    towards = isochrones(g, src, 5, to_sources=True).to_crs(CRS).geometry.iat[0]
    assert towards.contains(shapely.Point(3000, 0)) and not towards.contains(shapely.Point(7000, 0))


# -- road parameters and vocabulary ------------------------------------------------------------


def test_road_parameters_file_and_its_checks(tmp_path):
    p = load_road_params()
    assert p.class_speeds_kmh["motorway"] > p.class_speeds_kmh["primary"] > p.class_speeds_kmh["track"]
    assert all(param.placeholder for param in p.params.values())
    bad = tmp_path / "roads.yaml"
    text = Path(p.source).read_text(encoding="utf-8")
    bad.write_text(text.replace("value: 5\n", "value: -5\n"), encoding="utf-8")
    with pytest.raises(RulesError, match="offroad_speed_kmh must be a positive number"):
        load_road_params(bad)
    bad.write_text(text.replace("    motorway: 110", "    hovercraft: 110"), encoding="utf-8")
    with pytest.raises(RulesError, match="hovercraft is not a road class"):
        load_road_params(bad)
    bad.write_text(text + "\nwarp_speed:\n  value: 9\n", encoding="utf-8")
    with pytest.raises(RulesError, match="warp_speed is not a known parameter"):
        load_road_params(bad)


def test_road_vocabulary():
    assert [parse_road_class(v) for v in ("آزادراه", "بزرگراه", "راه اصلی", "راه فرعی", "راه روستایی", "خاکی",
                                          "motorway_link", "Residential")] == [
        "motorway", "trunk", "primary", "secondary", "unclassified", "track", "motorway", "residential"]
    with pytest.raises(InputError, match="not a road for motor vehicles"):
        parse_road_class("footway")
    with pytest.raises(InputError, match="not known"):
        parse_road_class("hyperloop")
    assert [parse_maxspeed(v) for v in ("۶۰", 80.4, "50 km/h", "20 mph", "")] == [60, 80, 50, 32, None]
    for v in ("fast", "0", "900", "IR:urban"):
        with pytest.raises(InputError, match="maxspeed"):
            parse_maxspeed(v)
    assert [parse_oneway(v) for v in ("yes", "no", "-1", 1, True, "دوطرفه")] == [
        (True, False), (False, False), (True, True), (True, False), (True, False), (False, False)]
    with pytest.raises(InputError, match="oneway 'alternating'"):
        parse_oneway("alternating")


def test_the_speed_used_maxspeed_then_class_then_unpaved_cap_then_default():
    r = gpd.GeoDataFrame({"road_class": ["primary", "primary", "primary", "nonesuch", None],
                          "maxspeed_kmh": [50, None, None, None, None],
                          "surface": [None, None, "unpaved", None, None],
                          "speed_kmh": [None, None, None, 42.0, None]},
                         geometry=[shapely.LineString([(0, k * 100), (1000, k * 100)]) for k in range(5)], crs=CRS)
    g = build_graph(r, P, crs=CRS)
    assert g.edge_speed_kmh.tolist() == [50.0, 36.0, 18.0, 42.0, 36.0]


# -- against networkx ------------------------------------------------------------------------


def _random_roads(rng, n=12, spacing=1000.0):
    """A jittered grid drawn as runs of several grid edges (so lines pass through junctions), with bends, gaps,
    random classes and one-way flags, and diagonals crossing it without shared vertices."""
    grid = np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), -1) * spacing
    grid = grid + rng.uniform(-200, 200, grid.shape)
    lines = []

    def polyline(points):
        out = [tuple(points[0])]
        for p, q in itertools.pairwise(points):
            for _ in range(rng.integers(0, 3)):
                t = rng.uniform(0.2, 0.8)
                out.append(tuple(p + (q - p) * t + rng.uniform(-80, 80, 2)))
            out.append(tuple(q))
        return out

    for axis in (0, 1):
        for k in range(n):
            pts = grid[k, :] if axis == 0 else grid[:, k]
            j = 0
            while j < n - 1:
                run = int(rng.integers(1, 5))
                seg = pts[j:min(j + run, n - 1) + 1]
                if rng.random() > 0.12:
                    lines.append(polyline(seg))
                j += run
    for _ in range(6):
        a, b = rng.uniform(0, (n - 1) * spacing, (2, 2))
        lines.append([tuple(a), tuple(b)])
    classes = list(rng.choice(["primary", "secondary", "track"], len(lines)))
    oneway = list(rng.random(len(lines)) < 0.25)
    return roads(lines, classes=classes, oneway=oneway)


def _oracle(r, params, from_xy, to_xy):
    """A networkx DiGraph from the drawn segments, independent of siting.network: every place is split into
    its nearest segment (found by brute force); a trip starts at a node ("f", i) of ``from_xy`` (leg onto the
    road) and ends at a node ("o", j) of ``to_xy`` (leg off the road), or walks straight across within the
    longest leg."""
    speeds = {"primary": 10.0, "secondary": 20.0, "track": 5.0}
    v_off = params.offroad_speed_kmh / 3.6
    segs = []
    for geom, cls, one in zip(r.geometry, r["road_class"], r["oneway"], strict=True):
        c = np.asarray(geom.coords)
        for p, q in itertools.pairwise(c):
            segs.append((p, q, speeds[cls], bool(one)))
    A = np.array([s[0] for s in segs])
    B = np.array([s[1] for s in segs])
    splits: dict[int, list] = {}
    for role, pts in (("f", from_xy), ("o", to_xy)):
        for i, p in enumerate(pts):
            d = B - A
            t = np.clip(((p - A) * d).sum(1) / (d * d).sum(1), 0, 1)
            foot = A + d * t[:, None]
            dist = np.hypot(*(p - foot).T)
            k = int(np.argmin(dist))
            if dist[k] <= params.max_offroad_m:
                splits.setdefault(k, []).append((t[k], (role, i), dist[k]))
    G = nx.DiGraph()

    def add(u, v, w):
        if G.has_edge(u, v):
            w = min(w, G[u][v]["weight"])
        G.add_edge(u, v, weight=w)

    for k, (p, q, v, one) in enumerate(segs):
        chain = [(0.0, tuple(p), None), *sorted(splits.get(k, []), key=lambda x: x[0]), (1.0, tuple(q), None)]
        seglen = float(np.hypot(*(q - p)))
        prev_t, prev_node = 0.0, tuple(p)
        for t, name, leg in chain[1:]:
            node = ("pt", k, name) if leg is not None else name
            w = (t - prev_t) * seglen / v
            add(prev_node, node, w)
            if not one or w == 0:  # two points at one spot (a place at a segment's end) are one place
                add(node, prev_node, w)
            if leg is not None:
                if name[0] == "f":
                    add(name, node, leg / v_off)
                else:
                    add(node, name, leg / v_off)
            prev_t, prev_node = t, node
    for i, p in enumerate(from_xy):
        G.add_node(("f", i))
        for j, q in enumerate(to_xy):
            d = float(np.hypot(*(np.asarray(p) - np.asarray(q))))
            if d <= params.max_offroad_m:
                add(("f", i), ("o", j), d / v_off)
    for j in range(len(to_xy)):
        G.add_node(("o", j))
    return G


PARAMS = RoadParams({"primary": 36, "secondary": 72, "track": 18}, offroad_speed_kmh=3.6, max_offroad_m=400,
                    snap_tolerance_m=0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_time_equals_networkx_on_a_random_network(seed):
    rng = np.random.default_rng(seed)
    r = _random_roads(rng)
    g = build_graph(r, PARAMS, crs=CRS)
    src_xy = rng.uniform(-500, 11500, (8, 2))
    tgt_xy = rng.uniform(-500, 11500, (150, 2))
    src, tgt = attach_xy(g, src_xy), attach_xy(g, tgt_xy)
    assert 0 < (~tgt.on_network).sum() < len(tgt)  # some places are off the network
    # from the sources to the targets
    seconds, who = nearest_time(g, src, tgt)
    G = _oracle(r, PARAMS, src_xy, tgt_xy)
    dist = nx.multi_source_dijkstra_path_length(G, [("f", i) for i in range(len(src_xy))])
    np.testing.assert_allclose(seconds, [dist.get(("o", j), np.inf) for j in range(len(tgt_xy))], rtol=1e-9,
                               atol=1e-6)
    assert np.isfinite(seconds).sum() > 50 and (who[~np.isfinite(seconds)] == -1).all()
    for j in np.flatnonzero(np.isfinite(seconds))[:25]:
        assert nx.dijkstra_path_length(G, ("f", int(who[j])), ("o", int(j))) == pytest.approx(seconds[j], rel=1e-9)
    # from the targets to the sources (people travelling to the office): the oracle's trips start at the targets
    seconds, who = nearest_time(g, src, tgt, to_sources=True)
    G = _oracle(r, PARAMS, tgt_xy, src_xy)
    dist = nx.multi_source_dijkstra_path_length(G.reverse(copy=True), [("o", i) for i in range(len(src_xy))])
    np.testing.assert_allclose(seconds, [dist.get(("f", j), np.inf) for j in range(len(tgt_xy))], rtol=1e-9,
                               atol=1e-6)
    for j in np.flatnonzero(np.isfinite(seconds))[:25]:
        assert nx.dijkstra_path_length(G, ("f", int(j)), ("o", int(who[j]))) == pytest.approx(seconds[j], rel=1e-9)


def test_cost_matrix_equals_networkx_on_a_random_network():
    rng = np.random.default_rng(7)
    r = _random_roads(rng)
    g = build_graph(r, PARAMS, crs=CRS)
    cand_xy = rng.uniform(0, 11000, (12, 2))
    dem_xy = rng.uniform(0, 11000, (80, 2))
    cand, dem = attach_xy(g, cand_xy), attach_xy(g, dem_xy)
    bound = 900.0
    for to_candidates in (True, False):
        m = cost_matrix(g, dem, cand, max_time_s=bound, to_candidates=to_candidates)
        coo = m.tocoo()
        got = {(int(i), int(j)): float(v) for i, j, v in zip(coo.row, coo.col, coo.data, strict=True)}
        want = {}
        if to_candidates:  # demand i → candidate j
            G = _oracle(r, PARAMS, dem_xy, cand_xy).reverse(copy=True)
            for j in range(len(cand_xy)):
                for node, t in nx.single_source_dijkstra_path_length(G, ("o", j), cutoff=bound).items():
                    if node[0] == "f" and len(node) == 2:
                        want[(node[1], j)] = t
        else:  # candidate j → demand i
            G = _oracle(r, PARAMS, cand_xy, dem_xy)
            for j in range(len(cand_xy)):
                for node, t in nx.single_source_dijkstra_path_length(G, ("f", j), cutoff=bound).items():
                    if node[0] == "o" and len(node) == 2:
                        want[(node[1], j)] = t
        assert set(got) == set(want) and len(got) > 20
        assert [got[k] for k in sorted(got)] == pytest.approx([want[k] for k in sorted(want)], rel=1e-9)


def test_places_within_the_walk_are_all_pairs_within_it_coincident_ones_included():
    # siting.network._within (the straight-across walks) against the brute-force distance matrix, with
    # duplicated points (distance 0) and pairs exactly on the limit; either set may be the larger
    from siting.network import _within

    rng = np.random.default_rng(5)
    a = np.round(rng.uniform(0, 3000, (400, 2)), -1)  # a 10 m lattice: exact distances such as 300 m
    b = np.r_[a[:30], np.round(rng.uniform(0, 3000, (50, 2)), -1), a[:5]]
    g = graph([[(0, 0), (3000, 0)]])
    pa, pb = attach_xy(g, a), attach_xy(g, b)
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    want = set(zip(*np.nonzero(d <= 300.0), strict=True))
    assert (d == 0).sum() >= 35 and (d == 300.0).sum() > 0
    for x, y, flip in ((pa, pb, False), (pb, pa, True)):
        i, j = _within(x, y, 300.0)
        got = set(zip(j.tolist(), i.tolist(), strict=True)) if flip else set(zip(i.tolist(), j.tolist(), strict=True))
        assert len(got) == len(i) and got == {(int(p), int(q)) for p, q in want}


def test_workspace_network_cached_by_parameter_values(sample_workspace_path):
    """Equal parameters (two objects) share one built network; other speeds build another."""
    import dataclasses

    from siting.network import workspace_network
    from siting.rules.roads import load_road_params
    from siting.workspace import Workspace

    ws = Workspace.load(sample_workspace_path)
    a, b = load_road_params(), load_road_params()
    assert a is not b
    net = workspace_network(ws, a)
    assert workspace_network(ws, b) is net and workspace_network(ws) is net
    slower = dataclasses.replace(a, default_speed_kmh=a.default_speed_kmh / 2)
    other = workspace_network(ws, slower)
    assert other is not net and other.params.default_speed_kmh == a.default_speed_kmh / 2
