"""Formatting for people: Persian digits, distances, Solar Hijri dates."""

from __future__ import annotations

import functools
import math
from datetime import date, datetime

import jdatetime

from siting.errors import InputError
from siting.text import to_persian_digits

JALALI_MONTHS_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)


def number(value: float | int | None, lang: str = "fa", *, decimals: int = 0) -> str:
    """A number with thousands separators, in Persian digits for ``lang='fa'``.

    >>> number(12345.678, "fa", decimals=1)
    '۱۲٬۳۴۵٫۷'
    >>> number(12345, "en")
    '12,345'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    return to_persian_digits(text) if lang == "fa" else text


def percent(share: float | None, lang: str = "fa", *, decimals: int = 1) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    text = f"{share * 100:.{decimals}f}"
    return f"{to_persian_digits(text)}٪" if lang == "fa" else f"{text}%"


def distance(metres: float | None, lang: str = "fa") -> str:
    """Metres as a readable distance: '۸۵۰ متر', '۲٫۳ کیلومتر', '2.3 km'."""
    if metres is None or (isinstance(metres, float) and not math.isfinite(metres)):
        return "—"
    if metres < 1000:
        return f"{number(metres, lang)} متر" if lang == "fa" else f"{number(metres, lang)} m"
    km = number(metres / 1000, lang, decimals=1)
    return f"{km} کیلومتر" if lang == "fa" else f"{km} km"


def jalali(value: date | datetime | str | None, *, with_time: bool = False, lang: str = "fa") -> str:
    """A Gregorian date (or ISO text) shown in the Solar Hijri calendar.

    >>> jalali(date(2026, 11, 28))
    '۱۴۰۵/۰۹/۰۷'
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if ("T" in value or " " in value) else date.fromisoformat(value)
    if isinstance(value, datetime):
        if not with_time:
            return _jalali_date(value.date(), lang)
        text = jdatetime.datetime.fromgregorian(datetime=value).strftime("%Y/%m/%d %H:%M")
        return to_persian_digits(text).replace("٫", ".") if lang == "fa" else text
    return _jalali_date(value, lang)


@functools.lru_cache(maxsize=8192)
def _jalali_date(value: date, lang: str) -> str:
    # a table of thousands of rows repeats a few hundred days: converting each once (jdatetime's
    # conversion and strftime take ~0.1 ms) made the directorate's queue page 2.5 s slower
    text = jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d")
    return to_persian_digits(text) if lang == "fa" else text


def parse_jalali(text: str) -> date:
    """'۱۴۰۵/۰۹/۰۷' or '1405-9-7' (Solar Hijri) to a Gregorian date; ValueError if invalid."""
    from siting.text import to_ascii_digits

    t = to_ascii_digits(str(text)).strip().replace("-", "/").replace(".", "/")
    parts = t.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise InputError(f"{text!r} is not a Solar Hijri date (YYYY/MM/DD)")
    y, m, d = (int(p) for p in parts)
    try:
        return jdatetime.date(y, m, d).togregorian()
    except ValueError:
        raise InputError(f"{text!r} is not a valid Solar Hijri date") from None


def parse_date(value: object) -> date | None:
    """A date as people write it: ISO Gregorian, or Solar Hijri when the year is below 1700.

    Returns ``None`` for blanks; raises ``ValueError`` otherwise.
    """
    from siting.text import clean_text, to_ascii_digits

    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if not text:
        return None
    t = to_ascii_digits(text).strip().split(" ")[0].split("T")[0].replace("-", "/").replace(".", "/")
    parts = t.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        y = int(parts[0])
        if y < 1700:
            return parse_jalali(t)
        try:
            return date(y, int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    raise InputError(f"{value!r} is not a date (expected 1403/05/12 or 2024-08-02)")
