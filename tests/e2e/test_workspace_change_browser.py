"""A workspace change by another process while a person is signed in, in a real browser:
the dashboard shows the new data on the public coverage page and the tracker session stays signed in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from siting import fmt
from siting.coverage import compute_coverage
from siting.rules import load_rules
from siting.samples.tracker import demo_account
from siting.workspace import Workspace
from ui.devserver import wait_run_done
from ui.i18n import t

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BIN = Path(sys.executable).parent / "siting"


def _covered(ws_path: Path) -> str:
    return fmt.number(
        compute_coverage(Workspace.load(ws_path), load_rules()).totals["covered_population"]
    )


def _nav(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)  # not networkidle: a page with a map can keep a request open


def _kpi(page) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=t("planner.kpi.covered")).first
    metric.wait_for(timeout=TIMEOUT_MS)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_signed_in_session_survives_a_workspace_change_by_another_process(tracker_app, page):
    url, ws_path, folder = tracker_app.url, tracker_app.ws_path, tracker_app.folder
    before = _covered(ws_path)
    page.goto(f"{url}/agenda")
    page.get_by_text(t("tracker.signin_needed")).wait_for(timeout=TIMEOUT_MS)
    acc = demo_account("demo-wg")
    page.get_by_label(t("tracker.username"), exact=True).fill(acc.username)
    page.get_by_label(t("tracker.password"), exact=True).fill(acc.password)
    page.get_by_role("button", name=t("tracker.signin")).click()
    page.get_by_role("heading", name=t("tracker.staff.agenda_table")).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)  # every message of the agenda drawn
    errors = page.locator('[data-testid="stAlertContentError"]')
    errors_before = errors.all_inner_texts()  # the sample agenda's conflict notice

    _nav(page, t("page.planner"))
    page.wait_for_function(
        "v => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(e => e.innerText.trim() == v)",
        arg=before,
        timeout=TIMEOUT_MS,
    )
    assert _kpi(page) == before

    # another process adds rural offices at ten uncovered villages
    cov = compute_coverage(Workspace.load(ws_path), load_rules())
    ws = Workspace.load(ws_path)
    per = cov.settlements
    rows = per.index[(~per["covered"].astype(bool)) & (per["kind"] == "village")][:10]
    assert len(rows) == 10
    pts = ws.settlements.geometry.iloc[list(rows)]
    csv = folder / "offices.csv"
    csv.write_text(
        "office_id,name,licence_type,status,lon,lat\n"
        + "".join(f"E2E{i},دفتر آزمون {i},rural,active,{p.x},{p.y}\n" for i, p in enumerate(pts)),
        encoding="utf-8",
    )
    p = subprocess.run(
        [str(BIN), "import", "offices", str(csv), "--append", "-w", str(ws_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    after = _covered(ws_path)
    assert after != before

    # the tracker page: still signed in, no error box
    _nav(page, t("page.tracker_agenda"))
    page.get_by_role("heading", name=t("tracker.staff.agenda_table")).wait_for(timeout=TIMEOUT_MS)
    main = page.locator('[data-testid="stMain"]')
    assert t("tracker.signin_needed") not in main.inner_text()
    # on main: an error box, "this identity was not issued by this tracker; sign in again"
    assert errors.all_inner_texts() == errors_before

    # the public coverage page shows the new generation's numbers
    _nav(page, t("page.planner"))
    page.wait_for_function(
        "v => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(e => e.innerText.trim() == v)",
        arg=after,
        timeout=TIMEOUT_MS,
    )
    assert _kpi(page) == after
    page.screenshot(path=str(ARTIFACTS / "workspace-change-after.png"), full_page=True)
