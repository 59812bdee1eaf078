"""Load on the HTTP API (`siting serve`): throughput and latency at 50, 200 and 500 concurrent clients.

Run:  .venv/bin/python benchmarks/bench_api_load.py [--seconds 20] [--workers 2] [--soak 300]
      [--workspace data/reference.gpkg]

Starts a real server process (`siting serve`, uvicorn) on a free local port, then drives it with a
small asyncio HTTP/1.1 client of our own (one keep-alive connection per simulated client, requests
back to back with ``--think 0``, the server's saturation; with ``--think 1`` each client waits about a
second between requests, as a person typing or a portal relaying people does): the site-check endpoint at
random points of the region, the gaps endpoint, and a trivial endpoint of the same server in the same
run, whose figures are the baseline (the ratio is the figure to read: the machine is shared and
noisy). Prints requests per second, p50/p95/p99 latency and errors per endpoint and concurrency, then
(with ``--soak``) holds 200 clients (1 s think time) on the site check for that many seconds and prints the server's
memory (resident set of every server process) every 30 s: flat means no leak.

Goal (issue 12): site check at 200 concurrent clients, p95 < 100 ms, no errors; memory flat.
The client shares the machine's 2 cores with the server, so the figures are a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import save_results

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "siting"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer {path} within {timeout:.0f} s")


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (MiB), from /proc."""
    total = 0
    pids = [pid]
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(p) for p in out]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


async def _client(port: int, paths: list[str], until: float, lat: list[float], errors: list[str],
                  think: float = 0.0) -> None:
    reader = writer = None
    i = random.randrange(len(paths))
    while time.monotonic() < until:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            chunked = False
            for line in head.split(b"\r\n"):
                low = line.lower()
                if low.startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
                elif low.startswith(b"transfer-encoding:") and b"chunked" in low:
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            else:
                await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(str(status))
            if think:  # a person (or a portal relaying one) between two requests: 0.5-1.5 × think
                await asyncio.sleep(think * (0.5 + random.random()))
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors.append(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def _drive(port: int, paths: list[str], clients: int, seconds: float, think: float = 0.0) -> dict:
    lat: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(port, paths, until, lat, errors, think) for _ in range(clients)))
    wall = time.perf_counter() - t0
    a = np.array(lat) * 1000 if lat else np.array([np.nan])
    return {"clients": clients, "requests": len(lat), "rps": len(lat) / wall, "p50_ms": float(np.percentile(a, 50)),
            "p95_ms": float(np.percentile(a, 95)), "p99_ms": float(np.percentile(a, 99)), "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5]}


def site_paths(workspace: Path, n: int = 100_000, seed: int = 0) -> list[str]:
    """Random points of the region: many more than the server's site-check cache holds, so most miss it."""
    from siting.workspace import Workspace

    ws = Workspace.load(workspace)
    minx, miny, maxx, maxy = ws.region.total_bounds
    rng = np.random.default_rng(seed)
    pts = []
    while len(pts) < n:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        inside = ws.in_region(x, y)
        pts += list(zip(x[inside], y[inside], strict=True))
    types = ("rural", "urban")
    return [f"/v1/site-check?lon={x:.5f}&lat={y:.5f}&type={types[k % 2]}" for k, (x, y) in enumerate(pts[:n])]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workspace", default=str(ROOT / "data" / "workspace.gpkg"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--clients", default="50,200,500")
    ap.add_argument("--soak", type=float, default=0.0, help="seconds of a 200-client soak with memory readings")
    ap.add_argument("--think", default="0,1",
                    help="seconds each client waits between requests, one run per value (0: back to back, the "
                         "server's saturation; 1: a person or a portal relaying people)")
    ap.add_argument("--trivial", default="/v1/health")
    ap.add_argument("--gaps", default="/v1/gaps")
    args = ap.parse_args()
    workspace = Path(args.workspace)
    if not workspace.exists():
        raise SystemExit(f"{workspace}: no workspace (make data/workspace.gpkg, or --workspace)")
    port = free_port()
    env = {**os.environ, "SITING_API_RATE_PER_SECOND": "0"}  # the load is the point here, not the limiter
    server = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--workers", str(args.workers),
                               "-w", str(workspace)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        wait_ready(port, args.trivial)
        endpoints = {"trivial": [args.trivial], "site-check": site_paths(workspace), "gaps": [args.gaps]}
        for paths in endpoints.values():  # warm every worker
            asyncio.run(_drive(port, paths, 8, 2.0))
        rows = []
        for think in (float(x) for x in args.think.split(",")):
            for clients in (int(c) for c in args.clients.split(",")):
                for name, paths in endpoints.items():
                    r = asyncio.run(_drive(port, paths, clients, args.seconds, think))
                    r["endpoint"], r["think_s"] = name, think
                    rows.append(r)
                    print(f"think {think:g} s {name:>10} {clients:>4} clients: {r['rps']:8.0f} req/s  "
                          f"p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
                          f"errors {r['errors']} {r['error_kinds']}", flush=True)
        soak = []
        if args.soak:
            start = time.monotonic()
            soak.append((0.0, rss_mib(server.pid)))
            while time.monotonic() - start < args.soak:
                r = asyncio.run(_drive(port, endpoints["site-check"], 200, min(30.0, args.soak), 1.0))
                soak.append((time.monotonic() - start, rss_mib(server.pid)))
                print(f"soak {soak[-1][0]:5.0f} s: {r['rps']:6.0f} req/s p95 {r['p95_ms']:6.1f} ms errors {r['errors']}"
                      f"  server RSS {soak[-1][1]:7.1f} MiB", flush=True)
        print("\nthink  endpoint    clients   req/s   p50 ms   p95 ms   p99 ms  errors  p95 / trivial p95")
        base = {(r["think_s"], r["clients"]): r for r in rows if r["endpoint"] == "trivial"}
        for r in rows:
            b = base[(r["think_s"], r["clients"])]["p95_ms"]
            ratio = r["p95_ms"] / b if b else float("nan")
            print(f"{r['think_s']:5g}  {r['endpoint']:<10} {r['clients']:>8} {r['rps']:7.0f} {r['p50_ms']:8.1f} "
                  f"{r['p95_ms']:8.1f} {r['p99_ms']:8.1f} {r['errors']:7d}  {ratio:6.1f}×")
        if soak:
            print(f"server memory over the soak: first {soak[0][1]:.0f} MiB, last {soak[-1][1]:.0f} MiB, "
                  f"max {max(m for _, m in soak):.0f} MiB")
        save_results("api_load", {"workers": args.workers, "seconds": args.seconds, "rows": rows,
                                  "soak": soak, "workspace": str(workspace)})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
