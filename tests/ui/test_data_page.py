"""Data page: provenance (public); an import, for a signed-in data steward or administrator only, shows
its row-by-row report before anything is written."""

from __future__ import annotations

import os

import pytest
from apptest_helpers import assert_clean, sha256, texts
from data_page_accounts import PASSWORD, sign_in

from siting import fmt
from siting.workspace import Workspace
from ui.i18n import t

OFFICES = (
    "office_id,name,licence_type,status,lat,lon\n"
    "NEW-1,دفتر آزمون,rural,active,۳۳٫۹۶۳۹۶,۵۸٫۳۲۹۴۵\n"
    "NEW-2,بیرون از استان,rural,active,35.6892,51.3890\n"
).encode()


def _upload(at, name: str, data: bytes):
    uploader = next(u for u in at.file_uploader if u.key.startswith("data.upload"))
    uploader.set_value((name, data, "text/csv")).run()
    assert_clean(at)
    return at


def _import_controls(at) -> list[str]:
    return [w.key for w in (*at.file_uploader, *at.button) if w.key and w.key.startswith(("data.upload", "data.confirm"))]


def test_a_visitor_sees_provenance_but_no_upload_or_save(open_page, accounts, workspace_copy):
    at = open_page("data")
    assert t("data.steward_only") in texts(at.info)  # says whom to sign in as
    assert not at.file_uploader and not _import_controls(at)
    assert [w.label for w in at.text_input] == ["نام کاربری", "گذرواژه"]  # the sign-in form instead
    assert at.dataframe  # provenance stays public
    assert not [c for c in at.selectbox if c.key == "data.layer"]


@pytest.mark.parametrize("user", ["erik", "alice"])
def test_a_signed_in_non_steward_is_refused_with_the_roles_named(open_page, accounts, user):
    at = sign_in(open_page("data"), user)
    assert t("data.steward_only") in texts(at.info)
    assert any("متصدی داده، مدیر سامانه" in w for w in texts(at.warning))
    assert not at.file_uploader and not _import_controls(at)


def test_the_english_page_says_sign_in_as_steward(open_page, accounts):
    at = open_page("data", lang="en")
    assert any("sign in as data steward or administrator" in i for i in texts(at.info))
    assert not at.file_uploader


@pytest.mark.parametrize("user", ["dana", "root"])
def test_steward_and_administrator_get_the_upload(open_page, accounts, user):
    at = sign_in(open_page("data"), user)
    assert t("data.steward_only") not in texts(at.info)
    assert [u.key for u in at.file_uploader if u.key.startswith("data.upload")]


def test_a_steward_deactivated_after_signing_in_cannot_save(steward_page, accounts, workspace_copy):
    before = sha256(workspace_copy)
    at = steward_page()
    at.checkbox(key="data.append").check().run()
    at = _upload(at, "دفاتر-تازه.csv", OFFICES)
    root = accounts.authenticate("root", PASSWORD)
    dana = next(u for u in accounts.list_users(root) if u.username == "dana")
    accounts.set_user_active(root, dana.id, False)
    at.button(key="data.confirm").click().run()
    assert_clean(at)
    assert any("این حساب فعال نیست" in e for e in texts(at.error))
    assert sha256(workspace_copy) == before


def test_provenance(open_page, ws):
    at = open_page("data")
    assert any("دادهٔ نمونه" in w for w in texts(at.warning))
    assert "نوع داده: نمونه (ساختگی، غیررسمی)" in texts(at.warning)
    s = ws.summary()
    assert any(v.startswith(f"{fmt.number(s['counties'])} شهرستان، {fmt.number(s['settlements'])} سکونتگاه")
               for v in texts(at.markdown))
    sources, imports = at.dataframe[0].value, at.dataframe[1].value
    assert sources["فایل"].tolist() == [x["file"] for x in s["sources"]]
    assert set(sources["نمونه"]) == {"بله"}
    assert len(imports) == len(ws.imports)
    assert set(imports["زمان"]) == {fmt.jalali(str(t), with_time=True) for t in ws.imports["time"]}
    assert {"region.geojson", "offices.csv"} <= set(imports["فایل"])


