"""Benchmark of concurrent writers on the tracker, SQLite and PostgreSQL (not a timed test).

N writer PROCESSES (not threads) each make U updates through the public API
(``Tracker.update_site`` without an expected version: "save my change on the
latest version"), either all on ONE application or each on its own one. Every
successful update raises the application's version by exactly one, so

    lost updates = successful updates - (final versions - initial versions)

must be 0. Reported per (database, target, N): success share, lost updates,
refusals, throughput (successful updates per second of wall time, all writers
started together). A second pass runs the same with ``expected_version``
(read, then save): stale saves must be refused, never lost.

    .venv/bin/python benchmarks/bench_tracker_contention.py [--writers 4 8 16] [--updates 200]

PostgreSQL runs in a uniquely named database created and dropped here
(``$SITING_TEST_PG_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).
Prints a table and writes ``benchmarks/results/tracker_contention.json``.
The test ``tests/tracker/test_contention.py`` runs the same workers, small.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from siting.samples.hand import hand_workspace
from siting.tracker import (
    ApplicantInput,
    ConflictError,
    PasswordPolicy,
    PersonInput,
    SiteInput,
    Tracker,
    TrackerSettings,
)
from siting.tracker.db import make_engine
from siting.tracker.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import save_results

PG_ADMIN_URL = os.environ.get(
    "SITING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SITE = SiteInput(lon=59.52, lat=32.72, address="روستای مود")
PASSWORD = "a long benchmark passphrase"
NATIONAL_IDS = ("0084575948",)


def prepare(url: str, files_dir: str | os.PathLike[str], applications: int) -> list[int]:
    """A migrated database with an expert ``writer`` and ``applications`` rural drafts; their ids."""
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    t = Tracker(
        TrackerSettings(url=url, files_dir=files_dir, password_policy=PasswordPolicy.fast()),
        workspace=hand_workspace(),
    )
    try:
        admin = t.bootstrap_admin("admin", PASSWORD)
        t.create_user(admin, "writer", PASSWORD, "expert", "writer")
        t.create_user(admin, "owner", PASSWORD, "applicant", "owner")
        owner = t.authenticate("owner", PASSWORD)
        nid = NATIONAL_IDS[0]
        a = t.create_applicant(
            owner,
            ApplicantInput(
                kind="natural",
                name="متقاضی آزمون",
                national_id=nid,
                people=(
                    PersonInput(
                        full_name="متقاضی آزمون",
                        national_id=nid,
                        education="bachelor",
                        government_employee=False,
                        military_exempt=False,
                    ),
                ),
            ),
        )
        return [
            t.create_application(owner, a.id, "rural", "new", site=SITE).id
            for _ in range(applications)
        ]
    finally:
        t.close()


def versions(url: str, ids: list[int]) -> dict[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, version FROM applications")).all()
        return {i: v for i, v in rows if i in ids}
    finally:
        engine.dispose()


def worker(
    url: str, files_dir: str, app_ids: list[int], updates: int, versioned: bool, start_at: float
) -> dict:
    """One writer process: sign in, wait for the common start, make ``updates`` updates."""
    t = Tracker(
        TrackerSettings(url=url, files_dir=files_dir, password_policy=PasswordPolicy.fast())
    )
    # signing in takes SQLite's write lock too: wait for it like a person would
    for attempt in range(20):
        try:
            who = t.authenticate("writer", PASSWORD)
            break
        except OperationalError:
            if attempt == 19:
                raise
            time.sleep(0.5)
    ok = refused = 0
    time.sleep(max(0.0, start_at - time.time()))
    t0 = time.perf_counter()
    for i in range(updates):
        app_id = app_ids[i % len(app_ids)]
        try:
            if versioned:
                v = t.get_application(who, app_id).application.version
                t.update_site(who, app_id, SITE, expected_version=v)
            else:
                t.update_site(who, app_id, SITE)
            ok += 1
        except ConflictError:
            refused += 1
    elapsed = time.perf_counter() - t0
    t.close()
    return {"ok": ok, "refused": refused, "elapsed": elapsed}


def run(
    url: str,
    files_dir: str,
    app_ids: list[int],
    writers: int,
    updates: int,
    *,
    one: bool,
    versioned: bool,
) -> dict:
    """Start ``writers`` processes together; their totals, lost updates and throughput."""
    before = versions(url, app_ids)
    start_at = time.time() + 2.0 + 0.15 * writers  # time for every process to start and sign in
    procs = []
    for w in range(writers):
        targets = app_ids[:1] if one else [app_ids[w]]
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            json.dumps(
                {
                    "url": url,
                    "files_dir": str(files_dir),
                    "app_ids": targets,
                    "updates": updates,
                    "versioned": versioned,
                    "start_at": start_at,
                }
            ),
        ]
        procs.append(
            subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    results = []
    for p in procs:
        out, err = p.communicate(timeout=1800)
        if p.returncode != 0:
            raise RuntimeError(f"writer failed ({p.returncode}): {err[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    after = versions(url, app_ids)
    ok = sum(r["ok"] for r in results)
    refused = sum(r["refused"] for r in results)
    applied = sum(after[i] - before[i] for i in app_ids)
    wall = max(r["elapsed"] for r in results)
    return {
        "writers": writers,
        "updates": writers * updates,
        "ok": ok,
        "refused": refused,
        "success_share": ok / (writers * updates),
        "lost_updates": ok - applied,
        "applied": applied,
        "seconds": round(wall, 3),
        "updates_per_s": round(ok / wall, 1) if wall else None,
    }


def bench(
    url: str, files_dir: str, writer_counts: list[int], updates: int, versioned: bool
) -> list[dict]:
    app_ids = prepare(url, files_dir, max(writer_counts))
    rows = []
    for one in (True, False):
        for n in writer_counts:
            r = run(url, files_dir, app_ids, n, updates, one=one, versioned=versioned)
            r["target"] = "one application" if one else "own application"
            r["versioned"] = versioned
            rows.append(r)
            print(
                f"  {r['target']:16} N={n:2}  versioned={versioned!s:5}  ok {r['ok']}/{r['updates']} "
                f"({100 * r['success_share']:.1f}%)  lost {r['lost_updates']}  refused {r['refused']}  "
                f"{r['updates_per_s']} updates/s",
                flush=True,
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("--writers", type=int, nargs="+", default=[4, 8, 16])
    p.add_argument("--updates", type=int, default=200)
    p.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    p.add_argument(
        "--no-versioned", action="store_true", help="skip the pass with expected_version"
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(**json.loads(args.worker))))
        return 0
    figures: dict[str, list[dict]] = {}
    passes = [False] if args.no_versioned else [False, True]
    for db in args.databases:
        print(f"{db}:", flush=True)
        figures[db] = []
        for versioned in passes:
            with tempfile.TemporaryDirectory() as tmp:
                if db == "sqlite":
                    figures[db] += bench(
                        f"sqlite:///{tmp}/tracker.db",
                        f"{tmp}/files",
                        args.writers,
                        args.updates,
                        versioned,
                    )
                    continue
                name = f"siting_bench_{uuid.uuid4().hex[:12]}"
                admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                try:
                    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
                    figures[db] += bench(url, f"{tmp}/files", args.writers, args.updates, versioned)
                finally:
                    with admin.connect() as conn:
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    admin.dispose()
    out = save_results("tracker_contention", figures)
    print(f"written {out}")
    print(
        "\n| database | target | N | versioned | ok / updates | success | lost | refused | updates/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for db, rows in figures.items():
        for r in rows:
            print(
                f"| {db} | {r['target']} | {r['writers']} | {'yes' if r['versioned'] else 'no'} | "
                f"{r['ok']} / {r['updates']} | {100 * r['success_share']:.1f}% | {r['lost_updates']} | "
                f"{r['refused']} | {r['updates_per_s']} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
