"""Export buttons in a real browser: every click on a download button gives a file.

Issue 15 (10): two of six export clicks in a row produced no file ("Deferred file … not found" in the
server log). A download button whose data is computed on click registers a deferred file; its click
used to rerun the page, which replaced the registration while the browser was still asking for it.
"""

from __future__ import annotations

import pytest

from ui.i18n import t

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
PLANNER_EXPORTS = ("planner.export_gaps", "planner.export_counties", "planner.export_gpkg",
                   "planner.export_county_csv", "planner.export_settlements_csv", "planner.export_gaps_csv")


def test_six_planner_exports_in_a_row_each_give_a_file(app, page):
    url, _ = app
    page.goto(f"{url}/planner")
    page.get_by_role("heading", name=t("page.planner", "fa")).wait_for(timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    # the last button drawn: the page has run to its end
    page.get_by_role("button", name=t(PLANNER_EXPORTS[-1], "fa"), exact=True).wait_for(timeout=TIMEOUT_MS)
    got = []
    for label_key in PLANNER_EXPORTS:
        button = page.get_by_role("button", name=t(label_key, "fa"), exact=True)
        with page.expect_download(timeout=TIMEOUT_MS) as info:
            # force: the map's software-WebGL frames starve Playwright's "stable" check, not the click
            button.click(force=True, timeout=TIMEOUT_MS)
        download = info.value
        path = download.path()  # waits for the body; None if the server had no file
        assert download.failure() is None, (label_key, download.failure())
        assert path is not None and path.stat().st_size > 0, label_key
        got.append(download.suggested_filename)
    assert got == ["gaps-any.geojson", "county-coverage.geojson", "coverage.gpkg", "county-coverage.csv",
                   "settlement-coverage.csv", "gaps-any.csv"]
