"""Optimistic locking (two people saving the same application) and atomic changes (a crash in the
middle of a change leaves the database as it was), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import event
from tracker_helpers import (
    RURAL_SITE,
    SiteInput,
    do_step,
    good_file,
    natural_applicant,
    run_ready_steps,
    snapshot,
    version,
)

from siting.tracker import ConflictError

SITE_A = SiteInput(lon=59.52, lat=32.72, address="روستای مود، کوچهٔ الف")
SITE_B = SiteInput(lon=59.52, lat=32.71, address="روستای مود، کوچهٔ ب")


def draft(w, seed=70):
    a = w.t.create_applicant(w.alice, natural_applicant(seed))
    return w.t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)


def test_the_second_save_of_a_stale_page_is_refused(world):
    t = world.t
    app = draft(world)
    # the applicant and the expert open the same application (same version) ...
    seen_by_alice = t.get_application(world.alice, app.id).application.version
    seen_by_expert = t.get_application(world.expert, app.id).application.version
    assert seen_by_alice == seen_by_expert
    # ... the applicant saves first
    t.update_site(world.alice, app.id, SITE_A, expected_version=seen_by_alice)
    before = snapshot(t)
    with pytest.raises(ConflictError) as info:
        t.update_site(world.expert, app.id, SITE_B, expected_version=seen_by_expert)
    assert "changed by someone else" in info.value.message_en and "تغییر کرده است" in info.value.message_fa
    assert snapshot(t) == before  # never silently lost, never half-saved
    detail = t.get_application(world.expert, app.id)
    assert detail.application.site.address == SITE_A.address
    # after reloading, the expert's save goes through
    t.update_site(world.expert, app.id, SITE_B, expected_version=detail.application.version)
    assert t.get_application(world.alice, app.id).application.site.address == SITE_B.address


def test_two_sessions_racing_on_the_database(world):
    """Both saves pass the version check at the same moment; the database lets only one win.

    The first writer is held just before its UPDATE until the second has finished (or has waited
    half a second: on SQLite the second cannot even start while the first holds the write lock).
    """
    t = world.t
    app = draft(world, 71)
    v = t.get_application(world.alice, app.id).application.version
    hold, second_done = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def pause_first_update(conn, cursor, statement, params, context, executemany):
        if statement.startswith("UPDATE applications") and threading.current_thread().name == "first":
            hold.set()
            second_done.wait(0.5)

    event.listen(t.engine, "before_cursor_execute", pause_first_update)

    def run(name, site):
        try:
            results[name] = t.update_site(world.alice, app.id, site, expected_version=v)
        except ConflictError as exc:
            results[name] = exc
        finally:
            if name == "second":
                second_done.set()

    first = threading.Thread(target=run, args=("first", SITE_A), name="first")
    first.start()
    assert hold.wait(10)
    second = threading.Thread(target=run, args=("second", SITE_B), name="second")
    second.start()
    first.join(20)
    second.join(20)
    event.remove(t.engine, "before_cursor_execute", pause_first_update)
    outcomes = Counter(type(r).__name__ for r in results.values())
    assert outcomes == Counter({"ApplicationView": 1, "ConflictError": 1}), results
    winner = next(r for r in results.values() if not isinstance(r, ConflictError))
    final = t.get_application(world.alice, app.id).application
    assert final.version == v + 1 == winner.version
    assert final.site.address == winner.site.address
    changes = [e for e in t.audit_trail(world.alice, app.id) if e.action == "site_changed"]
    assert len(changes) == 1


def test_no_update_is_ever_lost_under_concurrent_saves(world):
    t = world.t
    app = draft(world, 72)
    start = t.get_application(world.alice, app.id).application.version
    tally = Counter()
    lock = threading.Lock()

    def worker(i):
        for k in range(6):
            try:
                v = t.get_application(world.alice, app.id).application.version
                site = SiteInput(lon=59.52, lat=32.72, address=f"worker {i} try {k}")
                t.update_site(world.alice, app.id, site, expected_version=v)
                outcome = "saved"
            except ConflictError:
                outcome = "refused"
            with lock:
                tally[outcome] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert tally["saved"] + tally["refused"] == 24 and tally["saved"] >= 1
    final = t.get_application(world.alice, app.id).application
    assert final.version == start + tally["saved"]  # every saved change is there
    saved = [e for e in t.audit_trail(world.alice, app.id) if e.action == "site_changed"]
    assert len(saved) == tally["saved"] and saved[-1].details["after"]["address"] == final.site.address


class PowerCut(RuntimeError):
    pass


def crash_after_first_write(engine):
    """Fail the transaction right after its first INSERT/UPDATE/DELETE has been executed."""
    state = {"writes": 0}

    def after(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE"):
            state["writes"] += 1
            raise PowerCut(f"simulated crash after: {statement[:60]}")

    event.listen(engine, "after_cursor_execute", after)
    return lambda: event.remove(engine, "after_cursor_execute", after)


def crashes_cleanly(w, tmp_path, op):
    before, files = snapshot(w.t), sorted((tmp_path / "files").glob("*/*"))
    undo = crash_after_first_write(w.t.engine)
    try:
        with pytest.raises(PowerCut):
            op()
    finally:
        undo()
    assert snapshot(w.t) == before
    assert sorted((tmp_path / "files").glob("*/*")) == files
    return op()  # the same change, without the crash, goes through


def test_a_crash_in_the_middle_of_a_change_leaves_the_database_as_before(world, tmp_path):
    w, t = world, world.t
    a = crashes_cleanly(w, tmp_path, lambda: t.create_applicant(w.alice, natural_applicant(73)))
    app = crashes_cleanly(w, tmp_path, lambda: t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE))
    do_step(w, app.id, "principles", w.alice)
    crashes_cleanly(w, tmp_path, lambda: t.submit(w.alice, app.id, expected_version=version(w, app.id)))
    do_step(w, app.id, "intake", w.alice)
    crashes_cleanly(w, tmp_path, lambda: t.record_decision(w.wg, app.id, "approve", "ok",
                                                           expected_version=version(w, app.id)))
    content, name = good_file("credit_record")
    crashes_cleanly(w, tmp_path, lambda: t.upload_document(w.alice, app.id, "credit_record", content, name))
    crashes_cleanly(w, tmp_path, lambda: t.complete_step(w.alice, app.id, "credit_record",
                                                         expected_version=version(w, app.id)))
    run_ready_steps(w, app.id, w.alice, until="licence")
    lic = crashes_cleanly(w, tmp_path, lambda: t.issue_licence(w.expert, app.id, "R-73", date(2026, 11, 1),
                                                               expected_version=version(w, app.id)))
    assert lic.number == "R-73"
    assert t.get_application(w.alice, app.id).application.status == "licensed"


def test_the_audit_trail_is_append_only_in_the_database(world):
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    t = world.t
    draft(world, 74)
    for sql in ("UPDATE audit SET username = 'nobody'", "DELETE FROM audit"):
        with pytest.raises(DatabaseError, match="append-only"), t.engine.begin() as conn:
            conn.execute(text(sql))
    assert all(e.username != "nobody" for e in t.audit_log(world.admin))

