"""The calls behind the dashboard's screens (applicant, directorate, working group) and the audit
trail of a whole application."""

from __future__ import annotations

import itertools
from datetime import timedelta

import jdatetime
from tracker_helpers import (
    KHUSF_SITE,
    RURAL_SITE,
    URBAN_SITE,
    company,
    do_step,
    licensed,
    natural_applicant,
    to_agenda,
    version,
)

from siting.rules.validate import validate_site
from siting.tracker import SiteInput


def test_applicant_screen_my_applications_and_next_step(world):
    t = world.t
    a = t.create_applicant(world.alice, natural_applicant(80))
    first = t.create_application(world.alice, a.id, "rural", "new", site=RURAL_SITE)
    second = t.create_application(world.alice, a.id, "rural", "new", site=KHUSF_SITE)
    to_agenda(world, first.id, world.alice)
    mine = t.my_applications(world.alice)
    assert [m.application.id for m in mine] == [second.id, first.id]  # newest first
    assert [s.step_id for s in mine[0].next_steps] == ["principles"]
    assert mine[0].next_steps[0].title_fa.startswith("مطالعهٔ اصول حاکم")
    assert mine[1].application.status == "under_review"  # the working group's turn, shown as such
    assert [(s.step_id, s.actor, s.actor_fa) for s in mine[1].next_steps] == [
        ("wg_review", "working_group", "کارگروه دفاتر پیشخوان استان")]
    assert t.my_applications(world.bob) == ()


def test_directorate_queue_by_step_and_overdue_steps(world):
    t, clock = world.t, world.clock
    apps = []
    for seed, site in ((81, RURAL_SITE), (82, KHUSF_SITE)):
        a = t.create_applicant(world.alice, natural_applicant(seed))
        app = t.create_application(world.alice, a.id, "rural", "new", site=site)
        do_step(world, app.id, "principles", world.alice)
        t.submit(world.alice, app.id, expected_version=version(world, app.id))
        apps.append(app.id)
    queue = t.queue(world.expert)
    assert set(queue.by_step()) == {"intake"}
    assert [i.application_id for i in queue.by_step()["intake"]] == apps
    assert {i.county for i in queue.items} == {"بیرجند", "خوسف"}
    assert t.queue(world.expert, step_id="fee").items == ()
    # intake is due within 7 days (workflow.yaml); on the 8th day both are overdue by one day
    intake_due = queue.items[0].step.due_on
    assert intake_due == clock.today + timedelta(days=7)
    assert t.overdue_steps(world.expert, today=intake_due) == ()
    late = t.overdue_steps(world.expert, today=intake_due + timedelta(days=1))
    assert [(o.item.application_id, o.days_overdue) for o in late] == [(apps[0], 1), (apps[1], 1)]

    # the applicant's own steps are followed up too, once the work moves to them
    do_step(world, apps[0], "intake", world.alice)
    t.record_decision(world.wg, apps[0], "approve", "ok", expected_version=version(world, apps[0]))
    assert "credit_record" not in t.queue(world.expert).by_step()
    by_step = t.queue(world.expert, include_applicant_steps=True).by_step()
    assert {"credit_record", "site_confirmation", "intake"} <= set(by_step)
    later = t.overdue_steps(world.expert, today=clock.today + timedelta(days=31))
    assert {o.item.step.step_id for o in later} >= {"credit_record", "site_confirmation", "intake"}
    credit = next(o for o in later if o.item.step.step_id == "credit_record")
    assert credit.days_overdue == 1  # 30 days allowed


def test_renewal_due_list(world):
    t, clock = world.t, world.clock
    _, soon = licensed(world, world.alice, natural_applicant(83), "rural", RURAL_SITE, "R-83")
    _, later = licensed(world, world.bob, company(84), "urban", URBAN_SITE, "P-84")
    lic = t.get_licence(world.expert, soon)
    j = jdatetime.date.fromgregorian(date=clock.today)
    assert lic.expires_on == jdatetime.date(j.year + 5, j.month, j.day).togregorian()
    days = (lic.expires_on - clock.today).days
    assert 1824 <= days <= 1828
    assert t.renewals_due(world.expert, days - 1) == ()
    due = t.renewals_due(world.expert, days)
    assert [(r.licence.number, r.days_left) for r in due] == [("R-83", days), ("P-84", days)]
    assert [r.licence.id for r in t.renewals_due(world.alice, days)] == [soon]  # applicants see their own
    assert [r.licence.id for r in t.renewals_due(world.bob, days)] == [later]
    # once expired, a licence stays on the list (unless asked not to)
    after = lic.expires_on + timedelta(days=3)
    expired = t.renewals_due(world.expert, 30, today=after)
    assert [(r.licence.number, r.days_left) for r in expired] == [("R-83", -3), ("P-84", -3)]
    assert expired[0].licence.state_on(after) == "expired"
    assert t.renewals_due(world.expert, 30, today=after, include_expired=False) == ()
    # a renewal request in progress is shown next to the licence
    app = t.create_application(world.alice, lic.holder_id, "rural", "renewal", licence_number="R-83")
    assert t.renewals_due(world.expert, days)[0].renewal_application_id == app.id


