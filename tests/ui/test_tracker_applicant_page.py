"""The applicant's tracker page (ui/pages/tracker_my_applications.py) and the shared sign-in, through
AppTest on a copy of the SAMPLE tracker database: what the page shows is checked against the library's
own reads of the same database, and refused input is checked to have written nothing."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apptest_helpers import assert_clean, texts
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest
from tracker_helpers import row_counts

from siting.samples.tracker import DEMO_ACCOUNTS, build_sample_tracker, demo_account
from siting.tracker import PasswordPolicy, SsoPolicy, Tracker, TrackerInputError, TrackerSettings
from siting.tracker.access import sso_groups_claim, sso_policy_from_env
from siting.workspace import Workspace
from ui.components import site_picker
from ui.i18n import t

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGE = "ui/pages/tracker_my_applications.py"


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory, sample_workspace_path):
    """The SAMPLE tracker database, built once for this module (each test works on a copy)."""
    d = tmp_path_factory.mktemp("sample-tracker-template")
    made = build_sample_tracker(f"sqlite:///{d / 'tracker.db'}", Workspace.load(sample_workspace_path),
                                files_dir=d / "files", now=datetime.now(UTC), password_policy=PasswordPolicy.fast())
    return d, made


@pytest.fixture()
def sample_db(sample_template, tmp_path, workspace_copy, monkeypatch):
    """``(url, files_dir, made)``: this test's copy of the sample tracker, opened by the app."""
    d, made = sample_template
    shutil.copy(d / "tracker.db", tmp_path / "tracker.db")
    shutil.copytree(d / "files", tmp_path / "files")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SITING_TRACKER_FILES", str(tmp_path / "files"))
    for var in ("SITING_SSO_ISSUERS", "SITING_SSO_GROUP_ROLES", "SITING_SSO_DEFAULT_ROLE"):
        monkeypatch.delenv(var, raising=False)
    return url, tmp_path / "files", made


def library(url: str, files: Path, ws_path: Path) -> Tracker:
    return Tracker(TrackerSettings(url=url, files_dir=files), workspace=Workspace.load(ws_path))


def open_signed_out(lang: str = "fa") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    if lang != "fa":
        at.radio(key="lang").set_value(lang).run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="tracker.signin.username").set_value(username)
    at.text_input(key="tracker.signin.password").set_value(password)
    _submit(at, "tracker.signin")
    assert_clean(at)
    return at


def as_user(username: str, lang: str = "fa") -> AppTest:
    return sign_in(open_signed_out(lang), username, demo_account(username).password)


def all_text(at: AppTest) -> str:
    return "\n".join(texts(at.markdown) + texts(at.warning) + texts(at.error) + texts(at.success)
                     + texts(at.info) + texts(at.caption))


# -- signing in ---------------------------------------------------------------------------------------
def test_signed_out_shows_the_form_the_sample_banner_and_the_demo_accounts(sample_db):
    at = open_signed_out()
    assert at.title[0].value == t("page.tracker_my_applications", "fa")
    assert t("tracker.sample_banner", "fa") in texts(at.warning)
    assert t("tracker.signin_needed", "fa") in texts(at.info)
    assert at.text_input(key="tracker.signin.password").proto.type == 1  # a password field
    demo = at.table[0].value
    assert list(demo[t("tracker.username", "fa")]) == [a.username for a in DEMO_ACCOUNTS]
    assert list(demo[t("tracker.password", "fa")]) == [a.password for a in DEMO_ACCOUNTS]
    assert not at.dataframe  # nothing of anyone's applications


def test_a_real_database_shows_no_banner_and_no_demo_accounts(workspace_copy, tmp_path, monkeypatch):
    from siting.tracker import init_database

    url = f"sqlite:///{tmp_path / 'real.db'}"
    init_database(url)
    t_ = Tracker(TrackerSettings(url=url, password_policy=PasswordPolicy.fast()), workspace=Workspace.empty())
    t_.bootstrap_admin("admin", "a long passphrase")
    t_.close()
    monkeypatch.setenv("DATABASE_URL", url)
    at = open_signed_out()
    assert t("tracker.sample_banner", "fa") not in texts(at.warning)
    assert not at.table


