"""Rules the library enforces: eligibility, site validation, step order and state transitions.

Every refusal is checked to leave the database exactly as it was.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tracker_helpers import (
    RURAL_SITE,
    URBAN_SITE,
    company,
    do_step,
    good_file,
    natural_applicant,
    run_ready_steps,
    snapshot,
    to_agenda,
    version,
)

from siting.rules.validate import validate_site
from siting.tracker import (
    AccessDenied,
    SiteInput,
    TrackerInputError,
    TransitionError,
)


def refused(w, exc_type, fn, *args, match=None, **kwargs):
    """Call ``fn``; it must raise ``exc_type`` and change nothing in the database."""
    before = snapshot(w.t)
    with pytest.raises(exc_type, match=match) as info:
        fn(*args, **kwargs)
    assert snapshot(w.t) == before
    assert info.value.message_fa and info.value.message_en  # both languages
    return info.value


def draft(w, applicant_input, licence_type="rural", site=RURAL_SITE, owner=None):
    owner = owner or w.alice
    a = w.t.create_applicant(owner, applicant_input)
    app = w.t.create_application(owner, a.id, licence_type, "new", site=site)
    do_step(w, app.id, "principles", owner)
    return app.id


# -- eligibility (siting.rules.check_applicant) ------------------------------------------------------
def test_urban_licence_only_for_legal_persons(world):
    a = world.t.create_applicant(world.alice, natural_applicant(20))
    err = refused(world, TransitionError, world.t.create_application, world.alice, a.id, "urban", "new",
                  site=URBAN_SITE)
    assert [p[0] for p in err.problems] == ["applicant_type"]
    assert "فقط به شخص حقوقی" in err.message_fa


@pytest.mark.parametrize(("applicant", "licence_type", "site", "failing"), [
    (natural_applicant(21, education="diploma"), "rural", RURAL_SITE, ["min_education"]),
    (natural_applicant(22, education="master", government_employee=True), "rural", RURAL_SITE,
     ["not_government_employee"]),
    (company(23, md_education="associate", member_education="diploma"), "urban", URBAN_SITE,
     ["min_education"]),
    (company(24, md_education="bachelor", md_government=True, member_education="diploma"), "urban",
     URBAN_SITE, ["not_government_employee"]),
], ids=["rural-no-degree", "rural-government-employee", "urban-no-qualified-director-or-signatory",
        "urban-director-is-government-employee"])
def test_each_eligibility_failure_refuses_submission(world, applicant, licence_type, site, failing):
    app_id = draft(world, applicant, licence_type, site)
    err = refused(world, TransitionError, world.t.submit, world.alice, app_id,
                  expected_version=version(world, app_id), match="does not meet the guide's conditions")
    assert [p[0] for p in err.problems] == failing
    detail = world.t.get_application(world.alice, app_id)
    assert {r.id: r.status for r in detail.eligibility}[failing[0]] == "fail"
    assert detail.application.status == "draft"


def test_a_qualified_signatory_makes_a_company_eligible(world):
    # the director has no degree, but the board member who signs holds a bachelor's degree
    app_id = draft(world, company(25, md_education="diploma"), "urban", URBAN_SITE)
    world.t.submit(world.alice, app_id, expected_version=version(world, app_id))
    assert world.t.get_application(world.alice, app_id).application.status == "submitted"


def test_applicant_form_reports_every_problem_at_once(world):
    bad = replace(company(26), national_id="10380284791", people=(
        *company(26).people[:2],
        replace(company(26).people[0], national_id="1234567890", full_name="دومین مدیر"),
    ))
    err = refused(world, TrackerInputError, world.t.create_applicant, world.alice, bad)
    fields = [p[0] for p in err.problems]
    assert "national_id" in fields                   # the company's check digit
    assert "people[2].national_id" in fields         # a person's check digit
    assert "people" in fields                        # two managing directors
    assert "کد ملی" in err.message_fa


def test_persian_digits_in_ids_are_accepted_and_stored_as_ascii(world):
    inp = natural_applicant(27)
    fa = "".join("۰۱۲۳۴۵۶۷۸۹"[int(c)] for c in inp.national_id)
    person = replace(inp.people[0], national_id=fa, education="لیسانس")
    a = world.t.create_applicant(world.alice, replace(inp, national_id=fa, people=(person,)))
    assert a.national_id == inp.national_id and a.people[0].education == "bachelor"
    refused(world, TrackerInputError, world.t.create_applicant, world.bob, inp, match="already registered")


# -- site validation (siting.rules.validate.validate_site) -------------------------------------------------
def test_site_validation_is_attached_and_rerun_when_the_site_changes(world, tracker_ws, tracker_rules):
    t = world.t
    a = t.create_applicant(world.alice, natural_applicant(30))
    app = t.create_application(world.alice, a.id, "rural", "new", site=SiteInput(lon=59.36, lat=32.90))
    report = t.get_application(world.alice, app.id).validation
    direct = validate_site(tracker_ws, tracker_rules, licence_type="rural", lon=59.36, lat=32.90,
                           applicant_type="natural")
    assert report["status"] == direct.status == "fail"
    assert [r["id"] for r in report["rules"] if r["status"] == "fail"] == [
        r.id for r in direct.rules if r.status == "fail"]
    near = {r["id"]: r for r in report["rules"]}["min_distance_same_type"]
    assert near["value"] == pytest.approx(direct.rule("min_distance_same_type").value)
    t.update_site(world.alice, app.id, RURAL_SITE, expected_version=app.version)
    detail = t.get_application(world.alice, app.id)
    assert detail.validation["status"] == "pass" and detail.application.validation_status == "pass"
    assert detail.validation["lon"] == 59.52
    # the address alone changes too: validation runs again (history kept in the audit trail)
    t.update_site(world.alice, app.id, replace(RURAL_SITE, address="روستای مود، کوچهٔ ۳"),
                  expected_version=detail.application.version)
    assert [e.action for e in t.audit_trail(world.alice, app.id)].count("site_changed") == 2


def test_pending_proposals_close_to_each_other_are_flagged(world):
    t = world.t
    first = draft(world, natural_applicant(31))
    t.submit(world.alice, first, expected_version=version(world, first))
    second = draft(world, natural_applicant(32), site=SiteInput(lon=59.525, lat=32.72), owner=world.bob)
    t.submit(world.bob, second, expected_version=version(world, second))
    detail = t.get_application(world.expert, second)
    assert detail.application.validation_status == "warn"
    conflict = detail.validation["conflicts"][0]
    assert conflict["proposal_id"] == str(first) and conflict["distance_m"] < 5000
    do_step(world, first, "intake", world.alice)
    do_step(world, second, "intake", world.bob)
    items = {i.application_id: i for i in t.agenda(world.wg).items}
    assert items[second].conflicts == (first,) and "proposal_conflicts" in items[second].warned_rules
    # re-validating the first now sees the second
    t.revalidate(world.expert, first)
    assert {i.application_id: i for i in t.agenda(world.wg).items}[first].conflicts == (second,)


def test_address_only_sites(world):
    t = world.t
    a = t.create_applicant(world.alice, natural_applicant(33))
    app = t.create_application(world.alice, a.id, "rural", "new",
                               site=SiteInput(address="روستای مود، جنب مسجد", map_not_found=True))
    assert app.validation_status == "not_located" and app.site.lon is None
    do_step(world, app.id, "principles", world.alice)
    t.submit(world.alice, app.id, expected_version=version(world, app.id))
    do_step(world, app.id, "intake", world.alice)
    item = t.agenda(world.wg).items[0]
    assert (item.validation_status, item.lon, item.map_not_found) == ("not_located", None, True)
    assert t.agenda(world.wg).to_geojson()["features"] == []

    b = t.create_applicant(world.bob, natural_applicant(34))
    err = refused(world, TrackerInputError, t.create_application, world.bob, b.id, "rural", "new",
                  site=SiteInput(lon=59.5, lat=32.7, map_not_found=True))
    assert [p[0] for p in err.problems] == ["map_not_found", "address"]
    refused(world, TrackerInputError, t.create_application, world.bob, b.id, "rural", "new",
            site=SiteInput(lon=200, lat=32.7), match="not a longitude/latitude")
    refused(world, TrackerInputError, t.create_application, world.bob, b.id, "rural", "new",
            site=SiteInput(address="x", postal_code="12345"), match="10 digits")
    # an address without postal code or map flag is not enough to submit
    app = t.create_application(world.bob, b.id, "rural", "new", site=SiteInput(address="روستای مود"))
    do_step(world, app.id, "principles", world.bob)
    refused(world, TransitionError, t.submit, world.bob, app.id, expected_version=version(world, app.id),
            match="give the site")
    t.update_site(world.bob, app.id, SiteInput(address="روستای مود", postal_code="۹۷۱۷۴۳۴۴۵۹"),
                  expected_version=version(world, app.id))
    assert t.submit(world.bob, app.id, expected_version=version(world, app.id)).status == "submitted"


def test_a_site_outside_the_province_is_refused_as_the_site_checker_does(world):
    # issue 15 (8): refused at once (it was saved as a draft marked only "fails", with no county)
    a = world.t.create_applicant(world.alice, natural_applicant(35))
    for site, words_en, words_fa in (
        (SiteInput(lon=51.389, lat=35.6892), "lies outside the province; choose a site inside it",
         "بیرون از استان است؛ محلی درون استان انتخاب کنید"),  # Tehran
        (SiteInput(lon=RURAL_SITE.lat, lat=RURAL_SITE.lon), "latitude and longitude look exchanged",
         "جای عرض و طول جغرافیایی عوض شده است"),  # swapped
    ):
        err = refused(world, TrackerInputError, world.t.create_application, world.alice, a.id, "rural", "new",
                      site=site, match=words_en)
        assert [p[0] for p in err.problems] == ["site"] and words_fa in err.problems[0][2]
    assert not world.t.my_applications(world.alice)  # nothing saved
    # a site inside: the county comes from the county polygons
    ok = world.t.create_application(world.alice, a.id, "rural", "new", site=RURAL_SITE)
    assert ok.county == world.t.workspace.county_of(RURAL_SITE.lon, RURAL_SITE.lat)[0] is not None


def test_a_new_request_without_a_site_is_refused(world):
    a = world.t.create_applicant(world.alice, natural_applicant(36))
    for site in (None, SiteInput(), SiteInput(address="  ")):
        err = refused(world, TrackerInputError, world.t.create_application, world.alice, a.id, "rural", "new",
                      site=site, match="needs its site")
        assert [p[0] for p in err.problems] == ["site"]
    assert not world.t.my_applications(world.alice)


# -- step order and transitions ----------------------------------------------------------------------
def test_steps_cannot_run_out_of_order(world):
    t = world.t
    a = t.create_applicant(world.alice, natural_applicant(40))
    app = t.create_application(world.alice, a.id, "rural", "new", site=RURAL_SITE)
    refused(world, TransitionError, t.submit, world.alice, app.id, expected_version=app.version,
            match="must wait for: read the governing principles")
    refused(world, TransitionError, t.complete_step, world.expert, app.id, "intake", expected_version=app.version,
            match="must wait for: send the written request")
    refused(world, TransitionError, t.complete_step, world.alice, app.id, "fee", expected_version=app.version,
            match="comes later")
    to_agenda(world, app.id, world.alice)
    refused(world, TransitionError, t.complete_step, world.wg, app.id, "wg_review",
            expected_version=version(world, app.id), match="completed by recording the decision")
    t.record_decision(world.wg, app.id, "approve", "ok", expected_version=version(world, app.id))
    v = version(world, app.id)
    refused(world, TransitionError, t.complete_step, world.alice, app.id, "company_registration",
            expected_version=v, match="not required")
    refused(world, TransitionError, t.complete_step, world.alice, app.id, "licensing_system_registration",
            expected_version=v, match="must wait for: .*documents of the guide.*credit scoring")
    refused(world, AccessDenied, t.complete_step, world.alice, app.id, "other_employment_checks",
            expected_version=v, match="directorate expert")
    err = refused(world, TransitionError, t.complete_step, world.alice, app.id, "documents", expected_version=v,
                  match="needs documents first")
    assert {p[0] for p in err.problems} == {"national_card", "birth_certificate", "military_service_card",
                                            "no_criminal_record", "photo"}
    assert "زهرا رضایی" in err.message_fa


def test_step_facts_are_required_and_checked(world):
    t = world.t
    app_id = draft(world, natural_applicant(41))
    t.submit(world.alice, app_id, expected_version=version(world, app_id))
    do_step(world, app_id, "intake", world.alice)
    t.record_decision(world.wg, app_id, "approve", "ok", expected_version=version(world, app_id))
    content, name = good_file("postal_code_confirmation")
    t.upload_document(world.alice, app_id, "postal_code_confirmation", content, name)
    v = version(world, app_id)
    err = refused(world, TrackerInputError, t.complete_step, world.alice, app_id, "site_confirmation",
                  expected_version=v, data={"postal_code": "123"})
    assert err.problems[0][0] == "postal_code"
    refused(world, TrackerInputError, t.complete_step, world.alice, app_id, "site_confirmation",
            expected_version=v, data={}, match="10-digit postal code is required")
    refused(world, TrackerInputError, t.complete_step, world.alice, app_id, "site_confirmation",
            expected_version=v, data={"postal_code": "9717434459", "colour": "blue"}, match="does not record colour")


def test_no_licence_without_approval_and_fee(world):
    t = world.t
    app_id = draft(world, natural_applicant(42))
    t.submit(world.alice, app_id, expected_version=version(world, app_id))
    do_step(world, app_id, "intake", world.alice)
    refused(world, TransitionError, t.issue_licence, world.expert, app_id, "R-42", date(2026, 11, 1),
            expected_version=version(world, app_id), match="no licence without approval")
    t.record_decision(world.wg, app_id, "approve", "ok", expected_version=version(world, app_id))
    run_ready_steps(world, app_id, world.alice, until="fee")
    err = refused(world, TransitionError, t.issue_licence, world.expert, app_id, "R-42", date(2026, 11, 1),
                  expected_version=version(world, app_id), match="the licence waits for: .*pay the licence fee")
    assert "واریز هزینهٔ صدور پروانه" in err.message_fa
    refused(world, TransitionError, t.apply_licence_change, world.expert, app_id,
            expected_version=version(world, app_id), match="does not change a licence")
    do_step(world, app_id, "fee", world.alice)
    refused(world, AccessDenied, t.issue_licence, world.alice, app_id, "R-42", date(2026, 11, 1),
            expected_version=version(world, app_id))
    refused(world, TrackerInputError, t.issue_licence, world.expert, app_id, "R-42", date(2030, 1, 1),
            expected_version=version(world, app_id), match="future")
    t.issue_licence(world.expert, app_id, "R-42", date(2026, 11, 1), expected_version=version(world, app_id))
    refused(world, TransitionError, t.issue_licence, world.expert, app_id, "R-43", date(2026, 11, 1),
            expected_version=version(world, app_id), match="no licence without approval")


def test_decisions_only_on_the_agenda_and_only_by_the_right_body(world):
    t = world.t
    app_id = draft(world, natural_applicant(43), site=SiteInput(lon=59.36, lat=32.90))  # fails the rules
    refused(world, TransitionError, t.record_decision, world.wg, app_id, "approve", "ok",
            expected_version=version(world, app_id), match="not on the agenda")
    t.submit(world.alice, app_id, expected_version=version(world, app_id))
    do_step(world, app_id, "intake", world.alice)
    v = version(world, app_id)
    refused(world, AccessDenied, t.record_decision, world.expert, app_id, "approve", "ok", expected_version=v)
    refused(world, TrackerInputError, t.record_decision, world.wg, app_id, "maybe", "ok", expected_version=v)
    refused(world, TrackerInputError, t.record_decision, world.wg, app_id, "return", "fix it", expected_version=v,
            match="at least one deficiency")
    refused(world, TransitionError, t.record_decision, world.wg, app_id, "approve", "ok", expected_version=v,
            match="fails the rules min_distance_same_type")
    refused(world, TransitionError, t.update_site, world.alice, app_id, RURAL_SITE, expected_version=v,
            match="cannot change while the application is under review")
    content, name = good_file("photo")
    refused(world, TransitionError, t.upload_document, world.alice, app_id, "photo", content, name,
            person_id=t.get_application(world.alice, app_id).applicant.people[0].id,
            match="documents cannot change")
    t.record_decision(world.wg, app_id, "approve", "ok", expected_version=v,
                      override_reason="the nearby office is closing this year")
    d = t.get_application(world.alice, app_id).decisions[-1]
    assert d.override_reason == "the nearby office is closing this year"


def test_cancelled_applications_stop(world):
    t = world.t
    app_id = draft(world, natural_applicant(44))
    t.cancel_application(world.alice, app_id, "changed my mind", expected_version=version(world, app_id))
    detail = t.get_application(world.alice, app_id)
    assert detail.application.status == "cancelled" and detail.next_steps == ()
    refused(world, TransitionError, t.submit, world.alice, app_id, expected_version=detail.application.version)
    refused(world, TransitionError, t.cancel_application, world.alice, app_id, "again",
            expected_version=detail.application.version)
