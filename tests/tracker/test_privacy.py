"""Other people's data stays theirs (issue 9, item 6), on SQLite and PostgreSQL.

A transfer request learns the licence's number, type, term and status, nothing about its holder;
a missing record and someone else's get the same answer; an applicant's validation report shows
competing proposals by distance and status only, while staff see everything.
"""

from __future__ import annotations

import dataclasses

import pytest
from tracker_helpers import (
    RURAL_SITE,
    good_file,
    licensed,
    natural_applicant,
    run_ready_steps,
    to_agenda,
    version,
)

from siting.tracker import AccessDenied, NotFound, SiteInput, TransitionError

HOLDER = "زهرا رضایی"
POSTAL = "9717434459"  # given at the site confirmation step (tracker_helpers.STEP_DATA)


def _text(obj) -> str:
    """Everything a caller received, as text (dataclasses and dicts all the way down)."""
    if dataclasses.is_dataclass(obj):
        obj = dataclasses.asdict(obj)
    return repr(obj)


def test_a_transfer_request_reveals_nothing_about_the_holder(world):
    w, t = world, world.t
    _, lic_id = licensed(w, w.alice, natural_applicant(9, name=HOLDER), "rural", RURAL_SITE, "R-9")
    held = t.get_licence(w.expert, lic_id)
    assert (held.holder_name, held.address, held.postal_code) == (
        HOLDER,
        RURAL_SITE.address,
        POSTAL,
    )

    b = t.create_applicant(w.bob, natural_applicant(10, name="بهرام نوری"))
    app = t.create_application(w.bob, b.id, "rural", "transfer", licence_number="R-9")
    seen = [app, t.get_application(w.bob, app.id), t.my_applications(w.bob)]
    for item in seen:
        text = _text(item)
        for secret in (
            HOLDER,
            RURAL_SITE.address,
            POSTAL,
            str(RURAL_SITE.lon),
            str(RURAL_SITE.lat),
        ):
            assert secret not in text, f"{secret!r} leaked to the transfer requester"
    detail = t.get_application(w.bob, app.id)
    assert (detail.licence.number, detail.licence.licence_type, detail.licence.status) == (
        "R-9",
        "rural",
        "active",
    )
    assert detail.licence.expires_on == held.expires_on
    assert (app.site.lon, app.site.lat, app.site.address, app.site.postal_code) == (
        None,
        None,
        None,
        None,
    )
    # staff see the licence in full on the same application
    staff = t.get_application(w.expert, app.id).licence
    assert (staff.holder_name, staff.address, staff.postal_code) == (
        HOLDER,
        RURAL_SITE.address,
        POSTAL,
    )


def test_a_transfer_without_a_new_site_keeps_the_licence_site(world):
    w, t = world, world.t
    _, lic_id = licensed(w, w.alice, natural_applicant(9, name=HOLDER), "rural", RURAL_SITE, "R-9")
    b = t.create_applicant(w.bob, natural_applicant(10, name="بهرام نوری"))
    app = t.create_application(w.bob, b.id, "rural", "transfer", licence_number="R-9")
    to_agenda(w, app.id, w.bob)
    t.record_decision(w.wg, app.id, "approve", "ok", expected_version=version(w, app.id))
    run_ready_steps(w, app.id, w.bob, until="licence")
    new = t.issue_licence(
        w.expert, app.id, "R-9-T", w.clock.today, expected_version=version(w, app.id)
    )
    assert (new.lon, new.lat, new.address, new.holder_name) == (
        RURAL_SITE.lon,
        RURAL_SITE.lat,
        RURAL_SITE.address,
        "بهرام نوری",
    )
    assert t.get_licence(w.expert, lic_id).status == "transferred"


