"""The census-to-points population join (siting.io.placejoin.join_population), on hand-built tables
whose right answers are planted: every planted match is found, no false one, each status counted.
"""

from __future__ import annotations

import json
import random

import openpyxl
import pandas as pd
import pytest
from rapidfuzz import fuzz

from siting.errors import InputError
from siting.io.census import read_census
from siting.io.placejoin import QUALIFIERS, _fold, join_population, place_key
from siting.text import match_key

B, K = "بیرجند", "خوسف"


def census_frame(rows):
    """rows: (code, name, population, households, county, district, rural_district)."""
    cols = ["code", "name_fa", "population", "households", "county", "district", "rural_district"]
    df = pd.DataFrame(rows, columns=cols)
    df.insert(0, "row", range(1, len(df) + 1))
    df["population"] = df["population"].astype("Int64")
    df["households"] = df["households"].astype("Int64")
    return df


def points_frame(rows, index=None):
    """rows: (code, name_fa, county, district, rural_district)."""
    return pd.DataFrame(rows, columns=["code", "name_fa", "county", "district", "rural_district"], index=index)


CENSUS = census_frame([
    ("29010101001", "حسین‌آباد علیا", 35, 10, B, "مرکزی", "باقران"),      # 1
    ("29010101002", "حسین آباد سفلی", 27, 8, B, "مرکزی", "باقران"),       # 2
    ("29010102001", "گل", 40, 12, B, "مرکزی", "القورات"),                  # 3
    ("29010102002", "کلاته نو", 50, 15, B, "مرکزی", "القورات"),            # 4
    ("29020101001", "گل", 28, 7, K, "مرکزی", "خوسف"),                     # 5 same name, other county
    ("29010101003", "علی‌آباد", 60, 18, B, "مرکزی", "باقران"),            # 6
    ("29010101004", "کریم آباد", 70, 20, B, "مرکزی", "باقران"),           # 7 missing from the points
    ("29010102003", "چاهک", 15, 4, B, "مرکزی", "القورات"),                # 8
    ("29010102004", "اسماعیل آباد", 90, 25, B, "مرکزی", "القورات"),       # 9
    ("29020101002", "کلاته کهنه", 33, 9, K, "مرکزی", "خوسف"),             # 10 missing from the points
])

# (point, the census row it must join or None, status)
PLANTED = [
    (("29010102003", "چاهك", None, None, None), 8, "code"),               # code (Arabic ك in the name)
    ((None, "حسينآباد عليا", B, "مرکزی", "باقران"), 1, "exact"),         # no space, Arabic ي
    ((None, "حسین‌آباد سفلي", B, None, "دهستان باقران"), 2, "exact"),    # ZWNJ, level word, no district
    ((None, "گل", B, "مرکزی", "القورات"), 3, "exact"),                    # same name in two counties ...
    ((None, "گل", K, None, None), 5, "exact"),                            # ... each to its own point
    ((None, "كلاته‌نو", B, "بخش مرکزی", "القورات"), 4, "exact"),        # «نو» joined by ZWNJ
    ((None, "علي آباد", B, "مرکزی", "باقران"), 6, "exact"),              # «آباد» apart
    ((None, "اسمعیل آباد", B, "مرکزی", "القورات"), 9, "fuzzy"),          # a spelling variant
    ((None, "کلاته نو", K, "مرکزی", "خوسف"), None, "unmatched"),         # only «کلاته کهنه» there
    ((None, "ده‌ناشناس", B, "مرکزی", "باقران"), None, "unmatched"),      # no census row at all
]


def test_every_planted_match_and_no_false_one():
    pts = points_frame([p for p, _, _ in PLANTED], index=[f"p{i}" for i in range(len(PLANTED))])
    r = join_population(CENSUS, pts)
    rows = r.matches[r.matches["side"] == "point"]
    assert rows["point"].tolist() == list(pts.index)
    assert rows["status"].tolist() == [s for _, _, s in PLANTED]
    assert [None if pd.isna(v) else v for v in rows["census_row"]] == [c for _, c, _ in PLANTED]
    assert r.counts == {"code": 1, "exact": 6, "fuzzy": 1, "ambiguous": 0, "unmatched_points": 2,
                        "unmatched_census": 2, "not_located_population": 70 + 33, "points": 10, "census": 10,
                        "located_population": 15 + 35 + 27 + 40 + 28 + 50 + 60 + 90}
    # figures per point, aligned to the points' index
    assert list(r.population.index) == list(pts.index)
    want = {f"p{i}": (None if c is None else int(CENSUS.loc[c - 1, "population"])) for i, (_, c, _) in
            enumerate(PLANTED)}
    assert {k: (None if pd.isna(v) else int(v)) for k, v in r.population.items()} == want
    assert r.households["p0"] == 4 and pd.isna(r.households["p9"])
    assert str(r.population.dtype) == "Int64"
    fz = rows[rows["status"] == "fuzzy"].iloc[0]
    assert fz["point_name"] == "اسمعیل آباد" and fz["census_name"] == "اسماعیل آباد"
    assert fz["score"] == pytest.approx(fuzz.ratio("اسمعیلاباد", "اسماعیلاباد"))
    # the qualifier «کهنه» is not «نو»: never joined, not even with every threshold off
    r0 = join_population(CENSUS, pts, threshold=0, margin=0)
    assert r0.matches.loc[r0.matches["point"] == "p8", "status"].item() == "unmatched"


