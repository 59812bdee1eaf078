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

With ``--scale`` it runs issue 10's speed workload instead and prints one table: generated networks
of 100,000 and 1,000,000 edges (and 4,000,000 with ``--with-4m``: about 7 GB of memory and four
minutes without pandana, half of it generating the layer), 100,000 settlements and 10,000 offices (30% urban, 70% rural)
at random points: building the graph from the layer, attaching the places, the travel time from every
settlement to its nearest office of each type (warm, after build and attach; unbounded, and within
30 minutes), the same nearest-office search in igraph and pandana on the same arcs, with the ratios,
and cover sets of 3,600 settlements × 3,600 candidates within 30 minutes.

  .venv/bin/python benchmarks/bench_network.py --scale [--with-4m] [--no-pandana] [--sizes N,N]

igraph: one Dijkstra from a super-source joined to the offices' edge ends by the same link times
(``Graph.distances``), then the same numpy step from edge ends to settlements; the graph is built
beforehand (not timed). pandana 0.8 (contraction hierarchies, built beforehand, not timed):
``set_pois`` + ``nearest_pois`` within 30 minutes, offices snapped to their nearest node, every node
labelled (pandana has no unbounded nearest search). Both are timed on node-level work only, without
the off-road legs and same-edge trips siting.network adds, so the ratios understate the lead.
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


