"""The tracker's staff pages (working-group agenda, directorate queue) on a tracker database built in the
test through the library (SQLite; PostgreSQL for the decision test), on the SAMPLE workspace."""

from __future__ import annotations

import importlib.util
import shutil
from datetime import UTC, datetime
from pathlib import Path

import jdatetime
import pytest
from apptest_helpers import assert_clean, element_path, layer, open_app, table_with, texts
from pyproj import Geod
from staff_data import P07, P08, PASSWORD, StaffData, build
from streamlit.testing.v1 import AppTest
from tracker_helpers import snapshot

from siting import fmt
from siting.rules import load_rules
from siting.tracker import SiteInput, Tracker, TrackerInputError, TrackerSettings, init_database
from siting.workspace import Workspace
from ui.components import signin
from ui.i18n import error_text, t

APP = Path(__file__).resolve().parents[2] / "app.py"
GEOD = Geod(ellps="WGS84")

# the PostgreSQL fixtures of tests/tracker (one database per session, emptied per test)
_spec = importlib.util.spec_from_file_location("tracker_conftest", Path(__file__).resolve().parents[1] / "tracker"
                                               / "conftest.py")
_tc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tc)
pg_server, pg_url = _tc.pg_server, _tc.pg_url


@pytest.fixture(scope="session")
def built_sqlite(sample_workspace_path, tmp_path_factory) -> tuple[Path, Path, StaffData]:
    """The staff test database, built once per session (each test works on a copy)."""
    folder = tmp_path_factory.mktemp("staff-tracker")
    path = folder / "tracker.db"
    init_database(f"sqlite:///{path}")
    data = build(f"sqlite:///{path}", sample_workspace_path, folder / "files")
    return path, folder / "files", data


@pytest.fixture()
def db_kind() -> str:
    return "sqlite"


@pytest.fixture()
def staff_db(request, db_kind, built_sqlite, workspace_copy, tmp_path, monkeypatch) -> StaffData:
    """A tracker database for this test; the app opens it through ``DATABASE_URL``."""
    if db_kind == "sqlite":
        src, files, data = built_sqlite
        shutil.copy(src, tmp_path / "tracker.db")
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
        data = StaffData(url, data.agenda, data.approved, data.licences)
    else:
        url = request.getfixturevalue("pg_url")
        _tc._empty_pg(url)
        files = tmp_path / "files"
        data = build(url, workspace_copy, files)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SITING_TRACKER_FILES", str(files))
    signin._open_tracker.clear()
    yield data
    signin._open_tracker.clear()  # closes nothing itself; the next test opens its own


def _library(data: StaffData, workspace: Path) -> Tracker:
    return Tracker(TrackerSettings(url=data.url), workspace=Workspace.load(workspace))


def _open(page: str, user: str | None, lang: str = "fa") -> AppTest:
    at = open_app(page, lang=lang, timeout=90)
    if user is not None:
        at.text_input(key="tracker.signin.username").input(user)
        at.text_input(key="tracker.signin.password").input(PASSWORD)
        at.button(key=f"FormSubmitter:tracker.signin-{t('tracker.signin', lang)}").click().run()
        assert_clean(at)
    return at


def _show_map(at: AppTest) -> AppTest:
    """Switch on the agenda's map (off when the page opens: it is slow to draw without a GPU)."""
    at.toggle(key="agenda.show_map.widget").set_value(True).run()
    assert_clean(at)
    assert at.get("deck_gl_json_chart")
    return at


@pytest.mark.parametrize("page", ["tracker_agenda", "tracker_queue"])
def test_signed_out_sees_the_sign_in_form(staff_db, page):
    at = _open(page, None)
    assert at.title[0].value == t(f"page.{page}")
    assert any("دادهٔ نمونه" in w for w in texts(at.warning))  # sample data labelled
    assert t("tracker.signin_needed") in texts(at.info)
    assert [w.label for w in at.text_input] == ["نام کاربری", "گذرواژه"]
    assert not at.dataframe and not at.table and not at.get("deck_gl_json_chart")


@pytest.mark.parametrize(("page", "roles"), [("tracker_agenda", "عضو کارگروه، کارشناس اداره‌کل، مدیر سامانه"),
                                              ("tracker_queue", "کارشناس اداره‌کل، مدیر سامانه")])
def test_applicant_is_refused_with_the_role_message(staff_db, page, roles):
    at = _open(page, "alice")
    assert f"این صفحه برای {roles} است؛ شما با نقش «متقاضی» وارد شده‌اید." in texts(at.warning)
    assert not at.dataframe and not at.table and not at.get("deck_gl_json_chart")


