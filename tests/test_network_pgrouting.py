"""siting.network against pgRouting, an independent engine (issue 10, item 5).

A seeded random road network of more than 10,000 edges (one-way roads, a detached piece and a one-way
dead end included) is built with ``build_graph``; its arcs (``RoadGraph.matrix``: node, node, seconds)
are loaded into a table of a temporary PostgreSQL database (unique name, dropped afterwards) and
pgRouting's ``pgr_dijkstraCost`` must give the times scipy and ``siting.network`` give, node to node,
to float rounding, with the same unreachable pairs. The two SQL statements of docs/network.md are read
from the page and run as written (the ``psql --csv`` export included), and the CSV they make must be
read by the optimizer's ``read_cost_matrix`` into the times of ``cost_matrix``.

Without the pgRouting extension the tests skip, naming it; with ``SITING_REQUIRE_PGROUTING=1`` (set
by ``.ci/run``) they fail instead. ``scripts/test-env.sh`` installs Debian's postgresql-15-pgrouting.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from siting.network import RoadGraph, attach_xy, build_graph, cost_matrix, nearest_time
from siting.optimize import read_cost_matrix
from siting.rules.roads import RoadParams

psycopg = pytest.importorskip("psycopg", reason="psycopg (the project's PostgreSQL driver) is not installed")

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "network.md"
PG_URL = os.environ.get("SITING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CONNINFO = PG_URL.replace("postgresql+psycopg://", "postgresql://", 1)
CRS = "EPSG:32640"
# 36 km/h = 10 m/s, 72 km/h = 20 m/s; places are put exactly on nodes, so the off-road leg is 0 and
# no two sampled places (nodes at least 600 m apart) are within the 1 m straight-across walk
P = RoadParams({"primary": 36.0, "secondary": 72.0, "track": 18.0}, default_speed_kmh=36.0,
               unpaved_max_speed_kmh=18.0, offroad_speed_kmh=3.6, max_offroad_m=1.0, snap_tolerance_m=0.0)
X0, Y0, STEP = 600_000.0, 3_600_000.0, 1000.0
# the detached piece: A -(two-way, 100 s)- B -(one-way, 100 s)-> C, a dead end
A, B, C = (X0 - 5000, Y0 - 5000), (X0 - 4000, Y0 - 5000), (X0 - 4000, Y0 - 6000)
RTOL, ATOL = 1e-9, 1e-6


def random_roads(side: int = 78, seed: int = 10) -> gpd.GeoDataFrame:
    """A jittered grid of lines one to four steps long (split at the junctions they pass), each step
    bent at its middle, 8% of steps missing, 10% of lines one-way, three classes and a few maxspeeds."""
    rng = np.random.default_rng(seed)
    g = np.stack(np.meshgrid(X0 + STEP * np.arange(side), Y0 + STEP * np.arange(side), indexing="ij"), -1)
    g = g + rng.uniform(-0.2, 0.2, g.shape) * STEP
    lines, classes, oneway, maxspeed = [], [], [], []
    for axis in (0, 1):
        for k in range(side):
            pts = g[k, :] if axis == 0 else g[:, k]
            j = 0
            while j < side - 1:
                stop = min(j + int(rng.integers(1, 5)), side - 1)
                if rng.random() > 0.08:
                    seq = [pts[j]]
                    for q in range(j, stop):
                        seq += [(pts[q] + pts[q + 1]) / 2 + rng.uniform(-0.1, 0.1, 2) * STEP, pts[q + 1]]
                    lines.append(np.array(seq))
                    classes.append(str(rng.choice(["primary", "secondary", "track"])))
                    oneway.append(bool(rng.random() < 0.10))
                    maxspeed.append(float(rng.choice([50.0, 90.0])) if rng.random() < 0.05 else None)
                j = stop
    lines += [np.array([A, B]), np.array([B, C])]
    classes += ["primary", "primary"]
    oneway += [False, True]
    maxspeed += [None, None]
    return gpd.GeoDataFrame({"road_class": classes, "oneway": oneway, "maxspeed_kmh": maxspeed},
                            geometry=[shapely.LineString(c) for c in lines], crs=CRS)


def node_at(g: RoadGraph, xy: tuple[float, float]) -> int:
    hit = np.flatnonzero((g.node_xy[:, 0] == xy[0]) & (g.node_xy[:, 1] == xy[1]))
    assert len(hit) == 1
    return int(hit[0])


def doc_sql(name: str) -> str:
    """The SQL block of docs/network.md marked ``<!-- sql:NAME ... -->``."""
    m = re.search(rf"<!-- sql:{re.escape(name)}\b[^>]*-->\s*```sql\n(.*?)```", DOC.read_text(encoding="utf-8"),
                  re.DOTALL)
    assert m, f"docs/network.md has no SQL block marked sql:{name}"
    return m.group(1)


@pytest.fixture(scope="module")
def graph() -> RoadGraph:
    return build_graph(random_roads(), P, crs=CRS)


@pytest.fixture(scope="module")
def db(graph):
    """A temporary database with pgRouting and the graph's arcs in ``road_arcs``; dropped at the end."""
    try:
        admin = psycopg.connect(CONNINFO, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL does not answer at {PG_URL} ({exc}); run scripts/test-env.sh", pytrace=False)
    name = f"siting_pgr_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = CONNINFO.rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            try:
                conn.execute("CREATE EXTENSION pgrouting CASCADE")
            except psycopg.Error as exc:
                msg = (f"pgRouting: the extension cannot be created ({str(exc).strip().splitlines()[0]}); "
                       "install Debian's postgresql-15-pgrouting (scripts/test-env.sh)")
                if os.environ.get("SITING_REQUIRE_PGROUTING"):
                    pytest.fail(msg, pytrace=False)
                pytest.skip(msg)
            coo = graph.matrix.tocoo()
            conn.execute("CREATE TABLE road_arcs (id bigint PRIMARY KEY, source bigint, target bigint, "
                         "cost float8, reverse_cost float8)")
            with conn.cursor().copy("COPY road_arcs FROM STDIN") as cp:
                # vertex ids are node positions + 1; float8 text from repr() reads back exactly
                for k, (u, v, w) in enumerate(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(),
                                                  strict=True)):
                    cp.write_row((k + 1, u + 1, v + 1, repr(w), "-1"))
            n = conn.execute("SELECT count(*), sum(cost) FROM road_arcs").fetchone()
            assert n is not None and n[0] == graph.matrix.nnz
            assert n[1] == pytest.approx(float(graph.matrix.data.sum()), rel=1e-12)
            yield url, conn
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def pg_costs(conn, sources, targets) -> dict[tuple[int, int], float]:
    """pgRouting's many-to-many times (node positions in, node positions out); unreachable pairs absent."""
    rows = conn.execute(
        "SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCost("
        "'SELECT id, source, target, cost, reverse_cost FROM road_arcs', %s::bigint[], %s::bigint[], "
        "directed => true)", ([int(s) + 1 for s in sources], [int(t) + 1 for t in targets])).fetchall()
    return {(int(s) - 1, int(t) - 1): float(c) for s, t, c in rows}


