"""Benchmark of the application tracker on SQLite and PostgreSQL.

For each database:

1. write 10,000 applications with their steps (and applicants, people, site
   validation reports, audit entries) in bulk, at realistic stages of the
   workflow: drafts, submitted, on the working group's agenda, in the
   licensing steps, licensed, rejected;
2. write 200 more applications through the public API, each taken from the
   request to the agenda (create applicant, create application with site
   validation, read the principles, submit with validation, intake): the cost
   of real use, on top of the 10,000;
3. read the working group's agenda (``Tracker.agenda``: the pending proposals
   with their site validation summary and map coordinates) several times and
   report the median (goal: under 200 ms), and the directorate's queue.

Data is synthetic: sites spread over the hand-built test workspace
(:func:`siting.samples.hand.hand_workspace`). PostgreSQL runs in a uniquely named
database created and dropped here (``$SITING_TEST_PG_URL`` or
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``).

    .venv/bin/python benchmarks/bench_tracker.py [--applications 10000] [--reads 15] [--api 200]

Prints the figures and writes ``benchmarks/results/tracker.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from siting.rules import load_rules
from siting.rules.validate import validate_site
from siting.samples.hand import hand_workspace
from siting.tracker import (
    ApplicantInput,
    Identity,
    PasswordPolicy,
    PersonInput,
    SiteInput,
    Tracker,
    TrackerSettings,
    load_workflow,
)
from siting.tracker import models as m
from siting.tracker.applications import validation_summary
from siting.tracker.db import make_engine
from siting.tracker.migrate import upgrade

ROOT = Path(__file__).resolve().parent
PG_ADMIN_URL = os.environ.get("SITING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "benchmark passphrase"
# share of applications by stage (the rest are licensed)
STAGES = (("draft", 0.08), ("submitted", 0.05), ("under_review", 0.15), ("approved", 0.42), ("rejected", 0.05))


def national_id(seed: int) -> str:
    base = f"{(123456789 + seed * 104729) % 10**9:09d}"
    if int(base[3:]) == 0:
        base = base[:8] + "1"
    r = sum(int(base[i]) * (10 - i) for i in range(9)) % 11
    return base + str(r if r < 2 else 11 - r)


def sites(n: int, rng: random.Random) -> list[tuple[float, float]]:
    """Points over the hand workspace, clustered around its settlements as real proposals are."""
    centres = [(59.22, 32.87), (59.52, 32.71), (59.30, 32.95), (58.89, 32.78), (58.50, 33.50)]
    out = []
    for _ in range(n):
        cx, cy = rng.choice(centres)
        out.append((round(cx + rng.gauss(0, 0.08), 5), round(cy + rng.gauss(0, 0.08), 5)))
    return out


def bulk_load(t: Tracker, n: int, seed: int = 7) -> dict[str, object]:
    """Write ``n`` applications with their steps, as the library would have left them."""
    rng = random.Random(seed)
    wf, ws, rules = t.workflow, t.workspace, t.rules
    now = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    order = wf.steps_for("new")
    for i, s in enumerate(order):  # file order is a valid order of work (each step's needs come first)
        assert all(order.index(wf.step(nd)) < i for nd in s.needs if wf.step(nd) in order), s.id
    reports: dict[tuple[float, float, str], dict] = {}
    t0 = time.perf_counter()
    with t.engine.begin() as conn:
        users = [{"username": f"applicant{i}", "display_name": f"applicant {i}", "role": "applicant",
                  "password_hash": None, "active": True, "created_at": now, "version": 1} for i in range(200)]
        conn.execute(insert(m.User), users)
        first_user = conn.execute(text("SELECT min(id) FROM users WHERE username LIKE 'applicant%'")).scalar()
    counts = {"applications": 0, "steps": 0, "site_validations": 0}
    batch = 1000
    for start in range(0, n, batch):
        size = min(batch, n - start)
        points = sites(size, rng)
        with t.engine.begin() as conn:
            applicants, people = [], []
            for k in range(size):
                i = start + k
                applicants.append({"owner_id": first_user + i % 200, "kind": "natural", "name": f"متقاضی {i}",
                                   "national_id": national_id(10_000_000 + i), "created_at": now, "updated_at": now,
                                   "version": 1})
            ids = [r[0] for r in conn.execute(insert(m.Applicant).returning(m.Applicant.id), applicants)]
            for k, aid in enumerate(ids):
                people.append({"applicant_id": aid, "role": "applicant", "full_name": applicants[k]["name"],
                               "national_id": applicants[k]["national_id"], "education": "bachelor",
                               "government_employee": False, "on_board": False, "signatory": False,
                               "military_exempt": False})
            conn.execute(insert(m.Person), people)
            apps, plans = [], []
            for k, aid in enumerate(ids):
                lon, lat = points[k]
                ltype = "urban" if rng.random() < 0.2 else "rural"
                key = (lon, lat, ltype)
                if key not in reports:
                    rep = validate_site(ws, rules, licence_type=ltype, lon=lon, lat=lat, applicant_type="natural")
                    reports[key] = {"report": rep.to_dict(), "summary": validation_summary(rep)}
                stage = _stage(rng)
                submitted = now - timedelta(days=rng.randint(1, 400))
                summary = reports[key]["summary"]
                apps.append({"applicant_id": aid, "licence_type": ltype, "request_type": "new", "status": stage,
                             "round": 1, "site_lon": lon, "site_lat": lat, "address": f"نشانی {start + k}",
                             "map_not_found": False, "county": summary["county"],
                             "validation_status": summary["status"], "validation_summary": summary,
                             "validated_at": submitted, "submitted_at": None if stage == "draft" else submitted,
                             "created_at": submitted, "updated_at": submitted, "version": 5, "details": {}})
                plans.append((stage, ltype, submitted, key))
            app_ids = [r[0] for r in conn.execute(insert(m.Application).returning(m.Application.id), apps)]
            steps, validations, audits = [], [], []
            for app_id, (stage, ltype, submitted, key) in zip(app_ids, plans, strict=True):
                steps.extend(_steps(wf, app_id, stage, ltype, submitted, reports[key]["summary"]["county"], rng))
                validations.append({"application_id": app_id, "run_at": submitted, "lon": key[0], "lat": key[1],
                                    "address": None, "status": reports[key]["summary"]["status"],
                                    "report": reports[key]["report"]})
                audits.append({"at": submitted, "user_id": None, "username": "benchmark", "role": "admin",
                               "action": "application_created", "entity": "application", "entity_id": app_id,
                               "application_id": app_id, "details": {"bulk": True}})
            conn.execute(insert(m.Step), steps)
            conn.execute(insert(m.SiteValidation), validations)
            conn.execute(insert(m.AuditEntry), audits)
            counts["applications"] += len(app_ids)
            counts["steps"] += len(steps)
            counts["site_validations"] += len(validations)
    counts["seconds"] = round(time.perf_counter() - t0, 2)
    counts["distinct_validations_run"] = len(reports)
    return counts


def _stage(rng: random.Random) -> str:
    x = rng.random()
    for stage, share in STAGES:
        if x < share:
            return stage
        x -= share
    return "licensed"


def _steps(wf, app_id, stage, ltype, at, county, rng):
    """Step rows of an application at ``stage``: everything before the current point done (or
    skipped where it does not apply), the current step ready, later ones waiting."""
    order = [s for s in wf.steps_for("new")]
    phases = {"draft": "request", "submitted": "intake", "under_review": "review", "approved": "licensing",
              "rejected": "review", "licensed": "after_licence"}
    phase = phases[stage]
    created = [s for s in order if s.phase in ("request", "intake", "review")
               or stage in ("approved", "licensed")]
    in_phase = [i for i, s in enumerate(created) if s.phase == phase]
    if stage == "approved":
        current = rng.choice(in_phase[:-1])  # somewhere in the fourteen steps
    elif stage == "licensed":
        current = rng.choice(in_phase)
    else:
        current = in_phase[0]
    rows = []
    for i, s in enumerate(created):
        applies = wf.applies(s, ltype, "natural")
        if not applies:
            state = "skipped"
        elif i < current or (stage == "rejected" and s.phase != "licensing" and i <= current):
            state = "done"
        elif i == current:
            state = "ready"
        else:
            state = "waiting"
        rows.append({"application_id": app_id, "step_id": s.id, "round": 1, "phase": s.phase, "state": state,
                     "actor": wf.actor_for(s, county), "ready_at": at if state in ("ready", "done") else None,
                     "due_on": (at + timedelta(days=s.due_days)).date() if state == "ready" and s.due_days else None,
                     "completed_at": at if state == "done" else None, "completed_by": None, "notes": None,
                     "data": {}, "deficiencies": []})
    return rows


def median_ms(fn, reads: int) -> tuple[float, list[float], object]:
    fn()  # warm the caches once
    times, result = [], None
    for _ in range(reads):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times, result


def api_writes(t: Tracker, n: int, staff: dict) -> dict[str, float]:
    """Take ``n`` applications from the request to the agenda through the public API."""
    rng = random.Random(99)
    per_app: list[float] = []
    per_call: dict[str, list[float]] = {}
    admin = staff["admin"]
    for i in range(n):
        t.create_user(admin, f"api{i}", PASSWORD, "applicant")
    applicants = [t.authenticate(f"api{i}", PASSWORD) for i in range(n)]
    for i, who in enumerate(applicants):
        lon, lat = sites(1, rng)[0]
        nid = national_id(20_000_000 + i)

        def timed(fn, *a, **k):
            t0 = time.perf_counter()
            out = fn(*a, **k)
            name = fn.__name__ + (f"({a[2]})" if fn.__name__ == "complete_step" else "")
            per_call.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
            return out

        t0 = time.perf_counter()
        a = timed(t.create_applicant, who, ApplicantInput("natural", f"api {i}", nid, (
            PersonInput(f"api {i}", nid, "bachelor", False),)))
        app = timed(t.create_application, who, a.id, "rural", "new", site=SiteInput(lon=lon, lat=lat))
        timed(t.complete_step, who, app.id, "principles", expected_version=app.version)
        v = t.get_application(who, app.id).application.version
        v = timed(t.submit, who, app.id, expected_version=v).version
        timed(t.complete_step, staff["expert"], app.id, "intake", expected_version=v)
        per_app.append((time.perf_counter() - t0) * 1000)
    return {"applications": n, "median_ms_per_application": round(statistics.median(per_app), 1),
            "median_ms_per_call": {k: round(statistics.median(v), 1) for k, v in per_call.items()}}


def loaded_tracker(url: str, files: Path, workspace=None) -> tuple[Tracker, dict[str, Identity]]:
    """A migrated, empty tracker at ``url`` with the staff accounts ``admin``, ``expert`` and ``wg``
    (working-group member; password :data:`PASSWORD`), validating sites on ``workspace`` (the
    hand-built test workspace unless given); fill it with :func:`bulk_load`."""
    engine = make_engine(url)
    upgrade(engine)
    t = Tracker(TrackerSettings(url=url, files_dir=files, password_policy=PasswordPolicy.fast()),
                workflow=load_workflow(), rules=load_rules(),
                workspace=hand_workspace() if workspace is None else workspace, engine=engine)
    admin = t.bootstrap_admin("admin", PASSWORD)
    for name, role in (("expert", "expert"), ("wg", "wg_member")):
        t.create_user(admin, name, PASSWORD, role)
    return t, {"admin": admin, "expert": t.authenticate("expert", PASSWORD), "wg": t.authenticate("wg", PASSWORD)}


def run(label: str, url: str, n: int, reads: int, api_n: int, files: Path) -> dict[str, object]:
    t, staff = loaded_tracker(url, files)
    engine = t.engine
    print(f"[{label}] writing {n:,} applications with their steps ...", flush=True)
    loaded = bulk_load(t, n)
    print(f"[{label}]   {loaded['applications']:,} applications, {loaded['steps']:,} steps in {loaded['seconds']} s",
          flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(f"[{label}] {api_n} more applications through the public API ...", flush=True)
    api = api_writes(t, api_n, staff)
    calls = ", ".join(f"{k} {v}" for k, v in api["median_ms_per_call"].items())
    print(f"[{label}]   median {api['median_ms_per_application']} ms per application (medians per call, ms: "
          f"{calls})", flush=True)
    agenda_ms, agenda_all, agenda = median_ms(lambda: t.agenda(staff["wg"]), reads)
    geo_ms, _, geo = median_ms(lambda: t.agenda(staff["wg"]).to_geojson(), reads)
    queue_ms, _, queue = median_ms(lambda: t.queue(staff["expert"]), reads)
    detail_id = agenda.items[len(agenda.items) // 2].application_id
    detail_ms, _, _ = median_ms(lambda: t.get_application(staff["wg"], detail_id), reads)
    t.close()
    out = {
        "database": label, "applications": loaded["applications"] + api_n, "steps": loaded["steps"],
        "bulk_write_seconds": loaded["seconds"], "api": api,
        "agenda_items": len(agenda.items), "agenda_median_ms": round(agenda_ms, 1),
        "agenda_reads_ms": [round(x, 1) for x in agenda_all],
        "agenda_with_geojson_median_ms": round(geo_ms, 1), "geojson_features": len(geo["features"]),
        "queue_items": len(queue.items), "queue_median_ms": round(queue_ms, 1),
        "application_detail_median_ms": round(detail_ms, 1), "reads": reads,
        "goal_agenda_ms": 200, "goal_met": agenda_ms < 200,
    }
    print(f"[{label}] agenda: {out['agenda_items']:,} pending proposals, median {out['agenda_median_ms']} ms "
          f"over {reads} reads (goal < 200 ms: {'met' if out['goal_met'] else 'NOT met'}); with GeoJSON "
          f"{out['agenda_with_geojson_median_ms']} ms; directorate queue ({out['queue_items']:,} steps) "
          f"{out['queue_median_ms']} ms; one application's page {out['application_detail_median_ms']} ms", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--applications", type=int, default=10_000)
    p.add_argument("--reads", type=int, default=15)
    p.add_argument("--api", type=int, default=200, help="applications written through the public API")
    p.add_argument("--skip-postgres", action="store_true")
    args = p.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.applications, args.reads,
                           args.api, Path(tmp) / "files-sqlite"))
        if not args.skip_postgres:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            name = f"siting_bench_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            try:
                results.append(run("postgresql", PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", args.applications,
                                   args.reads, args.api, Path(tmp) / "files-pg"))
            finally:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()
    if len(results) == 2:
        ratio = results[1]["agenda_median_ms"] / results[0]["agenda_median_ms"]
        print(f"agenda median, PostgreSQL / SQLite: {ratio:.2f}")
    out_dir = ROOT / "results"
    out_dir.mkdir(exist_ok=True)
    payload = {"benchmark": "tracker", "when": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                           "cpus": os.cpu_count()},
               "command": "python benchmarks/bench_tracker.py " + " ".join(argv or sys.argv[1:]),
               "results": results}
    (out_dir / "tracker.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"figures written to {out_dir / 'tracker.json'}")
    return 0 if all(r["goal_met"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
