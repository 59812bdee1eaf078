"""Hostile input files: each is imported or refused within 1 GiB of peak memory (goal).

Run:  .venv/bin/python benchmarks/bench_hostile_files.py [--quick]

Writes each hostile file into a temporary folder (nothing large is kept), then runs
``python -m siting import settlements FILE --kind village --create -w WS`` on it in its own child process,
as a user runs it, and prints the child's peak resident memory (``ru_maxrss`` of
``RUSAGE_CHILDREN``, measured by a one-process wrapper so that each figure is that one
command's), its wall time, exit status and whether the file was accepted or refused.
``--quick`` skips the slowest cases (the 3-million-row workbook and the large accepted ones).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "io"))
from _common import save_results
from hostile_files import (
    dtd_xlsx,
    far_cell_xlsx,
    huge_shared_string_xlsx,
    settlements_xlsx,
    zip_bomb_shapefile,
)

GOAL_KIB = 1024 * 1024  # 1 GiB
_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(json.dumps({'rc': p.returncode, 'wall_s': time.perf_counter() - t,\n"
    "                  'maxrss_kib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,\n"
    "                  'out': (p.stdout + p.stderr).strip().splitlines()[-1:]}))\n"
)


def csv_50mb(path: Path) -> Path:
    """About 50 MB of settlements (216,000 rows × 8 columns, Persian names and addresses): under every limit."""
    rng = random.Random(1)
    size, n = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("name,code,kind,population,lat,lon,county,address\n")
        while size < 50 * 2**20 - 400:
            s = (
                f"روستای {n},{n},village,{rng.randint(1, 5000)},{rng.uniform(31, 35):.6f},{rng.uniform(55, 60):.6f},"
                f"بیرجند,خیابان امام خمینی کوچه {n % 97} پلاک {n % 13} نزدیک میدان شهدا روبروی مسجد جامع طبقه دوم "
                f"واحد {n % 7} کد پستی {n * 7919 % 10**10:010d}\n"
            )
            f.write(s)
            size += len(s.encode())
            n += 1
    return path


def geojson_50mb(path: Path) -> Path:
    """About 50 MB of point features (275,000): under every limit."""
    rng = random.Random(2)
    size, n = 0, 0
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[')
        while size < 50 * 2**20 - 400:
            s = json.dumps(
                {
                    "type": "Feature",
                    "properties": {
                        "name": f"روستای {n}",
                        "code": str(n),
                        "population": rng.randint(1, 5000),
                    },
                    "geometry": {
                        "type": "Point",
                        "coordinates": [rng.uniform(55, 60), rng.uniform(31, 35)],
                    },
                },
                ensure_ascii=False,
            )
            s = ("," if n else "") + s
            f.write(s)
            size += len(s.encode())
            n += 1
        f.write("]}")
    return path


def deep_geojson(path: Path) -> Path:
    """A 400 KB GeoJSON nested 200,000 arrays deep."""
    d = 200_000
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":'
        + "[" * d
        + "]" * d
        + '},"geometry":null}]}',
        encoding="utf-8",
    )
    return path


CASES = [
    # name, writer, quick
    ("xlsx: one cell at XFD1048576", lambda p: far_cell_xlsx(p / "far.xlsx"), True),
    ("xlsx: DTD with entities", lambda p: dtd_xlsx(p / "dtd.xlsx"), True),
    (
        "xlsx: 1 GiB shared string (1 MB file)",
        lambda p: huge_shared_string_xlsx(p / "sst.xlsx", 2**30),
        True,
    ),
    (
        "zip: Shapefile whose .dbf is 1 GiB of zeros",
        lambda p: zip_bomb_shapefile(p / "bomb.zip", 2**30),
        True,
    ),
    ("geojson: 200,000 levels deep", lambda p: deep_geojson(p / "deep.geojson"), True),
    ("xlsx: 3,000,000 rows", lambda p: settlements_xlsx(p / "rows3m.xlsx", 3_000_000), False),
    (
        "xlsx: 490,000 rows (within limits)",
        lambda p: settlements_xlsx(p / "rows490k.xlsx", 490_000),
        False,
    ),
    ("csv: 50 MB, 216,000 rows (within limits)", lambda p: csv_50mb(p / "big.csv"), False),
    (
        "geojson: 50 MB, 275,000 features (within limits)",
        lambda p: geojson_50mb(p / "big.geojson"),
        False,
    ),
]


def run_case(path: Path, tmp: Path) -> dict:
    ws = tmp / f"ws-{path.stem}.gpkg"
    cmd = [
        sys.executable,
        "-m",
        "siting",
        "import",
        "settlements",
        str(path),
        "--kind",
        "village",
        "--create",
        "-w",
        str(ws),
    ]
    p = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, text=True, check=True
    )
    out = json.loads(p.stdout)
    ws.unlink(missing_ok=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the slow cases")
    args = ap.parse_args()
    rows = []
    print(f"{'case':<46} {'file':>10} {'peak RSS':>10} {'wall':>7}  exit  result")
    with tempfile.TemporaryDirectory(prefix="siting-hostile-") as d:
        tmp = Path(d)
        for name, write, quick in CASES:
            if args.quick and not quick:
                continue
            path = write(tmp)
            size = path.stat().st_size
            r = run_case(path, tmp)
            path.unlink()
            verdict = (
                "accepted"
                if r["rc"] == 0
                else "refused"
                if r["rc"] == 2
                else f"FAILED (exit {r['rc']})"
            )
            ok = r["maxrss_kib"] < GOAL_KIB and r["rc"] in (0, 2)
            rows.append(
                {
                    "case": name,
                    "file_bytes": size,
                    "peak_rss_mib": round(r["maxrss_kib"] / 1024, 1),
                    "wall_s": round(r["wall_s"], 2),
                    "exit": r["rc"],
                    "result": verdict,
                    "within_goal": ok,
                    "message": (r["out"] or [""])[0][:300],
                }
            )
            print(
                f"{name:<46} {size / 2**20:>8.2f}MB {r['maxrss_kib'] / 1024:>8.0f}MiB {r['wall_s']:>6.1f}s  "
                f"{r['rc']:>4}  {verdict}{'' if ok else '   <-- OVER 1 GiB OR CRASHED'}"
            )
            print(f"{'':<48}{(r['out'] or [''])[0][:160]}")
    worst = max(r["peak_rss_mib"] for r in rows)
    print(
        f"highest peak: {worst:.0f} MiB (goal < 1024 MiB); all within goal: {all(r['within_goal'] for r in rows)}"
    )
    print(f"saved {save_results('hostile_files', {'cases': rows, 'highest_peak_mib': worst})}")


if __name__ == "__main__":
    main()