def test_unmatched_census_population_is_not_located_in_its_rural_district_and_county():
    pts = points_frame([p for p, _, _ in PLANTED])
    r = join_population(CENSUS, pts)
    census_rows = r.matches[r.matches["side"] == "census"]
    assert census_rows["census_row"].tolist() == [7, 10]
    assert census_rows["status"].tolist() == ["unmatched", "unmatched"]
    assert census_rows["population"].tolist() == [70, 33]
    nl = r.not_located.set_index(["level", "county", "district", "rural_district"], drop=False)
    rd = r.not_located[r.not_located["level"] == "rural_district"]
    assert sorted(zip(rd["rural_district"], rd["population"], rd["places"], strict=True)) == [
        ("باقران", 70, 1), ("خوسف", 33, 1)]
    county = r.not_located[r.not_located["level"] == "county"].set_index("county")
    assert county.loc[B, "population"] == 70 and county.loc[K, "population"] == 33
    assert county.loc[B, "households"] == 20
    assert len(nl) == 6  # two counties, two districts, two rural districts
    lines = r.summary_lines()
    assert lines[0].startswith("8 of 10 points got a census population: 1 by official code, 6 by name, 1 by")
    assert any("2 census places (103 people) match no point" in line and "باقران (بیرجند) 70" in line
               for line in lines)
    assert any("2 points match no census place" in line for line in lines)
    json.dumps(r.to_dict(), ensure_ascii=False)


def test_qualifiers_are_identity_never_joined_across():
    census = census_frame([
        ("1", "حسین آباد علیا", 10, 3, B, "م", "الف"),
        ("2", "کلاته ۱", 20, 5, B, "م", "الف"),
        ("3", "ده بالا", 30, 8, B, "م", "الف"),
        ("4", "چاه بزرگ", 40, 9, B, "م", "الف"),
    ])
    pts = points_frame([
        (None, "حسین آباد سفلی", B, "م", "الف"),
        (None, "کلاته ۲", B, "م", "الف"),
        (None, "کلاته دو", B, "م", "الف"),
        (None, "ده پایین", B, "م", "الف"),
        (None, "چاه", B, "م", "الف"),          # no qualifier vs «بزرگ»
        (None, "حسین آبادسفلی", B, "م", "الف"),  # glued
    ])
    r = join_population(census, pts, threshold=0, margin=0)
    assert r.counts["fuzzy"] == r.counts["exact"] == r.counts["ambiguous"] == 0
    assert r.counts["unmatched_points"] == 6 and r.population.isna().all()
    # the same qualifier written differently is the same place (a fuzzy match, both spellings shown)
    pts2 = points_frame([(None, "حسین آباد بالا", B, "م", "الف"), (None, "کلاته یک", B, "م", "الف")])
    r2 = join_population(census, pts2)
    rows = r2.matches[r2.matches["side"] == "point"]
    assert rows["status"].tolist() == ["fuzzy", "fuzzy"]
    assert rows["census_row"].tolist() == [1, 2] and rows["score"].tolist() == [100.0, 100.0]
    assert rows["point_name"].tolist() == ["حسین آباد بالا", "کلاته یک"]
    assert rows["census_name"].tolist() == ["حسین آباد علیا", "کلاته ۱"]
    # a qualifier glued to the name with a ZWNJ is the same name: exact, and it beats the fuzzy claim
    pts3 = points_frame([(None, "حسین آباد بالا", B, "م", "الف"), (None, "حسین‌آبادعلیا", B, "م", "الف")])
    rows = join_population(census, pts3).matches.iloc[:2]
    assert rows["status"].tolist() == ["unmatched", "exact"]
    # two points claim «حسین آباد علیا» in the same pass: contested, both ambiguous, joined to none
    pts4 = points_frame([(None, "حسین آباد بالا", B, "م", "الف"), (None, "حسین آباد فوقانی", B, "م", "الف")])
    r4 = join_population(census, pts4)
    rows = r4.matches[r4.matches["side"] == "point"]
    assert rows["status"].tolist() == ["ambiguous", "ambiguous"]
    assert rows.iloc[0]["candidates"] == [{"census_row": 1, "code": "1", "name": "حسین آباد علیا", "score": 100.0}]
    assert "also claimed by 1 other point" in rows.iloc[0]["note"]
    assert r4.counts["unmatched_census"] == 4 and r4.population.isna().all()
    census_side = r4.matches[r4.matches["side"] == "census"]
    assert census_side.iloc[0]["note"].startswith("claimed by two or more points")


