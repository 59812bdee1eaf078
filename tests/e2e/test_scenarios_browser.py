"""The scenario runner in a real browser: Debian's Chromium driven by Playwright against
``streamlit run app.py`` on a copy of the sample workspace (fixtures in conftest.py).

Runs an MCLP k = 3 for rural offices, reads the population newly covered and finds each chosen
site on the map by its tooltip. Screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from siting import fmt
from siting.optimize import Scenario, run_scenario
from siting.rules import load_rules
from siting.text import to_ascii_digits
from siting.workspace import Workspace
from ui.components.maps import MAP_HEIGHT
from ui.devserver import map_point, wait_frames, wait_run_done
from ui.i18n import t
from ui.views.mapdata import view_for_bounds
from ui.views.scenarios import MODEL_NAMES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 30_000


def _metric(pg, label: str) -> str:
    box = pg.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_mclp_k3_rural_newly_covered_and_sites_on_the_map(app, page):
    url, ws_path = app
    ws = Workspace.load(ws_path)
    expected = run_scenario(ws, Scenario("mclp", licence_type="rural", k=3,
                                         radius=load_rules().rural.service_radius_m, time_limit=30.0))
    assert len(expected.sites) == 3

    page.goto(f"{url}/scenarios")
    page.get_by_role("heading", name=t("page.scenarios")).wait_for(timeout=TIMEOUT_MS)
    # the sample label (wait_for waits until it is visible: the page renders top-down)
    page.get_by_text("دادهٔ نمونه (ساختگی)").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator('[data-testid="stMain"]').evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.get_by_role("radio", name=MODEL_NAMES["mclp"][0]).check(force=True)
    page.get_by_role("radio", name="ICT روستایی").check(force=True)
    k = page.get_by_label(t("scenario.k"))
    k.fill("3")
    k.press("Enter")
    wait_run_done(page, TIMEOUT_MS)  # the rerun with k = 3 is over (not networkidle: see wait_run_done)
    page.get_by_role("button", name=t("scenario.run")).click()

    # the population newly covered, in Persian digits, equals the library's figure
    page.get_by_role("heading", name=t("scenario.table")).wait_for(timeout=TIMEOUT_MS)
    newly = _metric(page, t("scenario.kpi.newly"))
    assert newly == fmt.number(expected.newly_covered_population)
    assert int(to_ascii_digits(newly).replace("٬", "").replace(",", "")) == round(expected.newly_covered_population)
    assert _metric(page, t("scenario.kpi.sites")) == "۳"

    # each chosen site is on the map: hovering where it is drawn shows its tooltip with its newly covered people
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(timeout=TIMEOUT_MS)
    # the run's page is complete (its map, legend and tables drawn) before the map is hovered: under the
    # full suite's load the layout could still move while the rest of the page was being drawn
    wait_run_done(page, 2 * TIMEOUT_MS)
    view = view_for_bounds(ws.region.total_bounds, width_px=1000, height_px=MAP_HEIGHT)  # maps.deck's fit
    tooltip = page.locator(".deck-tooltip")
    for site in expected.sites:
        text = ""
        for attempt in range(10):  # deck.gl draws in software here (no GPU): hover until picking answers
            canvas.scroll_into_view_if_needed()  # the point is inside the viewport, where the mouse can go
            wait_frames(page)
            x, y = map_point(canvas.bounding_box(), view, site.lon, site.lat)
            page.mouse.move(x - 4 - attempt % 3, y)
            page.mouse.move(x, y)
            try:
                tooltip.wait_for(state="visible", timeout=5_000)
                text = tooltip.inner_text()
                if site.name in text:
                    break
            except PlaywrightTimeout:
                continue
        if site.name not in text:
            page.screenshot(path=str(ARTIFACTS / "e2e-scenarios-hover-failed.png"))
        assert re.search(f"محل پیشنهادی {fmt.number(site.rank)}: {re.escape(site.name)}", text), text
        assert f"جمعیت تازه پوشش‌یافته: {fmt.number(site.newly_covered_population)} نفر" in text

    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": 1400, "height": int(min(max(height, 900), 4000))})
    page.screenshot(path=str(ARTIFACTS / "e2e-scenarios-mclp.png"))
    assert page.external == []  # offline: nothing was fetched from the internet
