"""Dashboard speed: warm page renders, the planner's slider recompute, the scenario runner.

Run:  .venv/bin/python benchmarks/bench_dashboard.py [--root ../shared/data/south-khorasan] [--no-browser]

Goals: a page served warm within 2 s on the South Khorasan
workspace; moving a slider recomputes coverage and gaps within 1 s.

Workspaces measured (built in a temporary folder, never committed):

* ``reference``: the South Khorasan reference workspace (real boundaries,
  census, 35 towns; it has no offices and no villages), when the folder is
  there; else the bundled ``sample`` workspace;
* ``reference+synthetic``: the same boundaries with 3,600 SYNTHETIC villages
  and 200 SYNTHETIC active offices (seeded), the load the province's real
  village and office lists would bring.

Figures, each a median (of 7 unless said):

* ``page_warm_s``: AppTest run of each page after a first (cold) run: the
  server-side render, caches warm;
* ``slider_library_s``: the library call behind the planner's sliders,
  :func:`ui.views.planning.planner_view` (coverage, gaps, H3 grid with open
  sites) with new radii every time (nothing cached), and its parts;
* ``slider_page_s``: the planner page rerun after a slider move (AppTest, cache miss);
* scenario runner: ``pages.scenarios`` is the page's warm render after one MCLP run (k = 10,
  urban offices, settlements as candidates: a scenario every workspace here can run), with the map
  of the chosen sites and the scenario table; ``scenario_run_first`` the page run that prepares
  and solves the first scenario, ``scenario_run_new_k`` (median of 4) a page run solving another k
  on the prepared instance, ``scenario_run_cached`` (median of 5) a scenario run again after
  clearing the table (served from ``ui/state.py``'s cache, no solve);
* ``scenario_library_s``: one MCLP k = 10 run's library call,
  :func:`siting.optimize.run_scenario` (= prepare + solve, both timed in every run; nothing
  cached between runs), on the
  sample workspace (rural offices, settlements as candidates) and on the reference workspace with
  the labelled SYNTHETIC offices of :mod:`siting.samples.synthetic` (``planner_workspace``: the
  reference has 35 towns and no villages, so rural candidates are H3 cells over the gaps, urban
  ones the towns);
* ``browser_s`` (unless ``--no-browser``): Chromium (Persian locale) on the
  sample workspace through ``streamlit run``: the first load, then for each
  page the median time from clicking it in the sidebar until its title and
  map are drawn (``_drawn``) and until the browser is responsive again
  (``_idle``: deck.gl's WebGL, rendered in software on a machine without GPU).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, save_results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from siting.coverage import compute_coverage  # noqa: E402
from siting.gaps import compute_gaps, gap_cells  # noqa: E402
from siting.io.manifest import init_workspace  # noqa: E402
from siting.optimize import Scenario, run_scenario  # noqa: E402
from siting.optimize.scenarios import prepare, solve_scenario  # noqa: E402
from siting.rules import load_rules  # noqa: E402
from siting.samples.synthetic import planner_workspace  # noqa: E402
from siting.workspace import Workspace, make_layer  # noqa: E402
from ui.views.planning import RuleOverrides, planner_view  # noqa: E402

PAGES = ("applicant", "working_group", "planner", "scenarios", "data")
# the scenario the page renders in page_times (runs on every workspace measured: towns are settlements)
PAGE_SCENARIO = {"scenario.licence_type": "urban", "scenario.k": 10}


def with_synthetic_points(ws: Workspace, n_villages: int, n_offices: int, seed: int = 7) -> Workspace:
    """``ws`` plus SYNTHETIC villages and active offices placed uniformly inside its region."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = ws.region.total_bounds
    pts = np.empty((0, 2))
    while len(pts) < n_villages + n_offices:
        xy = np.column_stack([rng.uniform(minx, maxx, 4000), rng.uniform(miny, maxy, 4000)])
        pts = np.vstack([pts, xy[ws.in_region(xy[:, 0], xy[:, 1])]])
    v, o = pts[:n_villages], pts[n_villages:n_villages + n_offices]
    villages = pd.DataFrame({"code": [f"SYN-V{i}" for i in range(n_villages)],
                             "name_fa": [f"روستای ساختگی {i}" for i in range(n_villages)], "kind": "village",
                             "population": rng.integers(30, 4000, n_villages), "source": "SYNTHETIC benchmark",
                             "county": ws.county_of(v[:, 0], v[:, 1])})
    settlements = make_layer("settlements", pd.concat([pd.DataFrame(ws.settlements.drop(columns="geometry")), villages]),
                             [*ws.settlements.geometry, *shapely.points(v)])
    offices = make_layer("offices", {"office_id": [f"SYN-O{i}" for i in range(n_offices)],
                                     "name": [f"دفتر ساختگی {i}" for i in range(n_offices)],
                                     "licence_type": np.where(np.arange(n_offices) % 3 == 0, "urban", "rural"),
                                     "status": "active", "county": ws.county_of(o[:, 0], o[:, 1]),
                                     "source": "SYNTHETIC benchmark"}, shapely.points(o))
    return ws.with_layer("settlements", settlements).with_layer("offices", offices, sample=True)


