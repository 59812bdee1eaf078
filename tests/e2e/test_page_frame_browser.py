"""Issue 15 (U1) in a real browser: the page's language and direction on <html>, the file uploader's
words in Persian with the real limit, and the applicant's page on a 390 px phone (the sidebar does not
cover the content; a typed point gives its report). Screenshots in ``test-artifacts/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.rules import load_rules
from siting.rules.validate import validate_site
from siting.text import to_persian_digits
from siting.workspace import Workspace
from ui.devserver import new_page, wait_frames, wait_run_done
from ui.i18n import t
from ui.views.upload import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 60_000  # a shared 2-core machine running the whole suite


def _ready(pg, title: str) -> None:
    pg.get_by_role("heading", name=title).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(pg, TIMEOUT_MS)


def _root(pg) -> list[str]:
    return pg.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")


def test_html_lang_and_dir_follow_the_language_and_the_uploader_speaks_persian(app, page):
    url, _ = app
    page.goto(f"{url}/working-group")
    _ready(page, t("page.working_group", "fa"))
    page.wait_for_function("() => document.documentElement.lang === 'fa'", timeout=TIMEOUT_MS)
    assert _root(page) == ["fa", "rtl"]
    zone = page.locator('[data-testid="stFileUploaderDropzone"]').first
    zone.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stFileUploaderDropzone\"]').innerText.includes('Upload')",
        timeout=TIMEOUT_MS)
    text = zone.inner_text()
    mb = MAX_UPLOAD_BYTES // 1_048_576
    assert "انتخاب فایل" in text and f"حداکثر {to_persian_digits(str(mb))} مگابایت" in text, text
    assert "Upload" not in text and "per file" not in text and "Drag and drop" not in text, text
    wait_frames(page)
    zone.screenshot(path=str(ARTIFACTS / "e2e-uploader-fa.png"))

    page.get_by_role("radio", name="English").check(force=True)
    _ready(page, t("page.working_group", "en"))
    page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=TIMEOUT_MS)
    assert _root(page) == ["en", "ltr"]
    assert f"{mb}MB per file" in page.locator('[data-testid="stFileUploaderDropzone"]').first.inner_text()
    assert page.external == []


def test_a_phone_390px_wide_checks_a_typed_point_without_the_sidebar_in_the_way(app, browser):
    url, ws_path = app
    phone = new_page(browser, width=390, height=844)
    try:
        phone.goto(url)
        _ready(phone, t("page.applicant", "fa"))
        wait_frames(phone)
        sidebar = phone.locator('[data-testid="stSidebar"]')
        main = phone.locator('[data-testid="stMain"]')
        box = sidebar.bounding_box()
        # collapsed on a narrow screen: off-screen or zero width, never over the content
        assert box is None or box["width"] < 5 or box["x"] >= 390 or box["x"] + box["width"] <= 0, box
        assert not phone.locator('[data-testid="stSidebarUserContent"]').is_visible()  # nothing spills over
        assert not phone.get_by_text(t("app.language", "fa")).is_visible()
        title = phone.get_by_role("heading", name=t("page.applicant", "fa")).bounding_box()
        assert title is not None and title["x"] >= 0 and title["x"] + title["width"] <= 390
        assert main.evaluate("e => e.scrollWidth") <= 390 + 1  # nothing wider than the phone

        site_lat, site_lon = 33.96396, 58.32945  # sample proposal SMP-P02
        phone.get_by_role("tab", name=t("applicant.tab_coords", "fa")).click()
        phone.get_by_label(t("applicant.lat", "fa"), exact=True).fill(to_persian_digits(str(site_lat)))
        phone.get_by_label(t("applicant.lon", "fa"), exact=True).fill(to_persian_digits(str(site_lon)))
        phone.get_by_role("button", name=t("applicant.check_point", "fa")).click()
        phone.get_by_role("heading", name=t("report.title", "fa")).wait_for(timeout=60_000)
        ws = Workspace.load(ws_path)
        # the page's licence type is urban by default (sidebar); the report says the library's result
        expected = validate_site(ws, load_rules(), licence_type="urban", lon=site_lon, lat=site_lat)
        status = phone.locator('[data-testid="stAlert"]').filter(
            has_text=t(f"report.status.{expected.status}", "fa")).first
        status.wait_for(timeout=60_000)  # the shared test machine can be slow
        sbox = status.bounding_box()
        assert sbox is not None and sbox["x"] >= -1 and sbox["x"] + sbox["width"] <= 391  # readable, not cut
        wait_frames(phone)
        phone.screenshot(path=str(ARTIFACTS / "e2e-applicant-phone-390.png"), full_page=True)
        # the sidebar (language, navigation) opens on demand
        phone.locator('[data-testid="stExpandSidebarButton"]').click()
        phone.get_by_text(t("app.language", "fa")).wait_for(timeout=TIMEOUT_MS)
        assert phone.external == []
    finally:
        phone.context.close()