def test_import_shows_the_report_before_writing_then_saves(steward_page, workspace_copy):
    before = sha256(workspace_copy)
    n_before = len(Workspace.load(workspace_copy).offices)
    at = steward_page()
    at.checkbox(key="data.append").check().run()
    at = _upload(at, "دفاتر-تازه.csv", OFFICES)
    assert "نتیجهٔ بررسی «دفاتر-تازه.csv» (هنوز چیزی ذخیره نشده است)" in " ".join(texts(at.markdown))
    assert "۲ ردیف خوانده شد: ۱ قابل ورود، ۱ رد، ۰ هشدار." in texts(at.markdown)
    report = at.dataframe[-1].value
    assert report["ردیف"].tolist() == ["۲"] and report["نوع"].tolist() == ["خطا (رد)"]
    assert "بیرون از" in report["علت"].iat[0] and "outside" not in report["علت"].iat[0]  # said in Persian
    assert sha256(workspace_copy) == before  # the report is shown, nothing is written yet

    at.button(key="data.confirm").click().run()
    assert_clean(at)
    assert "ذخیره شد: ۱ ردیف در لایهٔ دفاتر." in texts(at.success)
    saved = Workspace.load(workspace_copy)
    assert len(saved.offices) == n_before + 1
    new = saved.offices[saved.offices["office_id"] == "NEW-1"].geometry.iat[0]
    assert (new.x, new.y) == (58.32945, 33.96396)
    assert saved.imports["file"].iat[-1] == "دفاتر-تازه.csv"
    assert saved.is_sample  # still labelled sample data
    # the page shows the new history and no pending import
    assert "دفاتر-تازه.csv" in set(at.dataframe[1].value["فایل"])
    assert not [b for b in at.button if b.key == "data.confirm"]
    # a workspace change does not reopen the tracker: the steward stays signed in and may import again
    assert not any("دوباره وارد شوید" in w for w in texts(at.warning))
    assert [u.key for u in at.file_uploader if u.key.startswith("data.upload")]


def test_broken_upload_shows_a_message_and_writes_nothing(steward_page, workspace_copy):
    before = sha256(workspace_copy)
    at = _upload(steward_page(), "offices.csv", b"\x00\x01\x02 this is not a table \x00")
    assert "فایل خوانده نشد؛ چیزی ذخیره نشد." in texts(at.error)
    assert any("offices.csv" in c for c in texts(at.caption))
    assert not [b for b in at.button if b.key == "data.confirm"]
    assert sha256(workspace_copy) == before


def test_nothing_importable_offers_no_save(steward_page, workspace_copy):
    before = sha256(workspace_copy)
    at = _upload(steward_page(), "outside.csv", OFFICES.split(b"\n")[0] + b"\n" + OFFICES.split(b"\n")[2] + b"\n")
    assert "هیچ ردیفی قابل ورود نیست؛ چیزی ذخیره نمی‌شود." in texts(at.error)
    assert not [b for b in at.button if b.key == "data.confirm"]
    assert sha256(workspace_copy) == before


def test_confirm_is_refused_when_the_workspace_changed_meanwhile(steward_page, workspace_copy):
    at = _upload(steward_page(), "offices.csv", OFFICES)
    # someone else saves the workspace between the check and the confirmation
    other = Workspace.load(workspace_copy)
    other.save(workspace_copy)
    os.utime(workspace_copy, ns=(os.stat(workspace_copy).st_atime_ns, os.stat(workspace_copy).st_mtime_ns + 10**9))
    theirs = sha256(workspace_copy)
    at.button(key="data.confirm").click().run()
    assert_clean(at)
    assert "فضای کاری از زمان بررسی تغییر کرده است؛ فایل را دوباره بررسی کنید. چیزی ذخیره نشد." in texts(at.error)
    assert sha256(workspace_copy) == theirs


def test_a_register_update_shows_its_changes_and_keeps_the_history(steward_page, workspace_copy):
    ws = Workspace.load(workspace_copy)
    first = ws.offices.iloc[0]
    assert first["status"] == "active"
    at = steward_page()
    at.selectbox(key="data.layer").set_value("offices").run()
    at.checkbox(key="data.update").check().run()
    update = f"شماره پروانه,وضعیت\n{first['licence_number']},لغو\n".encode()
    at = _upload(at, "به‌روزرسانی.csv", update)
    changes = t("data.changes", "fa", added="۰", removed="۰", moved="۰", changed="۱",
                unchanged=fmt.number(len(ws.offices) - 1, "fa"))
    assert changes in texts(at.markdown)
    at.button(key="data.confirm").click().run()
    assert_clean(at)
    saved = Workspace.load(workspace_copy)
    assert len(saved.offices) == len(ws.offices)  # --update keeps the records the file does not list
    assert saved.offices.set_index("licence_number").at[first["licence_number"], "status"] == "inactive"
    h = saved.office_history
    versions = h[h["record"] == first["licence_number"]]
    assert list(versions["change"]) == ["added", "changed"] and versions["import_file"].iat[1] == "به‌روزرسانی.csv"
