"""Travel time on the dashboard: the sample's road network and the pages' distance/time switch.

Run:  .venv/bin/python benchmarks/bench_travel_pages.py

On the bundled SAMPLE workspace (built in a temporary folder from data/sources/sample.yaml, with its
generated roads: 917 lines, 923 settlements, 56 offices), medians of 5 unless said:

* ``sample_generate_s`` (1 run): ``python -m siting.samples.bundled`` writing every sample file, roads included;
* ``sample_init_s`` (1 run): ``siting init`` of the sample manifest (roads imported, network report);
* ``network_s``: ``Workspace.load`` then :func:`siting.network.workspace_network` (graph + every settlement and office attached),
  uncached (a fresh workspace object each time);
* ``office_isochrones_s``: the service areas the planner draws for "any" (every serving office, 15 min
  urban, 30 min rural), :func:`ui.views.travel.office_isochrones`;
* ``site_isochrone_s``: the applicant's candidate service area (a town, 15 min);
* ``planner_warm_s``: AppTest warm rerun of the planner page on distance and on travel time (caches warm).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _common import median_time, save_results  # noqa: E402


def main() -> int:
    from siting.io.manifest import init_workspace
    from siting.network import workspace_network
    from siting.rules import load_rules
    from siting.samples.bundled import build
    from siting.workspace import Workspace
    from ui.views.travel import office_isochrones, site_isochrone

    tmp = Path(tempfile.mkdtemp(prefix="bench-travel-"))
    fig: dict[str, object] = {}
    t0 = time.perf_counter()
    build(tmp / "sample")
    fig["sample_generate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    init_workspace(ROOT / "data/sources/sample.yaml", workspace=tmp / "w.gpkg")
    fig["sample_init_s"] = time.perf_counter() - t0
    rules = load_rules()
    fig["network_s"], _ = median_time(lambda: workspace_network(Workspace.load(tmp / "w.gpkg")), repeat=5)
    ws = Workspace.load(tmp / "w.gpkg")
    workspace_network(ws)
    fig["office_isochrones_s"], _ = median_time(lambda: office_isochrones(ws, rules, "any"), repeat=5)
    town = ws.settlements[ws.settlements["kind"] == "city"].iloc[0]
    fig["site_isochrone_s"], _ = median_time(
        lambda: site_isochrone(ws, rules, "urban", town.geometry.x, town.geometry.y), repeat=5)

    from streamlit.testing.v1 import AppTest

    os.environ["SITING_WORKSPACE"] = str(tmp / "w.gpkg")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("ui/pages/planner.py").run()
    fig["planner_warm_distance_s"], _ = median_time(lambda: at.run(), repeat=5)
    at.radio(key="planner.measure").set_value("time").run()
    fig["planner_warm_time_s"], _ = median_time(lambda: at.run(), repeat=5)
    assert not at.exception, [e.value for e in at.exception]

    for k, v in fig.items():
        print(f"{k:28s} {v:8.3f}" if isinstance(v, float) else f"{k:28s} {v}")
    save_results("travel_pages", fig)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
