"""Data page: a whole file's refusal and the import report's notes are said in the page's language.

A refusal for a whole file (wrong format, a missing column, damaged text) carries a machine code and params
from the library (:data:`siting.io.reasons.FILE_ERRORS`), and so does every note of the report
(:data:`siting.io.reasons.NOTE_CODES`); the Persian page says them in Persian with Persian digits, with no
English sentence and no raw code. What the person wrote (the file's name, its column names) is kept as it is,
bidi-isolated.
"""

from __future__ import annotations

import re

from apptest_helpers import assert_clean, sha256, texts
from data_page_accounts import sign_in

from ui.i18n import t

FSI, PDI = "\u2068", "\u2069"
#: names of formats and standards a Persian sentence may keep in Latin letters
NAMES = ("OpenStreetMap", "GeoPackage", "GeoJSON", "Windows-1256", "UTF-8", "WGS84", "EPSG", "XLSX", "CSV", "ZIP",
         "NUL", "XML", "HTML", "KML", "PRJ", "XLS")


def persian_only(text: str) -> str:
    """``text`` with the isolated values (what the person wrote) and the format names taken out; asserts that
    nothing English is left: no Latin word, no ASCII digit, no machine code (``no_kind_column``)."""
    rest = re.sub(f"{FSI}[^{PDI}]*{PDI}", "", text)
    for name in NAMES:
        rest = rest.replace(name, "")
    assert not re.search(r"[A-Za-z]{2,}|[0-9]|_", rest), (rest, text)
    assert re.search("[\u0600-\u06ff]", rest), text
    return rest


def _upload(at, name: str, data: bytes, mime: str = "text/csv"):
    uploader = next(u for u in at.file_uploader if u.key.startswith("data.upload"))
    uploader.set_value((name, data, mime)).run()
    assert_clean(at)
    return at


def _steward(open_page, lang="fa", layer=None):
    at = sign_in(open_page("data"), "dana")
    if lang != "fa":
        at.radio(key="lang").set_value(lang).run()
        assert_clean(at)
    if layer:
        at.selectbox(key="data.layer").set_value(layer).run()
        assert_clean(at)
    return at


def _detail(at, lang="fa") -> str:
    """The one sentence under the refusal's headline, without its «جزئیات:» label."""
    [detail] = [c for c in texts(at.caption) if c.startswith(t("app.detail", lang, detail=""))]
    return detail[len(t("app.detail", lang, detail="")):]


def test_a_settlements_file_without_a_kind_column_is_refused_in_persian(open_page, accounts, workspace_copy):
    before = sha256(workspace_copy)
    at = _upload(_steward(open_page, layer="settlements"), "روستاها.csv",
                 "name,lat,lon\nروستای آزمون,32.8,59.2\n".encode())
    assert texts(at.error) == [t("data.file_error")]
    detail = _detail(at)
    assert detail.startswith(f"«{FSI}روستاها.csv{PDI}»: ستون نوع سکونتگاه (نوع: شهر یا روستا) ندارد")
    assert f"«{t('data.default_kind')}»" in detail  # the page's own control, not the command line's --kind
    assert f"{FSI}name, lat, lon{PDI}" in detail  # the file's columns as the file has them
    persian_only(detail)
    assert not any("(متن انگلیسی بررسی‌گر)" in c for c in texts(at.caption))
    assert not [b for b in at.button if b.key == "data.confirm"]
    assert sha256(workspace_copy) == before


def test_an_offices_file_without_coordinates_or_a_place_is_refused_in_persian(open_page, accounts):
    at = _upload(_steward(open_page), "دفاتر.csv", "name,licence_type\nدفتر یک,rural\n".encode())
    detail = _detail(at)
    assert "نه ستون مختصات دارد نه ستونی از آبادی" in detail
    persian_only(detail)


