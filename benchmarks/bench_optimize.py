"""Benchmark: siting.optimize against spopt.locate on the same instances, same machine, same run.

Run:  .venv/bin/python benchmarks/bench_optimize.py          (about 3-4 minutes; spopt takes most)
      .venv/bin/python benchmarks/bench_optimize.py --quick  (ours only, smaller repeats)

Instances (seeded, synthetic; see siting.samples.instances):

* province: South Khorasan's size. 3,600 settlements on 150,000 km² (the
  province's area), clustered around 40 towns with 30 % scattered; village
  populations log-normal (median 60), towns log-normal (median 8,000): about
  0.8 million people in all (2016 census: 768,898). Candidates: the 3,600
  settlements. 200 existing offices at settlements drawn by population.
  Radius 10 km (the rules file's rural service radius). k = 10 and k = 20.
  Also, ours only: the same with chosen sites at least 5 km apart (the rural
  minimum distance between offices), which spopt does not model.
* national: Iran's size. 100,000 settlements on 1,650,000 km² (about 1,100
  towns), 20,000 candidates (settlements), 2,200 existing offices (the
  province's density), radius 10 km, k = 50, time limit 10 s; and, harder,
  the same with no existing office and the new sites at least 5 km apart.
  spopt is not run: its dense model needs a 100,000 x 20,000 cost matrix and a coverage
  matrix of the same size (2 x 16 GB as float64) before PuLP creates its 2
  billion coefficient objects; this machine has 24 GiB.

Timing: wall clock from raw coordinates to the solved optimum. Ours:
SitingProblem.from_points (k-d tree pairs) + mclp (sparse model, HiGHS).
spopt 0.7: scipy cdist cost matrix + MCLP.from_cost_matrix (existing offices
as predefined facilities, p = k + 200) + solve with HiGHS through PuLP 3.3
(the solver spopt's docs use; its proof is read from prob.sol_status).
Ours is the median of 5 runs (3 national); spopt is one run per k (each
takes over a minute). Objectives are the population covered after siting
(existing offices included) so both count the same thing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from siting.optimize import mclp  # noqa: E402
from siting.samples.instances import clustered_instance  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def ours(inst, k: int, *, min_separation: float = 0.0, time_limit: float = 60.0):
    t0 = time.perf_counter()
    p = inst.problem(min_separation=min_separation)
    r = mclp(p, k, time_limit=time_limit)
    return time.perf_counter() - t0, r


def spopt_run(inst, k: int, time_limit: float = 600.0):
    import pulp
    from scipy.spatial.distance import cdist

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from spopt.locate import MCLP

        t0 = time.perf_counter()
        facilities = np.vstack([inst.existing_xy, inst.site_xy])
        cost = cdist(inst.demand_xy, facilities)
        pre = np.r_[np.ones(len(inst.existing_xy)), np.zeros(len(inst.site_xy))].astype(int)
        model = MCLP.from_cost_matrix(cost, inst.weights, inst.radius, p_facilities=k + len(inst.existing_xy),
                                      predefined_facilities_arr=pre)
        t_build = time.perf_counter() - t0
        model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit))
        seconds = time.perf_counter() - t0
    proved = model.problem.sol_status == pulp.LpSolutionOptimal
    return seconds, t_build, float(pulp.value(model.problem.objective)), proved


def median_of(fn, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        t, result = fn()
        times.append(t)
    return statistics.median(times), times, result


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ("highspy", "numpy", "scipy", "spopt", "PuLP"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "not installed"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="ours only, fewer repeats (no spopt)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    reps = 2 if args.quick else 5
    rows, raw = [], []

    prov = clustered_instance(3600, 3600, 200, area_km2=150_000, radius=10_000, seed=args.seed)
    print(f"province: {prov.describe()}", flush=True)
    for k in (10, 20):
        med, times, r = median_of(lambda k=k: ours(prov, k), reps)
        entry = {"instance": "province", "k": k, "ours_s": med, "ours_times": times,
                 "ours_objective": r.covered_after, "ours_status": r.status, "gap": r.gap,
                 "newly_covered": r.newly_covered_population}
        if not args.quick:
            s, s_build, s_obj, proved = spopt_run(prov, k)
            entry.update(spopt_s=s, spopt_build_s=s_build, spopt_objective=s_obj, spopt_proved=proved,
                         ratio=s / med, same_objective=abs(s_obj - r.covered_after) < 1e-6)
        rows.append(entry)
        print(_line(entry), flush=True)
    for k in (10, 20):
        med, times, r = median_of(lambda k=k: ours(prov, k, min_separation=5000), reps)
        entry = {"instance": "province, sites >= 5 km apart", "k": k, "ours_s": med, "ours_times": times,
                 "ours_objective": r.covered_after, "ours_status": r.status, "gap": r.gap,
                 "newly_covered": r.newly_covered_population, "spopt_note": "not modelled by spopt"}
        rows.append(entry)
        print(_line(entry), flush=True)

    nat = clustered_instance(100_000, 20_000, 2_200, area_km2=1_650_000, radius=10_000, seed=args.seed + 1)
    print(f"national: {nat.describe()}", flush=True)
    med, times, r = median_of(lambda: ours(nat, 50, time_limit=10.0), 2 if args.quick else 3)
    entry = {"instance": "national", "k": 50, "ours_s": med, "ours_times": times,
             "ours_objective": r.covered_after, "ours_status": r.status, "gap": r.gap,
             "newly_covered": r.newly_covered_population, "method": r.method,
             "spopt_note": "not run: dense 100,000 x 20,000 model does not fit in 24 GiB"}
    rows.append(entry)
    print(_line(entry), flush=True)
    raw.append({"national_build_s": r.build_seconds, "national_solve_s": r.solve_seconds})
    # harder: nobody covered yet, and the new sites at least 5 km apart
    bare = clustered_instance(100_000, 20_000, 0, area_km2=1_650_000, radius=10_000, seed=args.seed + 1)
    med, times, r = median_of(lambda: ours(bare, 50, min_separation=5000, time_limit=10.0), 2 if args.quick else 3)
    entry = {"instance": "national, no existing offices, sites >= 5 km apart", "k": 50, "ours_s": med,
             "ours_times": times, "ours_objective": r.covered_after, "ours_status": r.status, "gap": r.gap,
             "newly_covered": r.newly_covered_population, "method": r.method,
             "spopt_note": "not run (as above; no separation constraints either)"}
    rows.append(entry)
    print(_line(entry), flush=True)

    print()
    print(table(rows))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "optimize.json"
    doc = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "machine": {
        "cpus": os.cpu_count(), "platform": platform.platform()}, "versions": versions(),
        "command": "python benchmarks/bench_optimize.py" + (" --quick" if args.quick else ""),
        "instances": {"province": prov.describe(), "national": nat.describe()}, "rows": rows, "extra": raw}
    out.write_text(json.dumps(doc, indent=2, default=float), encoding="utf-8")
    print(f"\nsaved {out.relative_to(ROOT)}")
    return 0


def _fmt(v, spec: str) -> str:
    return "—" if v is None else format(v, spec)


def _line(e: dict) -> str:
    return (f"  {e['instance']}, k={e['k']}: ours {e['ours_s']:.3f} s ({e['ours_status']}, gap {_fmt(e['gap'], '.2%')}), "
            f"covered {e['ours_objective']:,.0f}"
            + (f"; spopt {e['spopt_s']:.1f} s, covered {e['spopt_objective']:,.0f}, ratio {e['ratio']:.0f}x"
               if "spopt_s" in e else ""))


def table(rows: list[dict]) -> str:
    head = ("| instance | k | ours s (median) | spopt s | ratio | ours objective | spopt objective | gap | status |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---|")
    lines = [head]
    for e in rows:
        lines.append(
            f"| {e['instance']} | {e['k']} | {e['ours_s']:.3f} | {_fmt(e.get('spopt_s'), '.1f')} | "
            f"{_fmt(e.get('ratio'), '.0f')}{'×' if e.get('ratio') else ''} | {e['ours_objective']:,.0f} | "
            f"{_fmt(e.get('spopt_objective'), ',.0f') if 'spopt_objective' in e else e.get('spopt_note', '—')} | "
            f"{_fmt(e['gap'], '.3%')} | {e['ours_status']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
