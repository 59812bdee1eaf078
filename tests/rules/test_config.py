from datetime import date
from pathlib import Path

import pytest

from siting.errors import RulesError
from siting.rules import (
    DEFAULT_RULES_PATH,
    PersonFacts,
    check_applicant,
    licence_expiry,
    load_rules,
)


def test_rules_file_loads_and_documents_every_parameter():
    rules = load_rules()
    for section in (rules.urban, rules.rural):
        assert section.params, "parameters carry their documentation"
        for p in section.params.values():
            assert p.doc_fa and p.doc_en
            assert p.basis in ("guide", "policy")
    # the guide's facts are marked as such; the distances are policy placeholders
    assert rules.urban.params["applicant_types"].basis == "guide"
    assert rules.urban.applicant_types == ("legal",)
    assert set(rules.rural.applicant_types) == {"natural", "legal"}
    assert rules.urban.params["service_radius_m"].placeholder is True
    assert rules.validity_years == 5 and rules.renewal_period_years == 5
    assert rules.min_education == "bachelor" and rules.government_employee_allowed is False


def _write(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "rules.yaml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  service_radius_m:\n    value: 3000", "  service_radius_m:\n    value: far", r"urban: service_radius_m: expected"),
        ("  service_radius_m:\n    value: 3000", "  service_radius_m:\n    value: -1", r"must not be negative"),
        ("  min_education:\n    value: bachelor", "  min_education:\n    value: phd", r"min_education: expected one of"),
        ("urban:\n", "urbann:\n", r"section 'urban' is missing"),
        ("    basis: guide\n", "    basis: rumour\n", r"basis must be 'guide' or 'policy'"),
        ("version: 1\n", "version: 1\n  bad: [\n", r"not valid YAML at line"),
        ("  capacity:\n    value: 6000", "  capacity:\n    value: 0", r"rural: capacity: must be more than 0 people"),
        ("  capacity:\n    value: 20000", "  capacity:\n    value: many", r"urban: capacity: expected"),
    ],
)
def test_malformed_rules_name_the_parameter(tmp_path, old, new, message):
    with pytest.raises(RulesError, match=message):
        load_rules(_write(tmp_path, old, new))


def test_overrides_do_not_touch_the_file_and_are_checked():
    rules = load_rules()
    changed = rules.with_overrides({"urban": {"service_radius_m": 4500}})
    assert changed.urban.service_radius_m == 4500
    assert rules.urban.service_radius_m == 3000
    assert changed.fingerprint() != rules.fingerprint()
    with pytest.raises(RulesError, match="urban.colour is not a rule parameter"):
        rules.with_overrides({"urban": {"colour": 1}})


def _ids(results):
    return {r.id: r.status for r in results}


def test_urban_licence_only_for_legal_persons():
    rules = load_rules()
    r = check_applicant(rules, "urban", "natural")
    assert _ids(r) == {"applicant_type": "fail"}
    assert "حقوقی" in r[0].message_fa and "legal person" in r[0].message_en
    assert _ids(check_applicant(rules, "rural", "natural")) == {"applicant_type": "pass"}


def test_company_needs_one_qualified_md_or_signatory():
    rules = load_rules()
    people = [
        PersonFacts("MD", "managing_director", "diploma", False),
        PersonFacts("Board", "board_member", "doctorate", False),  # board members do not qualify
        PersonFacts("Sig", "signatory", "bachelor", True),  # qualifies by degree, but a civil servant
    ]
    assert _ids(check_applicant(rules, "urban", "legal", people)) == {
        "applicant_type": "pass", "min_education": "pass", "not_government_employee": "fail"}
    people.append(PersonFacts("Sig2", "signatory", "master", False))
    assert set(_ids(check_applicant(rules, "urban", "legal", people)).values()) == {"pass"}


def test_rural_natural_person_rules():
    rules = load_rules()
    assert _ids(check_applicant(rules, "rural", "natural", [PersonFacts("A", "applicant", "associate", False)])) == {
        "applicant_type": "pass", "min_education": "fail", "not_government_employee": "pass"}
    assert _ids(check_applicant(rules, "rural", "natural", [PersonFacts("A", "applicant", None, None)])) == {
        "applicant_type": "pass", "min_education": "warn", "not_government_employee": "warn"}


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        (date(2024, 8, 2), date(2029, 8, 2)),  # 1403/05/12 -> 1408/05/12
        (date(2025, 3, 20), date(2030, 3, 20)),  # 1403/12/30 (leap) -> 1408/12/29 (1408 not leap)
    ],
)
def test_licence_valid_five_solar_hijri_years(issued, expires):
    import jdatetime

    rules = load_rules()
    got = licence_expiry(issued, rules)
    assert got == expires
    j_in, j_out = jdatetime.date.fromgregorian(date=issued), jdatetime.date.fromgregorian(date=got)
    assert j_out.year - j_in.year == 5
    assert licence_expiry(issued, rules, renewals=1) == licence_expiry(licence_expiry(issued, rules), rules)


@pytest.mark.parametrize("bad", [".nan", ".inf", "-.inf", ".NaN"])
@pytest.mark.parametrize(
    ("old", "where"),
    [("  service_radius_m:\n    value: 3000", "urban: service_radius_m"),
     ("  min_uncovered_population:\n    value:", "min_uncovered_population")],
)
def test_nan_and_infinity_refused_in_the_rules_file(tmp_path, bad, old, where):
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    start = text.index(old)
    end = text.index("\n", start + len(old))
    p = tmp_path / "rules.yaml"
    p.write_text(text[:start] + old.split("value:")[0] + f"value: {bad}" + text[end:], encoding="utf-8")
    with pytest.raises(RulesError, match=rf"{where}: expected a finite number, got"):
        load_rules(p)


def test_nan_refused_in_overrides():
    with pytest.raises(RulesError, match=r"rural.service_radius_m: expected a finite number, got nan"):
        load_rules().with_overrides({"rural": {"service_radius_m": float("nan")}})
