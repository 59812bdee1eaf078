"""Schema migrations from empty, up and down, on SQLite and PostgreSQL; the SQLite settings."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import IntegrityError

from siting.tracker import Tracker, TrackerError, TrackerSettings, head_revision
from siting.tracker.db import DEFAULT_DB_PATH, make_engine, resolve_url
from siting.tracker.migrate import (
    DestructiveMigration,
    alembic_config,
    current_revision,
    downgrade,
    upgrade,
)
from siting.tracker.models import Base


def _script_head() -> str:
    """The newest revision in the migrations folder, read from Alembic's script directory."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


TABLES = {"users", "applicants", "people", "applications", "site_validations", "steps", "documents",
          "decisions", "licences", "audit", "signin_throttle"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("pg_server").create("siting_migrations")


def test_upgrade_and_downgrade_from_empty(empty_url, tmp_path):
    backups = tmp_path / "backups"
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) == head_revision() == _script_head()
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as conn:  # the migrations build exactly what the models describe
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
        with pytest.raises(DestructiveMigration):
            downgrade(engine, "base")
        assert downgrade(engine, "base", allow_destructive=True, backup_dir=backups).revision is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert upgrade(engine) == _script_head()
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_the_tracker_refuses_an_unmigrated_database(empty_url, workflow, tracker_rules, tracker_ws):
    with pytest.raises(TrackerError, match="run `siting tracker migrate`"):
        Tracker(TrackerSettings(url=empty_url), workflow=workflow, rules=tracker_rules, workspace=tracker_ws)


def test_database_constraints_back_the_library(db_url):
    engine = make_engine(db_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("INSERT INTO users (username, display_name, role, active, created_at, version) "
                              "VALUES ('x', 'x', 'superuser', true, CURRENT_TIMESTAMP, 1)"))
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO users (username, display_name, role, active, created_at, version) "
                              "VALUES ('x', 'x', 'applicant', true, CURRENT_TIMESTAMP, 1)"))
            uid = conn.execute(text("SELECT id FROM users WHERE username = 'x'")).scalar()
            conn.execute(text("INSERT INTO applicants (owner_id, kind, name, national_id, created_at, updated_at, "
                              f"version) VALUES ({uid}, 'natural', 'n', '0084575948', CURRENT_TIMESTAMP, "
                              "CURRENT_TIMESTAMP, 1)"))
            aid = conn.execute(text("SELECT id FROM applicants")).scalar()
        for site in ("200, 32", "59, NULL", "59, 95"):
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO applications (applicant_id, licence_type, request_type, status, round, site_lon, "
                    f"site_lat, map_not_found, created_at, updated_at, version) VALUES ({aid}, 'rural', 'new', 'draft', "
                    f"1, {site}, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"))
        with pytest.raises(IntegrityError), engine.begin() as conn:  # foreign keys are on (SQLite too)
            conn.execute(text("INSERT INTO people (applicant_id, role, full_name, national_id, education, "
                              "government_employee, on_board, signatory, military_exempt) VALUES "
                              "(99, 'applicant', 'x', '0084575948', 'bachelor', false, false, false, false)"))
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_with_immediate_write_transactions(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    engine = make_engine(url)
    upgrade(engine)
    begins = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cur, stmt, *a: begins.append(stmt) if stmt.startswith("BEGIN") else None)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    from siting.tracker.db import read_engine

    begins.clear()
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    with read_engine(engine).begin() as conn:
        conn.execute(text("SELECT 1"))
    assert begins == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]
    engine.dispose()


def test_database_url_resolution(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert resolve_url() == f"sqlite:///{DEFAULT_DB_PATH}" and str(DEFAULT_DB_PATH).endswith("data/tracker.db")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/tracker")
    assert resolve_url() == "postgresql+psycopg://u:p@db.example:5432/tracker"
    with pytest.raises(ValueError, match="only sqlite and postgresql"):
        resolve_url("mysql://x/y")
    with pytest.raises(ValueError, match="SQLite file"):
        make_engine("sqlite://")
