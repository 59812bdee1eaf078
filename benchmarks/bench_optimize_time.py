"""Siting on travel time: preparing the instance on the road network and solving MCLP, LSCP and p-median.

Run:  .venv/bin/python benchmarks/bench_optimize_time.py [--quick] [--edges N]

The SYNTHETIC province of ``bench_network.py``: a jittered road grid over South Khorasan's bounding box
(about 100,000 edges by default, ``--edges``), 3,600 villages with log-normal populations and 200
offices at random points. Rural offices, candidates = the villages passing the site rules, service
time 30 minutes (the rules file's). Figures (wall clock, median of repeats after a warm-up, the
workspace's graph built once and cached as in a server):

* prepare (distance): ``problem_from_workspace`` on straight lines, for scale;
* prepare (time): the same with ``measure="time"``: the candidates attached, one bounded search
  per candidate (``siting.network.cost_matrix``, 30 min), today's coverage by time;
* MCLP k=10, LSCP 90 % of the population reachable, p-median k=10 (bound 4 × 30 min) on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's siting, whatever the venv has
from _common import median_time, save_results, seeded_workspace
from bench_network import synthetic_roads


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10,000 edges, fewer repeats")
    ap.add_argument("--edges", type=int, default=100_000)
    args = ap.parse_args()
    n_edges = 10_000 if args.quick else args.edges
    repeat = 2 if args.quick else 3

    from siting.network import workspace_network
    from siting.optimize import lscp, mclp, pmedian, problem_from_workspace
    from siting.rules import load_rules

    rules = load_rules()
    ws = seeded_workspace(3_600, 200).with_layer("roads", synthetic_roads(n_edges))
    t0 = time.perf_counter()
    net = workspace_network(ws)
    graph_s = time.perf_counter() - t0

    def prep(**kw):
        return problem_from_workspace(ws, rules, licence_type="rural", **kw)

    dist_s, _ = median_time(lambda: prep(measure="distance"), repeat=repeat)
    time_s, _ = median_time(lambda: prep(measure="time"), repeat=repeat)
    p = prep(measure="time")
    p_med = prep(measure="time", time_bound_min=4 * 30)
    pm_prep_s, _ = median_time(lambda: prep(measure="time", time_bound_min=4 * 30), repeat=1)
    reach = p.covered_before + float(p.weights[~p.existing_covered & (p.cover.getnnz(axis=1) > 0)].sum())
    share = 0.9 * reach / p.total_population
    runs = {}
    for name, fn in (("mclp k=10", lambda: mclp(p, 10)), ("lscp 90% of reachable", lambda: lscp(p, share)),
                     ("pmedian k=10", lambda: pmedian(p_med, 10))):
        secs, _ = median_time(fn, repeat=1, warmup=0)
        runs[name] = (secs, fn())
    rows = [("graph + attach settlements/offices (once)", graph_s,
             f"{net.graph.n_nodes:,} nodes, {net.graph.n_edges:,} edges"),
            ("prepare, straight lines (for scale)", dist_s, ""),
            ("prepare, travel time 30 min", time_s,
             f"{p.n_demand:,} demand × {p.n_sites:,} candidates, {len(p.distances.pairs):,} pairs"),
            ("prepare, travel time 120 min (p-median)", pm_prep_s, f"{len(p_med.distances.pairs):,} pairs")]
    for name, (secs, r) in runs.items():
        rows.append((name, secs, f"{r.status}, gap {r.gap if r.gap is not None else float('nan'):.2%}, "
                                 f"+{r.newly_covered_population:,.0f} people, {r.method}"))
    print(f"SYNTHETIC road network, {n_edges:,} edges requested; rural, service time 30 min")
    width = max(len(r[0]) for r in rows)
    for name, secs, note in rows:
        print(f"{name:<{width}}  {secs:8.3f} s  {note}")
    out = save_results("optimize_time" + ("_quick" if args.quick else ""), {
        "edges": net.graph.n_edges, "nodes": net.graph.n_nodes, "graph_s": graph_s, "prepare_distance_s": dist_s,
        "prepare_time_s": time_s, "prepare_time_pmedian_s": pm_prep_s, "pairs_30min": len(p.distances.pairs),
        "pairs_120min": len(p_med.distances.pairs), "demand": p.n_demand, "candidates": p.n_sites,
        **{f"{k}_s": v[0] for k, v in runs.items()}})
    print(f"figures: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
