"""Coverage and gaps by travel time (issue 10): hand-built road networks whose times are worked out by hand,
and every H3 cell centre timed again, cell by cell, with networkx shortest paths on the same lines.

The places are laid out in metres in the workspace's own metric CRS around the rural office R and turned into
longitude/latitude, so the network the library builds from them has exactly these lengths. Every road has a
maxspeed of 60 km/h (1 km a minute); the off-road model is the rules file's (``siting/rules/roads.yaml``).

    C/U (-16 km, 8 km) ---- 16 km ---- V1 (0, 8 km)      the ridge: no road from R straight north to V1
        |                                                 (8 km as the crow flies, 40 km by road)
      8 km
        |
    C/U (-16 km, 0) ---- 16 km ---- R/V0 (0, 0) ---- V2 (12 km) ---- V3 (25 km) ---- end (30 km)

    V4 (5 km, -5 km): 5 km from every road, off the network.     V5 (40 km, 20 km): on a road no office reaches.
"""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer

from siting.coverage import compute_coverage
from siting.errors import InputError
from siting.gaps import compute_gaps, gap_cells, service_areas
from siting.rules import load_rules
from siting.rules.roads import load_road_params
from siting.samples.hand import HAND_SOURCE, hand_workspace
from siting.workspace import Workspace, make_layer

BIN = Path(sys.executable).parent / "siting"
V_ROAD = 60 / 3.6  # m/s on every road of these layers
ROADS = {  # metres from the rural office R
    "ridge-west": [(0, 0), (-16000, 0)],
    "ridge-north": [(-16000, 0), (-16000, 8000)],
    "ridge-east": [(-16000, 8000), (0, 8000)],
    "east": [(0, 0), (30000, 0)],
    "island": [(35000, 20000), (45000, 20000)],
}
PLACES = {  # name: (x, y, population)
    "C": (-16000, 0, 50_000), "V0": (0, 0, 2_000), "V1": (0, 8000, 800), "V2": (12000, 0, 1_200),
    "V3": (25000, 0, 900), "V4": (5000, -5000, 400), "V5": (40000, 20000, 300),
}


def _frame(ws: Workspace, origin=(59.35, 32.90)):
    """Functions between (x, y) metres from ``origin`` in the workspace's metric CRS and lon/lat."""
    fwd = Transformer.from_crs("EPSG:4326", ws.metric_crs.distance, always_xy=True)
    back = Transformer.from_crs(ws.metric_crs.distance, "EPSG:4326", always_xy=True)
    x0, y0 = fwd.transform(*origin)

    def to_lonlat(x, y):
        return back.transform(x0 + np.asarray(x, float), y0 + np.asarray(y, float))

    def to_local(lon, lat):
        x, y = fwd.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x) - x0, np.asarray(y) - y0

    return to_lonlat, to_local


def _line(to_lonlat, pts):
    lon, lat = to_lonlat([p[0] for p in pts], [p[1] for p in pts])
    return shapely.LineString(np.column_stack([lon, lat]))


def roads_layer(to_lonlat, lines):
    return make_layer("roads", {"code": list(lines), "road_class": ["primary"] * len(lines),
                                "maxspeed_kmh": [60] * len(lines), "oneway": [False] * len(lines),
                                "source": [HAND_SOURCE] * len(lines)},
                      [_line(to_lonlat, pts) for pts in lines.values()])


