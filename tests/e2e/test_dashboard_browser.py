"""End to end in a real browser: Debian's Chromium driven by Playwright against ``streamlit run app.py``.

The server runs on 127.0.0.1 on a free port with a temporary copy of the
sample workspace (fixtures in conftest.py). Screenshots go to ``test-artifacts/``
(git-ignored). Every flow also checks that the browser asked nothing of the internet.
"""

from __future__ import annotations

import re
from pathlib import Path

import h3
import numpy as np
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from siting import fmt
from siting.coverage import compute_coverage
from siting.geo import geodesic_distance
from siting.reports.html import status_label
from siting.rules import load_rules
from siting.rules.validate import validate_site
from siting.text import to_ascii_digits, to_persian_digits
from siting.workspace import Workspace
from ui.components.maps import COLUMN_MAP_WIDTH, MAP_HEIGHT
from ui.devserver import map_point, wait_frames, wait_run_done
from ui.i18n import t
from ui.views.picking import COARSE_RESOLUTION, pick_cells
from ui.views.planning import RuleOverrides

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PROPOSALS = ROOT / "data" / "sample" / "proposals.csv"
TIMEOUT_MS = 60_000  # a shared 2-core machine running the whole suite


def _ready(pg, title: str) -> None:
    """The page's title is shown and its script run has finished."""
    pg.get_by_role("heading", name=title).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(pg, TIMEOUT_MS)


def _candidate(pg) -> tuple[str, float, float]:
    """The candidate line: its text and the latitude/longitude it shows (Persian digits)."""
    text = pg.get_by_text("محل پیشنهادی:").first.inner_text()
    nums = re.findall(r"[0-9]+\.[0-9]+", to_ascii_digits(text))
    return text, float(nums[0]), float(nums[1])


def _open_gap_cell(ws: Workspace, view) -> str:
    """An urban-gap cell to click: its three rings of neighbours are gap cells too, no settlement symbol
    lies within 10 km nor an office within 15 km (so the click lands on the cell, not on a symbol
    drawn above it), and it is the nearest such cell to the map's centre."""
    cells = pick_cells(ws, load_rules(), licence_type="urban")
    gap = set(cells["h3"])
    ok = cells[[set(h3.grid_disk(c, 3)) <= gap for c in cells["h3"]]]
    s, o = ws.settlements.geometry, ws.offices.geometry
    ok = ok.assign(d2=(ok["lon"] - view.lon) ** 2 + (ok["lat"] - view.lat) ** 2).sort_values("d2")
    for cell, lon, lat in zip(ok["h3"], ok["lon"], ok["lat"], strict=True):
        if (geodesic_distance(np.full(len(s), lon), np.full(len(s), lat), s.x, s.y).min() > 10_000
                and geodesic_distance(np.full(len(o), lon), np.full(len(o), lat), o.x, o.y).min() > 15_000):
            return cell
    raise AssertionError("no open gap cell to click in the sample workspace")


