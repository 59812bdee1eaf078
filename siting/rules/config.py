"""The rules file (``siting/rules/rules.yaml`` by default) and rule results with explanations.

Site rules are evaluated in :mod:`siting.rules.validate`; the licensing facts of the
applicant guide (who may hold which licence, education, government
employment, five-year validity) are evaluated here, so that site validation,
the application tracker and the dashboard give the same answer.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import jdatetime

from siting.errors import RulesError
from siting.io.files import load_yaml, package_file
from siting.vocab import APPLICANT_TYPES, EDUCATION_LEVELS, LICENCE_TYPES, education_rank, label

Status = Literal["pass", "fail", "warn", "unknown"]

#: The default rules, shipped with the package (package data, see :func:`~siting.io.files.package_file`).
DEFAULT_RULES_PATH = package_file("siting.rules", "rules.yaml")


@dataclass(frozen=True)
class Param:
    """One documented parameter of the rules file."""

    name: str
    value: Any
    basis: Literal["guide", "policy"]
    placeholder: bool
    doc_fa: str
    doc_en: str


@dataclass(frozen=True)
class LicenceRules:
    """Site rules of one licence type (a section of the rules file)."""

    licence_type: str
    label_fa: str
    label_en: str
    applicant_types: tuple[str, ...]
    service_radius_m: float
    min_distance_same_type_m: float
    min_distance_any_type_m: float
    min_uncovered_population: int
    city_radius_m: float
    site_in_city: bool = False
    site_outside_city: bool = False
    village_max_distance_m: float | None = None
    #: Service by travel time over the road network: the offices of this type serve the places within
    #: ``service_time_min`` minutes; ``service_measure`` says which of the two (radius or time) counts.
    service_time_min: float | None = None
    service_measure: str = "distance"
    #: People one office can serve, for the capacitated models (optional; a placeholder in the shipped file).
    capacity: float | None = None
    params: Mapping[str, Param] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Rules:
    """All rules: one :class:`LicenceRules` per licence type plus the licensing facts."""

    urban: LicenceRules
    rural: LicenceRules
    min_education: str
    government_employee_allowed: bool
    validity_years: int
    renewal_period_years: int
    source: str = ""
    licensing_params: Mapping[str, Param] = field(default_factory=dict, compare=False, repr=False)

    def for_type(self, licence_type: str) -> LicenceRules:
        """The section of ``licence_type`` ('urban' or 'rural')."""
        if licence_type not in LICENCE_TYPES:
            raise RulesError(f"unknown licence type {licence_type!r}; expected urban or rural")
        return self.urban if licence_type == "urban" else self.rural

    def radii(self) -> dict[str, float]:
        """Service radius per licence type, in metres."""
        return {t: self.for_type(t).service_radius_m for t in LICENCE_TYPES}

    def service_times(self) -> dict[str, float | None]:
        """Service time per licence type, in minutes (None where the rules file gives none)."""
        return {t: self.for_type(t).service_time_min for t in LICENCE_TYPES}

    def measures(self) -> dict[str, str]:
        """Per licence type, what decides service: ``"distance"`` (the radius) or ``"time"`` (travel time)."""
        return {t: self.for_type(t).service_measure for t in LICENCE_TYPES}

    def with_measure(self, measure: str) -> Rules:
        """A copy where every licence type is served by ``measure`` (``"distance"`` or ``"time"``): the
        switch on every command and page. Refused when ``"time"`` and a type has no service time."""
        if measure not in SERVICE_MEASURES:
            raise RulesError(f"service measure {measure!r}: expected one of {', '.join(SERVICE_MEASURES)}")
        if measure == "time":
            missing = [t for t, v in self.service_times().items() if v is None]
            if missing:
                raise RulesError(f"travel time: the rules file gives no service_time_min for {', '.join(missing)}")
        return self.with_overrides({t: {"service_measure": measure} for t in LICENCE_TYPES})

    def with_overrides(self, overrides: Mapping[str, Mapping[str, Any]]) -> Rules:
        """A copy with some parameters changed, e.g. ``{"urban": {"service_radius_m": 4000}}``.

        Used by the planner's sliders; the rules file is never written.
        """
        changed: dict[str, Any] = {}  # licence type -> its changed LicenceRules
        for ltype, values in overrides.items():
            section = self.for_type(ltype)
            names = {f.name for f in fields(LicenceRules)} - {"licence_type", "label_fa", "label_en", "params"}
            for name, value in values.items():
                if name not in names:
                    raise RulesError(f"rules override: {ltype}.{name} is not a rule parameter")
                _check_value(f"{ltype}.{name}", name, value)
            changed[ltype] = replace(section, **values)
        return replace(self, **changed)

    def fingerprint(self) -> tuple:
        """A hashable summary of every value, for caches keyed on the rules."""
        def sec(s: LicenceRules) -> tuple:
            return tuple((f.name, getattr(s, f.name)) for f in fields(s) if f.name != "params")

        return (sec(self.urban), sec(self.rural), self.min_education, self.government_employee_allowed,
                self.validity_years, self.renewal_period_years)


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule, with its explanation in Persian and English.

    Attributes
    ----------
    id
        Stable identifier of the rule, e.g. ``min_distance_same_type``.
    status
        ``pass``, ``fail``, ``warn`` (a concern the working group should look at) or
        ``unknown`` (the rule could not be evaluated: the workspace lacks the data, e.g. no office
        list or no population; the message says what is missing). Unknown is never a pass.
    value, threshold, unit
        What was measured and what it is compared with.
    """

    id: str
    status: Status
    value: float | int | str | None
    threshold: float | int | str | None
    unit: str | None
    message_fa: str
    message_en: str
    basis: str = "policy"
    title_fa: str = ""
    title_en: str = ""
    #: True when a threshold this rule compares with is a placeholder in the rules file
    #: (``placeholder: true``): the outcome is provisional until the working group sets the value.
    provisional: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_SECTION_KEYS: dict[str, type | tuple[type, ...]] = {
    "applicant_types": list,
    "service_radius_m": (int, float),
    "min_distance_same_type_m": (int, float),
    "min_distance_any_type_m": (int, float),
    "min_uncovered_population": (int, float),
    "city_radius_m": (int, float),
    "site_in_city": bool,
    "site_outside_city": bool,
    "village_max_distance_m": (int, float),
    "service_time_min": (int, float),
    "service_measure": str,
    "capacity": (int, float),
}
#: What decides whether an office serves a place: straight-line distance or travel time on the roads.
SERVICE_MEASURES = ("distance", "time")
_REQUIRED = ("applicant_types", "service_radius_m", "min_distance_same_type_m",
             "min_distance_any_type_m", "min_uncovered_population", "city_radius_m")