def page_times(path: Path, repeat: int) -> dict[str, dict[str, float]]:
    """AppTest render time of each page: first run after switching, then the median warm run."""
    from streamlit.testing.v1 import AppTest

    os.environ["SITING_WORKSPACE"] = str(path)
    out = {}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    for page in PAGES:
        at.switch_page(f"ui/pages/{page}.py")
        t0 = time.perf_counter()
        at.run()
        first = time.perf_counter() - t0
        assert not at.exception, [e.value for e in at.exception]
        if page == "scenarios":
            out.update(scenario_page_runs(at))
        warm, _ = median_time(at.run, repeat=repeat, warmup=0)
        out[page] = {"first_s": first, "warm_s": warm}
    # the planner page after a slider move: a new radius each time, so every run misses the cache
    at.switch_page("ui/pages/planner.py").run()
    times = []
    for km in (4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 11.0):
        at.slider(key="planner.urban.service_radius_m").set_value(km)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, [e.value for e in at.exception]
    out["planner_after_slider_move"] = {"warm_s": float(np.median(times))}
    return out


def scenario_page_runs(at, repeat: int = 5) -> dict[str, dict[str, float]]:
    """Press Run on the scenario page (MCLP, PAGE_SCENARIO's licence type, k = 14, 13, ..., 10):
    the first run (prepares the instance and solves), the median page run solving a new k on the
    prepared instance, and the median of the same scenario run again after clearing the table
    (served from the cache). Leaves the k = 10 run shown."""
    at.radio(key="scenario.licence_type").set_value(PAGE_SCENARIO["scenario.licence_type"]).run()
    cold, cached = [], []
    for k in reversed(range(PAGE_SCENARIO["scenario.k"], PAGE_SCENARIO["scenario.k"] + repeat)):
        at.number_input(key="scenario.k").set_value(k).run()
        for times in (cold, cached):
            if any(b.key == "scenario.clear" for b in at.button):  # not there before the first run
                at.button(key="scenario.clear").click().run()
            at.button(key="scenario.run").click()
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
            assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
            assert at.get("deck_gl_json_chart"), "the scenario ran but no map was drawn"
    return {"scenario_run_first": {"warm_s": cold[0]},
            "scenario_run_new_k": {"warm_s": float(np.median(cold[1:]))},
            "scenario_run_cached": {"warm_s": float(np.median(cached))}}


