"""Fixtures of the tracker's tests: every database test runs against SQLite AND PostgreSQL.

PostgreSQL: one uniquely named database per test session (created, migrated
once, dropped at the end) at ``$SITING_TEST_PG_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); each test starts
from empty tables. If the server does not answer, the tests FAIL with a
message to run ``scripts/test-env.sh``: they never skip silently.
SQLite: each test gets its own copy of a migrated database file.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from tracker_helpers import Clock, World, make_world

from siting.rules import load_rules
from siting.samples.hand import hand_workspace
from siting.tracker import PasswordPolicy, SsoPolicy, Tracker, TrackerSettings, load_workflow
from siting.tracker.db import make_engine
from siting.tracker.migrate import upgrade
from siting.tracker.models import Base

PG_ADMIN_URL = os.environ.get("SITING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SSO = SsoPolicy(trusted_issuers=("https://sso.example.ir",),
                group_roles={"ict-experts": "expert", "wg": "wg_member", "it-admins": "admin"})


def _pg_admin():
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as exc:
        engine.dispose()
        pytest.fail(f"PostgreSQL does not answer at {PG_ADMIN_URL} ({exc.orig}); run scripts/test-env.sh "
                    "to start it (the tracker's tests run against SQLite and PostgreSQL)", pytrace=False)
    return engine


class PgServer:
    """Creates uniquely named databases on the test server and drops them at the end of the session."""

    def __init__(self) -> None:
        self.admin = _pg_admin()
        self.names: list[str] = []

    def create(self, prefix: str = "siting_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.names:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server():
    server = PgServer()
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def pg_url(pg_server):
    """The session's PostgreSQL database, migrated once."""
    url = pg_server.create()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tracker-template") / "tracker.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _empty_pg(url: str) -> None:
    """Delete every row (DELETE on small tables is much faster than TRUNCATE) and restart the ids.

    ``session_replication_role = replica`` switches triggers off for this transaction: the audit
    trail's append-only trigger, and the foreign-key triggers (every table is emptied anyway).
    """
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        for (seq,) in conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")):
            conn.execute(text(f'ALTER SEQUENCE "{seq}" RESTART WITH 1'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """An empty, migrated tracker database: SQLite file or the session's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "tracker.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    _empty_pg(url)
    return url


@pytest.fixture(scope="session")
def tracker_ws():
    """The hand-built workspace with the central urban office U1 closed, so that a Birjand city
    site passes the urban rules (synthetic test data)."""
    ws = hand_workspace()
    offices = ws.offices.copy()
    offices.loc[offices["office_id"] == "U1", "status"] = "inactive"
    return ws.with_layer("offices", offices)


@pytest.fixture(scope="session")
def workflow():
    return load_workflow()


@pytest.fixture(scope="session")
def tracker_rules():
    return load_rules()


@pytest.fixture()
def clock():
    return Clock(datetime(2026, 11, 28, 6, 30, tzinfo=UTC))


@pytest.fixture()
def tracker(db_url, tmp_path, clock, tracker_ws, workflow, tracker_rules):
    settings = TrackerSettings(url=db_url, files_dir=tmp_path / "files", password_policy=PasswordPolicy.fast(),
                               sso=SSO)
    t = Tracker(settings, workflow=workflow, rules=tracker_rules, workspace=tracker_ws, clock=clock)
    yield t
    t.close()


@pytest.fixture()
def world(tracker, clock) -> World:
    return make_world(tracker, clock)
