"""Schema migrations of the tracker (Alembic, shipped inside the package).

>>> from siting.tracker.db import make_engine
>>> engine = make_engine("sqlite:////tmp/example-tracker.db")   # doctest: +SKIP
>>> upgrade(engine)                                             # doctest: +SKIP

No ``alembic.ini`` is needed: :func:`alembic_config` points Alembic at this
package's ``migrations`` folder and hands it the engine's connection.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

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


def downgrade(engine: Engine, revision: str = "base") -> str | None:
    """Downgrade the database to ``revision`` (``base`` removes every tracker table)."""
    _run(engine, command.downgrade, revision)
    return current_revision(engine)


def _run(engine: Engine, fn, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        fn(cfg, revision)


__all__ = ["MIGRATIONS_DIR", "alembic_config", "current_revision", "downgrade", "head_revision", "upgrade"]
