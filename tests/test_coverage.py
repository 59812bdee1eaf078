"""Coverage on the hand-built workspace, checked against pyproj.Geod distances."""

import numpy as np
import pytest

from siting.coverage import compute_coverage
from siting.geo import geodesic_distance


def _geod_nearest(ws, types):
    o = ws.offices[(ws.offices["status"] == "active") & ws.offices["licence_type"].isin(types)]
    s = ws.settlements
    d = np.array([[geodesic_distance(a.x, a.y, b.x, b.y) for b in o.geometry] for a in s.geometry])
    return d.min(axis=1), o["office_id"].to_numpy()[d.argmin(axis=1)]


def test_nearest_office_per_type_matches_geodesic(hand_ws, rules):
    cov = compute_coverage(hand_ws, rules).settlements
    for key, types in (("urban", ["urban"]), ("rural", ["rural"]), ("any", ["urban", "rural"])):
        d, ids = _geod_nearest(hand_ws, types)
        assert np.allclose(cov[f"nearest_{key}_m"], d, rtol=1e-3), key
        assert list(cov[f"nearest_{key}_id"]) == list(ids)
    # the inactive office R2 sits on the village ماژان, yet does not serve it
    mazhan = cov.set_index("name_fa").loc["ماژان"]
    assert mazhan["nearest_rural_id"] == "R1" and mazhan["nearest_rural_m"] > 50_000


def test_covered_flags_follow_the_radii(hand_ws, rules):
    cov = compute_coverage(hand_ws, rules).settlements.set_index("name_fa")
    r = rules.radii()
    for name, row in cov.iterrows():
        assert row["covered_urban"] == (row["nearest_urban_m"] <= r["urban"]), name
        assert row["covered_rural"] == (row["nearest_rural_m"] <= r["rural"]), name
        assert row["covered"] == (row["covered_urban"] or row["covered_rural"])
    assert list(cov["covered"]) == [True, False, True, True, False]


def test_totals_and_county_table_with_not_located_population(hand_ws, rules):
    cov = compute_coverage(hand_ws, rules)
    t = cov.totals
    # located: 200,000 + 3,000 + 1,500 + 6,000; ماژان has no population figure
    assert t["located_population"] == 210_500
    # covered: Birjand (urban U1 < 3 km), نوفرست (rural R1 < 10 km), خوسف (urban U2 < 3 km)
    assert t["covered_population"] == 207_500
    assert t["uncovered_population"] == 3_000
    # census 250,000 + 30,000 minus the located people of each county
    assert t["not_located_population"] == (250_000 - 204_500) + (30_000 - 6_000)
    assert t["total_population"] == 280_000
    assert t["covered_share_of_located"] == pytest.approx(207_500 / 210_500)
    c = cov.by_county.set_index("county")
    assert c.loc["بیرجند", "offices_urban"] == 1 and c.loc["بیرجند", "offices_rural"] == 1
    assert c.loc["خوسف", "offices_rural"] == 0, "the inactive office does not count"
    assert c.loc["بیرجند", "population_per_office"] == 125_000
    assert c.loc["خوسف", "settlements_without_population"] == 1
    assert any("not located" in n for n in cov.notes)


def test_radii_override_and_json(hand_ws, rules):
    wide = compute_coverage(hand_ws, rules, radii={"urban": 3_000, "rural": 30_000})
    assert wide.totals["covered_population"] == 210_500  # مود (26 km from R1) now covered
    d = wide.to_dict()
    assert {"total_population", "covered_population", "not_located_population", "by_county"} <= set(d)
    assert d["sample"] is True


def test_no_offices_means_nothing_covered(hand_ws, rules):
    ws = hand_ws.with_layer("offices", hand_ws.offices.iloc[0:0])
    cov = compute_coverage(ws, rules)
    assert cov.totals["covered_population"] == 0
    assert np.isinf(cov.settlements["nearest_any_m"]).all()
