"""Take the README's screenshots of every dashboard page, on the bundled SAMPLE workspace.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png
    .venv/bin/python scripts/screenshots.py tracker-applicant   # only the tracker's applicant page
    .venv/bin/python scripts/screenshots.py tracker-agenda tracker-queue   # only the staff pages

The tracker's pages are taken on a SAMPLE tracker database built in the same
temporary folder (siting.samples.tracker), signed in with a demo account; so is
the Data page, whose uploader shows only to a signed-in data steward (the demo
account ``demo-steward``).

The sample workspace is built afresh in a temporary folder from
data/sources/sample.yaml (never the reference data, which must not be
committed in any form), so the sample banner shows on every page. Uses
Debian's Chromium (scripts/test-env.sh installs it) through Playwright.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from siting.io.manifest import init_workspace  # noqa: E402
from siting.samples.tracker import build_sample_tracker, demo_account  # noqa: E402
from siting.text import to_persian_digits  # noqa: E402
from siting.workspace import Workspace  # noqa: E402
from ui.devserver import launch_browser, running_app, wait_run_done  # noqa: E402
from ui.i18n import t  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WIDTH = 1360
TIMEOUT_MS = 120_000  # a shared 2-core machine: the first map draw can take a minute
DEMO_OFFICES = (
    "office_id,name,licence_type,status,lat,lon\n"
    "NEW-1,دفتر تازهٔ نمونه,روستایی,فعال,۳۳٫۹۶۳۹۶,۵۸٫۳۲۹۴۵\n"
    "NEW-2,دفتر بیرون از استان,روستایی,فعال,35.6892,51.3890\n"
    "NEW-3,دفتر بی‌مختصات,شهری,فعال,,59.21\n"
)


def _settle(page: Page, title: str) -> None:
    page.get_by_role("heading", name=title).first.wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)  # not networkidle: a page with a map can keep a request open
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
    page.get_by_label(t("tracker.username"), exact=True).fill(acc.username)
    page.get_by_label(t("tracker.password"), exact=True).fill(acc.password)
    page.get_by_role("button", name=t("tracker.signin"), exact=True).click()
    page.get_by_text(t("tracker.signed_in_as", name=acc.display_name, role=t(f"role.{acc.role}"))).wait_for(
        timeout=TIMEOUT_MS)


def tracker_screens(ws: Path, tmp: Path, only: set[str]) -> None:
    """The tracker's pages on a SAMPLE tracker database (demo accounts)."""
    db = tmp / "sample-tracker.db"
    files = tmp / "sample-uploads"
    made = build_sample_tracker(f"sqlite:///{db}", Workspace.load(ws), files_dir=files, now=datetime.now(UTC))
    env = {"DATABASE_URL": f"sqlite:///{db}", "SITING_TRACKER_FILES": str(files)}
    with running_app(ws, env=env) as url, sync_playwright() as pw:
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": WIDTH, "height": 1000}, locale="fa-IR")
        page.set_default_timeout(TIMEOUT_MS)
        if "tracker-applicant" in only:
            page.goto(f"{url}/my-applications")
            _settle(page, t("page.tracker_my_applications"))
            _sign_in(page, "demo-zahra")
            choice = t("tracker.app.choice", id=to_persian_digits(str(made.applications["returned"])),
                       status="عودت‌شده به متقاضی", licence="ICT روستایی")
            page.locator('[data-testid="stSelectbox"]').filter(has_text=t("tracker.app.choose")).first.click()
            page.get_by_role("option", name=choice).click()
            _settle(page, t("tracker.app.decisions"))
            _shot(page, "tracker-applicant")
        if "tracker-agenda" in only:  # the working group's agenda, as the demo member
            page.goto(f"{url}/agenda")
            _settle(page, t("page.tracker_agenda"))
            _sign_in(page, "demo-wg")
            _settle(page, t("tracker.staff.agenda_table"))
            page.get_by_text(t("tracker.staff.agenda_show_map"), exact=True).click()  # the map is drawn on request
            page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(timeout=120_000)
            _settle(page, t("tracker.staff.agenda_table"))
            _shot(page, "tracker-agenda")
        if "tracker-queue" in only:  # the directorate's overdue steps, as the demo expert
            page.goto(f"{url}/queue")
            _settle(page, t("page.tracker_queue"))
            _sign_in(page, "demo-expert")
            page.get_by_role("tab").filter(has_text="عقب‌افتاده").click()
            _settle(page, t("page.tracker_queue"))
            _shot(page, "tracker-queue")
        browser.close()


