"""ORM rows to the frozen views of :mod:`siting.tracker.views` (internal)."""

from __future__ import annotations

from sqlalchemy import Row

from . import models as m
from .views import (
    ApplicantView,
    ApplicationView,
    DecisionView,
    DocumentView,
    LicenceView,
    PersonView,
    SiteView,
    StepView,
    UserView,
)
from .workflow import Workflow


def user_view(u: m.User) -> UserView:
    return UserView(u.id, u.username, u.display_name, u.role, u.active, u.sso_issuer is not None)


def person_view(p: m.Person) -> PersonView:
    return PersonView(p.id, p.role, p.full_name, p.national_id, p.education, p.government_employee,
                      p.on_board, p.signatory, p.military_exempt)


def applicant_view(a: m.Applicant) -> ApplicantView:
    return ApplicantView(
        a.id, a.owner_id, a.kind, a.name, a.national_id, a.company_type, a.ownership,
        a.registration_number, a.registration_date, a.registration_province,
        tuple(person_view(p) for p in a.people), a.version)


def application_view(app: m.Application) -> ApplicationView:
    return ApplicationView(
        id=app.id, applicant_id=app.applicant_id, applicant_name=app.applicant.name,
        applicant_kind=app.applicant.kind, licence_type=app.licence_type, request_type=app.request_type,
        status=app.status, round=app.round,
        site=SiteView(app.site_lon, app.site_lat, app.address, app.postal_code, app.map_not_found),
        county=app.county, validation_status=app.validation_status, licence_id=app.licence_id,
        details=dict(app.details or {}), version=app.version, created_at=app.created_at,
        submitted_at=app.submitted_at, decided_at=app.decided_at)


def step_view(s: m.Step | Row, wf: Workflow) -> StepView:
    """From a step row (an ORM object, or a plain result row with the steps table's columns)."""
    d = wf.step(s.step_id)
    return StepView(
        id=s.id, step_id=s.step_id, title_fa=d.fa, title_en=d.en, phase=s.phase, round=s.round,
        state=s.state, actor=s.actor, actor_fa=wf.actor_label(s.actor, "fa"),
        actor_en=wf.actor_label(s.actor, "en"), needs=d.needs, completed_by_action=d.completed_by,
        documents=d.documents, data_fields=tuple(f.id for f in d.data), ready_at=s.ready_at,
        due_on=s.due_on, completed_at=s.completed_at, completed_by=s.completed_by, notes=s.notes,
        data=dict(s.data or {}), deficiencies=tuple(s.deficiencies or ()))


def document_view(d: m.Document) -> DocumentView:
    return DocumentView(d.id, d.application_id, d.kind, d.person_id, d.original_name, d.media_type, d.size,
                        d.pages, d.width, d.height, d.sha256, d.uploaded_at, d.superseded_at is None)


def decision_view(d: m.Decision) -> DecisionView:
    return DecisionView(d.id, d.round, d.body, d.outcome, d.reasons, tuple(d.deficiencies or ()),
                        d.override_reason, d.meeting_date, d.decided_by, d.decided_at)


def licence_view(lic: m.Licence) -> LicenceView:
    return LicenceView(
        lic.id, lic.number, lic.licence_type, lic.holder_id, lic.holder_name, lic.application_id,
        lic.predecessor_id, lic.issued_on, lic.expires_on, lic.renewals, lic.status, lic.lon, lic.lat,
        lic.address, lic.postal_code, lic.county, lic.deputy_name, lic.deputy_national_id, lic.version)
