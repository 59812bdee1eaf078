"""Speed of the application tracker's dashboard pages (issues 3/4: a page served warm within 2 s).

Run:  .venv/bin/python benchmarks/bench_tracker_pages.py [--repeat 5] [--applications 10000] [--no-profile]

Every figure is a server-side render through ``streamlit.testing.v1.AppTest``
(like ``page_warm_s`` of bench_dashboard.py): the page is opened, the demo or
staff account signs in through the page's sign-in form, and that run (the
sign-in and the first render) is ``first_s``; then ``warm_s`` is the median of
``--repeat`` (at least 5) further runs of the same page, caches warm, the same
person signed in. The browser's drawing is not included. Everything is built
in a temporary folder and deleted afterwards.

Databases measured (all on the bundled SAMPLE workspace, built here from
``data/sources/sample.yaml``; ``SITING_WORKSPACE``, ``DATABASE_URL`` and
``SITING_TRACKER_FILES`` point the app at them):

* ``sample``: the SAMPLE tracker database of ``make run``
  (:func:`siting.samples.tracker.build_sample_tracker`, a handful of sample
  applications), each page signed in as its demo account:
  ``tracker_my_applications`` as the applicant ``demo-zahra`` (the page shows
  her first application's detail), ``tracker_my_applications_select`` the
  median page run after choosing another of her applications in the page's
  selector (alternating between two, so each run loads a detail),
  ``tracker_agenda`` as the working-group member ``demo-wg``,
  ``tracker_queue`` as the directorate expert ``demo-expert``;
* ``loaded``: a SQLite tracker filled by bench_tracker.py's builder
  (:func:`bench_tracker.loaded_tracker` + :func:`bench_tracker.bulk_load`:
  ``--applications`` SYNTHETIC applications with their steps at realistic
  stages, sites validated on the sample workspace here), the agenda page as
  its working-group member ``wg`` (``agenda_items`` pending proposals) and the
  queue page as its expert ``expert`` (``queue_items`` steps). Building it
  (about 10,000 site validations) takes one to two minutes.

Unless ``--no-profile``, a page whose warm render is over the 2 s goal is run
once more under cProfile (the script thread's calls) and its top functions by
cumulative time are printed and written (``profile``).

Prints a table and writes ``benchmarks/results/tracker_pages.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median_time, save_results  # noqa: E402
from bench_tracker import PASSWORD, bulk_load, loaded_tracker  # noqa: E402

from siting import fmt  # noqa: E402
from siting.io.manifest import init_workspace  # noqa: E402
from siting.samples.tracker import build_sample_tracker, demo_account  # noqa: E402
from siting.tracker import PasswordPolicy  # noqa: E402
from siting.workspace import Workspace  # noqa: E402
from ui.i18n import t  # noqa: E402

GOAL_S = 2.0
SAMPLE_PAGES = (("tracker_my_applications", "demo-zahra"), ("tracker_agenda", "demo-wg"),
                ("tracker_queue", "demo-expert"))


def use_database(url: str, files: Path) -> None:
    """Point the app at the tracker database ``url`` (a new tracker is opened on the next run)."""
    from ui.components import signin

    os.environ["DATABASE_URL"] = url
    os.environ["SITING_TRACKER_FILES"] = str(files)
    signin._open_tracker.clear()


def signed_in(page: str, username: str, password: str) -> tuple[object, float]:
    """An AppTest on ``page`` with ``username`` signed in through the page's form, and the time of
    the run that signs in and renders the page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page(f"ui/pages/{page}.py").run()
    check(at)
    at.text_input(key="tracker.signin.username").input(username)
    at.text_input(key="tracker.signin.password").input(password)
    at.button(key=f"FormSubmitter:tracker.signin-{t('tracker.signin')}").click()
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    check(at)
    assert not any(w.key == "tracker.signin.username" for w in at.text_input), f"{username} was not signed in"
    return at, first


