"""Road network: graph build, attaching places, the nearest-office pass and bounded cost matrices.

Run:  .venv/bin/python benchmarks/bench_network.py [--quick] [--edges N]

A SYNTHETIC province-size road network over South Khorasan's bounding box: a jittered grid drawn as
lines of one to four grid steps (so lines pass through junctions and are split there), each step
with a bent middle vertex, 8% of steps missing; every 40th grid line is a trunk road, every 10th a
primary road, the rest tertiary, unclassified and track; 5% of lines one-way. About 100,000 edges
by default (``--edges``), 3,600 villages and 200 offices at random points. Figures (median of
repeats, warm): building the graph from the roads layer, attaching the places, the nearest-office
pass (one multi-source Dijkstra, both directions), networkx's multi-source Dijkstra over the same
nodes for scale, and cost matrices of 3,600 villages × 3,600 candidate sites (the villages) and ×
200 offices at 30 and 60 minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's siting, whatever the venv has
from _common import BOUNDS, median_time, save_results, seeded_workspace


def synthetic_roads(n_edges: int, seed: int = 0):
    """A roads layer of about ``n_edges`` edges (SYNTHETIC)."""
    import shapely

    from siting.workspace import make_layer

    rng = np.random.default_rng(seed)
    side = int(np.sqrt(n_edges / 2 / 0.92 / 1.0)) + 1
    minx, miny, maxx, maxy = BOUNDS
    gx = np.linspace(minx, maxx, side)
    gy = np.linspace(miny, maxy, side)
    step = min(gx[1] - gx[0], gy[1] - gy[0])
    grid = np.stack(np.meshgrid(gx, gy, indexing="ij"), -1) + rng.uniform(-0.2, 0.2, (side, side, 2)) * step
    lines, classes, oneway = [], [], []
    for axis in (0, 1):
        for k in range(side):
            pts = grid[k, :] if axis == 0 else grid[:, k]
            cls = "trunk" if k % 40 == 0 else "primary" if k % 10 == 0 else None
            j = 0
            while j < side - 1:
                run = int(rng.integers(1, 5))
                stop = min(j + run, side - 1)
                if rng.random() > 0.08:
                    seq = [pts[j]]
                    for q in range(j, stop):
                        mid = (pts[q] + pts[q + 1]) / 2 + rng.uniform(-0.1, 0.1, 2) * step
                        seq += [mid, pts[q + 1]]
                    lines.append(np.array(seq))
                    classes.append(cls or rng.choice(["tertiary", "unclassified", "unclassified", "track"]))
                    oneway.append(bool(rng.random() < 0.05))
                j = stop
    geoms = shapely.linestrings(np.concatenate(lines), indices=np.repeat(np.arange(len(lines)),
                                                                          [len(x) for x in lines]))
    return make_layer("roads", {"code": [f"R{i}" for i in range(len(lines))], "road_class": classes,
                                "oneway": oneway, "source": ["synthetic benchmark"] * len(lines)}, geoms)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10,000 edges, fewer repeats")
    ap.add_argument("--edges", type=int, default=100_000)
    ap.add_argument("--no-cost", action="store_true", help="skip the cost matrices")
    args = ap.parse_args()
    n_edges = 10_000 if args.quick else args.edges
    repeat = 3 if args.quick else 5

    import networkx as nx

    from siting.network import attach, build_graph, cost_matrix, nearest_time
    from siting.rules.roads import load_road_params

    params = load_road_params()
    t0 = time.perf_counter()
    ws = seeded_workspace(3_600, 200)
    roads = synthetic_roads(n_edges)
    ws = ws.with_layer("roads", roads)
    print(f"synthetic roads: {len(roads):,} lines in {time.perf_counter() - t0:.1f} s")

    build_s, _ = median_time(lambda: build_graph(ws, params), repeat=3 if not args.quick else 2, warmup=0)
    g = build_graph(ws, params)
    t0 = time.perf_counter()
    g._segments  # the segment index attach() queries: built once per graph, on first use  # noqa: B018
    index_s = time.perf_counter() - t0
    s, o = ws.settlements, ws.offices
    attach_s, _ = median_time(lambda: (attach(g, s.geometry.x, s.geometry.y), attach(g, o.geometry.x, o.geometry.y)),
                              repeat=repeat)
    villages = attach(g, s.geometry.x, s.geometry.y)
    offices = attach(g, o.geometry.x, o.geometry.y)
    rep = g.report(villages)
    near_s, _ = median_time(lambda: nearest_time(g, offices, villages), repeat=repeat)
    near_to_s, _ = median_time(lambda: nearest_time(g, offices, villages, to_sources=True), repeat=repeat)
    seconds, _ = nearest_time(g, offices, villages, to_sources=True)

    from scipy.sparse.csgraph import dijkstra

    office_nodes = sorted(set(g.edge_from[offices.edge[offices.on_network]].tolist()))
    nx_s = float("nan")
    if g.n_edges <= 300_000:  # networkx over the same arcs from the offices' nodes (nodes only), for scale
        coo = g.matrix.tocoo()
        G = nx.DiGraph()
        G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True))
        nx_s, _ = median_time(lambda: nx.multi_source_dijkstra_path_length(G, office_nodes), repeat=1, warmup=0)

    sp_s, _ = median_time(lambda: dijkstra(g.matrix, indices=office_nodes, min_only=True), repeat=repeat)

    rows = [("graph build (roads layer → CSR)", build_s, f"{g.n_nodes:,} nodes, {g.n_edges:,} edges"),
            ("segment index for attach (once per graph)", index_s, ""),
            ("attach 3,600 villages + 200 offices", attach_s,
             f"{int((~villages.on_network).sum())} villages off the network"),
            ("nearest office, from offices", near_s, "one multi-source Dijkstra"),
            ("nearest office, to offices", near_to_s,
             f"median {np.median(seconds[np.isfinite(seconds)]) / 60:.1f} min"),
            ("  scipy dijkstra alone (nodes)", sp_s, ""),
            ("  networkx multi_source_dijkstra (nodes)", nx_s,
             f"{nx_s / sp_s:.0f}× scipy" if nx_s == nx_s else "skipped above 300,000 edges")]
    figures: dict = {"lines": len(roads), "nodes": g.n_nodes, "edges": g.n_edges,
                     "components": len(rep.components), "largest_share": rep.largest_share,
                     "build_s": build_s, "segment_index_s": index_s, "attach_s": attach_s, "nearest_from_s": near_s, "nearest_to_s": near_to_s,
                     "scipy_nodes_s": sp_s, "networkx_nodes_s": nx_s}
    for minutes in () if args.no_cost else (30, 60):
        for name, cands in (("3,600 candidates", villages), ("200 offices", offices)):
            t0 = time.perf_counter()  # one run: each is seconds long and does the same work every time
            m = cost_matrix(g, villages, cands, max_time_s=minutes * 60)
            t = time.perf_counter() - t0
            rows.append((f"cost matrix 3,600 × {name}, {minutes} min", t, f"{m.nnz:,} pairs"))
            figures[f"cost_{len(cands)}_{minutes}min_s"] = t
            figures[f"cost_{len(cands)}_{minutes}min_nnz"] = int(m.nnz)
    print(f"\n{'step':<46} {'seconds':>9}  note")
    for name, sec, note in rows:
        print(f"{name:<46} {sec:>9.3f}  {note}")
    print(f"\nnetwork: {len(rep.components):,} pieces, the largest holds {rep.largest_share:.1%} of "
          f"{rep.length_km:,.0f} km")
    out = save_results("network" if not args.quick and n_edges == 100_000 else f"network_{n_edges}", figures)
    print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
