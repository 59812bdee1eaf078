"""Backup and restore of a directorate's data: the workspace, the tracker database and its uploaded files.

:func:`create_backup` writes one ``.tar.gz`` archive::

    manifest.json         what is inside: every member's size and sha256, the database kind
    workspace.gpkg        the workspace, copied under its write lock (siting.wslock)
    tracker.db            SQLite: an online backup (sqlite3's backup API; consistent while in use)
    tracker.sql           PostgreSQL: a plain ``pg_dump`` (no owners, no privileges)
    uploads/...           the tracker's stored files, as the FileStore keeps them

:func:`verify_backup` checks that every member is a plain file or folder with a
safe relative name (no absolute path, no ``..``, no link or device), that the
members are exactly those the manifest lists, and that each one's size and
sha256 match. :func:`restore_backup` verifies first, then extracts into a new
folder (never over existing files), checks the hashes again on disk, opens the
workspace and the SQLite database, and with ``pg_url`` loads the dump into an
empty PostgreSQL database.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from siting.errors import InputError, SitingError
from siting.tracker.db import sqlite_online_backup

FORMAT = "siting-backup/1"
MANIFEST = "manifest.json"


class BackupError(SitingError, ValueError):
    """An archive that is not a sound backup, or a backup/restore that cannot be done."""


@dataclass
class BackupReport:
    archive: str
    database: str | None = None
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    restored_to: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "archive": self.archive,
            "database": self.database,
            "members": self.members,
            "restored_to": self.restored_to,
            "notes": self.notes,
        }


def _libpq_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url).set(drivername="postgresql")
    return u.render_as_string(hide_password=False)


def _run(cmd: list[str], what: str) -> None:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{cmd[0]} is not installed; it is needed to {what}") from None
    if p.returncode != 0:
        raise BackupError(f"{what} failed: {cmd[0]}: {(p.stderr or p.stdout).strip()[:500]}")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            continue  # never follow a link out of the upload folder
        if p.is_file() and not p.name.endswith(".part"):
            yield p


# -- backup ----------------------------------------------------------------------------------------


def create_backup(
    out: str | os.PathLike[str],
    *,
    workspace: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    files_dir: str | os.PathLike[str] | None = None,
) -> BackupReport:
    """Write the workspace, the tracker database and the uploaded files to the archive ``out``.

    ``workspace``: default ``$SITING_WORKSPACE`` / data/workspace.gpkg; ``db_url``: default
    ``$DATABASE_URL`` / data/tracker.db; ``files_dir``: default ``$SITING_TRACKER_FILES`` /
    data/uploads. Refuses to overwrite ``out`` or to create its folder.
    """
    from siting.tracker.db import resolve_url
    from siting.tracker.documents import DEFAULT_FILES_DIR
    from siting.workspace import resolve_path
    from siting.wslock import workspace_lock

    out = Path(out)
    if out.exists():
        raise InputError(f"{out}: already exists; refusing to overwrite it")
    if not out.parent.is_dir():
        raise InputError(
            f"{out}: folder {out.parent} does not exist; create it first (nothing was written)"
        )
    wpath = resolve_path(workspace)
    if not wpath.is_file():
        raise InputError(f"{wpath}: workspace not found")
    url = resolve_url(db_url)
    files = Path(files_dir or os.environ.get("SITING_TRACKER_FILES") or DEFAULT_FILES_DIR)
    report = BackupReport(str(out))
    with tempfile.TemporaryDirectory(prefix=".siting-backup-", dir=out.parent) as tmp:
        stage = Path(tmp)
        with workspace_lock(wpath):
            shutil.copyfile(wpath, stage / "workspace.gpkg")
        if url.startswith("sqlite"):
            report.database = "sqlite"
            sqlite_online_backup(url, stage / "tracker.db")
            db_member = "tracker.db"
        else:
            report.database = "postgresql"
            _run(
                [
                    "pg_dump",
                    "--no-owner",
                    "--no-privileges",
                    "--format=plain",
                    "--file",
                    str(stage / "tracker.sql"),
                    _libpq_url(url),
                ],
                "back up the PostgreSQL database (pg_dump)",
            )
            db_member = "tracker.sql"
        members: list[tuple[str, Path]] = [
            ("workspace.gpkg", stage / "workspace.gpkg"),
            (db_member, stage / db_member),
        ]
        if files.is_dir():
            members += [
                ("uploads/" + p.relative_to(files).as_posix(), p) for p in _files_under(files)
            ]
        else:
            report.notes.append(f"no uploaded-files folder at {files}")
        for name, p in members:
            report.members[name] = {"size": p.stat().st_size, "sha256": _sha256(p)}
        manifest = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": report.database,
            "members": report.members,
        }
        part = out.with_name(f".{out.name}.part")
        try:
            with tarfile.open(part, "w:gz") as tar:
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = (
                    len(data),
                    0o600,
                    int(datetime.now(UTC).timestamp()),
                )
                tar.addfile(info, io.BytesIO(data))
                for name, p in members:
                    info = tar.gettarinfo(str(p), arcname=name)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    info.mode = 0o600
                    with open(p, "rb") as fh:
                        tar.addfile(info, fh)
            os.chmod(part, 0o600)
            os.replace(part, out)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    return report


# -- verify ----------------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return (
        bool(name)
        and not p.is_absolute()
        and ".." not in p.parts
        and "\\" not in name
        and "\x00" not in name
    )


def _open(archive: Path) -> tarfile.TarFile:
    if not archive.is_file():
        raise InputError(f"{archive}: backup archive not found")
    try:
        return tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive}: not a backup archive (a .tar.gz): {exc}") from None


def verify_backup(archive: str | os.PathLike[str]) -> BackupReport:
    """Check the archive against its manifest; raises :class:`BackupError` naming the first problem."""
    archive = Path(archive)
    with _open(archive) as tar:
        try:
            infos = tar.getmembers()
            manifest, seen = None, {}
            for info in infos:
                if not _safe_name(info.name):
                    raise BackupError(
                        f"{archive}: unsafe member name {info.name!r} (absolute or outside the archive)"
                    )
                if not (info.isfile() or info.isdir()):
                    raise BackupError(
                        f"{archive}: member {info.name!r} is a link or special file; refused"
                    )
                if info.isdir():
                    continue
                if info.name in seen or (info.name == MANIFEST and manifest is not None):
                    raise BackupError(f"{archive}: member {info.name!r} appears twice")
                fh = tar.extractfile(info)
                assert fh is not None
                if info.name == MANIFEST:
                    try:
                        manifest = json.loads(fh.read(1 << 22))
                    except ValueError:
                        raise BackupError(f"{archive}: {MANIFEST} is not JSON") from None
                    continue
                h = hashlib.sha256()
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
                seen[info.name] = {"size": info.size, "sha256": h.hexdigest()}
        except (tarfile.TarError, OSError, EOFError, zlib_error()) as exc:
            raise BackupError(f"{archive}: the archive is damaged ({exc})") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("members"), dict)
    ):
        raise BackupError(f"{archive}: no valid {MANIFEST} (format {FORMAT})")
    listed = manifest["members"]
    for name in listed:
        if name not in seen:
            raise BackupError(
                f"{archive}: {name} is listed in the manifest but missing from the archive"
            )
    for name, got in seen.items():
        want = listed.get(name)
        if want is None:
            raise BackupError(f"{archive}: {name} is in the archive but not in the manifest")
        if want.get("sha256") != got["sha256"] or want.get("size") != got["size"]:
            raise BackupError(
                f"{archive}: {name} does not match the manifest (sha256 or size differ): "
                "the archive was changed or damaged"
            )
    for needed in ("workspace.gpkg",):
        if needed not in listed:
            raise BackupError(f"{archive}: no {needed} in the backup")
    report = BackupReport(str(archive), manifest.get("database"), dict(listed))
    return report


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


# -- restore ---------------------------------------------------------------------------------------


def restore_backup(
    archive: str | os.PathLike[str], to: str | os.PathLike[str], *, pg_url: str | None = None
) -> BackupReport:
    """Verify ``archive`` and extract it into the new folder ``to`` (refused if it exists and is not
    empty); the restored files are checked again. With ``pg_url``, the PostgreSQL dump is loaded into
    that database, which must be empty."""
    from siting.workspace import Workspace

    archive, dest = Path(archive), Path(to)
    report = verify_backup(archive)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(
            f"{dest}: exists and is not an empty folder; refusing to overwrite anything"
        )
    if not dest.parent.is_dir():
        raise InputError(
            f"{dest}: folder {dest.parent} does not exist; create it first (nothing was written)"
        )
    if pg_url and report.database != "postgresql":
        raise InputError(
            f"{archive}: holds a {report.database} database, not a PostgreSQL dump; drop --pg-url"
        )
    dest.mkdir(exist_ok=True, mode=0o700)
    root = dest.resolve()
    with _open(archive) as tar:
        for info in tar.getmembers():
            if info.isdir() or info.name == MANIFEST:
                continue
            target = (root / info.name).resolve()
            if root not in target.parents:
                raise BackupError(
                    f"{archive}: member {info.name!r} would be written outside {dest}"
                )
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            src = tar.extractfile(info)
            assert src is not None
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(src, out)
    for name, want in report.members.items():
        if _sha256(root / name) != want["sha256"]:
            raise BackupError(f"{dest / name}: restored file does not match the manifest")
    Workspace.load(root / "workspace.gpkg")  # raises WorkspaceError if it does not open
    if report.database == "sqlite":
        con = sqlite3.connect(root / "tracker.db")
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
        if ok != "ok":
            raise BackupError(f"{dest / 'tracker.db'}: integrity check failed ({ok})")
    if pg_url:
        from sqlalchemy import create_engine, inspect

        from siting.tracker.db import resolve_url

        url = resolve_url(pg_url)
        engine = create_engine(url)
        try:
            tables = inspect(engine).get_table_names()
        finally:
            engine.dispose()
        if tables:
            raise InputError(
                f"{pg_url}: the database is not empty ({len(tables)} tables); restore into a new one"
            )
        _run(
            [
                "psql",
                "--quiet",
                "--no-psqlrc",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "--file",
                str(root / "tracker.sql"),
                _libpq_url(url),
            ],
            "load the PostgreSQL dump (psql)",
        )
        report.notes.append(f"database loaded into {make_safe(url)}")
    report.restored_to = str(dest)
    return report


def make_safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


__all__ = [
    "BackupError",
    "BackupReport",
    "create_backup",
    "restore_backup",
    "sqlite_online_backup",
    "verify_backup",
]
