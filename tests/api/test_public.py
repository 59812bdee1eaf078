"""The public routes of a real server, checked against the library called directly and against figures
worked out by hand for the hand-built workspace (siting/samples/hand.py)."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod

from siting.api.public import rules_dict
from siting.coverage import compute_coverage
from siting.gaps import compute_gaps, gap_cells
from siting.rules import load_rules
from siting.rules.validate import validate_site

GEOD = Geod(ellps="WGS84")


def roundtrip(obj):
    """What the JSON of ``obj`` reads back as (NaN becomes null, tuples lists)."""
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)).replace(
        "NaN", "null"))


def test_health_says_which_generation_it_serves(server, saved_workspace):
    with server.client() as c:
        r = c.get("/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "generation": saved_workspace.generation, "sample": True}
    assert saved_workspace.generation == 1
    assert r.headers["x-siting-generation"] == "1"


def test_offices_are_geojson_with_name_type_status_and_position_only(server, saved_workspace):
    with server.client() as c:
        r = c.get("/v1/offices")
        urban = c.get("/v1/offices", params={"type": "urban"}).json()
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    data = r.json()
    assert data["type"] == "FeatureCollection" and data["sample"] is True
    by_id = {f["properties"]["office_id"]: f for f in data["features"]}
    assert set(by_id) == {"U1", "U2", "R1", "R2"}
    for f in data["features"]:
        assert set(f["properties"]) == {"office_id", "name", "licence_type", "status", "location", "county"}
    text = r.text
    for private in ("licence_number", "P-100", "R-200", "address", "issued", "expires", "source"):
        assert private not in text
    assert by_id["U1"]["geometry"]["coordinates"] == [59.21, 32.87]
    assert by_id["R2"]["properties"]["status"] == "inactive"
    assert by_id["R1"]["properties"]["name"] == "ICT نوفرست"
    assert sorted(f["properties"]["office_id"] for f in urban["features"]) == ["U1", "U2"]


def test_settlements_are_geojson_with_population(server):
    with server.client() as c:
        data = c.get("/v1/settlements").json()
    pop = {f["properties"]["name_fa"]: f["properties"]["population"] for f in data["features"]}
    assert pop == {"بیرجند": 200_000, "مود": 3_000, "نوفرست": 1_500, "خوسف": 6_000, "ماژان": None}
    mud = next(f for f in data["features"] if f["properties"]["code"] == "S2")
    assert mud["geometry"]["coordinates"] == [59.52, 32.71]


def test_coverage_has_the_cli_keys_and_the_library_numbers(server, saved_workspace):
    with server.client() as c:
        got = c.get("/v1/coverage").json()
    lib = compute_coverage(saved_workspace, load_rules()).to_dict()
    for key, value in roundtrip(lib).items():
        assert got[key] == value, key
    assert set(got) == {*lib, "workspace", "population_notes"}  # the keys of `siting coverage --json`
    assert got["workspace"] == "workspace.gpkg"  # the file's name, never its path on the server
    # by hand: Birjand 200,000 (U1 ~1 km), Nowferest 1,500 (R1 ~6 km < 10 km), Khusf 6,000 (U2 ~0.5 km)
    # are covered; Mud 3,000 is 26 km from R1; Mazhan has no population; counties hold 280,000
    assert got["covered_population"] == 207_500
    assert got["uncovered_population"] == 3_000
    assert got["total_population"] == 280_000
    assert got["not_located_population"] == 280_000 - 210_500
    assert {c["county"]: c["covered_population"] for c in got["by_county"]} == {"بیرجند": 201_500, "خوسف": 6_000}


def test_gaps_regions_and_h3_cells_equal_the_library(server, saved_workspace):
    rules = load_rules()
    with server.client() as c:
        regions = c.get("/v1/gaps", params={"type": "rural"}).json()
        cells = c.get("/v1/gaps", params={"h3": 6, "type": "any"}).json()
    lib = compute_gaps(saved_workspace, rules, licence_type="rural")
    assert len(regions["features"]) == len(lib)
    assert [f["properties"]["uncovered_population"] for f in regions["features"]] == \
        [int(v) for v in lib["uncovered_population"]]
    assert all(f["properties"]["sample"] is True for f in regions["features"])
    mud = [f for f in regions["features"] if "مود" in (f["properties"]["settlement_names"] or "")]
    # by hand: for rural offices alone, Birjand (200,000, 12.6 km from R1) and Mud (3,000, 26 km) are uncovered
    assert len(mud) == 1 and mud[0]["properties"]["uncovered_population"] == 203_000
    assert mud[0]["properties"]["rank"] == 1
    lib_cells = gap_cells(saved_workspace, rules, resolution=6)
    lib_cells = lib_cells[lib_cells["gap_any"]]
    assert sorted(f["properties"]["h3"] for f in cells["features"]) == sorted(lib_cells["h3"])
    assert cells["features"][0]["geometry"]["type"] == "Polygon"


@pytest.mark.parametrize(("lon", "lat", "ltype", "applicant"), [
    ("59.52", "32.72", "rural", None),
    ("59.22", "32.87", "urban", "legal"),
    ("58.6", "33.4", "rural", "natural"),
])
def test_site_check_is_validate_site(server, saved_workspace, lon, lat, ltype, applicant):
    params = {"lon": lon, "lat": lat, "type": ltype}
    if applicant:
        params["applicant"] = applicant
    with server.client() as c:
        r = c.get("/v1/site-check", params=params)
    assert r.status_code == 200
    lib = validate_site(saved_workspace, load_rules(), licence_type=ltype, lon=float(lon), lat=float(lat),
                        applicant_type=applicant).to_dict()
    assert r.json() == roundtrip(lib)  # the keys and values of `siting validate --json`


def test_site_check_accepts_persian_digits_and_words(server):
    with server.client() as c:
        ascii_ = c.get("/v1/site-check", params={"lon": "59.52", "lat": "32.72", "type": "rural"}).json()
        persian = c.get("/v1/site-check", params={"lon": "۵۹٫۵۲", "lat": "۳۲٫۷۲", "type": "روستایی"}).json()
        dms = c.get("/v1/site-check", params={"lon": "59°31′12″E", "lat": "32°43′12″N", "type": "rural"}).json()
    assert persian == ascii_
    assert dms["lon"] == pytest.approx(59.52) and dms["lat"] == pytest.approx(32.72)
    # by hand: the nearest rural office R1 (59.35, 32.90) is about 25 km from (59.52, 32.72)
    same = next(r for r in ascii_["rules"] if r["id"] == "min_distance_same_type")
    _, _, metres = GEOD.inv(59.52, 32.72, 59.35, 32.90)
    assert same["value"] == pytest.approx(metres, rel=0.005)
    assert same["status"] == "pass"
    assert ascii_["county"] == "بیرجند"
    assert ascii_["newly_covered_population"] == 3_000  # Mud, 1.1 km away, uncovered today


def test_site_check_by_settlement_name(server):
    with server.client() as c:
        got = c.get("/v1/site-check", params={"settlement": "مود", "type": "rural"}).json()
    assert (got["lon"], got["lat"], got["settlement"]) == (59.52, 32.71, "مود")


def test_rules_are_the_rules_in_force(server):
    with server.client() as c:
        got = c.get("/v1/rules").json()
    assert got == roundtrip(rules_dict(load_rules()))
    assert got["urban"]["service_radius_m"] == 3000 and got["rural"]["service_radius_m"] == 10_000
    assert got["urban"]["params"]["service_radius_m"]["doc_fa"]
