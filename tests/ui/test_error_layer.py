"""Issue 15 (U1): no Streamlit error box reaches a visitor; the library's machine codes are said in words."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from apptest_helpers import texts
from streamlit.testing.v1 import AppTest

from ui import state
from ui.i18n import error_text, field_label, problem_texts, t, without_code

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_an_exception_escaping_a_page_is_a_message_with_a_reference_logged_with_its_traceback(
        workspace_copy, monkeypatch, caplog, lang):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    if lang != "fa":
        at.radio(key="lang").set_value(lang).run()

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure 7d1f")

    monkeypatch.setattr(state, "current", broken)  # the default (applicant) page reads the workspace through it
    with caplog.at_level(logging.ERROR, logger="siting.ui"):
        at.run()
    assert not at.exception  # Streamlit's own error box never appears
    errors = texts(at.error)
    assert len(errors) == 1
    ref = re.search(r"`([0-9A-F]{8})`", errors[0])
    assert ref, errors
    assert errors[0] == t("app.crashed", lang, ref=ref.group(1))
    assert "injected failure" not in errors[0]  # the details are for the log, not the visitor
    logged = [r for r in caplog.records if ref.group(1) in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info and "injected failure 7d1f" in str(logged[0].exc_info[1])
    # the sidebar (language switch, navigation) still works after the failure
    assert at.radio(key="lang").value == lang


# -- the library's machine codes in words ------------------------------------------------------------------
def test_collected_refusal_headline_and_problems_carry_no_code():
    from siting.tracker import TrackerInputError

    exc = TrackerInputError.collect("the applicant's details are not valid", "مشخصات متقاضی معتبر نیست", [
        ("national_id", "the national ID is missing", "کد ملی وارد نشده است"),
        ("people[1].national_id", "bad", "نادرست"),
        ("image_low_resolution", "too small", "تصویر کوچک است"),
        ("some_future_field", "odd", "عجیب"),
    ])
    assert "national_id" in str(exc)  # the library keeps its codes ...
    assert error_text(exc, "fa", problems=False) == "مشخصات متقاضی معتبر نیست"  # ... the page says words
    assert error_text(exc, "en", problems=False) == "the applicant's details are not valid"
    assert error_text(exc, "en") == ("the applicant's details are not valid: National ID: the national ID is missing; "
                                     "Person 2 — National ID: bad; too small; odd")
    assert problem_texts(exc, "fa") == [
        ("national_id", "کد ملی", "کد ملی وارد نشده است"),
        ("people[1].national_id", "شخص ۲ — کد ملی", "نادرست"),
        ("image_low_resolution", None, "تصویر کوچک است"),
        ("some_future_field", None, "عجیب"),
    ]
    assert problem_texts(exc, "en")[1] == ("people[1].national_id", "Person 2 — National ID", "bad")


def test_a_single_refusal_s_leading_code_becomes_its_field_label_or_goes():
    from siting.tracker.ids import checked, postal_code_problem

    with pytest.raises(ValueError) as info:
        checked("postal_code", "12", postal_code_problem("12"))
    assert str(info.value).startswith("postal_code: ")
    assert error_text(info.value, "fa") == "کد پستی (۱۰ رقم): کد پستی ده رقم است؛ «12» وارد شده است"
    assert error_text(info.value, "en") == "Postal code (10 digits): a postal code has 10 digits; got '12'"
    assert without_code("unknown_type: the file is not a PDF", "en") == "the file is not a PDF"
    assert without_code("people[0].national_id: bad", "fa") == "شخص ۱ — کد ملی: bad"
    assert without_code("Birjand: 3 km", "en") == "Birjand: 3 km"  # a capitalised word is not a code
    assert field_label("no_such_field", "fa") is None
    assert without_code("note: keep this", "en") == "note: keep this"


def test_a_rejected_upload_is_said_without_problem_codes(tmp_path):
    from siting.tracker.documents import check_document
    from siting.tracker.workflow import load_workflow

    wf = load_workflow()
    kind = next(k for k in wf.documents.values() if "png" in k.formats and k.min_side_px)
    check = check_document(b"not an image or a pdf", kind, wf.limits)
    with pytest.raises(ValueError) as info:
        check.raise_for_problems("scan.png")
    codes = [c for c, _, _ in problem_texts(info.value, "fa")]
    assert codes and all(label is None for _, label, _ in problem_texts(info.value, "fa"))
    shown = error_text(info.value, "fa") + " ".join(x for _, _, x in problem_texts(info.value, "fa"))
    assert not any(c in shown for c in codes) and "scan.png" in shown
