"""The tracker's fixed vocabularies, with Persian and English labels.

Request types, steps, actors and documents are data (``siting/tracker/workflow.yaml``);
the words here are the library's own semantics: roles, application statuses,
step states, decision outcomes and the roles of a company's people.
"""

from __future__ import annotations

import unicodedata

# the accounts' roles (siting/permissions.py says what each may do); data_steward came with migration 0002
ROLES: tuple[str, ...] = ("applicant", "expert", "wg_member", "admin", "data_steward")
STAFF_ROLES: tuple[str, ...] = ("expert", "wg_member", "admin")

# draft → submitted → under_review → approved → licensed (issue/transfer) or completed (changes)
#                                  ↘ returned → submitted (next round)   ↘ rejected
# cancelled: the applicant gave up before the end.
STATUSES: tuple[str, ...] = (
    "draft", "submitted", "under_review", "returned", "approved", "rejected",
    "licensed", "completed", "cancelled",
)
OPEN_STATUSES: tuple[str, ...] = ("draft", "submitted", "under_review", "returned", "approved")
STEP_STATES: tuple[str, ...] = ("waiting", "ready", "done", "returned", "skipped", "closed")
OUTCOMES: tuple[str, ...] = ("approve", "reject", "return")
PERSON_ROLES: tuple[str, ...] = ("applicant", "managing_director", "board_member", "signatory")
LICENCE_STATUSES: tuple[str, ...] = ("active", "withdrawn", "transferred")
COMPANY_TYPES: tuple[str, ...] = (
    "company", "institution", "cooperative", "cooperative_company", "government_organisation", "other",
)
OWNERSHIP: tuple[str, ...] = ("private", "government")

LABELS: dict[str, tuple[str, str]] = {
    # roles
    "applicant": ("متقاضی", "applicant"),
    "expert": ("کارشناس اداره کل", "directorate expert"),
    "wg_member": ("عضو کارگروه", "working-group member"),
    "admin": ("مدیر سامانه", "administrator"),
    "data_steward": ("متصدی داده", "data steward"),
    # statuses
    "draft": ("پیش‌نویس", "draft"),
    "submitted": ("ارسال‌شده", "submitted"),
    "under_review": ("در دستور کار کارگروه", "under review"),
    "returned": ("عودت‌شده به متقاضی", "returned to the applicant"),
    "approved": ("موافقت‌شده", "approved"),
    "rejected": ("ردشده", "rejected"),
    "licensed": ("پروانه صادر شد", "licence issued"),
    "completed": ("انجام‌شده", "completed"),
    "cancelled": ("انصراف متقاضی", "cancelled by the applicant"),
    # step states
    "waiting": ("در انتظار مراحل قبل", "waiting for earlier steps"),
    "ready": ("آمادهٔ اقدام", "ready"),
    "done": ("انجام شد", "done"),
    "skipped": ("لازم نیست", "not required"),
    "closed": ("بسته (دور پیشین)", "closed (earlier round)"),
    # outcomes
    "approve": ("موافقت", "approve"),
    "reject": ("مخالفت", "reject"),
    "return": ("عودت", "return"),
    # people
    "managing_director": ("مدیرعامل", "managing director"),
    "board_member": ("عضو هیئت مدیره", "board member"),
    "signatory": ("صاحب امضا", "signatory"),
    # licences
    "active": ("معتبر", "active"),
    "withdrawn": ("لغو به درخواست دارنده", "withdrawn"),
    "transferred": ("منتقل‌شده", "transferred"),
    "expired": ("منقضی", "expired"),
    # company types (as in the licensing system's form)
    "company": ("شرکت", "company"),
    "institution": ("موسسه", "institution"),
    "cooperative": ("تعاونی", "cooperative"),
    "cooperative_company": ("شرکت تعاونی", "cooperative company"),
    "government_organisation": ("سازمان دولتی", "government organisation"),
    "other": ("سایر", "other"),
    "private": ("خصوصی", "private"),
    "government": ("دولتی", "government"),
}


def term(key: str | None, lang: str = "fa") -> str:
    """Label of a tracker term in Persian (``fa``) or English (``en``); the key itself if unknown."""
    if key is None:
        return "—"
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "fa" else pair[1]


__all__ = [
    "COMPANY_TYPES",
    "LABELS",
    "LICENCE_STATUSES",
    "OPEN_STATUSES",
    "OUTCOMES",
    "OWNERSHIP",
    "PERSON_ROLES",
    "ROLES",
    "STAFF_ROLES",
    "STATUSES",
    "STEP_STATES",
    "term",
    "tidy_text",
]


_TIDY = {ord("ي"): "ی", ord("ى"): "ی", ord("ك"): "ک", ord("\u200d"): None, ord("\ufeff"): None,
         **{c: None for c in (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
         ord("\u00a0"): " "}


def tidy_text(value: object) -> str:
    """Free text as people wrote it (names, addresses, reasons, notes), tidied for storage.

    Unlike :func:`siting.text.clean_text`, which folds text for matching and
    identifiers, this keeps Persian punctuation (، ؛), digits and ``هٔ`` as
    typed; it only unifies the Arabic ي/ك with the Persian letters, drops
    invisible bidi and joiner controls, and collapses runs of spaces.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).translate(_TIDY)
    return " ".join(text.split())
