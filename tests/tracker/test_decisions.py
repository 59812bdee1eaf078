"""The working group's decision (issue 15, item 2): reasons for every outcome, conflicts with pending AND
approved proposals computed once for the agenda, the reports and the decision, an approval next to an
approved site refused unless an override with its reason is given (kept in the audit), and two members
deciding two conflicting proposals at the same moment (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from pyproj import Geod
from sqlalchemy import event
from tracker_helpers import do_step, natural_applicant, snapshot, version

from siting import fmt
from siting.tracker import SiteInput, TrackerInputError, TransitionError
from siting.tracker.staff import meeting_view

GEOD = Geod(ellps="WGS84")
# two rural sites near the village Mud (Birjand county, hand-built workspace), about 940 m apart
SITE_A = SiteInput(lon=59.52, lat=32.72, address="روستای مود، کوچهٔ الف")
SITE_B = SiteInput(lon=59.53, lat=32.72, address="روستای مود، کوچهٔ ب")
SITE_FAR = SiteInput(lon=59.60, lat=32.72, address="روستای دور")  # about 7.5 km from A


def geodesic(a: SiteInput, b: SiteInput) -> float:
    return GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2]


def on_agenda(w, seed: int, site: SiteInput, owner) -> int:
    a = w.t.create_applicant(owner, natural_applicant(seed))
    app = w.t.create_application(owner, a.id, "rural", "new", site=site)
    do_step(w, app.id, "principles", owner)
    w.t.submit(owner, app.id, expected_version=version(w, app.id))
    do_step(w, app.id, "intake", owner)
    return app.id


@pytest.fixture()
def pair(world):
    """Two conflicting rural proposals on the agenda (A submitted first: its stored report was made
    before B existed, so only B's report names A)."""
    a = on_agenda(world, 151, SITE_A, world.alice)
    b = on_agenda(world, 152, SITE_B, world.bob)
    return a, b


def refused(w, exc_type, fn, *args, **kwargs):
    before = snapshot(w.t)
    with pytest.raises(exc_type) as info:
        fn(*args, **kwargs)
    assert snapshot(w.t) == before
    return info.value


@pytest.mark.parametrize("outcome", ["approve", "reject", "return"])
def test_every_outcome_needs_reasons(world, pair, outcome):
    a, _ = pair
    err = refused(world, TrackerInputError, world.t.record_decision, world.wg, a, outcome, "  ",
                  expected_version=version(world, a), deficiencies=["نقشهٔ محل"])
    assert [p[0] for p in err.problems] == ["reasons"]
    assert "دلایل" in err.message_fa


def test_unknown_outcome_is_refused(world, pair):
    a, _ = pair
    refused(world, TrackerInputError, world.t.record_decision, world.wg, a, "", "دلیل",
            expected_version=version(world, a))


def test_live_conflicts_list_pending_then_approved_partners_with_the_geodesic_distance(world, pair):
    t, (a, b) = world.t, pair
    d = geodesic(SITE_A, SITE_B)
    now = t.site_conflicts(world.wg, [a, b])
    assert [(c.proposal_id, c.status) for c in now[a]] == [(str(b), "under_review")]
    assert [(c.proposal_id, c.status) for c in now[b]] == [(str(a), "under_review")]
    assert now[a][0].distance_m == pytest.approx(d, rel=0.004)  # local metric CRS vs the ellipsoid
    assert now[a][0].threshold_m == t.rules.for_type("rural").min_distance_same_type_m
    t.record_decision(world.wg, a, "approve", "نخستین درخواست؛ ضوابط رعایت شده", expected_version=version(world, a))
    assert [(c.proposal_id, c.status) for c in t.site_conflicts(world.wg, [b])[b]] == [(str(a), "approved")]
    far = on_agenda(world, 153, SITE_FAR, world.alice)
    assert t.site_conflicts(world.wg, [far])[far] == ()


def test_approval_next_to_an_approved_site_is_refused_unless_overridden(world, pair):
    t, (a, b) = world.t, pair
    t.record_decision(world.wg, a, "approve", "ضوابط رعایت شده", expected_version=version(world, a))
    err = refused(world, TransitionError, t.record_decision, world.wg, b, "approve", "پوشش روستاهای شرق",
                  expected_version=version(world, b))
    assert f"#{a}" in err.message_en and "approved" in err.message_en
    assert "موافقت‌شده" in err.message_fa and "دلیل استثنا" in err.message_fa
    # reject and return stay possible without an override
    assert t.get_application(world.wg, b).application.status == "under_review"
    # with the override and its reason: approved, and the audit keeps the reason and the conflict
    t.record_decision(world.wg, b, "approve", "پوشش روستاهای شرق", expected_version=version(world, b),
                      override_reason="فاصلهٔ جاده‌ای بیش از ۱۰ کیلومتر است")
    assert t.get_application(world.wg, b).application.status == "approved"
    entry = next(e for e in t.audit_trail(world.wg, b) if e.action == "decision_recorded")
    assert entry.details["override_reason"] == "فاصلهٔ جاده‌ای بیش از ۱۰ کیلومتر است"
    assert [(c["proposal_id"], c["status"]) for c in entry.details["conflicts"]] == [(str(a), "approved")]


def test_a_pending_conflict_alone_does_not_block_the_first_approval(world, pair):
    t, (a, b) = world.t, pair
    t.record_decision(world.wg, b, "reject", "محل دیگری بهتر است", expected_version=version(world, b))
    # B is rejected: A conflicts with nothing that holds a site
    assert t.site_conflicts(world.wg, [a])[a] == ()
    t.record_decision(world.wg, a, "approve", "ضوابط رعایت شده", expected_version=version(world, a))
    assert t.get_application(world.wg, a).application.status == "approved"


def test_after_an_approval_the_agenda_pairs_and_the_report_agree(world, pair):
    t, (a, b) = world.t, pair
    before = meeting_view(t, world.wg)
    assert before.pairs[["proposal_a", "proposal_b"]].values.tolist() == [[str(a), str(b)]]
    # A's stored report was made before B existed; the view shows both sides the same conflict
    assert [c.proposal_id for c in before.reports[a].conflicts] == [str(b)]
    t.record_decision(world.wg, a, "approve", "ضوابط رعایت شده", expected_version=version(world, a))
    view = meeting_view(t, world.wg)
    assert [it.application_id for it in view.agenda.items] == [b]
    assert view.pairs[["proposal_a", "proposal_b", "status_a", "status_b"]].values.tolist() == [
        [str(a), str(b), "approved", "under_review"]]
    assert view.pair_partners(b) == (str(a),)
    report = view.reports[b]
    assert [(c.proposal_id, c.status) for c in report.conflicts] == [(str(a), "approved")]
    assert report.rule("proposal_conflicts").status == "fail" and report.status == "fail"
    assert view.item(b).validation_status == "fail" and "proposal_conflicts" in view.item(b).failed_rules
    assert view.pairs["distance_m"].iat[0] == pytest.approx(report.conflicts[0].distance_m)


def test_two_members_approving_two_conflicting_proposals_at_once(world, pair):
    """Both decisions start together; the first is held just before it writes its decision until the
    second has finished (or waited half a second: on SQLite it cannot start while the first holds the
    write lock). Exactly one is approved; the other is refused, without an override."""
    t, (a, b) = world.t, pair
    t.create_user(world.admin, "wg2", "a long test passphrase", "wg_member", "عضو دوم")
    wg2 = t.authenticate("wg2", "a long test passphrase")
    va, vb = version(world, a), version(world, b)
    hold, second_done = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def pause_first(conn, cursor, statement, params, context, executemany):
        if statement.startswith("INSERT INTO decisions") and threading.current_thread().name == "first":
            hold.set()
            second_done.wait(0.5)

    event.listen(t.engine, "before_cursor_execute", pause_first)

    def run(name, who, app_id, v):
        try:
            results[name] = t.record_decision(who, app_id, "approve", "ضوابط رعایت شده", expected_version=v)
        except TransitionError as exc:
            results[name] = exc
        finally:
            if name == "second":
                second_done.set()

    first = threading.Thread(target=run, args=("first", world.wg, a, va), name="first")
    first.start()
    assert hold.wait(10)
    second = threading.Thread(target=run, args=("second", wg2, b, vb), name="second")
    second.start()
    first.join(20)
    second.join(20)
    event.remove(t.engine, "before_cursor_execute", pause_first)
    assert Counter(type(r).__name__ for r in results.values()) == Counter(
        {"ApplicationView": 1, "TransitionError": 1}), results
    statuses = {t.get_application(world.wg, i).application.status for i in (a, b)}
    assert statuses == {"approved", "under_review"}


# -- issue 15 (7): a return asks for documents; resubmission waits for them ----------------------------------
def test_resubmission_is_refused_until_the_requested_document_is_uploaded(world):
    from tracker_helpers import good_file

    t = world.t
    app_id = on_agenda(world, 161, SITE_A, world.alice)
    t.record_decision(world.wg, app_id, "return", "پرونده ناقص است", expected_version=version(world, app_id),
                      deficiencies=["تصویر کارت ملی خوانا نیست"], requested_documents=["national_card"])
    detail = t.get_application(world.alice, app_id)
    assert detail.application.status == "returned"
    assert [(r.kind, r.uploaded) for r in detail.requested_documents] == [("national_card", False)]
    err = refused(world, TransitionError, t.submit, world.alice, app_id, expected_version=version(world, app_id))
    assert "«تصویر کارت ملی»" in err.message_fa and "national card" in err.message_en
    # another document does not count
    person = detail.applicant.people[0]
    content, name = good_file("photo")
    t.upload_document(world.alice, app_id, "photo", content, name, person_id=person.id)
    refused(world, TransitionError, t.submit, world.alice, app_id, expected_version=version(world, app_id))
    content, name = good_file("national_card")
    t.upload_document(world.alice, app_id, "national_card", content, name, person_id=person.id)
    assert [(r.kind, r.uploaded) for r in t.get_application(world.alice, app_id).requested_documents] == [
        ("national_card", True)]
    sent = t.submit(world.alice, app_id, expected_version=version(world, app_id))
    assert sent.status == "submitted" and sent.round == 2
    assert t.get_application(world.alice, app_id).requested_documents == ()


def test_requested_documents_are_checked(world):
    t = world.t
    app_id = on_agenda(world, 162, SITE_A, world.alice)  # a natural person
    v = version(world, app_id)
    err = refused(world, TrackerInputError, t.record_decision, world.wg, app_id, "return", "ناقص",
                  expected_version=v, deficiencies=["اساسنامه"], requested_documents=["statute"])
    assert [p[0] for p in err.problems] == ["requested_documents"] and "اساسنامه" in err.message_fa
    refused(world, TrackerInputError, t.record_decision, world.wg, app_id, "return", "ناقص",
            expected_version=v, deficiencies=["x"], requested_documents=["no_such_kind"])
    refused(world, TrackerInputError, t.record_decision, world.wg, app_id, "reject", "دور است",
            expected_version=v, requested_documents=["national_card"])


def test_an_approval_refreshes_the_stored_reports_of_both_sides(world, pair):
    t, (a, b) = world.t, pair
    assert t.get_application(world.wg, a).validation["conflicts"] == []  # stored before B existed
    t.record_decision(world.wg, a, "approve", "ضوابط رعایت شده", expected_version=version(world, a))
    stored_a = t.get_application(world.wg, a).validation
    stored_b = t.get_application(world.wg, b).validation
    assert [(c["proposal_id"], c["status"]) for c in stored_a["conflicts"]] == [(str(b), "under_review")]
    assert [(c["proposal_id"], c["status"]) for c in stored_b["conflicts"]] == [(str(a), "approved")]
    rule_b = next(r for r in stored_b["rules"] if r["id"] == "proposal_conflicts")
    assert rule_b["status"] == "fail" and stored_b["status"] == "fail"
    assert t.get_application(world.wg, b).application.validation_status == "fail"
    assert stored_a["conflicts"][0]["distance_m"] == stored_b["conflicts"][0]["distance_m"]
    # the competitor's applicant reads the same, without the other's number or name
    mine = t.get_application(world.bob, b).validation
    assert mine["conflicts"][0]["proposal_id"] == "" and mine["conflicts"][0]["status"] == "approved"
    rule = next(r for r in mine["rules"] if r["id"] == "proposal_conflicts")
    d = mine["conflicts"][0]["distance_m"]
    assert rule["message_fa"] == "درخواست موافقت‌شده در فاصلهٔ کمتر از حداقل مجاز: " + fmt.distance(d)
    assert rule["message_en"] == "Approved proposal within the minimum distance: " + fmt.distance(d, "en")
    assert [e.action for e in t.audit_trail(world.wg, b)].count("site_revalidated") == 1
