"""Optimisation jobs: submitted, polled and fetched through a real server (the result equals
:func:`siting.optimize.run_scenario` on the same workspace); the pool and its queue are bounded."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from siting.api.errors import ApiError
from siting.api.jobs import JobStore
from siting.errors import InputError
from siting.optimize import Scenario, run_scenario
from siting.rules import load_rules


def wait_done(client, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/optimize/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def test_a_job_is_submitted_polled_and_its_result_is_the_library_s(server, world, saved_workspace):
    with server.client(world.keys["portal"]) as c, server.client(world.keys["zahra"]) as other:
        r = c.post("/v1/optimize/jobs", json={"model": "mclp", "licence_type": "rural", "k": 1})
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["status"] in ("queued", "running", "done") and "owner" not in job
        assert r.headers["location"] == f"/v1/optimize/jobs/{job['id']}"
        assert other.get(f"/v1/optimize/jobs/{job['id']}").status_code == 404  # someone else's job
        done = wait_done(c, job["id"])
        assert done["status"] == "done" and done["params"]["k"] == 1
        result = c.get(f"/v1/optimize/jobs/{job['id']}/result").json()
        assert other.get(f"/v1/optimize/jobs/{job['id']}/result").status_code == 404
    lib = run_scenario(saved_workspace, Scenario("mclp", licence_type="rural", k=1), load_rules()).to_dict()
    assert [s["name"] for s in result["sites"]] == [s["name"] for s in lib["sites"]] == ["مود"]
    assert result["newly_covered_population"] == lib["newly_covered_population"] == 3000.0  # Mud, by hand
    assert result["generation"] == 1 and result["sample"] is True


def test_a_job_the_library_refuses_fails_with_its_reason(server, world):
    with server.client(world.keys["portal"]) as c:
        job = c.post("/v1/optimize/jobs", json={"model": "pmedian", "licence_type": "urban", "k": 1}).json()
        done = wait_done(c, job["id"])
        r = c.get(f"/v1/optimize/jobs/{job['id']}/result")
    # by hand: every urban candidate is within 1 km of U1/U2 or outside a city, so none passes the rules
    assert done["status"] == "failed"
    assert "no candidate site passes the site rules" in done["error"]["message_en"]
    assert r.status_code == 422 and r.json()["error"]["code"] == "job_failed"


NEW_MODEL_JOBS = [
    ({"model": "pcenter", "k": 1}, Scenario("pcenter", k=1)),
    ({"model": "beyond", "k": 1, "threshold": 5000, "count": "population"},
     Scenario("beyond", k=1, threshold=5000, count="population")),
    ({"model": "capacitated-pmedian", "k": 2, "capacity": 2000}, Scenario("capacitated_pmedian", k=2, capacity=2000)),
    ({"model": "capacitated_mclp", "k": 1, "capacity": 1000}, Scenario("capacitated_mclp", k=1, capacity=1000)),
    ({"model": "backup", "k": 2, "backup_primary": "first", "first_share": 0.5},
     Scenario("backup", k=2, backup_primary="first", first_share=0.5)),
    ({"model": "mclp", "k": 2, "county_floor": 0.2}, Scenario("mclp", k=2, county_floor=0.2)),
    ({"model": "pmedian", "k": 1, "fixed": ["S2"]}, Scenario("pmedian", k=1, fixed=("S2",))),
]


@pytest.mark.parametrize(("body", "scenario"), NEW_MODEL_JOBS, ids=lambda v: v["model"] if isinstance(v, dict) else "")
def test_the_new_models_run_as_jobs_with_their_parameters(server, world, saved_workspace, body, scenario):
    """Each job's result equals the library's run of the same scenario (parameters passed through)."""
    with server.client(world.keys["portal"]) as c:
        r = c.post("/v1/optimize/jobs", json={"licence_type": "rural", "time_limit": 20, **body})
        assert r.status_code == 202, r.text
        done = wait_done(c, r.json()["id"])
        result = c.get(f"/v1/optimize/jobs/{done['id']}/result").json()
    lib = run_scenario(saved_workspace, replace(scenario, time_limit=20), load_rules()).to_dict()
    assert done["status"] == "done", done
    assert result["model"] == lib["model"] == scenario.model
    assert result["status"] == lib["status"] == "optimal"
    assert result["objective"] == pytest.approx(lib["objective"])
    assert [s["name"] for s in result["sites"]] == [s["name"] for s in lib["sites"]]


@pytest.mark.parametrize(("body", "field"), [
    ({"model": "mclp", "licence_type": "rural"}, "k"),
    ({"model": "annealing", "k": 1}, "model"),
    ({"model": "mclp", "k": 0}, "k"),
    ({"model": "mclp", "k": 1000}, "k"),
    ({"model": "lscp", "share": 1.5}, "share"),
    ({"model": "mclp", "k": 1, "candidates": "/etc/passwd"}, "candidates"),
    ({"model": "mclp", "k": 1, "candidates": "h3:10"}, "candidates"),
    ({"model": "mclp", "k": 1, "time_limit": 100000}, "time_limit"),
    ({"model": "mclp", "k": 1, "licence_type": "hotel"}, "licence_type"),
    ({"model": "mclp", "k": 1, "costs": "od.csv"}, "costs"),
    ({"model": "pcenter", "licence_type": "rural"}, "k"),
    ({"model": "beyond", "k": 1}, "threshold"),
    ({"model": "beyond", "k": 1, "threshold": -5}, "threshold"),
    ({"model": "beyond", "k": 1, "threshold": 5000, "count": "houses"}, "count"),
    ({"model": "capacitated_pmedian", "k": 1, "capacity": 0}, "capacity"),
    ({"model": "capacitated-mclp", "k": 1, "capacity": 1e12}, "capacity"),
    ({"model": "pmedian", "k": 1, "capacity": 500}, "capacity"),
    ({"model": "backup", "k": 1, "first_share": 1.2}, "first_share"),
    ({"model": "backup", "k": 1, "backup_primary": "second"}, "backup_primary"),
    ({"model": "pcenter", "k": 1, "first_share": 0.5}, "first_share"),
    ({"model": "mclp", "k": 1, "county_floor": 0}, "county_floor"),
    ({"model": "pmedian", "k": 1, "county_floor": 0.5}, "county_floor"),
    ({"model": "pcenter", "k": 1, "method": "greedy"}, "method"),
    ({"model": "lscp", "k": 2}, "k"),
    ({"model": "mclp", "k": 1, "share": 0.5}, "share"),
    ({"model": "beyond", "k": 1, "threshold": 5000, "capacity": 10}, "capacity"),
    ({"model": "mclp", "k": 1, "fixed": [f"S{i}" for i in range(51)]}, "fixed"),
    ({"model": "mclp", "k": 1, "fixed": ["S" * 65]}, "fixed.0"),
    ({"model": "mclp", "k": 1, "fixed": "S2"}, "fixed"),
])
def test_bad_jobs_are_refused_before_they_queue(server, world, body, field):
    with server.client(world.keys["portal"]) as c:
        r = c.post("/v1/optimize/jobs", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_unknown_job_ids_are_404_and_never_paths(server, world):
    with server.client(world.keys["portal"]) as c:
        for job_id in ("nope", "..%2F..%2Fetc%2Fpasswd", "A" * 22):
            r = c.get(f"/v1/optimize/jobs/{job_id}")
            assert r.status_code == 404, job_id
    with server.client() as anon:
        assert anon.post("/v1/optimize/jobs", json={"model": "mclp", "k": 1}).status_code == 401


def test_the_pool_and_queue_are_bounded_and_failures_are_reported(tmp_path):
    store = JobStore(tmp_path, workers=1, queue=1)
    release = threading.Event()

    def slow() -> dict:
        release.wait(10)
        return {"answer": 42}

    def bad() -> dict:
        raise InputError("k: too many sites for the candidates", source="k")

    try:
        first = store.submit("ana", {}, slow)
        second = store.submit("ana", {}, bad)
        with pytest.raises(ApiError) as full:
            store.submit("ana", {}, slow)
        assert full.value.status == 503 and full.value.headers["Retry-After"] == "30"
        with pytest.raises(ApiError) as not_ready:
            store.result(first["id"], "ana")
        assert not_ready.value.status == 409
        release.set()
        deadline = time.monotonic() + 10
        while store.get(second["id"], "ana")["status"] != "failed" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert store.result(first["id"], "ana") == b'{"answer":42}'
        failed = store.get(second["id"], "ana")
        assert failed["error"] == {"field": "k", "message_en": "k: too many sites for the candidates",
                                   "message_fa": "اجرای کار ناموفق بود: k: too many sites for the candidates"}
        with pytest.raises(ApiError) as refused:
            store.result(second["id"], "ana")
        assert (refused.value.status, refused.value.field) == (422, "k")
        third = store.submit("ana", {}, lambda: {"ok": True})  # room again once the others finished
        assert third["status"] == "queued"
        with pytest.raises(ApiError) as foreign:
            store.get(first["id"], "bob")
        assert foreign.value.status == 404
    finally:
        release.set()
        store.close()


def test_with_two_workers_any_worker_answers_a_poll(tmp_path, world):
    from .conftest import start_server

    srv = start_server(tmp_path, world.workspace, world.database_url, "--workers", "2", "--rate-limit", "0")
    try:
        with srv.client(world.keys["portal"]) as c:
            job = c.post("/v1/optimize/jobs", json={"model": "mclp", "licence_type": "rural", "k": 1}).json()
            polls = []
            for _ in range(20):  # new connections: the kernel spreads them over both workers
                with srv.client(world.keys["portal"]) as fresh:
                    polls.append(fresh.get(f"/v1/optimize/jobs/{job['id']}").status_code)
            assert polls == [200] * 20
            done = wait_done(c, job["id"])
            assert done["status"] == "done", done
            assert [x["name"] for x in c.get(f"/v1/optimize/jobs/{job['id']}/result").json()["sites"]] == ["مود"]
    finally:
        srv.stop()


def test_old_jobs_are_swept(tmp_path):
    import os

    store = JobStore(tmp_path, workers=1, queue=1, keep_seconds=3600)
    try:
        job = store.submit("ana", {}, lambda: {"ok": 1})
        deadline = time.monotonic() + 10
        while store.get(job["id"], "ana")["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        files = sorted(p.name for p in tmp_path.glob("*.json"))
        assert files == sorted([f"{job['id']}.json", f"{job['id']}.result.json"])
        assert store.sweep(now=time.time() + 60) == 0  # young: kept
        for p in tmp_path.glob("*.json"):
            os.utime(p, (time.time() - 7200, time.time() - 7200))
        assert store.sweep() == 2
        with pytest.raises(ApiError) as gone:
            store.get(job["id"], "ana")
        assert gone.value.status == 404
    finally:
        store.close()


def test_serve_options_and_settings_from_the_environment():
    import argparse

    from siting.api.settings import ApiSettings
    from siting.cli.serve import _rate

    assert _rate("20/40") == (20.0, 40) and _rate("5") == (5.0, 10) and _rate("0") == (0.0, 1)
    for bad in ("abc", "-1/2", "3/0", "nan"):
        with pytest.raises(argparse.ArgumentTypeError):
            _rate(bad)
    s = ApiSettings.from_env({"SITING_API_RATE_PER_SECOND": "0", "SITING_API_JOB_QUEUE": "9",
                              "SITING_API_TRUST_FORWARDED_FOR": "1", "SITING_API_JOBS_DIR": "/tmp/j"})
    assert (s.rate_per_second, s.job_queue, s.trust_forwarded_for, s.jobs_dir) == (0.0, 9, True, "/tmp/j")
    assert ApiSettings.from_env(s.to_env()) == s
    with pytest.raises(InputError, match="SITING_API_JOB_QUEUE"):
        ApiSettings.from_env({"SITING_API_JOB_QUEUE": "many"})
    with pytest.raises(InputError, match="job_workers"):
        ApiSettings(job_workers=0)
