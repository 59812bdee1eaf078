"""Coverage and gaps by travel time against the same by distance, on a SYNTHETIC road network.

Run:  .venv/bin/python benchmarks/bench_travel_time_coverage.py [--edges N] [--settlements N] [--offices N]
      [--h3 RES] [--no-polygons]

The workspace is :func:`_common.seeded_workspace` (villages and offices at random points over South
Khorasan's bounding box) with :func:`bench_network.synthetic_roads`. Figures: ``compute_coverage``
by distance; by travel time cold (graph build, attaching every settlement and office, one
multi-source search per licence type) and warm (the network cached on the workspace); ``gap_cells``
by time at one H3 resolution (every cell centre attached and timed, one search per type); and, unless
``--no-polygons``, ``compute_gaps`` by time (one isochrone per serving office, then the region minus
their union).
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
    ap.add_argument("--edges", type=int, default=100_000)
    ap.add_argument("--settlements", type=int, default=10_000)
    ap.add_argument("--offices", type=int, default=400)
    ap.add_argument("--h3", type=int, default=6)
    ap.add_argument("--no-polygons", action="store_true", help="skip compute_gaps by time (isochrones)")
    args = ap.parse_args()

    from siting.coverage import compute_coverage
    from siting.gaps import compute_gaps, gap_cells
    from siting.rules import load_rules

    base = seeded_workspace(args.settlements, args.offices).with_layer("roads", synthetic_roads(args.edges))
    dist_rules = load_rules().with_measure("distance")
    time_rules = load_rules().with_measure("time")
    rows = []
    d_s, _ = median_time(lambda: compute_coverage(base, dist_rules), repeat=5)
    rows.append(("coverage by distance", d_s, ""))
    ws = base.with_layer("roads", base.roads)  # a fresh instance: nothing cached
    t0 = time.perf_counter()
    cov = compute_coverage(ws, time_rules)
    cold_s = time.perf_counter() - t0
    rows.append(("coverage by time, cold (graph + attach + search)", cold_s,
                 f"{cov.totals['off_network_settlements']:,} settlements off the network"))
    warm_s, _ = median_time(lambda: compute_coverage(ws, time_rules), repeat=5)
    rows.append(("coverage by time, warm (network cached)", warm_s,
                 f"covered {cov.totals['covered_population']:,} of {cov.totals['located_population']:,}"))
    cells_d, _ = median_time(lambda: gap_cells(ws, dist_rules, resolution=args.h3), repeat=3)
    rows.append((f"gap_cells H3 {args.h3} by distance", cells_d, ""))
    cells_t, _ = median_time(lambda: gap_cells(ws, time_rules, resolution=args.h3), repeat=3)
    cells = gap_cells(ws, time_rules, resolution=args.h3)
    rows.append((f"gap_cells H3 {args.h3} by time", cells_t,
                 f"{len(cells):,} cells, {int(cells['gap_any'].sum()):,} gaps"))
    figures = {"edges": args.edges, "settlements": args.settlements, "offices": args.offices, "h3": args.h3,
               "coverage_distance_s": d_s, "coverage_time_cold_s": cold_s, "coverage_time_warm_s": warm_s,
               "gap_cells_distance_s": cells_d, "gap_cells_time_s": cells_t}
    if not args.no_polygons:
        t0 = time.perf_counter()
        gaps = compute_gaps(ws, time_rules, licence_type="any")
        poly_s = time.perf_counter() - t0
        rows.append(("compute_gaps by time (isochrones), any", poly_s, f"{len(gaps):,} parts"))
        figures["gaps_time_s"] = poly_s
    print(f"\n{'step':<52} {'seconds':>9}  note")
    for name, sec, note in rows:
        print(f"{name:<52} {sec:>9.3f}  {note}")
    out = save_results(f"travel_time_coverage_{args.edges}", figures)
    print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
