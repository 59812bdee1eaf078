"""Files that arrive as bytes (a browser upload) rather than as paths.

The importer reads paths, and decides a file's format by its content. An
upload is written to a fresh private temporary folder under a fixed name
(``upload`` plus the uploaded name's extension, never the name itself), read
there, and deleted. Messages and the workspace's import log name the file
the person uploaded, not the temporary path.

An upload that a cached result refers to by path (the scenario runner's
candidate sites and cost matrix) is :func:`kept` instead: stored in a
private folder under its content's sha256, so that the path identifies the
content.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from siting.errors import InputError
from siting.io.files import write_private
from siting.io.importer import ImportOptions, ImportReport, prepare_import, read_proposals
from siting.io.limits import current_limits
from siting.io.readers import _EXTENSIONS
from siting.io.reasons import FILE_ERRORS, Note
from siting.workspace import Workspace

#: The same limit as on any input file (:class:`siting.io.limits.Limits`, 50 MiB unless
#: ``SITING_LIMIT_FILE_MB`` says otherwise); ``server.maxUploadSize`` in .streamlit/config.toml matches.
MAX_UPLOAD_BYTES = current_limits().file_bytes
ACCEPTED_EXTENSIONS: tuple[str, ...] = tuple(sorted(_EXTENSIONS))


def _display_name(name: str) -> str:
    return Path(str(name or "upload").replace("\\", "/")).name or "upload"


def _checked_suffix(name: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES,
                    extensions: Iterable[str] = ACCEPTED_EXTENSIONS) -> str:
    """The upload's extension, after checking it is accepted and the upload is neither empty nor too large."""
    shown = _display_name(name)
    suffix = Path(shown).suffix.lower()
    accepted = tuple(extensions)
    if suffix not in accepted:
        raise InputError(f"{shown}: unknown extension {suffix or '(none)'!r}; accepted: {' '.join(accepted)}",
                         source=shown, code="unknown_extension",
                         params={"extension": suffix, "accepted": " ".join(accepted)})
    if not data:
        raise InputError(f"{shown}: the file is empty", source=shown, code="empty")
    if len(data) > max_bytes:
        raise InputError(f"{shown}: {len(data) / 2**20:.1f} MiB is larger than the {max_bytes / 2**20:.0f} MiB limit",
                         source=shown, code="too_large",
                         params={"size_mb": round(len(data) / 2**20, 1), "limit_mb": round(max_bytes / 2**20)})
    return suffix