def ridge_workspace() -> Workspace:
    base = hand_workspace()
    to_lonlat, _ = _frame(base)
    names = list(PLACES)
    lon, lat = to_lonlat([PLACES[n][0] for n in names], [PLACES[n][1] for n in names])
    settlements = make_layer("settlements", {
        "code": names, "name_fa": names, "name_en": names,
        "kind": ["city" if n == "C" else "village" for n in names],
        "population": [PLACES[n][2] for n in names], "county": ["بیرجند"] * len(names),
        "source": [HAND_SOURCE] * len(names)}, shapely.points(np.column_stack([lon, lat])))
    # U serves C; R serves V0; an INACTIVE rural office sits in V1 and must serve nobody
    olon, olat = to_lonlat([-16000, 0, 0], [0, 0, 8000])
    offices = make_layer("offices", {
        "office_id": ["U", "R", "X"], "name": ["U", "R", "X"], "licence_type": ["urban", "rural", "rural"],
        "status": ["active", "active", "inactive"], "licence_number": ["P-1", "R-1", "R-2"],
        "county": ["بیرجند"] * 3, "source": [HAND_SOURCE] * 3}, shapely.points(np.column_stack([olon, olat])))
    return (base.with_layer("settlements", settlements).with_layer("offices", offices)
            .with_layer("roads", roads_layer(to_lonlat, ROADS)))


# -- an independent oracle: networkx on the drawn lines, places joined by hand --------------------------------


def _nx_graph(lines):
    g = nx.Graph()
    for pts in lines.values():
        for a, b in itertools.pairwise(pts):
            g.add_edge(a, b, weight=math.dist(a, b) / V_ROAD)
    return g


def oracle_minutes(lines, offices, xy, params):
    """Time (minutes) from each point to the nearest of ``offices`` (road nodes): the off-road leg to the
    nearest point on a road, along that segment to either end, then networkx shortest paths; or straight
    across to an office within the longest leg. ``inf`` when neither exists."""
    g = _nx_graph(lines)
    to_office = nx.multi_source_dijkstra_path_length(g.reverse() if g.is_directed() else g, set(offices))
    v_off = params.offroad_speed_kmh / 3.6
    segs = [(a, b) for pts in lines.values() for a, b in itertools.pairwise(pts)]
    out = []
    for p in xy:
        best = math.inf
        for o in offices:
            d = math.dist(p, o)
            if d <= params.max_offroad_m:
                best = min(best, d / v_off)
        seg_lines = [shapely.LineString(s) for s in segs]
        dist = [line.distance(shapely.Point(p)) for line in seg_lines]
        k = int(np.argmin(dist))
        if dist[k] <= params.max_offroad_m:
            a, b = segs[k]
            along = seg_lines[k].project(shapely.Point(p))
            length = math.dist(a, b)
            via = min(along / V_ROAD + to_office.get(a, math.inf), (length - along) / V_ROAD + to_office.get(b, math.inf))
            best = min(best, dist[k] / v_off + via)
        out.append(best / 60.0)
    return np.array(out)


# -- coverage ------------------------------------------------------------------------------------------------


