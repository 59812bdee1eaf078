"""Whole applications, from the request to the licence and beyond, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import jdatetime
import pytest
from tracker_helpers import (
    KHUSF_SITE,
    RURAL_SITE,
    URBAN_SITE,
    company,
    do_step,
    licensed,
    natural_applicant,
    run_ready_steps,
    to_agenda,
    upload_missing,
    version,
)

from siting.tracker import AccessDenied, SiteInput, TrackerInputError, TransitionError

LICENSING_STEPS = [
    "company_registration", "tax_registration", "credit_record", "documents", "licensing_system_registration",
    "qualification_check", "social_security_check", "other_employment_checks", "commitment_form",
    "site_confirmation", "site_visit", "document_confirmation", "electronic_file", "fee",
]


def test_full_rural_application_from_request_to_licence(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(1))
    app = t.create_application(w.alice, a.id, "ICT روستایی", "new", site=RURAL_SITE)
    assert (app.licence_type, app.status, app.validation_status, app.county) == ("rural", "draft", "pass", "بیرجند")

    # before the working group
    detail = t.get_application(w.alice, app.id)
    assert [s.step_id for s in detail.next_steps] == ["principles"]
    to_agenda(w, app.id, w.alice)
    assert t.get_application(w.alice, app.id).application.status == "under_review"
    agenda = t.agenda(w.wg)
    assert [i.application_id for i in agenda.items] == [app.id]
    assert agenda.items[0].validation_status == "pass"
    assert agenda.items[0].newly_covered_population == 3000  # the village Mud, uncovered (hand workspace)

    # the working group approves: the fourteen steps open
    t.record_decision(w.wg, app.id, "approve", "site in an uncovered area", expected_version=version(w, app.id),
                      meeting_date=date(2026, 11, 30))
    detail = t.get_application(w.alice, app.id)
    licensing = [s for s in detail.current_steps() if s.phase == "licensing"]
    assert [s.step_id for s in licensing] == [*LICENSING_STEPS, "licence"]
    states = {s.step_id: s.state for s in licensing}
    assert states["company_registration"] == states["tax_registration"] == "skipped"  # urban-only
    assert "not required: only for urban" in next(s.notes for s in licensing if s.step_id == "tax_registration")
    site_visit = next(s for s in licensing if s.step_id == "site_visit")
    assert site_visit.actor == "wg_secretariat"  # Birjand county: the working group's secretariat visits

    done = run_ready_steps(w, app.id, w.alice, until="licence")
    assert set(done) == set(LICENSING_STEPS) - {"company_registration", "tax_registration"}
    assert done.index("site_confirmation") < done.index("site_visit") < done.index("document_confirmation")
    assert done.index("electronic_file") < done.index("fee")

    issued = date(2026, 11, 28)
    lic = t.issue_licence(w.expert, app.id, "R-1405-0001", issued, expected_version=version(w, app.id))
    assert lic.issued_on == issued
    j = jdatetime.date.fromgregorian(date=issued)
    assert lic.expires_on == jdatetime.date(j.year + 5, j.month, j.day).togregorian()  # five Solar Hijri years
    assert (lic.licence_type, lic.holder_name, lic.postal_code, lic.lon, lic.lat) == (
        "rural", "زهرا رضایی", "9717434459", 59.52, 32.72)

    # after the licence: union, deputy, sign and stamp, equipment, training
    detail = t.get_application(w.alice, app.id)
    assert detail.application.status == "licensed"
    assert detail.licence.number == "R-1405-0001"
    assert {s.step_id for s in detail.next_steps} == {"union_membership", "deputy_introduction"}
    for step in ("union_membership", "deputy_introduction", "sign_and_stamp", "equipment", "training"):
        do_step(w, app.id, step, w.alice)
    final = t.get_application(w.alice, app.id)
    assert not final.next_steps
    assert all(s.state in ("done", "skipped") for s in final.current_steps())
    assert not final.missing_documents


def test_full_urban_application_from_request_to_licence(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, company(2))
    assert [p.role for p in a.people] == ["managing_director", "board_member", "signatory"]
    app = t.create_application(w.alice, a.id, "پیشخوان شهری", "new", site=URBAN_SITE)
    assert (app.validation_status, app.county) == ("pass", "بیرجند")
    to_agenda(w, app.id, w.alice)
    t.record_decision(w.wg, app.id, "approve", "ok", expected_version=version(w, app.id))
    detail = t.get_application(w.alice, app.id)
    assert not [s for s in detail.current_steps() if s.state == "skipped"]  # every step applies to urban
    assert [s.step_id for s in detail.next_steps] == ["company_registration", "site_confirmation"]

    # company documents: statute and founding notice once; personal documents for the director and
    # the board member, not for the signatory who is off the board; no military card for the exempt member
    md, member, signatory = a.people
    missing = {(m.kind, m.person_id) for m in detail.missing_documents}
    assert ("statute", None) in missing and ("founding_notice", None) in missing
    assert ("national_card", md.id) in missing and ("national_card", member.id) in missing
    assert not any(pid == signatory.id for _, pid in missing)
    assert ("military_service_card", md.id) in missing and ("military_service_card", member.id) not in missing

    done = run_ready_steps(w, app.id, w.alice, until="licence")
    assert set(done) == set(LICENSING_STEPS)
    assert done.index("company_registration") < done.index("tax_registration") < done.index("credit_record")
    steps = {s.step_id: s for s in t.get_application(w.expert, app.id).current_steps()}
    assert steps["tax_registration"].data == {"economic_code": "411111111111"}
    assert steps["fee"].data == {"payment_reference": "PAY-884422", "amount_rial": 25000000}
    lic = t.issue_licence(w.expert, app.id, "P-1405-0001", date(2026, 11, 1), expected_version=version(w, app.id))
    assert lic.licence_type == "urban" and lic.holder_name == "شرکت خدمات پیشخوان کویر"
    assert t.get_application(w.alice, app.id).application.status == "licensed"


def test_site_visit_outside_birjand_is_by_the_governors_office(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(3))
    app = t.create_application(w.alice, a.id, "rural", "new", site=KHUSF_SITE)
    # population of Mazhan unknown: the population rule cannot be evaluated (issue 15: unknown, not warn)
    assert (app.county, app.validation_status) == ("خوسف", "unknown")
    to_agenda(w, app.id, w.alice)
    t.record_decision(w.wg, app.id, "approve", "ok", expected_version=version(w, app.id))
    visit = next(s for s in t.get_application(w.expert, app.id).current_steps() if s.step_id == "site_visit")
    assert visit.actor == "governor" and visit.actor_en == "county governor's office"


def test_return_and_resubmission_keep_every_round(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(4))
    app = t.create_application(w.alice, a.id, "rural", "new", site=SiteInput(lon=59.36, lat=32.90))
    assert app.validation_status == "fail"  # 800 m from the rural office R1
    to_agenda(w, app.id, w.alice)
    deficiencies = ["محل پیشنهادی به دفتر ICT نوفرست بسیار نزدیک است", "تصویر کارت ملی خوانا نیست"]
    t.record_decision(w.wg, app.id, "return", "site too close to an office", deficiencies=deficiencies,
                      expected_version=version(w, app.id))

    mine = t.my_applications(w.alice)[0]
    assert mine.application.status == "returned" and mine.application.round == 2
    assert mine.open_deficiencies == tuple(deficiencies)
    assert mine.last_decision.outcome == "return" and mine.last_decision.reasons == "site too close to an office"
    assert [s.step_id for s in mine.next_steps] == ["request"]  # the principles need not be read again
    assert t.agenda(w.wg).items == ()

    # the applicant moves the site; the validation runs again
    t.update_site(w.alice, app.id, RURAL_SITE, expected_version=version(w, app.id, w.alice))
    assert t.get_application(w.alice, app.id).application.validation_status == "pass"
    t.submit(w.alice, app.id, expected_version=version(w, app.id, w.alice))
    do_step(w, app.id, "intake", w.alice)
    item = t.agenda(w.wg).items[0]
    assert (item.application_id, item.round, item.validation_status) == (app.id, 2, "pass")
    t.record_decision(w.wg, app.id, "approve", "moved to an uncovered village", expected_version=version(w, app.id))

    detail = t.get_application(w.alice, app.id)
    assert [(d.round, d.outcome) for d in detail.decisions] == [(1, "return"), (2, "approve")]
    rounds = sorted((s.step_id, s.round, s.state) for s in detail.steps if s.phase in ("request", "intake", "review"))
    assert rounds == [("intake", 1, "done"), ("intake", 2, "done"), ("principles", 1, "done"),
                      ("request", 1, "done"), ("request", 2, "done"), ("wg_review", 1, "done"),
                      ("wg_review", 2, "done")]
    assert detail.open_deficiencies == ()
    validations = [e for e in t.audit_trail(w.alice, app.id) if e.action == "site_changed"]
    assert validations[0].details["before"]["lon"] == 59.36 and validations[0].details["after"]["lon"] == 59.52


def test_return_at_intake_by_the_directorate(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(5))
    app = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    do_step(w, app.id, "principles", w.alice)
    t.submit(w.alice, app.id, expected_version=version(w, app.id))
    # reasons are required: blank ones are refused and nothing changes
    before = version(w, app.id)
    with pytest.raises(TrackerInputError, match="say why the request is returned") as refused:
        t.return_to_applicant(w.expert, app.id, ["نشانی کامل نیست"], expected_version=before, reasons=" \n ")
    assert refused.value.message_fa == "دلایل عودت را بنویسید"
    assert version(w, app.id) == before and t.get_application(w.alice, app.id).decisions == ()
    t.return_to_applicant(w.expert, app.id, ["نشانی کامل نیست"], expected_version=version(w, app.id),
                          reasons="درخواست کامل نیست")
    mine = t.my_applications(w.alice)[0]
    assert mine.application.status == "returned" and mine.open_deficiencies == ("نشانی کامل نیست",)
    assert mine.last_decision.body == "directorate" and mine.last_decision.reasons == "درخواست کامل نیست"
    t.submit(w.alice, app.id, expected_version=version(w, app.id))
    assert t.get_application(w.alice, app.id).application.round == 2


def test_a_returned_step_goes_back_to_the_applicant(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(6))
    app = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    to_agenda(w, app.id, w.alice)
    t.record_decision(w.wg, app.id, "approve", "ok", expected_version=version(w, app.id))
    do_step(w, app.id, "credit_record", w.alice)
    t.return_step(w.expert, app.id, "credit_record", ["گزارش بدهی بانکی ناخوانا است"],
                  expected_version=version(w, app.id))
    mine = t.my_applications(w.alice)[0]
    returned = next(s for s in mine.next_steps if s.step_id == "credit_record")
    assert returned.state == "returned" and returned.deficiencies == ("گزارش بدهی بانکی ناخوانا است",)
    assert mine.open_deficiencies == ("گزارش بدهی بانکی ناخوانا است",)
    detail = t.get_application(w.alice, app.id)
    assert "licensing_system_registration" not in {s.step_id for s in detail.next_steps}
    do_step(w, app.id, "credit_record", w.alice)
    # once a later step is done, the step can no longer be returned
    do_step(w, app.id, "documents", w.alice)
    do_step(w, app.id, "licensing_system_registration", w.alice)
    with pytest.raises(TransitionError, match="later steps are done"):
        t.return_step(w.expert, app.id, "documents", ["x"], expected_version=version(w, app.id))


def test_returnable_steps_are_the_ones_return_step_accepts(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(16))
    app = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    to_agenda(w, app.id, w.alice)

    def refused_all_but_returnable() -> list[str]:
        offered = [s.step_id for s in t.returnable_steps(w.expert, app.id)]
        for s in t.get_application(w.expert, app.id).current_steps():
            if s.step_id not in offered:
                with pytest.raises(TransitionError):
                    t.return_step(w.expert, app.id, s.step_id, ["x"], expected_version=version(w, app.id))
        return offered

    # under the working group's review: reading the principles is done and its phase is closed
    assert "principles" in {s.step_id for s in t.get_application(w.expert, app.id).current_steps()
                            if s.state == "done"}
    assert refused_all_but_returnable() == []
    t.record_decision(w.wg, app.id, "approve", "ok", expected_version=version(w, app.id))
    do_step(w, app.id, "credit_record", w.alice)
    offered = refused_all_but_returnable()
    assert "credit_record" in offered and "principles" not in offered
    assert all(s.actor == "applicant" for s in t.returnable_steps(w.expert, app.id))
    t.return_step(w.expert, app.id, "credit_record", ["ناخوانا"], expected_version=version(w, app.id))
    # returned: it is the applicant's turn again, so it is not offered a second time
    assert "credit_record" not in [s.step_id for s in t.returnable_steps(w.expert, app.id)]
    with pytest.raises(AccessDenied):
        t.returnable_steps(w.alice, app.id)


def test_rejection_ends_the_application(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(7))
    app = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    to_agenda(w, app.id, w.alice)
    t.record_decision(w.wg, app.id, "reject", "area already served by a planned office",
                      expected_version=version(w, app.id))
    detail = t.get_application(w.alice, app.id)
    assert detail.application.status == "rejected" and detail.next_steps == ()
    with pytest.raises(TransitionError):
        t.submit(w.alice, app.id, expected_version=detail.application.version)


def test_renewal_adds_five_years_after_the_fee(world):
    w, t = world, world.t
    _, lic_id = licensed(w, w.alice, natural_applicant(8), "rural", RURAL_SITE, "R-1")
    lic = t.get_licence(w.alice, lic_id)
    holder = lic.holder_id
    app = t.create_application(w.alice, holder, "rural", "renewal", licence_number="R-1")
    assert (app.site.lon, app.county) == (59.52, "بیرجند")  # the licence's site
    t.submit(w.alice, app.id, expected_version=app.version)
    do_step(w, app.id, "intake", w.alice)
    assert t.agenda(w.wg).items == ()  # the directorate reviews renewals, not the working group
    assert [i.application_id for i in t.agenda(w.expert, body="directorate").items] == [app.id]
    t.record_decision(w.expert, app.id, "approve", "ok", expected_version=version(w, app.id))
    with pytest.raises(TransitionError, match="pay the licence fee"):
        t.apply_licence_change(w.expert, app.id, expected_version=version(w, app.id))
    done = run_ready_steps(w, app.id, w.alice, until="licence")
    assert done == ["documents", "qualification_check", "electronic_file", "fee"]
    renewed = t.apply_licence_change(w.expert, app.id, expected_version=version(w, app.id))
    j = jdatetime.date.fromgregorian(date=lic.issued_on)
    assert renewed.renewals == 1
    assert renewed.expires_on == jdatetime.date(j.year + 10, j.month, j.day).togregorian()
    assert t.get_application(w.alice, app.id).application.status == "completed"


def test_transfer_change_of_address_deputy_correction_and_withdrawal(world):
    w, t = world, world.t
    _, lic_id = licensed(w, w.alice, natural_applicant(9), "rural", RURAL_SITE, "R-9")
    old = t.get_licence(w.alice, lic_id)

    # deputy: the directorate decides, then the licence records the deputy
    app = t.create_application(w.alice, old.holder_id, "rural", "deputy", licence_number="R-9",
                               details={"full_name": "رضا حسینی", "national_id": "۰۰۸۴۵۷۵۹۴۸"})
    _directorate_change(w, app.id)
    lic = t.get_licence(w.alice, lic_id)
    assert (lic.deputy_name, lic.deputy_national_id) == ("رضا حسینی", "0084575948")

    # correction of the holder's name
    app = t.create_application(w.alice, old.holder_id, "rural", "correction", licence_number="R-9",
                               details={"holder_name": "زهرا رضایی‌نژاد"})
    _directorate_change(w, app.id)
    assert t.get_licence(w.alice, lic_id).holder_name == "زهرا رضایی‌نژاد"

    # change of address: the working group reviews the new site, which is validated and visited
    app = t.create_application(w.alice, old.holder_id, "rural", "change_of_address", licence_number="R-9",
                               site=KHUSF_SITE)
    assert app.county == "خوسف"
    to_agenda(w, app.id, w.alice)
    t.record_decision(w.wg, app.id, "approve", "ok", expected_version=version(w, app.id))
    done = run_ready_steps(w, app.id, w.alice, until="licence")
    assert done == ["site_confirmation", "site_visit", "electronic_file"]
    moved = t.apply_licence_change(w.expert, app.id, expected_version=version(w, app.id))
    assert (moved.lon, moved.lat, moved.county) == (58.51, 33.50, "خوسف")

    # transfer to bob: a new licence for the rest of the term; the old one is marked transferred
    b = t.create_applicant(w.bob, natural_applicant(10, name="بهرام نوری"))
    app = t.create_application(w.bob, b.id, "rural", "transfer", licence_number="R-9")
    to_agenda(w, app.id, w.bob)
    t.record_decision(w.wg, app.id, "approve", "ok", expected_version=version(w, app.id))
    run_ready_steps(w, app.id, w.bob, until="licence")
    new = t.issue_licence(w.expert, app.id, "R-9-T", w.clock.today, expected_version=version(w, app.id))
    assert (new.holder_name, new.expires_on, new.predecessor_id) == ("بهرام نوری", old.expires_on, lic_id)
    assert t.get_licence(w.expert, lic_id).status == "transferred"

    # withdrawal by the new holder ends the licence
    app = t.create_application(w.bob, b.id, "rural", "withdrawal", licence_number="R-9-T")
    _directorate_change(w, app.id, owner=w.bob)
    assert t.get_licence(w.bob, new.id).status == "withdrawn"


def _directorate_change(w, app_id, owner=None):
    owner = owner or w.alice
    t = w.t
    t.submit(owner, app_id, expected_version=version(w, app_id))
    do_step(w, app_id, "intake", owner)
    t.record_decision(w.expert, app_id, "approve", "ok", expected_version=version(w, app_id))
    upload_missing(w, app_id, owner)
    run_ready_steps(w, app_id, owner, until="licence")
    t.apply_licence_change(w.expert, app_id, expected_version=version(w, app_id))
    assert t.get_application(owner, app_id).application.status == "completed"
