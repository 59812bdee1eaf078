"""API keys and the tracker through a real server: 401 without a valid key, 403 where the role may not,
applications created and read through the tracker's own functions, a site check attached, every write
and every key created or revoked in the hash-chained audit trail, naming the key."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from siting.rules import load_rules
from siting.rules.validate import validate_site
from siting.tracker import make_engine
from siting.tracker import models as m
from siting.tracker.apikeys import key_hash
from siting.tracker.audit import verify_chain

from .conftest import ADMIN_PASSWORD, national_id, run_cli


def audit_rows(world, **where) -> list[m.AuditEntry]:
    engine = make_engine(world.database_url)
    try:
        with Session(engine) as s:
            q = select(m.AuditEntry).order_by(m.AuditEntry.seq)
            for k, v in where.items():
                q = q.where(getattr(m.AuditEntry, k) == v)
            return list(s.scalars(q))
    finally:
        engine.dispose()


def test_keys_are_stored_hashed_and_their_creation_audited(world):
    engine = make_engine(world.database_url)
    try:
        with Session(engine) as s:
            rows = {k.key_id: k for k in s.scalars(select(m.ApiKey))}
    finally:
        engine.dispose()
    key = world.keys["zahra"]
    row = rows[world.key_ids["zahra"]]
    assert row.key_hash == key_hash(key) and key not in (row.key_hash, row.key_id, row.label)
    assert len(key) == len("sk_") + 12 + 1 + 43
    created = [r for r in audit_rows(world, action="api_key_created") if r.details["key_id"] == row.key_id]
    assert len(created) == 1 and created[0].username == "admin" and created[0].details["for_user"] == "zahra"
    portal = audit_rows(world, action="user_created")
    assert any(r.details.get("username") == "portal" and r.details.get("role") == "expert" for r in portal)


@pytest.mark.parametrize("header", [None, "Bearer", "Basic YWRtaW46cGFzcw==", "Bearer sk_nothing",
                                    "Bearer sk_000000000000_" + "A" * 43])
def test_no_valid_key_is_401(server, header):
    headers = {"Authorization": header} if header else {}
    with server.client() as c:
        r = c.get("/v1/me", headers=headers)
        post = c.post("/v1/applications", json={"applicant_id": 1, "licence_type": "rural"}, headers=headers)
    for resp in (r, post):
        assert resp.status_code == 401
        assert resp.headers["www-authenticate"].startswith("Bearer")
        err = resp.json()["error"]
        assert err["field"] == "Authorization" and err["message_fa"] and err["message_en"]


def test_a_key_acts_as_its_account(server, world):
    with server.client(world.keys["portal"]) as c:
        me = c.get("/v1/me").json()
    assert me == {"username": "portal", "role": "expert", "display_name": "tests: portal",
                  "key_id": world.key_ids["portal"]}


def test_create_read_and_attach_a_site_check(server, world, saved_workspace):
    site = {"lon": "۵۹٫۵۲", "lat": "۳۲٫۷۲", "address": "روستای مود"}
    with server.client(world.keys["zahra"]) as zahra, server.client(world.keys["reza"]) as reza, \
            server.client(world.keys["expert1"]) as expert, server.client(world.keys["steward"]) as steward:
        r = zahra.post("/v1/applications", json={"applicant_id": world.applicant_id, "licence_type": "روستایی",
                                                 "request_type": "new", "site": site})
        assert r.status_code == 201, r.text
        app = r.json()
        app_id = app["id"]
        assert r.headers["location"] == f"/v1/applications/{app_id}"
        assert (app["licence_type"], app["status"], app["applicant_id"]) == ("rural", "draft", world.applicant_id)
        assert (app["site"]["lon"], app["site"]["lat"]) == (59.52, 32.72)
        assert app["county"] == "بیرجند"

        mine = zahra.get("/v1/applications").json()["applications"]
        assert [a["application"]["id"] for a in mine] == [app_id]
        detail = zahra.get(f"/v1/applications/{app_id}").json()
        assert detail["application"]["id"] == app_id and detail["applicant"]["name"] == "زهرا رضایی"
        lib = validate_site(saved_workspace, load_rules(), licence_type="rural", lon=59.52, lat=32.72,
                            applicant_type="natural")
        assert detail["validation"]["status"] == lib.status
        assert detail["validation"]["newly_covered_population"] == lib.newly_covered_population == 3_000

        # another applicant's key: the same answer as for a record that does not exist elsewhere
        other = reza.get(f"/v1/applications/{app_id}")
        assert other.status_code == 403 and "زهرا" not in other.text
        assert reza.post(f"/v1/applications/{app_id}/site-check", json={"site": site}).status_code == 403
        assert reza.post("/v1/applications", json={"applicant_id": world.applicant_id,
                                                   "licence_type": "rural"}).status_code == 403
        # a data steward reads no applications
        assert steward.get(f"/v1/applications/{app_id}").status_code == 403
        assert expert.get("/v1/applications/999999").status_code == 404

        # the applicant moves the site: validated again and kept with the application
        moved = zahra.post(f"/v1/applications/{app_id}/site-check",
                           json={"site": {"lon": 59.3, "lat": 32.95, "address": "نوفرست"}, "expected_version": 1})
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert (body["validation"]["lon"], body["validation"]["lat"]) == (59.3, 32.95)
        near = validate_site(saved_workspace, load_rules(), licence_type="rural", lon=59.3, lat=32.95)
        assert body["validation"]["rules"][1]["id"] == "min_distance_same_type"
        assert body["validation"]["rules"][1]["value"] == near.rule("min_distance_same_type").value
        # by hand: R1 (59.35, 32.90) is 7.3 km away (over the 5 km minimum); the only settlement within
        # 10 km, Nowferest, is already covered by R1, so nothing is newly covered and the site fails
        rules = {r["id"]: r for r in body["validation"]["rules"]}
        assert rules["min_distance_same_type"]["status"] == "pass"
        assert 7_000 < rules["min_distance_same_type"]["value"] < 7_600
        assert (rules["min_uncovered_population"]["status"], rules["min_uncovered_population"]["value"]) == ("fail", 0)
        assert body["validation"]["status"] == near.status == "fail"
        stale = zahra.post(f"/v1/applications/{app_id}/site-check",
                           json={"site": {"lon": 59.31, "lat": 32.95}, "expected_version": 1})
        assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
        # re-validation without a site is the staff's: the applicant may not, the expert may
        assert zahra.post(f"/v1/applications/{app_id}/site-check").status_code == 403
        again = expert.post(f"/v1/applications/{app_id}/site-check")
        assert again.status_code == 200 and again.json()["validation"]["lon"] == 59.3

    created = [r for r in audit_rows(world, action="application_created") if r.entity_id == app_id]
    assert created[0].username == "zahra" and created[0].details["via"] == f"api_key:{world.key_ids['zahra']}"
    changed = [r for r in audit_rows(world, action="site_changed") if r.entity_id == app_id]
    assert changed and changed[0].details["via"] == f"api_key:{world.key_ids['zahra']}"
    revalidated = [r for r in audit_rows(world, action="site_revalidated") if r.entity_id == app_id]
    assert revalidated[0].username == "expert1"
    assert revalidated[0].details["via"] == f"api_key:{world.key_ids['expert1']}"
    engine = make_engine(world.database_url)
    try:
        assert verify_chain(engine).ok
    finally:
        engine.dispose()


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"licence_type": "rural"}, 422, "applicant_id"),
    ({"applicant_id": "one", "licence_type": "rural"}, 422, "applicant_id"),
    ({"applicant_id": 1, "licence_type": "hotel"}, 422, "licence_type"),
    ({"applicant_id": 1, "licence_type": "rural", "request_type": "party"}, 422, "request_type"),
    ({"applicant_id": 1, "licence_type": "rural", "colour": "red"}, 422, "colour"),
    ({"applicant_id": 1, "licence_type": "rural", "site": {"lon": "x", "lat": "32"}}, 422, "site"),
    ({"applicant_id": 1, "licence_type": "rural", "site": {"lon": 59.5}}, 422, "site"),
    ({"applicant_id": 1, "licence_type": "rural", "site": {"address": "x\x00y", "map_not_found": True}}, 422,
     "site.address"),
])
def test_bad_application_bodies_name_the_field(server, world, body, status, field):
    with server.client(world.keys["zahra"]) as c:
        r = c.post("/v1/applications", json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["field"] == field
    assert err["message_fa"] and err["message_en"] and "Traceback" not in r.text


def test_a_body_that_is_not_json_is_400(server, world):
    with server.client(world.keys["zahra"]) as c:
        r = c.post("/v1/applications", content=b"{not json", headers={"content-type": "application/json"})
        deep = c.post("/v1/applications", content=b'{"a":' * 5000 + b"1" + b"}" * 5000,
                      headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_json"
    assert deep.status_code == 400 and deep.json()["error"]["field"] == "body"
    assert deep.json()["error"]["message_fa"] == "بدنهٔ درخواست خوانده نشد"


def test_a_revoked_key_stops_at_once_and_revoking_is_audited(server, world):
    key, key_id = world.new_key("reza")
    with server.client(key) as c:
        assert c.get("/v1/me").status_code == 200
        status, out = run_cli("tracker", "revoke-api-key", key_id, "--as", "admin", "--database-url",
                              world.database_url, env={"SITING_TRACKER_PASSWORD": ADMIN_PASSWORD})
        assert status == 0 and key_id in out
        r = c.get("/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    revoked = [x for x in audit_rows(world, action="api_key_revoked") if x.details["key_id"] == key_id]
    assert len(revoked) == 1 and revoked[0].username == "admin"
    status, out = run_cli("tracker", "list-api-keys", "--as", "admin", "--database-url", world.database_url,
                          "--json", env={"SITING_TRACKER_PASSWORD": ADMIN_PASSWORD})
    listed = {k["key_id"]: k for k in json.loads(out)}
    assert listed[key_id]["revoked_at"] is not None and listed[world.key_ids["zahra"]]["revoked_at"] is None
    assert key not in out
    # revoking twice is refused with a reason; a wrong administrator password is refused
    status, _ = run_cli("tracker", "revoke-api-key", key_id, "--as", "admin", "--database-url",
                        world.database_url, env={"SITING_TRACKER_PASSWORD": ADMIN_PASSWORD})
    assert status == 2
    status, _ = run_cli("tracker", "create-api-key", "--user", "zahra", "--as", "admin", "--database-url",
                        world.database_url, env={"SITING_TRACKER_PASSWORD": "wrong"})
    assert status == 2


def test_a_deactivated_account_s_key_stops(server, world):
    key, _ = world.new_key("temp-bot", role="expert")
    t = world.tracker()
    try:
        admin = t.authenticate("admin", ADMIN_PASSWORD)
        with server.client(key) as c:
            assert c.get("/v1/me").status_code == 200
            user = next(u for u in t.list_users(admin) if u.username == "temp-bot")
            t.set_user_active(admin, user.id, False)
            assert c.get("/v1/me").status_code == 401
    finally:
        t.close()


def test_only_an_administrator_issues_keys(world):
    status, _ = run_cli("tracker", "create-api-key", "--user", "zahra", "--as", "expert1", "--database-url",
                        world.database_url, env={"SITING_TRACKER_PASSWORD": "api test user passphrase"})
    assert status == 2
    status, _ = run_cli("tracker", "create-api-key", "--user", "zahra", "--role", "expert", "--as", "admin",
                        "--database-url", world.database_url, env={"SITING_TRACKER_PASSWORD": ADMIN_PASSWORD})
    assert status == 2  # zahra is an applicant: --role must agree with the account
    status, _ = run_cli("tracker", "create-api-key", "--user", "nobody", "--as", "admin", "--database-url",
                        world.database_url, env={"SITING_TRACKER_PASSWORD": ADMIN_PASSWORD})
    assert status == 2


def test_applicants_are_registered_through_the_tracker(server, world):
    nid = national_id(7)
    persian = nid.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    person = {"full_name": "مریم کریمی", "national_id": persian, "education": "کارشناسی",
              "government_employee": False, "military_exempt": True}
    key, _ = world.new_key("maryam", role="applicant")
    with server.client(key) as c, server.client(world.keys["zahra"]) as zahra:
        r = c.post("/v1/applicants", json={"kind": "حقیقی", "name": "مریم کریمی", "national_id": persian,
                                           "people": [person]})
        assert r.status_code == 201, r.text
        a = r.json()
        assert (a["kind"], a["national_id"], a["people"][0]["education"]) == ("natural", nid, "bachelor")
        assert [x["id"] for x in c.get("/v1/applicants").json()["applicants"]] == [a["id"]]
        assert a["id"] not in [x["id"] for x in zahra.get("/v1/applicants").json()["applicants"]]
        bad = c.post("/v1/applicants", json={"kind": "natural", "name": "x", "national_id": "1234567890",
                                             "people": [{**person, "national_id": "1234567890"}]})
        assert bad.status_code == 422
        assert bad.json()["error"]["field"] == "national_id" and "ملی" in bad.json()["error"]["message_fa"]
        empty = c.post("/v1/applicants", json={"kind": "natural", "name": "x", "national_id": nid, "people": []})
        assert (empty.status_code, empty.json()["error"]["field"]) == (422, "people")
        app = c.post("/v1/applications", json={"applicant_id": a["id"], "licence_type": "rural",
                                               "site": {"lon": 59.52, "lat": 32.72}})
        assert app.status_code == 201 and app.json()["applicant_name"] == "مریم کریمی"
    rows = audit_rows(world, action="applicant_created")
    assert any(r.entity_id == a["id"] and r.username == "maryam" and r.details["via"].startswith("api_key:")
               for r in rows)