def scenario_library(ws: Workspace, scenario: Scenario, repeat: int) -> dict[str, float | int | str]:
    """run_scenario's two steps timed in each of ``repeat`` runs (nothing cached between runs):
    prepare (candidates, rules, distances, instance) and solve; medians of each and of their sum."""
    rules = load_rules()
    ws.index.office_trees  # noqa: B018 - built once when the app loads the workspace
    prep, solve, total = [], [], []
    for _ in range(repeat + 1):  # the first run warms imports and the workspace's lazy parts
        t0 = time.perf_counter()
        problem = prepare(ws, scenario, rules)
        t1 = time.perf_counter()
        r = solve_scenario(problem, scenario)
        t2 = time.perf_counter()
        prep.append(t1 - t0)
        solve.append(t2 - t1)
        total.append(t2 - t0)
    assert r.sites == run_scenario(ws, scenario, rules).sites  # the two steps are run_scenario
    return {"run_scenario_s": float(np.median(total[1:])), "prepare_s": float(np.median(prep[1:])),
            "solve_s": float(np.median(solve[1:])), "status": r.status, "sites": len(r.sites),
            "newly_covered": round(r.newly_covered_population), "candidates": r.candidates,
            "candidates_total": r.candidates_total}


def slider_library(ws: Workspace) -> dict[str, float]:
    """The call behind the sliders, with new radii each run (median of 7), and its three parts."""
    base = load_rules()
    radii = [(3000 + 500 * i, 10_000 + 1000 * i) for i in range(1, 8)]
    rules = [RuleOverrides.of({"urban": {"service_radius_m": u}, "rural": {"service_radius_m": r}}).apply(base)
             for u, r in radii]
    ws.index.office_trees  # noqa: B018 - built once when the app loads the workspace

    def timed(fn) -> float:
        times = []
        for r in rules:
            t0 = time.perf_counter()
            fn(r)
            times.append(time.perf_counter() - t0)
        return float(np.median(times))

    return {
        "planner_view_s": timed(lambda r: planner_view(ws, r, licence_type="any", resolution=6)),
        "coverage_s": timed(lambda r: compute_coverage(ws, r)),
        "gaps_any_s": timed(lambda r: compute_gaps(ws, r, licence_type="any")),
        "gap_cells_res6_s": timed(lambda r: gap_cells(ws, r, resolution=6)),
    }


