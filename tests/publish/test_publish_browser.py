"""The published map in a real browser: Debian's Chromium driven by Playwright (the driver of
tests/e2e, :mod:`ui.devserver`), the site served by Python's ``http.server`` on 127.0.0.1.

Expected answers are computed here, independently of the page: distances with ``pyproj.Geod``
(WGS84), served/unserved from the rules' radii, the gap part from ``siting.gaps.compute_gaps``.
Every request the browser makes is recorded; none may leave 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
import yaml

from siting.gaps import compute_gaps
from siting.publish import publish
from siting.rules import load_rules
from siting.text import to_ascii_digits, to_persian_digits
from ui.devserver import CHROMIUM, launch_browser, new_page, wait_frames

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
GEOD = pyproj.Geod(ellps="WGS84")
TIMEOUT_MS = 30_000


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the base class names it so
        pass


@pytest.fixture(scope="module")
def served(sample_ws, tmp_path_factory):
    """``(url, requests)``: the published sample site on 127.0.0.1; ``requests`` lists every path asked."""
    out = tmp_path_factory.mktemp("published") / "site"
    publish(sample_ws, out, rules=load_rules())
    asked: list[str] = []

    class Handler(_Quiet):
        def do_GET(self):
            asked.append(self.path)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-env.sh (Debian's chromium package)")
    with sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    pg = new_page(browser, height=1100)
    pg.all_requests = []
    pg.on("request", lambda r: pg.all_requests.append(r.url))
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    # and the browser's own network log (Chrome DevTools Protocol), below Playwright's events
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("Network.enable")
    pg.cdp_urls = []
    cdp.on("Network.requestWillBeSent", lambda e: pg.cdp_urls.append(e["request"]["url"]))
    yield pg
    pg.context.close()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready]", timeout=TIMEOUT_MS)
    assert page.get_attribute("body", "data-ready") == "1", page.inner_text("#answer")


def _click_map(page, lon: float, lat: float, zoom: float = 10) -> tuple[float, float]:
    """Centre the map near the spot, click it on screen; return the lon/lat the page answered for."""
    page.evaluate("([lat, lon, z]) => { siting.map.stop(); siting.map.setView([lat, lon], z, {animate: false}); }",
                  [lat, lon, zoom])
    wait_frames(page)
    pt = page.evaluate("([lat, lon]) => { const p = siting.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
                       [lat, lon])
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + pt[0], box["y"] + pt[1])
    page.wait_for_selector("#answer-point", timeout=TIMEOUT_MS)
    spot = page.evaluate("() => siting.lastSpot()")
    assert abs(spot["lon"] - lon) < 0.01 and abs(spot["lat"] - lat) < 0.01  # the click landed where aimed
    return spot["lon"], spot["lat"]


def _km_fa(m: float) -> str:
    """The page's rounding of a distance, in Persian digits."""
    return to_persian_digits(f"{round(m / 10) * 10:,}") + " متر" if m < 1000 else to_persian_digits(f"{m / 1000:.1f}") + " کیلومتر"


def _nearest(ws, lon: float, lat: float, licence_type: str) -> tuple[str, float]:
    o = ws.offices[(ws.offices["status"] == "active") & (ws.offices["licence_type"] == licence_type)]
    _, _, d = GEOD.inv(np.full(len(o), lon), np.full(len(o), lat), o.geometry.x.to_numpy(), o.geometry.y.to_numpy())
    i = int(np.argmin(d))
    return str(o["name"].iat[i]), float(d[i])


def _shown_km(text: str) -> float:
    """The distance a sentence shows (Persian or ASCII digits), in km."""
    m = re.search(r"(?:فاصلهٔ مستقیم|is) (\d+(?:\.\d+)?) (کیلومتر|km|متر|m)\b", to_ascii_digits(text))
    return float(m.group(1)) / (1 if m.group(2) in ("کیلومتر", "km") else 1000)


