"""Earlier versions of a workspace file, kept beside it so that a save can be undone.

Before a checked save replaces the workspace file (:func:`siting.permissions.save_workspace`), the
file as it was is copied into a hidden folder beside it, ``.<name>.versions/``; at most
:data:`KEEP` versions are kept (the oldest go first). :func:`restore_version` puts a kept version
back: under the workspace's write lock, after checking that the version opens as a workspace, the
current file is kept as a version in turn (so a restore can be undone), and the version is saved
over the workspace atomically (:meth:`Workspace.save`), with one more row in its import log (mode
``restore``). Whether the caller may do this is :mod:`siting.permissions`' business
(:func:`siting.permissions.restore_workspace`); the functions here are the unchecked file operations.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from .errors import InputError, WorkspaceError
from .workspace import IMPORT_COLUMNS, Workspace, resolve_path
from .wslock import read_stamp, workspace_lock

#: How many earlier versions are kept beside a workspace.
KEEP = 5
_NAME = re.compile(r"^(\d{8}T\d{6}\d{6}Z)-g(\d+)\.gpkg$")


@dataclass(frozen=True)
class Version:
    """One kept version: its file, when it was put aside (UTC) and the save generation it holds."""

    path: Path
    kept_at: datetime
    generation: int

    @property
    def name(self) -> str:
        return self.path.name


def versions_dir(path: str | os.PathLike[str]) -> Path:
    """The folder of ``path``'s kept versions (``.<name>.versions`` beside it)."""
    p = Path(path)
    return p.parent / f".{p.name}.versions"


def list_versions(path: str | os.PathLike[str] | None = None) -> list[Version]:
    """The kept versions of the workspace at ``path``, newest first."""
    folder = versions_dir(resolve_path(path))
    if not folder.is_dir():
        return []
    out = []
    for f in folder.iterdir():
        m = _NAME.match(f.name)
        if m and f.is_file():
            out.append(Version(f, datetime.strptime(m.group(1), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC),
                               int(m.group(2))))
    return sorted(out, key=lambda v: (v.kept_at, v.generation), reverse=True)


def _keep_current(path: Path, keep: int) -> Path | None:
    """Copy the file at ``path`` into its versions folder (the caller holds the lock); prune to ``keep``."""
    if not path.exists():
        return None
    folder = versions_dir(path)
    folder.mkdir(exist_ok=True)
    stamp = read_stamp(path)
    now = datetime.now(UTC)
    name = f"{now:%Y%m%dT%H%M%S}{now.microsecond:06d}Z-g{stamp.generation if stamp else 0}.gpkg"
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        shutil.copyfile(path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        kept = folder / name
        os.replace(tmp, kept)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in list_versions(path)[max(keep, 1):]:
        old.path.unlink(missing_ok=True)
    return kept


@contextmanager
def keeping_previous(path: str | os.PathLike[str] | None = None, *, keep: int = KEEP) -> Iterator[Path]:
    """Hold the workspace's lock, keep the current file as a version, and run the block (which saves).

    If the block fails (a stale workspace, a full disk), the version just kept is removed again:
    nothing changed, so there is nothing to undo.
    """
    p = resolve_path(path)
    with workspace_lock(p):
        kept = _keep_current(p, keep)
        try:
            yield p
        except BaseException:
            if kept is not None:
                kept.unlink(missing_ok=True)
            raise


def restore_version(path: str | os.PathLike[str] | None = None, version: str | None = None, *,
                    by: str = "", keep: int = KEEP,
                    check: Callable[[], None] | None = None) -> Workspace:
    """Put a kept version back as the workspace at ``path`` (the newest one when ``version`` is None).

    ``version`` is a kept version's file name (:attr:`Version.name`), never a path: only files in the
    versions folder can be restored. ``check`` runs under the lock before anything is written (the
    caller's authorisation, again). Returns the workspace as saved. Raises :class:`InputError` when
    there is no such version or it does not open as a workspace (nothing is written).
    """
    p = resolve_path(path)
    with workspace_lock(p):
        if check is not None:
            check()
        versions = list_versions(p)
        chosen = versions[0] if version is None and versions else next(
            (v for v in versions if v.name == version), None)
        if chosen is None:
            raise InputError(f"{p}: no earlier version {version or ''} to restore (nothing was written)".replace(
                "  ", " "))
        try:
            old = Workspace.load(chosen.path)
        except WorkspaceError as exc:
            raise InputError(f"{chosen.name}: the kept version does not open as a workspace ({exc}); "
                             "nothing was written") from None
        current = Workspace.load(p) if p.exists() else None
        log = current.imports if current is not None else old.imports
        entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "layer": "workspace",
                 "file": chosen.name, "sha256": "", "rows_read": 0, "rows_imported": 0, "rows_rejected": 0,
                 "warnings": 0, "mode": "restore", "source": by or "restore"}
        restored = replace(old, imports=pd.concat([log, pd.DataFrame([entry], columns=IMPORT_COLUMNS)],
                                                  ignore_index=True), meta={**old.meta})
        kept = _keep_current(p, keep + 1)  # the file being replaced: the restore itself can be undone
        try:
            restored.save(p, replace_existing=True)
        except BaseException:
            if kept is not None:
                kept.unlink(missing_ok=True)
            raise
        for extra in list_versions(p)[max(keep, 1):]:
            extra.path.unlink(missing_ok=True)
        return Workspace.load(p)


__all__ = ["KEEP", "Version", "keeping_previous", "list_versions", "restore_version", "versions_dir"]