def browser_navigation(path: Path, rounds: int = 5) -> dict[str, float]:
    """Chromium against ``streamlit run``: the first load, then moving between pages from the sidebar.

    A person loads the app once and then changes pages inside it (st.navigation
    does not reload the browser page). For each page: ``drawn`` is the median
    time from clicking its sidebar link until its title (and map canvas, where
    it has one) is on screen; ``idle`` until the browser is responsive again
    (two quick round trips to the page's JavaScript in a row), which for a map
    page includes deck.gl's WebGL drawing, done in software here (no GPU).
    The first load includes fetching and compiling the frontend (deck.gl's
    chunk alone is 3 MB of JavaScript).
    """
    from playwright.sync_api import sync_playwright

    from ui.devserver import launch_browser, running_app
    from ui.i18n import t

    with_map = {"applicant", "planner"}
    out: dict[str, float] = {}
    with running_app(path) as base, sync_playwright() as pw:
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fa-IR")

        def drawn(name: str) -> None:
            page.get_by_role("heading", name=t(f"page.{name}")).first.wait_for(timeout=60_000)
            if name in with_map:
                page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(timeout=60_000)

        def idle() -> None:
            quick = 0
            while quick < 2:
                t0 = time.perf_counter()
                page.evaluate("1")
                quick = quick + 1 if time.perf_counter() - t0 < 0.05 else 0
                time.sleep(0.05)

        t0 = time.perf_counter()
        page.goto(base)
        drawn("applicant")
        out["first_load_applicant_drawn"] = time.perf_counter() - t0
        idle()
        out["first_load_applicant_idle"] = time.perf_counter() - t0
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in PAGES}
        for _ in range(rounds + 1):  # the first round warms the server's caches
            for name in (*PAGES[1:], PAGES[0]):
                t0 = time.perf_counter()
                page.get_by_role("link", name=t(f"page.{name}")).click()
                drawn(name)
                t1 = time.perf_counter() - t0
                idle()
                times[name].append((t1, time.perf_counter() - t0))
        for name, v in times.items():
            out[f"navigate_{name}_drawn"] = float(np.median([a for a, _ in v[1:]]))
            out[f"navigate_{name}_idle"] = float(np.median([b for _, b in v[1:]]))
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(ROOT.parent / "shared" / "data" / "south-khorasan"))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    figures: dict = {"goals": {"page_warm_s": 2.0, "slider_recompute_s": 1.0}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sample = tmp / "sample.gpkg"
        init_workspace(ROOT / "data/sources/sample.yaml", workspace=sample)
        paths = {"sample": sample}
        lib_cases = {"sample": (sample, Scenario("mclp", licence_type="rural", k=10)),
                     "sample_h3": (sample, Scenario("mclp", licence_type="rural", k=10, candidates="h3:7"))}
        if (Path(args.root) / "counties.geojson").exists():
            ref = tmp / "reference.gpkg"
            init_workspace(ROOT / "data/sources/south-khorasan.yaml", args.root, ref)
            paths["reference"] = ref
            loaded = tmp / "reference-synthetic.gpkg"
            with_synthetic_points(Workspace.load(ref), 3_600, 200).save(loaded)
            paths["reference+synthetic"] = loaded
            planner_ref = planner_workspace(args.root, tmp / "planner")  # reference + labelled synthetic offices
            lib_cases["reference_synthetic_offices_rural_h3"] = (
                planner_ref, Scenario("mclp", licence_type="rural", k=10, candidates="h3:7"))
            lib_cases["reference_synthetic_offices_urban"] = (
                planner_ref, Scenario("mclp", licence_type="urban", k=10))
        else:
            print(f"reference data not found at {args.root}: measuring the sample workspace only")
        print("\n--- scenario runner: one MCLP k=10 run's library call (run_scenario) ---")
        figures["scenario_library_s"] = {}
        for name, (path, sc) in lib_cases.items():
            f = scenario_library(Workspace.load(path), sc, args.repeat)
            figures["scenario_library_s"][name] = f
            print(f"  {name:<40} {sc.label():<32} run_scenario {f['run_scenario_s']:.3f} s "
                  f"[prepare {f['prepare_s']:.3f}, solve {f['solve_s']:.3f}] {f['status']}, {f['sites']} sites, "
                  f"+{f['newly_covered']:,} people, {f['candidates']:,} of {f['candidates_total']:,} candidates")
        for name, path in paths.items():
            print(f"\n--- {name} workspace ({path.name}) ---")
            ws = Workspace.load(path)
            print(f"{len(ws.counties)} counties, {len(ws.settlements)} settlements, {len(ws.offices)} offices")
            pages = page_times(path, args.repeat)
            lib = slider_library(ws)
            figures[name] = {"pages": pages, "slider_library": lib,
                             "counts": {"settlements": len(ws.settlements), "offices": len(ws.offices)}}
            for page, f in pages.items():
                first = f" (first {f['first_s']:.3f} s)" if "first_s" in f else ""
                print(f"  page {page:<26} warm {f['warm_s']:.3f} s{first}")
            print(f"  slider → planner_view (coverage + gaps + H3 open sites): {lib['planner_view_s']:.3f} s "
                  f"[coverage {lib['coverage_s']:.3f}, gaps {lib['gaps_any_s']:.3f}, cells {lib['gap_cells_res6_s']:.3f}]")
        if not args.no_browser and Path("/usr/bin/chromium").exists():
            print("\n--- browser (Chromium), sample workspace, streamlit run ---")
            figures["browser_s"] = browser_navigation(sample)
            for what, secs in figures["browser_s"].items():
                print(f"  {what:<32} {secs:.3f} s")
    out = save_results("dashboard", figures)
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