def test_place_key_folds_spelling_but_keeps_qualifiers():
    same = ["حسین‌آباد", "حسین آباد", "حسينآباد", "حسین  آباد", "حُسین‌آباد"]
    assert len({place_key(n).full for n in same}) == 1
    assert place_key("X علیا").qualifiers == ("upper",) and place_key("X سفلی").qualifiers == ("lower",)
    assert place_key("کلاته شماره ۲") == place_key("کلاته 2")._replace(full=place_key("کلاته شماره ۲").full)
    assert place_key("کلاته شماره ۲").qualifiers == ("2",)
    assert place_key("سه قلعه").qualifiers == ()  # a leading number word is part of the name
    assert place_key("نو").base == "نو"  # a name that is only a qualifier word keeps it
    assert place_key(None) == place_key("  ") == ("", "", ())
    assert all(isinstance(v, str) for v in QUALIFIERS.values())


def test_fast_fold_agrees_with_match_key():
    rng = random.Random(7)
    alphabet = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآئءأإؤيكىةۀـ \u200caZ09۱٢"
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert _fold(s) == match_key(s), s


def test_same_name_in_two_rural_districts_and_a_point_stating_only_the_district_is_ambiguous():
    census = census_frame([
        ("1", "گل", 40, 12, B, "مرکزی", "القورات"),
        ("2", "گل", 28, 7, B, "مرکزی", "باقران"),
    ])
    pts = points_frame([(None, "گل", B, "مرکزی", None), (None, "گل", B, "مرکزی", "باقران")])
    r = join_population(census, pts)
    rows = r.matches[r.matches["side"] == "point"]
    assert rows["status"].tolist() == ["ambiguous", "exact"]
    assert [c["census_row"] for c in rows.iloc[0]["candidates"]] == [1, 2]
    assert rows.iloc[0]["scope"] == "district" and rows.iloc[1]["scope"] == "rural district"
    assert rows.iloc[1]["census_row"] == 2 and r.population.tolist()[1] == 28
    assert pd.isna(r.population.iloc[0])
    assert r.counts["not_located_population"] == 40


def test_fuzzy_ties_are_ambiguous_with_every_candidate():
    census = census_frame([("1", "چاهسرخ", 10, 2, B, "م", "الف"), ("2", "چاهسرد", 20, 4, B, "م", "الف"),
                           ("3", "چاهسرخ", 30, 6, K, "م", "ب")])
    pts = points_frame([(None, "چاهسر", B, "م", "الف")])
    s1, s2 = fuzz.ratio("چاهسر", "چاهسرخ"), fuzz.ratio("چاهسر", "چاهسرد")
    assert s1 == s2 >= 90
    r = join_population(census, pts)
    row = r.matches.iloc[0]
    assert row["status"] == "ambiguous"
    assert [(c["census_row"], c["score"]) for c in row["candidates"]] == [(1, round(s1, 1)), (2, round(s2, 1))]
    assert r.counts["unmatched_census"] == 3


def test_threshold_is_honoured():
    a, b = "درختنگان", "درختنکان"
    score = fuzz.ratio(place_key(a).base, place_key(b).base)
    assert 80 <= score < 90
    census = census_frame([("1", a, 55, 11, B, "م", "الف")])
    pts = points_frame([(None, b, B, "م", "الف")])
    at80 = join_population(census, pts, threshold=80)
    assert at80.matches.iloc[0]["status"] == "fuzzy"
    assert at80.matches.iloc[0]["score"] == pytest.approx(score)
    assert at80.population.tolist() == [55]
    at90 = join_population(census, pts, threshold=90)
    assert at90.matches.iloc[0]["status"] == "unmatched" and pd.isna(at90.population.iloc[0])
    assert at90.counts["not_located_population"] == 55
    # any rapidfuzz scorer can be given
    assert join_population(census, pts, threshold=90, scorer=fuzz.partial_ratio).counts["fuzzy"] == 0


def test_codes_one_to_one():
    census = census_frame([("11", "الف", 10, 2, B, "م", "ر"), ("11", "ب", 20, 4, B, "م", "ر"),
                           ("12", "ج", 30, 6, B, "م", "ر")])
    pts = points_frame([("11", "x", None, None, None), ("۱۲", "y", None, None, None),
                        ("12", "z", None, None, None), ("99", "ج", B, "م", "ر")])
    r = join_population(census, pts)
    rows = r.matches[r.matches["side"] == "point"]
    # code 11 is on two census rows; code 12 on two points (contested); code 99 is unknown, so by name
    assert rows["status"].tolist() == ["ambiguous", "ambiguous", "ambiguous", "unmatched"]
    assert [c["census_row"] for c in rows.iloc[0]["candidates"]] == [1, 2]
    # census row 3 was contested by the code pass: it is offered to no later pass, even by exact name
    assert r.counts["unmatched_census"] == 3 and r.population.isna().all()


