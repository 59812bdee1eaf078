"""siting.tracker.staff: the working group's meeting (stored reports, conflicting pairs) and the agenda as
the proposals frame of the "Review proposals" page; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from pyproj import Geod
from tracker_helpers import KHUSF_SITE, RURAL_SITE, natural_applicant, to_agenda, version

from siting.reports import meeting
from siting.rules.validate import validate_many, validate_site
from siting.tracker import SiteInput
from siting.tracker.staff import (
    agenda_proposals,
    deficiency_lines,
    meeting_view,
    not_located,
    report_from_dict,
)

GEOD = Geod(ellps="WGS84")
NEAR_SITE = SiteInput(lon=59.535, lat=32.725, address="نزدیک روستای مود")  # ~1.5 km from RURAL_SITE
ADDRESS_ONLY = SiteInput(address="روستای بی‌نشان، کوچهٔ سوم", map_not_found=True)


def _agenda_of_four(world):
    t, ids = world.t, []
    for seed, owner, site in ((91, world.alice, RURAL_SITE), (92, world.bob, KHUSF_SITE),
                              (93, world.bob, NEAR_SITE), (94, world.alice, ADDRESS_ONLY)):
        a = t.create_applicant(owner, natural_applicant(seed))
        app = t.create_application(owner, a.id, "rural", "new", site=site)
        to_agenda(world, app.id, owner)
        ids.append(app.id)
        world.clock.advance(1)
    return ids


def test_meeting_view_reports_and_conflicting_pairs(world, tracker_ws, tracker_rules):
    first, far, near, address = _agenda_of_four(world)
    view = meeting_view(world.t, world.wg)
    assert [i.application_id for i in view.agenda.items] == [first, far, near, address]
    # the first proposal's stored report was made before the near one existed; the view shows the conflicts
    # as they are now, the same from both sides (issue 15: the agenda and both reports agree)
    assert view.item(first).conflicts == (near,) and view.item(near).conflicts == (first,)
    assert [c.proposal_id for c in view.reports[first].conflicts] == [str(near)]
    _, _, d = GEOD.inv(RURAL_SITE.lon, RURAL_SITE.lat, NEAR_SITE.lon, NEAR_SITE.lat)
    need = tracker_rules.for_type("rural").min_distance_same_type_m
    assert d < need
    assert view.pairs[["proposal_a", "proposal_b"]].values.tolist() == [[str(first), str(near)]]
    assert view.pairs["distance_m"].iat[0] == pytest.approx(d, abs=1.0)  # metric CRS vs geodesic: within 1 m
    assert view.pairs["threshold_m"].iat[0] == need
    assert view.pair_partners(first) == (str(near),) and view.pair_partners(far) == ()
    # stored reports come back as ValidationReports equal to a fresh validation of the same site
    rep = view.reports[far]
    fresh = validate_site(tracker_ws, tracker_rules, licence_type="rural", lon=KHUSF_SITE.lon, lat=KHUSF_SITE.lat,
                          applicant_type="natural")
    assert [(r.id, r.status, r.value, r.threshold, r.message_fa) for r in rep.rules
            if r.id != "proposal_conflicts"] == [(r.id, r.status, r.value, r.threshold, r.message_fa) for r in fresh.rules]
    assert rep.rule("proposal_conflicts").status == "pass"  # validated with the other pending proposals
    assert rep.newly_covered_population == fresh.newly_covered_population and rep.sample is fresh.sample
    assert view.reports[address] is None and report_from_dict(None) is None
    assert [i.application_id for i in not_located(view.agenda)] == [address]
    # a decided proposal leaves the agenda, and its pair with it
    world.t.record_decision(world.wg, near, "reject", "too close", expected_version=version(world, near))
    after = meeting_view(world.t, world.wg)
    assert near not in after.reports and len(after.pairs) == 0


def test_agenda_as_the_proposals_frame_of_the_review_page(world, tracker_ws, tracker_rules):
    first, far, near, _address = _agenda_of_four(world)
    sites = agenda_proposals(world.t.agenda(world.wg))
    assert sites["proposal_id"].tolist() == [str(first), str(far), str(near)]  # the address-only one left out
    assert sites["licence_type"].tolist() == ["rural"] * 3 and sites["applicant_type"].tolist() == ["natural"] * 3
    assert sites["row"].tolist() == [1, 2, 3] and sites.crs.to_epsg() == 4326
    assert [(g.x, g.y) for g in sites.geometry] == [(RURAL_SITE.lon, RURAL_SITE.lat), (KHUSF_SITE.lon, KHUSF_SITE.lat),
                                                     (NEAR_SITE.lon, NEAR_SITE.lat)]
    # the page's own validation of that frame finds the same pair as the tracker
    reports = validate_many(tracker_ws, tracker_rules, sites)
    pairs = meeting.conflict_pairs(reports, sites["proposal_id"].tolist())
    assert pairs[["proposal_a", "proposal_b"]].values.tolist() == [sorted([str(first), str(near)])]
    table = meeting.meeting_table(sites, reports)
    assert set(table["proposal_id"]) == {str(first), str(far), str(near)}


def test_deficiency_lines():
    assert deficiency_lines("- کارت ملی خوانا نیست\n\n• نشانی ناقص است  \n") == ["کارت ملی خوانا نیست", "نشانی ناقص است"]
    assert deficiency_lines(None) == [] and deficiency_lines("   \n") == []


def test_validation_reports_are_each_applications_latest_in_one_call(world):
    """The batched read equals, for every application, the latest report ``get_application`` shows;
    after a re-validation (a second report stored) it is the newer one; ids never validated are None."""
    first, far, near, address = _agenda_of_four(world)
    before = world.t.validation_reports(world.wg, [first, far, near, address, 999_999])
    assert before == {i: world.t.get_application(world.wg, i).validation for i in (first, far, near, address)} | {
        999_999: None}
    # the first proposal's report predates the near one; validated again it names the near one
    assert [c["proposal_id"] for c in before[first]["conflicts"]] == []
    world.t.revalidate(world.wg, first)
    after = world.t.validation_reports(world.wg, [first])[first]
    assert after == world.t.get_application(world.wg, first).validation
    assert [str(c["proposal_id"]) for c in after["conflicts"]] == [str(near)]
    assert before[address] == world.t.get_application(world.wg, address).validation
