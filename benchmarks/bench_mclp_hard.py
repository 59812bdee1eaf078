"""Hard maximal-covering instances (issue 14): objective, bound, gap and time of the default MCLP.

Run:  .venv/bin/python benchmarks/bench_mclp_hard.py [--quick] [--no-before] [--long 600] [--time-limit 60]
      [--only U3000 ...]

SYNTHETIC, seeded instances of the kind the literature uses for hard MCLP (e.g. Lorena and
Pereira's Sao Jose dos Campos sets; Maximo, Nascimento and Carvalho 2017): 1,000-4,000 demand
points in a 10 km x 10 km square, uniform or clustered (Gaussian clusters), every demand point a
candidate site, integer weights 1-100, p = 50 or 100 and a radius whose p discs together cover
about 60-80 % of the square (each disc reaches 30-150 candidates). No existing offices.

For each instance the table gives the reduction (groups x sites before -> after: identical
demand merged, dominated sites dropped), then the default ``mclp(problem, p)`` (``method="auto"``,
the time limit, default 60 s): objective, bound, gap, status, seconds; with ``before`` the same run
with the reductions, the Lagrangian bound and the start switched off (``locate._TUNING``: the
solver as it was before issue 14); with ``--long S`` an exact run of S seconds. ``best`` is the
best objective any of the runs found; ``best bound`` the tightest bound any run proved, so the
true optimum lies between them. Two LSCP runs (everyone covered) on the same point sets follow.

The machine has 2 cores shared with other work: times are wall clock and noisy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's siting, whatever the venv has
from _common import save_results

SIDE = 10_000.0  # metres


def points(n: int, kind: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` SYNTHETIC demand points (uniform or clustered) and integer weights 1-100."""
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        xy = rng.uniform(0, SIDE, (n, 2))
    else:
        centres = rng.uniform(0, SIDE, (max(5, n // 100), 2))
        xy = np.clip(centres[rng.integers(0, len(centres), n)] + rng.normal(0, SIDE / 25, (n, 2)), 0, SIDE)
    return xy, rng.integers(1, 101, n)


# name, n, kind, p, radius (m)
INSTANCES = [
    ("U1000", 1000, "uniform", 50, 700.0),
    ("C2000", 2000, "clustered", 100, 450.0),
    ("U3000", 3000, "uniform", 50, 700.0),
    ("U4000", 4000, "uniform", 100, 500.0),
    ("C4000", 4000, "clustered", 100, 400.0),
]
QUICK = [("U1000", 1000, "uniform", 50, 700.0), ("C2000", 2000, "clustered", 100, 450.0)]
LSCP = [("U1000", 1000, "uniform", 900.0), ("C2000", 2000, "clustered", 600.0)]


def run(problem, p: int, time_limit: float, *, before: bool = False, method: str = "auto"):
    from siting.optimize import locate, mclp

    saved = dict(locate._TUNING)
    if before:
        locate._TUNING.update(reduce=False, lagrangian=False, start=False)
    try:
        t0 = time.perf_counter()
        r = mclp(problem, p, time_limit=time_limit, method=method)  # type: ignore[arg-type]
        return r, time.perf_counter() - t0
    finally:
        locate._TUNING.update(saved)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="two instances, 10 s limit")
    ap.add_argument("--no-before", action="store_true", help="skip the runs with the reductions off")
    ap.add_argument("--long", type=float, default=0.0, help="also an exact run of this many seconds")
    ap.add_argument("--time-limit", type=float, default=None, help="the default run's limit (default 60 s)")
    ap.add_argument("--only", nargs="*", default=None, help="only these instances (e.g. U3000); no LSCP")
    args = ap.parse_args()

    from siting.optimize import SitingProblem, lscp
    from siting.optimize.cover_reduce import reduce_lscp_full, reduce_mclp
    from siting.optimize.locate import DEFAULT_TIME_LIMIT, _cover_structure

    limit = args.time_limit or (10.0 if args.quick else DEFAULT_TIME_LIMIT)
    instances = QUICK if args.quick else INSTANCES
    if args.only:
        instances = [i for i in INSTANCES if i[0] in args.only]
    print("SYNTHETIC seeded instances (10 km square, candidates = demand points, weights 1-100); "
          f"time limit {limit:g} s; 2 shared cores: times are noisy.\n")
    head = (f"{'instance':8} {'n':>5} {'p':>4} {'r m':>5} {'reduced groups x sites':>24} {'run':7} "
            f"{'objective':>10} {'bound':>10} {'gap %':>6} {'status':10} {'s':>6}")
    print(head)
    print("-" * len(head))
    rows = []
    for name, n, kind, p, radius in instances:
        xy, w = points(n, kind, seed=n + p)
        problem = SitingProblem.from_points(xy, w, xy, radius)
        cv = _cover_structure(problem)
        t0 = time.perf_counter()
        red = reduce_mclp(cv.B, cv.W, cv.conflicts)
        t_red = time.perf_counter() - t0
        shrink = f"{cv.B.shape[0]}x{cv.B.shape[1]}->{red.B.shape[0]}x{red.B.shape[1]}"
        runs = [("default", *run(problem, p, limit))]
        if not args.no_before:
            runs.append(("before", *run(problem, p, limit, before=True)))
        if args.long:
            runs.append((f"{args.long:g}s", *run(problem, p, args.long, method="exact")))
        best = max(r.objective for _, r, _ in runs)
        best_bound = min(r.bound for _, r, _ in runs if r.bound is not None)
        for label, r, secs in runs:
            gap = "" if r.gap is None else f"{100 * r.gap:.2f}"
            print(f"{name:8} {n:>5} {p:>4} {radius:>5.0f} {shrink:>24} {label:7} {r.objective:>10,.0f} "
                  f"{(r.bound or float('nan')):>10,.0f} {gap:>6} {r.status:10} {secs:>6.1f}", flush=True)
            rows.append({"instance": name, "n": n, "kind": kind, "p": p, "radius_m": radius, "run": label,
                         "groups": cv.B.shape[0], "sites": cv.B.shape[1], "groups_reduced": red.B.shape[0],
                         "sites_reduced": red.B.shape[1], "reduce_seconds": round(t_red, 3),
                         "objective": r.objective, "bound": r.bound, "gap": r.gap, "status": r.status,
                         "seconds": round(secs, 2), "solver": r.solver})
        print(f"{'':8} best objective found {best:,.0f}; best bound {best_bound:,.0f} "
              f"(optimum within {100 * (best_bound - best) / best:.2f} %); reduction {t_red:.2f} s", flush=True)

    print("\nLSCP (everyone within the radius), same kind of instances")
    print(f"{'instance':8} {'n':>5} {'r m':>5} {'reduced groups x sites (fixed)':>32} {'sites':>6} {'bound':>6} "
          f"{'status':10} {'s':>6}")
    for name, n, kind, radius in [] if args.only else LSCP[:1] if args.quick else LSCP:
        xy, w = points(n, kind, seed=n)
        problem = SitingProblem.from_points(xy, w, xy, radius)
        cv = _cover_structure(problem)
        red = reduce_lscp_full(cv.B, cv.conflicts)
        shrink = f"{cv.B.shape[0]}x{cv.B.shape[1]}->{red.B.shape[0]}x{red.B.shape[1]} ({len(red.fixed)})"
        t0 = time.perf_counter()
        r = lscp(problem, 1.0, time_limit=limit)
        secs = time.perf_counter() - t0
        print(f"{name:8} {n:>5} {radius:>5.0f} {shrink:>32} {r.objective:>6.0f} {(r.bound or float('nan')):>6.0f} "
              f"{r.status:10} {secs:>6.1f}", flush=True)
        rows.append({"instance": name, "model": "lscp", "n": n, "radius_m": radius, "objective": r.objective,
                     "bound": r.bound, "status": r.status, "seconds": round(secs, 2),
                     "groups": cv.B.shape[0], "sites": cv.B.shape[1], "groups_reduced": red.B.shape[0],
                     "sites_reduced": red.B.shape[1], "fixed_open": len(red.fixed)})
    out = save_results("mclp_hard_quick" if args.quick else "mclp_hard_only" if args.only else "mclp_hard",
                       {"time_limit": limit, "long": args.long, "rows": rows})
    print(f"\nsaved {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