_LICENSING_KEYS: dict[str, type | tuple[type, ...]] = {
    "min_education": str,
    "government_employee_allowed": bool,
    "validity_years": int,
    "renewal_period_years": int,
}


def _check_value(where: str, name: str, value: Any) -> None:
    kind = _SECTION_KEYS.get(name) or _LICENSING_KEYS.get(name)
    if kind is None:
        raise RulesError(f"{where}: unknown parameter")
    if kind in ((int, float), int) and isinstance(value, bool):
        raise RulesError(f"{where}: expected a number, got {value!r}")
    right_type = isinstance(value, kind)  # (kept apart so that `value` stays Any to the checker)
    if not right_type:
        raise RulesError(f"{where}: expected {getattr(kind, '__name__', 'a number')}, got {value!r}")
    if kind == (int, float) and not math.isfinite(value):
        raise RulesError(f"{where}: expected a finite number, got {value!r}")
    if kind == (int, float) and value < 0:
        raise RulesError(f"{where}: must not be negative, got {value!r}")
    if name == "applicant_types":
        bad = [v for v in value if v not in APPLICANT_TYPES]
        if bad or not value:
            raise RulesError(f"{where}: expected a non-empty list of {APPLICANT_TYPES}, got {value!r}")
    if name == "service_measure" and value not in SERVICE_MEASURES:
        raise RulesError(f"{where}: expected one of {SERVICE_MEASURES}, got {value!r}")
    if name == "capacity" and not value > 0:
        raise RulesError(f"{where}: must be more than 0 people, got {value!r}")
    if name == "service_time_min" and not value > 0:
        raise RulesError(f"{where}: must be more than 0 minutes, got {value!r}")
    if name == "min_education" and value not in EDUCATION_LEVELS:
        raise RulesError(f"{where}: expected one of {EDUCATION_LEVELS}, got {value!r}")


