"""Shared helpers for the benchmark scripts: timing, seeded instances, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely

RESULTS = Path(__file__).resolve().parent / "results"
# South Khorasan's bounding box (the OSM outline's), used to place seeded synthetic points
BOUNDS = (55.40, 30.52, 60.95, 35.13)


def median_time(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> tuple[float, list[float]]:
    """Median wall time of ``fn`` in seconds over ``repeat`` runs (after ``warmup`` runs)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def seeded_workspace(n_settlements: int, n_offices: int, seed: int = 0, n_counties: int = 12):
    """A synthetic workspace over South Khorasan's bounding box (SYNTHETIC, for benchmarks only).

    Counties are vertical strips; settlements are villages with lognormal
    populations; offices are half urban, half rural, all active.
    """
    from siting.workspace import Workspace, make_layer

    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = BOUNDS
    edges = np.linspace(minx, maxx, n_counties + 1)
    names = [f"C{i:02d}" for i in range(n_counties)]
    region = make_layer("region", {"name_en": ["synthetic"], "source": ["synthetic benchmark"]}, [shapely.box(*BOUNDS)])
    counties = make_layer("counties", {"name_fa": names, "name_en": names, "population": [10**6] * n_counties},
                          [shapely.box(edges[i], miny, edges[i + 1], maxy) for i in range(n_counties)])
    slon, slat = rng.uniform(minx, maxx, n_settlements), rng.uniform(miny, maxy, n_settlements)
    county = np.array(names, dtype=object)[np.clip(np.searchsorted(edges, slon) - 1, 0, n_counties - 1)]
    settlements = make_layer("settlements", {
        "code": np.arange(n_settlements).astype(str), "name_fa": np.arange(n_settlements).astype(str),
        "kind": np.where(rng.random(n_settlements) < 0.02, "city", "village"),
        "population": np.round(np.exp(rng.normal(5.5, 1.0, n_settlements))).astype(int),
        "county": county}, shapely.points(slon, slat))
    olon, olat = rng.uniform(minx, maxx, n_offices), rng.uniform(miny, maxy, n_offices)
    ocounty = np.array(names, dtype=object)[np.clip(np.searchsorted(edges, olon) - 1, 0, n_counties - 1)]
    offices = make_layer("offices", {
        "office_id": [f"O{i}" for i in range(n_offices)],
        "licence_type": np.where(np.arange(n_offices) % 2 == 0, "urban", "rural"),
        "status": ["active"] * n_offices, "county": ocounty}, shapely.points(olon, olat))
    return Workspace(region, counties, settlements, offices, meta={"name": "synthetic benchmark", "sample": True})


def save_results(name: str, figures: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "figures": figures,
    }
    out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return out
