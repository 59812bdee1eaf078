"""The error contract through a real server: 4xx with the field and both messages, 413, 429 with
Retry-After, and a 500 that carries a reference and never a traceback."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest

from siting.api import ApiSettings, create_app
from siting.samples.hand import hand_workspace

from .conftest import start_server


def error_of(r: httpx.Response) -> dict:
    body = r.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert {"status", "code", "field", "message", "message_fa", "message_en"} <= set(err)
    assert err["status"] == r.status_code
    assert "Traceback" not in r.text and 'File "' not in r.text
    return err


@pytest.mark.parametrize(("params", "status", "field", "code"), [
    ({"lon": "abc", "lat": "32.7", "type": "rural"}, 422, "lon", "not_a_number"),
    ({"lon": "59.5", "lat": "۳۲٫x", "type": "rural"}, 422, "lat", "not_a_number"),
    ({"lon": "200", "lat": "32.7", "type": "rural"}, 422, "lon", "out_of_range"),
    ({"lon": "59.5", "lat": "-91", "type": "rural"}, 422, "lat", "out_of_range"),
    ({"lon": "nan", "lat": "32.7", "type": "rural"}, 422, "lon", "not_a_number"),
    ({"lon": "inf", "lat": "32.7", "type": "rural"}, 422, "lon", "not_a_number"),
    ({"lat": "32.7", "type": "rural"}, 422, "lon", "missing"),
    ({"lon": "59.5", "lat": "32.7"}, 422, "type", "missing"),
    ({"lon": "59.5", "lat": "32.7", "type": "hotel"}, 422, "type", "unknown_type"),
    ({"lon": "59.5", "lat": "32.7", "type": "rural", "applicant": "robot"}, 422, "applicant", "unknown_applicant"),
    ({"lon": "61.5", "lat": "30.1", "type": "rural"}, 422, "site", "outside_region"),
    ({"lon": "32.7", "lat": "59.5", "type": "rural"}, 422, "site", "swapped"),
    ({"settlement": "ناکجاآباد", "type": "rural"}, 422, "settlement", "settlement_not_found"),
    ({"lon": "5" * 65, "lat": "32.7", "type": "rural"}, 422, "lon", "invalid"),
])
def test_bad_site_checks_name_the_field(server, params, status, field, code):
    with server.client() as c:
        r = c.get("/v1/site-check", params=params)
    assert r.status_code == status
    err = error_of(r)
    assert (err["field"], err["code"]) == (field, code)
    assert err["message"] == err["message_fa"]  # Persian by default
    assert any("\u0600" <= ch <= "\u06ff" for ch in err["message_fa"])


def test_the_language_is_chosen_by_query_or_header(server):
    params = {"lon": "32.7", "lat": "59.5", "type": "rural"}
    with server.client() as c:
        fa = error_of(c.get("/v1/site-check", params=params))
        en = error_of(c.get("/v1/site-check", params={**params, "lang": "en"}))
        header = c.get("/v1/site-check", params=params, headers={"Accept-Language": "en-GB,en;q=0.9,fa;q=0.5"})
        weighted = c.get("/v1/site-check", params=params, headers={"Accept-Language": "en;q=0.2, fa;q=0.9"})
    assert fa["message"] == fa["message_fa"] and "عوض شده" in fa["message"]
    assert en["message"] == en["message_en"] and "exchanged" in en["message"]
    assert error_of(header)["message"] == en["message_en"]
    assert header.headers["content-language"] == "en"
    assert error_of(weighted)["message"] == fa["message_fa"]


def test_unknown_paths_methods_and_bad_query_types(server):
    with server.client() as c:
        missing = c.get("/v1/no-such-thing")
        method = c.delete("/v1/offices")
        bad_h3 = c.get("/v1/gaps", params={"h3": "seven"})
        far_h3 = c.get("/v1/gaps", params={"h3": "9"})
        bad_type = c.get("/v1/offices", params={"type": "hotel"})
    assert (missing.status_code, error_of(missing)["code"]) == (404, "not_found")
    assert (method.status_code, error_of(method)["code"]) == (405, "method_not_allowed")
    assert (bad_h3.status_code, error_of(bad_h3)["field"]) == (422, "h3")
    assert (far_h3.status_code, error_of(far_h3)["code"]) == (422, "out_of_range")
    assert (bad_type.status_code, error_of(bad_type)["field"]) == (422, "type")


def test_a_body_over_the_limit_is_413_declared_or_streamed(server, world):
    big = b"{" + b" " * (1024 * 1024 + 10) + b"}"
    with server.client(world.keys["zahra"]) as c:
        declared = c.post("/v1/applications", content=big, headers={"content-type": "application/json"})

        def chunks():
            for _ in range(20):
                yield b" " * 65536

        streamed = c.post("/v1/applications", content=chunks(), headers={"content-type": "application/json"})
        ok_size = c.post("/v1/applications", content=b"{}", headers={"content-type": "application/json"})
    assert (declared.status_code, error_of(declared)["code"]) == (413, "body_too_large")
    assert "content-length" not in {k.lower() for k in streamed.request.headers if k.lower() == "content-length"}
    assert (streamed.status_code, error_of(streamed)["code"]) == (413, "body_too_large")
    assert ok_size.status_code == 422  # a small body reaches the validation (applicant_id missing)


def test_rate_limit_is_per_client_with_retry_after(tmp_path, world):
    srv = start_server(tmp_path, world.workspace, world.database_url, "--rate-limit", "1/3")
    try:
        with srv.client() as anon, srv.client(world.keys["expert1"]) as keyed:
            codes = [keyed.get("/v1/me").status_code for _ in range(3)]
            limited = keyed.get("/v1/me")
            other = anon.get("/v1/health")  # another client (its address) has its own bucket
            assert codes == [200, 200, 200]
            assert limited.status_code == 429
            err = error_of(limited)
            assert err["code"] == "rate_limited"
            wait = int(limited.headers["retry-after"])
            assert 1 <= wait <= 2
            assert other.status_code == 200
            time.sleep(wait + 0.1)
            assert keyed.get("/v1/me").status_code == 200
            # wrong keys are charged to the address too: guessing keys is limited
            guesses = [httpx.get(srv.url + "/v1/me", headers={"Authorization": f"Bearer sk_{i:012x}_{'A' * 43}"})
                       for i in range(6)]
            assert 429 in [g.status_code for g in guesses]
    finally:
        srv.stop()


def test_an_unexpected_error_is_500_with_a_reference_and_no_traceback(monkeypatch, caplog):
    import siting.rules.validate as validate

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail /srv/siting/db-password")

    monkeypatch.setattr(validate, "validate_site", broken)
    app = create_app(hand_workspace(), settings=ApiSettings(rate_per_second=0))
    caplog.set_level(logging.ERROR, logger="siting.api")

    async def calls() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
            return (await c.get("/v1/site-check", params={"lon": "59.5", "lat": "32.7", "type": "rural"}),
                    await c.get("/v1/health"))

    r, after = asyncio.run(calls())
    assert r.status_code == 500
    err = error_of(r)
    assert err["code"] == "internal_error" and len(err["reference"]) == 12
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert err["reference"] in caplog.text and "secret internal detail" in caplog.text  # logged on the server
    assert after.status_code == 200  # the server keeps serving


def test_serve_refuses_a_missing_workspace_with_one_line(tmp_path):
    from .conftest import run_cli

    status, _ = run_cli("serve", "-w", str(tmp_path / "none.gpkg"), "--port", "1")
    assert status == 2
