"""MCLP, LSCP and p-median on travel time over a hand-built road network.

The workspace is drawn in kilometres in its own metric projection (so the lengths the graph measures are
the lengths drawn here) and stored in WGS84 like any workspace. Every road has a maxspeed, so times are
worked out by hand: 60 km/h is 1 km per minute. The oracle is a networkx DiGraph built from the same
polylines, independent of siting.network; the optimum is found by brute force over every subset of the
candidate sites.
"""

from __future__ import annotations

import itertools
import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hand_roads import road_ws

from siting.cli.optimize import main as optimize_main
from siting.errors import InputError
from siting.optimize import Scenario, lscp, mclp, problem_from_workspace, run_scenario
from siting.rules import load_rules
from siting.workspace import Workspace

pytestmark = pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")

def build_ws(settlements, offices, roads) -> Workspace:
    """settlements: (code, kind, population, x_km, y_km); offices: (id, type, x_km, y_km);
    roads: (points_km, maxspeed_kmh, oneway)."""
    return road_ws(settlements, offices, roads)


def oracle(settlements, roads):
    """Minutes of the trip from settlement a to settlement b, by networkx over the drawn segments."""
    G = nx.DiGraph()
    for pts, speed, oneway in roads:
        for p, q in itertools.pairwise(pts):
            w = math.dist(p, q) / speed * 60.0
            G.add_edge(tuple(p), tuple(q), weight=w)
            if not oneway:
                G.add_edge(tuple(q), tuple(p), weight=w)
    xy = [(x, y) for *_, x, y in settlements]
    n = len(xy)
    T = np.full((n, n), np.inf)
    for a in range(n):
        if xy[a] not in G:
            T[a, a] = 0.0
            continue
        d = nx.single_source_dijkstra_path_length(G, xy[a])
        for b in range(n):
            T[a, b] = d.get(xy[b], np.inf)
    return T


# -- the instance ------------------------------------------------------------------------------
# A highway along y=0 (60 km/h), branches north and south, a link road across the north, and a
# one-way road from (21, 0) up to V7 at (25, 8), which returns to the highway at (30, 0) at 30 km/h.
ROADS = [
    ([(-30, 0), (-20, 0), (-10, 0), (0, 0), (4, 0), (10, 0), (21, 0), (30, 0)], 60, False),
    ([(-20, 0), (-20, 12)], 40, False),
    ([(0, 0), (0, -9)], 30, False),
    ([(10, 0), (10, 15)], 45, False),
    ([(-20, 12), (10, 15)], 60, False),
    ([(21, 0), (25, 8)], 60, True),
    ([(25, 8), (30, 0)], 30, False),
]
# (code, kind, population, x, y): the city C holds the urban office U; the rural office R is in V1
SETTLEMENTS = [
    ("V1", "village", 800, -30, 0), ("V2", "village", 1500, -20, 12), ("V3", "village", 600, -10, 0),
    ("V4", "village", 2000, 0, -9), ("V5", "village", 1200, 10, 15), ("V6", "village", 900, 21, 0),
    ("V7", "village", 700, 25, 8), ("V8", "village", 400, 30, 0), ("C", "city", 20_000, 4, 0),
]
OFFICES = [("R", "rural", -30, 0), ("U", "urban", 4, 0)]
CANDIDATES = ["V2", "V3", "V4", "V5", "V6", "V7", "V8"]  # V1 holds R (min distance), C is a city


@pytest.fixture(scope="module")
def ws():
    return build_ws(SETTLEMENTS, OFFICES, ROADS)


@pytest.fixture(scope="module")
def times():
    return oracle(SETTLEMENTS, ROADS)


@pytest.fixture(scope="module")
def time_rules():
    return load_rules().with_measure("time")


def _pos(code):
    return [c for c, *_ in SETTLEMENTS].index(code)


