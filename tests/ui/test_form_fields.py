"""Issue 15 (U1): the applicant's profile form says every problem under its field, in words (Persian, or
English in English mode), never as a library code or a Streamlit error box; nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
import test_tracker_applicant_page as applicant_page
from apptest_helpers import assert_clean, texts
from test_tracker_applicant_page import _submit, as_user
from tracker_helpers import row_counts

from ui.i18n import t

# the applicant page tests' fixtures: a copy of the sample tracker, opened by the app
sample_template = applicant_page.sample_template
sample_db = applicant_page.sample_db

FORM = "tracker.app.profile_form"
RAW = ("national_id", "people[", "full_name", "registration_number", "national\\_id", "people\\[")


def in_order(at: Any) -> list[tuple[str, str]]:
    """Every element of the page in document order as ``(type, key or text)``."""
    out: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        children = getattr(node, "children", None)
        if children:
            for i in sorted(children):
                walk(children[i])
            return
        kind = getattr(node, "type", "")
        if kind == "text_input":
            out.append((kind, node.key))
        elif kind in ("caption", "error", "markdown"):
            out.append((kind, str(node.value)))

    walk(at.main)
    return out


def under(at: Any, key: str) -> list[str]:
    """The problem captions right under the text input ``key`` (up to the next input)."""
    seq = in_order(at)
    i = seq.index(("text_input", key))
    out = []
    for kind, value in seq[i + 1:]:
        if kind == "text_input":
            break
        if kind == "caption" and value.startswith(":red["):
            out.append(value)
    return out


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_empty_profile_says_each_problem_under_its_field_and_writes_nothing(sample_db, lang):
    url, _, _ = sample_db
    at = as_user("demo-reza", lang)
    before = row_counts(url)
    _submit(at, FORM)
    assert_clean(at)
    assert row_counts(url) == before
    missing_name = "نام وارد نشده است" if lang == "fa" else "the name is missing"
    missing_nid = "کد ملی وارد نشده است" if lang == "fa" else "the national ID is missing"
    assert under(at, "tracker.app.p.name") == [f":red[{missing_name}]"]  # once, not again as people[0]
    assert under(at, "tracker.app.p.nid") == [f":red[{missing_nid}]"]
    headline = "مشخصات متقاضی معتبر نیست" if lang == "fa" else "the applicant's details are not valid"
    assert texts(at.error) == [headline]
    shown = "\n".join(texts(at.error) + texts(at.caption) + texts(at.markdown))
    assert not any(code in shown for code in RAW), shown
    # a second, correct try clears the problems and saves the profile
    at.text_input(key="tracker.app.p.name").set_value("علی آزمون")
    at.text_input(key="tracker.app.p.nid").set_value("۰۰۸۴۵۷۵۹۴۸")
    _submit(at, FORM)
    assert_clean(at)
    assert not texts(at.error) and not [c for c in texts(at.caption) if c.startswith(":red[")]
    assert row_counts(url) != before


def test_a_company_person_s_bad_id_is_said_under_that_person_s_field(sample_db):
    url, _, _ = sample_db
    at = as_user("demo-reza")
    at.radio(key="tracker.app.kind").set_value("legal").run()
    before = row_counts(url)
    at.text_input(key="tracker.app.p.name").set_value("شرکت آزمون")
    at.text_input(key="tracker.app.p.md.name").set_value("مدیر آزمون")
    at.text_input(key="tracker.app.p.md.nid").set_value("0084575948")
    at.text_input(key="tracker.app.p.o3.name").set_value("عضو آزمون")  # person 2 left empty: person 3 is people[1]
    at.text_input(key="tracker.app.p.o3.nid").set_value("0084575949")  # check digit wrong
    _submit(at, FORM)
    assert_clean(at)
    assert row_counts(url) == before
    assert under(at, "tracker.app.p.o3.nid") == [":red[کد ملی 0084575949 معتبر نیست (رقم کنترل آن درست نیست)]"]
    assert under(at, "tracker.app.p.md.nid") == []
    assert under(at, "tracker.app.p.nid") == [":red[شناسهٔ ملی شرکت وارد نشده است]"]
    assert under(at, "tracker.app.p.regno") == [":red[شمارهٔ ثبت وارد نشده است]"]
    assert t("tracker.app.f.national_id", "fa")  # the key exists


def test_the_request_form_says_the_site_problem_under_the_coordinates(sample_db):
    url, _, _ = sample_db
    at = as_user("demo-zahra", "en")
    before = row_counts(url)
    at.selectbox(key="tracker.app.r.ltype").set_value("rural")
    at.text_input(key="tracker.app.r.lat").set_value("32.8")  # the longitude left empty
    _submit(at, "tracker.app.request_form")
    assert_clean(at)
    assert row_counts(url) == before
    assert under(at, "tracker.app.r.lon") == [":red[give both longitude and latitude]"]
    assert texts(at.error) == ["the site is not valid"]
    assert not any("site:" in x for x in texts(at.error) + texts(at.caption) + texts(at.markdown))
