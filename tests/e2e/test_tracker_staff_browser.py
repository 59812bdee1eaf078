"""The working group's agenda in a real browser: a server on a temporary copy of the SAMPLE workspace and a
temporary SAMPLE tracker database (siting.samples.tracker); sign in as the working-group member, see the
agenda and the conflict, record a return, see it leave the agenda. Screenshots in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting import fmt
from siting.samples.tracker import demo_account
from siting.tracker import Tracker, TrackerSettings
from siting.workspace import Workspace
from ui.devserver import wait_run_done
from ui.i18n import t

pytestmark = pytest.mark.browser
TIMEOUT_MS = 60_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # git-ignored (as in conftest.py)


def _sign_in(page, username: str) -> None:
    acc = demo_account(username)
    page.get_by_label(t("tracker.username"), exact=True).fill(acc.username)
    page.get_by_label(t("tracker.password"), exact=True).fill(acc.password)
    page.get_by_role("button", name=t("tracker.signin")).click()


def test_working_group_member_records_a_return_and_it_leaves_the_agenda(tracker_app, page):
    url, db_url, ws_path, sample = tracker_app.url, tracker_app.db_url, tracker_app.ws_path, tracker_app.sample
    a, b, c = (sample.applications[k] for k in ("conflict_a", "conflict_b", "urban_agenda"))
    page.goto(f"{url}/agenda")
    page.get_by_role("heading", name=t("page.tracker_agenda")).first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text(t("tracker.signin_needed")).wait_for(timeout=TIMEOUT_MS)
    _sign_in(page, "demo-wg")
    page.get_by_role("heading", name=t("tracker.staff.agenda_table")).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)  # the signed-in run is over: the whole agenda is drawn
    main = page.locator('[data-testid="stMain"]')
    page.locator('[data-testid="stTable"]').first.wait_for(timeout=TIMEOUT_MS)  # the conflicts table
    assert "دادهٔ نمونه" in main.inner_text()  # sample data labelled: the workspace ...
    assert t("tracker.sample_banner") in main.inner_text()  # ... and the tracker database
    summary = t("tracker.staff.agenda_summary", n=fmt.number(3), p="", w="", f="", u="").split("—")[0].strip()
    assert summary in main.inner_text()
    # the conflicting pair, in the conflicts table
    conflicts = page.locator('[data-testid="stTable"]').first
    text = conflicts.inner_text()
    assert f"#{fmt.number(a)}" in text and f"#{fmt.number(b)}" in text and f"#{fmt.number(c)}" not in text
    page.wait_for_timeout(2500)  # deck.gl draws after the page settles
    page.screenshot(path=str(ARTIFACTS / "tracker-agenda-before.png"), full_page=True)

    # record a return (the first proposal on the agenda is the one selected)
    page.get_by_role("radio", name="عودت").check(force=True)
    page.get_by_role("textbox", name=t("tracker.staff.reasons")).fill("محل به درخواست دیگری بسیار نزدیک است (آزمون)")
    page.get_by_role("textbox", name=t("tracker.staff.deficiencies")).fill("محل دیگری پیشنهاد کنید\nنشانی کامل نیست")
    page.get_by_role("button", name=t("tracker.staff.record")).click()
    done = t("tracker.staff.decided", n=fmt.number(a), outcome="عودت")
    page.get_by_text(done).wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("heading", name=t("tracker.staff.history", n=fmt.number(a))).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)  # the run after the decision is over
    summary_after = t("tracker.staff.agenda_summary", n=fmt.number(2), p="", w="", f="", u="").split("—")[0].strip()
    main.get_by_text(summary_after).first.wait_for(timeout=TIMEOUT_MS)
    after = main.inner_text()
    assert summary_after in after
    assert t("wg.no_conflicts") in after  # the pair left with it
    main.evaluate("e => e.scrollTo(0, 0)")
    page.wait_for_timeout(2000)
    page.screenshot(path=str(ARTIFACTS / "tracker-agenda-after-return.png"), full_page=True)
    assert page.external == []  # nothing fetched from the internet

    # the database says the same, read back through the library
    trk = Tracker(TrackerSettings(url=db_url), workspace=Workspace.load(ws_path))
    wg = trk.authenticate("demo-wg", demo_account("demo-wg").password)
    assert [i.application_id for i in trk.agenda(wg).items] == [b, c]
    detail = trk.get_application(wg, a)
    assert detail.application.status == "returned"
    assert detail.decisions[-1].deficiencies == ("محل دیگری پیشنهاد کنید", "نشانی کامل نیست")
    trk.close()
