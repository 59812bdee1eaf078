"""OR-Library p-median pmed1-pmed40: our default ``pmedian`` against the published optima, and spopt.

Run:  .venv/bin/python benchmarks/bench_orlib.py [--only pmed31,pmed32] [--time-limit 60] [--no-spopt]

Reads ``../shared/data/benchmarks/orlib-pmed/`` (or ``--data``; never copied into the project):
``pmedN.txt`` and ``optima.csv``. Costs are shortest-path distances (scipy Dijkstra; an edge listed
twice keeps its last cost, see the folder's PROVENANCE.md); every node is a demand point (weight 1)
and a candidate; ``p`` new sites, no existing office. Ours: ``pmedian`` with its DEFAULT settings
(``method="auto"``, 60 s) on ``SitingProblem.from_cost_matrix``. spopt 0.7: ``PMedian.from_cost_matrix``
solved by HiGHS through PuLP with the same time limit, only up to ``--spopt-max-n`` nodes (default 100:
on pmed6, 200 nodes, it found no solution within 60 s on the loaded machine; its dense PuLP model
needs about 1 GB at 900 nodes).

Columns: published optimum, ours, status (``optimal`` = proven: bound == objective), bound, gap,
seconds (problem build + solve), spopt's seconds and status. Times are wall clock on a shared
2-core machine: noisy, and inflated when other jobs run. Results: ``benchmarks/results/orlib_pmed.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's siting, whatever the venv has
from _common import save_results

# ../shared/data/benchmarks/orlib-pmed, or beside $SITING_REFERENCE_DIR (../shared/data/south-khorasan)
DEFAULT_DATA = (Path(os.environ["SITING_REFERENCE_DIR"]).parent if os.environ.get("SITING_REFERENCE_DIR")
                else Path(__file__).resolve().parents[2] / "shared" / "data") / "benchmarks" / "orlib-pmed"


def _spopt(cost, p: int, time_limit: float) -> tuple[float | None, float, str]:
    import pulp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from spopt.locate import PMedian
    t0 = time.perf_counter()
    m = PMedian.from_cost_matrix(cost, np.ones(len(cost)), p_facilities=p)
    try:
        m.solve(pulp.HiGHS(msg=False, timeLimit=time_limit))
    except RuntimeError:  # spopt raises when HiGHS stops without a solution
        return None, time.perf_counter() - t0, "no solution within the time limit"
    status = "optimal" if m.problem.sol_status == pulp.LpSolutionOptimal else f"sol_status {m.problem.sol_status}"
    return float(pulp.value(m.problem.objective)), time.perf_counter() - t0, status


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the orlib-pmed folder")
    ap.add_argument("--only", default="", help="comma-separated instances, e.g. pmed31,pmed40")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds (default: pmedian's default, 60)")
    ap.add_argument("--no-spopt", action="store_true", help="skip spopt")
    ap.add_argument("--out", default="orlib_pmed", help="results file name under benchmarks/results/")
    ap.add_argument("--spopt-max-n", type=int, default=100, help="run spopt only up to this many nodes")
    args = ap.parse_args(argv)

    from siting.errors import InputError
    from siting.optimize import SitingProblem, pmedian
    from siting.optimize.locate import DEFAULT_TIME_LIMIT
    from siting.optimize.orlib import read_optima, read_pmed

    data: Path = args.data
    if not (data / "optima.csv").exists():
        print(f"OR-Library data not found: {data} (expected ../shared/data/benchmarks/orlib-pmed with "
              "pmed1.txt ... pmed40.txt and optima.csv); give its folder with --data", file=sys.stderr)
        return 2
    try:
        optima = read_optima(data / "optima.csv")
    except InputError as e:
        print(e, file=sys.stderr)
        return 2
    names = [s.strip() for s in args.only.split(",") if s.strip()] or sorted(optima, key=lambda s: int(s[4:]))
    unknown = [s for s in names if s not in optima]
    if unknown:
        print(f"unknown instances: {', '.join(unknown)} (known: pmed1 ... pmed40)", file=sys.stderr)
        return 2
    spopt_ok = not args.no_spopt
    if spopt_ok:
        try:
            import spopt  # noqa: F401
        except ImportError:
            print("spopt is not installed: its column is left empty (pip install -e '.[dev]')", file=sys.stderr)
            spopt_ok = False
    limit = DEFAULT_TIME_LIMIT if args.time_limit is None else args.time_limit
    opts = {} if args.time_limit is None else {"time_limit": args.time_limit}
    print(f"OR-Library p-median, default pmedian settings (time limit {limit:g} s); "
          f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    head = (f"{'instance':9} {'n':>4} {'p':>4} {'optimum':>8} {'ours':>8} {'status':>10} {'bound':>9} "
            f"{'gap':>8} {'seconds':>8} {'spopt s':>8} spopt")
    print(head)
    print("-" * len(head))
    rows = []
    for name in names:
        try:
            cost, p = read_pmed(data / f"{name}.txt")
        except InputError as e:
            print(e, file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        problem = SitingProblem.from_cost_matrix(cost, np.ones(len(cost)), radius=float(cost.max()) + 1)
        r = pmedian(problem, p, **opts)
        secs = time.perf_counter() - t0
        sp_obj = sp_secs = None
        sp_status = "skipped"
        if spopt_ok and len(cost) <= args.spopt_max_n:
            sp_obj, sp_secs, sp_status = _spopt(cost, p, limit)
            if sp_status == "optimal" and sp_obj is not None and abs(sp_obj - optima[name]) > 1e-6:
                sp_status += f" ({sp_obj:g})"
        at_opt = abs(r.objective - optima[name]) <= 1e-6
        row = {"instance": name, "n": len(cost), "p": p, "optimum": optima[name], "ours": r.objective,
               "at_optimum": at_opt, "status": r.status, "method": r.method, "bound": r.bound, "gap": r.gap,
               "seconds": round(secs, 2), "spopt_seconds": None if sp_secs is None else round(sp_secs, 2),
               "spopt_status": sp_status, "notes": list(r.notes)}
        rows.append(row)
        bound = "-" if r.bound is None else f"{r.bound:.1f}"
        gap = "-" if r.gap is None else f"{r.gap:.4%}"
        print(f"{name:9} {len(cost):>4} {p:>4} {optima[name]:>8g} {r.objective:>8g}{'' if at_opt else '*'} "
              f"{r.status:>10} {bound:>9} {gap:>8} {secs:>8.1f} "
              f"{'-' if sp_secs is None else f'{sp_secs:.1f}':>8} {sp_status}", flush=True)
    n_opt = sum(r["at_optimum"] for r in rows)
    n_proved = sum(r["at_optimum"] and r["status"] == "optimal" and r["seconds"] <= limit for r in rows)
    summary = (f"{n_opt}/{len(rows)} at the optimum, {n_proved} proven within {limit:g} s "
               f"(* = not at the published optimum; load average now {os.getloadavg()[0]:.1f})")
    print(summary)
    out = save_results(args.out, {"time_limit": limit, "rows": rows, "summary": summary})
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