def test_wrong_password_shows_the_library_message_and_writes_only_the_audit(sample_db):
    url, _, _ = sample_db
    before = row_counts(url)

    def only_audited(failures: int) -> None:  # the attempt is audited and counted, nothing else changes
        after = row_counts(url)
        assert after["audit"] == before["audit"] + failures
        assert {k: v for k, v in after.items() if k not in ("audit", "signin_throttle")} == \
            {k: v for k, v in before.items() if k not in ("audit", "signin_throttle")}

    at = sign_in(open_signed_out(), "demo-zahra", "not her password")
    assert "نام کاربری یا گذرواژه نادرست است" in texts(at.error)
    assert not at.dataframe
    only_audited(1)
    at = sign_in(open_signed_out("en"), "nobody-at-all", "whatever it is")
    assert "wrong user name or password" in texts(at.error)
    only_audited(2)


def test_staff_role_is_told_the_page_is_for_applicants(sample_db):
    at = as_user("demo-expert")
    assert t("tracker.wrong_role", "fa", roles=t("role.applicant", "fa"), role=t("role.expert", "fa")) in \
        texts(at.warning)
    assert not at.dataframe


# -- my applications ------------------------------------------------------------------------------------
def test_applicant_sees_her_applications_and_the_returned_ones_reasons(sample_db, workspace_copy):
    url, files, _ = sample_db
    at = as_user("demo-zahra")
    lib = library(url, files, workspace_copy)
    me = lib.authenticate("demo-zahra", demo_account("demo-zahra").password)
    mine = lib.my_applications(me)
    table = at.dataframe[0].value
    assert list(table[t("tracker.app.col.id", "fa")]) == [str(x.application.id).translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) for x in mine]
    assert set(table[t("tracker.app.col.status", "fa")]) == {"در دستور کار کارگروه", "عودت‌شده به متقاضی",
                                                           "پروانه صادر شد"}
    # the returned one's open deficiencies are on the page at once
    returned = next(x for x in mine if x.application.status == "returned")
    assert any(all(d in w for d in returned.open_deficiencies) for w in texts(at.warning))
    # open it: both rounds' decisions with their reasons and deficiencies
    at.selectbox(key="tracker.app.selected").set_value(returned.application.id).run()
    assert_clean(at)
    detail = lib.get_application(me, returned.application.id)
    page = all_text(at)
    for d in detail.decisions:
        assert d.reasons in page
        for x in d.deficiencies:
            assert f"- {x}" in page
    assert "دور ۱ — کارگروه: عودت" in page and "دور ۲ — کارگروه: عودت" in page
    # dates in the Solar Hijri calendar with Persian digits
    from siting import fmt

    assert fmt.jalali(detail.application.created_at) in set(table[t("tracker.app.col.created", "fa")])
    # the resubmit button is offered (the request step is hers again)
    assert at.button(key=f"tracker.app.submit.{returned.application.id}").label == t("tracker.app.resubmit", "fa")
    lib.close()


def test_a_second_applicant_sees_nothing_of_the_first(sample_db, workspace_copy):
    url, files, made = sample_db
    at = as_user("demo-kavir")
    lib = library(url, files, workspace_copy)
    kavir = lib.my_applications(lib.authenticate("demo-kavir", demo_account("demo-kavir").password))
    ids = {x.application.id for x in kavir}
    assert len(at.selectbox(key="tracker.app.selected").options) == len(kavir) == 2
    assert len(at.dataframe[0].value) == 2
    assert {made.applications["approved"], made.applications["urban_agenda"]} == ids
    page = all_text(at) + "\n".join(str(v) for df in (d.value for d in at.dataframe) for v in df.to_numpy().ravel())
    assert "زهرا" not in page and "رضا کاظمی" not in page
    assert "شرکت خدمات پیشخوان کویر (نمونه)" in page
    lib.close()


