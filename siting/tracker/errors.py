"""Errors of the application tracker.

Each error subclasses a built-in (through :mod:`siting.errors`) so that
callers' ``except ValueError`` or ``except PermissionError`` keep working, and
carries its message in Persian (``message_fa``) and English (``message_en``):
the dashboard shows the Persian one, logs and the CLI the English one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from ..errors import InputError, SitingError


class TrackerError(SitingError):
    """Base of the tracker's errors: a message in English and in Persian.

    Parameters
    ----------
    message_en, message_fa
        The same message in both languages; ``str(error)`` joins them.
    """

    def __init__(self, message_en: str, message_fa: str, *args: object) -> None:
        super().__init__(f"{message_en} / {message_fa}", *args)
        self.message_en = message_en
        self.message_fa = message_fa

    def message(self, lang: str = "fa") -> str:
        """The message in ``lang`` ('fa' or 'en')."""
        return self.message_fa if lang == "fa" else self.message_en


class TrackerInputError(TrackerError, InputError):
    """Bad input to a tracker function: a field, an identifier, a missing value.

    ``problems`` lists every problem found (validation collects them all and
    reports once), each as ``(field, message_en, message_fa)``.
    """

    def __init__(self, message_en: str, message_fa: str,
                 problems: Sequence[tuple[str, str, str]] = ()) -> None:
        super().__init__(message_en, message_fa)
        self.problems = tuple(problems)
        self.headline_en: str | None = None
        self.headline_fa: str | None = None

    @classmethod
    def collect(cls, what_en: str, what_fa: str,
                problems: Sequence[tuple[str, str, str]]) -> Self:
        """One error listing every problem, e.g. all invalid fields of a form."""
        en = f"{what_en}: " + "; ".join(f"{f}: {m}" for f, m, _ in problems)
        fa = f"{what_fa}: " + "؛ ".join(f"{f}: {m}" for f, _, m in problems)
        error = cls(en, fa, problems)
        error.headline_en, error.headline_fa = what_en, what_fa
        return error

    def headline(self, lang: str = "fa") -> str | None:
        """The sentence above the problems of a collected error (:meth:`collect`), without them."""
        return self.headline_fa if lang == "fa" else self.headline_en


class TransitionError(TrackerInputError):
    """An action the workflow does not allow now (nothing was changed)."""


class DocumentRejected(TrackerInputError):
    """An uploaded file failed the document checks; ``problems`` says why."""


class NotFound(TrackerError, LookupError):
    """No such application, applicant, document, step or user."""


class AccessDenied(TrackerError, PermissionError):
    """The signed-in user may not do this (or may not see this record)."""


class AuthenticationError(AccessDenied):
    """Wrong user name or password, an inactive account, or an untrusted identity."""


class SignInLocked(AuthenticationError):
    """Too many failed sign-ins for this account or from this client; ``retry_at`` says when to try again."""

    def __init__(self, message_en: str, message_fa: str, retry_at: object = None) -> None:
        super().__init__(message_en, message_fa)
        self.retry_at = retry_at


class ConflictError(TrackerError, RuntimeError):
    """Someone else changed the record since it was read; nothing was saved.

    Raised by optimistic locking: reload, look at the other change, and save again.
    """


class TrackerNotReady(TrackerError):
    """The tracker's database has no tables yet (or an older schema): the operator must set it up."""


__all__ = [
    "AccessDenied",
    "AuthenticationError",
    "ConflictError",
    "DocumentRejected",
    "NotFound",
    "SignInLocked",
    "TrackerError",
    "TrackerInputError",
    "TrackerNotReady",
    "TransitionError",
]
