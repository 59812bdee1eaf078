"""The applicant's tracker page in a real browser: Debian's Chromium driven by Playwright against
``streamlit run app.py`` on a copy of the sample workspace and a temporary SAMPLE tracker database.

Signs in as the demo applicant, opens her returned request and reads every round's deficiencies as
the library stores them. Screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from siting import fmt
from siting.samples.tracker import demo_account
from siting.tracker import Tracker, TrackerSettings
from siting.workspace import Workspace
from ui.devserver import wait_frames, wait_run_done
from ui.i18n import t

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 30_000


def test_demo_applicant_reads_the_deficiencies_of_her_returned_request(tracker_app, page):
    url, db_url, files, ws_path, made = (tracker_app.url, tracker_app.db_url, tracker_app.files,
                                         tracker_app.ws_path, tracker_app.sample)
    acc = demo_account("demo-zahra")
    lib = Tracker(TrackerSettings(url=db_url, files_dir=files), workspace=Workspace.load(ws_path))
    me = lib.authenticate(acc.username, acc.password)
    returned = lib.get_application(me, made.applications["returned"])
    lib.close()
    assert [d.outcome for d in returned.decisions] == ["return", "return"]

    page.goto(f"{url}/my-applications")
    page.get_by_role("heading", name=t("page.tracker_my_applications")).wait_for(timeout=TIMEOUT_MS)
    main = page.locator('[data-testid="stMain"]')
    assert main.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # the page renders top-down: wait for the banner (the tracker opens on the first visit)
    page.get_by_text(t("tracker.sample_banner")).first.wait_for(timeout=TIMEOUT_MS)
    # signed out: the form and the demo accounts
    page.get_by_label(t("tracker.username"), exact=True).wait_for(timeout=TIMEOUT_MS)
    page.get_by_text(acc.password, exact=True).first.wait_for(timeout=TIMEOUT_MS)  # visible, or it fails
    page.get_by_label(t("tracker.username"), exact=True).fill(acc.username)
    page.get_by_label(t("tracker.password"), exact=True).fill(acc.password)
    page.get_by_role("button", name=t("tracker.signin"), exact=True).click()
    page.get_by_text(t("tracker.signed_in_as", name=acc.display_name, role=t("role.applicant"))).wait_for(
        timeout=TIMEOUT_MS)
    page.get_by_text(t("tracker.sample_banner")).first.wait_for(timeout=TIMEOUT_MS)  # still labelled once signed in

    # open the returned request
    app_id = fmt.number(returned.application.id)
    choice = t("tracker.app.choice", id=app_id, status="عودت‌شده به متقاضی", licence="ICT روستایی")
    page.locator('[data-testid="stSelectbox"]').filter(has_text=t("tracker.app.choose")).first.click()
    page.get_by_role("option", name=choice).click()
    heading = t("tracker.app.detail_title", id=app_id, name=returned.application.applicant_name)
    page.get_by_role("heading", name=heading).wait_for(timeout=TIMEOUT_MS)
    wait_run_done(page, TIMEOUT_MS)  # the request's page is complete (its lists are measured below)

    # every round's decision with its reasons and deficiencies, as stored
    for d in returned.decisions:
        head = t("tracker.app.decision_head", round=fmt.number(d.round), body=t("tracker.app.body.working_group"),
                 outcome="عودت", date=fmt.jalali(d.decided_at))
        box = main.locator('[data-testid="stAlert"]').filter(has_text=head)
        box.wait_for(timeout=TIMEOUT_MS)
        text = box.inner_text()
        assert d.reasons in text
        for x in d.deficiencies:
            assert x in text
    page.get_by_role("button", name=t("tracker.app.resubmit")).wait_for(timeout=TIMEOUT_MS)
    # right to left (issue 15): every bulleted list starts at the right with its bullets inside the column or
    # the alert box that holds it, and the status is not cut
    lists = main.evaluate("""m => [...m.querySelectorAll('ul')].filter(u => u.offsetParent).map(u => {
        const box = (u.closest('[data-testid="stAlert"]') || u.closest('[data-testid="stVerticalBlock"]'))
                    .getBoundingClientRect();
        const cs = getComputedStyle(u);
        return {pad: parseFloat(cs.paddingRight), dir: cs.direction,
                items: [...u.children].map(li => { const r = li.getBoundingClientRect(); return [r.left, r.right]; }),
                left: box.left, right: box.right}; })""")
    assert lists
    for ul in lists:
        assert ul["dir"] == "rtl" and ul["pad"] >= 12, ul  # room for the bullet on the right
        for left, right in ul["items"]:
            assert right + ul["pad"] <= ul["right"] + 1 and left >= ul["left"] - 1, ul  # bullet inside the box
    value = main.locator('[data-testid="stMetricValue"]').first
    assert "عودت‌شده به متقاضی" in value.inner_text()
    assert value.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && getComputedStyle(e).textOverflow !== 'ellipsis'")
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
    assert page.external == []  # nothing fetched from outside 127.0.0.1
    wait_frames(page)
    page.screenshot(path=str(ARTIFACTS / "tracker-applicant.png"), full_page=True)