def test_working_group_agenda_with_validation_and_map(world, tracker_ws, tracker_rules):
    t = world.t
    ids = []
    for seed, owner, site in ((85, world.alice, RURAL_SITE), (86, world.bob, SiteInput(lon=59.36, lat=32.90))):
        a = t.create_applicant(owner, natural_applicant(seed))
        app = t.create_application(owner, a.id, "rural", "new", site=site)
        to_agenda(world, app.id, owner)
        ids.append(app.id)
        world.clock.advance(1)
    agenda = t.agenda(world.wg)
    assert [i.application_id for i in agenda.items] == ids  # oldest first
    good, bad = agenda.items
    assert (good.validation_status, good.failed_rules, good.newly_covered_population) == ("pass", (), 3000)
    assert bad.validation_status == "fail"
    direct = validate_site(tracker_ws, tracker_rules, licence_type="rural", lon=59.36, lat=32.90,
                           applicant_type="natural")
    assert bad.failed_rules == tuple(r.id for r in direct.rules if r.status == "fail")
    assert {"min_distance_same_type", "min_distance_any_type", "near_village"} <= set(bad.failed_rules)
    assert good.sample and good.county == "بیرجند" and good.applicant_name == "زهرا رضایی"
    geo = agenda.to_geojson()
    assert [f["geometry"]["coordinates"] for f in geo["features"]] == [[59.52, 32.72], [59.36, 32.90]]
    assert geo["features"][1]["properties"]["failed_rules"] == list(bad.failed_rules)
    # the full report for the proposal's page, and the decision in one call each
    report = t.get_application(world.wg, bad.application_id).validation
    assert {r["id"] for r in report["rules"] if r["status"] == "fail"} == set(bad.failed_rules)
    assert report["nearest_offices"][0]["office_id"] == "R1"
    t.record_decision(world.wg, bad.application_id, "reject", "too close to ICT Nowferest",
                      expected_version=bad.version)
    assert [i.application_id for i in t.agenda(world.wg).items] == [good.application_id]


def test_audit_trail_of_a_whole_application(world):
    t = world.t
    app_id, _ = licensed(world, world.alice, natural_applicant(87), "rural", RURAL_SITE, "R-87")
    for step in ("union_membership", "deputy_introduction", "sign_and_stamp", "equipment", "training"):
        do_step(world, app_id, step, world.alice)
    trail = t.audit_trail(world.alice, app_id)
    actions = [e.action for e in trail]
    assert actions[:5] == ["application_created", "step_completed", "application_submitted", "step_completed",
                           "decision_recorded"]
    assert actions.index("licence_issued") > actions.index("decision_recorded")
    steps = [e.details["step"] for e in trail if e.action == "step_completed"]
    detail = t.get_application(world.alice, app_id)
    done_by_step = [s.step_id for s in detail.steps if s.state == "done" and s.completed_by_action == "step"]
    assert sorted(steps) == sorted(done_by_step)  # every recorded step is in the trail, once
    uploads = [e for e in trail if e.action == "document_uploaded"]
    assert len(uploads) == len(detail.documents) and all(len(e.details["sha256"]) == 64 for e in uploads)
    who = {(e.action, e.details.get("step")): (e.username, e.role) for e in trail}
    assert who[("step_completed", "principles")] == ("alice", "applicant")
    assert who[("step_completed", "intake")] == ("expert", "expert")
    assert who[("step_completed", "site_visit")] == ("wg", "wg_member")  # Birjand: the secretariat
    assert who[("decision_recorded", None)] == ("wg", "wg_member")
    assert who[("licence_issued", None)] == ("expert", "expert")
    assert [e.id for e in trail] == sorted(e.id for e in trail)
    assert all(a.at <= b.at for a, b in itertools.pairwise(trail))
    assert all(e.application_id == app_id for e in trail)
    licence = next(e for e in trail if e.action == "licence_issued")
    assert licence.details["number"] == "R-87" and licence.details["expires_on"] > licence.details["issued_on"]
    # the administrator's whole log holds the same entries (plus account changes)
    log = t.audit_log(world.admin, limit=5000)
    assert {e.id for e in trail} <= {e.id for e in log}
    assert {"admin_bootstrapped", "user_created"} <= {e.action for e in log}
