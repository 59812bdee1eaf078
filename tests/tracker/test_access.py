"""Access is checked in the library: an applicant cannot read or change another's application
through ANY public function. The list of functions is taken from the class itself, so a new public
function fails this test until it is added here with the way it is attacked."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date

import pytest
from tracker_helpers import (
    RURAL_SITE,
    SiteInput,
    good_file,
    licensed,
    natural_applicant,
    snapshot,
    to_agenda,
)

from siting.tracker import AccessDenied, Identity, Tracker

# functions that take no identity: they are how one gets an identity (or plumbing)
NO_IDENTITY = {
    "authenticate": "signs in with a password",
    "authenticate_api_key": "signs in with an API key (stored hashed, revocable)",
    "sign_in_external": "signs in an identity verified by the organisation's SSO",
    "bootstrap_admin": "creates the first administrator, refused once one exists",
    "register_applicant": "self-registration: an applicant account only, throttled, no enumeration",
    "close": "releases database connections",
    "now": "reads the clock",
    "use_workspace": "the server hands over a newer workspace generation (no person's data)",
}


@pytest.fixture()
def victim(world):
    """Alice's records: a licensed application (with documents and an audit trail) and a draft."""
    w, t = world, world.t
    app_id, lic_id = licensed(w, w.alice, natural_applicant(60), "rural", RURAL_SITE, "R-60")
    draft = t.create_application(w.alice, t.get_licence(w.alice, lic_id).holder_id, "rural", "renewal",
                                 licence_number="R-60")
    doc = t.get_application(w.alice, app_id).documents[0]
    applicant = t.get_application(w.alice, app_id).applicant
    return {"app": app_id, "draft": draft.id, "licence": lic_id, "doc": doc.id, "applicant": applicant,
            "person": applicant.people[0].id}


def attacks(w, v):
    """How bob (an applicant) tries each public function against alice's records."""
    t, bob = w.t, w.bob
    app, draft = v["app"], v["draft"]
    photo, _ = good_file("photo")
    return {
        # writes on alice's records
        "create_application": lambda: t.create_application(bob, v["applicant"].id, "rural", "new", site=RURAL_SITE),
        "update_applicant": lambda: t.update_applicant(
            bob, v["applicant"].id, natural_applicant(60, name="ربوده"), expected_version=v["applicant"].version),
        "update_site": lambda: t.update_site(bob, draft, SiteInput(lon=59.5, lat=32.7), expected_version=1),
        "submit": lambda: t.submit(bob, draft, expected_version=1),
        "cancel_application": lambda: t.cancel_application(bob, draft, "x", expected_version=1),
        "complete_step": lambda: t.complete_step(bob, app, "training", expected_version=1),
        "return_step": lambda: t.return_step(bob, app, "training", ["x"], expected_version=1),
        "record_decision": lambda: t.record_decision(bob, draft, "approve", "x", expected_version=1),
        "return_to_applicant": lambda: t.return_to_applicant(bob, draft, ["x"], expected_version=1, reasons="x"),
        "upload_document": lambda: t.upload_document(bob, draft, "photo", photo, "p.jpg", person_id=v["person"]),
        "issue_licence": lambda: t.issue_licence(bob, app, "X-1", date(2026, 1, 1), expected_version=1),
        "apply_licence_change": lambda: t.apply_licence_change(bob, draft, expected_version=1),
        "revalidate": lambda: t.revalidate(bob, draft),
        # reads of alice's records
        "get_application": lambda: t.get_application(bob, app),
        "get_applicant": lambda: t.get_applicant(bob, v["applicant"].id),
        "read_document": lambda: t.read_document(bob, v["doc"]),
        "get_licence": lambda: t.get_licence(bob, v["licence"]),
        "audit_trail": lambda: t.audit_trail(bob, app),
        "returnable_steps": lambda: t.returnable_steps(bob, app),
        # staff screens and administration
        "queue": lambda: t.queue(bob),
        "overdue_steps": lambda: t.overdue_steps(bob),
        "agenda": lambda: t.agenda(bob),
        "validation_reports": lambda: t.validation_reports(bob, [app, draft]),
        "site_conflicts": lambda: t.site_conflicts(bob, [app, draft]),
        "audit_log": lambda: t.audit_log(bob),
        "list_users": lambda: t.list_users(bob),
        "create_user": lambda: t.create_user(bob, "mallory", "a long password!", "admin"),
        "set_password": lambda: t.set_password(bob, w.alice.user_id, "a new long password"),
        "set_user_active": lambda: t.set_user_active(bob, w.alice.user_id, False),
        "set_user_role": lambda: t.set_user_role(bob, bob.user_id, "admin"),
        "link_sso": lambda: t.link_sso(bob, w.alice.user_id, "https://sso.example.ir", "alice"),
        "create_api_key": lambda: t.create_api_key(bob, "alice"),
        "revoke_api_key": lambda: t.revoke_api_key(bob, "000000000000"),
        "list_api_keys": lambda: t.list_api_keys(bob),
        "orphan_files": lambda: t.orphan_files(bob),
        # rights checked outside the tracker (siting.permissions): an applicant may not import data
        "authorize": lambda: t.authorize(bob, "import_workspace"),
    }


