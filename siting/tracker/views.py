"""What the tracker's functions take and return: frozen dataclasses, never ORM rows.

Inputs (``*Input``) are what a form collects; views are plain values a page
renders without touching the database (dates are :class:`datetime.date`,
times are aware UTC datetimes; format them with :mod:`siting.fmt`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..rules import RuleResult


# ---------------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonInput:
    """One person: the natural applicant (role ``applicant``) or one of a company's people.

    ``on_board`` marks a managing director who is also a board member (the
    guide asks for both boxes to be ticked); ``signatory`` a board member or
    director who signs for the company; ``military_exempt`` someone who does
    not provide a military-service card (women, exempted men).
    """

    full_name: str
    national_id: str
    education: str
    government_employee: bool
    role: str = "applicant"
    on_board: bool = False
    signatory: bool = False
    military_exempt: bool = False


@dataclass(frozen=True)
class ApplicantInput:
    """A natural person (``kind='natural'``, one person) or a company (``kind='legal'``).

    For a company, ``national_id`` is the 11-digit legal-entity ID and
    ``people`` holds the managing director and every board member and
    signatory; for a natural person it is the 10-digit national ID and
    ``people`` holds that person (role ``applicant``).
    """

    kind: str
    name: str
    national_id: str
    people: tuple[PersonInput, ...]
    company_type: str | None = None
    ownership: str | None = None
    registration_number: str | None = None
    registration_date: date | None = None
    registration_province: str | None = None


@dataclass(frozen=True)
class SiteInput:
    """A proposed site: a point, or an address with a 10-digit postal code, or
    an address with ``map_not_found`` ("I could not find it on the map"; the
    guide lets the applicant carry the risk of any discrepancy)."""

    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    postal_code: str | None = None
    map_not_found: bool = False


# ---------------------------------------------------------------------------------------------
# views
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    sso: bool


@dataclass(frozen=True)
class PersonView:
    id: int
    role: str
    full_name: str
    national_id: str
    education: str
    government_employee: bool
    on_board: bool
    signatory: bool
    military_exempt: bool


@dataclass(frozen=True)
class ApplicantView:
    id: int
    owner_id: int
    kind: str
    name: str
    national_id: str
    company_type: str | None
    ownership: str | None
    registration_number: str | None
    registration_date: date | None
    registration_province: str | None
    people: tuple[PersonView, ...]
    version: int


@dataclass(frozen=True)
class SiteView:
    lon: float | None
    lat: float | None
    address: str | None
    postal_code: str | None
    map_not_found: bool

    @property
    def has_point(self) -> bool:
        return self.lon is not None and self.lat is not None


@dataclass(frozen=True)
class ApplicationView:
    id: int
    applicant_id: int
    applicant_name: str
    applicant_kind: str
    licence_type: str
    request_type: str
    status: str
    round: int
    site: SiteView
    county: str | None
    validation_status: str | None
    licence_id: int | None
    details: Mapping[str, Any]
    version: int
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None


@dataclass(frozen=True)
class StepView:
    """One step of one application, with its workflow definition's titles and who acts."""

    id: int
    step_id: str
    title_fa: str
    title_en: str
    phase: str
    round: int
    state: str
    actor: str
    actor_fa: str
    actor_en: str
    needs: tuple[str, ...]
    completed_by_action: str
    documents: tuple[str, ...]
    data_fields: tuple[str, ...]
    ready_at: datetime | None
    due_on: date | None
    completed_at: datetime | None
    completed_by: int | None
    notes: str | None
    data: Mapping[str, Any]
    deficiencies: tuple[str, ...]

    def is_overdue(self, today: date) -> bool:
        return self.state in ("ready", "returned") and self.due_on is not None and self.due_on < today


@dataclass(frozen=True)
class DocumentView:
    id: int
    application_id: int
    kind: str
    person_id: int | None
    original_name: str
    media_type: str
    size: int
    pages: int | None
    width: int | None
    height: int | None
    sha256: str
    uploaded_at: datetime
    current: bool


@dataclass(frozen=True)
class MissingDocument:
    """A document a step still needs (for one person, or for the application)."""

    step_id: str
    kind: str
    title_fa: str
    title_en: str
    person_id: int | None
    person_name: str | None


@dataclass(frozen=True)
class RequestedDocument:
    """A document a return asked the applicant to upload again (``uploaded``: done since the return)."""

    kind: str
    title_fa: str
    title_en: str
    uploaded: bool


@dataclass(frozen=True)
class DecisionView:
    id: int
    round: int
    body: str
    outcome: str
    reasons: str
    deficiencies: tuple[str, ...]
    override_reason: str | None
    meeting_date: date | None
    decided_by: int
    decided_at: datetime