def _setup(times, rules):
    pop = np.array([p for _, _, p, *_ in SETTLEMENTS], float)
    cand = np.array([_pos(c) for c in CANDIDATES])
    T = times[:, cand]  # demand -> candidate
    rural, urban = rules.for_type("rural").service_time_min, rules.for_type("urban").service_time_min
    existing = np.minimum(times[:, _pos("V1")], times[:, _pos("C")])  # R sits in V1, U in C
    covered = (times[:, _pos("V1")] <= rural) | (times[:, _pos("C")] <= urban)
    return pop, T, existing, covered, rural


def _subsets(k_max):
    for k in range(k_max + 1):
        yield from itertools.combinations(range(len(CANDIDATES)), k)


def test_the_hand_times_the_oracle_gives(times):
    # worked out by hand: V4 (0,-9) → V3 (-10,0): 9 km at 30 km/h (18 min) + 10 km at 60 (10 min)
    assert times[_pos("V4"), _pos("V3")] == pytest.approx(28.0)
    # the one-way road: V6 → V7 takes it (√80 km at 60), V7 → V6 goes round by V8 (√89 at 30 + 9 at 60)
    assert times[_pos("V6"), _pos("V7")] == pytest.approx(math.sqrt(80))
    assert times[_pos("V7"), _pos("V6")] == pytest.approx(2 * math.sqrt(89) + 9)


