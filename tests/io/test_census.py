"""The census village table (siting.io.census.read_census): the published hierarchical workbook and the
plain one-row-per-village form, with the figures of every row checked by hand.

Every fixture is written by the test itself (openpyxl or plain text in tmp_path).
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from siting.errors import InputError
from siting.io.census import (
    OUTPUT_COLUMNS,
    city_name,
    normalise_code,
    read_census,
    strip_level_word,
)
from siting.text import to_persian_digits

HEADER = ["کد", "نام آبادی", "خانوار", "جمعیت", "مرد", "زن"]


def fa(v):
    """A figure or code as the published tables write it: Persian digits, as text."""
    return None if v is None else to_persian_digits(v)


# (code, name, households, population, men, women); None = blank cell, "" = blank row
PUBLISHED = [
    (None, "استان خراسان جنوبی", 104, 355, None, None),            # row 1: province total
    ("2901", "شهرستان بیرجند", 104, 355, None, None),               # row 2
    ("290101", "بخش مرکزی", 95, 322, None, None),                   # row 3
    (None, "شهر بیرجند", 50, 160, 81, 79),                          # row 4: a city, no code
    ("29010101", "دهستان باقران", 18, 62, None, None),              # row 5
    ("29010101001", "حسین‌آباد علیا", 10, 35, 18, 17),              # row 6
    ("29010101002", "حسين آباد سفلي", 8, 27, 14, 13),               # row 7 (Arabic ي)
    "",                                                             # row 8: blank
    ("29010102", "دهستان القورات", 27, 100, None, None),            # row 9: WRONG, the rows add up to 90
    ("29010102001", "گل", 12, 40, 20, 20),                          # row 10
    ("29010102002", "کلاته نو", 15, 50, 25, 25),                    # row 11
    tuple(HEADER),                                                  # row 12: header repeated (page break)
    ("290102", "بخش خوسف", 9, 33, None, None),                      # row 13
    ("29010201", "دهستان خوسف", 9, 33, None, None),                 # row 14: includes row 16's 2 and 5
    ("29010201001", "گل", 7, 28, 14, 14),                           # row 15
    ("29020201002", "چاه شور", 2, 5, 3, 2),                         # row 16: code not under 29010201
    (None, "مأخذ: مرکز آمار ایران", None, None, None, None),        # row 17: a footnote
]


def published_xlsx(tmp_path, rows=PUBLISHED, name="abadi.xlsx", persian=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "آبادی"
    ws.append(["جدول ۱ - تعداد خانوار و جمعیت آبادی‌های استان خراسان جنوبی"])
    ws.append(["سرشماری عمومی نفوس و مسکن ۱۳۹۵"])
    ws.append([])
    ws.append(HEADER)
    for r in rows:
        if r == "":
            ws.append([])
        elif r == tuple(HEADER):
            ws.append(list(r))
        else:
            code, name_, hh, pop, men, women = r
            conv = fa if persian else (lambda v: v)
            ws.append([conv(code), name_, conv(hh), conv(pop), conv(men), conv(women)])
    path = tmp_path / name
    wb.save(path)
    return path


def issues(report):
    return {(i.row, i.severity): i.reason for i in report.issues}


# -- the published layout ---------------------------------------------------------------------

def test_published_workbook_hierarchy_places_and_parents(tmp_path):
    df, rep = read_census(published_xlsx(tmp_path))
    assert list(df.columns) == list(OUTPUT_COLUMNS)
    assert rep.layout == "hierarchical"
    assert rep.header_line == 4
    assert rep.rows_read == 16  # 17 data rows, one blank
    assert (rep.villages, rep.cities) == (5, 1)
    assert df["row"].tolist() == [4, 6, 7, 10, 11, 15]
    assert df["code"].tolist() == [None, "29010101001", "29010101002", "29010102001", "29010102002",
                                   "29010201001"]
    assert df["name_fa"].tolist() == ["بیرجند", "حسین‌آباد علیا", "حسین آباد سفلی", "گل", "کلاته نو", "گل"]
    assert df["kind"].tolist() == ["city", "village", "village", "village", "village", "village"]
    assert df["population"].tolist() == [160, 35, 27, 40, 50, 28]
    assert df["households"].tolist() == [50, 10, 8, 12, 15, 7]
    assert str(df["population"].dtype) == "Int64" and str(df["households"].dtype) == "Int64"
    village = df.set_index("row").loc[15]
    assert (village.county, village.county_code) == ("بیرجند", "2901")
    assert (village.district, village.district_code) == ("خوسف", "290102")
    assert (village.rural_district, village.rural_district_code) == ("خوسف", "29010201")
    first = df.set_index("row").loc[6]
    assert (first.district, first.rural_district, first.rural_district_code) == ("مرکزی", "باقران", "29010101")
    city = df.set_index("row").loc[4]
    # a city sits under its district, in no rural district
    assert (city.county, city.district, city.rural_district) == ("بیرجند", "مرکزی", None)


def test_published_workbook_reports_the_wrong_subtotal_and_the_misplaced_code(tmp_path):
    _, rep = read_census(published_xlsx(tmp_path))
    # province, county, two districts, three rural districts
    assert rep.subtotals_checked == 7
    got = {(m["row"], m["field"]): m for m in rep.mismatches}
    assert set(got) == {(9, "population"), (14, "households"), (14, "population")}
    wrong = got[(9, "population")]
    assert (wrong["level"], wrong["name"], wrong["code"]) == ("rural_district", "القورات", "29010102")
    assert (wrong["stated"], wrong["computed"], wrong["difference"], wrong["skipped_rows"]) == (100, 90, 10, 0)
    # the rural district whose village was skipped: stated 9/33, the kept row holds 7/28
    assert (got[(14, "households")]["stated"], got[(14, "households")]["computed"]) == (9, 7)
    assert (got[(14, "population")]["stated"], got[(14, "population")]["computed"]) == (33, 28)
    assert got[(14, "population")]["skipped_rows"] == 1
    errs = [i for i in rep.issues if i.severity == "error"]
    assert len(errs) == 1
    assert errs[0].row == 16 and errs[0].field == "code"
    assert "29020201002" in errs[0].reason and "29010201" in errs[0].reason and "row 14" in errs[0].reason
    warn = issues(rep)
    assert "مأخذ" in warn[(17, "warning")]
    assert "stated population 100" in warn[(9, "warning")] and "90" in warn[(9, "warning")]
    assert "row 12: a repeated header row, skipped" in rep.notes
    d = rep.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert d["rejected"] == 1 and d["villages"] == 5 and len(d["mismatches"]) == 3
    assert "5 villages and 1 cities" in rep.summary_line()


def test_men_and_women_that_do_not_add_up_are_a_warning(tmp_path):
    rows = [("2901", "شهرستان الف", 3, 10, None, None), ("290101", "بخش ب", 3, 10, None, None),
            ("29010101", "دهستان ج", 3, 10, None, None), ("29010101001", "د", 3, 10, 4, 5)]
    df, rep = read_census(published_xlsx(tmp_path, rows))
    assert df["population"].tolist() == [10]
    assert "men 4 + women 5 = 9, not the population 10" in issues(rep)[(4, "warning")]
    assert rep.mismatches == []


def test_numbers_stored_as_numbers_and_levels_told_by_name_when_codes_are_missing(tmp_path):
    rows = [(None, "شهرستان الف", 7, 30, None, None), (None, "بخش مرکزی", 7, 30, None, None),
            (None, "دهستان حومه", 7, 30, None, None), (None, "شهرک صنعتی", 3, 12, None, None),
            (None, "شهرآباد", 4, 18, None, None)]
    df, rep = read_census(published_xlsx(tmp_path, rows, persian=False))
    # «شهرک …» and «شهرآباد» are villages: the first word must be «شهر» itself
    assert df["kind"].tolist() == ["village", "village"]
    assert df["rural_district"].tolist() == ["حومه", "حومه"]
    assert df["county"].tolist() == ["الف", "الف"]
    assert df["code"].tolist() == [None, None]
    assert rep.mismatches == [] and rep.subtotals_checked == 3
    assert [i.reason for i in rep.issues if i.severity == "warning"] == ["no code", "no code"]


def test_code_lengths_option(tmp_path):
    # a table with 3-digit counties, 5-digit districts, 7-digit rural districts and 10-digit villages
    csv = ("کد,شرح,خانوار,جمعیت\n"
           "101,شهرستان الف,5,20\n10101,بخش ب,5,20\n1010101,دهستان ج,5,20\n"
           "1010101001,روستای یک,2,8\n1010101002,روستای دو,3,12\n")
    p = tmp_path / "short.csv"
    p.write_text(csv, encoding="utf-8")
    lengths = {"province": 1, "county": 3, "district": 5, "rural_district": 7, "village": 10}
    df, rep = read_census(p, code_lengths=lengths)
    assert df["code"].tolist() == ["1010101001", "1010101002"]
    assert df["rural_district_code"].tolist() == ["1010101", "1010101"]
    assert rep.subtotals_checked == 3 and rep.mismatches == []
    # with the default lengths the villages' codes are no level: reported, none kept; the subtotals are
    # told by their names, their codes' lengths warned about
    df2, rep2 = read_census(p)
    assert len(df2) == 0
    errors = [i.reason for i in rep2.errors]
    assert errors == [f"code '{c}' has 10 digits; a census code has 2 (province), 4 (county), 6 (district), "
                      "8 (rural district), 11 (village)" for c in ("1010101001", "1010101002")]
    assert [i.row for i in rep2.warnings if i.field == "code"] == [1, 2, 3]
    assert "but code 101 has 3 digits, not 4; taken as a county" in rep2.warnings[0].reason
    with pytest.raises(InputError, match="village = 5"):
        read_census(p, code_lengths={"village": 5})
    with pytest.raises(InputError, match="unknown level"):
        read_census(p, code_lengths={"hamlet": 12})


# -- the plain layout -------------------------------------------------------------------------

PLAIN = (
    "کد آبادی,نام آبادی,جمعیت,خانوار,شهرستان,بخش,دهستان\n"
    "۲۹۰۱۰۱۰۱۰۰۱,حسین‌آباد علیا,۳۵,۱۰,شهرستان بیرجند,بخش مرکزی,دهستان باقران\n"      # 1
    "29010101002,حسين آباد سفلي,27,8,بيرجند,مرکزی,باقران\n"                             # 2
    "29010101003,کلاته,چهل,5,بیرجند,مرکزی,باقران\n"                                       # 3 text population
    "29010101004,,12,3,بیرجند,مرکزی,باقران\n"                                             # 4 no name
    "29010101002,تکراری,14,4,بیرجند,مرکزی,باقران\n"                                      # 5 duplicate code
    "29010101005,بزرگ,1000000000,5,بیرجند,مرکزی,باقران\n"                               # 6 10^9
    "29010101006,منفی,-4,1,بیرجند,مرکزی,باقران\n"                                         # 7 negative
    "29010101007,نیمه,12.5,3,بیرجند,مرکزی,باقران\n"                                       # 8 fraction
    ",شهر خوسف,4500,1300,خوسف,مرکزی,\n"                                                   # 9 city
    "29010101008,خالی,-,-,بیرجند,مرکزی,باقران\n"                                          # 10 no figures
)


def test_plain_csv_rows_good_and_bad(tmp_path):
    p = tmp_path / "villages.csv"
    p.write_text(PLAIN, encoding="utf-8")
    df, rep = read_census(p)
    assert rep.layout == "plain"
    assert rep.rows_read == 10
    assert df["row"].tolist() == [1, 2, 9, 10]
    assert df["name_fa"].tolist() == ["حسین‌آباد علیا", "حسین آباد سفلی", "خوسف", "خالی"]
    assert df["kind"].tolist() == ["village", "village", "city", "village"]
    assert df["population"].tolist()[:3] == [35, 27, 4500] and df["population"].isna().tolist()[3]
    assert df["households"].tolist()[:3] == [10, 8, 1300]
    assert df["county"].tolist() == ["بیرجند", "بیرجند", "خوسف", "بیرجند"]
    assert df["rural_district"].tolist()[:3] == ["باقران", "باقران", None]
    # codes of the parents are read off an 11-digit village code
    assert df["county_code"].tolist()[:2] == ["2901", "2901"]
    assert df["rural_district_code"].tolist()[:2] == ["29010101", "29010101"]
    errs = {i.row: (i.field, i.reason) for i in rep.issues if i.severity == "error"}
    assert set(errs) == {3, 4, 5, 6, 7, 8}
    assert errs[3] == ("population", "population 'چهل' is not a number")
    assert errs[4] == ("name_fa", "no name")
    assert errs[5][0] == "code" and "already used on row 2" in errs[5][1]
    assert errs[6][0] == "population" and "more than 100,000,000" in errs[6][1]
    assert errs[7] == ("population", "population '-4' is negative")
    assert errs[8] == ("population", "population '12.5' is not a whole number")
    warns = {(i.row, i.field) for i in rep.issues if i.severity == "warning"}
    assert (10, "population") in warns and (9, "code") in warns


def test_plain_form_with_english_headers_and_a_parent_code_mismatch(tmp_path):
    text = ("code,name,population,households,county,district,rural_district,rural_district_code\n"
            "29010101001,Abiz,120,30,Birjand,Markazi,Baqeran,29010101\n"
            "29010102001,Gol,80,20,Birjand,Markazi,Baqeran,29010101\n")
    p = tmp_path / "plain_en.csv"
    p.write_text(text, encoding="utf-8")
    df, rep = read_census(p)
    assert df["name_fa"].tolist() == ["Abiz"]
    [err] = rep.errors
    assert err.row == 2 and "not under its rural district code 29010101" in err.reason


def test_fields_option_names_columns(tmp_path):
    p = tmp_path / "odd.csv"
    p.write_text("شماره,آبادی,نفر,شهرستان\n1,الف,10,بیرجند\n", encoding="utf-8")
    with pytest.raises(InputError, match="no header row"):
        read_census(p)
    df, _ = read_census(p, fields={"population": "نفر", "code": "شماره"})
    assert df["population"].tolist() == [10] and df["code"].tolist() == ["1"]
    with pytest.raises(InputError, match="'خانوارها' given for households is not in the header"):
        read_census(p, fields={"population": "نفر", "households": "خانوارها"})
    with pytest.raises(InputError, match="unknown census field 'people'"):
        read_census(p, fields={"population": "نفر", "people": "نفر"})


# -- hostile input ----------------------------------------------------------------------------

def test_empty_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: the file is empty"):
        read_census(p)


def test_header_only_csv_and_workbook(tmp_path):
    p = tmp_path / "header.csv"
    p.write_text("کد,نام,خانوار,جمعیت\n", encoding="utf-8")
    with pytest.raises(InputError, match="header.csv: no data rows"):
        read_census(p)
    x = published_xlsx(tmp_path, rows=[], name="header.xlsx")
    with pytest.raises(InputError, match=r"header.xlsx: no data rows under the header row on line 4"):
        read_census(x)


def test_no_header_row_names_the_file(tmp_path):
    p = tmp_path / "junk.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"junk.csv: no header row with a population column"):
        read_census(p)


def test_file_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    p = tmp_path / "big.csv"
    p.write_text("کد,نام,جمعیت\n" + "29010101001,الف,10\n" * 80_000, encoding="utf-8")
    monkeypatch.setenv("SITING_LIMIT_FILE_MB", "1")
    with pytest.raises(InputError, match="SITING_LIMIT_FILE_MB"):
        read_census(p)
    monkeypatch.delenv("SITING_LIMIT_FILE_MB")
    monkeypatch.setenv("SITING_LIMIT_ROWS", "1000")
    with pytest.raises(InputError, match="SITING_LIMIT_ROWS"):
        read_census(p)


def test_huge_and_textual_figures_in_subtotals_never_raise(tmp_path):
    rows = [("2901", "شهرستان الف", None, 10**9, None, None), ("290101", "بخش ب", "سی", 30, None, None),
            ("29010101", "دهستان ج", 7, 30, None, None), ("29010101001", "د", 7, 30, None, None),
            ("29010101001", "ه", 1, 5, None, None)]
    df, rep = read_census(published_xlsx(tmp_path, rows, persian=False))
    assert df["name_fa"].tolist() == ["د"]
    errs = {i.row: i.reason for i in rep.errors}
    assert "more than 100,000,000" in errs[1]
    assert errs[2] == "households 'سی' is not a number"
    assert "already used on row 4" in errs[5]
    # the county's and district's figures were unusable: only the rural district and the district's
    # population are checked (the district's population of 30 agrees with its rural district)
    assert rep.mismatches == [] and rep.subtotals_checked == 2


def test_small_helpers():
    assert normalise_code(" ۲۹۰۱ ") == "2901"
    assert normalise_code(2901.0) == "2901"
    assert normalise_code(None) == "" and normalise_code("  ") == ""
    for bad in ("29a1", 29.5, "1" * 21, True):
        with pytest.raises(InputError):
            normalise_code(bad)
    assert strip_level_word("دهستان") == "دهستان"
    assert strip_level_word(None) is None
    assert city_name("شهر") is None
    assert city_name("شهر  قاین") == "قاین"


def test_output_is_empty_but_well_formed_when_every_row_is_bad(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("کد,نام,جمعیت,شهرستان\n1,الف,x,ب\n", encoding="utf-8")
    df, rep = read_census(p)
    assert list(df.columns) == list(OUTPUT_COLUMNS) and len(df) == 0
    assert str(df["population"].dtype) == "Int64"
    assert rep.errors[0].row == 1
    assert isinstance(df, pd.DataFrame)


def test_total_rows_are_never_places(tmp_path):
    rows = [(None, "جمع کل", 5, 20, None, None),                    # row 1: a grand total on top: checked
            ("2901", "شهرستان الف", 5, 20, None, None), ("290101", "بخش ب", 5, 20, None, None),
            ("29010101", "دهستان ج", 5, 20, None, None), ("29010101001", "د", 2, 8, None, None),
            ("29010101002", "ه", 3, 12, None, None),
            (None, "جمع دهستان ج", 5, 20, None, None),              # row 7: a total below its rows
            (None, "جمع", 5, 20, None, None)]                       # row 8
    df, rep = read_census(published_xlsx(tmp_path, rows, persian=False))
    assert df["name_fa"].tolist() == ["د", "ه"]
    assert rep.subtotals_checked == 4 and rep.mismatches == []
    assert [i.row for i in rep.warnings] == [7, 8]
    p = tmp_path / "plain.csv"
    p.write_text("نام,جمعیت,دهستان\nالف,10,ج\nب,5,ج\nجمع,15,\nدهستان ج,15,\n", encoding="utf-8")
    df, rep = read_census(p)
    assert df["name_fa"].tolist() == ["الف", "ب"]
    assert [(i.row, i.severity) for i in rep.issues] == [(1, "warning"), (2, "warning"), (3, "warning"),
                                                          (4, "warning")]
    assert "total or subtotal row" in rep.issues[2].reason


def test_kind_column_and_sheet_option(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "توضیحات"
    wb.active.append(["این برگه توضیحات است"])
    ws = wb.create_sheet("آبادی")
    for r in (["کد", "نام", "نوع", "جمعیت"], ["290101", "بخش مرکزی", None, "۱۷۰"],
              ["29010100001", "بیرجند", "شهر", "۱۶۰"], ["29010101", "دهستان الف", None, "۱۰"],
              ["29010101001", "ب", "روستا", "۱۰"], ["29010101002", "ج", "مزرعه", None]):
        ws.append(r)
    p = tmp_path / "two.xlsx"
    wb.save(p)
    with pytest.raises(InputError, match="two.xlsx: no data rows"):  # the first sheet holds one line
        read_census(p)
    with pytest.raises(InputError, match="no sheet 'x'; sheets: توضیحات, آبادی"):
        read_census(p, sheet="x")
    df, rep = read_census(p, sheet="آبادی")
    assert df["name_fa"].tolist() == ["بیرجند", "ب", "ج"]
    assert df["kind"].tolist() == ["city", "village", "village"]
    assert df["rural_district"].tolist() == [None, "الف", "الف"]
    assert pd.isna(df["population"].iloc[2])
    warned = {(i.row, i.field) for i in rep.warnings}
    assert (5, "kind") in warned and (5, "population") in warned
    assert rep.mismatches == [] and rep.subtotals_checked == 2


def test_a_rural_district_under_the_wrong_district_is_warned_and_its_villages_follow_it(tmp_path):
    rows = [("2901", "شهرستان الف", 5, 20, None, None), ("290101", "بخش ب", 5, 20, None, None),
            ("29010201", "دهستان ج", 5, 20, None, None),                 # row 3: code says district 290102
            ("29010201001", "د", 2, 8, None, None), ("29010201002", "ه", 3, 12, None, None)]
    df, rep = read_census(published_xlsx(tmp_path, rows, persian=False))
    assert df["name_fa"].tolist() == ["د", "ه"]
    assert df["district_code"].tolist() == ["290101", "290101"]
    assert df["rural_district_code"].tolist() == ["29010201", "29010201"]
    [w] = [i for i in rep.warnings if i.field == "code"]
    assert w.row == 3 and "not under its district 'ب' (code 290101, row 2)" in w.reason
    assert rep.errors == []


# -- the reasons' codes, said by the pages ------------------------------------------------------------

def _all_issues(tmp_path):
    """Every issue of the bad tables above, and of a few more, by code."""
    plain = tmp_path / "villages.csv"
    plain.write_text(PLAIN, encoding="utf-8")
    short = tmp_path / "short.csv"
    short.write_text("کد,شرح,خانوار,جمعیت\n101,شهرستان الف,5,20\n10101,بخش ب,5,20\n1010101,دهستان ج,5,20\n"
                     "1010101001,روستای یک,2,8\n", encoding="utf-8")
    en = tmp_path / "plain_en.csv"
    en.write_text("code,name,population,households,kind,county,rural_district_code\n"
                  "29010101001,Abiz,120,30,village,Birjand,29010101\n29010102001,Gol,80,20,village,Birjand,29010101\n"
                  ",total,80,20,village,Birjand,\n29010102003,Kal,20,30,مزرعه,Birjand,\n"
                  "29010102004,Bad,20,3,village,Birjand,29x\n29010102005,Few,20,3,village,Birjand,\n"
                  "2901010200,Ten,20,3,village,Birjand,\n,Tot,,,,,\n", encoding="utf-8")
    sexes = [("2901", "شهرستان الف", 3, 10, None, None), ("290101", "بخش ب", 3, 10, None, None),
             ("29010101", "دهستان ج", 3, 10, None, None), ("29010101001", "د", 3, 10, 4, 5),
             ("29010101001", "ه", 3, 10, "چند", None), ("2901010", "و", 1, 1, None, None),
             ("290101", "بخش ز", 1, 1, None, None), ("29020101", "دهستان ح", 1, 1, None, None),
             (None, "دهستان ط", 1, 1, None, None), ("2901", "بخش ی", 1, 1, None, None),
             (None, "جمع", 1, 1, None, None)]
    wb = openpyxl.Workbook()
    for r in (["کد", "نام", "نوع", "جمعیت"], ["290101", "بخش مرکزی", None, "۱۰"], ["29010101", "الف", "روستا", "۱۰"],
              ["29010101001", "ب", "روستا", "۱۰"]):
        wb.active.append(r)
    kinds = tmp_path / "kinds.xlsx"
    wb.save(kinds)
    issues_ = []
    for path in (published_xlsx(tmp_path), plain, short, en, published_xlsx(tmp_path, sexes, "more.xlsx"), kinds):
        issues_ += read_census(path)[1].issues
    return issues_


def test_every_census_reason_has_a_code_params_and_both_texts(tmp_path):
    from siting.io.reasons import ROW_REASONS
    from ui.i18n import import_reason, isolate, t

    issues_ = _all_issues(tmp_path)
    assert all(i.code in ROW_REASONS for i in issues_), [i for i in issues_ if i.code not in ROW_REASONS]
    untranslated = t("import.untranslated", "fa", text="").strip()
    for i in issues_:
        fa_, en = (import_reason(i.reason, lang, code=i.code, params=i.params) for lang in ("fa", "en"))
        assert not fa_.startswith(untranslated) and fa_ != en, (i, fa_)
    by_code = {i.code: i for i in issues_}
    seen = {c for c in by_code if c.startswith("census_")}
    assert seen == {c for c in ROW_REASONS if c.startswith("census_")}, set(ROW_REASONS) - seen
    mismatch = next(i for i in issues_ if i.code == "census_subtotal_mismatch" and i.row == 9)
    assert dict(mismatch.params) == {"level": "rural_district", "name": "القورات", "field": "population",
                                     "stated": 100, "computed": 90}
    assert import_reason(mismatch.reason, "fa", code=mismatch.code, params=mismatch.params) == \
        f"دهستان «{isolate('القورات')}»: جمعیت نوشته‌شده ۱۰۰ است ولی جمع ردیف‌هایش ۹۰."
    assert import_reason(mismatch.reason, "en", code=mismatch.code, params=mismatch.params) == \
        f"rural district \"{isolate('القورات')}\": the stated population is 100 but its rows add up to 90."
    sexes = by_code["census_sexes_disagree"]
    assert dict(sexes.params) == {"male": 4, "female": 5, "total": 9, "population": 10}
    assert import_reason(sexes.reason, "fa", code=sexes.code, params=sexes.params) == \
        "مرد ۴ + زن ۵ = ۹، نه جمعیت ۱۰."
    figure = next(i for i in issues_ if i.code == "census_bad_figure" and i.reason == "population 'چهل' is not a number")
    assert dict(figure.params) == {"field": "population", "value": "چهل", "detail": figure.reason}
    assert import_reason(figure.reason, "fa", code=figure.code, params=figure.params) == \
        f"مقدار «{isolate('چهل')}» در ستون «جمعیت» شمار درستی نیست (عدد صحیح نامنفی)."
