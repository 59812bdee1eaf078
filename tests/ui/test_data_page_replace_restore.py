"""Data page (issue 15): an import adds to the layer by default; replacing a layer says how many records
it replaces and needs a second confirmation; an earlier version is restored from the page."""

from __future__ import annotations

import sys
from pathlib import Path

from apptest_helpers import assert_clean, sha256, texts
from test_data_page import OFFICES, _upload

from siting import fmt
from siting.versions import list_versions
from siting.workspace import Workspace
from ui.i18n import t

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "io"))
from hostile_files import dtd_xlsx


def test_an_import_adds_to_the_layer_by_default(steward_page, workspace_copy):
    n_before = len(Workspace.load(workspace_copy).offices)
    at = steward_page()
    assert at.checkbox(key="data.append").value is True  # nobody has to remember to tick it
    at = _upload(at, "دفاتر-تازه.csv", OFFICES)
    assert not [w for w in texts(at.warning) if "جایگزین" in w]  # no replacement, no second question
    at.button(key="data.confirm").click().run()
    assert_clean(at)
    saved = Workspace.load(workspace_copy)
    assert len(saved.offices) == n_before + 1 and "NEW-1" in set(saved.offices["office_id"])


def test_replacing_says_how_many_needs_a_second_yes_and_can_be_undone(steward_page, workspace_copy):
    original = Workspace.load(workspace_copy)
    n_before, before = len(original.offices), sha256(workspace_copy)
    at = steward_page()
    at.checkbox(key="data.append").uncheck().run()
    at = _upload(at, "دفاتر-تازه.csv", OFFICES)
    names = {"layer": t("data.layer.offices"), "old": fmt.number(n_before), "new": fmt.number(1)}
    assert t("data.replace_warning", **names) in texts(at.warning)
    assert at.button(key="data.confirm").disabled  # not without the second confirmation
    assert sha256(workspace_copy) == before
    at.checkbox(key="data.replace_ok").check().run()
    assert at.checkbox(key="data.replace_ok").label == t("data.replace_ok", **names)
    assert not at.button(key="data.confirm").disabled
    at.button(key="data.confirm").click().run()
    assert_clean(at)
    assert len(Workspace.load(workspace_copy).offices) == 1
    [kept] = list_versions(workspace_copy)
    assert sha256(kept.path) == before  # the version before the replacement, byte for byte

    # restore it from the page: a second yes, then the workspace is back, and the restore is recorded
    assert at.selectbox(key="data.restore_pick").value == kept.name
    assert at.button(key="data.restore_button").disabled
    at.checkbox(key="data.restore_ok").check().run()
    at.button(key="data.restore_button").click().run()
    assert_clean(at)
    back = Workspace.load(workspace_copy)
    assert sorted(back.offices["office_id"]) == sorted(original.offices["office_id"])
    assert back.imports["mode"].iat[-1] == "restore" and back.imports["source"].iat[-1] == "dana"
    assert any(s.startswith(t("data.restored", time="")[:12]) for s in texts(at.success))
    assert t("data.mode.restore") in set(at.dataframe[1].value[t("data.col.mode")])  # the log shows it


def test_the_english_page_says_the_replacement_in_english(steward_page, workspace_copy):
    n_before = len(Workspace.load(workspace_copy).offices)
    at = steward_page()
    at.radio(key="lang").set_value("en").run()
    at.checkbox(key="data.append").uncheck().run()
    at = _upload(at, "offices.csv", OFFICES)
    assert t("data.replace_warning", "en", layer=t("data.layer.offices", "en"), old=str(n_before), new="1") \
        in texts(at.warning)


SWAPPED = ("office_id,name,licence_type,status,lat,lon\n"
           "SW-1,دفتر جابه‌جا,rural,active,58.32945,33.96396\n").encode()


def test_the_row_report_is_in_persian_and_advises_the_page_s_checkbox_not_a_flag(steward_page):
    at = _upload(steward_page(), "swapped.csv", SWAPPED)
    report = at.dataframe[-1].value
    reason = report[t("data.col.reason")].iat[0]
    assert "--fix-swapped" not in reason and "swapped" not in reason
    assert f"«{t('data.fix_swapped')}»" in reason and "۵۸٫۳۲۹۴۵" in reason  # Persian digits
    assert report[t("data.col.field")].iat[0] == "مختصات"
    # ticking the page's checkbox fixes the row, and the warning says so in Persian
    at.checkbox(key="data.fix_swapped").check().run()
    report = at.dataframe[-1].value
    assert report[t("data.col.reason")].iat[0].endswith("اصلاح شد.")
    en = _upload(steward_page(), "swapped.csv", SWAPPED)
    en.radio(key="lang").set_value("en").run()
    reason_en = en.dataframe[-1].value["Reason"].iat[0]
    assert "--fix-swapped" not in reason_en and '"Fix exchanged latitude/longitude"' in reason_en


def test_an_unknown_reason_is_marked_as_the_checker_s_english():
    from ui.i18n import import_reason

    text = import_reason("a reason nobody translated --crs", "fa")
    assert text.startswith("(متن بررسی‌گر فایل، به انگلیسی)") and "--crs" not in text
    assert "\u2068" in text and text.endswith("\u2069")  # isolated inside the Persian line


def test_a_library_sentence_in_english_is_said_as_such_and_bidi_isolated(steward_page, tmp_path):
    """A refusal without a machine code (a workbook declaring a DTD) keeps the library's English, marked."""
    at = steward_page()
    uploader = next(u for u in at.file_uploader if u.key.startswith("data.upload"))
    uploader.set_value(("offices.xlsx", dtd_xlsx(tmp_path / "x.xlsx").read_bytes(), "application/octet-stream")).run()
    assert_clean(at)
    details = [c for c in texts(at.caption) if c.startswith("جزئیات (متن انگلیسی بررسی‌گر): ")]
    assert len(details) == 1 and "\u2068" in details[0] and details[0].endswith("\u2069")
    assert "offices.xlsx" in details[0] and "declares a DTD" in details[0]


def test_a_coded_refusal_is_said_in_persian_not_as_the_library_s_english(steward_page):
    at = _upload(steward_page(), "offices.csv", b"\x00\x01\x02 this is not a table \x00")
    assert not [c for c in texts(at.caption) if c.startswith("جزئیات (متن انگلیسی بررسی‌گر): ")]
    assert "جزئیات: «\u2068offices.csv\u2069»: متن فایل نویسهٔ NUL دارد (سطر ۱)؛ این نویسه پذیرفته نمی‌شود." \
        in texts(at.caption)