def _once(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def scale_run(n_edges: int, *, n_settlements: int = 100_000, n_offices: int = 10_000, use_pandana: bool = True,
              repeat: int = 3) -> dict:
    """Issue 10's speed workload on a generated network of about ``n_edges`` edges (SYNTHETIC)."""
    from siting.geo import MetricCRS
    from siting.network import _links, attach, build_graph, cost_matrix, nearest_time
    from siting.rules.roads import load_road_params

    params = load_road_params()
    gen_s, roads = _once(lambda: synthetic_roads(n_edges, seed=1))
    crs = MetricCRS.fitted(BOUNDS).distance
    build_s, g = _once(lambda: build_graph(roads, params, crs=crs))
    index_s, _ = _once(lambda: g._segments)
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = BOUNDS
    lon, lat = rng.uniform(minx, maxx, n_settlements), rng.uniform(miny, maxy, n_settlements)
    olon, olat = rng.uniform(minx, maxx, n_offices), rng.uniform(miny, maxy, n_offices)
    otype = np.where(rng.random(n_offices) < 0.3, "urban", "rural")
    attach_s, (villages, offices) = _once(lambda: (attach(g, lon, lat), attach(g, olon, olat)))
    by_type = {t: offices.subset(otype == t) for t in ("urban", "rural")}

    def ours(bound=None):
        return {t: nearest_time(g, o, villages, to_sources=True, max_time_s=bound) for t, o in by_type.items()}

    near_s, _ = median_time(ours, repeat=repeat)
    res = ours()
    near30_s, _ = median_time(lambda: ours(1800.0), repeat=repeat)
    secs = np.concatenate([r[0] for r in res.values()])
    fig: dict = {"edges": g.n_edges, "nodes": g.n_nodes, "generate_s": gen_s, "build_s": build_s,
                 "segment_index_s": index_s, "attach_s": attach_s, "nearest_s": near_s, "nearest_30min_s": near30_s,
                 "median_min": float(np.median(secs[np.isfinite(secs)]) / 60),
                 "off_network": int((~villages.on_network).sum())}

    # igraph: the transposed arcs (trips towards the offices) and one super-source per type
    import igraph as ig

    n = g.n_nodes
    mt = g.matrix_t.tocoo()
    rows, cols, w = [mt.row], [mt.col], [mt.data]
    for k, o in enumerate(by_type.values()):
        nodes, cost = _links(g, o, outgoing=False)
        ok = np.isfinite(cost)
        rows.append(np.full(int(ok.sum()), n + k))
        cols.append(nodes[ok])
        w.append(cost[ok])
    r, c, wt = np.concatenate(rows), np.concatenate(cols), np.concatenate(w)
    t_nodes, t_cost = _links(g, villages, outgoing=True)
    G = ig.Graph(n=n + 2, edges=np.column_stack([r, c]).tolist(), directed=True)
    G.es["w"] = wt.tolist()

    def igraph_pass():
        out = {}
        for k in range(2):
            d = np.asarray(G.distances(source=[n + k], weights="w", mode="out")[0])
            out[k] = (d[t_nodes] + t_cost).min(axis=1)
        return out

    ig_s, _ = median_time(igraph_pass, repeat=repeat)
    ig_res = igraph_pass()
    for k, (_t, (sec, _)) in enumerate(res.items()):  # the same times where no same-edge or off-road trip is shorter
        on = villages.on_network & np.isfinite(ig_res[k])
        assert np.all(sec[on] <= ig_res[k][on] + 1e-6)
        fig.setdefault("igraph_equal_share", []).append(float(np.mean(np.isclose(sec[on], ig_res[k][on]))))
    fig["igraph_s"] = ig_s

    fig["pandana_s"] = fig["pandana_build_s"] = float("nan")
    try:
        from pandana import Network
    except ImportError:  # not in the dev extras: `pip install pandana` to compare with it
        print("pandana is not installed: its column is left out", flush=True)
        use_pandana = False
    if use_pandana:
        import pandas as pd

        m = g.matrix.tocoo()
        pb_s, net = _once(lambda: Network(pd.Series(g.node_xy[:, 0]), pd.Series(g.node_xy[:, 1]),
                                          pd.Series(m.row), pd.Series(m.col), pd.DataFrame({"t": m.data}),
                                          twoway=False))
        fig["pandana_build_s"] = pb_s
        oxy = offices.xy

        def pandana_pass():
            out = {}
            for t in ("urban", "rural"):
                sel = otype == t
                net.set_pois(t, 1800.0, 1, pd.Series(oxy[sel, 0]), pd.Series(oxy[sel, 1]))
                out[t] = net.nearest_pois(1800.0, t, num_pois=1)
            return out

        fig["pandana_s"], _ = median_time(pandana_pass, repeat=repeat, warmup=0)
        del net

    cand = rng.choice(n_settlements, 3_600, replace=False)
    v36 = villages.subset(cand)
    cover_s, cm = _once(lambda: cost_matrix(g, v36, v36, max_time_s=1800.0))
    fig["cover_3600_30min_s"] = cover_s
    fig["cover_3600_30min_pairs"] = int(cm.nnz)
    return fig


def scale_main(args) -> int:
    sizes = [int(v) for v in args.sizes.split(",")] if args.sizes else \
        [100_000, 1_000_000] + ([4_000_000] if args.with_4m else [])
    runs = []
    for n_edges in sizes:
        print(f"-- {n_edges:,} edges ...", flush=True)
        runs.append(scale_run(n_edges, use_pandana=not args.no_pandana))
        print({k: v for k, v in runs[-1].items()}, flush=True)
    print("\nissue 10 workload: 100,000 settlements, 10,000 offices (urban 30%, rural 70%), seconds "
          "(nearest: median of 3, warm, both types)")
    head = (f"{'edges':>10} {'nodes':>10} {'build':>7} {'attach':>7} {'nearest':>8} {'≤30min':>7} "
            f"{'igraph':>7} {'ratio':>6} {'pandana≤30':>10} {'ratio':>6} {'cover 3600²':>11} {'pairs':>10}")
    print(head)
    for f in runs:
        print(f"{f['edges']:>10,} {f['nodes']:>10,} {f['build_s']:>7.2f} {f['attach_s']:>7.2f} "
              f"{f['nearest_s']:>8.3f} {f['nearest_30min_s']:>7.3f} {f['igraph_s']:>7.3f} "
              f"{f['igraph_s'] / f['nearest_s']:>5.1f}× {f['pandana_s']:>10.3f} "
              f"{f['pandana_s'] / f['nearest_30min_s']:>5.1f}× {f['cover_3600_30min_s']:>11.2f} "
              f"{f['cover_3600_30min_pairs']:>10,}")
    print("ratio: the other engine's time / siting.network's (igraph vs unbounded, pandana vs ≤30 min); "
          "pandana's contraction-hierarchy build (not in its time): "
          + ", ".join(f"{f['pandana_build_s']:.1f} s" for f in runs))
    out = save_results("network_scale" if not args.sizes else f"network_scale_{args.sizes.replace(',', '_')}",
                       {"runs": runs})
    print(f"figures written to {out}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10,000 edges, fewer repeats")
    ap.add_argument("--edges", type=int, default=100_000)
    ap.add_argument("--no-cost", action="store_true", help="skip the cost matrices")
    ap.add_argument("--scale", action="store_true",
                    help="issue 10's workload at 100k and 1M edges, 100,000 settlements, 10,000 offices")
    ap.add_argument("--with-4m", action="store_true", help="with --scale: also 4,000,000 edges")
    ap.add_argument("--sizes", help="with --scale: edge counts instead, e.g. 4000000 or 100000,1000000")
    ap.add_argument("--no-pandana", action="store_true", help="with --scale: leave pandana out")
    args = ap.parse_args()
    if args.scale:
        return scale_main(args)
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
