"""A new workspace generation is served without a restart; and a contract test generated from the
OpenAPI document: every path, with valid and with hostile parameters, never answers 5xx and every
error has the contract's shape."""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx

from siting.workspace import Workspace

from .conftest import start_server


def test_a_new_generation_is_served_without_restart(tmp_path, world, fresh_workspace):
    srv = start_server(tmp_path, fresh_workspace, None, "--rate-limit", "0",
                       env={"SITING_API_RELOAD_INTERVAL": "0.2"})
    try:
        with srv.client() as c:
            assert c.get("/v1/health").json()["generation"] == 1
            before = c.get("/v1/site-check", params={"lon": "59.36", "lat": "32.90", "type": "rural"}).json()
            assert {f["properties"]["office_id"] for f in c.get("/v1/offices").json()["features"]} == \
                {"U1", "U2", "R1", "R2"}
            cov = c.get("/v1/coverage").json()
            assert cov["covered_population"] == 207_500
            # the data steward imports a register without R1 (a new generation of the file)
            ws = Workspace.load(fresh_workspace)
            ws.with_layer("offices", ws.offices[ws.offices["office_id"] != "R1"].reset_index(drop=True)).save(
                fresh_workspace)
            deadline = time.monotonic() + 20
            while c.get("/v1/health").json()["generation"] != 2:
                assert time.monotonic() < deadline, srv.log_text()
                time.sleep(0.1)
            assert {f["properties"]["office_id"] for f in c.get("/v1/offices").json()["features"]} == \
                {"U1", "U2", "R2"}
            assert "now serving generation 2" in srv.log_text()
            after = c.get("/v1/site-check", params={"lon": "59.36", "lat": "32.90", "type": "rural"})
            assert after.headers["x-siting-generation"] == "2"
            # the cached answer of generation 1 is not reused: R1 was 1 km away, now no active rural office
            near = {r["id"]: r for r in before["rules"]}["min_distance_same_type"]
            assert near["status"] == "fail" and near["value"] < 1_000
            now = {r["id"]: r for r in after.json()["rules"]}["min_distance_same_type"]
            assert now["status"] == "pass" and now["value"] is None
            # Nowferest (1,500) lost its rural office and is not within 3 km of an urban one
            assert c.get("/v1/coverage").json()["covered_population"] == 207_500 - 1_500
    finally:
        srv.stop()


HOSTILE = ["", "-1", "999999999999999999999", "nan", "۱۲۳", "' OR 1=1 --", "../../etc/passwd", "\u202e\u200c",
           "A" * 300, "%00", "{}", "1e309"]


def _valid(param: dict) -> str:
    schema = param.get("schema", {})
    options = [s for s in schema.get("anyOf", [schema])]
    for s in options:
        if "enum" in s:
            return str(s["enum"][0])
        if s.get("type") == "integer":
            return "6" if param["name"] == "h3" else "1"
    return {"type": "rural", "lon": "59.52", "lat": "32.72", "settlement": "مود", "applicant": "natural"}.get(
        param["name"], "x")


def _check(r: httpx.Response, where: str) -> None:
    assert r.status_code < 500, f"{where}: {r.status_code} {r.text[:300]}"
    if r.status_code >= 400:
        err = r.json()["error"]
        assert err["status"] == r.status_code and err["message_fa"] and err["message_en"], where
        assert "Traceback" not in r.text, where


def test_every_path_of_the_openapi_document_answers_without_5xx(server, world):
    with server.client() as anon:
        doc = anon.get("/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert set(paths) == {"/v1/health", "/v1/offices", "/v1/settlements", "/v1/coverage", "/v1/gaps",
                          "/v1/site-check", "/v1/rules", "/v1/me", "/v1/applicants", "/v1/applications",
                          "/v1/applications/{application_id}", "/v1/applications/{application_id}/site-check",
                          "/v1/optimize/jobs", "/v1/optimize/jobs/{job_id}", "/v1/optimize/jobs/{job_id}/result"}
    calls = 0
    for key in (None, world.keys["expert1"], world.keys["zahra"]):
        with server.client(key) as c:
            for path, ops in paths.items():
                for method, op in ops.items():
                    params = op.get("parameters", [])
                    valid = {p["name"]: _valid(p) for p in params}
                    variants = [valid]
                    for p in params:
                        variants += [{**valid, p["name"]: bad} for bad in HOSTILE]
                    for values in variants:
                        url = path
                        query = {}
                        for p in params:
                            if p["in"] == "path":
                                url = url.replace("{" + p["name"] + "}", quote(values[p["name"]], safe="") or "0")
                            else:
                                query[p["name"]] = values[p["name"]]
                        if method == "get":
                            r = c.get(url, params=query)
                        else:
                            for body in (None, b"", b"[]", b"null", b'{"applicant_id": -1}', "{\"k\": \"۱\"}".encode()):
                                r = c.request(method.upper(), url, params=query, content=body,
                                              headers={"content-type": "application/json"})
                                _check(r, f"{method} {url} {body!r}")
                                calls += 1
                        _check(r, f"{method} {url} {query}")
                        calls += 1
    assert calls > 500