def test_coverage_by_travel_time_on_the_ridge_network():
    ws = ridge_workspace()
    rules = load_rules().with_measure("time")
    t_urban, t_rural = rules.service_times()["urban"], rules.service_times()["rural"]
    cov = compute_coverage(ws, rules)
    per = cov.settlements.set_index("code")
    km_min = 1000 / V_ROAD / 60  # minutes per km of road
    # by hand: R→V1 goes round the ridge, 16 + 8 + 16 km; V2, V3 on the east road; C 16 km west
    hand_rural = {"V0": 0.0, "V1": 40 * km_min, "V2": 12 * km_min, "V3": 25 * km_min, "C": 16 * km_min}
    hand_urban = {"C": 0.0, "V0": 16 * km_min, "V1": 24 * km_min, "V2": 28 * km_min, "V3": 41 * km_min}
    for name, minutes in hand_rural.items():
        assert per.at[name, "nearest_rural_min"] == pytest.approx(minutes, rel=1e-6, abs=1e-6)
        assert per.at[name, "nearest_rural_id"] == "R"
    for name, minutes in hand_urban.items():
        assert per.at[name, "nearest_urban_min"] == pytest.approx(minutes, rel=1e-6, abs=1e-6)
    # the same minutes from networkx on the drawn lines
    xy = [PLACES[n][:2] for n in per.index]
    params = load_road_params()
    assert per["nearest_rural_min"].to_numpy() == pytest.approx(oracle_minutes(ROADS, [(0, 0)], xy, params), rel=1e-6)
    assert per["nearest_urban_min"].to_numpy() == pytest.approx(
        oracle_minutes(ROADS, [(-16000, 0)], xy, params), rel=1e-6)
    # V1 is 8 km from R, within the 10 km radius, but 40 min away by road: not covered at 30 min
    assert hand_rural["V1"] > t_rural and not per.at["V1", "covered_rural"]
    # V2 and V3, on one road within the time, are covered (V3 is 25 km away, far outside the radius)
    assert per.at["V2", "covered_rural"] and per.at["V3", "covered_rural"]
    # V4 is off the network (5 km from every road, the longest leg 2 km) and V5 reaches no office: both
    # reported, neither covered, neither dropped
    assert per["off_network"].to_dict() == {n: n == "V4" for n in PLACES}
    for name in ("V4", "V5"):
        assert math.isinf(per.at[name, "nearest_rural_min"]) and not per.at[name, "covered"]
        assert pd.isna(per.at[name, "nearest_rural_id"])
    expected_cov = {n: (hand_rural.get(n, math.inf) <= t_rural) or (hand_urban.get(n, math.inf) <= t_urban)
                    for n in PLACES}
    assert per["covered"].to_dict() == expected_cov
    t = cov.totals
    assert t["covered_population"] == sum(PLACES[n][2] for n, c in expected_cov.items() if c) == 54_100
    assert t["uncovered_population"] == 800 + 400 + 300
    assert (t["off_network_settlements"], t["off_network_population"]) == (1, 400)
    assert t["unreachable_settlements"] == {"urban": 1, "rural": 1}
    assert t["unreachable_population"] == {"urban": 300, "rural": 300}
    assert cov.measures == {"urban": "time", "rural": "time"}
    assert cov.service_times == {"urban": t_urban, "rural": t_rural}
    assert any(f"rural: served within {t_rural:g} min travel time" in n for n in cov.notes)
    county = cov.by_county.set_index("county")
    assert county.at["بیرجند", "off_network_population"] == 400 and county.at["خوسف", "off_network_settlements"] == 0
    assert county.at["بیرجند", "covered_population"] == 54_100
    d = cov.to_dict(include_settlements=True)
    assert d["measures"] == {"urban": "time", "rural": "time"}
    v1 = next(r for r in d["settlements"] if r["code"] == "V1")
    assert v1["nearest_rural_min"] == pytest.approx(40 * km_min) and v1["off_network"] is False
    assert next(r for r in d["settlements"] if r["code"] == "V4")["nearest_rural_min"] is None


def test_the_same_workspace_by_distance_is_unchanged():
    ws = ridge_workspace()
    rules = load_rules()
    assert rules.measures() == {"urban": "distance", "rural": "distance"}
    cov = compute_coverage(ws, rules)
    per = cov.settlements.set_index("code")
    geod = Geod(ellps="WGS84")
    s = ws.settlements.set_index("code")
    r = ws.offices.set_index("office_id").geometry["R"]
    # straight-line: V1 (8 km) and V4 (7.07 km) are within the 10 km rural radius, V2 (12 km) is not
    for name in PLACES:
        d = geod.inv(r.x, r.y, s.geometry[name].x, s.geometry[name].y)[2]
        assert per.at[name, "nearest_rural_m"] == pytest.approx(d, rel=5e-4)
        assert per.at[name, "covered_rural"] == (d <= rules.radii()["rural"])
    assert per.at["V1", "covered_rural"] and per.at["V4", "covered_rural"] and not per.at["V2", "covered_rural"]
    assert "off_network" not in per.columns and "nearest_rural_min" not in per.columns
    assert cov.off_network is None and "off_network_settlements" not in cov.totals
    # a mixed rules file: rural by time, urban by distance
    mixed = rules.with_overrides({"rural": {"service_measure": "time"}})
    cov = compute_coverage(ws, mixed)
    per = cov.settlements.set_index("code")
    assert "nearest_urban_min" not in per.columns and "nearest_rural_min" in per.columns
    assert per["covered_urban"].to_dict() == {n: n == "C" for n in PLACES}
    assert per["covered_rural"].to_dict() == {n: n in ("C", "V0", "V2", "V3") for n in PLACES}