def test_the_cost_matrix_is_the_road_network_s_and_existing_offices_cover_within_their_time(ws, times,
                                                                                           time_rules):
    p = problem_from_workspace(ws, time_rules, licence_type="rural", time_bound_min=500)
    assert p.unit == "min" and p.radius == 30
    assert p.sites["id"].tolist() == CANDIDATES
    assert p.demand["id"].tolist() == [c for c, *_ in SETTLEMENTS]
    _, T, existing, covered, _ = _setup(times, time_rules)
    got = np.full(T.shape, np.inf)
    pairs = p.distances.pairs
    got[pairs.i, pairs.j] = pairs.cost
    np.testing.assert_allclose(got, T, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(p.existing_cost, existing, rtol=1e-9, atol=1e-6)
    assert p.existing_covered.tolist() == covered.tolist()
    # the cover sets at 30 minutes are the pairs within 30 minutes, direction settlement → site
    np.testing.assert_array_equal(p.cover.toarray(), (T <= 30).astype(int))
    # the default bound is the service time: no pair beyond it is searched
    q = problem_from_workspace(ws, time_rules, licence_type="rural")
    assert q.distances.pairs.cost.max() <= 30 and len(q.distances.pairs) == int((T <= 30).sum())


@pytest.mark.parametrize("k", [1, 2, 3])
def test_mclp_on_travel_time_equals_brute_force(ws, times, time_rules, k):
    pop, T, _, covered, R = _setup(times, time_rules)
    best = max(float(pop[~covered & (T[:, list(s)] <= R).any(axis=1)].sum()) if s else 0.0 for s in _subsets(k))
    r = mclp(problem_from_workspace(ws, time_rules, licence_type="rural"), k, method="exact")
    assert r.unit == "min" and r.status == "optimal"
    assert r.newly_covered_population == pytest.approx(best)
    chosen = [CANDIDATES.index(s.id) for s in r.sites]
    assert float(pop[~covered & (T[:, chosen] <= R).any(axis=1)].sum()) == pytest.approx(best)
    assert r.covered_before == pytest.approx(float(pop[covered].sum()))


@pytest.mark.parametrize("share", [0.9, 1.0])
def test_lscp_on_travel_time_equals_brute_force(ws, times, time_rules, share):
    pop, T, _, covered, R = _setup(times, time_rules)

    def cov(s):
        return float(pop[covered | (T[:, list(s)] <= R).any(axis=1)].sum()) if s else float(pop[covered].sum())

    need = share * pop.sum()
    fewest = min(len(s) for s in _subsets(len(CANDIDATES)) if cov(s) >= need - 1e-9)
    most = max(cov(s) for s in _subsets(fewest) if len(s) == fewest)
    r = lscp(problem_from_workspace(ws, time_rules, licence_type="rural"), share, method="exact")
    assert len(r.sites) == fewest and r.covered_after == pytest.approx(most)
    assert cov([CANDIDATES.index(s.id) for s in r.sites]) == pytest.approx(most)


@pytest.mark.parametrize("k", [1, 2])
def test_pmedian_on_travel_time_equals_brute_force(ws, times, time_rules, k):
    pop, T, existing, _, _ = _setup(times, time_rules)

    def cost(s):
        return float(pop @ np.minimum(existing, T[:, list(s)].min(axis=1) if s else np.inf))

    best = min(cost(s) for s in _subsets(k))
    # the scenario's default bound (4 × 30 min) reaches every pair here: the longest trip is under 120 min
    assert times[np.isfinite(times)].max() < 120
    r = run_scenario(ws, Scenario("pmedian", licence_type="rural", k=k, measure="time", method="exact"))
    assert r.objective == pytest.approx(best) and r.unit == "min"
    assert cost([CANDIDATES.index(s.id) for s in r.sites]) == pytest.approx(best)
    assert r.mean_cost_after == pytest.approx(best / pop.sum())


def test_distance_still_runs_on_straight_lines(ws):
    r = run_scenario(ws, Scenario("mclp", licence_type="rural", k=1, measure="distance"))
    assert r.unit == "m" and r.radius == 10_000


# -- the ridge ---------------------------------------------------------------------------------
# Village A at (0, 0) and village B at (8, 0): 8 km apart across a ridge; the road goes round it,
# 16 + 8 + 16 = 40 km at 60 km/h: 40 minutes. A third village D lies 20 km from every road.
RIDGE_ROADS = [([(0, 0), (0, 16), (8, 16), (8, 0)], 60, False)]
RIDGE = [("A", "village", 500, 0, 0), ("B", "village", 3000, 8, 0), ("D", "village", 700, -25, -20)]


def test_a_site_8_km_across_a_ridge_does_not_cover_at_30_minutes():
    ws = build_ws(RIDGE, [], RIDGE_ROADS)
    assert oracle(RIDGE, RIDGE_ROADS)[1, 0] == pytest.approx(40.0)
    rules = load_rules()
    by_distance = problem_from_workspace(ws, rules, licence_type="rural", measure="distance")
    by_time = problem_from_workspace(ws, rules, licence_type="rural", measure="time")
    a = by_time.sites["id"].tolist().index("A")
    b = by_time.demand["id"].tolist().index("B")
    assert by_distance.cover[b, a] == 1  # 8 km is within the 10 km radius
    assert by_time.cover[b, a] == 0  # 40 minutes is beyond 30
    # by time, B is only covered by a site in B itself; at 45 minutes A covers it
    assert by_time.cover[b].toarray().ravel().tolist() == [int(i == "B") for i in by_time.sites["id"]]
    assert problem_from_workspace(ws, rules, licence_type="rural", measure="time", radius=45).cover[b, a] == 1
    # D is off the network: reported, not dropped, and covered by no site but its own
    d = by_time.demand["id"].tolist().index("D")
    assert any("off the road network" in n and "آبادی D" in n for n in by_time.notes)
    assert by_time.cover[d].toarray().ravel().tolist() == [int(i == "D") for i in by_time.sites["id"]]
    r = mclp(by_time, 1)
    assert [s.id for s in r.sites] == ["B"] and r.newly_covered_population == 3000


def test_travel_time_needs_roads_and_refuses_a_cost_matrix_too(ws, tmp_path):
    bare = Workspace(ws.region, ws.counties, ws.settlements, ws.offices, meta=ws.meta)
    with pytest.raises(InputError, match="no roads layer"):
        problem_from_workspace(bare, load_rules(), licence_type="rural", measure="time")
    with pytest.raises(InputError, match="not both"):
        problem_from_workspace(ws, load_rules(), licence_type="rural", measure="time", costs=str(tmp_path / "m.csv"),
                               radius=10)
    with pytest.raises(InputError, match="measure"):
        problem_from_workspace(ws, load_rules(), licence_type="rural", measure="speed")
    with pytest.raises(InputError, match="measure"):
        Scenario("mclp", k=1, measure="speed")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="existing radius"):
        problem_from_workspace(ws, load_rules(), licence_type="rural", measure="time", existing_radii={"urban": 5})


