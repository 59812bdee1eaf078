"""Backup and restore: round trip on SQLite and PostgreSQL with uploaded files,
tampered and hostile archives refused. Runs the `siting` command as a directorate would."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.exc import OperationalError

from siting.samples.tracker import build_sample_tracker

BIN = Path(sys.executable).parent / "siting"
PG_ADMIN_URL = os.environ.get(
    "SITING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def run(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=600)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def dump_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out = {}
        with engine.connect() as conn:
            for name, table in sorted(meta.tables.items()):
                order = list(table.primary_key.columns) or list(table.columns)
                out[name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        return out
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pg():
    """Creates uniquely named databases on the test server; drops them at the end."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as exc:
        pytest.fail(
            f"PostgreSQL does not answer at {PG_ADMIN_URL} ({exc.orig}); run scripts/test-env.sh",
            pytrace=False,
        )
    names: list[str] = []

    def create() -> str:
        name = f"siting_backup_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        names.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    yield create
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="module")
def sqlite_world(sample_workspace_path, tmp_path_factory):
    root = tmp_path_factory.mktemp("sqlite-world")
    url = f"sqlite:///{root / 'tracker.db'}"
    build_sample_tracker(url, sample_workspace_path, files_dir=root / "uploads")
    return url, root / "uploads"


def round_trip(
    tmp_path: Path, ws: Path, url: str, files: Path, restore_url: str | None = None
) -> Path:
    archive = tmp_path / "backup.tar.gz"
    p = run("backup", "--out", archive, "-w", ws, "--db-url", url, "--files", files, "--json")
    assert p.returncode == 0, p.stderr
    made = json.loads(p.stdout)
    uploads = [n for n in made["members"] if n.startswith("uploads/")]
    assert uploads and len(uploads) == len(tree(files))
    p = run("backup", "verify", archive)
    assert p.returncode == 0, p.stderr
    assert "OK" in p.stdout
    dest = tmp_path / "restored"
    args = ["restore", archive, "--to", dest] + (["--pg-url", restore_url] if restore_url else [])
    p = run(*args)
    assert p.returncode == 0, p.stderr
    assert sha(dest / "workspace.gpkg") == sha(ws)
    assert tree(dest / "uploads") == tree(files)
    # a second restore into the same folder overwrites nothing
    before = tree(dest)
    p = run(*args)
    assert p.returncode == 2 and "refusing to overwrite" in p.stderr
    assert tree(dest) == before
    # an existing archive is not overwritten either
    p = run("backup", "--out", archive, "-w", ws, "--db-url", url, "--files", files)
    assert p.returncode == 2 and "refusing to overwrite" in p.stderr
    return dest


def test_round_trip_sqlite(sqlite_world, sample_workspace_path, tmp_path):
    url, files = sqlite_world
    dest = round_trip(tmp_path, sample_workspace_path, url, files)
    restored = dump_rows(f"sqlite:///{dest / 'tracker.db'}")
    assert restored == dump_rows(url)
    assert (
        sum(len(v) for v in restored.values()) > 50
    )  # a real tracker: accounts, applications, documents
    # the restored tracker opens and serves a stored document's bytes
    from siting.tracker import Tracker, TrackerSettings

    trk = Tracker(
        TrackerSettings(url=f"sqlite:///{dest / 'tracker.db'}", files_dir=dest / "uploads"),
        workspace=None,
    )
    try:
        engine = create_engine(f"sqlite:///{dest / 'tracker.db'}")
        with engine.connect() as conn:
            row = conn.execute(text("select stored_name, sha256 from documents limit 1")).one()
        engine.dispose()
        assert hashlib.sha256(trk.files.get(row[0], row[1])).hexdigest() == row[1]
    finally:
        trk.close()


def test_round_trip_postgresql(pg, sample_workspace_path, tmp_path):
    src = pg()
    build_sample_tracker(src, sample_workspace_path, files_dir=tmp_path / "uploads")
    target = pg()
    round_trip(tmp_path, sample_workspace_path, src, tmp_path / "uploads", restore_url=target)
    restored = dump_rows(target)
    assert restored == dump_rows(src)
    assert sum(len(v) for v in restored.values()) > 50
    # loading into a database that is not empty is refused
    p = run("restore", tmp_path / "backup.tar.gz", "--to", tmp_path / "again", "--pg-url", target)
    assert p.returncode == 2 and "not empty" in p.stderr