def test_refusals_do_not_name_other_peoples_requests(world):
    w, t = world, world.t
    _, _lic_id = licensed(w, w.alice, natural_applicant(9, name=HOLDER), "rural", RURAL_SITE, "R-9")
    holder = t.list_applicants(w.alice)[0]
    renewal = t.create_application(w.alice, holder.id, "rural", "renewal", licence_number="R-9")
    b = t.create_applicant(w.bob, natural_applicant(10, name="بهرام نوری"))
    with pytest.raises(TransitionError) as info:
        t.create_application(w.bob, b.id, "rural", "transfer", licence_number="R-9")
    for message in (
        info.value.message_en,
        info.value.message_fa,
        *(p[1] for p in info.value.problems),
    ):
        assert f"request {renewal.id}" not in message and f"درخواست {renewal.id}" not in message
        assert HOLDER not in message
    assert "another request in progress" in info.value.message_en
    # the holder is told which of their own requests is open
    with pytest.raises(TransitionError, match=f"request {renewal.id} on licence R-9 is still open"):
        t.create_application(w.alice, holder.id, "rural", "renewal", licence_number="R-9")
    # so is the directorate
    with pytest.raises(TransitionError, match=f"request {renewal.id} on licence R-9 is still open"):
        t.create_application(w.expert, b.id, "rural", "transfer", licence_number="R-9")


def test_someone_elses_licence_answers_like_a_missing_one(world):
    w, t = world, world.t
    licensed(w, w.alice, natural_applicant(9, name=HOLDER), "rural", RURAL_SITE, "R-9")
    b = t.create_applicant(w.bob, natural_applicant(10, name="بهرام نوری"))
    answers = []
    for number in ("R-9", "R-404"):
        with pytest.raises(NotFound) as info:
            t.create_application(w.bob, b.id, "rural", "renewal", licence_number=number)
        answers.append(
            (
                type(info.value),
                info.value.message_en.replace(number, "#"),
                info.value.message_fa.replace(number, "#"),
            )
        )
    assert answers[0] == answers[1]


def _refusal(call, record_id):
    with pytest.raises((AccessDenied, NotFound)) as info:
        call()
    e = info.value
    return (
        type(e),
        e.message_en.replace(str(record_id), "#"),
        e.message_fa.replace(str(record_id), "#"),
    )


def test_foreign_and_missing_applications_and_documents_get_the_same_answer(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(70))
    app = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    content, name = good_file("national_card")
    person = t.get_application(w.alice, app.id).applicant.people[0].id
    doc = t.upload_document(w.alice, app.id, "national_card", content, name, person_id=person)
    missing = 987654

    foreign_app = _refusal(lambda: t.get_application(w.bob, app.id), app.id)
    missing_app = _refusal(lambda: t.get_application(w.bob, missing), missing)
    assert foreign_app == missing_app

    foreign_doc = _refusal(lambda: t.read_document(w.bob, doc.id), doc.id)
    missing_doc = _refusal(lambda: t.read_document(w.bob, missing), missing)
    assert foreign_doc == missing_doc
    # and the answer about a document does not name the application it belongs to
    assert f"application {app.id}" not in foreign_doc[1] and "application" not in foreign_doc[1]
    # staff still read it
    view, data = t.read_document(w.expert, doc.id)
    assert view.application_id == app.id and data


def test_an_applicants_report_shows_competitors_by_distance_and_status_only(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(71, name=HOLDER))
    first = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    to_agenda(w, first.id, w.alice)  # submitted and received: a pending proposal
    b = t.create_applicant(w.bob, natural_applicant(72, name="بهرام نوری"))
    near = SiteInput(lon=RURAL_SITE.lon + 0.002, lat=RURAL_SITE.lat, address="روستای مود، کوچهٔ ج")
    second = t.create_application(w.bob, b.id, "rural", "new", site=near)

    staff = t.get_application(w.expert, second.id).validation
    assert [c["proposal_id"] for c in staff["conflicts"]] == [str(first.id)]
    assert staff["conflicts"][0]["name"] == HOLDER

    mine = t.get_application(w.bob, second.id).validation
    assert len(mine["conflicts"]) == 1
    c = mine["conflicts"][0]
    assert c["name"] is None and c["proposal_id"] == ""
    assert c["status"] == t.get_application(w.expert, first.id).application.status
    assert c["distance_m"] == staff["conflicts"][0]["distance_m"] > 0
    assert HOLDER not in repr(mine)
    rule = next(r for r in mine["rules"] if r["id"] == "proposal_conflicts")
    staff_rule = next(r for r in staff["rules"] if r["id"] == "proposal_conflicts")
    assert f"{first.id} (" in staff_rule["message_en"]
    assert (
        rule["message_en"].startswith("Pending proposals too close: ")
        and f"{first.id} (" not in rule["message_en"]
    )
