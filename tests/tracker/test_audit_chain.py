"""The audit trail's hash chain finds rewritten, deleted, inserted and back-dated rows on SQLite and
PostgreSQL, even when the append-only triggers were bypassed; INSERT OR REPLACE is refused on SQLite;
concurrent writers in separate processes keep one chain; ``siting tracker audit verify`` reports it."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from siting.tracker.audit import GENESIS, row_fields, row_hash, verify_chain
from siting.tracker.db import make_engine

N_PROCESSES, PER_PROCESS = 4, 25


def _tamper(url: str, *statements: tuple[str, dict]) -> None:
    """Run raw SQL on the audit table with its triggers out of the way (what an attacker with the
    database file, or a PostgreSQL superuser, can do)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                for trig in ("audit_no_update", "audit_no_delete", "audit_no_replace"):
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trig}")
            else:
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for sql, params in statements:
                conn.execute(text(sql), params)
    finally:
        engine.dispose()


def _rows(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT id, seq, prev_hash, row_hash, at FROM audit ORDER BY seq")
            ).all()
    finally:
        engine.dispose()


def _verify(url: str, key: bytes | None = None):
    engine = make_engine(url)
    try:
        return verify_chain(engine, key)
    finally:
        engine.dispose()


def _forged(seq: int, prev: str, at, key: bytes | None = None) -> tuple[str, dict]:
    """An audit row computed exactly as the tracker computes it (the algorithm is public)."""
    naive = at.replace(tzinfo=None) if getattr(at, "tzinfo", None) else at
    fields = row_fields(
        seq=seq,
        prev_hash=prev,
        at=naive,
        user_id=None,
        username="mallory",
        role="admin",
        action="licence_issued",
        entity="licence",
        entity_id=99,
        application_id=None,
        details={"forged": "yes"},
    )
    return (
        "INSERT INTO audit (at, user_id, username, role, action, entity, entity_id, application_id, details, "
        "seq, prev_hash, row_hash) VALUES (:at, NULL, 'mallory', 'admin', 'licence_issued', 'licence', 99, "
        "NULL, :details, :seq, :prev, :h)",
        {
            "at": naive,
            "details": '{"forged": "yes"}',
            "seq": seq,
            "prev": prev,
            "h": row_hash(fields, key),
        },
    )


def _at(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def test_an_untouched_chain_verifies(world, db_url):
    rows = _rows(db_url)
    assert len(rows) >= 5 and [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.row_hash for a, b in itertools.pairwise(rows))
    report = _verify(db_url)
    assert report.ok and report.rows == len(rows) and report.head_hash == rows[-1].row_hash


def test_a_rewritten_row_is_found(world, db_url):
    _tamper(db_url, ("UPDATE audit SET username = 'someone_else' WHERE seq = 2", {}))
    report = _verify(db_url)
    assert not report.ok and report.broken_seq == 2 and "rewritten" in report.reason


def test_a_deleted_row_is_found(world, db_url):
    _tamper(db_url, ("DELETE FROM audit WHERE seq = 3", {}))
    report = _verify(db_url)
    assert not report.ok and report.broken_seq == 3 and "deleted" in report.reason


def test_a_row_inserted_in_the_middle_is_found(world, db_url):
    rows = _rows(db_url)
    k = 3
    _tamper(
        db_url,
        ("UPDATE audit SET seq = seq + 1000000 WHERE seq >= :k", {"k": k}),
        ("UPDATE audit SET seq = seq - 999999 WHERE seq >= 1000000", {}),
        _forged(k, rows[k - 2].row_hash, _at(rows[k - 2].at)),
    )
    report = _verify(db_url)
    assert not report.ok and report.broken_seq == k + 1 and "prev_hash" in report.reason


def test_a_back_dated_row_is_found_even_with_a_correct_hash(world, db_url):
    rows = _rows(db_url)
    head = rows[-1]
    _tamper(db_url, _forged(head.seq + 1, head.row_hash, _at(head.at) - timedelta(days=30)))
    report = _verify(db_url)
    assert not report.ok and report.broken_seq == head.seq + 1 and "back-dated" in report.reason


def test_back_dated_appends_are_not_refused_by_triggers_but_found(world, db_url):
    # A plain INSERT (no trigger bypass) is allowed by the database; the chain still catches it.
    rows = _rows(db_url)
    head = rows[-1]
    sql, params = _forged(head.seq + 1, head.row_hash, _at(head.at) - timedelta(hours=1))
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(sql), params)
    engine.dispose()
    assert "back-dated" in _verify(db_url).reason


