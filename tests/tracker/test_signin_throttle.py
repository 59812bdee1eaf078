"""Sign-in resists guessing: a growing lockout per account name and per client that refuses even the
right password, the same hash work for every kind of failure, and every attempt in the audit chain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tracker_helpers import PASSWORD

from siting.tracker import AuthenticationError, SignInLocked, passwords
from siting.tracker import models as m
from siting.tracker.audit import verify_chain

WRONG = "not the password at all"


def _fail(t, name, client=None, times=1):
    for _ in range(times):
        with pytest.raises(AuthenticationError) as err:
            t.authenticate(name, WRONG, client=client)
    return err.value


def _audit(t, action):
    with Session(t.engine) as s:
        return s.scalars(
            select(m.AuditEntry).where(m.AuditEntry.action == action).order_by(m.AuditEntry.seq)
        ).all()


def test_lockout_after_repeated_failures_refuses_the_right_password(world, clock):
    t = world.t
    limit = t.settings.signin_policy.account_failures
    last = _fail(t, "alice", times=limit - 1)
    assert not isinstance(last, SignInLocked)
    t.authenticate(
        "alice", PASSWORD
    )  # still below the limit: the right password works and clears the count
    _fail(t, "alice", times=limit - 1)
    locking = _fail(t, "alice")
    assert isinstance(locking, SignInLocked) and "try again after" in locking.message("en")
    with pytest.raises(SignInLocked) as err:
        t.authenticate("alice", PASSWORD)  # the right password is refused while locked
    base = t.settings.signin_policy.base_delay
    assert err.value.retry_at == clock() + base and "2026-11-28 06:30 UTC" in err.value.message(
        "en"
    )
    assert "دوباره تلاش کنید" in err.value.message("fa")
    clock.t += base + timedelta(seconds=1)
    locked_again = _fail(t, "alice")  # one more failure after the lock: twice as long
    assert isinstance(locked_again, SignInLocked) and locked_again.retry_at == clock() + 2 * base
    clock.t += 2 * base + timedelta(seconds=1)
    assert t.authenticate("alice", PASSWORD).username == "alice"
    _fail(t, "alice")  # the success cleared the count: one failure does not lock
    assert t.authenticate("alice", PASSWORD).username == "alice"
    t.authenticate("bob", PASSWORD)  # other accounts were never affected


def test_unknown_names_lock_the_same_way(world):
    t = world.t
    limit = t.settings.signin_policy.account_failures
    assert isinstance(_fail(t, "nobody_here", times=limit), SignInLocked)
    assert isinstance(_fail(t, "nobody_here"), SignInLocked)


def test_per_client_lockout_spans_account_names(world, clock):
    t = world.t
    policy = t.settings.signin_policy
    names = [f"guess{i}" for i in range(policy.client_failures)]
    for name in names[:-1]:
        assert not isinstance(_fail(t, name, client="ip:203.0.113.9"), SignInLocked)
    assert isinstance(_fail(t, names[-1], client="ip:203.0.113.9"), SignInLocked)
    with pytest.raises(SignInLocked):  # the client is locked, whatever account it tries
        t.authenticate("bob", PASSWORD, client="ip:203.0.113.9")
    assert (
        t.authenticate("bob", PASSWORD, client="ip:198.51.100.7").username == "bob"
    )  # others are not
    assert t.authenticate("bob", PASSWORD).username == "bob"
    clock.t += policy.base_delay + timedelta(seconds=1)
    assert t.authenticate("bob", PASSWORD, client="ip:203.0.113.9").username == "bob"


def test_every_failure_costs_one_hash_check_with_the_same_parameters(world, monkeypatch):
    t = world.t
    admin = world.admin
    t.create_user(admin, "sso_only", None, "expert")  # an account without a password
    inactive = t.create_user(admin, "gone", PASSWORD, "expert")
    t.set_user_active(admin, inactive.id, False)
    _fail(t, "warm_up")  # the dummy hash is made once, at the first sign-in
    calls: list[tuple] = []
    real = passwords._derive

    def counting(password, salt, n, r, p, dklen):
        calls.append((n, r, p, dklen))
        return real(password, salt, n, r, p, dklen)

    monkeypatch.setattr(passwords, "_derive", counting)
    for name, password in (
        ("no_such_user", WRONG),
        ("sso_only", WRONG),
        ("sso_only", ""),
        ("alice", WRONG),
        ("gone", PASSWORD),
        ("alice", None),
    ):
        calls.clear()
        with pytest.raises(AuthenticationError):
            t.authenticate(name, password)
        policy = t.settings.password_policy
        assert calls == [(policy.n, policy.r, policy.p, policy.key_bytes)], name
    calls.clear()
    t.authenticate("bob", PASSWORD)
    assert len(calls) == 1


def test_sign_in_events_are_in_the_audit_chain(world):
    t = world.t
    limit = t.settings.signin_policy.account_failures
    t.authenticate("bob", PASSWORD, client="ip:192.0.2.1")
    _fail(t, "bob", client="ip:192.0.2.1", times=limit)
    with pytest.raises(SignInLocked):
        t.authenticate("bob", PASSWORD, client="ip:192.0.2.1")
    _fail(t, "who_is_this")
    ok = [e for e in _audit(t, "signed_in") if e.username == "bob"]
    assert ok and ok[-1].details["client"] == "ip:192.0.2.1" and ok[-1].role == "applicant"
    failed = [e for e in _audit(t, "signin_failed") if e.username == "bob"]
    assert [e.details["account_failures"] for e in failed] == [str(i) for i in range(1, limit + 1)]
    (locked,) = _audit(t, "signin_locked")
    (refused,) = _audit(t, "signin_refused_locked")
    assert (
        locked.username == refused.username == "bob"
        and refused.details["until"] == locked.details["until"]
    )
    unknown = [e for e in _audit(t, "signin_failed") if e.username == "who_is_this"]
    assert len(unknown) == 1 and unknown[0].user_id is None
    assert verify_chain(t.engine).ok


def test_bad_input_is_a_refusal_not_a_traceback(world):
    t = world.t
    for name, password, client in (
        (None, None, None),
        ("", "", ""),
        ("x" * 5000, "y", "z" * 5000),
        ("alice", 12345, 7),
    ):
        with pytest.raises(AuthenticationError):
            t.authenticate(name, password, client=client)