def as_matrix(costs: dict[tuple[int, int], float], sources, targets) -> np.ndarray:
    out = np.full((len(sources), len(targets)), np.inf)
    si = {int(s): k for k, s in enumerate(sources)}
    ti = {int(t): k for k, t in enumerate(targets)}
    for (s, t), c in costs.items():
        out[si[s], ti[t]] = c
    return out


def samples(g: RoadGraph, seed: int, n_src: int, n_tgt: int) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint random source and target nodes; the detached piece's A (first) and dead end C (last) among
    the sources, its B (last) among the targets."""
    rng = np.random.default_rng(seed)
    special = [node_at(g, A), node_at(g, B), node_at(g, C)]
    pick = rng.choice(np.setdiff1d(np.arange(g.n_nodes), special), n_src + n_tgt, replace=False)
    return np.r_[special[0], pick[:n_src], special[2]], np.r_[pick[n_src:], special[1]]


def test_the_random_network_is_large_with_one_way_roads(graph):
    assert graph.n_edges >= 10_000
    m = graph.matrix
    no_way_back = int(((m != 0) > (m.T != 0)).sum())  # arcs u -> v with no arc v -> u
    assert int(graph.edge_oneway.sum()) > 500 and no_way_back > 500
    # the detached piece, worked out by hand: A->B 100 s, B->C 100 s one-way
    a, b, c = node_at(graph, A), node_at(graph, B), node_at(graph, C)
    assert graph.matrix[a, b] == 100.0 and graph.matrix[b, c] == 100.0 and graph.matrix[c, b] == 0.0


def test_many_to_many_times_equal_pgrouting(graph, db):
    _, conn = db
    sources, targets = samples(graph, 1, 40, 400)
    pg = as_matrix(pg_costs(conn, sources, targets), sources, targets)
    # scipy on the same arcs, node to node
    sp_t = dijkstra(graph.matrix, directed=True, indices=sources)[:, targets]
    assert np.array_equal(np.isinf(pg), np.isinf(sp_t))
    ok = np.isfinite(pg)
    np.testing.assert_allclose(sp_t[ok], pg[ok], rtol=RTOL, atol=ATOL)
    # siting.network's cost matrix, with places put on the nodes: [target, source] = time source -> target
    src, tgt = attach_xy(graph, graph.node_xy[sources]), attach_xy(graph, graph.node_xy[targets])
    assert src.on_network.all() and tgt.on_network.all()
    cm = cost_matrix(graph, tgt, src, max_time_s=1e9, to_candidates=False).toarray().T
    cm[cm == 0] = np.inf  # absent pairs (no source and target share a node, so no trip takes 0 s)
    assert np.array_equal(np.isinf(pg), np.isinf(cm))
    np.testing.assert_allclose(cm[ok], pg[ok], rtol=RTOL, atol=ATOL)
    # the pairs cover the cases: most reachable, some not (to and from the detached piece, out of the dead end)
    assert ok.mean() > 0.8 and (~ok).sum() >= len(targets)
    # A (first source) reaches B (last target) in 100 s and nothing on the grid; C (last source) nothing
    assert pg[0, -1] == 100.0 and np.isfinite(pg[0]).sum() == 1 and np.isfinite(pg[:, -1]).sum() == 1
    assert not np.isfinite(pg[-1]).any()


@pytest.mark.parametrize("to_sources", [False, True])
def test_nearest_time_equals_pgrouting_min_over_sources(graph, db, to_sources):
    _, conn = db
    # grid sources and the dead end C; grid targets and the detached A, B (last two)
    grid_src, grid_tgt = samples(graph, 2, 12, 600)
    sources = np.r_[grid_src[1:]]
    targets = np.r_[grid_tgt[:-1], node_at(graph, A), node_at(graph, B)]
    pg = as_matrix(pg_costs(conn, targets, sources), targets, sources).T if to_sources \
        else as_matrix(pg_costs(conn, sources, targets), sources, targets)
    expect = pg.min(axis=0)
    src, tgt = attach_xy(graph, graph.node_xy[sources]), attach_xy(graph, graph.node_xy[targets])
    seconds, who = nearest_time(graph, src, tgt, to_sources=to_sources)
    assert np.array_equal(np.isinf(seconds), np.isinf(expect))
    ok = np.isfinite(expect)
    np.testing.assert_allclose(seconds[ok], expect[ok], rtol=RTOL, atol=ATOL)
    # the nearest source named is one at that time (random times: no ties)
    assert np.array_equal(who[ok], pg.argmin(axis=0)[ok]) and (who[~ok] == -1).all()
    assert ok.sum() > 0.9 * len(targets)
    # by hand: no grid source reaches A or B; from them, the dead end C is 200 s and 100 s away
    assert (seconds[-2:].tolist(), who[-2:].tolist()) == (([200.0, 100.0], [len(sources) - 1] * 2) if to_sources
                                                          else ([np.inf, np.inf], [-1, -1]))


def run_doc_sql(url: str, name: str, out: Path) -> None:
    """``psql --csv -f FILE > out`` as docs/network.md says (psycopg's rows when psql is not installed)."""
    sql_file = out.with_suffix(".sql")
    sql_file.write_text(doc_sql(name), encoding="utf-8")
    psql = shutil.which("psql")
    if psql:
        res = subprocess.run([psql, "-d", url, "-X", "-v", "ON_ERROR_STOP=1", "--csv", "-f", str(sql_file)],
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        out.write_text(res.stdout, encoding="utf-8")
    else:
        import csv
        with psycopg.connect(url) as conn, open(out, "w", encoding="utf-8", newline="") as fh:
            cur = conn.execute(sql_file.read_text(encoding="utf-8"))
            w = csv.writer(fh)
            w.writerow([d.name for d in cur.description or []])
            w.writerows(cur.fetchall())


@pytest.fixture(scope="module")
def places(graph, db):
    """``demand`` (300 nodes, ids S…) and ``candidates`` (60 other nodes C… and 10 at demand nodes D…)."""
    _, conn = db
    rng = np.random.default_rng(3)
    pick = rng.choice(graph.n_nodes, 360, replace=False)
    d_nodes, c_nodes = pick[:300], np.r_[pick[300:], pick[:10]]
    d_ids = [f"S{k}" for k in range(300)]
    c_ids = [f"C{k}" for k in range(60)] + [f"D{k}" for k in range(10)]
    conn.execute("CREATE TABLE demand (id text, node bigint); CREATE TABLE candidates (id text, node bigint)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO demand VALUES (%s, %s)", [(i, int(n) + 1) for i, n in zip(d_ids, d_nodes,
                                                                                                strict=True)])
        cur.executemany("INSERT INTO candidates VALUES (%s, %s)", [(i, int(n) + 1) for i, n in zip(c_ids, c_nodes,
                                                                                                    strict=True)])
    return d_ids, d_nodes, c_ids, c_nodes


def expected_minutes(graph, d_nodes, c_nodes, bound_s):
    """siting.network's demand -> candidate times within the bound, as {(demand, candidate): minutes}."""
    dem, cand = attach_xy(graph, graph.node_xy[d_nodes]), attach_xy(graph, graph.node_xy[c_nodes])
    m = cost_matrix(graph, dem, cand, max_time_s=bound_s, to_candidates=True).tocoo()
    return {(int(i), int(j)): float(v) / 60.0 for i, j, v in zip(m.row, m.col, m.data, strict=True)}


@pytest.mark.parametrize(("name", "bound_min"), [("od-minutes", 60), ("cover-sets", 30)])
def test_the_documented_sql_exports_the_cost_matrix_the_optimizer_reads(graph, db, places, tmp_path, name,
                                                                        bound_min):
    url, _ = db
    d_ids, d_nodes, c_ids, c_nodes = places
    out = tmp_path / f"{name}.csv"
    run_doc_sql(url, name, out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == "origin,destination,minutes"
    cm = read_cost_matrix(out, unit="min")
    assert cm.layout == "long"
    i, j, c = cm.submatrix(d_ids, c_ids)
    assert len(i) == len(cm)  # every row names a demand and a candidate of the tables
    got = {(int(a), int(b)): float(v) for a, b, v in zip(i, j, c, strict=True)}
    want = expected_minutes(graph, d_nodes, c_nodes, bound_min * 60.0)
    assert got.keys() == want.keys()
    keys = sorted(want)
    np.testing.assert_allclose([got[k] for k in keys], [want[k] for k in keys], rtol=RTOL, atol=ATOL)
    # the 10 candidates D… at demand nodes are 0 minutes from their village; far pairs are left out
    assert all(got[(k, 60 + k)] == 0.0 for k in range(10))
    assert 0 < len(got) < 0.8 * len(d_ids) * len(c_ids)