def test_working_group_member_sees_the_agenda_validation_and_conflict(staff_db, workspace_copy):
    at = _open("tracker_agenda", "wg")
    lib = _library(staff_db, workspace_copy)
    wg = lib.authenticate("wg", PASSWORD)
    agenda = lib.agenda(wg)
    assert [i.application_id for i in agenda.items] == list(staff_db.agenda)
    table = at.dataframe[0].value
    assert table["درخواست"].tolist() == [f"#{fmt.number(i)}" for i in staff_db.agenda]
    assert table["متقاضی"].tolist() == ["شرکت نمونه الف", "شرکت نمونه ب", "متقاضی نمونه ۲"]
    status_words = {"pass": "قبول", "warn": "نیازمند بررسی", "unknown": "نامعلوم", "fail": "رد"}
    assert table["نتیجهٔ بررسی محل"].tolist() == [status_words[i.validation_status] for i in agenda.items]
    assert table["تاریخ ارسال"].tolist() == [fmt.jalali(i.submitted_at) for i in agenda.items]
    # the conflicting pair, with the distance checked against the geodesic one
    a, b, _c = staff_db.agenda
    pairs = table_with(at, "در تداخل با")
    assert len(pairs) == 1
    assert pairs["درخواست"].iat[0] == f"#{fmt.number(a)} — شرکت نمونه الف"
    assert pairs["در تداخل با"].iat[0] == f"#{fmt.number(b)} — شرکت نمونه ب"
    _, _, d = GEOD.inv(P07.lon, P07.lat, P08.lon, P08.lat)
    assert pairs["فاصله"].iat[0] in {fmt.distance(d - 1), fmt.distance(d), fmt.distance(d + 1)}
    assert pairs["حداقل مجاز"].iat[0] == fmt.distance(load_rules().for_type("urban").min_distance_same_type_m)
    assert table["در تداخل با"].tolist() == [f"#{fmt.number(b)}", f"#{fmt.number(a)}", "—"]
    # the map, drawn on request (and then for the rest of the session): every proposal, one line for the pair
    assert not at.get("deck_gl_json_chart")
    _show_map(at)
    assert [p["proposal_id"] for p in layer(at, "proposals")["data"]] == [str(i) for i in staff_db.agenda]
    (line,) = layer(at, "conflicts")["data"]
    _, _, d_line = GEOD.inv(line["lon_a"], line["lat_a"], line["lon_b"], line["lat_b"])
    assert d_line == pytest.approx(d, abs=0.01)
    # the chosen proposal's full stored report: each rule with its Persian explanation, value and threshold
    report = lib.get_application(wg, a).validation
    rules = table_with(at, "نتیجه")
    assert rules.index.tolist() == [r["title_fa"] for r in report["rules"]]
    # ... except the conflicts, shown as they are now: a's report was stored before b existed, and names b now
    shown = dict(zip(rules.index, rules["توضیح"], strict=True))
    assert {k: v for k, v in shown.items() if k != "تداخل با درخواست‌های در جریان"} == {
        r["title_fa"]: r["message_fa"] for r in report["rules"] if r["id"] != "proposal_conflicts"}
    assert shown["تداخل با درخواست‌های در جریان"] == f"درخواست‌های در جریان نزدیک: {fmt.number(b)} ({pairs['فاصله'].iat[0]})"
    assert at.radio(key=f"agenda.outcome.{a}").options == ["موافقت", "مخالفت", "عودت"]
    lib.close()


