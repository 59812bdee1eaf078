"""validate_site by travel time, on a hand-built road network checked against networkx.

The workspace is drawn in kilometres in its own metric projection and stored in WGS84; every road has a
maxspeed of 60 km/h, a kilometre a minute, so the times are worked out by hand:

* village A at (0, 0), the proposed site; village E at (0, 9) on the road north from A (9 min);
* village B at (8, 0), 8 km from A across a ridge: the road goes round, (0,0)→(0,16)→(8,16)→(8,0),
  40 km, 40 minutes;
* the rural office R at (0, 40), at the end of the road north: 40 minutes from A;
* village D at (-25, -20), 20 km from every road: off the network.
"""

from __future__ import annotations

import itertools
import json
import math

import networkx as nx
import numpy as np
import pytest
import shapely
from hand_roads import road_ws

from siting.cli import main as siting_main
from siting.errors import InputError
from siting.geo import project_xy, unproject_xy
from siting.rules import load_rules
from siting.rules.validate import ValidationReport, validate_many, validate_site
from siting.workspace import Workspace

ROADS = [[(0, 0), (0, 9), (0, 16), (8, 16), (8, 0)], [(0, 16), (0, 40)]]
SETTLEMENTS = [("A", 500, 0, 0), ("E", 1200, 0, 9), ("B", 3000, 8, 0), ("D", 1500, -25, -20)]
OFFICES = [("R", "rural", 0, 40)]


def build_ws(settlements=SETTLEMENTS, offices=OFFICES, roads=ROADS) -> Workspace:
    """The villages of ``settlements`` ``(code, population, x_km, y_km)``; every road at 60 km/h, two-way."""
    return road_ws([(c, "village", p, x, y) for c, p, x, y in settlements], offices,
                   [(pts, 60, False) for pts in roads])


def nx_minutes(roads=ROADS):
    G = nx.Graph()
    for pts in roads:
        for p, q in itertools.pairwise(pts):
            G.add_edge(p, q, weight=math.dist(p, q))  # km at 60 km/h: minutes
    return G


@pytest.fixture(scope="module")
def ws():
    return build_ws()


def lonlat_of(ws, x_km, y_km):
    lon, lat = unproject_xy([x_km * 1000.0], [y_km * 1000.0], ws.metric_crs.distance)
    return float(lon[0]), float(lat[0])


def test_travel_times_and_newly_covered_population_against_networkx(ws):
    lon, lat = lonlat_of(ws, 0, 0)
    G = nx_minutes()
    to_site = nx.single_source_dijkstra_path_length(G, (0, 0))  # undirected: to and from the site alike
    assert to_site[(8, 0)] == pytest.approx(40.0) and to_site[(0, 40)] == pytest.approx(40.0)
    rules = load_rules()
    T = rules.for_type("rural").service_time_min
    rep = validate_site(ws, rules, licence_type="rural", lon=lon, lat=lat, measure="time")
    # the settlements whose trip to the site takes at most T and whom R (40+ min away) does not serve
    want = {c for c, _, x, y in SETTLEMENTS if to_site.get((x, y), np.inf) <= T
            and nx.dijkstra_path_length(G, (x, y), (0, 40)) > T}
    assert want == {"A", "E"}
    assert {s["code"] for s in rep.newly_covered_settlements} == want
    assert rep.newly_covered_population == sum(p for c, p, *_ in SETTLEMENTS if c in want) == 1700
    assert rep.measure == "time" and rep.site_on_network is True and rep.site_road_distance_m == pytest.approx(0,
                                                                                                               abs=1e-6)
    office = rep.nearest_offices[0]
    assert office.office_id == "R" and office.travel_time_min == pytest.approx(to_site[(0, 40)], rel=1e-9)
    r = rep.rule("min_uncovered_population")
    assert r.status == "pass" and r.value == 1700 and r.threshold == 1000
    assert "travel time" in r.message_en and "زمان سفر" in r.message_fa and "۳۰ دقیقه" in r.message_fa
    assert rep.rule("on_road_network").status == "pass"
    # the distance rules stay in metres
    x, y = project_xy([lon], [lat], ws.metric_crs.distance)
    d = rep.rule("min_distance_same_type")
    assert d.unit == "m" and d.value == pytest.approx(40_000, rel=1e-6) and d.threshold == 5000
    assert float(np.hypot(x[0], y[0] - 40_000)) == pytest.approx(d.value, abs=0.1)


