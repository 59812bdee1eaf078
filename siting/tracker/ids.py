"""Iranian identifiers: national ID (کد ملی), legal-entity national ID (شناسه ملی), postal code.

All are stored as text (leading zeros matter). Input is normalised first
(Persian and Arabic-Indic digits to ASCII, spaces and dashes dropped), then
checked with ``[0-9]`` only.

National ID, 10 digits ``d0 … d9``: ``s = Σ d_i·(10 − i)`` for ``i = 0..8``,
``r = s mod 11``; valid iff ``d9 == r`` when ``r < 2``, else ``d9 == 11 − r``.
Codes whose digits 4–9 (the serial) are all zero are never issued and are
refused, as ``persian-tools`` does. Same-digit codes (``1111111111``) pass the
checksum; whether to refuse them is a setting (default: refuse).

Legal-entity ID, 11 digits: ``t = d9 + 2``; ``s = Σ (d_i + t)·w[i mod 5]`` for
``i = 0..9`` with ``w = [29, 27, 23, 19, 17]``; ``c = s mod 11`` with 10 → 0;
valid iff ``d10 == c``.
"""

from __future__ import annotations

import re

from ..text import clean_text
from .errors import TrackerInputError

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_LEGAL_WEIGHTS = (29, 27, 23, 19, 17)


def digits_only(value: object) -> str:
    """Normalise an identifier as typed: Persian digits to ASCII, drop spaces, dashes and dots.

    >>> digits_only("۰۰۱-۲۳۴ ۵۶۷۸")
    '0012345678'
    """
    text = clean_text("" if value is None else str(value)) or ""
    return re.sub(r"[\s\-./_\u200c]", "", text)


def national_id_problem(value: object, *, reject_repeated: bool = True) -> tuple[str, str] | None:
    """Why ``value`` is not a valid national ID, as ``(english, persian)``; ``None`` if valid.

    Anything may come in (``None``, blanks, a number, garbage from a form): never an exception.

    >>> national_id_problem(None)
    ('the national ID is missing', 'کد ملی وارد نشده است')
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
        return (f"a national ID is 10 digits typed as text; got a {type(value).__name__}",
                "کد ملی ده رقم است که به‌صورت متن وارد می‌شود")
    code = digits_only(value)
    if not code:
        return ("the national ID is missing", "کد ملی وارد نشده است")
    if len(code) != 10 or not _DIGITS.fullmatch(code):
        return (f"a national ID has 10 digits; got {code!r}",
                f"کد ملی ده رقم است؛ «{code}» وارد شده است")
    if reject_repeated and len(set(code)) == 1:
        return (f"{code} repeats one digit; it is not a real national ID",
                f"کد ملی {code} از یک رقم تکراری ساخته شده و معتبر نیست")
    if int(code[3:9]) == 0:
        return (f"{code} is not a valid national ID (its serial part is zero)",
                f"کد ملی {code} معتبر نیست (بخش سریال آن صفر است)")
    s = sum(int(code[i]) * (10 - i) for i in range(9))
    r = s % 11
    expected = r if r < 2 else 11 - r
    if int(code[9]) != expected:
        return (f"{code} is not a valid national ID (the check digit does not match)",
                f"کد ملی {code} معتبر نیست (رقم کنترل آن درست نیست)")
    return None


def is_valid_national_id(value: object, *, reject_repeated: bool = True) -> bool:
    """True if ``value`` is a valid 10-digit national ID (see the module docstring).

    >>> is_valid_national_id("0084575948")
    True
    >>> is_valid_national_id("0084575949")
    False
    """
    return national_id_problem(value, reject_repeated=reject_repeated) is None


def legal_id_problem(value: object) -> tuple[str, str] | None:
    """Why ``value`` is not a valid legal-entity national ID, as ``(english, persian)``."""
    code = digits_only(value)
    if not code:
        return ("the company's national ID is missing", "شناسهٔ ملی شرکت وارد نشده است")
    if len(code) != 11 or not _DIGITS.fullmatch(code):
        return (f"a company's national ID has 11 digits; got {code!r}",
                f"شناسهٔ ملی شرکت یازده رقم است؛ «{code}» وارد شده است")
    t = int(code[9]) + 2
    s = sum((int(code[i]) + t) * _LEGAL_WEIGHTS[i % 5] for i in range(10))
    c = s % 11
    if c == 10:
        c = 0
    if int(code[10]) != c:
        return (f"{code} is not a valid company national ID (the check digit does not match)",
                f"شناسهٔ ملی {code} معتبر نیست (رقم کنترل آن درست نیست)")
    return None


def is_valid_legal_id(value: object) -> bool:
    """True if ``value`` is a valid 11-digit legal-entity national ID.

    >>> is_valid_legal_id("10380284790")
    True
    """
    return legal_id_problem(value) is None


def postal_code_problem(value: object) -> tuple[str, str] | None:
    """Why ``value`` is not a 10-digit Iranian postal code, as ``(english, persian)``."""
    code = digits_only(value)
    if len(code) != 10 or not _DIGITS.fullmatch(code):
        return (f"a postal code has 10 digits; got {code!r}",
                f"کد پستی ده رقم است؛ «{code}» وارد شده است")
    if len(set(code)) == 1:
        return (f"{code} is not a postal code", f"{code} کد پستی نیست")
    return None


def checked(field: str, value: object, problem: tuple[str, str] | None) -> str:
    """The normalised identifier, or :class:`TrackerInputError` naming ``field``."""
    if problem is not None:
        raise TrackerInputError(f"{field}: {problem[0]}", f"{field}: {problem[1]}",
                                [(field, problem[0], problem[1])])
    return digits_only(value)


def normal_mobile(value: object) -> str:
    """A mobile number as ``09xxxxxxxxx`` from what people type (Persian digits, +98 or 0098, spaces).

    >>> normal_mobile("+98 912 345 6789"), normal_mobile("۰۹۱۲۳۴۵۶۷۸۹")
    ('09123456789', '09123456789')
    """
    code = digits_only(value).replace("(", "").replace(")", "")
    for prefix in ("+98", "0098", "98"):
        if code.startswith(prefix) and len(code) == len(prefix) + 10:
            return "0" + code[len(prefix):]
    return code


def mobile_problem(value: object) -> tuple[str, str] | None:
    """Why ``value`` is not an Iranian mobile number (``09`` and nine more digits), or ``None``."""
    code = normal_mobile(value)
    if not code:
        return ("the mobile number is missing", "شمارهٔ همراه وارد نشده است")
    if not re.fullmatch(r"09[0-9]{9}", code, re.ASCII):
        return (f"a mobile number is 11 digits starting with 09; got {code!r}",
                f"شمارهٔ همراه یازده رقم است و با ۰۹ آغاز می‌شود؛ «{code}» وارد شده است")
    return None


__all__ = [
    "checked",
    "digits_only",
    "is_valid_legal_id",
    "is_valid_national_id",
    "legal_id_problem",
    "mobile_problem",
    "national_id_problem",
    "normal_mobile",
    "postal_code_problem",
]
