"""Data page: provenance (public); an import, for a signed-in data steward or administrator only, shows
its row-by-row report before anything is written."""

from __future__ import annotations

import os

import pytest
from apptest_helpers import assert_clean, sha256, texts

from siting import fmt
from siting.tracker import PasswordPolicy, Tracker, TrackerSettings, init_database
from siting.workspace import Workspace
from ui.components import signin
from ui.i18n import t

PASSWORD = "a long test passphrase"

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


@pytest.fixture()
def accounts(tmp_path, workspace_copy, monkeypatch):
    """A tracker database (the app opens it through ``DATABASE_URL``) with an administrator ``root``,
    a data steward ``dana``, a directorate expert ``erik`` and an applicant ``alice``; returns the
    library's tracker on it."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init_database(url)
    trk = Tracker(TrackerSettings(url=url, files_dir=tmp_path / "files", password_policy=PasswordPolicy.fast()),
                  workspace=Workspace.load(workspace_copy))
    root = trk.bootstrap_admin("root", PASSWORD)
    for name, role in (("dana", "data_steward"), ("erik", "expert"), ("alice", "applicant")):
        trk.create_user(root, name, PASSWORD, role)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SITING_TRACKER_FILES", str(tmp_path / "files"))
    signin._open_tracker.clear()
    yield trk
    trk.close()
    signin._open_tracker.clear()


def _sign_in(at, user: str):
    at.text_input(key="tracker.signin.username").input(user)
    at.text_input(key="tracker.signin.password").input(PASSWORD)
    at.button(key=f"FormSubmitter:tracker.signin-{t('tracker.signin')}").click().run()
    assert_clean(at)
    return at


@pytest.fixture()
def steward_page(open_page, accounts):
    """The Data page with the data steward ``dana`` signed in."""
    return lambda: _sign_in(open_page("data"), "dana")


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
    at = _sign_in(open_page("data"), user)
    assert t("data.steward_only") in texts(at.info)
    assert any("متصدی داده، مدیر سامانه" in w for w in texts(at.warning))
    assert not at.file_uploader and not _import_controls(at)


def test_the_english_page_says_sign_in_as_steward(open_page, accounts):
    at = open_page("data", lang="en")
    assert any("sign in as data steward or administrator" in i for i in texts(at.info))
    assert not at.file_uploader


@pytest.mark.parametrize("user", ["dana", "root"])
def test_steward_and_administrator_get_the_upload(open_page, accounts, user):
    at = _sign_in(open_page("data"), user)
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
    assert "outside the region" in report["علت"].iat[0]
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
    # the saved workspace opens a new tracker: the steward signs in again before another import
    assert any("دوباره وارد شوید" in w for w in texts(at.warning))
    assert not at.file_uploader
    at = _sign_in(at, "dana")
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
