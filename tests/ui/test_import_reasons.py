"""The file checker's row reasons: a machine code and params from the library, said by the pages.

Real bad files (CSV, GeoJSON and OpenStreetMap XML, in the forms people have them) go through the
importer; each kind of problem must come back with its code from :data:`siting.io.reasons.ROW_REASONS`,
the values it names, the English sentence the command line prints, and a Persian and an English text of
the Data page (Persian digits, values bidi-isolated, the page's controls named instead of flags).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from siting.io.importer import ImportOptions, prepare_import, read_proposals
from siting.io.reasons import ROW_REASONS, Reason
from siting.samples.hand import hand_workspace
from siting.vocab import label
from ui.i18n import STRINGS, import_reason, isolate, t

FSI, PDI = "\u2068", "\u2069"
UNTRANSLATED_FA = t("import.untranslated", "fa", text="").strip()
FIX_FA, CRS_FA = f"«{t('data.fix_swapped', 'fa')}»", f"«{t('data.crs', 'fa')}»"


def said(issue, lang):
    """What the Data page says for an issue (or a bare :class:`Reason`)."""
    return import_reason(str(getattr(issue, "reason", issue)), lang, code=issue.code, params=issue.params)


def gj(*features):
    """A GeoJSON FeatureCollection: features as (geometry or None, properties)."""
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": p} for g, p in features]}, ensure_ascii=False)


def line(*xy):
    return {"type": "LineString", "coordinates": [list(p) for p in xy]}


def box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def point(x, y):
    return {"type": "Point", "coordinates": [x, y]}


@pytest.fixture(scope="module")
def ws():
    return hand_workspace()


def check(tmp_path, ws, layer, name, text, **options):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    _, report = prepare_import(ws, layer, path, ImportOptions(**options))
    assert all(i.code in ROW_REASONS for i in report.issues), report.issues  # every reason has a code
    json.dumps(report.to_dict())  # codes and params are plain values
    return {(i.row, i.code): i for i in report.issues}


def assert_said(issue, fa_has=(), en_has=()):
    """Both texts are translations (not the checker's English), without a command-line flag, naming
    what they must."""
    fa, en = said(issue, "fa"), said(issue, "en")
    assert not fa.startswith(UNTRANSLATED_FA) and "--" not in fa and "--" not in en, (fa, en)
    assert re.search("[\u0600-\u06ff]", fa) and fa != en, fa
    for x in fa_has:
        assert x in fa, (x, fa)
    for x in en_has:
        assert x in en, (x, en)
    return fa, en


# -- the registry and the texts -----------------------------------------------------------------------

def test_every_code_has_a_persian_and_an_english_text_with_the_same_placeholders():
    for code in ROW_REASONS:
        fa, en = STRINGS[f"import.{code}"]
        assert fa.strip() and en.strip() and re.search("[\u0600-\u06ff]", fa), code
        assert set(re.findall(r"{(\w+)}", fa)) == set(re.findall(r"{(\w+)}", en)), code
    # and no text is left for a code the library no longer has
    reason_keys = {k[len("import."):] for k in STRINGS if k.startswith("import.") and k.count(".") == 1}
    assert reason_keys - set(ROW_REASONS) == {"elsewhere", "untranslated"}


def test_a_reason_is_its_english_sentence_with_a_known_code():
    r = Reason("no_name", "no name")
    assert r == "no name" and r.code == "no_name" and r.params == {}
    with pytest.raises(ValueError, match="unknown row reason code"):
        Reason("no_such_code", "text")


def test_a_reason_without_a_code_is_marked_as_the_checker_s_english():
    text = import_reason("a reason nobody translated --crs --update", "fa")
    assert text.startswith(UNTRANSLATED_FA) and "--" not in text and CRS_FA in text
    assert import_reason("a reason nobody translated", "en") == "a reason nobody translated"
    # an unknown code, or params that do not fit it, fall back the same way instead of failing
    assert import_reason("x", "fa", code="no_such_code").startswith(UNTRANSLATED_FA)
    assert import_reason("x", "fa", code="outside_region", params={"lon": 1}).startswith(UNTRANSLATED_FA)


# -- points: settlements from a CSV ---------------------------------------------------------------------

SETTLEMENTS = (
    "name,kind,population,lat,lon,code,county,county_code\n"
    "الف,روستا,12x,32.9,59.3,C1,,\n"           # 1 population not a number (warning), imports
    "ب,روستا,-5,32.91,59.31,C2,,\n"            # 2 negative population (warning)
    "ج,قلعه,10,32.92,59.32,C3,,\n"             # 3 unknown kind
    ",روستا,10,32.93,59.33,C4,,\n"             # 4 no name
    "د,روستا,10,32.94,59.34,C1,,\n"            # 5 duplicate code of row 1
    "الف,روستا,10,32.90001,59.30001,C6,,\n"    # 6 same name within 10 m of row 1
    "ه,روستا,10,32.95,59.35,C7,Tehran,\n"      # 7 stated county unknown (the point is in Birjand)
    "و,روستا,10,32.96,59.36,C8,خوسف,\n"         # 8 stated county disagrees
    "ز,روستا,10,,,C9,,\n"                        # 9 no coordinates
    "ح,روستا,10,abc,59.3,C10,,\n"               # 10 a coordinate that is not one
    "ط,روستا,10,32.9,,C11,,\n"                  # 11 longitude blank
    "ی,روستا,10,59.4,33.1,C12,,\n"              # 12 latitude and longitude swapped
    "ک,روستا,10,36.5,59.0,C13,,\n"              # 13 outside the region
    "ل,روستا,10,95,200,C14,,\n"                 # 14 not a longitude/latitude
    "م,روستا,10,32.97,59.37,C15,,9999\n"        # 15 stated county code unknown
    "ن,روستا,10,32.98,59.38,C16,,2910\n"        # 16 stated county code of another county
)


def test_settlement_rows_carry_codes_params_and_both_texts(tmp_path, ws):
    got = check(tmp_path, ws, "settlements", "settlements.csv", SETTLEMENTS)
    expected = {
        (1, "population_not_a_number"): {"value": "12x"},
        (2, "population_negative"): {"value": "-5"},
        (3, "unknown_kind"): {"value": "قلعه", "detail": got[(3, "unknown_kind")].reason},
        (4, "no_name"): {},
        (5, "duplicate_code"): {"code": "C1", "row": 1},
        (6, "duplicate_settlement"): {"row": 1},
        (7, "stated_county_unknown"): {"value": "Tehran", "county": "بیرجند"},
        (8, "stated_county_disagrees"): {"value": "خوسف", "stated": "خوسف", "county": "بیرجند"},
        (9, "missing_coordinates"): {},
        (10, "bad_coordinate"): {"column": "lat", "value": "abc", "detail": "'abc' is not a number"},
        (11, "missing_coordinate"): {"column": "lon"},
        (12, "swapped"): {"lat": 59.4, "lon": 33.1},
        (13, "outside_region"): {"lon": 59.0, "lat": 36.5, "region": "test region", "region_fa": "منطقهٔ آزمون"},
        (14, "not_wgs84"): {"lon": 200.0, "lat": 95.0},
        (15, "stated_county_code_unknown"): {"value": "9999", "county": "بیرجند"},
        (16, "stated_county_code_disagrees"): {"value": "2910", "stated": "خوسف", "county": "بیرجند"},
    }
    assert {k: dict(got[k].params) for k in expected if k in got} == expected
    assert set(got) == set(expected)
    # the English sentences the command line prints are the ones it always printed
    assert got[(1, "population_not_a_number")].reason == "population '12x' is not a number; stored as unknown"
    assert got[(12, "swapped")].reason == ("latitude and longitude look swapped: (59.4, 33.1) would lie inside the "
                                           "region; fix the file or use --fix-swapped")
    assert got[(13, "outside_region")].reason == "point (lon 59.00000, lat 36.50000) lies outside the region test region"
    assert got[(14, "not_wgs84")].reason == ("lon=200.0 lat=95.0 is not a WGS84 longitude/latitude (declare the CRS "
                                             "with --crs?)")
    assert got[(10, "bad_coordinate")].reason == "lat 'abc' is not a number"

    assert said(got[(1, "population_not_a_number")], "fa") == f"جمعیت «{isolate('12x')}» عدد نیست؛ «نامعلوم» ثبت شد."
    assert said(got[(1, "population_not_a_number")], "en") == \
        f"the population \"{isolate('12x')}\" is not a number; stored as unknown."
    assert said(got[(2, "population_negative")], "fa") == "جمعیت «-۵» منفی است؛ «نامعلوم» ثبت شد."
    assert_said(got[(3, "unknown_kind")], ["«" + isolate("قلعه") + "»", "«روستا»"], ["city or village"])
    assert said(got[(4, "no_name")], "fa") == "نام ندارد." and said(got[(4, "no_name")], "en") == "no name."
    assert_said(got[(5, "duplicate_code")], [isolate("C1"), "ردیف ۱."], ['"' + isolate("C1") + '"', "row 1."])
    assert_said(got[(6, "duplicate_settlement")], ["۱۰ متری", "ردیف ۱."], ["within 10 m, on row 1."])
    assert_said(got[(7, "stated_county_unknown")], [isolate("Tehran"), isolate("بیرجند")])
    assert_said(got[(8, "stated_county_disagrees")], ["نمی‌خواند"], ["disagrees"])
    assert said(got[(9, "missing_coordinates")], "fa") == "مختصات ندارد."
    assert_said(got[(10, "bad_coordinate")], [isolate("abc"), isolate("lat")], ['"' + isolate("abc") + '"'])
    assert_said(got[(11, "missing_coordinate")], [isolate("lon")])
    fa, _ = assert_said(got[(12, "swapped")], [FIX_FA, "(۵۹٫۴، ۳۳٫۱)"],
                        [f'"{t("data.fix_swapped", "en")}"', "(59.4, 33.1)"])
    assert "swapped" not in fa
    assert said(got[(13, "outside_region")], "fa") == f"این نقطه (طول ۵۹، عرض ۳۶٫۵) بیرون از {isolate('منطقهٔ آزمون')} است."
    assert said(got[(13, "outside_region")], "en") == f"the point (lon 59, lat 36.5) lies outside {isolate('test region')}."
    assert_said(got[(14, "not_wgs84")], ["طول ۲۰۰ و عرض ۹۵", CRS_FA], [f'"{t("data.crs", "en")}"'])
    assert_said(got[(15, "stated_county_code_unknown")], ["۹۹۹۹"], ["9999"])
    assert_said(got[(16, "stated_county_code_disagrees")], ["۲۹۱۰"], ["2910"])


def test_swapped_and_fixed_names_the_page_s_checkbox(tmp_path, ws):
    got = check(tmp_path, ws, "settlements", "settlements.csv", SETTLEMENTS, fix_swapped=True)
    issue = got[(12, "swapped_fixed")]
    assert issue.severity == "warning" and dict(issue.params) == {"lat": 33.1, "lon": 59.4}
    assert issue.reason == "latitude and longitude were swapped (lat=33.1, lon=59.4); fixed by --fix-swapped"
    assert said(issue, "fa") == (f"جای عرض و طول جابه‌جا بود (عرض ۳۳٫۱، طول ۵۹٫۴)؛ چون گزینهٔ {FIX_FA} زده شده، "
                                 "اصلاح شد.")
    assert said(issue, "en") == ("latitude and longitude were swapped (lat 33.1, lon 59.4); fixed because "
                                 f'"{t("data.fix_swapped", "en")}" is ticked')


def test_the_county_stated_where_the_point_is_in_no_county(tmp_path, ws):
    one = ws.with_layer("counties", ws.counties.iloc[[0]])  # Birjand only: the west of the region is in none
    got = check(tmp_path, one, "settlements", "west.csv", "name,kind,lat,lon,county,county_code\n"
                "الف,روستا,33.5,58.5,Tehran,\nب,روستا,33.6,58.6,,77\n")
    assert dict(got[(1, "stated_county_unknown_nowhere")].params) == {"value": "Tehran"}
    assert dict(got[(2, "stated_county_code_unknown_nowhere")].params) == {"value": "77"}
    assert_said(got[(1, "stated_county_unknown_nowhere")], ["هیچ شهرستانی"], ["in no county"])
    assert_said(got[(2, "stated_county_code_unknown_nowhere")], ["۷۷", "هیچ شهرستانی"], ["77", "in no county"])


def test_duplicates_of_what_the_workspace_already_has(tmp_path, ws):
    got = check(tmp_path, ws, "settlements", "more.csv", "name,kind,lat,lon,code\n"
                "جدید,روستا,32.5,59.5,S1\nبیرجند,شهر,32.87,59.22,N2\n", append=True)
    assert dict(got[(1, "duplicate_code_existing")].params) == {"code": "S1"}
    assert got[(1, "duplicate_code_existing")].reason == "duplicate code 'S1': already in the workspace"
    assert dict(got[(2, "duplicate_settlement_existing")].params) == {}
    assert_said(got[(1, "duplicate_code_existing")], [isolate("S1"), "فضای کاری"], ["already in the workspace"])
    assert_said(got[(2, "duplicate_settlement_existing")], ["فضای کاری"], ["already in the workspace"])


def test_one_coordinates_column(tmp_path, ws):
    got = check(tmp_path, ws, "settlements", "pairs.csv",
                "name,kind,coordinates\nالف,روستا,\nب,روستا,1 2 3\nج,روستا,\"32.9, 59.3\"\n")
    assert dict(got[(1, "pair_missing")].params) == {"column": "coordinates"}
    assert dict(got[(2, "pair_malformed")].params) == {"column": "coordinates", "value": "1 2 3"}
    assert got[(2, "pair_malformed")].reason == "column 'coordinates': '1 2 3' is not 'latitude, longitude'"
    assert_said(got[(1, "pair_missing")], [isolate("coordinates")])
    assert_said(got[(2, "pair_malformed")], [isolate("1 2 3"), "«عرض، طول»"], ['"latitude, longitude"'])


def test_coordinates_that_cannot_be_transformed(tmp_path, ws):
    got = check(tmp_path, ws, "settlements", "utm.csv", "name,kind,x,y\nالف,روستا,700000,3640000\n"
                "ب,روستا,1e300,1e300\n", crs="EPSG:32640")
    issue = got[(2, "not_transformable")]
    assert dict(issue.params) == {"source_crs": "EPSG:32640"}
    assert issue.reason == "coordinates cannot be transformed from EPSG:32640"
    assert_said(issue, [isolate("EPSG:32640"), CRS_FA], [f'"{t("data.crs", "en")}"'])


def test_shapes_where_points_are_expected(tmp_path, ws):
    got = check(tmp_path, ws, "settlements", "shapes.geojson", gj(
        (None, {"name": "الف", "kind": "روستا"}),
        (box(59.3, 32.9, 59.31, 32.91), {"name": "ب", "kind": "روستا"}),
        (line((59.3, 32.8), (59.4, 32.8)), {"name": "ج", "kind": "روستا"})))
    assert dict(got[(1, "no_geometry")].params) == {}
    assert dict(got[(2, "polygon_for_point")].params) == {"geom_type": "Polygon"}
    assert dict(got[(3, "not_a_point")].params) == {"geom_type": "LineString"}
    assert said(got[(1, "no_geometry")], "fa") == "شکل (هندسه) ندارد."
    assert_said(got[(2, "polygon_for_point")], [isolate("Polygon"), "نقطه‌ای درون آن"])
    assert_said(got[(3, "not_a_point")], [isolate("LineString")], ["where a point is expected"])


# -- polygons ---------------------------------------------------------------------------------------

def test_county_and_unit_polygons(tmp_path, ws):
    bowtie = {"type": "Polygon", "coordinates": [[[59, 32], [59.5, 32.5], [59.5, 32], [59, 32.5], [59, 32]]]}
    flat = {"type": "Polygon", "coordinates": [[[59, 32], [59.5, 32.5], [59, 32], [59, 32]]]}
    got = check(tmp_path, ws, "counties", "counties.geojson", gj(
        (box(59, 32, 60, 34), {"name": "بیرجند"}),
        (point(59, 32), {"name": "الف"}),
        (bowtie, {"name": "ب"}),
        (flat, {"name": "ج"}),
        (box(58, 32, 59, 34), {"name": ""}),
        (box(58, 32, 59, 33), {"name": "بیرجند"}),
        (None, {"name": "د"})))
    assert dict(got[(2, "not_a_polygon")].params) == {"geom_type": "Point"}
    assert got[(3, "polygon_repaired")].severity == "warning"
    assert got[(3, "polygon_repaired")].params["detail"].startswith("Self-intersection")
    assert got[(4, "invalid_polygon")].reason.endswith("that cannot be repaired")
    assert dict(got[(5, "no_county_name")].params) == {}
    assert dict(got[(6, "duplicate_county")].params) == {"name": "بیرجند", "row": 1}
    assert (7, "no_geometry") in got
    assert_said(got[(2, "not_a_polygon")], [isolate("Point")])
    assert_said(got[(3, "polygon_repaired")], ["درست شد"], ["repaired"])
    assert_said(got[(4, "invalid_polygon")], ["درست‌شدنی نیست"])
    assert said(got[(5, "no_county_name")], "fa") == "نام شهرستان ندارد."
    assert_said(got[(6, "duplicate_county")], [isolate("بیرجند"), "ردیف ۱."], ["row 1."])
    for layer, word in (("districts", "بخش"), ("rural_districts", "دهستان")):
        got = check(tmp_path, ws, layer, f"{layer}.geojson", gj(
            (box(59.1, 32.1, 59.2, 32.2), {"name": "الف"}), (box(59.3, 32.1, 59.4, 32.2), {"name": ""}),
            (box(59.5, 32.1, 59.6, 32.2), {"name": "الف"})))
        code = layer[:-1]
        assert dict(got[(2, f"no_{code}_name")].params) == {}
        assert dict(got[(3, f"duplicate_{code}")].params) == {"name": "الف", "county": "بیرجند", "row": 1}
        assert said(got[(2, f"no_{code}_name")], "fa") == f"نام {word} ندارد."
        assert_said(got[(3, f"duplicate_{code}")], [word, isolate("الف"), isolate("بیرجند"), "ردیف ۱."])


# -- offices ---------------------------------------------------------------------------------------

def test_office_rows_carry_codes_params_and_both_texts(tmp_path, ws):
    text = ("id,name,licence_type,status,issued,lat,lon,licence_number,settlement,settlement_code,county\n"
            "B1,ok,urban,active,,32.9,59.3,L-1,,,\n"
            "B2,bad type,مخابرات,active,,33.0,59.0,L-2,,,\n"
            "B3,bad status,urban,sleeping,,33.1,59.1,L-3,,,\n"
            "B4,bad date,urban,active,1403/13/40,33.2,59.2,L-4,,,\n"
            "B5,dup number,rural,active,,33.3,59.3,L-1,,,\n"
            "B1,dup id,rural,active,,33.4,59.4,L-6,,,\n"
            "B7,near,urban,active,,32.90005,59.30005,L-7,,,\n"
            "B8,by code,rural,active,,,,L-8,,S2,\n"
            "B9,by name,rural,active,,,,L-9,مود,,بیرجند\n"
            "B10,by name alone,rural,active,,,,L-10,روستای نوفرست,,\n"
            "B11,unknown code,rural,active,,,,L-11,,S99,\n"
            "B12,unknown county,rural,active,,,,L-12,مود,,Tehran\n"
            "B13,elsewhere,rural,active,,,,L-13,مود,,خوسف\n"
            "B14,nowhere,rural,active,,,,L-14,ناپیدا,,\n")
    got = check(tmp_path, ws, "offices", "offices.csv", text)
    p = {k: dict(v.params) for k, v in got.items()}
    assert p[(2, "unknown_licence_type")] == {"value": "مخابرات", "detail": got[(2, "unknown_licence_type")].reason}
    assert p[(3, "unknown_status")]["value"] == "sleeping"
    assert p[(4, "bad_date")] == {"field": "issued", "value": "1403/13/40",
                                  "detail": "'1403/13/40' is not a valid Solar Hijri date"}
    assert got[(4, "bad_date")].reason == "issued: '1403/13/40' is not a valid Solar Hijri date; stored as unknown"
    assert p[(5, "duplicate_licence_number")] == {"number": "L-1", "row": 1}
    assert p[(6, "duplicate_office_id")] == {"id": "B1"}
    assert p[(7, "duplicate_office")] == {"licence_type": "urban", "row": 1}
    assert p[(8, "placed_by_code")] == {"code": "S2", "settlement": "مود", "settlement_code": "S2"}
    assert got[(8, "placed_by_code")].reason == ("no coordinates: placed at مود (code S2, بیرجند) by settlement code "
                                                 "S2; located approximately")
    assert p[(9, "placed_by_name")] == {"county": "بیرجند", "settlement": "مود", "settlement_code": "S2"}
    assert p[(10, "placed_by_name_alone")] == {"settlement": "نوفرست", "settlement_code": "S3"}
    assert p[(11, "not_placed_code_unknown")] == {"code": "S99"}
    assert p[(12, "not_placed_county_unknown")] == {"county": "Tehran"}
    assert p[(13, "not_placed_none")] == {"value": "مود", "county": "خوسف", "elsewhere": "مود (code S2, بیرجند)"}
    assert got[(13, "not_placed_none")].reason == ("no coordinates and not placed: settlement 'مود': no settlement of "
                                                   "that name in county خوسف; there is مود (code S2, بیرجند) elsewhere")
    assert p[(14, "not_placed_none_anywhere")] == {"value": "ناپیدا"}

    assert_said(got[(2, "unknown_licence_type")], [isolate("مخابرات"), "«شهری» یا «روستایی»"], ["urban or rural"])
    assert_said(got[(3, "unknown_status")], [isolate("sleeping")])
    assert_said(got[(4, "bad_date")], [isolate("1403/13/40"), "«تاریخ صدور»"], ['"issued"'])
    assert_said(got[(5, "duplicate_licence_number")], [isolate("L-1"), "ردیف ۱."])
    assert said(got[(6, "duplicate_office_id")], "fa") == f"شناسهٔ دفتر «{isolate('B1')}» تکراری است."
    assert_said(got[(7, "duplicate_office")], [f"({label('urban', 'fa')})", "ردیف ۱."],
                [f"({label('urban', 'en')})", "on row 1."])
    assert_said(got[(8, "placed_by_code")], [isolate("مود"), isolate("S2"), "تقریبی"], ["approximate"])
    assert_said(got[(9, "placed_by_name")], [isolate("بیرجند")], ["the only settlement of that name in the county"])
    assert_said(got[(10, "placed_by_name_alone")], [isolate("نوفرست"), isolate("S3")], ["no county stated"])
    assert_said(got[(11, "not_placed_code_unknown")], [isolate("S99")])
    assert_said(got[(12, "not_placed_county_unknown")], [isolate("Tehran")])
    fa, _ = assert_said(got[(13, "not_placed_none")], [isolate("مود"), isolate("خوسف")], ["elsewhere"])
    assert fa.endswith(f"در جای دیگر هست: {isolate('مود (code S2, بیرجند)')}.")
    fa, _ = assert_said(got[(14, "not_placed_none_anywhere")], [isolate("ناپیدا")])
    assert "جای دیگر" not in fa


def test_an_office_name_matching_several_settlements(tmp_path, ws):
    twin, _ = prepare_import(ws, "settlements", _write(tmp_path, "twin.csv", "name,kind,lat,lon,code\n"
                                                       "مود,روستا,32.5,59.8,S9\n"), ImportOptions(append=True))
    got = check(tmp_path, twin, "offices", "o.csv", "id,licence_type,lat,lon,settlement,county\n"
                "A,rural,,,مود,بیرجند\nB,rural,,,مود,\n")
    p = {k: dict(v.params) for k, v in got.items()}
    matches = "مود (code S2, بیرجند); مود (code S9, بیرجند)"
    assert p[(1, "not_placed_several")] == {"value": "مود", "count": 2, "matches": matches, "county": "بیرجند"}
    assert p[(2, "not_placed_several_anywhere")] == {"value": "مود", "count": 2, "matches": matches}
    assert_said(got[(1, "not_placed_several")], ["۲ آبادی", isolate(matches), "کد آبادی"], ["2 settlements"])
    assert_said(got[(2, "not_placed_several_anywhere")], ["۲ آبادی", "شهرستان نوشته نشده"], ["no county stated"])


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_offices_the_workspace_already_has_and_updates_without_a_key(tmp_path, ws):
    got = check(tmp_path, ws, "offices", "more.csv", "id,licence_type,lat,lon,licence_number\n"
                "N1,urban,33.0,59.0,P-100\nN2,urban,32.87,59.21,N-2\n", append=True)
    assert dict(got[(1, "duplicate_licence_number_existing")].params) == {"number": "P-100"}
    assert dict(got[(2, "duplicate_office_existing")].params) == {"licence_type": "urban"}
    assert_said(got[(1, "duplicate_licence_number_existing")], [isolate("P-100"), "فضای کاری"])
    assert_said(got[(2, "duplicate_office_existing")], [f"({label('urban', 'fa')})", "فضای کاری"])
    got = check(tmp_path, ws, "offices", "upd.csv", "name,licence_type,lat,lon\nبی‌شماره,urban,33.0,59.0\n", update=True)
    issue = got[(1, "update_needs_key")]
    assert issue.reason == "no licence number or office id: --update matches records by them"
    assert_said(issue, [f"«{t('data.update', 'fa')}»"], [f'"{t("data.update", "en")}"'])


def test_an_office_to_place_in_a_workspace_without_settlements(tmp_path, ws):
    bare = ws.with_layer("settlements", ws.settlements.iloc[0:0])
    got = check(tmp_path, bare, "offices", "o.csv", "id,licence_type,lat,lon,settlement\nA,rural,,,مود\n")
    assert dict(got[(1, "no_settlements_to_place")].params) == {"place": "مود"}
    assert_said(got[(1, "no_settlements_to_place")], [isolate("مود"), "سکونتگاه‌ها را وارد کنید"])


def test_proposals(tmp_path, ws):
    path = _write(tmp_path, "p.csv", "proposal_id,name,licence_type,applicant_type,lat,lon\n"
                  "P1,الف,rural,,32.9,59.3\nP2,ب,ufo,,32.8,59.2\nP3,ج,rural,alien,32.7,59.1\nP1,د,rural,,32.6,59.0\n")
    _, report = read_proposals(ws, path)
    got = {(i.row, i.code): i for i in report.issues}
    assert set(got) == {(2, "unknown_licence_type"), (3, "unknown_applicant_type"), (4, "duplicate_proposal_id")}
    assert dict(got[(4, "duplicate_proposal_id")].params) == {"id": "P1", "row": 1}
    assert_said(got[(2, "unknown_licence_type")], [isolate("ufo")])
    assert_said(got[(3, "unknown_applicant_type")], [isolate("alien")])
    assert_said(got[(4, "duplicate_proposal_id")], [isolate("P1"), "ردیف ۱."])


# -- roads ----------------------------------------------------------------------------------------

def test_road_rows(tmp_path, ws):
    multi = {"type": "MultiLineString", "coordinates": [[[59.0, 32.5], [59.1, 32.5]], [[59.2, 32.5], [59.2, 32.5]]]}
    got = check(tmp_path, ws, "roads", "roads.geojson", gj(
        (line((59.0, 32.1), (59.1, 32.1)), {"code": "R1", "highway": "primary"}),
        (None, {"code": "R2", "highway": "primary"}),
        (point(59, 32.2), {"code": "R3", "highway": "primary"}),
        (line((500000, 3600000), (500100, 3600000)), {"code": "R4", "highway": "primary"}),
        (line((59.0, 32.3), (59.0, 32.3)), {"code": "R5", "highway": "primary"}),
        (multi, {"code": "R6", "highway": "primary"}),
        (line((10.0, 10.0), (10.1, 10.1)), {"code": "R7", "highway": "primary"}),
        (line((59.0, 32.6), (59.1, 32.6)), {"code": "R8", "highway": "footway"}),
        (line((59.0, 32.7), (59.1, 32.7)), {"code": "R9", "highway": "weird"}),
        (line((59.0, 32.8), (59.1, 32.8)), {"code": "R10", "highway": None}),
        (line((59.0, 32.9), (59.1, 32.9)), {"code": "R11", "highway": "primary", "maxspeed": "fast"}),
        (line((59.0, 33.0), (59.1, 33.0)), {"code": "R12", "highway": "primary", "surface": "cheese"}),
        (line((59.0, 33.1), (59.1, 33.1)), {"code": "R13", "highway": "primary", "oneway": "maybe"}),
        (line((59.0, 33.2), (59.1, 33.2)), {"code": "R1", "highway": "primary"})))
    p = {k: dict(v.params) for k, v in got.items()}
    assert p[(2, "no_geometry")] == {} and p[(3, "not_a_line")] == {"geom_type": "Point"}
    assert p[(4, "line_not_wgs84")] == {"lon": 500000.0, "lat": 3600000.0}
    assert got[(4, "line_not_wgs84")].reason == ("coordinates such as (500000, 3.6e+06) are not WGS84 "
                                                 "longitude/latitude (declare the file's CRS)")
    assert p[(5, "zero_length_line")] == {} and p[(6, "zero_length_parts")] == {"dropped": 1, "parts": 2}
    assert p[(7, "line_outside_region")] == {"region": "test region", "region_fa": "منطقهٔ آزمون"}
    assert p[(8, "road_not_for_vehicles")]["value"] == "footway"
    assert p[(9, "unknown_road_class")]["value"] == "weird" and p[(9, "unknown_road_class")]["speed"] > 0
    assert p[(10, "no_road_class")] == {"speed": p[(9, "unknown_road_class")]["speed"]}
    assert p[(11, "bad_maxspeed")]["value"] == "fast"
    assert p[(12, "unknown_surface")]["value"] == "cheese"
    assert p[(13, "unknown_oneway")]["value"] == "maybe"
    assert p[(14, "duplicate_road_code")] == {"code": "R1", "row": 1}
    assert_said(got[(3, "not_a_line")], [isolate("Point")])
    assert_said(got[(4, "line_not_wgs84")], ["طول ۵۰۰۰۰۰", "عرض ۳۶۰۰۰۰۰"])
    assert said(got[(5, "zero_length_line")], "fa") == "طول خط صفر است (کمتر از دو نقطهٔ جدا)."
    assert_said(got[(6, "zero_length_parts")], ["۱ بخش از ۲ بخش"], ["1 of the line's 2 parts"])
    assert_said(got[(7, "line_outside_region")], [isolate("منطقهٔ آزمون")], [isolate("test region")])
    assert_said(got[(8, "road_not_for_vehicles")], [isolate("footway"), "وارد نشد"])
    speed = p[(9, "unknown_road_class")]["speed"]
    shown = str(int(speed)) if float(speed).is_integer() else str(speed)
    assert_said(got[(9, "unknown_road_class")], [isolate("weird")], [f"{shown} km/h"])
    assert_said(got[(10, "no_road_class")], ["کیلومتر بر ساعت"], [f"{shown} km/h"])
    assert_said(got[(11, "bad_maxspeed")], [isolate("fast")])
    assert_said(got[(12, "unknown_surface")], [isolate("cheese")])
    assert_said(got[(13, "unknown_oneway")], [isolate("maybe"), "دوطرفه"])
    assert_said(got[(14, "duplicate_road_code")], [isolate("R1"), "ردیف ۱."])


# -- OpenStreetMap extracts ------------------------------------------------------------------------------

def _osm(tmp_path, name, body):
    return _write(tmp_path, name, f'<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">{body}</osm>')


def test_osm_elements_without_a_location_or_shape(tmp_path, ws):
    _osm(tmp_path, "places.osm",
         '<node id="8" version="2"><tag k="place" v="village"/><tag k="name" v="الف"/></node>'
         '<node id="1" lat="32.9" lon="59.3"/><node id="2" lat="32.9" lon="59.31"/>'
         '<way id="501"><nd ref="1"/><nd ref="2"/><nd ref="999"/><nd ref="1"/>'
         '<tag k="place" v="village"/><tag k="name" v="ب"/></way>')
    _, rep = prepare_import(ws, "settlements", tmp_path / "places.osm")
    got = {(i.row, i.code): i for i in rep.issues}
    assert dict(got[(1, "osm_node_no_location")].params) == {"id": 8}
    assert got[(1, "osm_node_no_location")].reason == "node 8 has no valid location"
    no_loc = got[(2, "osm_no_location")]
    assert no_loc.params["kind"] == "way" and no_loc.params["id"] == 501
    assert no_loc.reason == f"way 501: no location: {no_loc.params['detail']}"
    assert said(got[(1, "osm_node_no_location")], "fa") == "گرهٔ ۸ در فایل OpenStreetMap مکان معتبری ندارد."
    assert_said(no_loc, ["راه ۵۰۱", isolate(no_loc.params["detail"])], ["way 501"])

    _osm(tmp_path, "counties.osm",
         '<node id="1" lat="32" lon="59"/><node id="2" lat="32" lon="60"/><node id="3" lat="34" lon="60"/>'
         '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>'
         '<tag k="boundary" v="administrative"/><tag k="admin_level" v="5"/><tag k="name" v="بیرجند"/></way>')
    _, rep = prepare_import(ws, "counties", tmp_path / "counties.osm")
    issue = next(i for i in rep.issues if i.code == "osm_no_polygon")
    assert issue.params["kind"] == "way" and issue.params["id"] == 10
    assert_said(issue, ["راه ۱۰", "چندضلعی"], ["makes no polygon"])

    _osm(tmp_path, "roads.osm",
         '<node id="1" lat="32.5" lon="59"/><node id="2" lat="32.5" lon="59.1"/>'
         '<way id="13"><nd ref="1"/><nd ref="42"/><tag k="highway" v="service"/></way>'
         '<way id="14"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>')
    _, rep = prepare_import(ws, "roads", tmp_path / "roads.osm")
    issue = next(i for i in rep.issues if i.code == "osm_no_line")
    assert dict(issue.params) == {"id": 13, "detail": "1 of its 2 nodes are not in the file (node 42)"}
    assert issue.reason == "way 13: no line: 1 of its 2 nodes are not in the file (node 42)"
    assert_said(issue, ["راه ۱۳", isolate("1 of its 2 nodes are not in the file (node 42)")])


def test_codes_no_file_here_produces_are_still_said():
    """A line with a coordinate that is not a number (GeoJSON cannot hold one) and an office with nothing to
    place it at (the finder is only asked when there is a name, code or address)."""
    assert_said(Reason("coordinate_not_a_number", "a coordinate that is not a number"), ["عدد نیست"])
    assert_said(Reason("not_placed_no_place", "no coordinates and no settlement (name or code) to place the office at"),
                ["مختصات ندارد"])


def test_every_code_is_covered_by_a_test_here():
    source = Path(__file__).read_text(encoding="utf-8")
    dynamic = {f"{kind}_{unit}" for kind in ("no", "duplicate") for unit in ("district", "rural_district")}
    dynamic = {c if c.startswith("duplicate") else f"{c}_name" for c in dynamic}
    # the census table's codes are each produced by a table in tests/io/test_census.py
    missing = [c for c in ROW_REASONS if f'"{c}"' not in source and c not in dynamic and not c.startswith("census_")]
    assert not missing, missing