def test_with_a_key_a_recomputed_row_is_found(tracker, clock, db_url, monkeypatch):
    monkeypatch.setenv("SITING_AUDIT_KEY", "office secret kept off the database server")
    from tracker_helpers import make_world

    make_world(tracker, clock)
    key = b"office secret kept off the database server"
    assert _verify(db_url, key).ok
    assert not _verify(db_url, b"").ok  # without the key nobody can check it (or recompute it)
    head = _rows(db_url)[-1]
    # A superuser without the key appends a row hashed the public way: found.
    _tamper(db_url, _forged(head.seq + 1, head.row_hash, _at(head.at) + timedelta(seconds=1)))
    report = _verify(db_url, key)
    assert not report.ok and report.broken_seq == head.seq + 1 and "rewritten" in report.reason


def test_insert_or_replace_is_refused(world, db_url):
    before = _rows(db_url)
    engine = make_engine(db_url)
    try:
        if engine.dialect.name == "postgresql":  # PostgreSQL's upsert runs the UPDATE trigger
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO audit (id, at, username, role, action, entity, details, seq, prev_hash, row_hash) "
                        "SELECT id, at, 'x', role, action, entity, details, seq, prev_hash, row_hash FROM audit "
                        "WHERE seq = 2 ON CONFLICT (id) DO UPDATE SET username = 'x'"
                    )
                )
            assert _rows(db_url) == before and _verify(db_url).ok
            return
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT OR REPLACE INTO audit (id, at, user_id, username, role, action, entity, entity_id, "
                    "application_id, details, seq, prev_hash, row_hash) VALUES (:id, :at, NULL, 'x', 'admin', 'x', "
                    "'x', NULL, NULL, '{}', :seq, :prev, :h)"
                ),
                {
                    "id": before[1].id,
                    "at": _at(before[1].at),
                    "seq": before[1].seq,
                    "prev": before[1].prev_hash,
                    "h": before[1].row_hash,
                },
            )
        with (
            pytest.raises(DatabaseError, match="append-only"),
            engine.begin() as conn,
        ):  # REPLACE on seq
            conn.execute(
                text(
                    "REPLACE INTO audit (at, user_id, username, role, action, entity, entity_id, application_id, "
                    "details, seq, prev_hash, row_hash) VALUES (:at, NULL, 'x', 'admin', 'x', 'x', NULL, NULL, '{}', "
                    ":seq, 'p', 'h')"
                ),
                {"at": _at(before[1].at), "seq": before[1].seq},
            )
    finally:
        engine.dispose()
    assert _rows(db_url) == before and _verify(db_url).ok


def test_update_and_delete_still_refused_by_triggers(world, db_url):
    engine = make_engine(db_url)
    try:
        for sql in (
            "UPDATE audit SET username = 'x' WHERE seq = 1",
            "DELETE FROM audit WHERE seq = 1",
        ):
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
                conn.execute(text(sql))
    finally:
        engine.dispose()
    assert _verify(db_url).ok


CHILD = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime
    from sqlalchemy.orm import Session
    from siting.tracker import models as m
    from siting.tracker.audit import chain
    from siting.tracker.db import make_engine

    url, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = make_engine(url)
    for i in range(n):
        with Session(engine) as s, s.begin():
            chain(s, m.AuditEntry(at=datetime.now(UTC), user_id=None, username=who, role="admin",
                                  action="test", entity="test", entity_id=i, application_id=None,
                                  details={"i": i}))
    engine.dispose()
