"""Coverage speed: 100,000 settlements x 10,000 offices, against a bare cKDTree query.

Run:  .venv/bin/python benchmarks/bench_coverage.py

Prints the median of several runs of
  * a bare scipy cKDTree nearest-neighbour query (tree build + query, on
    already projected coordinates, all offices in one tree), the reference;
  * siting.coverage.compute_coverage on a fresh workspace object (projection,
    one tree per licence type, nearest per type and of any type, covered
    flags, per-county totals), and its ratio to the reference;
  * the same at 10k, 100k and 1M settlements, with the time divided by
    n log n to show the growth;
  * for the README's choice of index: shapely STRtree and rtree nearest
    queries on the same data.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, save_results, seeded_workspace

from siting.coverage import compute_coverage
from siting.geo import project_xy
from siting.rules import load_rules


def fresh(ws):
    """A copy without cached derived state (projection, trees): what a new load would give."""
    return dataclasses.replace(ws)


def main() -> None:
    rules = load_rules()
    figures: dict = {}
    ws = seeded_workspace(100_000, 10_000, seed=1)
    crs = ws.metric_crs.distance
    sxy = np.column_stack(project_xy(ws.settlements.geometry.x, ws.settlements.geometry.y, crs))
    oxy = np.column_stack(project_xy(ws.offices.geometry.x, ws.offices.geometry.y, crs))

    bare, _ = median_time(lambda: cKDTree(oxy).query(sxy, k=1, workers=-1), repeat=9)
    bare1, _ = median_time(lambda: cKDTree(oxy).query(sxy, k=1), repeat=9)
    ours, _ = median_time(lambda: compute_coverage(fresh(ws), rules), repeat=9)
    warm_ws = fresh(ws)
    compute_coverage(warm_ws, rules)
    warm, _ = median_time(lambda: compute_coverage(warm_ws, rules), repeat=9)
    figures["100k_x_10k"] = {"bare_ckdtree_s": bare, "bare_ckdtree_one_worker_s": bare1, "coverage_cold_s": ours, "coverage_warm_s": warm,
                             "ratio_cold_to_bare": ours / bare, "ratio_warm_to_bare": warm / bare}
    print("coverage, 100,000 settlements x 10,000 offices (medians of 9 runs)")
    print(f"  bare cKDTree build+query        {bare * 1000:8.1f} ms   (all cores, as ours; one worker: {bare1 * 1000:.1f} ms)")
    print(f"  compute_coverage, fresh load    {ours * 1000:8.1f} ms   ratio {ours / bare:4.2f}x  (goal < 250 ms, < 3x)")
    print(f"  compute_coverage, index cached  {warm * 1000:8.1f} ms   ratio {warm / bare:4.2f}x")

    print("\nscaling (10,000 offices; medians)")
    scale = {}
    for n, rep in ((10_000, 9), (100_000, 7), (1_000_000, 3)):
        w = seeded_workspace(n, 10_000, seed=2)
        t, _ = median_time(lambda w=w: compute_coverage(fresh(w), rules), repeat=rep)
        per = t / (n * math.log(n))
        scale[n] = {"seconds": t, "ns_per_n_log_n": per * 1e9}
        print(f"  {n:>9,} settlements  {t * 1000:9.1f} ms   {per * 1e9:6.2f} ns per n·log n")
    figures["scaling"] = scale
    growth = scale[1_000_000]["seconds"] / scale[100_000]["seconds"]
    nlogn = (1e6 * math.log(1e6)) / (1e5 * math.log(1e5))
    print(f"  1M/100k time ratio {growth:.1f} (n log n predicts {nlogn:.1f})")
    figures["growth_1M_over_100k"] = growth

    print("\nnearest office, 100k x 10k, by index (for the choice in the README)")
    import shapely

    pts = shapely.points(sxy)
    opts = shapely.points(oxy)
    st, _ = median_time(lambda: shapely.STRtree(opts).query_nearest(pts, all_matches=False), repeat=3)
    idx = {"ckdtree_s": bare, "shapely_strtree_s": st}
    print(f"  scipy cKDTree      {bare * 1000:8.1f} ms")
    print(f"  shapely STRtree    {st * 1000:8.1f} ms")
    try:
        import rtree

        def rt():
            tree = rtree.index.Index((i, (x, y, x, y), None) for i, (x, y) in enumerate(oxy))
            return [next(tree.nearest((x, y, x, y), 1)) for x, y in sxy]

        r, _ = median_time(rt, repeat=1, warmup=0)
        idx["rtree_s"] = r
        print(f"  rtree (libspatialindex, per-point Python loop) {r * 1000:8.1f} ms")
    except ImportError:
        print("  rtree not installed (pip install rtree)")
    from sklearn.neighbors import BallTree

    lonlat = np.radians(np.column_stack([ws.offices.geometry.y, ws.offices.geometry.x]))
    q = np.radians(np.column_stack([ws.settlements.geometry.y, ws.settlements.geometry.x]))
    bt, _ = median_time(lambda: BallTree(lonlat, metric="haversine").query(q, k=1), repeat=3)
    idx["sklearn_balltree_haversine_s"] = bt
    print(f"  sklearn BallTree (haversine on lon/lat) {bt * 1000:8.1f} ms")
    figures["index_choice"] = idx
    print(f"\nsaved {save_results('coverage', figures)}")


if __name__ == "__main__":
    main()
