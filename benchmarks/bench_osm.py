"""OpenStreetMap extract reader: time and peak memory of each reader on a province-sized extract.

Run:  .venv/bin/python benchmarks/bench_osm.py [--quick]

Writes a SYNTHETIC ``.osm.pbf`` with osmium.SimpleWriter into a temporary folder: a grid of nodes
over South Khorasan's bounding box (3,000,000 by default, about the province's real extract;
300,000 with ``--quick``), roads of 10 nodes over 40% of them, closed 5-node buildings over 10%,
4,000 place nodes and 60 admin_level=8 boundary relations of two outer rings. Each reader then runs
in its own child process (the figure is that process's ``ru_maxrss`` and wall time), and so does
the refusal of a file of :data:`siting.io.osm.MAX_NODES` + 1 regular nodes (full run only), which
compresses to a few hundred kilobytes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's siting, whatever the venv has
from _common import BOUNDS, save_results

ROOT = Path(__file__).resolve().parents[1]

_CHILD = (
    "import json, resource, sys, time\n"
    "sys.path.insert(0, {root!r})\n"
    "from siting.errors import InputError\n"
    "from siting.io import osm\n"
    "t = time.perf_counter()\n"
    "try:\n"
    "    raw = getattr(osm, {fn!r})({path!r})\n"
    "    out = {{'rows': len(raw), 'notes': len(raw.notes)}}\n"
    "except InputError as exc:\n"
    "    out = {{'refused': str(exc)[-160:]}}\n"
    "out['wall_s'] = round(time.perf_counter() - t, 2)\n"
    "out['maxrss_mib'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)\n"
    "print(json.dumps(out, ensure_ascii=False))\n"
)


def write_extract(path: Path, n_nodes: int) -> dict:
    """The synthetic extract described in the module docstring; returns what it holds."""
    import osmium
    from osmium.osm.mutable import Node, Relation, Way

    minx, miny, maxx, maxy = BOUNDS
    side = int(n_nodes**0.5)
    w = osmium.SimpleWriter(str(path))
    for i in range(n_nodes):
        tags = {"place": "village", "name": f"روستای {i}", "population": str(i % 3000)} if i % (n_nodes // 4000) == 0 \
            else {}
        w.add_node(Node(id=i + 1, location=(minx + (i % side) * (maxx - minx) / side,
                                            miny + (i // side) * (maxy - miny) / side), tags=tags))
    way_id = 1
    roads = int(n_nodes * 0.4) // 10
    for k in range(roads):
        first = k * 10 + 1
        w.add_way(Way(id=way_id, nodes=list(range(first, first + 10)), tags={"highway": "residential"}))
        way_id += 1
    buildings = int(n_nodes * 0.1) // 5
    start = int(n_nodes * 0.5)
    for k in range(buildings):
        a = start + k * 5 + 1
        # a (thin) closed ring on consecutive grid nodes: a, a+1, a+1+side, a+side
        w.add_way(Way(id=way_id, nodes=[a, a + 1, a + 1 + side, a + side, a], tags={"building": "yes"}))
        way_id += 1
    rings = []
    for k in range(120):
        # rows 5 apart, columns 50 apart: no ring wraps past the grid's edge
        a = (int(n_nodes * 0.2) // side + (k // 10) * 5) * side + (k % 10) * 50 + 1
        w.add_way(Way(id=way_id, nodes=[a, a + 3, a + 3 + 3 * side, a + 3 * side, a], tags={}))
        rings.append(way_id)
        way_id += 1
    for k in range(60):
        w.add_relation(Relation(id=k + 1, members=[("w", rings[2 * k], "outer"), ("w", rings[2 * k + 1], "outer")],
                                tags={"type": "boundary", "boundary": "administrative", "admin_level": "8",
                                      "name": f"دهستان {k}"}))
    w.close()
    return {"nodes": n_nodes, "roads": roads, "buildings": buildings, "boundary_relations": 60,
            "places": 4000, "file_mib": round(path.stat().st_size / 2**20, 1)}


def write_regular_nodes(path: Path, n: int) -> None:
    import osmium
    from osmium.osm.mutable import Node

    w = osmium.SimpleWriter(str(path))
    for i in range(1, n + 1):
        w.add_node(Node(id=i, location=(59 + (i % 1000) / 10000, 32 + (i // 1000) / 10000)))
    w.close()


def child(fn: str, path: Path) -> dict:
    code = _CHILD.format(root=str(ROOT), fn=fn, path=str(path))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if p.returncode != 0:
        return {"error": (p.stdout + p.stderr).strip().splitlines()[-1:]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="300,000 nodes and no refusal case")
    args = ap.parse_args()
    from siting.io.osm import MAX_NODES

    n = 300_000 if args.quick else 3_000_000
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.osm.pbf"
        t = time.perf_counter()
        figures["extract"] = write_extract(path, n)
        figures["extract"]["write_s"] = round(time.perf_counter() - t, 1)
        print("extract:", figures["extract"], flush=True)
        for fn in ("check_osm_file", "read_osm_places", "read_osm_lines", "read_osm_boundaries"):
            if fn == "check_osm_file":
                code = _CHILD.replace("out = {{'rows': len(raw), 'notes': len(raw.notes)}}",
                                      "out = {{'counts': [raw.nodes, raw.ways, raw.relations]}}")
                p = subprocess.run([sys.executable, "-c", code.format(root=str(ROOT), fn=fn, path=str(path))],
                                   capture_output=True, text=True, check=False)
                figures[fn] = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {
                    "error": p.stderr.strip().splitlines()[-1:]}
            else:
                figures[fn] = child(fn, path)
            print(f"{fn}:", figures[fn], flush=True)
        path.unlink()
        if not args.quick:
            bomb = Path(tmp) / "regular.osm.pbf"
            write_regular_nodes(bomb, MAX_NODES + 1)
            figures["refuse_max_nodes_plus_1"] = {"file_kib": round(bomb.stat().st_size / 1024), **child(
                "read_osm_places", bomb)}
            print("refusal:", figures["refuse_max_nodes_plus_1"], flush=True)
    out = save_results("osm" + ("_quick" if args.quick else ""), figures)
    print("results:", out)


if __name__ == "__main__":
    main()