def _open_spot(ws, rules) -> tuple[float, float]:
    """A spot inside a county, at least 3 km farther than the radius from every active office of
    each type, and at least 2 km inside the exact urban and rural gap parts."""
    radii = rules.radii()
    minx, miny, maxx, maxy = ws.region.total_bounds
    gaps = {t: compute_gaps(ws, rules, licence_type=t) for t in ("urban", "rural")}
    for lat in np.arange(miny + 0.3, maxy - 0.3, 0.1):
        for lon in np.arange(minx + 0.3, maxx - 0.3, 0.1):
            if ws.county_of(lon, lat)[0] is None:
                continue
            if all(_nearest(ws, lon, lat, t)[1] > radii[t] + 3000 for t in radii) and all(
                    g.geometry.contains(shapely.Point(lon, lat).buffer(0.02)).any() for g in gaps.values()):
                return float(lon), float(lat)
    raise AssertionError("no open spot in the sample workspace")


def test_search_click_covered_and_open_spots_english_and_no_external_request(served, page, sample_ws):
    url, asked = served
    rules = load_rules()
    ws = sample_ws
    _open(page, url)
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
    banner = page.locator("#sample-banner")
    assert banner.is_visible() and "داده‌های نمونه" in banner.inner_text()

    # 1. search a village typed with Arabic ي/ك, a ZWNJ for the space and Persian digits
    v = ws.settlements[(ws.settlements["kind"] == "village") & ws.settlements["name_fa"].str.contains(" ")
                       & ws.settlements["name_fa"].str.contains("ی")].iloc[0]
    typed = to_persian_digits(v["name_fa"].replace("ی", "ي").replace("ک", "ك").replace(" ", "\u200c"))
    assert typed != v["name_fa"]
    page.fill("#search", typed)
    first = page.locator("#search-results button").first
    first.wait_for(timeout=TIMEOUT_MS)
    assert first.inner_text().startswith(v["name_fa"])
    first.click()
    assert page.inner_text("#selected") == f"انتخاب‌شده: {v['name_fa']} (روستا، شهرستان {v['county']})"
    spot = page.evaluate("() => siting.lastSpot()")
    assert (round(spot["lon"], 5), round(spot["lat"], 5)) == (round(v.geometry.x, 5), round(v.geometry.y, 5))
    assert to_persian_digits(f"{v.geometry.y:.5f}") in page.inner_text("#answer-point")

    # 2. a covered spot: about 1.2 km north-east of an active urban office
    office = ws.offices[(ws.offices["licence_type"] == "urban") & (ws.offices["status"] == "active")].iloc[0]
    lon0, lat0, _ = GEOD.fwd(office.geometry.x, office.geometry.y, 45, 1200)
    lon, lat = _click_map(page, lon0, lat0, zoom=12)
    name, d = _nearest(ws, lon, lat, "urban")
    assert d <= rules.radii()["urban"]
    text = page.inner_text("#answer-urban")
    assert text.startswith("دفتر پیشخوان شهری: بله، به این نقطه خدمت می‌شود")
    assert f"«{name}»" in text and f"در فاصلهٔ مستقیم {_km_fa(d)} است" in text, (text, d)
    assert abs(_shown_km(text) - d / 1000) <= 0.05 + 1e-9
    assert page.inner_text("#gap-urban") == "این نقطه در منطقهٔ فاقد دفتر پیشخوان شهری نیست."
    assert "گام بعد: دفترهای موجود به این نقطه خدمت می‌دهند" in page.inner_text("#answer-next")

    # 3. an open spot: no office of either type within its radius; in a gap of each type
    lon0, lat0 = _open_spot(ws, rules)
    lon, lat = _click_map(page, lon0, lat0, zoom=9)
    for t, label in (("urban", "پیشخوان شهری"), ("rural", "ICT روستایی")):
        name, d = _nearest(ws, lon, lat, t)
        radius_km = to_persian_digits(f"{rules.radii()[t] / 1000:g}")
        text = page.inner_text(f"#answer-{t}")
        assert text.startswith(f"دفتر {label}: خیر، هیچ دفتر فعالی تا شعاع {radius_km} کیلومتر به این نقطه خدمت نمی‌دهد")
        assert f"«{name}»، در فاصلهٔ مستقیم {_km_fa(d)} است" in text, (text, d)
        assert abs(_shown_km(text) - d / 1000) <= 0.05 + 1e-9
        part = compute_gaps(ws, rules, licence_type=t)
        part = part[part.geometry.contains(shapely.Point(lon, lat))].iloc[0]
        assert page.inner_text(f"#gap-{t}") == (
            f"این نقطه در منطقهٔ فاقد دفتر {label} است (منطقهٔ شمارهٔ {to_persian_digits(part['rank'])} در شهرستان "
            f"{part['county']}؛ جمعیت بدون پوشش: {to_persian_digits(f'{part.uncovered_population:,}')} نفر).")
    nxt = page.locator("#answer-next")
    assert nxt.inner_text().startswith("گام بعد: اگر می‌خواهید اینجا دفتر پیشخوان شهری و ICT روستایی دایر کنید")
    nxt.get_by_role("link").click()
    assert page.evaluate("() => location.hash") == "#steps"
    steps = yaml.safe_load((ROOT / "siting/tracker/workflow.yaml").read_text(encoding="utf-8"))["steps"]
    request_step = next(s for s in steps if s["id"] == "request")
    assert page.locator("#step-request").inner_text().startswith(request_step["fa"])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "publish-fa.png"))

    # 4. English: left to right, the same answer in English with ASCII digits, the banner in English
    page.click("#lang-switch")
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["en", "ltr"]
    assert "SAMPLE data (synthetic, not official)" in banner.inner_text()
    name, d = _nearest(ws, lon, lat, "rural")
    text = page.inner_text("#answer-rural")
    assert text.startswith("rural ICT office: no, no active office serves this point within 10 km")
    assert f"“{name}”, is {d / 1000:.1f} km away in a straight line" in text
    assert not re.search("[۰-۹]", page.inner_text("#answer"))
    part = compute_gaps(ws, rules, licence_type="rural")
    part = part[part.geometry.contains(shapely.Point(lon, lat))].iloc[0]
    county_en = ws.counties.loc[ws.counties["name_fa"] == part["county"], "name_en"].iat[0]
    assert page.inner_text("#gap-rural") == (
        f"This point lies in an area with no rural ICT office (area no. {part['rank']} in {county_en} county; "
        f"population without service: {part.uncovered_population:,}).")
    assert page.input_value("#search") == (v["name_en"] or v["name_fa"])  # the selected village, in English
    assert page.locator("#step-request").inner_text().startswith(request_step["en"])
    page.screenshot(path=str(ARTIFACTS / "publish-en.png"))

    # 5. nothing left the machine; every request went to this server
    assert page.errors == []
    assert page.external == []
    assert page.all_requests and all(r.startswith(url) for r in page.all_requests)
    assert len(page.cdp_urls) >= 8 and all(r.startswith((url, "data:")) for r in page.cdp_urls), page.cdp_urls
    assert {"/data/meta.json", "/data/gaps.geojson", "/vendor/leaflet/leaflet.js"} <= set(asked)