@pytest.mark.parametrize("db_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_recording_a_return_writes_one_decision_and_its_audit_entry(staff_db, workspace_copy, db_kind):
    a, b, c = staff_db.agenda
    at = _open("tracker_agenda", "wg")
    at.selectbox(key="agenda.chosen").set_value(b).run()
    at.radio(key=f"agenda.outcome.{b}").set_value("return")
    at.text_area(key=f"agenda.reasons.{b}").input(f"محل به درخواست #{a} بسیار نزدیک است")
    at.text_area(key=f"agenda.deficiencies.{b}").input("محل دیگری پیشنهاد کنید\n- نشانی کامل نیست\n")
    at.button(key=f"FormSubmitter:agenda.decide.{b}-ثبت تصمیم").click().run()
    assert_clean(at)
    assert f"تصمیم «عودت» برای درخواست #{fmt.number(b)} ثبت شد." in texts(at.success)
    # it left the agenda (and its pair with it); its history shows the decision
    assert at.dataframe[0].value["درخواست"].tolist() == [f"#{fmt.number(a)}", f"#{fmt.number(c)}"]
    assert t("wg.no_conflicts") in texts(at.success)
    history = table_with(at, "تصمیم")
    assert history["تصمیم"].tolist() == ["عودت"]
    assert history["نواقص (هر مورد در یک سطر)"].iat[0] == "محل دیگری پیشنهاد کنید؛ نشانی کامل نیست"
    # read back through the library
    lib = _library(staff_db, workspace_copy)
    wg = lib.authenticate("wg", PASSWORD)
    detail = lib.get_application(wg, b)
    assert detail.application.status == "returned"
    (decision,) = detail.decisions
    assert (decision.outcome, decision.body, decision.deficiencies) == (
        "return", "working_group", ("محل دیگری پیشنهاد کنید", "نشانی کامل نیست"))
    entries = [e for e in lib.audit_trail(wg, b) if e.action == "decision_recorded"]
    assert len(entries) == 1 and entries[0].username == "wg" and entries[0].details["outcome"] == "return"
    assert entries[0].details["deficiencies"] == ["محل دیگری پیشنهاد کنید", "نشانی کامل نیست"]
    assert [i.application_id for i in lib.agenda(wg).items] == [a, c]
    lib.close()


def test_a_stale_page_is_refused_and_nothing_is_recorded(staff_db, workspace_copy):
    a, _, _ = staff_db.agenda
    at = _open("tracker_agenda", "wg")
    lib = _library(staff_db, workspace_copy)
    lib.revalidate(lib.authenticate("expert", PASSWORD), a)  # someone else changes the application meanwhile
    before = snapshot(lib)
    at.radio(key=f"agenda.outcome.{a}").set_value("reject")
    at.text_area(key=f"agenda.reasons.{a}").input("محل مناسب نیست")
    at.button(key=f"FormSubmitter:agenda.decide.{a}-ثبت تصمیم").click().run()
    assert_clean(at)
    (err,) = [e for e in texts(at.error) if "ذخیره نشد" in e]  # ConflictError's Persian sentence
    assert "پس از باز کردن شما توسط کاربر دیگری تغییر کرده است" in err
    assert snapshot(lib) == before
    lib.close()


def test_expert_completing_a_step_out_of_order_is_refused_and_nothing_changes(staff_db, workspace_copy):
    at = _open("tracker_queue", "expert")
    app_id = staff_db.approved
    at.selectbox(key="queue.chosen").set_value(app_id).run()
    assert_clean(at)
    assert at.selectbox(key=f"queue.step.{app_id}").options  # the open steps of the application
    at.selectbox(key=f"queue.step.{app_id}").set_value("fee").run()  # needs every earlier step
    assert [w.label for w in at.text_input][:2] == ["شمارهٔ پیگیری پرداخت (لازم)", "مبلغ (ریال)"]
    lib = _library(staff_db, workspace_copy)
    expert = lib.authenticate("expert", PASSWORD)  # before the snapshot: signing in is audited
    before = snapshot(lib)
    at.text_input(key=f"queue.field.{app_id}.fee.payment_reference").input("PAY-1")
    at.button(key=f"FormSubmitter:queue.complete.{app_id}.fee-ثبت انجام مرحله").click().run()
    assert_clean(at)
    wf = lib.workflow
    steps = {s.step_id: s for s in lib.get_application(expert, app_id).current_steps()}
    waiting_for = [n for n in wf.step("fee").needs if steps[n].state not in ("done", "skipped")]
    assert waiting_for  # the fee needs steps that are not done yet
    (err,) = [e for e in texts(at.error) if "این مراحل باید انجام شوند" in e]
    assert err == f"پیش از مرحلهٔ «{wf.step('fee').fa}» این مراحل باید انجام شوند: " + "؛ ".join(
        wf.step(n).fa for n in waiting_for)
    assert snapshot(lib) == before
    # issuing the licence before the steps it needs is refused the same way
    at.text_input(key=f"queue.licence_number.{app_id}").input("SMP-NEW-1")
    at.button(key=f"FormSubmitter:queue.issue.{app_id}-ثبت پروانه").click().run()
    assert any(e.startswith("پروانه منتظر این مراحل است") for e in texts(at.error))
    assert snapshot(lib) == before
    lib.close()


def test_overdue_steps_show_days_late(staff_db, workspace_copy):
    at = _open("tracker_queue", "expert")
    lib = _library(staff_db, workspace_copy)
    overdue = lib.overdue_steps(lib.authenticate("expert", PASSWORD))
    today = datetime.now(UTC).date()
    shown = table_with(at, "روز تأخیر")
    assert len(shown) == len(overdue) > 0
    assert shown["روز تأخیر"].tolist() == [fmt.number((today - o.item.step.due_on).days) for o in overdue]
    assert shown["موعد"].tolist() == [fmt.jalali(o.item.step.due_on) for o in overdue]
    lib.close()


@pytest.mark.parametrize("days", [0, 30, 90, 365])
def test_renewal_list_shows_exactly_the_licences_expiring_within_n_days(staff_db, workspace_copy, days):
    at = _open("tracker_queue", "expert")
    at.slider(key="queue.renewal_days").set_value(days).run()
    assert_clean(at)
    lib = _library(staff_db, workspace_copy)
    expert = lib.authenticate("expert", PASSWORD)
    today = datetime.now(UTC).date()
    expected = []
    for lic_id in staff_db.licences:  # five Solar Hijri years after the issue date, computed here
        lic = lib.get_licence(expert, lic_id)
        j = jdatetime.date.fromgregorian(date=lic.issued_on)
        expires = jdatetime.date(j.year + 5, j.month, j.day).togregorian()
        if (expires - today).days <= days:
            expected.append((lic.number, fmt.number((expires - today).days), fmt.jalali(expires)))
    if not expected:
        assert f"هیچ پروانهٔ معتبری تا {fmt.number(days)} روز دیگر منقضی نمی‌شود." in texts(at.info)
        assert days < 10
        return
    shown = table_with(at, "روز مانده")
    assert list(zip(shown["شمارهٔ پروانه"], shown["روز مانده"], shown["تاریخ انقضا"], strict=True)) == expected
    lib.close()


def test_working_group_page_loads_the_trackers_pending_applications(staff_db):
    at = _open("tracker_agenda", "wg")  # signs in; the review page then offers the tracker as a source
    at.switch_page("ui/pages/working_group.py").run()
    assert_clean(at)
    at.radio(key="wg.source").set_value("tracker").run()
    assert_clean(at)
    a, b, c = staff_db.agenda
    table = at.dataframe[0].value
    assert sorted(table["شناسه درخواست"]) == sorted(str(i) for i in staff_db.agenda)
    conflicts = dict(zip(table["شناسه درخواست"], table["تداخل با"], strict=True))
    assert conflicts[str(a)] == str(b) and conflicts[str(b)] == str(a) and conflicts[str(c)] == ""


def test_switching_the_working_group_pages_source_does_not_move_its_map(staff_db):
    """The source's widgets and messages above the map differ between a file and the tracker: they sit in
    one element that is always there, so the map keeps its place (a moved map is a new map for the browser)."""
    at = _open("tracker_agenda", "wg")
    at.switch_page("ui/pages/working_group.py").run()
    at.button(key="wg.sample").click().run()
    at.toggle(key="wg.show_map.widget").set_value(True).run()
    assert_clean(at)
    map_at = element_path(at)
    assert len(layer(at, "proposals")["data"]) == 9  # the sample file's proposals
    at.radio(key="wg.source").set_value("tracker").run()
    assert_clean(at)
    assert not [u for u in at.get("file_uploader")]  # the file's widgets are gone ...
    assert {p["proposal_id"] for p in layer(at, "proposals")["data"]} == {str(i) for i in staff_db.agenda}
    assert element_path(at) == map_at  # ... and the map has not moved
    at.radio(key="wg.source").set_value("file").run()
    assert len(layer(at, "proposals")["data"]) == 9 and element_path(at) == map_at


def test_working_group_page_offers_no_tracker_source_when_signed_out(staff_db):
    at = AppTest.from_file(str(APP), default_timeout=90).run()
    at.switch_page("ui/pages/working_group.py").run()
    assert_clean(at)
    assert not [r for r in at.radio if r.key == "wg.source"]
    assert at.file_uploader(key="wg.upload.0")  # the file, as before


@pytest.mark.parametrize(("page", "user"), [("tracker_agenda", "wg"), ("tracker_queue", "expert")])
def test_staff_pages_in_english(staff_db, page, user):
    at = _open(page, user, lang="en")
    assert at.title[0].value == t(f"page.{page}", "en")
    assert not at.warning or all("This page is for" not in w for w in texts(at.warning))
    if page == "tracker_agenda":
        assert at.dataframe[0].value.columns[0] == "Application"
        assert at.radio(key=f"agenda.outcome.{staff_db.agenda[0]}").options == ["approve", "reject", "return"]
    else:
        assert table_with(at, "Days late") is not None and table_with(at, "Days left") is not None


def test_administrator_reads_both_pages_but_records_nothing(staff_db):
    at = _open("tracker_agenda", "admin")
    assert len(at.dataframe[0].value) == 3
    assert t("tracker.staff.decision_members_only") in texts(at.info)
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter:agenda.decide")]
    at = _open("tracker_queue", "admin")
    assert t("tracker.staff.experts_only") in texts(at.info)
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter:queue.")]


# -- issue 15 (2): the decision has no default, needs reasons, and sees approved conflicts --------------------
def _decide(at: AppTest, app_id: int, outcome: str | None, reasons: str, override: str = "") -> AppTest:
    at.selectbox(key="agenda.chosen").set_value(app_id).run()
    if outcome is not None:
        at.radio(key=f"agenda.outcome.{app_id}").set_value(outcome)
    at.text_area(key=f"agenda.reasons.{app_id}").input(reasons)
    at.text_input(key=f"agenda.override.{app_id}").input(override)
    at.button(key=f"FormSubmitter:agenda.decide.{app_id}-ثبت تصمیم").click().run()
    assert_clean(at)
    return at


def test_the_decision_form_has_no_default_and_refuses_a_decision_without_outcome_or_reasons(staff_db, workspace_copy):
    a, _, _ = staff_db.agenda
    at = _open("tracker_agenda", "wg")
    assert at.radio(key=f"agenda.outcome.{a}").value is None  # nothing preselected
    lib = _library(staff_db, workspace_copy)
    before = snapshot(lib)
    _decide(at, a, None, "")
    assert t("tracker.staff.outcome_needed") in texts(at.error) and t("tracker.staff.reasons_needed") in texts(at.error)
    _decide(at, a, "approve", "   ")
    assert t("tracker.staff.reasons_needed") in texts(at.error) and t("tracker.staff.outcome_needed") not in texts(at.error)
    assert snapshot(lib) == before
    lib.close()


def test_after_one_approval_the_agenda_lists_the_conflict_and_refuses_the_second_without_override(
        staff_db, workspace_copy):
    a, b, c = staff_db.agenda  # a (P07) and b (P08): two urban proposals 400 m apart
    lib = _library(staff_db, workspace_copy)
    wg = lib.authenticate("wg", PASSWORD)
    status_a = lib.get_application(wg, a).application.validation_status
    lib.record_decision(wg, a, "approve", "نخستین درخواست", expected_version=lib.get_application(wg, a).application.version,
                        override_reason="تصمیم آزمون" if status_a == "fail" else None)
    at = _open("tracker_agenda", "wg")
    # the agenda still shows the conflict, now with an approved proposal, and b's report says the same
    pairs = table_with(at, "در تداخل با")
    assert pairs["درخواست"].tolist() == [f"#{fmt.number(a)} — شرکت نمونه الف (موافقت‌شده)"]
    assert pairs["در تداخل با"].tolist() == [f"#{fmt.number(b)} — شرکت نمونه ب"]
    _, _, d = GEOD.inv(P07.lon, P07.lat, P08.lon, P08.lat)
    assert pairs["فاصله"].iat[0] in {fmt.distance(d - 1), fmt.distance(d), fmt.distance(d + 1)}
    table = at.dataframe[0].value
    assert table["درخواست"].tolist() == [f"#{fmt.number(b)}", f"#{fmt.number(c)}"]
    assert table["در تداخل با"].tolist() == [f"#{fmt.number(a)}", "—"]
    assert table["نتیجهٔ بررسی محل"].iat[0] == "رد"  # a conflict with an approved site breaks the rule
    at.selectbox(key="agenda.chosen").set_value(b).run()
    assert t("tracker.staff.override_needed") in texts(at.warning)
    rules = table_with(at, "نتیجه")
    assert "موافقت‌شده" in rules.loc["تداخل با درخواست‌های در جریان", "توضیح"]
    # the approved proposal is on the map, white, and the line carries the distance
    _show_map(at)
    map_at = element_path(at)
    marks = {p["proposal_id"]: p for p in layer(at, "proposals")["data"]}
    assert set(marks) == {str(a), str(b), str(c)} and marks[str(a)]["colour"] == [255, 255, 255, 255]
    (label,) = layer(at, "conflict_labels")["data"]
    assert label["label"] == fmt.number(d / 1000, decimals=1)
    # approving b without the exception's reason is refused, nothing recorded
    before = snapshot(lib)
    _decide(at, b, "approve", "پوشش بیشتر")
    assert any("موافقت‌شده" in e and "دلیل استثنا" in e for e in texts(at.error))
    assert snapshot(lib) == before
    # with it: approved, and the audit keeps the reason and the conflict
    _decide(at, b, "approve", "پوشش بیشتر", override="دو ورودی جدا از دو خیابان اصلی")
    assert lib.get_application(wg, b).application.status == "approved"
    assert at.success and element_path(at) == map_at  # the decision's message above the map does not move it
    entry = next(e for e in lib.audit_trail(wg, b) if e.action == "decision_recorded")
    assert entry.details["override_reason"] == "دو ورودی جدا از دو خیابان اصلی"
    assert [x["proposal_id"] for x in entry.details["conflicts"]] == [str(a)]
    lib.close()


def test_overlapping_proposals_stay_apart_on_the_agenda_map(staff_db):
    a, b, _ = staff_db.agenda  # 400 m apart: one spot at the province's zoom
    at = _show_map(_open("tracker_agenda", "wg"))
    marks = {p["proposal_id"]: p for p in layer(at, "proposals")["data"]}
    assert marks[str(a)]["radius"] > marks[str(b)]["radius"]  # rings: the second drawn smaller, on top
    assert marks[str(a)]["label_offset"] != marks[str(b)]["label_offset"]
    assert {m["label"] for m in marks.values()} == {fmt.number(i) for i in staff_db.agenda}
    halo = layer(at, "proposal_halo")
    assert halo["getRadius"] == "@@=radius + 3"


def test_the_agenda_map_is_drawn_on_request_and_stays_on_for_the_session(staff_db):
    at = _open("tracker_agenda", "wg")
    toggle = at.toggle(key="agenda.show_map.widget")
    assert toggle.label == "نقشهٔ درخواست‌ها و تداخل‌ها" and toggle.value is False
    assert not at.get("deck_gl_json_chart")  # the page opens without the map: nothing for the browser to draw
    _show_map(at)
    at.switch_page("ui/pages/tracker_queue.py").run()
    assert not at.get("deck_gl_json_chart")
    at.switch_page("ui/pages/tracker_agenda.py").run()
    assert_clean(at)
    assert at.toggle(key="agenda.show_map.widget").value is True
    assert {p["proposal_id"] for p in layer(at, "proposals")["data"]} == {str(i) for i in staff_db.agenda}
    at.toggle(key="agenda.show_map.widget").set_value(False).run()
    assert not at.get("deck_gl_json_chart")
    at.switch_page("ui/pages/tracker_queue.py").run()
    at.switch_page("ui/pages/tracker_agenda.py").run()
    assert not at.get("deck_gl_json_chart")


# -- issue 15 (10): the expert's queue keeps its place and finishes a sequence of steps from one screen ---------
def _ready_for_expert(lib, expert, app_id):
    return [s for s in lib.get_application(expert, app_id).next_steps
            if s.actor != "applicant" and s.completed_by_action == "step"]


def test_the_queue_keeps_the_application_and_tab_and_offers_the_next_step(staff_db, workspace_copy):
    from tracker_helpers import STEP_DATA, World, run_ready_steps

    app_id = staff_db.approved
    lib = _library(staff_db, workspace_copy)
    ids = {u: lib.authenticate(u, PASSWORD) for u in ("admin", "expert", "wg", "alice", "bob")}
    expert = ids["expert"]
    # the applicant's licensing steps done (through the library): the directorate's checks are ready
    run_ready_steps(World(lib, None, **ids), app_id, ids["bob"], until="document_confirmation")
    at = _open("tracker_queue", "expert")
    labels = [tab.label for tab in at.tabs]
    assert not any(ch.isdigit() for label in labels for ch in label)  # no counts: the tabs stay the same tabs
    at.selectbox(key="queue.chosen").set_value(app_id).run()
    done = []
    for _ in range(2):  # two steps in a row, without choosing the application again
        ready = _ready_for_expert(lib, expert, app_id)
        assert ready, "the sample application has a directorate step ready"
        first = ready[0].step_id
        assert at.selectbox(key="queue.chosen").value == app_id
        assert at.selectbox(key=f"queue.step.{app_id}").value == first  # the next ready step, preselected
        assert at.button(key=f"queue.pick.{app_id}.{first}")  # the remaining steps, each with its button
        for field, value in (STEP_DATA.get(first) or {}).items():
            at.text_input(key=f"queue.field.{app_id}.{first}.{field}").input(value)
        at.button(key=f"FormSubmitter:queue.complete.{app_id}.{first}-ثبت انجام مرحله").click().run()
        assert_clean(at)
        assert t("tracker.staff.completed", step=lib.workflow.step(first).fa, n=fmt.number(app_id)) in texts(at.success)
        assert [tab.label for tab in at.tabs] == labels
        done.append(first)
        if not _ready_for_expert(lib, expert, app_id):
            break
    steps = {s.step_id: s.state for s in lib.get_application(expert, app_id).current_steps()}
    assert all(steps[s] == "done" for s in done)
    assert at.selectbox(key="queue.chosen").value == app_id
    lib.close()


def test_an_application_waiting_for_the_applicant_is_in_the_selector_marked(staff_db, workspace_copy):
    _, b, _ = staff_db.agenda
    lib = _library(staff_db, workspace_copy)
    wg = lib.authenticate("wg", PASSWORD)
    lib.record_decision(wg, b, "return", "محل دیگری پیشنهاد کنید", deficiencies=["نشانی کامل نیست"],
                        expected_version=lib.get_application(wg, b).application.version)
    at = _open("tracker_queue", "expert")
    assert at.toggle(key="queue.applicant_steps").value is False
    assert f"#{fmt.number(b)} — شرکت نمونه ب ({t('tracker.staff.waiting_applicant')})" in at.selectbox(key="queue.chosen").options
    at.selectbox(key="queue.chosen").set_value(b).run()
    assert_clean(at)
    assert t("tracker.staff.open_deficiencies") in " ".join(texts(at.warning))  # its page opens: the return's deficiencies
    lib.close()


def test_a_return_from_the_agenda_asks_for_a_document(staff_db, workspace_copy):
    _, _, c = staff_db.agenda  # a natural person: no company documents offered
    at = _open("tracker_agenda", "wg")
    at.selectbox(key="agenda.chosen").set_value(c).run()
    offered = at.multiselect(key=f"agenda.requested.{c}").options
    assert "تصویر کارت ملی" in offered and not any("اساسنامه" in o or "مهر شرکت" in o for o in offered)
    at.multiselect(key=f"agenda.requested.{c}").select("national_card")
    at.text_area(key=f"agenda.deficiencies.{c}").input("تصویر کارت ملی خوانا نیست")
    at.radio(key=f"agenda.outcome.{c}").set_value("return")
    at.text_area(key=f"agenda.reasons.{c}").input("پرونده ناقص است")
    at.button(key=f"FormSubmitter:agenda.decide.{c}-ثبت تصمیم").click().run()
    assert_clean(at)
    lib = _library(staff_db, workspace_copy)
    detail = lib.get_application(lib.authenticate("wg", PASSWORD), c)
    assert detail.application.status == "returned"
    assert [(r.kind, r.uploaded) for r in detail.requested_documents] == [("national_card", False)]
    lib.close()


# -- issue 15 (7): following a returned application — the queue returns a submitted request at intake ------------
P01 = SiteInput(lon=56.82434, lat=33.56002, address="روستای نمونه ۱")  # data/sample/proposals.csv (synthetic)


def _submitted(lib: Tracker) -> tuple[int, dict]:
    """A natural person's request submitted by ``alice`` (not yet received: its intake step is ready);
    returns its id and everyone's identities."""
    from tracker_helpers import World, do_step, natural_applicant, version

    ids = {u: lib.authenticate(u, PASSWORD) for u in ("admin", "expert", "wg", "alice", "bob")}
    w = World(lib, None, **ids)
    a = lib.create_applicant(ids["alice"], natural_applicant(741, name="متقاضی نمونه ۱"))
    app_id = lib.create_application(ids["alice"], a.id, "rural", "new", site=P01).id
    do_step(w, app_id, "principles", ids["alice"])
    lib.submit(ids["alice"], app_id, expected_version=version(w, app_id))
    assert lib.get_application(ids["expert"], app_id).application.status == "submitted"
    return app_id, ids


def test_the_queue_returns_a_submitted_request_at_intake_asking_for_a_document(staff_db, workspace_copy):
    lib = _library(staff_db, workspace_copy)
    app_id, ids = _submitted(lib)
    wf = lib.workflow
    at = _open("tracker_queue", "expert")
    # an application on the agenda (under review) has no such form: only a submitted one
    under_review = staff_db.agenda[2]
    at.selectbox(key="queue.chosen").set_value(under_review).run()
    assert_clean(at)
    assert t("tracker.staff.return_intake") not in texts(at.subheader)
    at.selectbox(key="queue.chosen").set_value(app_id).run()
    assert_clean(at)
    assert t("tracker.staff.return_intake") in texts(at.subheader)
    # the documents offered are those asked of a natural person, in Persian; a company's are not offered
    offered = at.multiselect(key=f"queue.intake_requested.{app_id}").options
    assert offered == [k.fa for k in wf.documents_asked_of("natural")]
    assert wf.documents["national_card"].fa in offered
    for company_only in ("statute", "founding_notice", "commitment_form"):
        assert wf.documents[company_only].fa not in offered
    assert at.text_area(key=f"queue.intake_reasons.{app_id}").label == "دلایل عودت (لازم)"
    at.text_area(key=f"queue.intake_reasons.{app_id}").input("  مدارک هویتی ناخوانا و نشانی ناقص است  ")
    at.text_area(key=f"queue.intake_deficiencies.{app_id}").input("تصویر کارت ملی خوانا نیست\n\n- کد پستی ناقص است")
    at.multiselect(key=f"queue.intake_requested.{app_id}").select("national_card")
    at.button(key=f"FormSubmitter:queue.return_intake.{app_id}-{t('tracker.staff.return_intake_button')}").click().run()
    assert_clean(at)
    assert t("tracker.staff.returned_intake", n=fmt.number(app_id)) in texts(at.success)
    assert at.selectbox(key="queue.chosen").value == app_id  # the application stays chosen, now waiting for alice
    assert t("tracker.staff.return_intake") not in texts(at.subheader)  # returned: no longer submitted

    # the database, read through the library
    detail = lib.get_application(ids["expert"], app_id)
    assert (detail.application.status, detail.application.round) == ("returned", 2)
    (decision,) = detail.decisions
    assert (decision.round, decision.body, decision.outcome, decision.deficiencies) == (
        1, "directorate", "return", ("تصویر کارت ملی خوانا نیست", "کد پستی ناقص است"))
    assert decision.reasons == "مدارک هویتی ناخوانا و نشانی ناقص است"  # the reasons field, not the deficiencies
    (intake,) = [s for s in detail.steps if s.step_id == "intake" and s.round == 1]
    assert intake.data == {"outcome": "return", "requested_documents": ["national_card"]}
    assert [(r.kind, r.uploaded) for r in detail.requested_documents] == [("national_card", False)]
    entries = [e for e in lib.audit_trail(ids["expert"], app_id) if e.action == "returned_at_intake"]
    assert len(entries) == 1 and entries[0].username == "expert"

    # the applicant: the upload selector starts at the document asked for, and resubmitting without it is refused
    person = detail.applicant.people[0]
    me = _open("tracker_my_applications", "alice")
    me.selectbox(key="tracker.app.selected").set_value(app_id).run()
    assert_clean(me)
    assert me.selectbox(key=f"tracker.app.target.{app_id}").value == ("national_card", person.id)
    before = snapshot(lib)
    me.button(key=f"tracker.app.submit.{app_id}").click().run()
    assert_clean(me)
    assert any(e.startswith("پیش از ارسال دوباره، این مدارک خواسته‌شده در عودت را بارگذاری کنید")
               and "«تصویر کارت ملی»" in e for e in texts(me.error))
    assert snapshot(lib) == before
    lib.close()


def test_the_queue_refuses_a_return_at_intake_without_deficiencies_and_writes_nothing(staff_db, workspace_copy):
    lib = _library(staff_db, workspace_copy)
    app_id, ids = _submitted(lib)
    at = _open("tracker_queue", "expert")
    at.selectbox(key="queue.chosen").set_value(app_id).run()
    version = lib.get_application(ids["expert"], app_id).application.version
    with pytest.raises(TrackerInputError) as refused:  # what the library says, to compare with the page
        lib.return_to_applicant(ids["expert"], app_id, [], expected_version=version, reasons="پرونده ناقص است",
                                requested_documents=["photo"])
    before = snapshot(lib)
    at.text_area(key=f"queue.intake_reasons.{app_id}").input("پرونده ناقص است")
    at.text_area(key=f"queue.intake_deficiencies.{app_id}").input(" \n- \n")  # blank lines only
    at.multiselect(key=f"queue.intake_requested.{app_id}").select("photo")
    at.button(key=f"FormSubmitter:queue.return_intake.{app_id}-{t('tracker.staff.return_intake_button')}").click().run()
    assert_clean(at)
    (err,) = texts(at.error)
    assert err == error_text(refused.value) == "دست‌کم یک نقص را برای رفع توسط متقاضی بنویسید"
    assert not at.success
    assert snapshot(lib) == before
    assert lib.get_application(ids["expert"], app_id).application.status == "submitted"
    lib.close()


@pytest.mark.parametrize("reasons", ["", "  \n \t "])
def test_the_queue_refuses_a_return_at_intake_without_reasons_and_writes_nothing(staff_db, workspace_copy, reasons):
    lib = _library(staff_db, workspace_copy)
    app_id, ids = _submitted(lib)
    at = _open("tracker_queue", "expert")
    at.selectbox(key="queue.chosen").set_value(app_id).run()
    before = snapshot(lib)
    at.text_area(key=f"queue.intake_reasons.{app_id}").input(reasons)
    at.text_area(key=f"queue.intake_deficiencies.{app_id}").input("کد پستی ناقص است")
    at.multiselect(key=f"queue.intake_requested.{app_id}").select("photo")
    at.button(key=f"FormSubmitter:queue.return_intake.{app_id}-{t('tracker.staff.return_intake_button')}").click().run()
    assert_clean(at)
    assert texts(at.error) == ["دلایل عودت را بنویسید"]
    assert not at.success
    assert snapshot(lib) == before
    assert lib.get_application(ids["expert"], app_id).application.status == "submitted"
    # the form keeps what was typed, to add the reasons and send again
    assert at.text_area(key=f"queue.intake_deficiencies.{app_id}").value == "کد پستی ناقص است"
    lib.close()


def test_the_queue_refuses_a_return_at_intake_with_neither_reasons_nor_deficiencies_saying_both(staff_db, workspace_copy):
    lib = _library(staff_db, workspace_copy)
    app_id, _ = _submitted(lib)
    at = _open("tracker_queue", "expert")
    at.selectbox(key="queue.chosen").set_value(app_id).run()
    before = snapshot(lib)
    at.button(key=f"FormSubmitter:queue.return_intake.{app_id}-{t('tracker.staff.return_intake_button')}").click().run()
    assert_clean(at)
    (err,) = texts(at.error)
    assert err.startswith("عودت کامل نیست")
    assert "دست‌کم یک نقص را برای رفع توسط متقاضی بنویسید" in err and "دلایل عودت را بنویسید" in err
    assert "deficiencies" not in err and "reasons" not in err  # no field code on the screen
    assert snapshot(lib) == before
    lib.close()


def test_the_intake_return_form_in_english_labels_the_reasons(staff_db, workspace_copy):
    lib = _library(staff_db, workspace_copy)
    app_id, _ = _submitted(lib)
    at = _open("tracker_queue", "expert", lang="en")
    at.selectbox(key="queue.chosen").set_value(app_id).run()
    assert_clean(at)
    assert at.text_area(key=f"queue.intake_reasons.{app_id}").label == "Reasons for the return (required)"
    at.text_area(key=f"queue.intake_deficiencies.{app_id}").input("postal code missing")
    at.button(key=f"FormSubmitter:queue.return_intake.{app_id}-{t('tracker.staff.return_intake_button', 'en')}"
              ).click().run()
    assert_clean(at)
    assert texts(at.error) == ["reasons: say why the request is returned"]
    lib.close()


# -- the "return a step" form offers only the steps the library would accept -------------------------------------
def test_the_return_step_form_offers_nothing_on_a_request_under_review(staff_db, workspace_copy):
    under_review = staff_db.agenda[2]
    lib = _library(staff_db, workspace_copy)
    expert = lib.authenticate("expert", PASSWORD)
    done = {s.step_id for s in lib.get_application(expert, under_review).current_steps() if s.state == "done"}
    assert "principles" in done  # the applicant's finished step, which return_step refuses now
    assert lib.returnable_steps(expert, under_review) == ()
    at = _open("tracker_queue", "expert")
    at.selectbox(key="queue.chosen").set_value(under_review).run()
    assert_clean(at)
    assert t("tracker.staff.return_step") in texts(at.subheader)
    assert t("tracker.staff.return_step_none") == "اکنون مرحله‌ای از متقاضی قابل عودت نیست."
    assert t("tracker.staff.return_step_none") in texts(at.caption)
    assert not [b for b in at.selectbox if b.key == f"queue.return_step.{under_review}"]
    assert not [b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:queue.return.{under_review}")]
    lib.close()


def test_the_return_step_form_offers_exactly_the_returnable_steps_and_returns_one(staff_db, workspace_copy):
    app_id = staff_db.approved
    lib = _library(staff_db, workspace_copy)
    expert = lib.authenticate("expert", PASSWORD)
    accepted = [s.step_id for s in lib.returnable_steps(expert, app_id)]
    assert "credit_record" in accepted and "principles" not in accepted
    at = _open("tracker_queue", "expert")
    at.selectbox(key="queue.chosen").set_value(app_id).run()
    assert_clean(at)
    box = at.selectbox(key=f"queue.return_step.{app_id}")
    assert box.options == [lib.workflow.step(s).fa for s in accepted]
    assert t("tracker.staff.return_step_none") not in texts(at.caption)
    box.set_value("credit_record")
    at.text_area(key=f"queue.deficiencies.{app_id}").input("گزارش بدهی بانکی ناخوانا است")
    at.button(key=f"FormSubmitter:queue.return.{app_id}-{t('tracker.staff.return_button')}").click().run()
    assert_clean(at)
    assert not at.error
    assert t("tracker.staff.returned", step=lib.workflow.step("credit_record").fa, n=fmt.number(app_id)) in texts(at.success)
    step = next(s for s in lib.get_application(expert, app_id).current_steps() if s.step_id == "credit_record")
    assert (step.state, step.deficiencies) == ("returned", ("گزارش بدهی بانکی ناخوانا است",))
    # returned: no longer offered
    assert lib.workflow.step("credit_record").fa not in at.selectbox(key=f"queue.return_step.{app_id}").options
    lib.close()
