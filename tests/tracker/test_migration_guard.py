"""Destructive migrations (below the current schema) refuse without --allow-destructive; with it a
backup is written first (SQLite online backup, PostgreSQL pg_dump) and restores the audit trail."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest
from sqlalchemy import inspect, text
from tracker_helpers import PASSWORD

from siting.cli.tracker import main
from siting.tracker import PasswordPolicy, Tracker, TrackerSettings
from siting.tracker.audit import verify_chain
from siting.tracker.db import make_engine
from siting.tracker.migrate import (
    DestructiveMigration,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)


def _fill(url, tmp_path, workflow, tracker_rules, tracker_ws) -> int:
    t = Tracker(
        TrackerSettings(
            url=url, files_dir=tmp_path / "files", password_policy=PasswordPolicy.fast()
        ),
        workflow=workflow,
        rules=tracker_rules,
        workspace=tracker_ws,
    )
    admin = t.bootstrap_admin("admin", PASSWORD)
    t.create_user(admin, "expert", PASSWORD, "expert")
    t.authenticate("expert", PASSWORD)
    t.close()
    return _audit_rows(url)


def _audit_rows(url) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM audit")).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def own_url(request, tmp_path):
    """A database of its own (a downgrade must not touch the session's shared one)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'guarded.db'}"
    else:
        url = request.getfixturevalue("pg_server").create("siting_guard")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def test_downgrade_refused_without_the_flag(
    own_url, tmp_path, workflow, tracker_rules, tracker_ws, capsys
):
    rows = _fill(own_url, tmp_path, workflow, tracker_rules, tracker_ws)
    engine = make_engine(own_url)
    try:
        with pytest.raises(DestructiveMigration, match="allow-destructive"):
            downgrade(engine, "base")
        with pytest.raises(DestructiveMigration):
            downgrade(engine, "0001")
    finally:
        engine.dispose()
    for revision in ("base", "0001", "-1"):
        assert main(["tracker", "migrate", "--database-url", own_url, "--revision", revision]) == 2
        err = capsys.readouterr().err
        assert "--allow-destructive" in err and "Traceback" not in err
    assert main(["tracker", "migrate", "--database-url", own_url, "--revision", "nonsense"]) == 2
    assert "unknown schema revision" in capsys.readouterr().err
    engine = make_engine(own_url)
    try:
        assert (
            current_revision(engine) == head_revision()
            and "audit" in inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()
    assert _audit_rows(own_url) == rows and not list(tmp_path.glob("*.backup-*"))


def test_downgrade_with_the_flag_backs_up_first_and_the_backup_restores(
    own_url, tmp_path, workflow, tracker_rules, tracker_ws, capsys, pg_server_if_needed
):
    rows = _fill(own_url, tmp_path, workflow, tracker_rules, tracker_ws)
    backups = tmp_path / "backups"
    assert (
        main(
            [
                "tracker",
                "migrate",
                "--database-url",
                own_url,
                "--revision",
                "base",
                "--allow-destructive",
                "--backup-dir",
                str(backups),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    line = next(
        x for x in out.splitlines() if x.startswith("backup written before the downgrade: ")
    )
    backup = backups / line.rsplit("/", 1)[1]
    assert backup.is_file() and backup.stat().st_size > 0
    engine = make_engine(own_url)
    try:
        assert current_revision(engine) is None and "audit" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if own_url.startswith("sqlite"):
        with sqlite3.connect(backup) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
        shutil.copy(backup, tmp_path / "restored.db")
    else:
        restored_url = pg_server_if_needed.create("siting_restored")
        libpq = restored_url.replace("postgresql+psycopg://", "postgresql://")
        done = subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={libpq}", str(backup)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    engine = make_engine(restored_url)
    try:
        assert current_revision(engine) == head_revision()
        report = verify_chain(engine)
        assert report.ok and report.rows == rows
    finally:
        engine.dispose()


@pytest.fixture()
def pg_server_if_needed(request, own_url):
    return request.getfixturevalue("pg_server") if own_url.startswith("postgresql") else None
