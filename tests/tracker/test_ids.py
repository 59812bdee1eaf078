"""National ID and legal-entity ID check digits, cross-checked against the persian-tools package."""

from __future__ import annotations

import random

import pytest
from persian_tools import legal_id as pt_legal
from persian_tools import national_id as pt_national
from tracker_helpers import legal_id, national_id

from siting.tracker.ids import (
    checked,
    digits_only,
    is_valid_legal_id,
    is_valid_national_id,
    national_id_problem,
    postal_code_problem,
)


def test_national_id_check_digit_by_hand():
    # 008457594-8: s = 0*10+0*9+8*8+4*7+5*6+7*5+5*4+9*3+4*2 = 212, 212 mod 11 = 3, check = 11-3 = 8
    assert is_valid_national_id("0084575948")
    assert not is_valid_national_id("0084575949")
    # r < 2: the check digit is r itself (s = 1*10 + 1*2 = 12, r = 1)
    assert is_valid_national_id("1000000011") and not is_valid_national_id("1000000010")
    # the checksum holds (s = 1*10 + 2*9 + 3*8 = 52, r = 8, check 3) but the serial 000000 is never issued
    assert not is_valid_national_id("1230000003") and not pt_national.validate("1230000003")
    assert not is_valid_national_id("008457594")  # nine digits
    assert is_valid_national_id("۰۰۸۴۵۷۵۹۴۸") and is_valid_national_id("008-457594-8")


def test_national_id_agrees_with_persian_tools():
    rng = random.Random(4)
    codes = [f"{rng.randrange(10**10):010d}" for _ in range(20_000)]
    codes += [pt_national.generate_random() for _ in range(2_000)]
    codes += [national_id(i) for i in range(500)]
    for code in codes:
        assert is_valid_national_id(code, reject_repeated=False) == pt_national.validate(code), code
    assert sum(is_valid_national_id(c) for c in codes) > 2_000  # the sample holds many valid codes


def test_repeated_digit_ids_are_a_setting():
    assert pt_national.validate("1111111111")  # passes the checksum
    assert is_valid_national_id("1111111111", reject_repeated=False)
    problem = national_id_problem("1111111111")
    assert problem is not None and "repeats one digit" in problem[0] and "تکراری" in problem[1]


def test_legal_id_agrees_with_persian_tools():
    assert is_valid_legal_id("10380284790")
    assert not is_valid_legal_id("10380284791") and not is_valid_legal_id("1038028479")
    rng = random.Random(11)
    codes = [f"{rng.randrange(10**11):011d}" for _ in range(20_000)]
    codes += [pt_legal.generate_random() for _ in range(2_000)] + [legal_id(i) for i in range(500)]
    for code in codes:
        assert is_valid_legal_id(code) == pt_legal.validate(code), code


def test_postal_code_and_normalisation():
    assert postal_code_problem("۹۷۱۷۴۳۴۴۵۹") is None and postal_code_problem("97174-34459") is None
    assert postal_code_problem("971743445") is not None and postal_code_problem("0000000000") is not None
    assert digits_only(" ۰۱۲ ۳۴۵-۶۷۸۹ ") == "0123456789"
    with pytest.raises(ValueError, match="national_id: a national ID has 10 digits") as info:
        checked("national_id", "123", national_id_problem("123"))
    assert info.value.problems == (("national_id", "a national ID has 10 digits; got '123'",
                                    "کد ملی ده رقم است؛ «123» وارد شده است"),)


@pytest.mark.parametrize("value", [None, "", "   ", "\u200c", "abc", "۱۲۳", 12, 1.5, b"0084575948", [], {}, True,
                                   "0084575948" * 100])
def test_any_input_is_a_problem_never_an_exception(value):
    """Issue 15: an empty form once ended in a TypeError inside the check; every value is an answer."""
    problem = national_id_problem(value)
    assert isinstance(problem, tuple) and len(problem) == 2 and all(isinstance(p, str) and p for p in problem)
    assert not is_valid_national_id(value)


def test_missing_national_id_is_said_as_missing():
    for value in (None, "", "  "):
        assert national_id_problem(value) == ("the national ID is missing", "کد ملی وارد نشده است")


def test_empty_applicant_is_one_refusal_listing_every_field(world):
    """The library's applicant check: None and blanks everywhere give one TrackerInputError naming each field."""
    from siting.tracker import ApplicantInput, PersonInput, TrackerInputError

    for value in (None, ""):
        person = PersonInput(value, value, "diploma", False)  # type: ignore[arg-type]
        with pytest.raises(TrackerInputError) as info:
            world.t.create_applicant(world.alice, ApplicantInput("natural", value, value, (person,)))  # type: ignore[arg-type]
        fields = [f for f, _, _ in info.value.problems]
        assert fields == ["name", "national_id", "people[0].full_name", "people[0].national_id"], fields
        assert info.value.headline("fa") == "مشخصات متقاضی معتبر نیست"
