"""Local accounts (salted scrypt) and the SSO plug-in point."""

from __future__ import annotations

import pytest
from tracker_helpers import PASSWORD

from siting.tracker import AccessDenied, AuthenticationError, ExternalIdentity, TrackerInputError
from siting.tracker.passwords import PasswordPolicy, hash_password, needs_rehash, verify_password


def test_password_hashes_are_salted_scrypt():
    policy = PasswordPolicy.fast()
    a, b = hash_password("correct horse battery", policy), hash_password("correct horse battery", policy)
    assert a != b and a.startswith("scrypt$256$8$1$")  # a fresh salt each time, parameters recorded
    assert verify_password("correct horse battery", a) and verify_password("correct horse battery", b)
    assert not verify_password("correct horse batterY", a)
    assert not verify_password("x", "md5$abc") and not verify_password("x", None)
    assert needs_rehash(a) and not needs_rehash(a, policy)


def test_sign_in_and_passwords(world):
    t = world.t
    assert t.authenticate("alice", PASSWORD).user_id == world.alice.user_id
    for name, password in (("alice", "wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(AuthenticationError) as info:
            t.authenticate(name, password)
        assert info.value.message_en == "wrong user name or password"  # the same for both
    with pytest.raises(TrackerInputError, match="at least 10 characters"):
        t.set_password(world.alice, world.alice.user_id, "short", current_password=PASSWORD)
    with pytest.raises(AuthenticationError, match="current password is wrong"):
        t.set_password(world.alice, world.alice.user_id, "another long password", current_password="nope")
    t.set_password(world.alice, world.alice.user_id, "another long password", current_password=PASSWORD)
    assert t.authenticate("alice", "another long password")
    t.set_password(world.admin, world.bob.user_id, "reset by the admin!")
    assert t.authenticate("bob", "reset by the admin!")
    with pytest.raises(AccessDenied, match="an administrator exists already"):
        t.bootstrap_admin("root", "a long password!")
    with pytest.raises(TrackerInputError, match="taken"):
        t.create_user(world.admin, "alice", "a long password!", "applicant")
    t.set_user_active(world.admin, world.bob.user_id, False)
    with pytest.raises(AuthenticationError):
        t.authenticate("bob", "reset by the admin!")
    users = {u.username: u for u in t.list_users(world.admin)}
    assert users["bob"].active is False and users["wg"].role == "wg_member"


def test_sso_plug_in_point(world):
    t = world.t
    claims = {"iss": "https://sso.example.ir", "sub": "u-4411", "name": "نرگس صالحی",
              "preferred_username": "n.salehi", "groups": ["staff", "ict-experts"]}
    who = t.sign_in_external(ExternalIdentity.from_claims(claims))
    assert (who.username, who.role, who.method, who.display_name) == ("n.salehi", "expert", "sso", "نرگس صالحی")
    assert t.queue(who).items == ()  # a working identity
    # the provider stays the source of truth for the role
    again = t.sign_in_external(ExternalIdentity.from_claims({**claims, "groups": ["wg"]}))
    assert again.user_id == who.user_id and again.role == "wg_member"
    with pytest.raises(AccessDenied):
        t.create_user(again, "x", "a long password!", "applicant")
    # anyone else in the organisation gets an applicant account; untrusted issuers are refused
    citizen = t.sign_in_external(ExternalIdentity("https://sso.example.ir", "c-1", "شهروند"))
    assert citizen.role == "applicant" and citizen.username == "c-1"
    with pytest.raises(AuthenticationError, match="not accepted"):
        t.sign_in_external(ExternalIdentity("https://evil.example", "u-4411", "x", groups=("it-admins",)))
    # a user name owned by a local account is not taken over
    with pytest.raises(AuthenticationError, match="belongs to another account"):
        t.sign_in_external(ExternalIdentity("https://sso.example.ir", "other", "x", username="alice"))
    # an administrator can link a local account to the SSO instead
    t.link_sso(world.admin, world.alice.user_id, "https://sso.example.ir", "alice-sub")
    linked = t.sign_in_external(ExternalIdentity("https://sso.example.ir", "alice-sub", "Alice"))
    assert linked.user_id == world.alice.user_id and linked.role == "applicant"
    actions = [e.action for e in t.audit_log(world.admin)]
    assert {"account_created_by_sso", "role_changed_by_sso", "sso_linked"} <= set(actions)


def test_administrators_do_not_change_their_own_account_this_way(world):
    t = world.t
    for change in (lambda: t.set_user_active(world.admin, world.admin.user_id, False),
                   lambda: t.set_user_role(world.admin, world.admin.user_id, "applicant")):
        with pytest.raises(TrackerInputError, match="your own account"):
            change()
    assert t.list_users(world.admin)[0].active
