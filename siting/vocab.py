"""Controlled vocabularies: licence types, applicant types, settlement kinds,
office status and education levels, with the ways people write them.

Parsing folds the input with :func:`siting.text.match_key`, so Arabic letter
forms, digits, spacing and ZWNJ never stop a match.
"""

from __future__ import annotations

from siting.errors import InputError
from siting.text import match_key

LICENCE_TYPES: tuple[str, ...] = ("urban", "rural")
APPLICANT_TYPES: tuple[str, ...] = ("natural", "legal")
SETTLEMENT_KINDS: tuple[str, ...] = ("city", "village")
OFFICE_STATUSES: tuple[str, ...] = ("active", "inactive", "suspended", "pending")
EDUCATION_LEVELS: tuple[str, ...] = ("none", "diploma", "associate", "bachelor", "master", "doctorate")

LABELS_FA: dict[str, str] = {
    "urban": "پیشخوان شهری",
    "rural": "ICT روستایی",
    "any": "همهٔ انواع",
    "natural": "شخص حقیقی",
    "legal": "شخص حقوقی",
    "city": "شهر",
    "village": "روستا",
    "active": "فعال",
    "inactive": "غیرفعال",
    "suspended": "تعلیق",
    "pending": "در دست بررسی",
    "none": "بدون مدرک",
    "diploma": "دیپلم",
    "associate": "کاردانی",
    "bachelor": "کارشناسی",
    "master": "کارشناسی ارشد",
    "doctorate": "دکتری",
}
LABELS_EN: dict[str, str] = {
    "urban": "urban Pishkhan",
    "rural": "rural ICT",
    "any": "all types",
    "natural": "natural person",
    "legal": "legal person",
    "city": "city",
    "village": "village",
    "active": "active",
    "inactive": "inactive",
    "suspended": "suspended",
    "pending": "pending",
    "none": "no degree",
    "diploma": "diploma",
    "associate": "associate degree",
    "bachelor": "bachelor's degree",
    "master": "master's degree",
    "doctorate": "doctorate",
}

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "urban": (
        "urban", "u", "city", "pishkhan", "pishkhane", "urban pishkhan", "government counter",
        "شهری", "پیشخوان", "پیشخوان شهری", "دفتر پیشخوان", "دفتر پیشخوان شهری",
        "پیشخوان دولت", "پیشخوان خدمات دولت", "دفتر پیشخوان خدمات دولت", "دفتر پیشخوان دولت",
    ),
    "rural": (
        "rural", "r", "ict", "rural ict", "ict rural", "village",
        "روستایی", "روستائی", "ict روستایی", "ict روستائی", "دفتر ict روستایی", "دفتر روستایی",
        "آی سی تی روستایی", "دفتر ارتباطات و فناوری اطلاعات روستایی",
    ),
    "natural": ("natural", "person", "individual", "حقیقی", "شخص حقیقی", "فرد"),
    "legal": ("legal", "company", "legal person", "corporate", "حقوقی", "شخص حقوقی", "شرکت"),
    "city": ("city", "town", "urban", "شهر", "شهری", "c"),
    "village": ("village", "rural", "hamlet", "روستا", "روستایی", "ده", "آبادی", "v"),
    "active": ("active", "فعال", "دایر", "open", "licensed", "دارای پروانه"),
    "inactive": ("inactive", "closed", "غیرفعال", "غیر فعال", "منحل", "بسته", "لغو"),
    "suspended": ("suspended", "تعلیق", "معلق"),
    "pending": ("pending", "در دست بررسی", "در حال بررسی", "در انتظار"),
    "none": ("none", "no degree", "بدون مدرک", "زیر دیپلم", "سیکل"),
    "diploma": ("diploma", "دیپلم", "high school"),
    "associate": ("associate", "کاردانی", "فوق دیپلم"),
    "bachelor": ("bachelor", "bsc", "ba", "کارشناسی", "لیسانس"),
    "master": ("master", "msc", "ma", "کارشناسی ارشد", "فوق لیسانس", "ارشد"),
    "doctorate": ("doctorate", "phd", "دکتری", "دکترا"),
}


def _table(keys: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in keys:
        for word in _SYNONYMS[key]:
            out[match_key(word)] = key
    return out


_LICENCE = _table(LICENCE_TYPES)
_APPLICANT = _table(APPLICANT_TYPES)
_KIND = _table(SETTLEMENT_KINDS)
_STATUS = _table(OFFICE_STATUSES)
_EDUCATION = _table(EDUCATION_LEVELS)


def _parse(value: object, table: dict[str, str], what: str, allowed: tuple[str, ...]) -> str:
    key = match_key(value)
    if key in table:
        return table[key]
    shown = "" if value is None else str(value)
    raise InputError(f"unknown {what} {shown!r}; expected one of {', '.join(allowed)} (or the Persian terms)")


def parse_licence_type(value: object) -> str:
    """'شهری', 'پیشخوان', 'urban' → 'urban'; 'روستایی', 'ICT روستایی', 'rural' → 'rural'.

    >>> parse_licence_type("ICT روستايي")
    'rural'
    """
    return _parse(value, _LICENCE, "licence type", LICENCE_TYPES)


def parse_applicant_type(value: object) -> str:
    return _parse(value, _APPLICANT, "applicant type", APPLICANT_TYPES)


def parse_settlement_kind(value: object) -> str:
    return _parse(value, _KIND, "settlement kind", SETTLEMENT_KINDS)


def parse_office_status(value: object) -> str:
    return _parse(value, _STATUS, "office status", OFFICE_STATUSES)


def parse_education(value: object) -> str:
    return _parse(value, _EDUCATION, "education level", EDUCATION_LEVELS)


def education_rank(level: str) -> int:
    """Position of an education level in :data:`EDUCATION_LEVELS` (higher is more)."""
    return EDUCATION_LEVELS.index(level)


def label(key: str, lang: str = "fa") -> str:
    """Display label of a vocabulary key in Persian (``fa``) or English (``en``)."""
    return (LABELS_FA if lang == "fa" else LABELS_EN).get(key, key)