def test_travel_time_without_roads_is_an_input_error():
    with pytest.raises(InputError, match="no roads layer"):
        compute_coverage(hand_workspace(), load_rules().with_measure("time"))


# -- gaps ------------------------------------------------------------------------------------------------------


def test_gap_cells_by_travel_time_match_a_brute_force_per_cell_computation():
    ws = ridge_workspace()
    rules = load_rules().with_measure("time")
    params = load_road_params()
    cells = gap_cells(ws, rules, resolution=7)
    _, to_local = _frame(ws)
    x, y = to_local(cells["lon"].to_numpy(), cells["lat"].to_numpy())
    xy = np.column_stack([x, y])
    roads = shapely.MultiLineString(list(ROADS.values()))
    near_road = shapely.distance(shapely.points(xy), roads)
    # only centres within the longest leg of a road (or of an office) can reach an office at all
    cand = np.flatnonzero(near_road <= params.max_offroad_m + 1)
    assert len(cand) > 20
    expected = {t: np.full(len(cells), np.inf) for t in ("urban", "rural")}
    for t, office in (("urban", (-16000, 0)), ("rural", (0, 0))):
        expected[t][cand] = oracle_minutes(ROADS, [office], xy[cand], params)
        got = cells[f"time_{t}_min"].to_numpy()
        assert np.array_equal(np.isnan(got), np.isinf(expected[t]))  # NaN: no office reachable
        ok = np.isfinite(got)
        assert got[ok] == pytest.approx(expected[t][ok], rel=1e-6, abs=1e-6)
        assert cells[f"gap_{t}"].to_numpy().tolist() == (expected[t] > rules.service_times()[t]).tolist()
    assert cells["off_network"].to_numpy().tolist() == (near_road > params.max_offroad_m).tolist()
    gap_any = (expected["urban"] > rules.service_times()["urban"]) & (expected["rural"] > rules.service_times()["rural"])
    assert cells["gap_any"].to_numpy().tolist() == gap_any.tolist()
    # a cell within the rural radius of R but a gap by time exists (the ridge)
    assert ((cells["dist_rural_m"] <= 10_000) & cells["gap_rural"]).any()
    # V1, V4 and V5 are uncovered; their cells carry their population
    assert cells["uncovered_population"].sum() == 800 + 400 + 300


def _straight_road_workspace():
    """A 1° × 1° region, one county; a straight 80 km road through the centre with the only (rural) office at
    its middle. Villages: one on the road 10 km east (10 min), one on the road 35 km east (35 min), one 15 km
    north of the office off the road."""
    box = shapely.box(59.0, 32.5, 60.0, 33.5)
    region = make_layer("region", {"name_fa": ["آزمون"], "name_en": ["test"], "source": [HAND_SOURCE]}, [box])
    counties = make_layer("counties", {"code": ["1"], "name_fa": ["الف"], "name_en": ["A"], "population": [5000],
                                       "population_year": [2016], "census_unit": [None], "population_note": [None],
                                       "source": [HAND_SOURCE]}, [box])
    empty = Workspace(region, counties, make_layer("settlements", {}, []), make_layer("offices", {}, []),
                      meta={"name": "straight road", "sample": True})
    to_lonlat, _ = _frame(empty, origin=(59.5, 33.0))
    lon, lat = to_lonlat([10000, 35000, 0], [0, 0, 15000])
    settlements = make_layer("settlements", {"code": ["A", "B", "N"], "name_fa": ["آ", "ب", "ن"],
                                             "kind": ["village"] * 3, "population": [1000, 250, 700],
                                             "county": ["الف"] * 3, "source": [HAND_SOURCE] * 3},
                             shapely.points(np.column_stack([lon, lat])))
    olon, olat = to_lonlat([0], [0])
    offices = make_layer("offices", {"office_id": ["R"], "name": ["R"], "licence_type": ["rural"],
                                     "status": ["active"], "licence_number": ["R-1"], "county": ["الف"],
                                     "source": [HAND_SOURCE]}, shapely.points(np.column_stack([olon, olat])))
    return (empty.with_layer("settlements", settlements).with_layer("offices", offices)
            .with_layer("roads", roads_layer(to_lonlat, {"road": [(-40000, 0), (40000, 0)]})))