def check(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def page_figures(page: str, username: str, password: str, repeat: int) -> tuple[object, dict[str, float]]:
    at, first = signed_in(page, username, password)
    warm, runs = median_time(at.run, repeat=repeat, warmup=0)
    check(at)
    return at, {"first_s": first, "warm_s": warm, "runs_s": runs}


def select_figures(at, repeat: int) -> dict[str, float | int]:
    """The applicant page after choosing another application in its selector, alternating between
    the first two of her applications (each run renders a new detail)."""
    n = len(at.selectbox(key="tracker.app.selected").options)
    assert n >= 2, f"the applicant has {n} application(s); nothing to choose"
    times, seen = [], set()
    for i in range(repeat):
        at.selectbox(key="tracker.app.selected").select_index((i + 1) % 2)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        check(at)
        chosen = at.selectbox(key="tracker.app.selected").value
        seen.add(chosen)
        title = t("tracker.app.detail_title", id=fmt.number(chosen), name="")
        assert any(str(h.value).startswith(title) for h in at.subheader), "the chosen application is not shown"
    assert len(seen) == 2, seen
    return {"warm_s": statistics.median(times), "runs_s": times, "applications": n}


@contextmanager
def profiled_script_thread(prof: cProfile.Profile):
    """Profile AppTest's script thread (the page runs there, not in the calling thread)."""
    from streamlit.testing.v1 import local_script_runner as lsr

    orig = lsr.LocalScriptRunner._run_script_thread

    def run(self) -> None:
        prof.enable()
        try:
            orig(self)
        finally:
            prof.disable()

    lsr.LocalScriptRunner._run_script_thread = run
    try:
        yield
    finally:
        lsr.LocalScriptRunner._run_script_thread = orig


def profile_run(at, top: int = 25) -> str:
    """One more warm run of ``at`` under cProfile: the top functions by cumulative time."""
    prof = cProfile.Profile()
    with profiled_script_thread(prof):
        at.run()
    check(at)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def sample_case(tmp: Path, ws_path: Path, repeat: int) -> dict[str, object]:
    url = f"sqlite:///{tmp / 'sample-tracker.db'}"
    t0 = time.perf_counter()
    build_sample_tracker(url, Workspace.load(ws_path), files_dir=tmp / "sample-files", now=datetime.now(UTC),
                         password_policy=PasswordPolicy.fast())
    print(f"SAMPLE tracker database built in {time.perf_counter() - t0:.1f} s", flush=True)
    use_database(url, tmp / "sample-files")
    out: dict[str, object] = {}
    for page, user in SAMPLE_PAGES:
        at, f = page_figures(page, user, demo_account(user).password, repeat)
        assert any("نمونه" in str(w.value) for w in at.warning), "the SAMPLE banner is missing"
        out[page] = {"account": user, **f}
        if page == "tracker_my_applications":
            out["tracker_my_applications_select"] = {"account": user, **select_figures(at, repeat)}
    return out


def loaded_case(tmp: Path, ws_path: Path, n: int, repeat: int, profile: bool) -> dict[str, object]:
    url = f"sqlite:///{tmp / 'loaded.db'}"
    trk, staff = loaded_tracker(url, tmp / "loaded-files", workspace=Workspace.load(ws_path))
    print(f"writing {n:,} SYNTHETIC applications (bench_tracker's builder) ...", flush=True)
    made = bulk_load(trk, n)
    agenda_items = len(trk.agenda(staff["wg"]).items)
    queue_items = len(trk.queue(staff["expert"]).items)
    trk.close()
    print(f"  {made['applications']:,} applications, {made['steps']:,} steps in {made['seconds']} s; agenda "
          f"{agenda_items:,} pending proposals, queue {queue_items:,} steps", flush=True)
    use_database(url, tmp / "loaded-files")
    out: dict[str, object] = {"applications": made["applications"], "steps": made["steps"],
                              "build_s": made["seconds"]}
    for page, user, items in (("tracker_agenda", "wg", agenda_items), ("tracker_queue", "expert", queue_items)):
        at, f = page_figures(page, user, PASSWORD, repeat)
        out[page] = {"account": user, "items": items, **f}
        if profile and f["warm_s"] > GOAL_S:
            print(f"  {page} warm {f['warm_s']:.2f} s > {GOAL_S} s: profiling one run ...", flush=True)
            out[page]["profile"] = profile_run(at)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5, help="warm runs per page (at least 5)")
    p.add_argument("--applications", type=int, default=10_000, help="applications in the loaded database")
    p.add_argument("--no-profile", action="store_true", help="do not profile pages over the goal")
    args = p.parse_args(argv)
    if args.repeat < 5:
        p.error("--repeat must be at least 5")
    saved = {k: os.environ.get(k) for k in ("SITING_WORKSPACE", "DATABASE_URL", "SITING_TRACKER_FILES")}
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            ws_path = tmp / "sample.gpkg"
            init_workspace(ROOT / "data/sources/sample.yaml", workspace=ws_path)
            os.environ["SITING_WORKSPACE"] = str(ws_path)
            figures = {"repeat": args.repeat, "goal_warm_s": GOAL_S,
                       "command": "python benchmarks/bench_tracker_pages.py " + " ".join(argv or sys.argv[1:]),
                       "sample": sample_case(tmp, ws_path, args.repeat),
                       "loaded": loaded_case(tmp, ws_path, args.applications, args.repeat, not args.no_profile)}
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    print(f"\n{'database':<8} {'page':<32} {'account':<12} {'items':>6} {'first s':>8} {'warm s':>8}  goal")
    for db in ("sample", "loaded"):
        for page, f in figures[db].items():
            if not isinstance(f, dict):
                continue
            first = f"{f['first_s']:.3f}" if "first_s" in f else "—"
            print(f"{db:<8} {page:<32} {f['account']:<12} {f.get('items', ''):>6} {first:>8} {f['warm_s']:>8.3f}  "
                  f"{'met' if f['warm_s'] < GOAL_S else 'NOT met'}")
    for page, f in figures["loaded"].items():
        if isinstance(f, dict) and "profile" in f:
            print(f"\n--- profile of one warm run: loaded {page} ---\n{f['profile']}")
    out = save_results("tracker_pages", figures)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