@dataclass(frozen=True)
class LicenceView:
    id: int
    number: str
    licence_type: str
    holder_id: int
    holder_name: str
    application_id: int
    predecessor_id: int | None
    issued_on: date
    expires_on: date
    renewals: int
    status: str
    lon: float | None
    lat: float | None
    address: str | None
    postal_code: str | None
    county: str | None
    deputy_name: str | None
    deputy_national_id: str | None
    version: int

    def days_left(self, today: date) -> int:
        """Days until expiry (negative once expired)."""
        return (self.expires_on - today).days

    def state_on(self, today: date) -> str:
        """``active``, ``expired``, ``withdrawn`` or ``transferred`` on ``today``."""
        if self.status == "active" and self.expires_on <= today:
            return "expired"
        return self.status


@dataclass(frozen=True)
class ApplicationDetail:
    """Everything about one application, for its page (one call)."""

    application: ApplicationView
    applicant: ApplicantView
    steps: tuple[StepView, ...]
    next_steps: tuple[StepView, ...]
    documents: tuple[DocumentView, ...]
    missing_documents: tuple[MissingDocument, ...]
    decisions: tuple[DecisionView, ...]
    eligibility: tuple[RuleResult, ...]
    validation: Mapping[str, Any] | None
    licence: LicenceView | None
    open_deficiencies: tuple[str, ...]
    #: the documents the last return asked for (a returned application), in the order asked
    requested_documents: tuple[RequestedDocument, ...] = ()

    def current_steps(self) -> tuple[StepView, ...]:
        """The newest row of every step (earlier review rounds left out)."""
        latest: dict[str, StepView] = {}
        for s in self.steps:
            if s.step_id not in latest or s.round >= latest[s.step_id].round:
                latest[s.step_id] = s
        return tuple(sorted(latest.values(), key=lambda s: s.id))


@dataclass(frozen=True)
class MyApplication:
    """A row of the applicant's "my applications" screen."""

    application: ApplicationView
    next_steps: tuple[StepView, ...]
    open_deficiencies: tuple[str, ...]
    last_decision: DecisionView | None
    licence: LicenceView | None


@dataclass(frozen=True)
class QueueItem:
    application_id: int
    applicant_name: str
    licence_type: str
    request_type: str
    county: str | None
    status: str
    step: StepView


@dataclass(frozen=True)
class Queue:
    """Open steps of every application, for the directorate's work queue."""

    items: tuple[QueueItem, ...]

    def by_step(self) -> dict[str, tuple[QueueItem, ...]]:
        out: dict[str, list[QueueItem]] = {}
        for item in self.items:
            out.setdefault(item.step.step_id, []).append(item)
        return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class OverdueItem:
    item: QueueItem
    days_overdue: int


@dataclass(frozen=True)
class RenewalItem:
    licence: LicenceView
    days_left: int
    renewal_application_id: int | None


@dataclass(frozen=True)
class AgendaItem:
    """One proposal on the working group's agenda: who, where, and the site validation summary."""

    application_id: int
    version: int
    applicant_name: str
    applicant_kind: str
    licence_type: str
    request_type: str
    round: int
    county: str | None
    lon: float | None
    lat: float | None
    address: str | None
    map_not_found: bool
    submitted_at: datetime | None
    validation_status: str | None
    failed_rules: tuple[str, ...]
    warned_rules: tuple[str, ...]
    newly_covered_population: int | None
    conflicts: tuple[int, ...]
    sample: bool
    validated_at: datetime | None


@dataclass(frozen=True)
class Agenda:
    """The working group's agenda: pending proposals, oldest first."""

    items: tuple[AgendaItem, ...]
    generated_at: datetime

    def to_geojson(self) -> dict[str, Any]:
        """Proposals with a point as a GeoJSON FeatureCollection (for the map layer)."""
        features = []
        for it in self.items:
            if it.lon is None or it.lat is None:
                continue
            features.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [it.lon, it.lat]},
                "properties": {
                    "application_id": it.application_id, "applicant": it.applicant_name,
                    "licence_type": it.licence_type, "request_type": it.request_type,
                    "county": it.county, "validation_status": it.validation_status,
                    "failed_rules": list(it.failed_rules), "warned_rules": list(it.warned_rules),
                    "newly_covered_population": it.newly_covered_population,
                    "conflicts": list(it.conflicts), "sample": it.sample,
                },
            })
        return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    user_id: int | None
    username: str
    role: str
    action: str
    entity: str
    entity_id: int | None
    application_id: int | None
    details: Mapping[str, Any] = field(default_factory=dict)


def jsonable(value: Any) -> Any:
    """``value`` with dates as ISO text, ready for a JSON column."""
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _default(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, tuple | set | frozenset):
        return list(v)
    raise TypeError(f"{type(v).__name__} is not JSON-serialisable")


__all__ = [
    "Agenda",
    "AgendaItem",
    "ApplicantInput",
    "ApplicantView",
    "ApplicationDetail",
    "ApplicationView",
    "AuditView",
    "DecisionView",
    "DocumentView",
    "LicenceView",
    "MissingDocument",
    "MyApplication",
    "OverdueItem",
    "PersonInput",
    "PersonView",
    "Queue",
    "QueueItem",
    "RenewalItem",
    "SiteInput",
    "SiteView",
    "StepView",
    "UserView",
    "jsonable",
]
