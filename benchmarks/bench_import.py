"""Time to build the South Khorasan workspace from the reference files (goal < 5 s).

Run:  .venv/bin/python benchmarks/bench_import.py [--root ../shared/data/south-khorasan]

Times `init_workspace` (read and check every file, join the census, look up
GeoNames populations, write the GeoPackage atomically), in-process, median
of 5 runs; and the whole `siting init` command once, as a user runs it
(including Python start-up).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, save_results

from siting.io.manifest import init_workspace

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(ROOT.parent / "shared" / "data" / "south-khorasan"))
    args = ap.parse_args()
    manifest = ROOT / "data/sources/south-khorasan.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ref.gpkg"
        t, times = median_time(lambda: init_workspace(manifest, args.root, out, force=True), repeat=5)
        t0 = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "siting"), "init", "--manifest", str(manifest), "--root",
                        args.root, "-w", str(out), "--force"], check=True, capture_output=True)
        cli = time.perf_counter() - t0
    print(f"reference import (init_workspace): median {t:.2f} s over 5 runs (min {min(times):.2f}, max {max(times):.2f})")
    print(f"`siting init` command, end to end incl. Python start-up: {cli:.2f} s   (goal < 5 s)")
    print(f"saved {save_results('import', {'init_workspace_median_s': t, 'runs_s': times, 'cli_end_to_end_s': cli})}")


if __name__ == "__main__":
    main()
