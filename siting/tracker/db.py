"""Database engines for the tracker: SQLite (embedded default) or PostgreSQL.

The URL is the argument, else ``$DATABASE_URL``, else SQLite at
``data/tracker.db`` in the project. PostgreSQL URLs written the usual way
(``postgres://``, ``postgresql://``) are given the psycopg 3 driver.

SQLite is opened so that concurrent writers never lose updates (see
FIELD-NOTES, "SQLite under concurrency"): the DB-API connection runs in
autocommit mode (``isolation_level = None``) so that SQLAlchemy's ``begin``
issues our own ``BEGIN IMMEDIATE``; a writer therefore takes the write lock
before it reads, and a second writer waits (busy timeout) instead of working
on a stale snapshot. Read-only work uses ``BEGIN DEFERRED`` (through
:func:`read_engine`), so readers never wait for each other in WAL mode.
``journal_mode=WAL``, ``synchronous=NORMAL`` (durable in WAL except for the
last transactions on power loss, never corrupt), ``foreign_keys=ON``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ..errors import InputError
from .errors import TrackerInputError

#: Relative to the working directory, like the workspace's default ``data/workspace.gpkg``.
DEFAULT_DB_PATH = Path("data") / "tracker.db"
BUSY_TIMEOUT_MS = 15_000


def resolve_url(url: str | None = None) -> str:
    """The database URL: ``url``, else ``$DATABASE_URL``, else ``sqlite:///data/tracker.db``."""
    raw = url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            raw = "postgresql+psycopg://" + raw[len(prefix):]
    try:
        parsed = make_url(raw)
    except Exception:
        raise TrackerInputError(f"database URL {raw!r} is not a valid URL",
                                f"نشانی پایگاه داده {raw!r} معتبر نیست") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise TrackerInputError(
            f"database URL {raw!r}: only sqlite and postgresql are supported",
            f"نشانی پایگاه داده {raw!r}: فقط sqlite و postgresql پشتیبانی می‌شود")
    return raw


def missing_sqlite_file(url: str | None = None) -> Path | None:
    """The SQLite file ``url`` names when it does not exist yet (opening it would create an empty
    database), else ``None`` (it exists, or the database is PostgreSQL).

    >>> missing_sqlite_file("sqlite:////nonexistent/folder/tracker.db")
    PosixPath('/nonexistent/folder/tracker.db')
    >>> missing_sqlite_file("postgresql+psycopg://u@localhost/db") is None
    True
    """
    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database).expanduser()
    return None if path.exists() else path


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (see :func:`resolve_url`), with the SQLite settings above.

    For a SQLite file the parent folder is created. ``kwargs`` go to
    :func:`sqlalchemy.create_engine`.
    """
    url = resolve_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise TrackerInputError(
                "the tracker needs a SQLite file, not an in-memory database",
                "ردیاب به یک پروندهٔ SQLite نیاز دارد، نه پایگاه دادهٔ درون حافظه")
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def read_engine(engine: Engine) -> Engine:
    """The same engine (same pool) starting read-only transactions without the write lock."""
    return engine.execution_options(sqlite_begin="DEFERRED") if is_sqlite(engine) else engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cur.close()


def _sqlite_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


# -- copies of a SQLite database (siting backup, and the backup before a destructive migration) ----


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL."""
    db = make_url(url).database
    if not db or db == ":memory:":
        raise InputError(f"{url}: not a SQLite file")
    return Path(db).expanduser()


def sqlite_online_backup(
    src_url: str | os.PathLike[str], dest_path: str | os.PathLike[str]
) -> Path:
    """Copy a SQLite database (a ``sqlite:///`` URL or a path) to ``dest_path`` with sqlite3's online
    backup API: consistent even while other connections write (WAL included). ``dest_path`` must not exist."""
    src = sqlite_path(str(src_url)) if str(src_url).startswith("sqlite:") else Path(src_url)
    dest = Path(dest_path)
    if not src.is_file():
        raise InputError(f"{src}: SQLite database not found")
    if dest.exists():
        raise InputError(f"{dest}: already exists; refusing to overwrite it")
    s = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        d = sqlite3.connect(dest)
        try:
            s.backup(d)
            d.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            d.close()
    finally:
        s.close()
    return dest


__all__ = ["DEFAULT_DB_PATH", "is_sqlite", "make_engine", "missing_sqlite_file", "read_engine", "resolve_url", "sqlite_online_backup",
           "sqlite_path"]