""")


def test_concurrent_appends_from_processes_keep_one_chain(world, db_url):
    before = len(_rows(db_url))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, db_url, f"p{k}", str(PER_PROCESS)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(N_PROCESSES)
    ]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    rows = _rows(db_url)
    assert len(rows) == before + N_PROCESSES * PER_PROCESS
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    report = _verify(db_url)
    assert report.ok and report.rows == len(rows)


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "siting.cli.tracker", "tracker", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_cli_audit_verify(world, db_url):
    rows = _rows(db_url)
    ok = _cli("audit", "verify", "--database-url", db_url)
    assert ok.returncode == 0, ok.stderr
    assert f"OK: {len(rows)} audit row(s), head {rows[-1].row_hash}" in ok.stdout
    anchored = _cli("audit", "verify", "--database-url", db_url, "--anchor", rows[-1].row_hash)
    assert anchored.returncode == 0
    _tamper(
        db_url, ("DELETE FROM audit WHERE seq = :s", {"s": rows[-1].seq})
    )  # the tail: only the anchor sees it
    assert _cli("audit", "verify", "--database-url", db_url).returncode == 0
    lost = _cli("audit", "verify", "--database-url", db_url, "--anchor", rows[-1].row_hash)
    assert lost.returncode == 2 and "anchor" in lost.stderr and "Traceback" not in lost.stderr
    _tamper(db_url, ("UPDATE audit SET action = 'nothing' WHERE seq = 4", {}))
    bad = _cli("audit", "verify", "--database-url", db_url)
    assert bad.returncode == 2 and "BROKEN at seq 4" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_audit_verify_bad_url_is_not_a_traceback():
    bad = _cli("audit", "verify", "--database-url", "mysql://x/y")
    assert (
        bad.returncode == 2
        and "only sqlite and postgresql" in bad.stderr
        and "Traceback" not in bad.stderr
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_schema_url(request, tmp_path):
    """A database of its own at the schema before the chain (0001), with audit rows written then."""
    from siting.tracker.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("pg_server").create("siting_chain_migration")
    engine = make_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        for i, at in enumerate(
            ("2026-11-01 08:00:00", "2026-11-02 09:30:00", "2026-11-03 10:00:00")
        ):
            conn.execute(
                text(
                    "INSERT INTO audit (at, user_id, username, role, action, entity, entity_id, application_id, details) "
                    "VALUES (:at, 1, 'admin', 'admin', 'user_created', 'user', :i, NULL, :d)"
                ),
                {
                    "at": datetime.fromisoformat(at),
                    "i": i,
                    "d": json.dumps({"n": str(i), "name": "زهرا"}),
                },
            )
    engine.dispose()
    return url


def test_the_migration_chains_existing_rows(old_schema_url):
    from siting.tracker.migrate import head_revision, upgrade

    engine = make_engine(old_schema_url)
    try:
        assert upgrade(engine) == head_revision()
    finally:
        engine.dispose()
    rows = _rows(old_schema_url)
    assert [r.seq for r in rows] == [1, 2, 3] and [r.id for r in rows] == sorted(r.id for r in rows)
    report = _verify(old_schema_url)
    assert report.ok and report.rows == 3 and report.head_hash == rows[-1].row_hash
    _tamper(
        old_schema_url,
        ("UPDATE audit SET details = :d WHERE seq = 1", {"d": json.dumps({"n": "9"})}),
    )
    assert _verify(old_schema_url).broken_seq == 1


def test_cli_audit_verify_on_an_unmigrated_database_is_not_a_traceback(tmp_path):
    from siting.tracker.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0001")
    engine.dispose()
    bad = _cli("audit", "verify", "--database-url", url)
    assert (
        bad.returncode == 2
        and "siting tracker migrate" in bad.stderr
        and "Traceback" not in bad.stderr
    )
