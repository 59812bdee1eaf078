"""Site validation: each rule with its measured value, threshold and explanation."""

import geopandas as gpd
import pytest
import shapely

from siting.errors import InputError
from siting.geo import geodesic_distance
from siting.rules.validate import ProposalSet, find_settlement, validate_many, validate_site


def status(report):
    return {r.id: r.status for r in report.rules}


def test_urban_site_too_close_to_an_urban_office(hand_ws, rules):
    # about 600 m east of U1 (59.21, 32.87), inside Birjand
    lon, lat = 59.21642, 32.87
    rep = validate_site(hand_ws, rules, licence_type="شهری", lon=lon, lat=lat)
    d = geodesic_distance(lon, lat, 59.21, 32.87)
    r = rep.rule("min_distance_same_type")
    assert r.status == "fail" and r.value == pytest.approx(d, rel=1e-3) and r.threshold == 1000
    assert "پیشخوان مرکزی" in r.message_fa and "only" in r.message_en
    assert 590 < d < 610
    assert rep.rule("min_distance_any_type").status == "pass"  # 600 m >= 500 m
    assert rep.rule("site_in_city").status == "pass"
    assert rep.county == "بیرجند" and rep.status == "fail"
    assert rep.nearest_offices[0].office_id == "U1"
    assert rep.nearest_offices[0].distance_m == pytest.approx(d, rel=1e-3)


def test_rural_site_near_a_village_newly_covers_it(hand_ws, rules):
    rep = validate_site(hand_ws, rules, licence_type="rural", lon=59.52, lat=32.72, applicant_type="حقیقی")
    assert status(rep) == {
        "inside_region": "pass", "min_distance_same_type": "pass", "min_distance_any_type": "pass",
        "site_outside_city": "pass", "near_village": "pass", "min_uncovered_population": "pass",
        "applicant_type": "pass"}
    assert rep.newly_covered_population == 3000  # مود, uncovered today
    assert [s["name_fa"] for s in rep.newly_covered_settlements] == ["مود"]
    assert rep.rule("near_village").value == pytest.approx(geodesic_distance(59.52, 32.72, 59.52, 32.71), rel=1e-3)


def test_rural_site_in_a_city_and_far_from_villages_fails(hand_ws, rules):
    rep = validate_site(hand_ws, rules, licence_type="rural", lon=58.89, lat=32.785)  # in خوسف city
    s = status(rep)
    assert s["site_outside_city"] == "fail" and s["near_village"] == "fail"
    assert "خوسف" in rep.rule("site_outside_city").message_fa


def test_urban_for_a_natural_person_and_outside_the_region(hand_ws, rules):
    rep = validate_site(hand_ws, rules, licence_type="urban", lon=61.2, lat=33.0, applicant_type="natural")
    s = status(rep)
    assert s["inside_region"] == "fail" and s["applicant_type"] == "fail" and s["site_in_city"] == "fail"
    assert rep.county is None


def test_population_rule_is_unknown_when_population_is_unknown(hand_ws, rules):
    # next to ماژان, whose population is unknown: cannot be evaluated (issue 15: unknown, not warn or pass)
    rep = validate_site(hand_ws, rules, licence_type="rural", lon=58.51, lat=33.5)
    r = rep.rule("min_uncovered_population")
    assert r.status == "unknown" and r.value == 0 and rep.status == "unknown"
    assert "cannot be evaluated" in r.message_en
    assert [s["name_fa"] for s in rep.newly_covered_settlements] == ["ماژان"]


def test_conflicting_proposals(hand_ws, rules):
    props = gpd.GeoDataFrame(
        {"proposal_id": ["P1", "P2", "P3"], "name": ["a", "b", "c"], "licence_type": ["rural", "rural", "urban"]},
        geometry=shapely.points([(59.52, 32.72), (59.53, 32.73), (59.80, 33.50)]), crs=4326)
    reports = validate_many(hand_ws, rules, props)
    p1 = reports[0]
    d = geodesic_distance(59.52, 32.72, 59.53, 32.73)
    assert [c.proposal_id for c in p1.conflicts] == ["P2"]
    assert p1.conflicts[0].distance_m == pytest.approx(d, rel=1e-3) and p1.conflicts[0].threshold_m == 5000
    assert p1.rule("proposal_conflicts").status == "warn"
    assert reports[2].conflicts == () and reports[2].rule("proposal_conflicts").status == "pass"
    # a single site checked against a set that includes itself excludes only its own id
    one = validate_site(hand_ws, rules, licence_type="rural", lon=59.52, lat=32.72,
                        proposals=ProposalSet.from_frame(hand_ws, props), exclude_proposal="P1")
    assert [c.proposal_id for c in one.conflicts] == ["P2"]


def test_settlement_by_name_or_code(hand_ws, rules):
    assert find_settlement(hand_ws, "نوفرست") == 2
    assert find_settlement(hand_ws, "S2") == 1
    assert find_settlement(hand_ws, "Nowferest") == 2
    rep = validate_site(hand_ws, rules, licence_type="rural", settlement="موْد")  # diacritic
    assert rep.settlement == "مود" and (rep.lon, rep.lat) == (59.52, 32.71)
    with pytest.raises(InputError, match="settlement 'نوفرس' not found in the workspace; did you mean نوفرست"):
        find_settlement(hand_ws, "نوفرس")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"licence_type": "mobile", "lon": 59, "lat": 33}, "unknown licence type 'mobile'"),
        ({"licence_type": "urban"}, "give --lon and --lat, or --settlement"),
        ({"licence_type": "urban", "lon": "x", "lat": 33}, "coordinates must be numbers"),
        ({"licence_type": "urban", "lon": 59, "lat": 133}, "is not a WGS84 longitude/latitude"),
        ({"licence_type": "urban", "lon": 59, "lat": 33, "applicant_type": "alien"}, "unknown applicant type"),
    ],
)
def test_bad_input(hand_ws, rules, kwargs, message):
    with pytest.raises(InputError, match=message):
        validate_site(hand_ws, rules, **kwargs)


def test_report_json_shape(hand_ws, rules):
    d = validate_site(hand_ws, rules, licence_type="urban", lon=59.21, lat=32.9).to_dict()
    assert {"county", "rules", "nearest_offices", "newly_covered_population", "status", "sample"} <= set(d)
    for r in d["rules"]:
        assert {"id", "status", "value", "threshold", "message_fa", "message_en"} <= set(r)
