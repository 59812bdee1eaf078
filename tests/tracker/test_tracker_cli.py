"""``siting tracker init|migrate|create-user|agenda|renewals`` (through ``siting.cli.tracker``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory
from tracker_helpers import RURAL_SITE, World, natural_applicant, to_agenda

from siting.cli.tracker import NEW_PASSWORD_ENV, PASSWORD_ENV, main
from siting.tracker import PasswordPolicy, Tracker, TrackerSettings
from siting.tracker.migrate import alembic_config

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()  # the newest migration shipped


@pytest.fixture()
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_init_create_users_and_read_the_agenda(url, monkeypatch, capsys, clock, tracker_ws, workflow, tracker_rules,
                                               tmp_path):
    monkeypatch.setenv(NEW_PASSWORD_ENV, "root's long password")
    assert main(["tracker", "init", "--database-url", url, "--admin", "root"]) == 0
    assert f"revision {HEAD}" in capsys.readouterr().out
    monkeypatch.setenv(PASSWORD_ENV, "root's long password")
    monkeypatch.setenv(NEW_PASSWORD_ENV, "wg member's password")
    assert main(["tracker", "create-user", "--database-url", url, "maryam", "--role", "wg_member",
                 "--as", "root"]) == 0
    monkeypatch.setenv(PASSWORD_ENV, "wrong password!")
    assert main(["tracker", "create-user", "--database-url", url, "x", "--role", "expert", "--as", "root"]) == 2
    assert "wrong user name or password" in capsys.readouterr().err

    # put a proposal on the agenda through the library (with the test workspace)
    t = Tracker(TrackerSettings(url=url, files_dir=tmp_path / "files", password_policy=PasswordPolicy.fast()),
                workflow=workflow, rules=tracker_rules, workspace=tracker_ws, clock=clock)
    admin = t.authenticate("root", "root's long password")
    for name, role in (("alice", "applicant"), ("expert", "expert")):
        t.create_user(admin, name, "a long test passphrase", role)
    w = World(t, clock, admin, t.authenticate("expert", "a long test passphrase"),
              t.authenticate("maryam", "wg member's password"), t.authenticate("alice", "a long test passphrase"),
              bob=t.authenticate("alice", "a long test passphrase"))  # bob is not used here
    a = t.create_applicant(w.alice, natural_applicant(90))
    app = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    to_agenda(w, app.id, w.alice)
    t.close()

    monkeypatch.setenv(PASSWORD_ENV, "wg member's password")
    capsys.readouterr()
    assert main(["tracker", "agenda", "--database-url", url, "--user", "maryam", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(i["application_id"], i["validation_status"], i["county"]) for i in out["items"]] == [
        (app.id, "pass", "بیرجند")]
    assert main(["tracker", "agenda", "--database-url", url, "--user", "maryam"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("1 proposal(s) pending") and "59.52000,32.72000" in text
    assert main(["tracker", "renewals", "--database-url", url, "--user", "maryam", "--days", "30"]) == 0
    assert "0 licence(s) expiring within 30 days" in capsys.readouterr().out
    monkeypatch.setenv(PASSWORD_ENV, "a long test passphrase")
    assert main(["tracker", "agenda", "--database-url", url, "--user", "alice"]) == 2  # not for applicants
    assert "may not read every application, the work queue, the agenda" in capsys.readouterr().err


def test_migrate_down_and_up(url, capsys):
    assert main(["tracker", "migrate", "--database-url", url]) == 0
    assert f"schema empty -> {HEAD}" in capsys.readouterr().out
    assert main(["tracker", "migrate", "--database-url", url, "--revision", "base"]) == 2
    assert "--allow-destructive" in capsys.readouterr().err
    assert main(["tracker", "migrate", "--database-url", url, "--revision", "base", "--allow-destructive"]) == 0
    out = capsys.readouterr().out
    assert "backup written before the downgrade: " in out and f"schema {HEAD} -> empty" in out
    assert main(["tracker", "agenda", "--database-url", url, "--user", "x"]) == 2
    assert "siting tracker migrate" in capsys.readouterr().err


def test_runs_as_a_module(url):
    env = {**os.environ, NEW_PASSWORD_ENV: "a long passphrase!"}
    done = subprocess.run([sys.executable, "-m", "siting.cli.tracker", "tracker", "init", "--database-url", url,
                           "--admin", "root"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "administrator root created" in done.stdout

