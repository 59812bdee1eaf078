"""``siting publish``: how long it takes and how large the data files are, at the province's size.

Run:  .venv/bin/python benchmarks/bench_publish.py [--root ../shared/data/south-khorasan]

Publishes (1) the bundled SAMPLE workspace and (2) the reference workspace with a SYNTHETIC,
seeded set of 3,600 villages and 200 offices inside the province (the reference data has neither;
South Khorasan has about 3,600 inhabited villages), and prints the median time of three publishes
and the size of each data file. Goal: the data files under 2 MB together.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, save_results

from siting.io.manifest import init_workspace
from siting.publish import DATA_LIMIT_BYTES, publish
from siting.rules import load_rules
from siting.workspace import Workspace, make_layer

ROOT = Path(__file__).resolve().parents[1]


def _province(root: str, tmp: Path) -> Workspace:
    path = tmp / "ref.gpkg"
    init_workspace(ROOT / "data/sources/south-khorasan.yaml", root, path)
    ws = Workspace.load(path)
    rng = np.random.default_rng(12)
    minx, miny, maxx, maxy = ws.region.total_bounds
    inside: list[tuple[float, float]] = []
    while len(inside) < 3_800:
        x, y = rng.uniform(minx, maxx, 2000), rng.uniform(miny, maxy, 2000)
        ok = ws.in_region(x, y)
        inside.extend(zip(x[ok], y[ok], strict=True))
    pts = np.array(inside[:3_800])
    v, o = pts[:3_600], pts[3_600:]
    villages = make_layer("settlements", {
        "code": [f"V{i}" for i in range(len(v))], "name_fa": [f"روستای نمونهٔ {i}" for i in range(len(v))],
        "name_en": [f"Sample village {i}" for i in range(len(v))], "kind": "village",
        "population": rng.integers(20, 3000, len(v)), "county": ws.county_of(v[:, 0], v[:, 1]),
        "source": "synthetic benchmark"}, shapely.points(v))
    settlements = make_layer("settlements", pd.concat([pd.DataFrame(ws.settlements.drop(columns="geometry")),
                                                        pd.DataFrame(villages.drop(columns="geometry"))]),
                             [*ws.settlements.geometry, *villages.geometry])
    offices = make_layer("offices", {
        "office_id": [f"O{i}" for i in range(len(o))], "name": [f"دفتر نمونهٔ {i}" for i in range(len(o))],
        "licence_type": np.where(np.arange(len(o)) % 4 == 0, "urban", "rural"),
        "status": np.where(np.arange(len(o)) % 10 == 0, "inactive", "active"),
        "licence_number": [f"L{i}" for i in range(len(o))], "source": "synthetic benchmark"}, shapely.points(o))
    return ws.with_layer("settlements", settlements).with_layer("offices", offices)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(ROOT.parent / "shared" / "data" / "south-khorasan"))
    args = ap.parse_args()
    rules = load_rules()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        sample = tmp / "sample.gpkg"
        init_workspace(ROOT / "data/sources/sample.yaml", workspace=sample)
        cases = {"sample": Workspace.load(sample)}
        if (Path(args.root) / "counties.geojson").exists():
            cases["province (reference + synthetic villages and offices)"] = _province(args.root, tmp)
        else:
            print(f"{args.root} not found: the province-size case is left out")
        for name, ws in cases.items():
            out = tmp / "site"
            report = None

            def run(ws=ws, out=out):
                nonlocal report
                report = publish(ws, out, rules=rules)

            median, _ = median_time(run, repeat=3, warmup=1)
            assert report is not None
            data = {f: n for f, n in report.files.items() if f.startswith("data/")}
            figures[name] = {"seconds": round(median, 2), "settlements": report.settlements,
                             "offices": report.offices, "gaps": report.gaps, "data_bytes": report.data_bytes,
                             "files": data}
            print(f"{name}: {report.settlements} settlements, {report.offices} offices, gaps {report.gaps}; "
                  f"publish {median:.2f} s (median of 3)")
            for f, n in data.items():
                print(f"  {f:<24} {n:>10,} bytes")
            ok = "under" if report.data_bytes < DATA_LIMIT_BYTES else "OVER"
            print(f"  {'together':<24} {report.data_bytes:>10,} bytes ({ok} {DATA_LIMIT_BYTES:,})")
    print(f"results: {save_results('publish', figures)}")


if __name__ == "__main__":
    main()