def test_by_distance_the_ridge_village_counts_and_by_time_it_does_not(ws):
    lon, lat = lonlat_of(ws, 0, 0)
    rules = load_rules()
    by_distance = validate_site(ws, rules, licence_type="rural", lon=lon, lat=lat, measure="distance")
    by_time = validate_site(ws, rules, licence_type="rural", lon=lon, lat=lat, measure="time")
    # B is 8 km away (within the 10 km radius) but 40 minutes by road (beyond 30)
    assert {s["code"] for s in by_distance.newly_covered_settlements} == {"A", "E", "B"}
    assert by_distance.newly_covered_population == 4700
    assert "B" not in {s["code"] for s in by_time.newly_covered_settlements}
    # distance unchanged by the option: the same report as with the rules file (whose measure is distance)
    assert by_distance.to_dict() == validate_site(ws, rules, licence_type="rural", lon=lon, lat=lat).to_dict()
    assert by_distance.measure == "distance" and by_distance.site_on_network is None
    d = by_distance.to_dict()  # the keys a distance report always had, no more
    assert not {"measure", "site_on_network", "site_road_distance_m", "travel_time_bound_min"} & set(d)
    assert all("travel_time_min" not in o for o in d["nearest_offices"])
    assert ValidationReport.from_dict(d).to_dict() == d
    assert all(o.travel_time_min is None for o in by_distance.nearest_offices)
    # at 45 minutes B is within reach of the site, and R (40 min from A, 31 from E) now serves A and E
    longer = rules.with_measure("time").with_overrides({"rural": {"service_time_min": 45}})
    rep = validate_site(ws, longer, licence_type="rural", lon=lon, lat=lat)
    G = nx_minutes()
    want = {c for c, _, x, y in SETTLEMENTS if (x, y) in G and nx.dijkstra_path_length(G, (x, y), (0, 0)) <= 45
            and nx.dijkstra_path_length(G, (x, y), (0, 40)) > 45}
    assert {s["code"] for s in rep.newly_covered_settlements} == want == {"B"}


def test_an_existing_office_within_the_service_time_serves_by_time():
    # R moved to (0, 31): E is 22 min from it (served today), A 31 min (not served)
    ws = build_ws(offices=[("R", "rural", 0, 31)], roads=[*ROADS[:1], [(0, 16), (0, 31), (0, 40)]])
    G = nx_minutes([*ROADS[:1], [(0, 16), (0, 31), (0, 40)]])
    served = {c for c, _, x, y in SETTLEMENTS if (x, y) in G and nx.dijkstra_path_length(G, (x, y), (0, 31)) <= 30}
    assert served == {"E"}  # 22 min; A is 31 min, B 8+16+15 = 39 min
    lon, lat = lonlat_of(ws, 0, 0)
    rep = validate_site(ws, load_rules(), licence_type="rural", lon=lon, lat=lat, measure="time")
    assert {s["code"] for s in rep.newly_covered_settlements} == {"A"}
    assert rep.newly_covered_population == 500
    assert rep.rule("min_uncovered_population").status == "fail"
    assert "Only 500" in rep.rule("min_uncovered_population").message_en