# -- the command line ------------------------------------------------------------------------------


def test_cli_optimize_measure_time(ws, times, time_rules, tmp_path, capsys):
    path = tmp_path / "ws.gpkg"
    ws.save(path)
    pop, T, _, covered, R = _setup(times, time_rules)
    best = max(float(pop[~covered & (T[:, list(s)] <= R).any(axis=1)].sum()) for s in _subsets(2) if s)
    assert optimize_main(["mclp", "--k", "2", "--measure", "time", "-w", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unit"] == "min" and out["radius"] == 30
    assert out["covered_after"] - out["covered_before"] == pytest.approx(best)
    assert optimize_main(["mclp", "--k", "2", "--measure", "time", "-w", str(path)]) == 0
    text = capsys.readouterr().out
    assert "radius 30 min" in text and "travel time" in text
    assert optimize_main(["pmedian", "--k", "1", "--measure", "time", "--time-bound", "500", "-w", str(path),
                          "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    _, _, existing, _, _ = _setup(times, time_rules)
    best_pm = min(float(pop @ np.minimum(existing, T[:, j])) for j in range(len(CANDIDATES)))
    assert out["objective"] == pytest.approx(best_pm)
    # no roads: one line naming the layer, exit 2
    Workspace(ws.region, ws.counties, ws.settlements, ws.offices, meta=ws.meta).save(tmp_path / "bare.gpkg")
    assert optimize_main(["mclp", "--k", "1", "--measure", "time", "-w", str(tmp_path / "bare.gpkg")]) == 2
    assert "roads layer" in capsys.readouterr().err


def test_the_builder_stores_wgs84_that_projects_back_to_the_drawn_kilometres():
    # the builder stores WGS84 and reads back the same kilometres (the premise of the hand times)
    ws = build_ws(RIDGE, [], RIDGE_ROADS)
    from siting.geo import project_xy
    x, y = project_xy(ws.settlements.geometry.x, ws.settlements.geometry.y, ws.metric_crs.distance)
    np.testing.assert_allclose(np.c_[x, y] / 1000, pd.DataFrame(RIDGE).iloc[:, 3:].to_numpy(float), atol=1e-6)


def test_each_office_type_covers_by_its_own_measure(ws, times):
    # the rules file may serve rural offices by time and urban ones by distance. With an urban service time
    # of 20 min: V6 is 17 min from the urban office U (in C) but 17 km away (beyond urban's 3 km radius),
    # and 51 min from the rural office R
    assert times[_pos("V6"), _pos("C")] == pytest.approx(17.0) and times[_pos("V6"), _pos("V1")] > 30
    rules = load_rules().with_overrides({"urban": {"service_time_min": 20}})
    mixed = rules.with_overrides({"rural": {"service_measure": "time"}})
    p_mixed = problem_from_workspace(ws, mixed, licence_type="rural")
    p_time = problem_from_workspace(ws, rules, licence_type="rural", measure="time")
    assert p_mixed.unit == p_time.unit == "min"
    v6, c = _pos("V6"), _pos("C")
    assert not p_mixed.existing_covered[v6] and p_time.existing_covered[v6]
    assert p_mixed.existing_covered[c] and p_time.existing_covered[c]  # U sits in C
    np.testing.assert_allclose(p_mixed.existing_cost, p_time.existing_cost)  # the cost is travel time either way