def test_a_stated_level_the_census_does_not_know_is_dropped_and_noted():
    census = census_frame([("1", "گل", 40, 12, B, "مرکزی", "القورات")])
    pts = points_frame([(None, "گل", B, "مرکزی", "الغورات")])  # misspelt rural district
    r = join_population(census, pts)
    row = r.matches.iloc[0]
    assert row["status"] == "exact" and row["scope"] == "district"
    assert "rural district 'الغورات'" in row["note"]


def test_read_census_output_joins_and_cities_match(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (["کد", "نام", "خانوار", "جمعیت"], ["۲۹۰۱", "شهرستان بیرجند", "۶۰", "۲۱۰"],
              ["۲۹۰۱۰۱", "بخش مرکزی", "۶۰", "۲۱۰"], [None, "شهر بیرجند", "۵۰", "۱۶۰"],
              ["۲۹۰۱۰۱۰۱", "دهستان باقران", "۱۰", "۵۰"], ["۲۹۰۱۰۱۰۱۰۰۱", "علی آباد", "۱۰", "۵۰"]):
        ws.append(r)
    wb.save(tmp_path / "c.xlsx")
    census, rep = read_census(tmp_path / "c.xlsx")
    assert rep.mismatches == []
    pts = points_frame([(None, "بيرجند", "بیرجند", None, None), (None, "علی‌آباد", "بیرجند", None, None)])
    r = join_population(census, pts)
    assert r.population.tolist() == [160, 50] and r.counts["exact"] == 2


def test_bad_arguments_are_input_errors():
    pts = points_frame([(None, "گل", None, None, None)])
    with pytest.raises(InputError, match="census: no 'population' column"):
        join_population(CENSUS.drop(columns=["population"]), pts)
    with pytest.raises(InputError, match="points: no 'name_fa' or 'code' column"):
        join_population(CENSUS, pd.DataFrame({"x": [1]}))
    for bad in (150, -1, True, "90"):
        with pytest.raises(InputError, match="threshold"):
            join_population(CENSUS, pts, threshold=bad)
    bad_pop = CENSUS.astype({"population": object})
    bad_pop.loc[0, "population"] = "بسیار"
    with pytest.raises(InputError, match="census column 'population'"):
        join_population(bad_pop, pts)
    # empty tables are fine
    r = join_population(CENSUS.iloc[:0], pts.iloc[:0])
    assert r.counts["points"] == 0 and len(r.not_located) == 0 and r.summary_lines()


def test_points_with_no_name_or_no_scope_columns():
    pts = pd.DataFrame({"name_fa": [None, "گل", "کلاته نو"]})
    r = join_population(CENSUS, pts)
    rows = r.matches[r.matches["side"] == "point"]
    # «گل» without a county is on two census rows; «کلاته نو» is once in the whole census
    assert rows["status"].tolist() == ["unmatched", "ambiguous", "exact"]
    assert rows["scope"].tolist() == ["all", "all", "all"]
    assert rows.iloc[0]["note"] == "no name and no census code"


def test_one_name_on_thousands_of_rows_stays_bounded():
    # a hostile census: 20,000 places with one name in one rural district, and 5,000 points of that name
    n = 20_000
    census = census_frame([(None, "گل", 1, 1, B, "م", "الف")] * n)
    pts = points_frame([(None, "گل", B, "م", "الف")] * 5_000 + [(None, "گلل", None, None, None)] * 300)
    assert fuzz.ratio("گلل", "گل") == 80
    r = join_population(census, pts, threshold=80)
    assert r.counts["ambiguous"] == 5_300 and r.counts["unmatched_census"] == n
    first = r.matches.iloc[0]
    assert len(first["candidates"]) == 20 and f"on {n} census places" in first["note"]
    assert [c["census_row"] for c in first["candidates"]] == list(range(1, 21))
    fuzzy = r.matches.iloc[5_000]
    assert len(fuzzy["candidates"]) == 20 and f"{n} census places score within" in fuzzy["note"]
    assert r.counts["not_located_population"] == n


def test_a_plain_python_scorer_works():
    census = census_frame([("1", "درختنگان", 55, 11, B, "م", "الف")])
    pts = points_frame([(None, "درختنکان", B, "م", "الف")])

    def same_length(a, b, **_):
        return 100.0 if len(a) == len(b) else 0.0

    r = join_population(census, pts, scorer=same_length)
    assert r.matches.iloc[0]["status"] == "fuzzy" and r.population.tolist() == [55]