# -- uploads ----------------------------------------------------------------------------------------------
def _png_bytes() -> bytes:
    img = Image.new("RGB", (900, 1200), "white")
    ImageDraw.Draw(img).rectangle((100, 100, 800, 140), fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _scan_pdf(pages: int) -> bytes:
    imgs = []
    for i in range(pages):
        img = Image.new("RGB", (1240, 1754), "white")
        d = ImageDraw.Draw(img)
        for y in range(200, 1600, 90):
            d.rectangle((120, y, 1100, y + 20), fill=(30, 30, 30))
        d.text((120, 80), f"page {i + 1}", fill="black")
        imgs.append(img)
    buf = io.BytesIO()
    imgs[0].save(buf, "PDF", resolution=150, save_all=True, append_images=imgs[1:])
    return buf.getvalue()


def stored_files(folder) -> list[str]:
    """Every file the tracker keeps under ``folder`` (in subfolders named by the first characters of
    its stored name), as paths relative to it."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_upload_a_png_named_pdf_is_rejected_and_a_real_pdf_accepted(sample_db, workspace_copy):
    url, files, made = sample_db
    app_id = made.applications["returned"]
    lib = library(url, files, workspace_copy)
    me = lib.authenticate("demo-zahra", demo_account("demo-zahra").password)
    person = lib.get_application(me, app_id).applicant.people[0]
    at = as_user("demo-zahra")
    at.selectbox(key="tracker.app.selected").set_value(app_id).run()
    before, files_before = row_counts(url), stored_files(files)
    at.selectbox(key=f"tracker.app.target.{app_id}").set_value(("birth_certificate", person.id))
    at.file_uploader(key=f"tracker.app.file.{app_id}").set_value(("shenasnameh.pdf", _png_bytes(),
                                                                   "application/pdf")).run()
    at.button(key=f"tracker.app.upload.{app_id}").click().run()
    assert_clean(at)
    errors = "\n".join(texts(at.error) + texts(at.markdown))
    assert "PNG" in errors and "PDF" in errors  # the library's reason: the content is a PNG, a PDF is required
    assert row_counts(url) == before
    assert stored_files(files) == files_before  # no file kept
    # a real two-page scan PDF is accepted and listed
    at.file_uploader(key=f"tracker.app.file.{app_id}").set_value(("shenasnameh.pdf", _scan_pdf(2),
                                                                   "application/pdf")).run()
    at.button(key=f"tracker.app.upload.{app_id}").click().run()
    assert_clean(at)
    assert any("shenasnameh.pdf" in s for s in texts(at.success))
    docs = [d for d in lib.get_application(me, app_id).documents if d.kind == "birth_certificate" and d.current]
    assert len(docs) == 1 and docs[0].pages == 2 and docs[0].original_name == "shenasnameh.pdf"
    assert row_counts(url)["documents"] == before["documents"] + 1
    assert len(stored_files(files)) == len(files_before) + 1
    lib.close()


# -- a new request -----------------------------------------------------------------------------------------
def test_new_profile_with_a_bad_national_id_names_the_field_and_writes_nothing(sample_db):
    url, _, _ = sample_db
    at = as_user("demo-reza")
    before = row_counts(url)
    at.text_input(key="tracker.app.p.name").set_value("علی آزمون")
    at.text_input(key="tracker.app.p.nid").set_value("0084575949")  # check digit wrong (valid: ...948)
    _submit(at, "tracker.app.profile_form")
    assert_clean(at)
    assert ":red[کد ملی 0084575949 معتبر نیست (رقم کنترل آن درست نیست)]" in texts(at.caption)  # under the field
    assert texts(at.error) == ["مشخصات متقاضی معتبر نیست"]
    assert row_counts(url) == before


def test_new_request_for_a_natural_person_offers_rural_only_and_says_why(sample_db, workspace_copy):
    # issue 15 (8): urban was the default for a natural person, who was refused after filling the form;
    # now the licence types follow the applicant type and the form says why urban is not offered
    url, files, _ = sample_db
    at = as_user("demo-reza")
    assert at.selectbox(key="tracker.app.r.ltype").options == ["ICT روستایی"]
    assert at.selectbox(key="tracker.app.r.ltype").value == "rural"
    assert t("tracker.app.urban_legal_only", "fa") in texts(at.caption)
    at.radio(key="tracker.app.site_mode").set_value("settlement").run()
    at.selectbox(key="tracker.app.r.settlement").set_value("SMP-V0049")
    # rural at the village: a draft with its site validation
    _submit(at, "tracker.app.request_form")
    assert_clean(at)
    lib = library(url, files, workspace_copy)
    reza = lib.authenticate("demo-reza", demo_account("demo-reza").password)
    new = lib.my_applications(reza)[0].application
    assert new.status == "draft" and new.licence_type == "rural" and new.validation_status == "pass"
    ws = Workspace.load(workspace_copy)
    pt = ws.settlements.set_index("code").loc["SMP-V0049"].geometry
    assert (new.site.lon, new.site.lat) == pytest.approx((pt.x, pt.y))
    assert any(f"{new.id}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in s for s in texts(at.success))
    lib.close()


def test_coordinates_out_of_range_name_the_site_field(sample_db):
    url, _, _ = sample_db
    at = as_user("demo-zahra", "en")
    before = row_counts(url)
    at.selectbox(key="tracker.app.r.ltype").set_value("rural")
    at.text_input(key="tracker.app.r.lat").set_value("132.5")
    at.text_input(key="tracker.app.r.lon").set_value("59.2")
    _submit(at, "tracker.app.request_form")
    assert_clean(at)
    assert any("the site is not valid" in e for e in texts(at.error))
    # said under the site's fields (after the longitude), not as a list below the form (issue 15)
    assert [c for c in texts(at.caption) if c.startswith(":red[")] == [
        ":red[lon=59.2, lat=132.5 is not a longitude/latitude in degrees]"]
    assert row_counts(url) == before


def _submit(at: AppTest, form_key: str) -> None:
    """Click the submit button of the form ``form_key``."""
    for b in at.get("form_submit_button"):
        if b.form_id == form_key:
            b.click().run()
            return
    raise AssertionError(f"no form {form_key}")


# -- single sign-on settings -------------------------------------------------------------------------------
def test_sso_policy_from_the_environment():
    assert sso_policy_from_env({}) is None
    p = sso_policy_from_env({"SITING_SSO_ISSUERS": "https://sso.ict-skh.ir, https://b.example",
                             "SITING_SSO_GROUP_ROLES": "pishkhan-experts=expert, it-admins=admin",
                             "SITING_SSO_DEFAULT_ROLE": "none", "SITING_SSO_CREATE_ACCOUNTS": "0"})
    assert p == SsoPolicy(trusted_issuers=("https://sso.ict-skh.ir", "https://b.example"),
                          group_roles={"pishkhan-experts": "expert", "it-admins": "admin"}, default_role=None,
                          create_accounts=False)
    assert sso_policy_from_env({"SITING_SSO_ISSUERS": "https://a"}).default_role == "applicant"
    with pytest.raises(TrackerInputError) as e:
        sso_policy_from_env({"SITING_SSO_ISSUERS": "https://a", "SITING_SSO_GROUP_ROLES": "wg=chair,x",
                             "SITING_SSO_DEFAULT_ROLE": "boss"})
    fields = [f for f, _, _ in e.value.problems]
    assert fields == ["SITING_SSO_GROUP_ROLES", "SITING_SSO_GROUP_ROLES", "SITING_SSO_DEFAULT_ROLE"]
    assert sso_groups_claim({}) == "groups" and sso_groups_claim({"SITING_SSO_GROUPS_CLAIM": "roles"}) == "roles"


def test_bad_sso_settings_are_a_sentence_naming_the_variable(sample_db, monkeypatch):
    monkeypatch.setenv("SITING_SSO_ISSUERS", "https://sso.example")
    monkeypatch.setenv("SITING_SSO_DEFAULT_ROLE", "boss")
    at = open_signed_out("en")
    assert any("SITING_SSO_DEFAULT_ROLE" in e for e in texts(at.error))
    assert not at.get("form_submit_button")



def test_resubmitting_the_returned_request_opens_the_next_round(sample_db, workspace_copy):
    url, files, made = sample_db
    app_id = made.applications["returned"]
    at = as_user("demo-zahra")
    at.selectbox(key="tracker.app.selected").set_value(app_id).run()
    # the second return asked for a new no-criminal-record certificate: upload it first
    from tracker_helpers import good_file

    content, name = good_file("no_criminal_record")
    at.file_uploader(key=f"tracker.app.file.{app_id}").set_value((name, content, "image/png")).run()
    at.button(key=f"tracker.app.upload.{app_id}").click().run()
    assert_clean(at)
    at.button(key=f"tracker.app.submit.{app_id}").click().run()
    assert_clean(at)
    from siting import fmt

    assert t("tracker.app.submitted", "fa", id=fmt.number(app_id), round="۳") in texts(at.success)
    lib = library(url, files, workspace_copy)
    me = lib.authenticate("demo-zahra", demo_account("demo-zahra").password)
    a = lib.get_application(me, app_id)
    assert (a.application.status, a.application.round) == ("submitted", 3)
    assert a.open_deficiencies == ()
    assert [d.round for d in a.decisions] == [1, 2]  # earlier rounds kept
    # the page shows the new state (the submit button is gone)
    assert not [b for b in at.button if b.key == f"tracker.app.submit.{app_id}"]
    lib.close()


def test_sso_identity_from_streamlit_login_signs_in_through_the_library(sample_db, monkeypatch):
    """The plug-in point: with SITING_SSO_* set and a person logged in through st.login, the page
    calls sign_in_external with their claims (st.user's claims are given here, as the OIDC login would)."""
    from ui.components import signin

    url, _, _ = sample_db
    monkeypatch.setenv("SITING_SSO_ISSUERS", "https://sso.ict-skh.ir")
    monkeypatch.setenv("SITING_SSO_GROUP_ROLES", "pishkhan-experts=expert")
    claims = {"iss": "https://evil.example", "sub": "u-42", "name": "مینا سعیدی", "preferred_username": "mina"}
    monkeypatch.setattr(signin, "_sso_claims", lambda: dict(claims))
    before = row_counts(url)
    at = open_signed_out("en")
    assert "identities from 'https://evil.example' are not accepted" in texts(at.error)
    assert row_counts(url) == before and at.get("form_submit_button")  # the local form is still there
    claims["iss"] = "https://sso.ict-skh.ir"
    at = open_signed_out("en")
    assert t("tracker.signed_in_as", "en", name="مینا سعیدی", role="applicant") in texts(at.sidebar.caption)
    assert t("tracker.app.none", "en") in texts(at.info)  # a new applicant account, with nothing yet
    after = row_counts(url)
    assert after["users"] == before["users"] + 1 and after["audit"] == before["audit"] + 1
    claims["groups"] = ["pishkhan-experts"]  # the provider now puts her among the experts
    at = open_signed_out("en")
    assert t("tracker.wrong_role", "en", roles="applicant", role="directorate expert") in texts(at.warning)


def test_overdue_steps_of_the_approved_request_are_marked(sample_db, workspace_copy):
    url, files, made = sample_db
    app_id = made.applications["approved"]
    at = as_user("demo-kavir")
    at.selectbox(key="tracker.app.selected").set_value(app_id).run()
    assert_clean(at)
    lib = library(url, files, workspace_copy)
    expert = lib.authenticate("demo-expert", demo_account("demo-expert").password)
    overdue = {o.item.step.title_fa: o.days_overdue for o in lib.overdue_steps(expert)
               if o.item.application_id == app_id}
    assert len(overdue) >= 2
    steps = at.dataframe[1].value
    from siting import fmt

    shown = dict(zip(steps[t("tracker.app.col.step", "fa")], steps[t("tracker.app.col.state", "fa")], strict=True))
    for title, days in overdue.items():
        assert shown[title] == "آمادهٔ اقدام — " + t("tracker.app.overdue", "fa", days=fmt.number(days))
    assert sum("گذشته از مهلت" in v for v in shown.values()) == len(overdue)
    lib.close()


# -- issue 15 (7): following a returned application ---------------------------------------------------------
def test_the_returned_request_opens_with_the_requested_document_and_waits_for_it(sample_db, workspace_copy):
    url, files, made = sample_db
    app_id = made.applications["returned"]
    lib = library(url, files, workspace_copy)
    me = lib.authenticate("demo-zahra", demo_account("demo-zahra").password)
    mine = lib.my_applications(me)
    assert mine[0].application.id != app_id  # the newest one is another request
    person = lib.get_application(me, app_id).applicant.people[0]
    at = as_user("demo-zahra")
    from siting import fmt

    # the page opens on the request the banner names, and the banner's button opens it too
    assert any(t("tracker.app.returned_banner", "fa", id=fmt.number(app_id)) in w for w in texts(at.warning))
    assert at.selectbox(key="tracker.app.selected").value == app_id
    at.selectbox(key="tracker.app.selected").set_value(mine[0].application.id).run()
    at.button(key=f"tracker.app.open.{app_id}").click().run()
    assert at.selectbox(key="tracker.app.selected").value == app_id
    # the upload selector starts at the document the return asked for, not the first missing one
    assert at.selectbox(key=f"tracker.app.target.{app_id}").value == ("no_criminal_record", person.id)
    assert "تصویر گواهی عدم سوء پیشینه — " + t("tracker.app.requested_waiting", "fa") in all_text(at)
    # resubmitting before it is uploaded is refused with the library's Persian sentence, nothing written
    before = row_counts(url)
    at.button(key=f"tracker.app.submit.{app_id}").click().run()
    assert_clean(at)
    assert any("«تصویر گواهی عدم سوء پیشینه»" in e for e in texts(at.error))
    assert row_counts(url) == before
    assert lib.get_application(me, app_id).application.status == "returned"
    lib.close()


# -- issue 15 (8): the applicant's one path, from the site checker to a new request at that site, with
# the site checker's own checks in the request form (outside the province, swapped coordinates, no site)
VILLAGE = "SMP-V0049"


def test_a_site_chosen_on_the_map_is_carried_into_a_new_request(sample_db, workspace_copy):
    url, files, _ = sample_db
    ws = Workspace.load(workspace_copy)
    pt = ws.settlements.set_index("code").loc[VILLAGE].geometry
    at = as_user("demo-reza")  # signed in on "my applications", then to the site checker
    at.switch_page("ui/pages/applicant.py").run()
    at.radio(key="applicant.licence_type").set_value("rural").run()
    at.text_input(key="applicant.lat").input(f"{pt.y} {pt.x}")  # a pasted pair
    at.button(key="FormSubmitter:applicant.coords_form-بررسی این نقطه").click().run()
    assert_clean(at)
    at.button(key="applicant.start_request").click().run()
    assert_clean(at)
    assert at.title[0].value == "درخواست‌های من"  # the script switched to the request page
    # (AppTest forgets a page switched to by the script at the next run; the browser stays there)
    at.switch_page(site_picker.REQUEST_PAGE).run()
    # the new-request form, prefilled with the site and the licence type
    assert at.radio(key="tracker.app.site_mode").value == "point"
    assert float(at.text_input(key="tracker.app.r.lat").value) == pytest.approx(pt.y, abs=1e-6)
    assert float(at.text_input(key="tracker.app.r.lon").value) == pytest.approx(pt.x, abs=1e-6)
    assert at.selectbox(key="tracker.app.r.ltype").value == "rural"
    assert any("محل انتخاب‌شده روی نقشه در فرم درخواست آمده است" in i for i in texts(at.info))
    _submit(at, "tracker.app.request_form")
    assert_clean(at)
    assert not texts(at.error), texts(at.error) + texts(at.markdown)
    lib = library(url, files, workspace_copy)
    reza = lib.authenticate("demo-reza", demo_account("demo-reza").password)
    new = max((m.application for m in lib.my_applications(reza)), key=lambda a: a.id)
    assert (new.site.lon, new.site.lat) == pytest.approx((pt.x, pt.y), abs=1e-6)
    assert new.county == ws.county_of(pt.x, pt.y)[0] is not None  # from the county polygons
    lib.close()
    assert site_picker.CARRIED_KEY not in at.session_state  # used once


@pytest.mark.parametrize(("lat", "lon", "words"), [
    ("35.6892", "51.3890", "بیرون از استان است؛ محلی درون استان انتخاب کنید"),          # Tehran
    ("59.2211", "32.8663", "جای عرض و طول جغرافیایی عوض شده است"),                     # swapped
    ("", "", "درخواست پروانهٔ تازه محل لازم دارد"),                                     # no site
])
def test_the_request_form_refuses_as_the_site_checker_does(sample_db, lat, lon, words):
    url, _, _ = sample_db
    at = as_user("demo-reza")
    before = row_counts(url)
    at.text_input(key="tracker.app.r.lat").set_value(lat)
    at.text_input(key="tracker.app.r.lon").set_value(lon)
    _submit(at, "tracker.app.request_form")
    assert_clean(at)
    assert any(words in m for m in texts(at.markdown) + texts(at.error) + texts(at.caption)), texts(at.caption)
    assert row_counts(url) == before  # nothing saved: no draft marked only "fails" with county "—"


# -- issue 15 (8): registering as a new applicant --------------------------------------------------------
def _register(at: AppTest, **values: str) -> AppTest:
    for name, value in values.items():
        at.text_input(key=f"tracker.signup.{name}").set_value(value)
    _submit(at, "tracker.signup")
    assert_clean(at)
    return at


def test_a_new_applicant_registers_then_signs_in(sample_db, workspace_copy):
    from tracker_helpers import national_id

    url, files, _ = sample_db
    nid = national_id(811)
    users_before = row_counts(url)["users"]
    at = _register(open_signed_out(), full_name="نرگس امینی", national_id=nid.translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")), mobile="۰۹۱۵ ۱۲۳ ۴۵۶۷", password="یک گذرواژهٔ بلند", password2="یک گذرواژهٔ بلند")
    done = t("tracker.signup.done", "fa")
    assert done in texts(at.success)
    at = sign_in(at, nid, "یک گذرواژهٔ بلند")
    assert "نرگس امینی" in all_text(at) and t("tracker.app.none", "fa") in texts(at.info)  # signed in, no requests
    lib = library(url, files, workspace_copy)
    assert lib.authenticate(nid, "یک گذرواژهٔ بلند").role == "applicant"
    lib.close()
    # the same national ID again: the same sentence, nothing created (no account enumeration)
    again = _register(open_signed_out(), full_name="کس دیگر", national_id=nid, mobile="09150000000",
                      password="passphrase two x", password2="passphrase two x")
    assert done in texts(again.success)
    assert row_counts(url)["users"] == users_before + 1


def test_registration_names_each_bad_field_and_creates_nothing(sample_db):
    url, _, _ = sample_db
    before = {k: v for k, v in row_counts(url).items() if k not in ("audit", "signin_throttle")}
    at = _register(open_signed_out("en"), full_name="", national_id="1234567890", mobile="0912",
                   password="short", password2="short")
    shown = "\n".join(texts(at.markdown))
    for field in ("National ID", "Mobile number", "Password"):
        assert f"**{field}" in shown, shown
    assert not texts(at.success)
    at = _register(at, full_name="x", national_id="1234567890", mobile="09121112233",
                   password="long enough passphrase", password2="different passphrase")
    assert "The two passwords differ." in texts(at.error)
    assert {k: v for k, v in row_counts(url).items() if k not in ("audit", "signin_throttle")} == before
