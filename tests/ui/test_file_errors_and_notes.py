"""The machine codes of a whole file's refusal and of the import report's notes, and their texts.

Every code the library raises or notes with (found in its source) is registered
(:data:`siting.io.reasons.FILE_ERRORS`, :data:`siting.io.reasons.NOTE_CODES`), and every registered code
has a Persian and an English text with the same placeholders; real bad files come back with the code and
the English message the command line prints, unchanged.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from siting.errors import InputError
from siting.io.census import read_census
from siting.io.importer import ImportOptions, prepare_import
from siting.io.reasons import FILE_ERRORS, NOTE_CODES, Note
from siting.samples.hand import hand_workspace
from ui.i18n import STRINGS, file_error_text, import_note, import_reason, isolate, t

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "siting").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
FSI, PDI = "\u2068", "\u2069"


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _codes_in_source() -> tuple[set[str], set[str]]:
    """The codes the source refuses a file with (``InputError(…, code="…")``, ``_refuse(path, what, "…")``)
    and notes with (``Note("…", …)``), read from its syntax tree."""
    errors, notes = set(), set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name == "Note" and node.args and isinstance(node.args[0], ast.Constant):
                notes.add(node.args[0].value)
            elif name in ("InputError", "_refuse"):
                given = [k.value for k in node.keywords if k.arg == "code"]
                if name == "_refuse" and len(node.args) > 2:
                    given.append(node.args[2])
                errors |= {g.value for g in given if isinstance(g, ast.Constant) and isinstance(g.value, str)}
    return errors, notes


def test_every_code_in_the_source_is_registered():
    errors, notes = _codes_in_source()
    assert {"empty", "wrong_content", "no_kind_column", "too_large", "archive_refused"} <= errors  # the scan works
    assert {"nothing_importable", "updated_added", "osm_row_reason"} <= notes
    assert errors <= set(FILE_ERRORS), errors - set(FILE_ERRORS)
    assert notes <= set(NOTE_CODES), notes - set(NOTE_CODES)


@pytest.mark.parametrize(("prefix", "codes"), [("file_error", FILE_ERRORS), ("import_note", NOTE_CODES)])
def test_every_code_has_a_persian_and_an_english_text_with_the_same_placeholders(prefix, codes):
    for code in codes:
        key = f"{prefix}.{code}"
        assert key in STRINGS, key
        fa, en = STRINGS[key]
        assert fa.strip() and en.strip() and fa != en, key
        assert re.search("[\u0600-\u06ff]", fa), key
        assert _placeholders(fa) == _placeholders(en), key
    stray = [k for k in STRINGS if k.startswith(f"{prefix}.") and k.split(".", 1)[1] not in codes
             and k.split(".", 1)[1] not in ("in_file", "untranslated", "osm_not_settlements_more")]
    assert not stray, stray


def test_an_unknown_code_is_refused_by_the_library():
    with pytest.raises(ValueError, match="unknown file error code"):
        InputError("x", code="no_such_code")
    with pytest.raises(ValueError, match="unknown note code"):
        Note("no_such_code", "x")


def test_a_refusal_keeps_its_english_message_and_gains_a_code(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text("name,lat,lon\nA,32.8,59.2\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        prepare_import(hand_workspace(), "settlements", path, ImportOptions())
    exc = caught.value
    assert str(exc) == (f"{path}: no settlement kind column (kind / نوع: شهر or روستا); add one or give --kind")
    assert exc.code == "no_kind_column" and exc.params == {"found": "name, lat, lon"}
    fa = file_error_text(exc, "fa", file="villages.csv")
    assert fa == (f"«{isolate('villages.csv')}»: ستون نوع سکونتگاه (نوع: شهر یا روستا) ندارد؛ آن را بیفزایید یا "
                  f"«{t('data.default_kind')}» را انتخاب کنید. ستون‌های فایل: {isolate('name, lat, lon')}")


def test_a_refusal_without_a_code_is_left_to_the_caller():
    assert file_error_text(InputError("x.csv: something new"), "fa") is None
    assert file_error_text(ValueError("bad"), "fa") is None


def test_a_line_number_is_said_with_persian_digits(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('name,kind,lat,lon\na,city,32.8,59.2\nb,village,32.8,59.2,1,2\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        prepare_import(hand_workspace(), "settlements", path, ImportOptions())
    assert caught.value.code == "csv_malformed" and caught.value.params == {"line": 3}
    assert file_error_text(caught.value, "fa", file="bad.csv").endswith(
        "فایل CSV درست‌ساخت نیست (سطر ۳)؛ شاید نقل‌قول یا جداکننده‌ای جا افتاده است.")
    assert "(line 3)" in file_error_text(caught.value, "en", file="bad.csv")


def test_notes_keep_their_english_and_are_said_by_code(tmp_path):
    path = tmp_path / "far.csv"
    path.write_text("name,kind,lat,lon\nالف,village,10,10\n", encoding="utf-8")
    _, report = prepare_import(hand_workspace(), "settlements", path, ImportOptions())
    [note] = [n for n in report.notes if getattr(n, "code", None) == "nothing_importable"]
    assert note == "no row could be imported"
    assert import_note(note, "fa") == "هیچ ردیفی قابل ورود نبود."
    assert import_note(note, "en") == "no row could be imported."
    # a note without a code (from older code) is marked as the checker's English, never passed off as Persian
    plain = import_note("something else", "fa")
    assert plain.startswith("(یادداشت بررسی‌گر فایل، به انگلیسی)") and plain.endswith(PDI)


def test_a_row_reason_repeated_among_the_osm_notes_is_said_in_persian():
    from siting.io.osm import _row_note
    from siting.io.reasons import Reason

    note = _row_note(4, "w12", Reason("osm_no_line", "way 12: no line: too few nodes", id=12, detail="too few nodes"))
    assert note == "row 5 (w12): way 12: no line: too few nodes"
    fa = import_note(note, "fa")
    assert fa.startswith("ردیف ۵ (") and "راه ۱۲ در فایل OpenStreetMap خطی نمی‌سازد" in fa


def test_the_census_wrong_length_reasons_list_the_lengths_in_persian(tmp_path):
    """A plain census table with a code of no level's length: the lengths in Persian digits and words,
    joined with «، » and «یا»; the village and level lengths in Persian digits."""
    published = tmp_path / "abadi.csv"  # the published layout: subtotal rows above their places
    published.write_text("کد,شرح,خانوار,جمعیت\n2901,شهرستان بیرجند,40,150\n290101,بخش مرکزی,40,150\n"
                         "29010101,دهستان الف,40,150\n29010101001,آبیز,30,120\n2901010,کوتاه,10,30\n",
                         encoding="utf-8")
    plain = tmp_path / "villages.csv"  # one row per place
    plain.write_text("code,name,population,households,kind,county\n"
                     "29010101001,آبیز,120,30,village,بیرجند\n2901010200,ده رقمی,20,3,village,بیرجند\n",
                     encoding="utf-8")
    by_code = {i.code: i for path in (published, plain) for i in read_census(path)[1].issues}
    wrong = by_code["census_code_length"]
    assert "2 (province), 4 (county), 6 (district), 8 (rural district), 11 (village)" in wrong.reason  # unchanged
    fa = import_reason(wrong.reason, "fa", code=wrong.code, params=wrong.params)
    assert fa == ("کد «۲۹۰۱۰۱۰» ۷ رقمی است؛ کدهای آماری این رقم‌ها را دارند: "
                  "۲ (استان)، ۴ (شهرستان)، ۶ (بخش)، ۸ (دهستان) یا ۱۱ (آبادی).")
    assert not re.search(r"[A-Za-z0-9]", fa)
    en = import_reason(wrong.reason, "en", code=wrong.code, params=wrong.params)
    assert en.endswith("census codes have: 2 (province), 4 (county), 6 (district), 8 (rural district) or 11 (village).")
    village = by_code["census_village_code_length"]
    fa_v = import_reason(village.reason, "fa", code=village.code, params=village.params)
    assert fa_v == "کد «۲۹۰۱۰۱۰۲۰۰» ۱۰ رقمی است؛ کد آبادی ۱۱ رقم دارد." and not re.search(r"[A-Za-z0-9]", fa_v)


def test_register_changes_are_said_by_kind_with_persian_digits_and_labels():
    from siting.registry import RegisterDiff
    from ui.i18n import register_changes

    diff = RegisterDiff(added=[f"A{i}" for i in range(23)], removed=["R1"],
                        moved=[("M1", 1234.4, (59.0, 33.0), (59.01, 33.0))],
                        changed=[("C1", "licence_type", "urban", "rural"), ("C1", "name", "الف", "ب")],
                        names={"A0": "دفتر یک", "C1": "دفتر دو"})
    fa = register_changes(diff, "fa", limit=20)
    assert fa[0] == f"افزوده: {isolate('A0')} (دفتر یک)"
    assert fa[20] == "… و ۳ مورد دیگر" and len(fa) == 21 + 1 + 1 + 2
    assert f"حذف: {isolate('R1')} (در این نسخهٔ دفتر ثبت نیست)" in fa
    assert f"جابه‌جا: {isolate('M1')}، ۱٬۲۳۴ متر" in fa
    assert f"تغییر: {isolate('C1')} (دفتر دو) — نوع پروانه: از پیشخوان شهری به ICT روستایی" in fa
    assert f"تغییر: {isolate('C1')} (دفتر دو) — نام دفتر: از {isolate('الف')} به {isolate('ب')}" in fa
    en = register_changes(diff, "en", limit=20)
    assert en[20] == "… and 3 more" and f"moved: {isolate('M1')} by 1,234 m" in en
    # the library's English lines for the command line are unchanged
    assert diff.lines(limit=20)[0] == "added: A0 (دفتر یک)"