@contextmanager
def staged(name: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Iterator[Path]:
    """Write ``data`` to a private temporary file with ``name``'s extension; yield its path.

    Raises :class:`InputError` (naming the upload) for an empty or too large
    upload or an extension the importer does not read.
    """
    suffix = _checked_suffix(name, data, max_bytes=max_bytes)
    folder = Path(tempfile.mkdtemp(prefix="siting-upload-"))
    path = folder / f"upload{suffix}"
    try:
        path.write_bytes(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def kept(folder: str | os.PathLike[str], name: str, data: bytes, *,
         extensions: Iterable[str] = ACCEPTED_EXTENSIONS, max_bytes: int = MAX_UPLOAD_BYTES) -> Path:
    """Keep an upload in ``folder`` under its content's sha256 (never its name); return the path.

    For inputs that a cached result refers to by path (the scenario runner's
    candidate file and cost matrix): the same bytes always get the same path,
    so a path is as good a cache key as the content, and keeping the same
    upload twice writes it once. The file is written atomically. Raises
    :class:`InputError` like :func:`staged`.
    """
    suffix = _checked_suffix(name, data, max_bytes=max_bytes, extensions=extensions)
    path = Path(folder) / f"{hashlib.sha256(data).hexdigest()}{suffix}"
    if not path.exists():
        write_private(path, data)
    return path


def shown_as_uploaded(text: str, names: Mapping[str | os.PathLike[str], str]) -> str:
    """``text`` (a message or note) with each kept file's path replaced by the name it was uploaded as."""
    for path, name in names.items():
        text = text.replace(str(path), _display_name(name))
    return text


def _renamed(exc: InputError, tmp: Path, shown: str) -> InputError:
    """The refusal naming the upload instead of its temporary path, its code and params kept."""
    params = {k: v.replace(str(tmp), shown) if isinstance(v, str) else v for k, v in exc.params.items()}
    return InputError(str(exc).replace(str(tmp), shown), source=shown,
                      code=exc.code if exc.code in FILE_ERRORS else None, params=params)


def _fix_report(report: ImportReport, tmp: Path, shown: str) -> ImportReport:
    report.file = shown
    report.notes = [n.replaced(str(tmp), shown) if isinstance(n, Note) else n.replace(str(tmp), shown)
                    for n in report.notes]
    report.issues = [replace(i, reason=i.reason.replace(str(tmp), shown),
                             params={k: v.replace(str(tmp), shown) if isinstance(v, str) else v
                                     for k, v in i.params.items()}) for i in report.issues]
    return report


def prepare_upload(ws: Workspace, layer: str, name: str, data: bytes,
                   options: ImportOptions | None = None) -> tuple[Workspace, ImportReport]:
    """:func:`siting.io.importer.prepare_import` for uploaded bytes: checks every row, writes nothing.

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
    """:func:`siting.io.importer.read_proposals` for uploaded bytes."""
    shown = _display_name(name)
    with staged(shown, data) as tmp:
        try:
            sites, report = read_proposals(ws, tmp, options)
        except InputError as exc:
            raise _renamed(exc, tmp, shown) from None
    return sites, _fix_report(report, tmp, shown)


@dataclass(frozen=True)
class ChosenFile:
    """The file a page works on, ``(name, bytes)`` in a session mapping (``st.session_state``) under ``key``,
    chosen by the last of: a file put in the page's uploader (:meth:`take`), a file the page offers, such as
    the sample (:meth:`use`), or nothing (:meth:`clear`).

    A file uploader keeps its file and hands it to every rerun, so a page that takes whatever is in it
    would undo "use the sample" or "clear" on the very next rerun. :meth:`use` and :meth:`clear` therefore
    give the uploader a new widget key (:meth:`uploader_key`, ``uploader`` plus a count): the browser shows
    a new, empty uploader, and a file put in it afterwards is again the last action and taken.
    """

    key: str
    uploader: str

    @property
    def _resets(self) -> str:
        return f"{self.key}.uploader_resets"

    def uploader_key(self, session: Mapping[str, Any]) -> str:
        """The widget key of the page's uploader now."""
        return f"{self.uploader}.{session.get(self._resets, 0)}"

    def current(self, session: Mapping[str, Any]) -> tuple[str, bytes] | None:
        """The chosen file as ``(name, bytes)``, or None."""
        chosen: tuple[str, bytes] | None = session.get(self.key)
        return chosen

    def take(self, session: MutableMapping[str, Any], name: str, data: bytes) -> None:
        """The file in the uploader (which holds a file only when it was put there last)."""
        session[self.key] = (name, data)

    def use(self, session: MutableMapping[str, Any], name: str, data: bytes) -> None:
        """A file the page offers, instead of any upload: the uploader is emptied."""
        session[self.key] = (name, data)
        self._empty_uploader(session)

    def clear(self, session: MutableMapping[str, Any]) -> None:
        """No file: the uploader is emptied too."""
        session.pop(self.key, None)
        self._empty_uploader(session)

    def _empty_uploader(self, session: MutableMapping[str, Any]) -> None:
        session[self._resets] = int(session.get(self._resets, 0)) + 1


__all__ = ["ACCEPTED_EXTENSIONS", "MAX_UPLOAD_BYTES", "ChosenFile", "kept", "prepare_upload", "read_uploaded_proposals",
           "shown_as_uploaded", "staged"]