def _rewrite(src: Path, dest: Path, change) -> None:
    """Copy an archive member by member, letting ``change(info, data)`` return new (info, data) or None."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dest, "w:gz") as tout:
        for info in tin.getmembers():
            data = tin.extractfile(info).read() if info.isfile() else b""
            got = change(info, data)
            if got is None:
                continue
            info, data = got
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


def test_a_tampered_archive_is_detected(sqlite_world, sample_workspace_path, tmp_path):
    url, files = sqlite_world
    good = tmp_path / "good.tar.gz"
    assert (
        run(
            "backup", "--out", good, "-w", sample_workspace_path, "--db-url", url, "--files", files
        ).returncode
        == 0
    )

    def flip(info, data):
        if info.name == "tracker.db":
            data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
        return info, data

    bad = tmp_path / "tampered.tar.gz"
    _rewrite(good, bad, flip)
    p = run("backup", "verify", bad)
    assert p.returncode == 2 and "tracker.db does not match the manifest" in p.stderr
    assert "Traceback" not in p.stderr
    p = run("restore", bad, "--to", tmp_path / "r")
    assert p.returncode == 2 and not (tmp_path / "r").exists()

    dropped = tmp_path / "dropped.tar.gz"
    _rewrite(good, dropped, lambda i, d: None if i.name.startswith("uploads/") else (i, d))
    p = run("backup", "verify", dropped)
    assert p.returncode == 2 and "missing from the archive" in p.stderr

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    p = run("backup", "verify", truncated)
    assert p.returncode == 2 and "Traceback" not in p.stderr


def _hostile(path: Path, member: tarfile.TarInfo, data: bytes = b"x") -> None:
    manifest = {
        "format": "siting-backup/1",
        "database": "sqlite",
        "members": {member.name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}},
    }
    with tarfile.open(path, "w:gz") as tar:
        m = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(m)
        tar.addfile(info, io.BytesIO(m))
        if member.isfile():
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
        else:
            tar.addfile(member)


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "hardlink"])
def test_traversal_and_link_members_are_refused(tmp_path, kind):
    if kind == "dotdot":
        member = tarfile.TarInfo("../escaped.txt")
    elif kind == "absolute":
        member = tarfile.TarInfo(str(tmp_path / "escaped.txt"))
    elif kind == "symlink":
        member = tarfile.TarInfo("uploads/link")
        member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
    else:
        member = tarfile.TarInfo("uploads/link")
        member.type, member.linkname = tarfile.LNKTYPE, "../../etc/passwd"
    archive = tmp_path / "hostile.tar.gz"
    _hostile(archive, member)
    p = run("backup", "verify", archive)
    assert p.returncode == 2, p.stderr
    assert (
        ("unsafe member name" in p.stderr)
        if kind in ("dotdot", "absolute")
        else ("link or special" in p.stderr)
    )
    p = run("restore", archive, "--to", tmp_path / "out")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "escaped.txt").exists()


def test_usage_and_missing_folder(tmp_path, sample_workspace_path, sqlite_world):
    url, _files = sqlite_world
    p = run("backup")
    assert p.returncode == 2 and "--out" in p.stderr
    p = run(
        "backup",
        "--out",
        tmp_path / "nope" / "b.tar.gz",
        "-w",
        sample_workspace_path,
        "--db-url",
        url,
    )
    assert p.returncode == 2 and f"folder {tmp_path / 'nope'} does not exist" in p.stderr
    assert not (tmp_path / "nope").exists()
    p = run("backup", "verify", tmp_path / "absent.tar.gz")
    assert p.returncode == 2 and "not found" in p.stderr


def test_sqlite_online_backup_helper(sqlite_world, tmp_path):
    from siting.backup import sqlite_online_backup

    url, _ = sqlite_world
    out = sqlite_online_backup(url, tmp_path / "copy.db")
    assert dump_rows(f"sqlite:///{out}") == dump_rows(url)
    with pytest.raises(ValueError, match="refusing to overwrite"):
        sqlite_online_backup(url, out)
