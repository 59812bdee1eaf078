"""The directorate's queue keeps its place in a real browser: a server on a temporary copy of the SAMPLE
workspace and a temporary SAMPLE tracker database (siting.samples.tracker) with one more request, just
submitted; the expert opens the "application" tab, picks that request (not the first in the selector),
records its intake step, and after the rerun the same tab is open on the same request, with the success
message. Screenshot in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from siting import fmt
from siting.samples.tracker import (
    SAMPLE_LABEL_FA,
    demo_account,
    sample_national_id,
)
from siting.tracker import ApplicantInput, PersonInput, SiteInput, Tracker, TrackerSettings
from siting.tracker.terms import term
from siting.workspace import Workspace
from ui.devserver import wait_run_done
from ui.i18n import t

pytestmark = pytest.mark.browser
TIMEOUT_MS = 90_000  # generous: the suite runs these on a loaded machine
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # git-ignored (as in conftest.py)
NAME = f"سمیه نمونه {SAMPLE_LABEL_FA}"
CHOOSER = '[class~="st-key-queue-chosen"]'  # the application selector (Streamlit marks a keyed widget st-key-<key>)
P01 = SiteInput(lon=56.82434, lat=33.56002, address=f"روستای نمونه ۱ {SAMPLE_LABEL_FA}")  # data/sample (synthetic)


def _library(db_url: str, ws_path: Path, files: Path) -> Tracker:
    return Tracker(TrackerSettings(url=db_url, files_dir=files), workspace=Workspace.load(ws_path))


@pytest.fixture(scope="module")
def queue_app(tracker_app):
    """``(url, database url, workspace path, files dir, id of the request just submitted)``: the shared
    sample tracker server, with one more request submitted by an applicant (its intake step waits
    for the directorate)."""
    lib = _library(tracker_app.db_url, tracker_app.ws_path, tracker_app.files)
    try:
        zahra = lib.authenticate("demo-zahra", demo_account("demo-zahra").password)
        nid = sample_national_id(91)
        applicant = lib.create_applicant(zahra, ApplicantInput(
            "natural", NAME, nid, (PersonInput(NAME, nid, "bachelor", False, military_exempt=True),)))
        app = lib.create_application(zahra, applicant.id, "rural", "new", site=P01)
        lib.complete_step(zahra, app.id, "principles", expected_version=app.version)
        version = lib.get_application(zahra, app.id).application.version
        lib.submit(zahra, app.id, expected_version=version)
        app_id = app.id
    finally:
        lib.close()
    return tracker_app.url, tracker_app.db_url, tracker_app.ws_path, tracker_app.files, app_id


def test_the_queue_keeps_the_tab_and_the_application_after_recording_a_step(queue_app, page):
    url, db_url, ws_path, files, app_id = queue_app
    lib = _library(db_url, ws_path, files)
    expert = lib.authenticate("demo-expert", demo_account("demo-expert").password)
    in_selector = sorted({it.application_id for it in lib.queue(expert, include_applicant_steps=True).items})
    assert app_id in in_selector and in_selector.index(app_id) > 0  # not the first in the selector
    first = lib.get_application(expert, in_selector[0]).application.applicant_name
    intake = lib.workflow.step("intake").fa

    page.goto(f"{url}/queue")
    page.get_by_role("heading", name=t("page.tracker_queue")).first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_label(t("tracker.username"), exact=True).wait_for(timeout=TIMEOUT_MS)
    acc = demo_account("demo-expert")
    page.get_by_label(t("tracker.username"), exact=True).fill(acc.username)
    page.get_by_label(t("tracker.password"), exact=True).fill(acc.password)
    page.get_by_role("button", name=t("tracker.signin"), exact=True).click()
    app_tab = page.get_by_role("tab", name=t("tracker.staff.tab_application"), exact=True)
    app_tab.wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)

    # the "application" tab, on a request that is not the first in the selector
    app_tab.click()
    wait_run_done(page, TIMEOUT_MS)
    assert app_tab.get_attribute("aria-selected") == "true"
    panel = page.locator('[role="tabpanel"]:visible')
    chooser = page.locator(CHOOSER)
    combo = chooser.get_by_role("combobox")
    assert combo.input_value().startswith(f"#{fmt.number(in_selector[0])} — {first}")  # it opens on the first one
    combo.click()
    choice = f"#{fmt.number(app_id)} — {NAME}"
    page.get_by_role("option", name=choice, exact=True).click()
    wait_run_done(page, TIMEOUT_MS)
    expect(panel.get_by_text(f"درخواست #{fmt.number(app_id)} — {NAME}")).to_be_visible(timeout=TIMEOUT_MS)
    step_chooser = page.locator(f'[class~="st-key-queue-step-{app_id}"]')
    # the ready step, preselected (the selector shows "<step> — <its state>")
    expect(step_chooser.get_by_role("combobox")).to_have_value(f"{intake} — {term('ready')}", timeout=TIMEOUT_MS)

    # record it
    panel.get_by_role("button", name=t("tracker.staff.complete_button"), exact=True).click()
    done = t("tracker.staff.completed", step=intake, n=fmt.number(app_id))
    page.get_by_text(done).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)

    # after the rerun: the same tab, the same request, the success message
    assert page.get_by_text(done).is_visible()
    assert app_tab.get_attribute("aria-selected") == "true"
    assert page.get_by_role("tab", name=t("tracker.staff.tab_by_step"), exact=True).get_attribute(
        "aria-selected") == "false"
    assert combo.is_visible() and combo.input_value() == choice
    page.screenshot(path=str(ARTIFACTS / "tracker-queue-kept-place.png"), full_page=True)
    assert page.external == []  # nothing fetched from outside 127.0.0.1

    # the database says the step is done, read back through the library
    steps = {s.step_id: s.state for s in lib.get_application(expert, app_id).current_steps()}
    assert steps["intake"] == "done"
    assert lib.get_application(expert, app_id).application.status == "under_review"
    lib.close()
