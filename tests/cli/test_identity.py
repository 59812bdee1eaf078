"""``SITING_REQUIRE_IDENTITY``: the commands that write the workspace (``init``, ``import``) need a signed-in
data steward or administrator of the tracker; by default the command line is the local operator. Run as a
user runs it: ``python -m siting`` in a subprocess."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from siting.samples.hand import hand_workspace
from siting.tracker import PasswordPolicy, Tracker, TrackerSettings, init_database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long test passphrase"
OFFICES = "licence_type,lat,lon\nurban,32.9,59.3\n"


def run(*args, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("SITING_REQUIRE_IDENTITY", "SITING_USER", "SITING_TRACKER_PASSWORD", "DATABASE_URL")
    }
    return subprocess.run(
        [sys.executable, "-m", "siting", *map(str, args)],
        capture_output=True,
        text=True,
        env={**base, **env},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def setup(tmp_path):
    """A workspace, an offices file and a tracker database with an administrator ``root``, a data steward
    ``dana``, a directorate expert ``erik`` and an applicant ``alice``."""
    ws = hand_workspace().save(tmp_path / "ws.gpkg")
    offices = tmp_path / "offices.csv"
    offices.write_text(OFFICES, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init_database(url)
    trk = Tracker(
        TrackerSettings(
            url=url, files_dir=tmp_path / "files", password_policy=PasswordPolicy.fast()
        ),
        workspace=hand_workspace(),
    )
    try:
        root = trk.bootstrap_admin("root", PASSWORD)
        for name, role in (("dana", "data_steward"), ("erik", "expert"), ("alice", "applicant")):
            trk.create_user(root, name, PASSWORD, role)
    finally:
        trk.close()
    return ws, offices, url


def test_by_default_the_command_line_is_the_local_operator(setup):
    ws, offices, _ = setup
    before = digest(ws)
    p = run("import", "offices", offices, "--append", "-w", ws)
    assert p.returncode == 0, p.stderr
    assert digest(ws) != before


def test_required_identity_refuses_an_import_without_a_user(setup):
    ws, offices, url = setup
    before = digest(ws)
    p = run(
        "import",
        "offices",
        offices,
        "--append",
        "-w",
        ws,
        SITING_REQUIRE_IDENTITY="1",
        DATABASE_URL=url,
    )
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert "sign in as data steward or administrator" in p.stderr
    assert "--user" in p.stderr and "SITING_USER" in p.stderr
    assert digest(ws) == before


@pytest.mark.parametrize("user", ["erik", "alice"])
def test_required_identity_refuses_a_role_that_may_not_import(setup, user):
    ws, offices, url = setup
    before = digest(ws)
    p = run(
        "import",
        "offices",
        offices,
        "--append",
        "-w",
        ws,
        "--user",
        user,
        SITING_REQUIRE_IDENTITY="1",
        DATABASE_URL=url,
        SITING_TRACKER_PASSWORD=PASSWORD,
    )
    assert p.returncode == 2
    assert "may not build, replace or import files into the workspace" in p.stderr
    assert "data steward or administrator" in p.stderr
    assert digest(ws) == before


def test_required_identity_refuses_a_wrong_password_and_a_missing_one(setup):
    ws, offices, url = setup
    before = digest(ws)
    p = run(
        "import",
        "offices",
        offices,
        "-w",
        ws,
        "--user",
        "dana",
        SITING_REQUIRE_IDENTITY="1",
        DATABASE_URL=url,
        SITING_TRACKER_PASSWORD="not the password",
    )
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "password" in p.stderr.lower()
    p = run(
        "import",
        "offices",
        offices,
        "-w",
        ws,
        SITING_REQUIRE_IDENTITY="1",
        SITING_USER="dana",
        DATABASE_URL=url,
    )
    assert p.returncode == 2 and "$SITING_TRACKER_PASSWORD" in p.stderr
    assert digest(ws) == before


@pytest.mark.parametrize(("how", "env"), [("--user", {}), ("SITING_USER", {"SITING_USER": "dana"})])
def test_required_identity_lets_a_data_steward_import(setup, how, env):
    ws, offices, url = setup
    before = digest(ws)
    args = ["--user", "dana"] if how == "--user" else []
    p = run(
        "import",
        "offices",
        offices,
        "--append",
        "-w",
        ws,
        *args,
        SITING_REQUIRE_IDENTITY="1",
        SITING_TRACKER_PASSWORD=PASSWORD,
        DATABASE_URL=url,
        **env,
    )
    assert p.returncode == 0, p.stderr
    assert digest(ws) != before


def test_required_identity_lets_an_administrator_import_with_database_url_option(setup):
    ws, offices, url = setup
    p = run(
        "import",
        "offices",
        offices,
        "--append",
        "-w",
        ws,
        "--user",
        "root",
        "--database-url",
        url,
        SITING_REQUIRE_IDENTITY="yes",
        SITING_TRACKER_PASSWORD=PASSWORD,
    )
    assert p.returncode == 0, p.stderr


def test_required_identity_refuses_init_and_creates_nothing(setup, tmp_path):
    _, _, url = setup
    target = tmp_path / "new.gpkg"
    p = run(
        "init",
        "--manifest",
        ROOT / "data/sources/sample.yaml",
        "-w",
        target,
        SITING_REQUIRE_IDENTITY="1",
        DATABASE_URL=url,
    )
    assert p.returncode == 2 and "sign in as data steward or administrator" in p.stderr
    assert not target.exists()


def test_reads_need_no_identity_even_when_required(setup):
    ws, _, url = setup
    p = run("info", "-w", ws, SITING_REQUIRE_IDENTITY="1", DATABASE_URL=url)
    assert p.returncode == 0, p.stderr


def test_a_bad_setting_is_named(setup):
    ws, offices, _ = setup
    before = digest(ws)
    p = run("import", "offices", offices, "-w", ws, SITING_REQUIRE_IDENTITY="perhaps")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "$SITING_REQUIRE_IDENTITY: 'perhaps' is not 1 or 0" in p.stderr
    assert digest(ws) == before