def _param(path: str, name: str, raw: Any) -> Param:
    if not isinstance(raw, Mapping) or "value" not in raw:
        raise RulesError(f"{path}: {name}: expected a mapping with 'value', 'basis', 'doc_fa', 'doc_en'")
    basis = raw.get("basis")
    if basis not in ("guide", "policy"):
        raise RulesError(f"{path}: {name}.basis must be 'guide' or 'policy', got {basis!r}")
    for key in ("doc_fa", "doc_en"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise RulesError(f"{path}: {name}.{key} is missing: every parameter is documented")
    _check_value(f"{path}: {name}", name, raw["value"])
    return Param(name, raw["value"], basis, bool(raw.get("placeholder", False)), raw["doc_fa"], raw["doc_en"])


def load_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """Read and check a rules file.

    ``path`` defaults to ``$SITING_RULES`` or the default rules shipped with the package (``siting/rules/rules.yaml``).
    Raises :class:`RulesError` naming the section and parameter when
    something is missing or of the wrong kind.
    """
    path = Path(path or os.environ.get("SITING_RULES") or DEFAULT_RULES_PATH)
    raw = load_yaml(path, what="rules file", error=RulesError)
    if not isinstance(raw, Mapping):
        raise RulesError(f"{path}: expected sections 'urban', 'rural' and 'licensing'")
    sections: dict[str, LicenceRules] = {}
    for ltype in LICENCE_TYPES:
        sec = raw.get(ltype)
        if not isinstance(sec, Mapping):
            raise RulesError(f"{path}: section '{ltype}' is missing")
        params: dict[str, Param] = {}
        for name, value in sec.items():
            if name in ("label_fa", "label_en"):
                continue
            if name not in _SECTION_KEYS:
                raise RulesError(f"{path}: {ltype}.{name} is not a known parameter")
            params[name] = _param(f"{path}: {ltype}", name, value)
        for name in _REQUIRED:
            if name not in params:
                raise RulesError(f"{path}: {ltype}.{name} is missing")
        values = {k: p.value for k, p in params.items()}
        values["applicant_types"] = tuple(values["applicant_types"])
        values["min_uncovered_population"] = int(values["min_uncovered_population"])
        sections[ltype] = LicenceRules(
            licence_type=ltype,
            label_fa=str(sec.get("label_fa", label(ltype, "fa"))),
            label_en=str(sec.get("label_en", label(ltype, "en"))),
            params=params,
            **values,
        )
    lic = raw.get("licensing")
    if not isinstance(lic, Mapping):
        raise RulesError(f"{path}: section 'licensing' is missing")
    lparams = {}
    for name in _LICENSING_KEYS:
        if name not in lic:
            raise RulesError(f"{path}: licensing.{name} is missing")
        lparams[name] = _param(f"{path}: licensing", name, lic[name])
    return Rules(
        urban=sections["urban"],
        rural=sections["rural"],
        source=str(path),
        licensing_params=lparams,
        **{k: p.value for k, p in lparams.items()},
    )


# ---------------------------------------------------------------------------
# Licensing facts of the guide
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    """What the licensing rules need to know about one person.

    ``role`` is ``applicant`` for a natural person, or ``managing_director``,
    ``signatory`` or ``board_member`` for a company's people.
    """

    name: str
    role: str
    education: str | None
    government_employee: bool | None


_QUALIFYING_ROLES = {"applicant", "managing_director", "signatory"}


def check_applicant(
    rules: Rules,
    licence_type: str,
    applicant_type: str,
    people: Iterable[PersonFacts] | None = None,
) -> list[RuleResult]:
    """The guide's eligibility rules for an applicant.

    * ``applicant_type``: urban licences only for legal persons.
    * ``min_education`` and ``not_government_employee``: the natural-person
      applicant (rural), or the managing director or a signatory (legal
      person), holds at least a bachelor's degree and is not employed by a
      government body. For a company one qualifying person suffices, and the
      same person must meet both conditions.

    When ``people`` is ``None`` only the applicant-type rule is evaluated.
    """
    section = rules.for_type(licence_type)
    results = []
    ok = applicant_type in section.applicant_types
    allowed_fa = "، ".join(label(a, "fa") for a in section.applicant_types)
    allowed_en = ", ".join(label(a, "en") for a in section.applicant_types)
    results.append(RuleResult(
        id="applicant_type",
        status="pass" if ok else "fail",
        value=applicant_type,
        threshold=",".join(section.applicant_types),
        unit=None,
        basis="guide",
        title_fa="نوع متقاضی",
        title_en="Applicant type",
        message_fa=(f"پروانهٔ {section.label_fa} به {label(applicant_type, 'fa')} داده می‌شود."
                    if ok else
                    f"پروانهٔ {section.label_fa} فقط به {allowed_fa} داده می‌شود؛ متقاضی {label(applicant_type, 'fa')} است."),
        message_en=(f"A {section.label_en} licence may be held by a {label(applicant_type, 'en')}."
                    if ok else
                    f"A {section.label_en} licence is only for: {allowed_en}; the applicant is a {label(applicant_type, 'en')}."),
    ))
    if people is None:
        return results
    people = list(people)
    if applicant_type == "natural":
        candidates = [p for p in people if p.role == "applicant"]
        who_fa, who_en = "متقاضی", "the applicant"
    else:
        candidates = [p for p in people if p.role in _QUALIFYING_ROLES - {"applicant"}]
        who_fa, who_en = "مدیرعامل یا یکی از صاحبان امضا", "the managing director or a signatory"
    need = education_rank(rules.min_education)
    educated = [p for p in candidates if p.education is not None and education_rank(p.education) >= need]
    unknown_edu = [p for p in candidates if p.education is None]
    best = max((p.education for p in candidates if p.education), key=education_rank, default=None)
    if educated:
        st: Status = "pass"
    elif unknown_edu:
        st = "warn"
    else:
        st = "fail"
    results.append(RuleResult(
        id="min_education",
        status=st,
        value=best,
        threshold=rules.min_education,
        unit=None,
        basis="guide",
        title_fa="مدرک تحصیلی",
        title_en="Education",
        message_fa={
            "pass": f"{who_fa} ({educated[0].name if educated else ''}) دست‌کم مدرک {label(rules.min_education, 'fa')} دارد.",
            "warn": f"مدرک تحصیلی {who_fa} ثبت نشده است؛ دست‌کم {label(rules.min_education, 'fa')} لازم است.",
            "fail": f"{who_fa} باید دست‌کم مدرک {label(rules.min_education, 'fa')} داشته باشد؛ بالاترین مدرک ثبت‌شده: {label(best, 'fa') if best else 'هیچ'}.",
        }[st],
        message_en={
            "pass": f"{who_en.capitalize()} ({educated[0].name if educated else ''}) holds at least a {label(rules.min_education, 'en')}.",
            "warn": f"The education of {who_en} is not recorded; at least a {label(rules.min_education, 'en')} is required.",
            "fail": f"{who_en.capitalize()} must hold at least a {label(rules.min_education, 'en')}; the highest recorded is: {label(best, 'en') if best else 'none'}.",
        }[st],
    ))
    if rules.government_employee_allowed:
        return results
    pool = educated or candidates
    free = [p for p in pool if p.government_employee is False]
    unknown = [p for p in pool if p.government_employee is None]
    st = "pass" if free else ("warn" if unknown else "fail")
    results.append(RuleResult(
        id="not_government_employee",
        status=st,
        value=None if not pool else ("no" if free else ("unknown" if unknown else "yes")),
        threshold="no",
        unit=None,
        basis="guide",
        title_fa="اشتغال در دستگاه دولتی",
        title_en="Government employment",
        message_fa={
            "pass": f"{who_fa} ({free[0].name if free else ''}) در ادارات دولتی شاغل نیست.",
            "warn": f"وضعیت اشتغال دولتی {who_fa} ثبت نشده است.",
            "fail": f"{who_fa} واجد شرایط در ادارات دولتی شاغل است؛ این مجاز نیست.",
        }[st],
        message_en={
            "pass": f"{who_en.capitalize()} ({free[0].name if free else ''}) is not employed by a government body.",
            "warn": f"Whether {who_en} is employed by a government body is not recorded.",
            "fail": f"{who_en.capitalize()} who qualifies by education is employed by a government body; this is not allowed.",
        }[st],
    ))
    return results


def licence_expiry(issued: date, rules: Rules, *, renewals: int = 0) -> date:
    """Expiry date of a licence issued on ``issued`` (Gregorian), after ``renewals`` renewals.

    Validity is counted in Solar Hijri years, as licences are dated: a licence
    issued on 1403/05/12 expires on 1408/05/12 (30 Esfand in a leap year
    becomes 29 Esfand when the target year is not leap).
    """
    years = rules.validity_years + renewals * rules.renewal_period_years
    j = jdatetime.date.fromgregorian(date=issued)
    target_year = j.year + years
    day = j.day
    if j.month == 12 and day == 30 and not jdatetime.date(target_year, 1, 1).isleap():
        day = 29
    return jdatetime.date(target_year, j.month, day).togregorian()
