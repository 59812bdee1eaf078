"""Issue 15 (6): a refused input clears the previous site's report; ``1e400`` is out of range, not
missing; a "lat lon" pair pasted into one field is understood (either order, Persian digits)."""

from __future__ import annotations

import pytest
from apptest_helpers import assert_clean, texts

from ui.components import site_picker

SUBMIT = "FormSubmitter:applicant.coords_form-بررسی این نقطه"
REPORT = "گزارش بررسی محل"


def _type(at, lat: str, lon: str):
    at.text_input(key="applicant.lat").input(lat)
    at.text_input(key="applicant.lon").input(lon)
    at.button(key=SUBMIT).click().run()
    assert_clean(at)
    return at


def test_a_refused_input_clears_the_previous_report(open_page):
    at = _type(open_page("applicant"), "33.96396", "58.32945")
    assert REPORT in texts(at.subheader) and at.table  # a report for the first site
    _type(at, "abc", "58.32945")
    assert any("«abc» عدد نیست" in e for e in texts(at.error))
    assert REPORT not in texts(at.subheader) and not at.table  # the first site's report is gone
    assert site_picker.CANDIDATE_KEY not in at.session_state
    # the same after a refused settlement name
    _type(at, "33.96396", "58.32945")
    at.text_input(key="applicant.settlement").input("ناکجاآباد")
    at.button(key="FormSubmitter:applicant.settlement_form-یافتن و بررسی").click().run()
    assert_clean(at)
    assert REPORT not in texts(at.subheader) and not at.table


@pytest.mark.parametrize("value", ["1e400", "-1e400", "۱e۴۰۰"])
def test_an_overflowing_number_is_out_of_range_not_missing(open_page, value):
    at = _type(open_page("applicant"), value, "59.2")
    errors = texts(at.error)
    assert any("در محدودهٔ مجاز نیست" in e and "عرض جغرافیایی" in e for e in errors), errors
    assert not any("را بنویسید" in e for e in errors)


@pytest.mark.parametrize(("lat", "lon"), [
    ("32.8663 59.2211", ""),
    ("59.2211 32.8663", ""),           # lon lat: the province decides the order
    ("۳۲٫۸۶۶۳، ۵۹٫۲۲۱۱", ""),          # Persian digits, ٫ and the Persian comma
    ("", "32.8663,59.2211"),           # pasted into the longitude field
])
def test_a_pasted_pair_is_understood(open_page, lat, lon):
    at = _type(open_page("applicant"), lat, lon)
    assert [e for e in texts(at.error) if not e.startswith("رد:")] == []  # only the report's own result
    cand = at.session_state[site_picker.CANDIDATE_KEY]
    assert (cand.lon, cand.lat) == (59.2211, 32.8663)
    assert REPORT in texts(at.subheader)


@pytest.mark.parametrize(("lat", "message"), [
    ("35.6892 51.3890", "به هیچ ترتیبی"),           # Tehran: outside in both orders
    ("32.8663 59.2211 12", "دو عدد (عرض و طول جغرافیایی) نیست"),
])
def test_a_pair_that_cannot_be_read_is_refused_with_a_clear_message(open_page, lat, message):
    at = _type(open_page("applicant"), lat, "")
    assert any(message in e for e in texts(at.error)), texts(at.error)
    assert site_picker.CANDIDATE_KEY not in at.session_state and not at.table