def test_a_site_off_the_network_is_a_warning_never_a_pass(ws):
    lon, lat = lonlat_of(ws, -25, -19)  # 1 km from D, 19+ km from every road
    rep = validate_site(ws, load_rules(), licence_type="rural", lon=lon, lat=lat, measure="time")
    assert rep.site_on_network is False and rep.site_road_distance_m is None
    net = rep.rule("on_road_network")
    assert net.status == "warn" and "off the road network" in net.message_en and "بیرون از شبکهٔ راه‌ها" in net.message_fa
    pop = rep.rule("min_uncovered_population")
    # D (1,500 people, 1 km away on foot) is counted, which is above the 1,000 minimum, yet it is not a pass
    assert pop.status == "warn" and pop.value == 1500 and rep.status != "pass"
    assert rep.nearest_offices[0].travel_time_min is None
    assert any("R" in n and "travel time not given" in n for n in rep.notes)


def test_settlements_off_the_network_near_the_site_are_reported_not_dropped():
    # D moved to (5, -8): 9.4 km from the site, off the network (5 km from the nearest road)
    ws = build_ws(settlements=[*SETTLEMENTS[:3], ("D", 1500, 5, -8)])
    lon, lat = lonlat_of(ws, 0, 0)
    rep = validate_site(ws, load_rules(), licence_type="rural", lon=lon, lat=lat, measure="time")
    assert "D" not in {s["code"] for s in rep.newly_covered_settlements}
    assert any("off the road network" in n and "آبادی D" in n for n in rep.notes)


def test_report_round_trip_and_validate_many(ws):
    lon, lat = lonlat_of(ws, 0, 0)
    rep = validate_site(ws, load_rules(), licence_type="rural", lon=lon, lat=lat, measure="time")
    back = ValidationReport.from_dict(json.loads(json.dumps(rep.to_dict())))
    assert back is not None and back.to_dict() == rep.to_dict()
    # a report stored before travel time existed still reads
    old = rep.to_dict()
    for k in ("measure", "site_on_network", "site_road_distance_m", "travel_time_bound_min"):
        old.pop(k)
    for o in old["nearest_offices"]:
        o.pop("travel_time_min")
    assert ValidationReport.from_dict(old).measure == "distance"
    import geopandas as gpd
    sites = gpd.GeoDataFrame({"proposal_id": ["P1"], "licence_type": ["rural"]},
                             geometry=[shapely.Point(lon, lat)], crs="EPSG:4326")
    [many] = validate_many(ws, None, sites, measure="time")
    assert many.newly_covered_population == rep.newly_covered_population and many.measure == "time"


def test_time_without_roads_is_bad_input(ws):
    bare = Workspace(ws.region, ws.counties, ws.settlements, ws.offices, meta=ws.meta)
    lon, lat = lonlat_of(ws, 0, 0)
    with pytest.raises(InputError, match="no roads layer"):
        validate_site(bare, load_rules(), licence_type="rural", lon=lon, lat=lat, measure="time")
    with pytest.raises(InputError, match="measure"):
        validate_site(ws, load_rules(), licence_type="rural", lon=lon, lat=lat, measure="hours")


def test_cli_validate_measure_time(ws, tmp_path, capsys):
    path = tmp_path / "ws.gpkg"
    ws.save(path)
    lon, lat = lonlat_of(ws, 0, 0)
    args = ["validate", "--lon", f"{lon:.9f}", "--lat", f"{lat:.9f}", "--type", "rural", "-w", str(path)]
    assert siting_main([*args, "--measure", "time", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["measure"] == "time" and d["site_on_network"] is True and d["newly_covered_population"] == 1700
    assert d["nearest_offices"][0]["travel_time_min"] == pytest.approx(40.0, abs=0.01)
    assert siting_main([*args, "--measure", "distance", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["newly_covered_population"] == 4700
    assert siting_main([*args, "--measure", "time"]) == 0
    out = capsys.readouterr().out
    assert "travel min" in out and "on_road_network" in out
    Workspace(ws.region, ws.counties, ws.settlements, ws.offices, meta=ws.meta).save(tmp_path / "bare.gpkg")
    assert siting_main([*args[:-1], str(tmp_path / "bare.gpkg"), "--measure", "time"]) == 2
    assert "roads layer" in capsys.readouterr().err