def data_screen(ws: Path, tmp: Path) -> None:
    """The Data page as the demo data steward, with a checked (not saved) upload of new offices."""
    db = tmp / "data-tracker.db"
    files = tmp / "data-uploads"
    build_sample_tracker(f"sqlite:///{db}", Workspace.load(ws), files_dir=files, now=datetime.now(UTC))
    demo = tmp / "دفاتر-تازه.csv"
    demo.write_text(DEMO_OFFICES, encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite:///{db}", "SITING_TRACKER_FILES": str(files)}
    with running_app(ws, env=env) as url, sync_playwright() as pw:
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": WIDTH, "height": 1000}, locale="fa-IR")
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/data")
        _settle(page, t("page.data"))
        _sign_in(page, "demo-steward")  # the uploader is for a data steward or administrator only
        _settle(page, t("page.data"))
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(demo))
        page.get_by_role("button", name=t("data.confirm")).wait_for(timeout=TIMEOUT_MS)
        _settle(page, t("page.data"))
        _shot(page, "data")
        browser.close()


DASHBOARD_SHOTS = ("applicant", "working-group", "planner", "scenarios", "data")
TRACKER_SHOTS = ("tracker-applicant", "tracker-agenda", "tracker-queue")


def main(argv: list[str] | None = None) -> int:
    names = set(sys.argv[1:] if argv is None else argv) or {*DASHBOARD_SHOTS, *TRACKER_SHOTS}
    unknown = names - {*DASHBOARD_SHOTS, *TRACKER_SHOTS}
    if unknown:
        print(f"unknown screenshots {sorted(unknown)}; expected {[*DASHBOARD_SHOTS, *TRACKER_SHOTS]}")
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "sample.gpkg"
        report = init_workspace(ROOT / "data" / "sources" / "sample.yaml", workspace=ws)
        assert report.sample, "screenshots are taken on the SAMPLE workspace only"
        if names & set(TRACKER_SHOTS):
            tracker_screens(ws, Path(tmp), names)
        if "data" in names:
            data_screen(ws, Path(tmp))
        if not names & {"applicant", "working-group", "planner", "scenarios"}:
            return 0
        with running_app(ws) as url, sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": WIDTH, "height": 1000}, locale="fa-IR")
            page.set_default_timeout(TIMEOUT_MS)

            page.goto(url)
            _settle(page, t("page.applicant"))
            page.get_by_role("radio", name="ICT روستایی").check(force=True)
            page.get_by_role("tab", name=t("applicant.tab_coords")).click()
            page.get_by_label(t("applicant.lat"), exact=True).fill(to_persian_digits("33.96396").replace(".", "٫"))
            page.get_by_label(t("applicant.lon"), exact=True).fill(to_persian_digits("58.32945").replace(".", "٫"))
            page.get_by_role("button", name=t("applicant.check_point")).click()
            _settle(page, t("report.title"))
            _shot(page, "applicant")

            page.goto(f"{url}/working-group")
            _settle(page, t("page.working_group"))
            page.get_by_role("button", name=t("wg.use_sample")).click()
            _settle(page, t("wg.table"))
            page.get_by_text(t("wg.show_map"), exact=True).click()  # the map is drawn on request
            page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(timeout=120_000)
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
                wait_run_done(page, TIMEOUT_MS)
                page.get_by_role("button", name=t("scenario.run")).click()
                _settle(page, t("scenario.table"))
            _shot(page, "scenarios")
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
