"""One writer at a time for a workspace file: a lock that works across processes, and its stamp.

Every write of a workspace (``siting init``, ``siting import``, the dashboard's
Data page) holds :func:`workspace_lock` on a sibling lock file
(``.workspace.gpkg.lock`` beside ``workspace.gpkg``): an exclusive
``fcntl.flock`` that the kernel releases when the process ends, even by
``kill -9``. The lock is re-entrant within a process (a read-modify-write
that holds it may call :meth:`~siting.workspace.Workspace.save`, which takes
it again) and serialises threads of one process too (a Streamlit server).

The workspace stores a :class:`Stamp` in its ``siting_metadata`` table: a
generation number raised by one on every save, and a random write id. A save
checks under the lock that the file on disk still carries the stamp the
workspace was loaded with; otherwise someone else wrote in between, and the
save is refused (:class:`StaleWorkspaceError`) instead of overwriting their
change.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from siting.errors import WorkspaceError

#: Seconds a writer waits for another writer before giving up (``$SITING_WORKSPACE_LOCK_TIMEOUT``).
DEFAULT_TIMEOUT = 120.0


class StaleWorkspaceError(WorkspaceError):
    """The workspace on disk changed since it was read: saving would overwrite someone else's change."""


@dataclass(frozen=True)
class Stamp:
    """Which write of a workspace file this is: generation (1, 2, ...) and the writer's random id."""

    generation: int
    write_id: str | None

    def describe(self) -> str:
        return f"generation {self.generation}"


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file of a workspace: ``.<name>.lock`` in the same folder."""
    p = Path(path)
    return p.with_name(f".{p.name}.lock")


def temp_pattern(path: str | os.PathLike[str]) -> str:
    """Glob of the temporary files a save writes beside the workspace (``.<name>.*.tmp.gpkg*``)."""
    return f".{Path(path).name}.*.tmp.gpkg*"


class _Held:
    def __init__(self) -> None:
        self.rlock = threading.RLock()
        self.count = 0
        self.fd: int | None = None


_HELD: dict[str, _Held] = {}
_HELD_GUARD = threading.Lock()


def _timeout() -> float:
    try:
        return float(os.environ.get("SITING_WORKSPACE_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


@contextmanager
def workspace_lock(path: str | os.PathLike[str], timeout: float | None = None) -> Iterator[Path]:
    """Hold the write lock of the workspace at ``path`` (waits up to ``timeout`` seconds).

    Raises :class:`~siting.errors.WorkspaceError` when the folder is missing or
    another writer holds the lock for longer than ``timeout``.
    """
    p = Path(path).absolute()
    folder = p.parent
    if not folder.is_dir():
        raise WorkspaceError(
            f"{p}: folder {folder} does not exist; create it first (nothing was written)"
        )
    key = str(p)
    with _HELD_GUARD:
        held = _HELD.setdefault(key, _Held())
    limit = _timeout() if timeout is None else timeout
    deadline = time.monotonic() + limit
    if not held.rlock.acquire(timeout=max(limit, 0.0)):
        raise WorkspaceError(
            f"{p}: another writer in this process holds the workspace for over {limit:.0f} s"
        )
    try:
        if held.count == 0:
            lp = lock_path(p)
            try:
                fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise WorkspaceError(
                    f"{p}: cannot open the lock file {lp} ({exc.strerror})"
                ) from None
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise WorkspaceError(
                                f"{p}: another program is writing this workspace (lock {lp} held for over "
                                f"{limit:.0f} s); try again when it has finished"
                            ) from None
                        time.sleep(0.05)
            except BaseException:
                os.close(fd)
                raise
            held.fd = fd
        held.count += 1
        try:
            yield p
        finally:
            held.count -= 1
            if held.count == 0 and held.fd is not None:
                fcntl.flock(held.fd, fcntl.LOCK_UN)
                os.close(held.fd)
                held.fd = None
    finally:
        held.rlock.release()


def read_stamp(path: str | os.PathLike[str]) -> Stamp | None:
    """The stamp stored in the workspace file, ``None`` if there is no file.

    A workspace written before stamps existed reads as generation 0.
    """
    p = Path(path)
    if not p.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        try:
            rows = dict(
                con.execute(
                    "SELECT key, value FROM siting_metadata WHERE key IN ('generation', 'write_id')"
                ).fetchall()
            )
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise WorkspaceError(f"{p}: not a siting workspace ({exc})") from None
    return stamp_of({k: json.loads(v) for k, v in rows.items() if v is not None})


def stamp_of(meta: dict) -> Stamp:
    gen = meta.get("generation")
    try:
        gen = int(gen) if gen is not None else 0
    except (TypeError, ValueError):
        gen = 0
    wid = meta.get("write_id")
    return Stamp(gen, str(wid) if wid else None)


def clean_temp_files(path: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files a killed save left beside the workspace; call only under the lock."""
    p = Path(path)
    removed = []
    for leftover in p.parent.glob(temp_pattern(p)):
        try:
            leftover.unlink()
            removed.append(leftover)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise WorkspaceError(
                f"{p}: cannot remove the leftover temporary file {leftover} ({exc.strerror})"
            ) from None
    return removed


__all__ = [
    "DEFAULT_TIMEOUT",
    "StaleWorkspaceError",
    "Stamp",
    "clean_temp_files",
    "lock_path",
    "read_stamp",
    "stamp_of",
    "temp_pattern",
    "workspace_lock",
]
