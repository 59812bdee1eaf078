"""The data steward role: migration 0002 (SQLite and PostgreSQL, up and down), and what the role may do in
the tracker, read from siting.permissions.ROLE_ACTIONS."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from tracker_helpers import PASSWORD, RURAL_SITE, natural_applicant, snapshot

from siting import permissions
from siting.tracker import AccessDenied, ExternalIdentity, TrackerError, TrackerInputError
from siting.tracker.db import make_engine
from siting.tracker.migrate import alembic_config, current_revision, downgrade, upgrade

INSERT = (
    "INSERT INTO users (username, display_name, role, active, created_at, version) "
    "VALUES (:u, :u, :r, true, CURRENT_TIMESTAMP, 1)"
)


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'roles.db'}"
    return request.getfixturevalue("pg_server").create("siting_roles")


def _insert(engine, username: str, role: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(INSERT), {"u": username, "r": role})


def test_migration_0002_adds_the_role_and_goes_back(empty_url, tmp_path):
    engine = make_engine(empty_url)
    try:
        assert upgrade(engine, "0001") == "0001"
        _insert(engine, "old-admin", "admin")
        with engine.begin() as conn:  # a row referring to a user survives the change
            uid = conn.execute(text("SELECT id FROM users")).scalar()
            conn.execute(
                text(
                    "INSERT INTO applicants (owner_id, kind, name, national_id, created_at, updated_at, "
                    f"version) VALUES ({uid}, 'natural', 'n', '0084575948', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP, 1)"
                )
            )
        with pytest.raises(IntegrityError):  # 0001 knows no data steward
            _insert(engine, "steward", "data_steward")

        assert upgrade(engine, "0002") == "0002"
        _insert(engine, "steward", "data_steward")
        with pytest.raises(IntegrityError):  # the constraint is still there
            _insert(engine, "x", "superuser")
        with pytest.raises(TrackerInputError, match="role: cannot downgrade below 0002: 1 account"):
            downgrade(engine, "0001", allow_destructive=True, backup_dir=tmp_path)  # refused while an account
            # has the role; nothing changed
        assert current_revision(engine) == "0002"

        with engine.begin() as conn:
            conn.execute(text("UPDATE users SET role = 'expert' WHERE role = 'data_steward'"))
        assert downgrade(engine, "0001", allow_destructive=True, backup_dir=tmp_path).revision == "0001"
        with pytest.raises(IntegrityError):
            _insert(engine, "steward2", "data_steward")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM applicants")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 2
        assert upgrade(engine) == _head()
        _insert(engine, "steward3", "data_steward")
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        engine.dispose()


@pytest.fixture()
def steward(world):
    w = world
    w.t.create_user(w.admin, "dana", PASSWORD, "data_steward", "متصدی داده")
    return w.t.authenticate("dana", PASSWORD)


def test_a_data_steward_may_import_but_not_read_applications(world, steward):
    w, t = world, world.t
    assert not steward.is_staff
    applicant = t.create_applicant(w.alice, natural_applicant(61))
    app = t.create_application(w.alice, applicant.id, "rural", "new", site=RURAL_SITE)
    assert t.authorize(steward, permissions.IMPORT_WORKSPACE) == "data_steward"
    assert t.authorize(w.admin, permissions.EDIT_RULES) == "admin"
    before = snapshot(t)
    refusals = {
        "get_application": lambda: t.get_application(steward, app.id),
        "get_applicant": lambda: t.get_applicant(steward, applicant.id),
        "list_applicants": lambda: t.list_applicants(steward),
        "renewals_due": lambda: t.renewals_due(steward),
        "queue": lambda: t.queue(steward),
        "agenda": lambda: t.agenda(steward),
        "audit_log": lambda: t.audit_log(steward),
        "list_users": lambda: t.list_users(steward),
        "create_application": lambda: t.create_application(
            steward, applicant.id, "rural", "new", site=RURAL_SITE
        ),
        "authorize expert work": lambda: t.authorize(steward, permissions.PROCESS_APPLICATIONS),
    }
    for name, call in refusals.items():
        with pytest.raises(AccessDenied) as info:
            call()
        assert info.value.message_en and info.value.message_fa, name
    assert t.my_applications(steward) == ()
    assert snapshot(t) == before
    for who in (w.expert, w.wg, w.alice):
        with pytest.raises(AccessDenied, match="sign in as data steward or administrator"):
            t.authorize(who, permissions.IMPORT_WORKSPACE)


def test_the_refusal_follows_the_database_not_the_signed_identity(world, steward):
    w, t = world, world.t
    dana = next(u for u in t.list_users(w.admin) if u.username == "dana")
    t.set_user_role(w.admin, dana.id, "expert")
    with pytest.raises(AccessDenied, match="sign in again"):
        t.authorize(steward, permissions.IMPORT_WORKSPACE)
    with pytest.raises(TrackerError):
        t.create_user(w.admin, "nobody", PASSWORD, "superuser")


def test_sso_groups_can_map_to_the_data_steward(world):
    from siting.tracker.access import SsoPolicy

    policy = SsoPolicy(
        trusted_issuers=("https://sso.example.ir",),
        group_roles={"gis": "data_steward", "it": "admin"},
    )
    person = ExternalIdentity("https://sso.example.ir", "p1", "P", groups=("gis",))
    assert policy.role_for(person) == "data_steward"
    assert (
        policy.role_for(ExternalIdentity("https://sso.example.ir", "p2", "Q", groups=("gis", "it")))
        == "admin"
    )
