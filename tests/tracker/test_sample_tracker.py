"""The SAMPLE tracker database of `make run` (siting.samples.tracker): what it holds, read back through
the library's own screens, checked against the sample workspace and independent computations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import geopandas as gpd
import jdatetime
import pytest
from pyproj import Geod
from tracker_helpers import snapshot

from siting.samples.tracker import (
    DEMO_ACCOUNTS,
    SAMPLE_MARKER,
    SITES,
    SampleExists,
    build_sample_tracker,
    demo_account,
    is_sample_tracker,
    main,
)
from siting.tracker import AuthenticationError, PasswordPolicy, Tracker, TrackerSettings
from siting.workspace import Workspace

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _open(url, files, ws, now=NOW) -> Tracker:
    return Tracker(TrackerSettings(url=url, files_dir=files), workspace=ws, clock=lambda: now)


def _me(t: Tracker, username: str):
    return t.authenticate(username, demo_account(username).password)


@pytest.fixture(scope="module")
def sample_ws(sample_workspace_path):
    return Workspace.load(sample_workspace_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_ws):
    """The sample tracker, built once for this module on SQLite."""
    d = tmp_path_factory.mktemp("sample-tracker")
    url, files = f"sqlite:///{d / 'sample-tracker.db'}", d / "uploads"
    made = build_sample_tracker(url, sample_ws, files_dir=files, now=NOW, password_policy=PasswordPolicy.fast())
    t = _open(url, files, sample_ws)
    yield made, t
    t.close()


def test_every_demo_account_signs_in_with_its_documented_password_and_role(built):
    made, t = built
    assert {a.username for a in made.accounts} == {"demo-admin", "demo-expert", "demo-wg", "demo-steward",
                                                   "demo-zahra", "demo-kavir", "demo-reza"}
    for acc in DEMO_ACCOUNTS:
        who = t.authenticate(acc.username, acc.password)
        assert who.role == acc.role
        assert "(نمونه)" in acc.display_name
    with pytest.raises(AuthenticationError):
        t.authenticate("demo-zahra", "sample-kavir-1405")
    # the marker account is inactive and has no password: nobody can sign in with it
    with pytest.raises(AuthenticationError):
        t.authenticate(SAMPLE_MARKER, "")
    users = {u.username: u for u in t.list_users(_me(t, "demo-admin"))}
    assert users[SAMPLE_MARKER].active is False


def test_the_sample_is_marked_and_a_real_database_is_not(built, sqlite_template, tmp_path, sample_ws):
    _, t = built
    assert is_sample_tracker(t)
    import shutil

    path = tmp_path / "real.db"
    shutil.copy(sqlite_template, path)
    real = _open(f"sqlite:///{path}", tmp_path / "f", sample_ws)
    real.bootstrap_admin("admin", "a long passphrase")
    assert not is_sample_tracker(real)
    real.close()
    # every applicant's and every person's name says SAMPLE
    expert = _me(t, "demo-expert")
    for a in t.list_applicants(expert):
        assert a.name.endswith("(نمونه)")
        assert all(p.full_name.endswith("(نمونه)") for p in a.people)


def test_agenda_holds_the_three_pending_proposals_and_the_conflicting_pair(built, sample_workspace_path):
    made, t = built
    wg = _me(t, "demo-wg")
    items = {i.application_id: i for i in t.agenda(wg).items}
    a, b, c = made.applications["conflict_a"], made.applications["conflict_b"], made.applications["urban_agenda"]
    assert set(items) == {a, b, c}
    assert all(i.sample for i in items.values())
    assert items[a].conflicts == (b,) and items[b].conflicts == (a,)
    assert items[c].conflicts == () and items[c].validation_status == "pass"
    assert "proposal_conflicts" in items[a].warned_rules
    # the sites are the settlements' points in the workspace file (read independently)
    pts = gpd.read_file(sample_workspace_path, layer="settlements").set_index("code")
    for key, app_id in (("conflict_a", a), ("conflict_b", b), ("urban_agenda", c)):
        g = pts.loc[SITES[key]].geometry
        assert items[app_id].lon == pytest.approx(g.x, abs=1e-6)
        assert items[app_id].lat == pytest.approx(g.y, abs=1e-6)
    # the pair's distance on the ellipsoid agrees with the stored report and is under the rural minimum
    d_geod = Geod(ellps="WGS84").inv(items[a].lon, items[a].lat, items[b].lon, items[b].lat)[2]
    report = t.get_application(wg, a).validation
    (conflict,) = report["conflicts"]
    assert conflict["proposal_id"] == str(b)
    assert conflict["distance_m"] == pytest.approx(d_geod, rel=0.005)
    assert d_geod < conflict["threshold_m"] == t.rules.for_type("rural").min_distance_same_type_m


def test_overdue_licensing_steps_of_the_approved_application(built):
    made, t = built
    expert = _me(t, "demo-expert")
    app_id = made.applications["approved"]
    detail = t.get_application(expert, app_id)
    assert detail.application.status == "approved"
    done = [s.step_id for s in detail.current_steps() if s.phase == "licensing" and s.state == "done"]
    assert len(done) == 4
    overdue = [o for o in t.overdue_steps(expert, today=NOW.date()) if o.item.application_id == app_id]
    assert len(overdue) >= 2
    for o in overdue:
        step = o.item.step
        wf = t.workflow.step(step.step_id)
        assert step.due_on == step.ready_at.date() + timedelta(days=wf.due_days)
        assert o.days_overdue == (NOW.date() - step.due_on).days > 0
    queued = {(q.application_id, q.step.step_id) for q in t.queue(expert, include_applicant_steps=True).items}
    assert {(app_id, o.item.step.step_id) for o in overdue} <= queued
    # the directorate's own queue (without applicant steps) has the working group's three reviews
    wg_reviews = t.queue(expert).by_step()["wg_review"]
    assert {q.application_id for q in wg_reviews} == {made.applications[k] for k in
                                                        ("conflict_a", "conflict_b", "urban_agenda")}


def test_licence_expiring_soon_is_on_the_renewal_list(built):
    made, t = built
    expert = _me(t, "demo-expert")
    (item,) = t.renewals_due(expert, 90, today=NOW.date())
    lic = item.licence
    assert lic.number == made.licence_number
    # five Solar Hijri years after the issue date, computed here with jdatetime
    j = jdatetime.date.fromgregorian(date=lic.issued_on)
    assert lic.expires_on == jdatetime.date(j.year + 5, j.month, j.day).togregorian()
    assert item.days_left == (lic.expires_on - NOW.date()).days == 40
    assert item.renewal_application_id is None
    # the holder sees it too, others do not
    assert [r.licence.number for r in t.renewals_due(_me(t, "demo-zahra"), 90, today=NOW.date())] == [lic.number]
    assert t.renewals_due(_me(t, "demo-kavir"), 90, today=NOW.date()) == ()
    # every step after the licence is done: nothing of it is overdue
    detail = t.get_application(expert, made.applications["licensed"])
    assert detail.application.status == "licensed" and detail.next_steps == ()


def test_returned_application_keeps_both_rounds_and_the_rejected_one_its_reasons(built):
    made, t = built
    zahra = _me(t, "demo-zahra")
    mine = {a.application.id: a for a in t.my_applications(zahra)}
    assert set(mine) == {made.applications[k] for k in ("licensed", "returned", "conflict_b")}
    ret = mine[made.applications["returned"]]
    assert ret.application.status == "returned"
    assert [s.step_id for s in ret.next_steps] == ["request"]
    assert ret.open_deficiencies == ("گواهی عدم سوء پیشینه تاریخ گذشته است؛ گواهی جدید (کمتر از سه ماه) "
                                     "بارگذاری کنید.",)
    detail = t.get_application(zahra, ret.application.id)
    assert [(d.round, d.outcome, len(d.deficiencies)) for d in detail.decisions] == [(1, "return", 2),
                                                                                     (2, "return", 1)]
    assert [d.kind for d in detail.documents] == ["national_card"]
    reza = _me(t, "demo-reza")
    rejected = next(a for a in t.my_applications(reza) if a.application.id == made.applications["rejected"])
    assert rejected.application.status == "rejected" and rejected.last_decision.outcome == "reject"
    # Kavir sees only its own two
    kavir = {a.application.id for a in t.my_applications(_me(t, "demo-kavir"))}
    assert kavir == {made.applications["approved"], made.applications["urban_agenda"]}


def test_everything_was_made_through_the_api_with_an_audit_trail(built):
    made, t = built
    admin = _me(t, "demo-admin")
    log = t.audit_log(admin, limit=5000)
    actions = {e.action for e in log}
    assert {"admin_bootstrapped", "user_created", "applicant_created", "application_created", "application_submitted",
            "decision_recorded", "licence_issued", "document_uploaded"} <= actions
    for app_id in made.applications.values():
        trail = t.audit_trail(admin, app_id)
        assert trail[0].action == "application_created"


def test_building_again_is_refused_and_changes_nothing(built, sample_ws, capsys):
    made, t = built
    before = snapshot(t)
    with pytest.raises(SampleExists, match="already holds 8 account"):
        build_sample_tracker(made.url, sample_ws, files_dir=made.files_dir, now=NOW,
                             password_policy=PasswordPolicy.fast())
    assert snapshot(t) == before
    # the command says so in a sentence and exits 2
    rc = main(["--url", made.url, "--workspace", str(sample_ws.path), "--files", str(made.files_dir)])
    assert rc == 2
    assert "already holds 8 account(s)" in capsys.readouterr().err
    assert snapshot(t) == before


def test_the_command_prints_the_demo_accounts(tmp_path, sample_workspace_path):
    lines: list[str] = []
    rc = main(["--url", f"sqlite:///{tmp_path / 's.db'}", "--workspace", str(sample_workspace_path),
               "--files", str(tmp_path / "up")], out=lines.append)
    assert rc == 0
    text = "\n".join(lines)
    for acc in DEMO_ACCOUNTS:
        assert f"{acc.username:<12} {acc.password}" in text
    assert (tmp_path / "up").is_dir() and any((tmp_path / "up").iterdir())


def test_refuses_a_workspace_that_is_not_the_sample(tmp_path, hand_ws):
    with pytest.raises(Exception, match="SAMPLE workspace"):
        build_sample_tracker(f"sqlite:///{tmp_path / 's.db'}", hand_ws.with_layer(
            "offices", hand_ws.offices, sample=False), files_dir=tmp_path / "f")


@pytest.mark.postgres
def test_builds_on_postgresql_too(pg_server, sample_ws, tmp_path):
    url = pg_server.create("siting_sample")
    made = build_sample_tracker(url, sample_ws, files_dir=tmp_path / "f", now=NOW,
                                password_policy=PasswordPolicy.fast())
    t = _open(url, tmp_path / "f", sample_ws)
    try:
        assert is_sample_tracker(t)
        wg = _me(t, "demo-wg")
        assert len(t.agenda(wg).items) == 3
        assert [r.licence.number for r in t.renewals_due(wg, 90, today=NOW.date())] == [made.licence_number]
    finally:
        t.close()