def test_gap_polygon_by_time_is_the_region_minus_the_isochrone_worked_out_by_hand():
    ws = _straight_road_workspace()
    rules = load_rules().with_measure("time")
    params = load_road_params()
    minutes = rules.service_times()["rural"]
    budget = minutes * 60
    v_off = params.offroad_speed_kmh / 3.6
    # along the road the office is reached from x; the off-road reach there is min(max leg, (T - x/v) v_off):
    # the full leg up to x_full, then falling linearly to 0 at x_end = T v. Both sides of the road, both ways.
    x_end = budget * V_ROAD
    x_full = (budget - params.max_offroad_m / v_off) * V_ROAD
    assert 0 < x_full < x_end < 40000
    leg = params.max_offroad_m
    iso_m2 = 2 * 2 * (x_full * leg + (x_end - x_full) * leg / 2)
    areas = service_areas(ws, rules, "rural")
    assert areas["office_id"].tolist() == ["R"] and areas["minutes"].tolist() == [minutes]
    assert areas["area_km2"].iat[0] == pytest.approx(iso_m2 / 1e6, rel=1e-4)
    gaps = compute_gaps(ws, rules, licence_type="rural")
    ring = shapely.segmentize(shapely.box(59.0, 32.5, 60.0, 33.5), 0.005)
    region_km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(ring)[0]) / 1e6
    assert len(gaps) == 1 and gaps["county"].tolist() == ["الف"]
    assert gaps["area_km2"].iat[0] == pytest.approx(region_km2 - iso_m2 / 1e6, abs=0.02)
    # B (35 min) and N (off the network) are uncovered and inside the part; A (10 min) is covered
    assert gaps["uncovered_population"].iat[0] == 950 and gaps["settlements"].iat[0] == 2
    assert gaps.attrs["uncovered_outside_parts"] == {"settlements": 0, "population": 0}
    # by distance (10 km circle) the same workspace's gap is the region minus a circle
    by_distance = compute_gaps(ws, load_rules(), licence_type="rural")
    circle_km2 = math.pi * load_rules().radii()["rural"] ** 2 / 1e6
    assert by_distance["area_km2"].sum() == pytest.approx(region_km2 - circle_km2, abs=0.3)


def test_service_areas_need_a_licence_type_and_roads():
    with pytest.raises(InputError, match="licence type"):
        service_areas(ridge_workspace(), load_rules(), "mobile")
    with pytest.raises(InputError, match="no roads layer"):
        service_areas(hand_workspace(), load_rules(), "rural")


# -- the command line --------------------------------------------------------------------------------------


def run(*args):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=300)