def test_a_file_that_is_not_the_format_it_claims_is_refused_in_persian(open_page, accounts):
    at = _upload(_steward(open_page, layer="counties"), "شهرستان‌ها.geojson",
                 "name,lat,lon\nبیرجند,32.8,59.2\n".encode(), "application/geo+json")
    detail = _detail(at)
    assert detail == (f"«{FSI}شهرستان‌ها.geojson{PDI}»: پسوند فایل می‌گوید GeoJSON ولی محتوای آن CSV است؛ "
                      "فایل را با پسوند درست بارگذاری کنید.")
    persian_only(detail)


def test_a_boundaries_table_without_polygons_is_refused_in_persian(open_page, accounts):
    at = _upload(_steward(open_page, layer="counties"), "شهرستان‌ها.csv", "name,lat,lon\nبیرجند,32.8,59.2\n".encode())
    detail = _detail(at)
    assert "فایل CSV چندضلعی ندارد؛ مرزها باید GeoJSON، GeoPackage یا شیپ‌فایل فشرده باشند." in detail
    persian_only(detail)


def test_damaged_text_is_refused_with_persian_digits(open_page, accounts):
    data = ("office_id,licence_type,lat,lon\nدفتر,rural,33.96,58.33\n".encode() + b"X\xff,rural,33.9,58.3\n"
            + b"Y\xfe\xfd,rural,33.9,58.3\n")
    detail = _detail(_upload(_steward(open_page), "دفاتر.csv", data))
    assert "فایل UTF-8 است جز ۳ بایت نامعتبر (نخستین در سطر ۳)" in detail
    persian_only(detail)


def test_the_english_page_says_the_same_refusal_in_english(open_page, accounts):
    at = _upload(_steward(open_page, lang="en", layer="settlements"), "villages.csv",
                 b"name,lat,lon\nA,32.8,59.2\n")
    assert texts(at.error) == [t("data.file_error", "en")]
    detail = _detail(at, "en")
    assert detail.startswith(f"“{FSI}villages.csv{PDI}”: no settlement kind column (kind: city or village); add one "
                             f"or choose \"{t('data.default_kind', 'en')}\"")
    assert "--kind" not in detail and not re.search("[\u0600-\u06ff]", detail)


def test_the_report_notes_are_said_in_persian_with_persian_digits(open_page, accounts, ws):
    """An update of the office register (a note counting what it updates and adds) and offices without
    coordinates placed at their settlement (a note saying so)."""
    number = str(ws.offices["licence_number"].dropna().iat[0])
    at = _steward(open_page)
    at.checkbox(key="data.update").check().run()
    data = (f"licence_number,licence_type,lat,lon\n{number},rural,33.96396,58.32945\n"
            "NEW-9,rural,33.9,58.3\n").encode()
    at = _upload(at, "دفاتر.csv", data)
    captions = texts(at.caption)
    assert "۱ رکورد به‌روز و ۱ رکورد افزوده شد؛ رکوردهایی که در فایل نیستند حفظ می‌شوند." in captions
    assert not any("records updated" in c or "(یادداشت بررسی‌گر فایل" in c for c in captions)

    at = _steward(open_page)
    at = _upload(at, "دفاتر.csv", f"licence_type,settlement\nrural,{ws.settlements['name_fa'].iat[0]}\n".encode())
    note = t("import_note.no_coordinate_columns_placed")
    assert note in texts(at.caption)
    persian_only(note)
    assert not any("no coordinate columns" in c for c in texts(at.caption))


def test_the_register_changes_are_said_in_persian(open_page, accounts):
    at = _upload(_steward(open_page), "دفاتر.csv",
                 "office_id,name,licence_type,status,lat,lon\nNEW-1,دفتر آزمون,rural,active,33.96396,58.32945\n".encode())
    lines = [c for c in texts(at.caption) if "NEW-1" in c]
    assert lines == [f"افزوده: {FSI}NEW-1{PDI} (دفتر آزمون)"]
    assert not any(c.startswith("added:") for c in texts(at.caption))
