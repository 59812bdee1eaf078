"""Concurrent writers in separate PROCESSES (issue 9, item 10), on SQLite and PostgreSQL.

An update without an expected version succeeds under contention (PostgreSQL: the application row is
locked, a lost race is run again); a versioned update is still refused when stale; no update is ever
lost. The workers are those of ``benchmarks/bench_tracker_contention.py``, small.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from siting.tracker import ConflictError, PasswordPolicy, Tracker, TrackerSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_tracker_contention as bench

WRITERS, UPDATES = 4, 25


@pytest.fixture()
def prepared(db_url, tmp_path):
    files = tmp_path / "files"
    return db_url, str(files), bench.prepare(db_url, files, WRITERS)


def test_unversioned_updates_of_one_application_all_succeed_and_none_is_lost(prepared):
    url, files, ids = prepared
    r = bench.run(url, files, ids, WRITERS, UPDATES, one=True, versioned=False)
    assert (r["ok"], r["refused"], r["lost_updates"]) == (WRITERS * UPDATES, 0, 0)
    assert r["applied"] == WRITERS * UPDATES


def test_unversioned_updates_of_different_applications_all_succeed(prepared):
    url, files, ids = prepared
    r = bench.run(url, files, ids, WRITERS, UPDATES, one=False, versioned=False)
    assert (r["ok"], r["refused"], r["lost_updates"]) == (WRITERS * UPDATES, 0, 0)
    after = bench.versions(url, ids)
    assert (
        sorted(after.values()) == [1 + UPDATES] * WRITERS
    )  # each application got its own writer's updates


def test_versioned_updates_under_contention_are_refused_when_stale_never_lost(prepared):
    url, files, ids = prepared
    r = bench.run(url, files, ids, WRITERS, UPDATES, one=True, versioned=True)
    assert r["ok"] + r["refused"] == WRITERS * UPDATES
    assert r["lost_updates"] == 0 and r["applied"] == r["ok"] >= UPDATES


def test_a_stale_versioned_update_is_refused(prepared):
    url, files, ids = prepared
    t = Tracker(TrackerSettings(url=url, files_dir=files, password_policy=PasswordPolicy.fast()))
    try:
        who = t.authenticate("writer", bench.PASSWORD)
        seen = t.get_application(who, ids[0]).application.version
        t.update_site(who, ids[0], bench.SITE)  # someone saves without a version: it goes through
        with pytest.raises(ConflictError, match="changed by someone else"):
            t.update_site(who, ids[0], bench.SITE, expected_version=seen)
        assert t.get_application(who, ids[0]).application.version == seen + 1
    finally:
        t.close()