# functions that list "what is mine": bob gets answers, but none of alice's records
FILTERED = {
    "my_applications": lambda w, v: [m.application.id for m in w.t.my_applications(w.bob)],
    "list_applicants": lambda w, v: [a.id for a in w.t.list_applicants(w.bob)],
    "renewals_due": lambda w, v: [r.licence.id for r in w.t.renewals_due(w.bob, 100_000)],
    "create_applicant": None,  # creates bob's own applicant only; checked below
}


def public_functions() -> dict[str, object]:
    return {n: f for n, f in inspect.getmembers(Tracker, inspect.isfunction) if not n.startswith("_")}


def test_every_public_function_checks_the_identity():
    for name, fn in public_functions().items():
        if name in NO_IDENTITY:
            continue
        assert getattr(fn, "__tracker_api__", None) in ("read", "write"), f"{name} is not declared with @api"
        params = list(inspect.signature(fn).parameters)
        assert params[:2] == ["self", "who"], f"{name} must take the caller's identity first"


def test_an_applicant_cannot_reach_anothers_application_through_any_function(world, victim):
    w = world
    table = attacks(w, victim)
    covered = set(table) | set(FILTERED) | set(NO_IDENTITY)
    missing = sorted(set(public_functions()) - covered)
    assert not missing, f"add these public functions to the access test: {missing}"

    # alice can do the reads herself (so the refusals below are about bob, not about the records)
    assert w.t.get_application(w.alice, victim["app"]).application.id == victim["app"]
    assert w.t.read_document(w.alice, victim["doc"])[1]

    for name, attack in table.items():
        before = snapshot(w.t)
        with pytest.raises(AccessDenied) as info:
            attack()
        assert snapshot(w.t) == before, f"{name} changed data although it was refused"
        assert info.value.message_fa and info.value.message_en, name

    assert FILTERED["my_applications"](w, victim) == []
    assert FILTERED["list_applicants"](w, victim) == []
    assert FILTERED["renewals_due"](w, victim) == []
    mine = w.t.create_applicant(w.bob, natural_applicant(61))
    assert mine.owner_id == w.bob.user_id
    assert [a.id for a in w.t.list_applicants(w.alice)] == [victim["applicant"].id]
    assert victim["licence"] in [r.licence.id for r in w.t.renewals_due(w.alice, 100_000)]


def test_missing_and_foreign_records_look_the_same_to_an_applicant(world, victim):
    t = world.t
    with pytest.raises(AccessDenied) as foreign:
        t.get_application(world.bob, victim["app"])
    with pytest.raises(AccessDenied) as missing:
        t.get_application(world.bob, 999_999)
    assert str(foreign.value).replace(str(victim["app"]), "N") == str(missing.value).replace("999999", "N")


def test_staff_roles_stay_in_their_lane(world):
    w, t = world, world.t
    a = t.create_applicant(w.alice, natural_applicant(62))
    app = t.create_application(w.alice, a.id, "rural", "new", site=RURAL_SITE)
    to_agenda(w, app.id, w.alice)
    v = t.get_application(w.expert, app.id).application.version
    for who in (w.expert, w.admin):  # only working-group members record the group's decision
        with pytest.raises(AccessDenied, match="working-group member"):
            t.record_decision(who, app.id, "approve", "ok", expected_version=v)
    with pytest.raises(AccessDenied):
        t.create_user(w.expert, "eve", "a long password!", "admin")
    with pytest.raises(AccessDenied):
        t.create_application(w.wg, a.id, "rural", "new")
    with pytest.raises(AccessDenied):
        t.create_applicant(w.admin, natural_applicant(63))
    assert t.agenda(w.admin).items[0].application_id == app.id  # administrators read everything
    assert t.get_application(w.wg, app.id).application.id == app.id


def test_identities_cannot_be_forged_or_outlive_their_account(world, tracker, db_url, tmp_path, clock,
                                                              tracker_ws, workflow, tracker_rules):
    w, t = world, world.t
    forged = dataclasses.replace(w.bob, user_id=w.admin.user_id, username="admin", role="admin")
    with pytest.raises(AccessDenied, match="not issued by this tracker"):
        t.list_users(forged)
    with pytest.raises(AccessDenied, match="sign in first"):
        t.list_users(None)  # type: ignore[arg-type]
    other = Tracker(tracker.settings, workflow=workflow, rules=tracker_rules, workspace=tracker_ws, clock=clock)
    try:
        with pytest.raises(AccessDenied):  # an identity is bound to the tracker that issued it
            other.my_applications(w.alice)
    finally:
        other.close()
    t.set_user_role(w.admin, w.expert.user_id, "applicant")
    with pytest.raises(AccessDenied, match="account was changed"):
        t.queue(w.expert)
    t.set_user_active(w.admin, w.bob.user_id, False)
    with pytest.raises(AccessDenied, match="not active"):
        t.my_applications(w.bob)
    assert isinstance(w.alice, Identity) and "token" not in repr(w.alice)


def test_an_unknown_role_in_the_sso_settings_is_bad_input_naming_the_settings():
    from siting.errors import InputError
    from siting.tracker.access import SsoPolicy

    with pytest.raises(InputError, match=r"SITING_SSO_GROUP_ROLES.*unknown roles \['boss'\]"):
        SsoPolicy(trusted_issuers=("https://sso.example.ir",), group_roles={"staff": "boss"})
