"""Take the README's screenshots of every dashboard page, on the bundled SAMPLE workspace.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png

The sample workspace is built afresh in a temporary folder from
data/sources/sample.yaml (never the reference data, which must not be
committed in any form), so the sample banner shows on every page. Uses
Debian's Chromium (scripts/test-env.sh installs it) through Playwright.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from siting.manifest import init_workspace  # noqa: E402
from siting.text import to_persian_digits  # noqa: E402
from siting.tracker.sample import build_sample_tracker, demo_account  # noqa: E402
from ui.devserver import launch_browser, running_app  # noqa: E402
from ui.i18n import t  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WIDTH = 1360
TIMEOUT_MS = 30_000
DEMO_OFFICES = (
    "office_id,name,licence_type,status,lat,lon\n"
    "NEW-1,دفتر تازهٔ نمونه,روستایی,فعال,۳۳٫۹۶۳۹۶,۵۸٫۳۲۹۴۵\n"
    "NEW-2,دفتر بیرون از استان,روستایی,فعال,35.6892,51.3890\n"
    "NEW-3,دفتر بی‌مختصات,شهری,فعال,,59.21\n"
)


def _settle(page: Page, title: str) -> None:
    page.get_by_role("heading", name=title).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(2500)  # deck.gl draws after the page settles


def _shot(page: Page, name: str) -> None:
    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": int(min(max(height, 900), 4000))})
    page.wait_for_timeout(1500)
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    # a 256-colour palette keeps text and maps sharp at a third of the size
    Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def _sign_in(page: Page, username: str) -> None:
    acc = demo_account(username)
    page.get_by_label(t("tracker.username")).fill(acc.username)
    page.get_by_label(t("tracker.password")).fill(acc.password)
    page.get_by_role("button", name=t("tracker.signin")).click()


def _staff_pages(page: Page, url: str) -> None:
    """The working group's agenda (signed in as the demo member) and the directorate's queue (the demo expert)."""
    page.goto(f"{url}/agenda")
    _settle(page, t("page.tracker_agenda"))
    _sign_in(page, "demo-wg")
    _settle(page, t("tracker.staff.agenda_table"))
    _shot(page, "tracker-agenda")

    page.goto(f"{url}/queue")  # a new browser session: sign in again
    _settle(page, t("page.tracker_queue"))
    _sign_in(page, "demo-expert")
    page.get_by_role("tab", name=t("tracker.staff.tab_renewals")).wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("tab").filter(has_text="عقب‌افتاده").click()
    _settle(page, t("page.tracker_queue"))
    _shot(page, "tracker-queue")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "sample.gpkg"
        report = init_workspace(ROOT / "data" / "sources" / "sample.yaml", workspace=ws)
        assert report.sample, "screenshots are taken on the SAMPLE workspace only"
        demo = Path(tmp) / "دفاتر-تازه.csv"
        demo.write_text(DEMO_OFFICES, encoding="utf-8")
        # the tracker pages: the SAMPLE tracker database (demo accounts), built afresh as well
        tracker_url = f"sqlite:///{Path(tmp) / 'sample-tracker.db'}"
        build_sample_tracker(tracker_url, ws, files_dir=Path(tmp) / "sample-uploads")
        env = {"DATABASE_URL": tracker_url, "SITING_TRACKER_FILES": str(Path(tmp) / "sample-uploads")}
        with running_app(ws, env=env) as url, sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": WIDTH, "height": 1000}, locale="fa-IR")

            page.goto(url)
            _settle(page, t("page.applicant"))
            page.get_by_role("radio", name="ICT روستایی").check(force=True)
            page.get_by_role("tab", name=t("applicant.tab_coords")).click()
            page.get_by_label(t("applicant.lat")).fill(to_persian_digits("33.96396").replace(".", "٫"))
            page.get_by_label(t("applicant.lon")).fill(to_persian_digits("58.32945").replace(".", "٫"))
            page.get_by_role("button", name=t("applicant.check_point")).click()
            _settle(page, t("report.title"))
            _shot(page, "applicant")

            page.goto(f"{url}/working-group")
            _settle(page, t("page.working_group"))
            page.get_by_role("button", name=t("wg.use_sample")).click()
            _settle(page, t("wg.table"))
            _shot(page, "working-group")

            page.goto(f"{url}/planner")
            _settle(page, t("page.planner"))
            _shot(page, "planner")

            page.goto(f"{url}/scenarios")
            _settle(page, t("page.scenarios"))
            for k in ("10", "3"):  # two MCLP runs for rural offices: the scenario table holds both
                page.get_by_label(t("scenario.k")).fill(k)
                page.get_by_label(t("scenario.k")).press("Enter")
                page.wait_for_load_state("networkidle")
                page.get_by_role("button", name=t("scenario.run")).click()
                _settle(page, t("scenario.table"))
            _shot(page, "scenarios")

            page.goto(f"{url}/data")
            _settle(page, t("page.data"))
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(demo))
            page.get_by_role("button", name=t("data.confirm")).wait_for(timeout=TIMEOUT_MS)
            _settle(page, t("page.data"))
            _shot(page, "data")

            _staff_pages(page, url)
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