def test_cli_measure_switch(tmp_path):
    path = ridge_workspace().save(tmp_path / "ws.gpkg")
    p = run("coverage", "--measure", "time", "--json", "--settlements", "-w", path)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    rules = load_rules()
    assert d["measures"] == {"urban": "time", "rural": "time"}
    assert d["service_times_min"] == rules.service_times()
    assert d["covered_population"] == 54_100 and d["off_network_population"] == 400
    per = {r["code"]: r for r in d["settlements"]}
    assert per["V1"]["nearest_rural_min"] == pytest.approx(40.0) and per["V1"]["covered"] is False
    p = run("coverage", "--measure", "distance", "--json", "-w", path)
    d = json.loads(p.stdout)
    assert d["measures"] == {"urban": "distance", "rural": "distance"} and "off_network_population" not in d
    assert d["covered_population"] == 50_000 + 2_000 + 800 + 400  # C, V0, V1, V4 within the radii
    p = run("coverage", "--measure", "time", "-w", path)
    assert p.returncode == 0 and "travel time" in p.stdout and "off the road network: 1 settlements" in p.stdout
    p = run("gaps", "--measure", "time", "--type", "rural", "--json", "-w", path)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["measures"]["rural"] == "time" and d["service_times_min"]["rural"] == rules.service_times()["rural"]
    assert d["uncovered_population"] + d["uncovered_outside_parts"]["population"] == 800 + 400 + 300
    p = run("gaps", "--measure", "time", "--type", "rural", "-w", path)
    assert "travel time" in p.stdout
    p = run("gaps", "--measure", "time", "--h3", "7", "--type", "rural", "--json", "-w", path)
    d = json.loads(p.stdout)
    assert d["measures"]["rural"] == "time" and all(r["gap_rural"] for r in d["rows"])
    assert all(r["time_rural_min"] is None or r["time_rural_min"] > 30 for r in d["rows"])
    assert any(r["time_rural_min"] is None for r in d["rows"]) and any(r["time_rural_min"] for r in d["rows"])
    p = run("gaps", "--measure", "time", "--h3", "7", "--type", "rural", "--geojson", "-w", path)
    features = json.loads(p.stdout)["features"]  # strict JSON: no Infinity
    assert len(features) == len(d["rows"]) and features[0]["properties"]["gap_rural"] is True
    # no road network: one line, exit 2
    bare = hand_workspace().save(tmp_path / "bare.gpkg")
    p = run("coverage", "--measure", "time", "-w", bare)
    assert p.returncode == 2 and "no roads layer" in p.stderr and "Traceback" not in p.stderr
    p = run("coverage", "--measure", "speed", "-w", path)
    assert p.returncode == 2 and "--measure" in p.stderr


def test_gaps_any_by_time_use_both_types_isochrones():
    ws = ridge_workspace()
    rules = load_rules().with_measure("time")
    areas = service_areas(ws, rules, "any")
    assert sorted(areas["office_id"]) == ["R", "U"]  # the inactive X draws nothing
    gaps = compute_gaps(ws, rules, licence_type="any")
    assert isinstance(gaps, gpd.GeoDataFrame)
    served = shapely.union_all(areas.geometry.to_numpy())
    # no gap part overlaps a service area (beyond float noise), and the uncovered people are all accounted for
    assert all(shapely.intersection(g, served).area < 1e-9 for g in gaps.geometry)
    assert gaps["uncovered_population"].sum() + gaps.attrs["uncovered_outside_parts"]["population"] == 1_500


def test_an_off_network_village_with_an_office_within_walking_reach():
    # an active rural office 500 m east of V4, itself off the network: the only trip is the walk straight across
    # (siting.network's direct off-road trip), so V4 is covered by it but still reported off the network
    ws = ridge_workspace()
    to_lonlat, _ = _frame(ws)
    lon, lat = to_lonlat([5500], [-5000])
    extra = make_layer("offices", {"office_id": ["W"], "name": ["W"], "licence_type": ["rural"], "status": ["active"],
                                   "licence_number": ["R-3"], "county": ["بیرجند"], "source": [HAND_SOURCE]},
                       shapely.points(np.column_stack([lon, lat])))
    ws = ws.with_layer("offices", pd.concat([ws.offices, extra], ignore_index=True))
    params = load_road_params()
    cov = compute_coverage(ws, load_rules().with_measure("time"))
    per = cov.settlements.set_index("code")
    walk_min = 500 / (params.offroad_speed_kmh / 3.6) / 60
    assert per.at["V4", "nearest_rural_min"] == pytest.approx(walk_min, rel=1e-6)
    assert per.at["V4", "nearest_rural_id"] == "W" and per.at["V4", "covered_rural"]
    assert per.at["V4", "off_network"] and cov.totals["off_network_settlements"] == 1
    # the others are unchanged: W is off the network, so it reaches no road
    assert per.at["V1", "nearest_rural_id"] == "R" and not per.at["V1", "covered"]
