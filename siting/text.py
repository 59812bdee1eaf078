"""Persian text normalisation.

Two levels:

* :func:`clean_text` fixes what should never be stored: Arabic letter forms
  (ي ك ى ة), Persian and Arabic-Indic digits, the Persian decimal separator,
  bidi control marks, tatweel, diacritics and irregular spacing. It keeps the
  zero-width non-joiner (ZWNJ), which is correct Persian orthography.
* :func:`match_key` folds a name further so that spellings people use for the
  same place compare equal: "قائنات" and "قاینات", "عشق آباد" and "عشق‌آباد",
  "Bīrjand" and "Birjand".

A small function of our own rather than hazm or parsivar: those change more
than a place-name match needs (see the README).
"""

from __future__ import annotations

import math
import re
import unicodedata

from siting.errors import InputError

_DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")})

_CHARS = {
    ord("ي"): "ی",
    ord("ى"): "ی",
    ord("ك"): "ک",
    ord("ة"): "ه",
    ord("ۀ"): "ه",
    ord("٫"): ".",  # Persian decimal separator
    ord("٬"): ",",  # Arabic thousands separator
    ord("،"): ",",  # Arabic comma (in numbers and lists)
    ord("ـ"): None,  # tatweel
    ord("\u200d"): None,  # ZWJ
    ord("\u200e"): None,  # LRM
    ord("\u200f"): None,  # RLM
    ord("\u202a"): None,
    ord("\u202b"): None,
    ord("\u202c"): None,
    ord("\u202d"): None,
    ord("\u202e"): None,
    ord("\u2066"): None,
    ord("\u2067"): None,
    ord("\u2068"): None,
    ord("\u2069"): None,
    ord("\ufeff"): None,  # BOM
    ord("\u00a0"): " ",
}
_CHARS.update(_DIGITS)

# Folds used only for matching: hamza carriers and alef forms.
_MATCH = {
    ord("ئ"): "ی",
    ord("أ"): "ا",
    ord("إ"): "ا",
    ord("آ"): "ا",
    ord("ٱ"): "ا",
    ord("ؤ"): "و",
    ord("ء"): None,
    ord("\u200c"): None,  # ZWNJ
    ord(" "): None,
    ord("-"): None,
    ord("_"): None,
    ord("'"): None,
    ord("’"): None,
    ord("‘"): None,
    ord("`"): None,
    ord("."): None,
}

_SPACES = re.compile(r"[ \t\r\n\u2000-\u200b\u3000]+")
_ZWNJ_RUN = re.compile(r"\s*\u200c[\s\u200c]*")


def _strip_marks(text: str) -> str:
    """Drop combining marks (Arabic harakat, Latin accents) after NFKD."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII, Persian decimal separator to '.'.

    >>> to_ascii_digits("۳۲٫۸۷")
    '32.87'
    """
    return text.translate(_DIGITS).replace("٫", ".").replace("٬", "")


def to_persian_digits(value: object) -> str:
    """Render a value with Persian digits, for display.

    >>> to_persian_digits("1,234.5")
    '۱٬۲۳۴٫۵'
    """
    out = str(value)
    out = out.replace(",", "٬").replace(".", "٫")
    return out.translate({ord(str(i)): c for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})


def clean_text(value: object) -> str | None:
    """Normalise a text value for storage; ``None`` and blanks become ``None``.

    Arabic letter forms become Persian, digits become ASCII, bidi marks,
    tatweel and diacritics are removed, spacing is collapsed and a ZWNJ
    surrounded by spaces becomes a single ZWNJ.

    >>> clean_text(" كيلومتر  ۱۲ ")
    'کیلومتر 12'
    """
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    text = str(value)
    text = unicodedata.normalize("NFKC", text).translate(_CHARS)
    # Arabic diacritics (harakat) are combining marks; keep the letters.
    text = "".join(ch for ch in text if not ((unicodedata.combining(ch) and "\u064b" <= ch <= "\u065f") or ch == "\u0670"))
    text = _ZWNJ_RUN.sub("\u200c", text)
    text = _SPACES.sub(" ", text).strip(" \u200c")
    return text or None


def match_key(value: object) -> str:
    """A key under which spellings of the same name compare equal.

    >>> match_key("قائنات") == match_key("قاینات")
    True
    >>> match_key("عشق‌آباد") == match_key("عشق آباد")
    True
    >>> match_key("Bīrjand") == match_key("birjand")
    True
    """
    text = clean_text(value)
    if not text:
        return ""
    text = text.translate(_MATCH)
    text = _strip_marks(text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def parse_number(value: object) -> float | None:
    """Parse a number written with ASCII, Persian or Arabic-Indic digits.

    Returns ``None`` for blanks; raises :class:`~siting.errors.InputError` (a ``ValueError``)
    for anything that is not a number. Thousands separators are accepted; a decimal comma is not
    (it cannot be told from a thousands separator).

    >>> parse_number("۳۲٫۸۷۵")
    32.875
    >>> parse_number("12,500")
    12500.0
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        if value != value:  # NaN
            return None
        if not math.isfinite(value):
            raise InputError(f"{value!r} is not a finite number")
        return float(value)
    text = clean_text(value)
    if text is None:
        return None
    text = text.replace(" ", "").replace("\u200c", "")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text, re.ASCII):
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise InputError(f"{value!r} is not a number")
    number = float(text)
    if not math.isfinite(number):
        raise InputError(f"{value!r} is not a finite number")
    return number
