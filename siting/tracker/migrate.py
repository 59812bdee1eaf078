"""Schema migrations of the tracker (Alembic, shipped inside the package).

>>> from siting.tracker.db import make_engine
>>> engine = make_engine("sqlite:////tmp/example-tracker.db")   # doctest: +SKIP
>>> upgrade(engine)                                             # doctest: +SKIP

No ``alembic.ini`` is needed: :func:`alembic_config` points Alembic at this
package's ``migrations`` folder and hands it the engine's connection.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from .db import sqlite_online_backup
from .errors import TrackerError, TrackerInputError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for this package's migrations (``url`` only for offline SQL)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision shipped with the package."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database to ``revision`` (default: the newest); returns the revision reached."""
    _run(engine, command.upgrade, revision)
    return current_revision(engine)


class DestructiveMigration(TrackerInputError):
    """A downgrade below the current schema was asked for without ``allow_destructive``."""


@dataclass(frozen=True)
class Downgrade:
    """What :func:`downgrade` did: the revision reached and where the backup taken first is."""

    revision: str | None
    backup: Path | None


def is_downgrade(engine: Engine, revision: str) -> bool:
    """True if moving to ``revision`` goes below the database's current schema (drops something)."""
    have = current_revision(engine)
    if have is None:
        return False
    if revision == "base" or revision.startswith("-"):
        return True
    script = ScriptDirectory.from_config(alembic_config())
    try:
        target = script.get_revision(revision)
    except CommandError as exc:
        raise TrackerInputError(f"unknown schema revision {revision!r}: {exc}",
                                f"نسخهٔ طرح‌وارهٔ {revision!r} شناخته نیست") from None
    if target is None or target.revision == have:
        return False
    below = {r.revision for r in script.iterate_revisions(have, "base")}
    return target.revision in below


def downgrade(engine: Engine, revision: str = "base", *, allow_destructive: bool = False,
              backup_dir: str | os.PathLike[str] | None = None) -> Downgrade:
    """Downgrade the database to ``revision`` (``base`` removes every tracker table, audit included).

    Refused (:class:`DestructiveMigration`) unless ``allow_destructive``; then
    a full backup (:func:`backup_database`) is written first, and the
    downgrade does not run if the backup fails.
    """
    if not allow_destructive:
        raise DestructiveMigration(
            f"moving the schema from {current_revision(engine)} down to {revision} drops tables or columns "
            "(the audit trail included); pass --allow-destructive to do it (a backup is written first)",
            f"پایین بردن نسخهٔ طرح‌واره به {revision} جدول‌ها یا ستون‌ها (از جمله ردپای ممیزی) را حذف می‌کند؛ "
            "برای انجام آن --allow-destructive را بدهید (نخست پشتیبان گرفته می‌شود)")
    backup = backup_database(engine, backup_dir) if current_revision(engine) is not None else None
    _run(engine, command.downgrade, revision)
    return Downgrade(current_revision(engine), backup)


def backup_database(engine: Engine, directory: str | os.PathLike[str] | None = None) -> Path:
    """A full copy of the database in a timestamped file; returns its path.

    SQLite: the online backup API (consistent while others write), beside the
    database file unless ``directory`` is given. PostgreSQL: ``pg_dump
    --format=custom`` (restore with ``pg_restore``) into ``directory``, default
    ``data/backups``.
    """
    url = make_url(engine.url)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    rev = current_revision(engine) or "empty"
    if url.get_backend_name() == "sqlite":
        src_path = Path(url.database or "").expanduser()
        folder = Path(directory) if directory else src_path.parent
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / f"{src_path.name}.backup-{stamp}-rev{rev}.db"
        sqlite_online_backup(src_path, dest)
        return dest
    folder = Path(directory) if directory else Path("data") / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{url.database}.backup-{stamp}-rev{rev}.dump"
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise TrackerError("pg_dump is not installed: cannot back the database up before the downgrade",
                           "pg_dump نصب نیست: پیش از پایین بردن نسخه نمی‌توان پشتیبان گرفت")
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run([pg_dump, "--format=custom", f"--file={dest}", f"--dbname={libpq}"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        dest.unlink(missing_ok=True)
        raise TrackerError(f"pg_dump failed, nothing was changed: {done.stderr.strip()}",
                           "pg_dump ناموفق بود و چیزی تغییر نکرد")
    return dest


def _run(engine: Engine, fn, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        fn(cfg, revision)


__all__ = [
    "MIGRATIONS_DIR",
    "DestructiveMigration",
    "Downgrade",
    "alembic_config",
    "backup_database",
    "current_revision",
    "downgrade",
    "head_revision",
    "is_downgrade",
    "upgrade",
]