@contextmanager
def _serve(folder: Path):
    """``folder`` on a static server on 127.0.0.1 while the block runs; yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_request_recorder_sees_a_configured_basemap(sample_ws, page, tmp_path):
    """The control of the test above: with a basemap URL the same recorder does list outside requests."""
    out = tmp_path / "site"
    publish(sample_ws, out, rules=load_rules(), basemap_url="http://tiles.invalid/{z}/{x}/{y}.png")
    with _serve(out) as url:
        _open(page, url)
        page.wait_for_timeout(500)
    assert page.external and all(u.startswith("http://tiles.invalid/") for u in page.external)
    assert any(u.startswith("http://tiles.invalid/") for u in page.cdp_urls)


def test_names_are_shown_as_text_never_as_markup(sample_ws, page, tmp_path):
    o = sample_ws.offices.copy()
    evil = '<img src=x onerror="window.pwned=1">'
    active_urban = o.index[(o["licence_type"] == "urban") & (o["status"] == "active")][0]
    o.loc[active_urban, "name"] = evil
    ws = sample_ws.with_layer("offices", o)
    out = tmp_path / "site"
    publish(ws, out, rules=load_rules())
    lon, lat = o.geometry[active_urban].x, o.geometry[active_urban].y
    with _serve(out) as url:
        _open(page, url)
        _click_map(page, lon, lat, zoom=12)  # on the office itself: its tooltip opens, the answer names it
        page.wait_for_selector(".leaflet-tooltip", timeout=TIMEOUT_MS)
        assert evil in page.inner_text(".leaflet-tooltip")
        assert f"«{evil}»" in page.inner_text("#answer-urban")
        assert page.evaluate("() => window.pwned") is None
        assert page.locator("#answer img, .leaflet-tooltip img, #offices img").count() == 0
    assert page.errors == [] and page.external == []
