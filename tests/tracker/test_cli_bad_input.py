"""Bad input to ``siting tracker`` ends with exit status 2 and one clear line, never a traceback
(issue 9, item 5): NUL characters (PostgreSQL), an out-of-range ``--days``, an unreachable database.

Every case runs in a real process. The operating system refuses NUL in argv and the environment, so
the NUL cases call the CLI's ``main`` from ``python -c`` with the arguments a caller would pass.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from siting.cli.tracker import NEW_PASSWORD_ENV, PASSWORD_ENV

PASSWORD = "root's long password"


def siting(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "siting", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def main_with(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    code = f"import sys\nfrom siting.cli.tracker import main\nsys.exit(main({argv!r}))\n"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def assert_clean_refusal(p: subprocess.CompletedProcess, *needles: str) -> None:
    assert p.returncode == 2, p.stderr
    assert (
        "Traceback" not in p.stderr
        and "psycopg.errors" not in p.stderr
        and "sqlalchemy" not in p.stderr
    )
    assert p.stderr.startswith("siting tracker: "), p.stderr
    for needle in needles:
        assert needle in p.stderr, p.stderr


@pytest.fixture()
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    p = siting(
        "tracker",
        "init",
        "--database-url",
        url,
        "--admin",
        "root",
        env={NEW_PASSWORD_ENV: PASSWORD},
    )
    assert p.returncode == 0, p.stderr
    return url


@pytest.fixture()
def pg_cli_url(pg_server):
    url = pg_server.create("siting_cli")
    p = siting(
        "tracker",
        "init",
        "--database-url",
        url,
        "--admin",
        "root",
        env={NEW_PASSWORD_ENV: PASSWORD},
    )
    assert p.returncode == 0, p.stderr
    return url


@pytest.mark.parametrize("days", ["99999999999", "1000001", "-1"])
def test_renewals_days_out_of_range(sqlite_url, days):
    p = siting(
        "tracker",
        "renewals",
        "--database-url",
        sqlite_url,
        "--user",
        "root",
        "--days",
        days,
        env={PASSWORD_ENV: PASSWORD},
    )
    assert_clean_refusal(p, "within_days must be between 0 and 1000000 days")


def test_renewals_days_at_the_limit_works(sqlite_url):
    p = siting(
        "tracker",
        "renewals",
        "--database-url",
        sqlite_url,
        "--user",
        "root",
        "--days",
        "1000000",
        env={PASSWORD_ENV: PASSWORD},
    )
    assert p.returncode == 0, p.stderr
    assert "0 licence(s) expiring within 1000000 days" in p.stdout


@pytest.mark.parametrize(
    "command", [["init"], ["agenda", "--user", "root"], ["renewals", "--user", "root"]]
)
def test_an_unreachable_database(command):
    url = "postgresql://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    p = siting(
        "tracker", command[0], "--database-url", url, *command[1:], env={PASSWORD_ENV: PASSWORD}
    )
    assert_clean_refusal(
        p, "cannot reach the database at postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    )


@pytest.mark.postgres
def test_nul_in_a_user_name_on_postgresql(pg_cli_url):
    p = main_with(
        ["tracker", "agenda", "--database-url", pg_cli_url, "--user", "ro\x00ot"],
        env={PASSWORD_ENV: PASSWORD},
    )
    assert_clean_refusal(p, "username: the text contains a NUL character")
    p = main_with(
        ["tracker", "create-user", "--database-url", pg_cli_url, "new\x00admin", "--role", "admin"],
        env={NEW_PASSWORD_ENV: "another long password"},
    )
    assert p.returncode == 2 and "Traceback" not in p.stderr
    # the database still answers and root still signs in
    p = siting(
        "tracker",
        "renewals",
        "--database-url",
        pg_cli_url,
        "--user",
        "root",
        env={PASSWORD_ENV: PASSWORD},
    )
    assert p.returncode == 0, p.stderr


@pytest.mark.postgres
def test_nul_in_a_display_name_through_the_library_names_the_field(pg_cli_url, tmp_path):
    from siting.tracker import PasswordPolicy, Tracker, TrackerInputError, TrackerSettings

    t = Tracker(
        TrackerSettings(
            url=pg_cli_url, files_dir=tmp_path / "f", password_policy=PasswordPolicy.fast()
        )
    )
    try:
        root = t.authenticate("root", PASSWORD)
        with pytest.raises(
            TrackerInputError, match=r"display_name: the text contains a NUL character"
        ):
            t.create_user(root, "maryam", "a long test passphrase", "expert", "Mar\x00yam")
        with pytest.raises(
            TrackerInputError, match=r"username/?.*NUL|username: the text contains a NUL"
        ):
            t.authenticate("ro\x00ot", PASSWORD)
        assert t.authenticate("root", PASSWORD).username == "root"
    finally:
        t.close()
