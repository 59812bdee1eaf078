"""Issue 15 (8): self-registration of a new applicant account, with the sign-in protections: every
field checked (national ID check digit, mobile, password strength), an applicant role only, a hashed
password, the audit trail, throttling, and no account enumeration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tracker_helpers import national_id

from siting.tracker import AuthenticationError, SignInLocked, TrackerInputError
from siting.tracker import models as m
from siting.tracker.audit import verify_chain
from siting.tracker.ids import mobile_problem

GOOD = "a long passphrase 42"


def _user(t, username):
    with Session(t.engine) as s:
        return s.scalars(select(m.User).where(m.User.username == username)).first()


def _audit(t, action):
    with Session(t.engine) as s:
        return s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == action)).all()


def _count(t):
    with Session(t.engine) as s:
        return len(s.scalars(select(m.User)).all())


def test_a_new_applicant_registers_and_signs_in_with_the_national_id(world):
    t = world.t
    nid = national_id(501)
    persian_nid = nid.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert t.register_applicant(full_name="  زهرا   رضایی ", national_id=persian_nid, mobile="+98 912 345 6789",
                                password=GOOD, client="ip:10.0.0.9") is None
    who = t.authenticate(nid, GOOD)
    assert who.role == "applicant" and who.display_name == "زهرا رضایی"
    user = _user(t, nid)
    assert user.mobile == "09123456789" and user.role == "applicant"
    assert GOOD not in (user.password_hash or "") and user.password_hash.startswith("scrypt")
    entry = _audit(t, "applicant_registered")[-1]
    assert entry.user_id == user.id and entry.details["role"] == "applicant"
    assert verify_chain(t.engine).ok
    # the new applicant can do what applicants do, and nothing staff do
    assert t.my_applications(who) == ()


@pytest.mark.parametrize(("fields", "problems"), [
    ({"full_name": "", "national_id": "1234567890", "mobile": "0912", "password": "short"},
     ["full_name", "national_id", "mobile", "password"]),
    ({"national_id": "1111111111"}, ["national_id"]),
    ({"mobile": "02132223344"}, ["mobile"]),  # a landline
    ({"password": "09123456789", "mobile": "09123456789"}, ["password"]),  # the password is the mobile
])
def test_every_bad_field_is_named_and_nothing_is_created(world, fields, problems):
    t = world.t
    before = _count(t)
    values = {"full_name": "علی", "national_id": national_id(502), "mobile": "09121112233", "password": GOOD}
    values.update(fields)
    with pytest.raises(TrackerInputError) as err:
        t.register_applicant(**values)
    assert [p[0] for p in err.value.problems] == problems
    assert all(p[2] for p in err.value.problems)  # Persian for each
    assert _count(t) == before


def test_an_existing_national_id_is_not_revealed_and_not_changed(world):
    t = world.t
    nid = national_id(503)
    t.register_applicant(full_name="مریم", national_id=nid, mobile="09121112233", password=GOOD)
    before = _count(t)
    # the same call, the same (silent) outcome: nothing tells whether the account existed
    assert t.register_applicant(full_name="کس دیگر", national_id=nid, mobile="09350001122",
                                password="another long passphrase") is None
    assert _count(t) == before
    assert t.authenticate(nid, GOOD).display_name == "مریم"  # the first password still works
    with pytest.raises(AuthenticationError):
        t.authenticate(nid, "another long passphrase")
    assert len(_audit(t, "registration_duplicate")) == 1


def test_registration_is_throttled_per_national_id_and_per_client(world, clock):
    t = world.t
    limit = t.settings.signin_policy.account_failures
    nid = national_id(504)
    for _ in range(limit - 1):  # bad attempts count too
        with pytest.raises(TrackerInputError):
            t.register_applicant(full_name="", national_id=nid, mobile="09121112233", password=GOOD)
    t.register_applicant(full_name="رضا", national_id=nid, mobile="09121112233", password=GOOD)  # the limit-th
    with pytest.raises(SignInLocked) as err:
        t.register_applicant(full_name="رضا", national_id=nid, mobile="09121112233", password=GOOD)
    assert "try again after" in err.value.message("en") and "دوباره تلاش کنید" in err.value.message("fa")
    assert _audit(t, "registration_refused_locked")
    # one client registering many national IDs is throttled as well
    clock.t += timedelta(days=2)
    for i in range(limit):
        t.register_applicant(full_name="x", national_id=national_id(600 + i), mobile="09121112233",
                             password=GOOD, client="ip:10.0.0.7")
    with pytest.raises(SignInLocked):
        t.register_applicant(full_name="x", national_id=national_id(700), mobile="09121112233",
                             password=GOOD, client="ip:10.0.0.7")
    assert _user(t, national_id(700)) is None


def test_mobile_numbers():
    assert mobile_problem("۰۹۱۲ ۳۴۵ ۶۷۸۹") is None and mobile_problem("00989123456789") is None
    assert mobile_problem("") is not None and mobile_problem("9123456789") is not None
