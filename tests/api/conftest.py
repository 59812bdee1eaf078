"""A real API server for the tests: ``python -m siting serve`` in a subprocess on a free port, on the
hand-built workspace (:func:`siting.samples.hand.hand_workspace`) saved to a temporary GeoPackage and
a temporary SQLite tracker database with accounts, an applicant and API keys made by the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from siting.cli import main as siting_main
from siting.samples.hand import hand_workspace
from siting.tracker import ApplicantInput, PersonInput, Tracker, TrackerSettings, init_database

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "api test admin passphrase"
USER_PASSWORD = "api test user passphrase"


def national_id(seed: int) -> str:
    """A valid 10-digit national ID (check digit as in FIELD-NOTES), one per seed."""
    base = f"{(123456789 + seed * 104729) % 10**9:09d}"
    s = sum(int(base[i]) * (10 - i) for i in range(9))
    r = s % 11
    return base + str(r if r < 2 else 11 - r)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """``siting ARGS`` in this process; returns (exit status, standard output)."""
    out = io.StringIO()
    old = dict(os.environ)
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out):
            status = siting_main(list(args))
    finally:
        os.environ.clear()
        os.environ.update(old)
    return status, out.getvalue()


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def client(self, key: str | None = None, **kw) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kw)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(folder: Path, workspace: Path, database_url: str | None, *extra: str,
                 env: dict[str, str] | None = None) -> Server:
    port = free_port()
    log = folder / f"server-{port}.log"
    args = [sys.executable, "-m", "siting", "serve", "--port", str(port), "-w", str(workspace), *extra]
    if database_url:
        args += ["--database-url", database_url]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full_env.pop("DATABASE_URL", None)
    with open(log, "wb") as fh:
        proc = subprocess.Popen(args, cwd=folder, env=full_env, stdout=fh, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(server.url + "/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"the server did not answer within 60 s:\n{server.log_text()}")


@dataclass
class World:
    folder: Path
    workspace: Path
    database_url: str
    keys: dict[str, str] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)
    applicant_id: int = 0
    other_applicant_id: int = 0

    def tracker(self) -> Tracker:
        return Tracker(TrackerSettings(url=self.database_url, files_dir=str(self.folder / "uploads")),
                       workspace=hand_workspace())

    def admin_env(self) -> dict[str, str]:
        return {"SITING_TRACKER_PASSWORD": ADMIN_PASSWORD}

    def new_key(self, user: str, role: str | None = None) -> tuple[str, str]:
        """A key made by ``siting tracker create-api-key`` (returns key, key id)."""
        args = ["tracker", "create-api-key", "--user", user, "--as", "admin", "--database-url",
                self.database_url, "--json", "--label", f"tests: {user}"]
        if role:
            args += ["--role", role]
        status, out = run_cli(*args, env=self.admin_env())
        assert status == 0, out
        data = json.loads(out)
        return data["key"], data["key_id"]


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> World:
    folder = tmp_path_factory.mktemp("api")
    ws_path = folder / "workspace.gpkg"
    hand_workspace().save(ws_path)
    url = f"sqlite:///{folder / 'tracker.db'}"
    init_database(url)
    w = World(folder, ws_path, url)
    t = w.tracker()
    try:
        admin = t.bootstrap_admin("admin", ADMIN_PASSWORD)
        for name, role in (("zahra", "applicant"), ("reza", "applicant"), ("expert1", "expert"),
                           ("steward", "data_steward")):
            t.create_user(admin, name, USER_PASSWORD, role)
        for name, seed, attr in (("zahra", 1, "applicant_id"), ("reza", 2, "other_applicant_id")):
            who = t.authenticate(name, USER_PASSWORD)
            nid = national_id(seed)
            full = "زهرا رضایی" if name == "zahra" else "رضا احمدی"
            a = t.create_applicant(who, ApplicantInput(kind="natural", name=full, national_id=nid, people=(
                PersonInput(full_name=full, national_id=nid, education="bachelor", government_employee=False,
                            military_exempt=True),)))
            setattr(w, attr, a.id)
    finally:
        t.close()
    for name in ("zahra", "reza", "expert1", "steward"):
        w.keys[name], w.key_ids[name] = w.new_key(name)
    w.keys["portal"], w.key_ids["portal"] = w.new_key("portal", role="expert")  # a key-only account
    return w


@pytest.fixture(scope="session")
def server(world) -> Server:
    """The main server: rate limit high enough for the suite, small jobs pool."""
    s = start_server(world.folder, world.workspace, world.database_url, "--rate-limit", "1000/1000",
                     "--job-workers", "1", "--job-queue", "2")
    yield s
    s.stop()


@pytest.fixture()
def fresh_workspace(tmp_path) -> Path:
    path = tmp_path / "ws.gpkg"
    hand_workspace().save(path)
    return path


@pytest.fixture(scope="session")
def saved_workspace(world):
    """The workspace as the server loaded it (from the file)."""
    from siting.workspace import Workspace

    return Workspace.load(world.workspace)

