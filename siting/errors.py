"""Error classes of the siting package.

Every error subclasses a built-in so that callers' ``except ValueError`` keeps
working, and carries a message a person can act on: it names the file, row or
field and says what is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


class SitingError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(SitingError, ValueError):
    """Bad input: a file, a row, a field or an argument that cannot be used.

    Parameters
    ----------
    message
        One line that names the file, row or field and the reason.
    source
        The file or argument the problem is in, if any.
    code, params
        For a whole file's refusal, a machine code of :data:`siting.io.reasons.FILE_ERRORS` and the
        values its sentence names (plain JSON values), so that a page can say it in Persian; the
        message stays the English one the command line prints.
    """

    def __init__(self, message: str, *, source: str | None = None, code: str | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.code = code
        self.params: dict[str, Any] = {}
        if code is not None:
            from siting.io.reasons import FILE_ERRORS, file_error_params

            if code not in FILE_ERRORS:
                raise ValueError(f"unknown file error code {code!r}")
            self.params = file_error_params(**(params or {}))


class WorkspaceError(SitingError, OSError):
    """The workspace file is missing, unreadable or not a siting workspace."""


class RulesError(InputError):
    """The rules file is malformed: a section, parameter or value is wrong."""


def require_folder(path: str | os.PathLike[str], what: str = "output") -> None:
    """Refuse (:class:`InputError`) to write ``path`` when its folder does not exist: a mistyped folder
    is reported, never silently created."""
    from pathlib import Path

    folder = Path(path).parent
    if not folder.is_dir():
        raise InputError(f"{path}: {what} folder {folder} does not exist; create it first (nothing was written)",
                         source=str(path))
