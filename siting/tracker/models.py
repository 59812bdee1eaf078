"""The tracker's tables (SQLAlchemy 2 declarative models).

One schema for SQLite and PostgreSQL; Alembic migrations in
``siting/tracker/migrations`` create it (a test checks the two agree).
Coordinates are plain REAL columns with range checks (SpatiaLite cannot be
loaded here; the site rules work on the workspace, not in SQL). Identifiers
are text. Times are stored in UTC. ``version`` columns give optimistic
locking: every change to a row (or, for an application, to anything that
belongs to it) raises its version by one, and SQLAlchemy adds
``WHERE version = <version read>`` to the UPDATE and raises when no row
matched, i.e. when another transaction changed it first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..vocab import APPLICANT_TYPES, EDUCATION_LEVELS, LICENCE_TYPES
from .terms import (
    COMPANY_TYPES,
    LICENCE_STATUSES,
    OUTCOMES,
    OWNERSHIP,
    PERSON_ROLES,
    ROLES,
    STATUSES,
    STEP_STATES,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _one_of(column: str, values: tuple[str, ...], *, nullable: bool = False) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    test = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {test}" if nullable else test


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    """An account: local (salted scrypt hash) or from the organisation's SSO (issuer + subject)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_one_of("role", ROLES), name="role"),
        UniqueConstraint("sso_issuer", "sso_subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    sso_issuer: Mapped[str | None] = mapped_column(String(255))
    sso_subject: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: The mobile number a self-registered applicant gave (09xxxxxxxxx), else None.
    mobile: Mapped[str | None] = mapped_column(String(20))

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (typed by the declarative base)


class Applicant(Base):
    """A natural person or a company applying for licences; owned by one applicant account."""

    __tablename__ = "applicants"
    __table_args__ = (
        CheckConstraint(_one_of("kind", APPLICANT_TYPES), name="kind"),
        CheckConstraint(_one_of("company_type", COMPANY_TYPES, nullable=True), name="company_type"),
        CheckConstraint(_one_of("ownership", OWNERSHIP, nullable=True), name="ownership"),
        CheckConstraint("(kind = 'natural' AND length(national_id) = 10) OR "
                        "(kind = 'legal' AND length(national_id) = 11)", name="national_id_length"),
        UniqueConstraint("kind", "national_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    national_id: Mapped[str] = mapped_column(String(11))
    company_type: Mapped[str | None] = mapped_column(String(30))
    ownership: Mapped[str | None] = mapped_column(String(20))
    registration_number: Mapped[str | None] = mapped_column(String(40))
    registration_date: Mapped[date | None] = mapped_column(Date)
    registration_province: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    people: Mapped[list[Person]] = relationship(
        back_populates="applicant", cascade="all, delete-orphan", order_by="Person.id")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (typed by the declarative base)


class Person(Base):
    """A natural applicant, or one of a company's managing director, board members, signatories.

    One row per person: a managing director who is also on the board has
    ``on_board``; a board member or director who signs for the company has
    ``signatory``.
    """

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(_one_of("role", PERSON_ROLES), name="role"),
        CheckConstraint(_one_of("education", EDUCATION_LEVELS), name="education"),
        CheckConstraint("length(national_id) = 10", name="national_id_length"),
        UniqueConstraint("applicant_id", "national_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    full_name: Mapped[str] = mapped_column(String(200))
    national_id: Mapped[str] = mapped_column(String(10))
    education: Mapped[str] = mapped_column(String(20))
    government_employee: Mapped[bool] = mapped_column(Boolean)
    on_board: Mapped[bool] = mapped_column(Boolean, default=False)
    signatory: Mapped[bool] = mapped_column(Boolean, default=False)
    military_exempt: Mapped[bool] = mapped_column(Boolean, default=False)

    applicant: Mapped[Applicant] = relationship(back_populates="people")


class Application(Base):
    """One request: its licence type, request type, proposed site, status and review round."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(_one_of("licence_type", LICENCE_TYPES), name="licence_type"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        CheckConstraint("(site_lon IS NULL AND site_lat IS NULL) OR "
                        "(site_lon IS NOT NULL AND site_lat IS NOT NULL)", name="site_point"),
        CheckConstraint("site_lon IS NULL OR (site_lon >= -180 AND site_lon <= 180)", name="site_lon_range"),
        CheckConstraint("site_lat IS NULL OR (site_lat >= -90 AND site_lat <= 90)", name="site_lat_range"),
        CheckConstraint("postal_code IS NULL OR length(postal_code) = 10", name="postal_code_length"),
        CheckConstraint("round >= 1", name="round"),
        Index("ix_applications_status_submitted", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    licence_type: Mapped[str] = mapped_column(String(10))
    request_type: Mapped[str] = mapped_column(String(30))
    licence_id: Mapped[int | None] = mapped_column(
        ForeignKey("licences.id", use_alter=True, name="fk_applications_licence_id_licences"), index=True)
    details: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(20))
    round: Mapped[int] = mapped_column(Integer, default=1)
    site_lon: Mapped[float | None] = mapped_column(Float)
    site_lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(10))
    map_not_found: Mapped[bool] = mapped_column(Boolean, default=False)
    county: Mapped[str | None] = mapped_column(String(120))
    validation_status: Mapped[str | None] = mapped_column(String(20))
    validation_summary: Mapped[dict[str, Any] | None]
    validated_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    applicant: Mapped[Applicant] = relationship()
    steps: Mapped[list[Step]] = relationship(
        back_populates="application", order_by="Step.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (typed by the declarative base)


class SiteValidation(Base):
    """Every run of :func:`siting.rules.validate.validate_site` for an application, with its full report."""

    __tablename__ = "site_validations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    run_at: Mapped[datetime]
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    report: Mapped[dict[str, Any]]


class Step(Base):
    """One workflow step of one application in one review round."""

    __tablename__ = "steps"
    __table_args__ = (
        CheckConstraint(_one_of("state", STEP_STATES), name="state"),
        UniqueConstraint("application_id", "step_id", "round"),
        Index("ix_steps_state_step", "state", "step_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    step_id: Mapped[str] = mapped_column(String(60))
    round: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(30))
    ready_at: Mapped[datetime | None]
    due_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None]
    deficiencies: Mapped[list[Any] | None]

    application: Mapped[Application] = relationship(back_populates="steps")


class Document(Base):
    """An uploaded file that passed the checks; the bytes live in the files folder under ``stored_name``."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_application_kind", "application_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(36), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    pages: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]
    superseded_at: Mapped[datetime | None]


class Decision(Base):
    """A review decision (working group or directorate) for one round of an application."""

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint(_one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(_one_of("body", ("working_group", "directorate")), name="body"),
        UniqueConstraint("application_id", "round"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text)
    deficiencies: Mapped[list[Any]]
    override_reason: Mapped[str | None] = mapped_column(Text)
    meeting_date: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime]


class Licence(Base):
    """A licence: who holds it, where, when issued, when it expires (5 Solar Hijri years per period)."""

    __tablename__ = "licences"
    __table_args__ = (
        CheckConstraint(_one_of("status", LICENCE_STATUSES), name="status"),
        CheckConstraint(_one_of("licence_type", LICENCE_TYPES), name="licence_type"),
        CheckConstraint("expires_on > issued_on", name="dates"),
        CheckConstraint("renewals >= 0", name="renewals"),
        Index("ix_licences_status_expires", "status", "expires_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    licence_type: Mapped[str] = mapped_column(String(10))
    holder_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    holder_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(10))
    county: Mapped[str | None] = mapped_column(String(120))
    deputy_name: Mapped[str | None] = mapped_column(String(200))
    deputy_national_id: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012 (typed by the declarative base)


class AuditEntry(Base):
    """One change: who, when, what. Append-only: database triggers refuse UPDATE and DELETE
    (and, on SQLite, INSERT OR REPLACE); each row is hash-chained to the one before
    (:mod:`siting.tracker.audit`), so a rewrite that bypasses the triggers is still found.

    No foreign keys, so the trail outlives anything it mentions.
    """

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_application", "application_id", "id"), UniqueConstraint("seq"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    application_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]]


class ApiKey(Base):
    """An API key of one account, for clients of the HTTP API (``siting serve``).

    Only the SHA-256 of the whole key is stored (the key is 256 bits of randomness, so a fast hash
    is enough: nobody can search that space); ``key_id`` is its public part, shown in lists and the
    audit trail. A key acts as its account, with the account's role as the database has it now;
    revoking sets ``revoked_at`` and the key stops working at once.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None]


class SigninThrottle(Base):
    """Failed sign-ins of one account name (``scope`` 'account') or one client ('client')."""

    __tablename__ = "signin_throttle"
    __table_args__ = (CheckConstraint(_one_of("scope", ("account", "client")), name="scope"),)

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


__all__ = [
    "ApiKey",
    "Applicant",
    "Application",
    "AuditEntry",
    "Base",
    "Decision",
    "Document",
    "Licence",
    "Person",
    "SigninThrottle",
    "SiteValidation",
    "Step",
    "User",
]