def test_applicant_flow_pick_on_the_map_then_type_a_point(app, page):
    url, ws_path = app
    ws = Workspace.load(ws_path)
    page.sent = []  # sizable messages the browser sent the server (a widget's new state)
    page.on("websocket", lambda sock: sock.on(
        "framesent", lambda payload: page.sent.append(len(payload)) if len(payload) > 200 else None))
    page.goto(url)
    _ready(page, t("page.applicant", "fa"))
    assert page.locator('[data-testid="stMain"]').evaluate("e => getComputedStyle(e).direction") == "rtl"
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(timeout=TIMEOUT_MS)

    # 1. click the map on a gap cell: where it is on screen follows from the view the page fits to the region
    from ui.views.mapdata import view_for_bounds

    view = view_for_bounds(ws.region.total_bounds, width_px=COLUMN_MAP_WIDTH, height_px=MAP_HEIGHT)
    cell = _open_gap_cell(ws, view)
    lat, lon = h3.cell_to_latlng(cell)
    box = canvas.bounding_box()
    x, y = map_point(box, view, lon, lat)
    # Without a GPU, Chromium rasterises WebGL in software (SwiftShader) and deck.gl's first draws keep
    # the page busy for seconds. deck.gl counts a press as a click only when its pointer-down and -up are
    # handled within 250 ms of each other, and a software draw or pick between the two can take longer,
    # so a click can be lost, as a person's would be on such a machine (the page keeps the gap and
    # county polygons out of picking to keep that pick short: ~70 ms instead of 750). A click deck.gl took sends the selection to the server
    # at once: so click, and if no selection left the browser within 5 s, hover and click again; once
    # one left, wait for the server's answer.
    chosen = "محل پیشنهادی: شش‌ضلعی نقشه"
    for attempt in range(8):
        wait_frames(page)
        page.mouse.move(x - 3, y)
        page.mouse.move(x, y)
        page.locator(".deck-tooltip").wait_for(timeout=TIMEOUT_MS)
        assert "روستا" not in page.locator(".deck-tooltip").inner_text()  # a hexagon, not a symbol
        page.wait_for_timeout(1000)  # let the hover's highlight draw finish
        wait_frames(page)
        before = len(page.sent)
        page.mouse.click(x, y)
        for _ in range(20):
            if len(page.sent) > before or page.get_by_text(chosen).count():
                break
            page.wait_for_timeout(250)
        if len(page.sent) > before or page.get_by_text(chosen).count():
            page.get_by_text(chosen).wait_for(timeout=60_000)
            print(f"map click chose the site at attempt {attempt + 1}")
            break
        print(f"map click {attempt + 1} was not taken as a click by deck.gl; again")
    else:
        raise AssertionError("eight clicks on the map chose no site")
    _, got_lat, got_lon = _candidate(page)
    picked = h3.latlng_to_cell(got_lat, got_lon, COARSE_RESOLUTION)
    assert picked in h3.grid_disk(cell, 1)  # the clicked cell (or, at worst, its neighbour)
    assert h3.cell_to_latlng(picked) == pytest.approx((got_lat, got_lon), abs=1e-5)  # its centre is the site
    page.get_by_role("heading", name=t("report.title", "fa")).wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "e2e-applicant-map-pick.png"), full_page=True)

    # 2. type a point in Persian digits and validate it
    site_lat, site_lon = 33.96396, 58.32945  # sample proposal SMP-P02, a rural site
    page.get_by_role("radio", name="ICT روستایی").check(force=True)
    page.get_by_role("tab", name=t("applicant.tab_coords", "fa")).click()
    page.get_by_label(t("applicant.lat", "fa"), exact=True).fill(to_persian_digits("33.96396").replace(".", "٫"))
    page.get_by_label(t("applicant.lon", "fa"), exact=True).fill(to_persian_digits("58.32945").replace(".", "٫"))
    page.get_by_role("button", name=t("applicant.check_point", "fa")).click()
    page.get_by_text("محل پیشنهادی: مختصات واردشده").wait_for(timeout=TIMEOUT_MS)
    _, got_lat, got_lon = _candidate(page)
    assert (got_lat, got_lon) == (site_lat, site_lon)
    expected = validate_site(ws, load_rules(), licence_type="rural", lon=site_lon, lat=site_lat)
    page.get_by_text(t(f"report.status.{expected.status}", "fa")).wait_for(timeout=TIMEOUT_MS)
    rules_table = page.locator('[data-testid="stTable"]').first.inner_text()
    for rule in expected.rules:
        assert rule.title_fa in rules_table and status_label(rule.status) in rules_table
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "e2e-applicant-typed.png"), full_page=True)

    # 3. bad input: a point outside the province is refused with a message
    page.get_by_label(t("applicant.lat", "fa"), exact=True).fill("35.6892")
    page.get_by_label(t("applicant.lon", "fa"), exact=True).fill("51.3890")
    page.get_by_role("button", name=t("applicant.check_point", "fa")).click()
    page.get_by_text("بیرون از استان است").wait_for(timeout=TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []  # offline: nothing was fetched from the internet


def test_a_settlement_picked_on_the_map_is_the_site(app, page):
    """The settlements travel to the browser as a ``data:`` URL that deck.gl loads itself (maps.packed):
    a click on a town's symbol still sends that town's record back, and the site is the town."""
    url, ws_path = app
    ws = Workspace.load(ws_path)
    page.goto(url)
    _ready(page, t("page.applicant", "fa"))
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for(timeout=TIMEOUT_MS)
    from ui.views.mapdata import view_for_bounds

    view = view_for_bounds(ws.region.total_bounds, width_px=COLUMN_MAP_WIDTH, height_px=MAP_HEIGHT)
    s = ws.settlements
    # the town farthest from any other settlement, so that its symbol is the only thing under the pointer
    xs, ys = s.geometry.x.to_numpy(), s.geometry.y.to_numpy()
    nearest = [np.delete(geodesic_distance(np.full(len(s), x0), np.full(len(s), y0), xs, ys), i).min()
               for i, (x0, y0) in enumerate(zip(xs, ys, strict=True))]
    towns = [i for i in np.argsort(nearest)[::-1] if s["kind"].iat[i] == "city"]
    town = s.iloc[int(towns[0])]
    box = canvas.bounding_box()
    x, y = map_point(box, view, town.geometry.x, town.geometry.y)
    chosen = f"محل پیشنهادی: {town['name_fa']}"
    for attempt in range(8):
        wait_frames(page)
        page.mouse.move(x - 2, y)
        page.mouse.move(x, y)
        page.locator(".deck-tooltip").wait_for(timeout=TIMEOUT_MS)
        assert town["name_fa"] in page.locator(".deck-tooltip").inner_text()  # the town's own tooltip
        wait_frames(page)
        page.mouse.click(x, y)
        try:
            page.get_by_text(chosen).wait_for(timeout=8_000)
            break
        except PlaywrightTimeout:
            print(f"map click {attempt + 1} on the town was not taken; again")
    else:
        raise AssertionError("eight clicks on the town chose no site")
    _, got_lat, got_lon = _candidate(page)
    assert (got_lon, got_lat) == pytest.approx((town.geometry.x, town.geometry.y), abs=1e-5)
    page.get_by_role("heading", name=t("report.title", "fa")).wait_for(timeout=TIMEOUT_MS)
    assert page.external == []


def test_working_group_flow_load_proposals_and_see_the_conflict(app, page, tmp_path):
    url, _ = app
    page.goto(f"{url}/working-group")
    _ready(page, t("page.working_group", "fa"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(PROPOSALS))
    page.get_by_text("۹ درخواست از «proposals.csv» خوانده شد.").wait_for(timeout=TIMEOUT_MS)
    alert = page.get_by_text(t("wg.conflicts", "fa"))
    alert.wait_for(timeout=TIMEOUT_MS)
    pairs = page.locator('[data-testid="stTable"]').filter(has_text="در تداخل با").first.inner_text()
    assert re.search(r"SMP-P07\s+SMP-P08", pairs) and re.search(r"SMP-P01\s+SMP-P09", pairs)
    page.get_by_role("heading", name=t("wg.table", "fa")).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas')
    assert canvas.count() == 0  # the map is drawn on request
    page.get_by_text(t("wg.show_map", "fa"), exact=True).click()
    canvas.first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(ARTIFACTS / "e2e-working-group.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    # the last action wins: "clear" drops the uploaded file and empties the uploader, so that the file
    # does not come back on the next rerun; a file put in the uploader afterwards is taken again
    uploader = page.locator('[data-testid="stFileUploader"]')
    assert uploader.get_by_text("proposals.csv").count() == 1
    page.get_by_role("button", name=t("wg.clear", "fa")).click()
    page.get_by_text(t("wg.none", "fa")).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)
    assert uploader.get_by_text("proposals.csv").count() == 0
    page.get_by_role("radio", name="English").check(force=True)  # a rerun (in English): still nothing loaded
    page.get_by_text(t("wg.none", "en")).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)
    assert canvas.count() == 0 and page.get_by_role("heading", name=t("wg.table", "en")).count() == 0
    head, *rows = PROPOSALS.read_text(encoding="utf-8").splitlines()
    mine = tmp_path / "mine.csv"
    mine.write_text("\n".join([head, *(r.replace("SMP-P0", "UPL-") for r in rows[:3])]) + "\n", encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(mine))
    page.get_by_text(t("wg.loaded", "en", n="3", file="mine.csv")).wait_for(timeout=TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []


def test_planner_slider_in_a_persian_browser(app, page):
    """In a browser whose language is Persian the slider reads right to left (its minimum at the right)
    and agrees with the pointer; moving it recomputes the coverage shown."""
    url, ws_path = app
    page.goto(f"{url}/planner")
    _ready(page, t("page.planner", "fa"))
    assert page.evaluate("document.documentElement.getAttribute('data-siting-locale-dir')") == "rtl"
    slider = page.locator('[data-testid="stSlider"]').first  # urban service radius, 0.5 to 50 km
    track = slider.locator('[role="group"] > [data-orientation="horizontal"]')
    box = track.bounding_box()
    thumb = slider.locator('[data-testid="stSliderThumbValue"]').bounding_box()
    assert thumb["x"] > box["x"] + box["width"] / 2  # 3 km of 0.5–50: near the minimum, at the right
    wait_frames(page)
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] / 2)  # 80 % of the way from the right
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSliderThumbValue\"]').innerText.startsWith('۳٫۰۰')",
        timeout=TIMEOUT_MS)
    shown = slider.locator('[data-testid="stSliderThumbValue"]').inner_text()
    assert not re.search("[0-9]", shown)  # Persian digits in Persian mode (issue 15)
    km = float(to_ascii_digits(shown).replace("٫", "."))
    assert 30 <= km <= 50
    moved = RuleOverrides.of({"urban": {"service_radius_m": km * 1000}}).apply(load_rules())
    covered = fmt.number(compute_coverage(Workspace.load(ws_path), moved).totals["covered_population"])
    page.get_by_text(covered, exact=True).wait_for(timeout=TIMEOUT_MS)  # the metric shows the recomputed figure
    wait_frames(page)
    page.screenshot(path=str(ARTIFACTS / "e2e-planner-slider.png"), full_page=True)
    assert page.external == []


def test_english_switch_turns_the_page_left_to_right(app, page):
    url, _ = app
    page.goto(f"{url}/planner")
    _ready(page, t("page.planner", "fa"))
    page.get_by_role("radio", name="English").check(force=True)
    _ready(page, t("page.planner", "en"))
    assert page.locator('[data-testid="stMain"]').evaluate("e => getComputedStyle(e).direction") == "ltr"
    page.screenshot(path=str(ARTIFACTS / "e2e-planner-english.png"), full_page=True)
    assert page.external == []
