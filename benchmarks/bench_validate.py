"""Site validation latency on the South Khorasan workspace, warm.

Run:  .venv/bin/python benchmarks/bench_validate.py [--root ../shared/data/south-khorasan]

Builds the reference workspace (needs ../shared/data/south-khorasan), adds a
SYNTHETIC set of offices and villages (seeded; the reference data has none) so
that every rule has data to work on, loads it once as the dashboard holds it,
then validates 200 random points inside the province's bounding box for each
licence type and prints the median and 95th percentile (goal: p95 < 10 ms).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import save_results

from siting.io.manifest import init_workspace
from siting.rules import load_rules
from siting.rules.validate import validate_site
from siting.workspace import Workspace, make_layer

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(ROOT.parent / "shared" / "data" / "south-khorasan"))
    args = ap.parse_args()
    rng = np.random.default_rng(3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ref.gpkg"
        init_workspace(ROOT / "data/sources/south-khorasan.yaml", args.root, path)
        ws = Workspace.load(path)
        minx, miny, maxx, maxy = ws.region.total_bounds
        # synthetic villages and offices inside the province (the reference data has neither)
        inside = []
        while len(inside) < 3_800:
            x, y = rng.uniform(minx, maxx, 2000), rng.uniform(miny, maxy, 2000)
            ok = ws.in_region(x, y)
            inside.extend(zip(x[ok], y[ok], strict=True))
        inside = np.array(inside[:3_800])
        v = inside[:3_600]
        villages = make_layer("settlements", {"code": [f"V{i}" for i in range(len(v))], "name_fa": [f"V{i}" for i in range(len(v))],
                                              "kind": "village", "population": rng.integers(20, 3000, len(v)),
                                              "source": "synthetic benchmark"}, shapely.points(v))
        import pandas as pd

        settlements = make_layer("settlements", pd.concat([pd.DataFrame(ws.settlements.drop(columns="geometry")),
                                                            pd.DataFrame(villages.drop(columns="geometry"))]),
                                 [*ws.settlements.geometry, *villages.geometry])
        o = inside[3_600:]
        offices = make_layer("offices", {"office_id": [f"O{i}" for i in range(len(o))],
                                         "licence_type": np.where(np.arange(len(o)) % 4 == 0, "urban", "rural"),
                                         "status": "active", "source": "synthetic benchmark"}, shapely.points(o))
        ws = ws.with_layer("settlements", settlements).with_layer("offices", offices)
        ws.save(path)
        ws = Workspace.load(path)  # loaded once, as the dashboard holds it
        rules = load_rules()
        validate_site(ws, rules, licence_type="urban", lon=59.21, lat=32.87)  # warm: builds the indexes
        figures = {"workspace": {"settlements": len(ws.settlements), "offices": len(ws.offices), "synthetic_parts": True}}
        print(f"reference workspace + synthetic {len(villages)} villages and {len(offices)} offices")
        for ltype in ("urban", "rural"):
            pts = np.column_stack([rng.uniform(minx, maxx, 200), rng.uniform(miny, maxy, 200)])
            times = []
            for x, y in pts:
                t0 = time.perf_counter()
                validate_site(ws, rules, licence_type=ltype, lon=x, lat=y, applicant_type="legal")
                times.append(time.perf_counter() - t0)
            t = np.array(times) * 1000
            figures[ltype] = {"median_ms": float(np.median(t)), "p95_ms": float(np.percentile(t, 95)),
                              "max_ms": float(t.max()), "n": len(t)}
            print(f"  {ltype:<6} 200 random points: median {np.median(t):5.2f} ms, p95 {np.percentile(t, 95):5.2f} ms, "
                  f"max {t.max():5.2f} ms   (goal p95 < 10 ms)")
    print(f"saved {save_results('validate', figures)}")


if __name__ == "__main__":
    main()
