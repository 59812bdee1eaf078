"""Files that arrive as bytes (a browser upload) rather than as paths.

The importer reads paths, and decides a file's format by its content. An
upload is written to a fresh private temporary folder under a fixed name
(``upload`` plus the uploaded name's extension, never the name itself), read
there, and deleted. Messages and the workspace's import log name the file
the person uploaded, not the temporary path.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pandas as pd

from .errors import InputError
from .importer import ImportOptions, ImportReport, prepare_import, read_proposals
from .io import _EXTENSIONS
from .workspace import Workspace

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACCEPTED_EXTENSIONS: tuple[str, ...] = tuple(sorted(_EXTENSIONS))


def _display_name(name: str) -> str:
    return Path(str(name or "upload").replace("\\", "/")).name or "upload"


@contextmanager
def staged(name: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Iterator[Path]:
    """Write ``data`` to a private temporary file with ``name``'s extension; yield its path.

    Raises :class:`InputError` (naming the upload) for an empty or too large
    upload or an extension the importer does not read.
    """
    shown = _display_name(name)
    suffix = Path(shown).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InputError(f"{shown}: unknown extension {suffix or '(none)'!r}; accepted: {' '.join(ACCEPTED_EXTENSIONS)}",
                         source=shown)
    if not data:
        raise InputError(f"{shown}: the file is empty", source=shown)
    if len(data) > max_bytes:
        raise InputError(f"{shown}: {len(data) / 1e6:.1f} MB is larger than the {max_bytes / 1e6:.0f} MB limit",
                         source=shown)
    folder = Path(tempfile.mkdtemp(prefix="siting-upload-"))
    path = folder / f"upload{suffix}"
    try:
        path.write_bytes(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _renamed(exc: InputError, tmp: Path, shown: str) -> InputError:
    return InputError(str(exc).replace(str(tmp), shown), source=shown)


def _fix_report(report: ImportReport, tmp: Path, shown: str) -> ImportReport:
    report.file = shown
    report.notes = [n.replace(str(tmp), shown) for n in report.notes]
    report.issues = [replace(i, reason=i.reason.replace(str(tmp), shown)) for i in report.issues]
    return report


def prepare_upload(ws: Workspace, layer: str, name: str, data: bytes,
                   options: ImportOptions | None = None) -> tuple[Workspace, ImportReport]:
    """:func:`siting.importer.prepare_import` for uploaded bytes: checks every row, writes nothing.

    The returned workspace's import log names the uploaded file; save it with
    :meth:`Workspace.save` once the person has read the report.
    """
    shown = _display_name(name)
    options = options or ImportOptions()
    if options.source is None:
        options = replace(options, source=shown)
    with staged(shown, data) as tmp:
        try:
            new, report = prepare_import(ws, layer, tmp, options)
        except InputError as exc:
            raise _renamed(exc, tmp, shown) from None
        _fix_report(report, tmp, shown)
        if new is not ws and len(new.imports):
            imports = new.imports.copy()
            imports.loc[imports.index[-1], "file"] = shown
            new = replace(new, imports=imports)
    return new, report


def read_uploaded_proposals(ws: Workspace, name: str, data: bytes,
                            options: ImportOptions | None = None) -> tuple[pd.DataFrame, ImportReport]:
    """:func:`siting.importer.read_proposals` for uploaded bytes."""
    shown = _display_name(name)
    with staged(shown, data) as tmp:
        try:
            sites, report = read_proposals(ws, tmp, options)
        except InputError as exc:
            raise _renamed(exc, tmp, shown) from None
    return sites, _fix_report(report, tmp, shown)


__all__ = ["ACCEPTED_EXTENSIONS", "MAX_UPLOAD_BYTES", "prepare_upload", "read_uploaded_proposals", "staged"]
