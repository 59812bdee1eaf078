"""initial schema: accounts, applicants and their people, applications, steps, documents,
decisions, licences, site validations and the append-only audit trail

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index("ix_audit_application", ["application_id", "id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("sso_issuer", sa.String(length=255), nullable=True),
        sa.Column("sso_subject", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('applicant', 'expert', 'wg_member', 'admin')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint(
            "sso_issuer", "sso_subject", name=op.f("uq_users_sso_issuer_sso_subject")
        ),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "applicants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("national_id", sa.String(length=11), nullable=False),
        sa.Column("company_type", sa.String(length=30), nullable=True),
        sa.Column("ownership", sa.String(length=20), nullable=True),
        sa.Column("registration_number", sa.String(length=40), nullable=True),
        sa.Column("registration_date", sa.Date(), nullable=True),
        sa.Column("registration_province", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'natural' AND length(national_id) = 10) OR (kind = 'legal' AND length(national_id) = 11)",
            name=op.f("ck_applicants_national_id_length"),
        ),
        sa.CheckConstraint(
            "company_type IS NULL OR company_type IN ('company', 'institution', 'cooperative', 'cooperative_company', 'government_organisation', 'other')",
            name=op.f("ck_applicants_company_type"),
        ),
        sa.CheckConstraint("kind IN ('natural', 'legal')", name=op.f("ck_applicants_kind")),
        sa.CheckConstraint(
            "ownership IS NULL OR ownership IN ('private', 'government')",
            name=op.f("ck_applicants_ownership"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_applicants_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicants")),
        sa.UniqueConstraint("kind", "national_id", name=op.f("uq_applicants_kind_national_id")),
    )
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applicants_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("licence_type", sa.String(length=10), nullable=False),
        sa.Column("request_type", sa.String(length=30), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("site_lon", sa.Float(), nullable=True),
        sa.Column("site_lat", sa.Float(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("map_not_found", sa.Boolean(), nullable=False),
        sa.Column("county", sa.String(length=120), nullable=True),
        sa.Column("validation_status", sa.String(length=20), nullable=True),
        sa.Column("validation_summary", sa.JSON(), nullable=True),
        sa.Column("validated_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "licence_type IN ('urban', 'rural')", name=op.f("ck_applications_licence_type")
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'under_review', 'returned', 'approved', 'rejected', 'licensed', 'completed', 'cancelled')",
            name=op.f("ck_applications_status"),
        ),
        sa.CheckConstraint(
            "(site_lon IS NULL AND site_lat IS NULL) OR (site_lon IS NOT NULL AND site_lat IS NOT NULL)",
            name=op.f("ck_applications_site_point"),
        ),
        sa.CheckConstraint(
            "postal_code IS NULL OR length(postal_code) = 10",
            name=op.f("ck_applications_postal_code_length"),
        ),
        sa.CheckConstraint("round >= 1", name=op.f("ck_applications_round")),
        sa.CheckConstraint(
            "site_lat IS NULL OR (site_lat >= -90 AND site_lat <= 90)",
            name=op.f("ck_applications_site_lat_range"),
        ),
        sa.CheckConstraint(
            "site_lon IS NULL OR (site_lon >= -180 AND site_lon <= 180)",
            name=op.f("ck_applications_site_lon_range"),
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["applicants.id"],
            name=op.f("fk_applications_applicant_id_applicants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_applicant_id"), ["applicant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applications_licence_id"), ["licence_id"], unique=False
        )
        batch_op.create_index(
            "ix_applications_status_submitted", ["status", "submitted_at"], unique=False
        )

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("national_id", sa.String(length=10), nullable=False),
        sa.Column("education", sa.String(length=20), nullable=False),
        sa.Column("government_employee", sa.Boolean(), nullable=False),
        sa.Column("on_board", sa.Boolean(), nullable=False),
        sa.Column("signatory", sa.Boolean(), nullable=False),
        sa.Column("military_exempt", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "education IN ('none', 'diploma', 'associate', 'bachelor', 'master', 'doctorate')",
            name=op.f("ck_people_education"),
        ),
        sa.CheckConstraint(
            "role IN ('applicant', 'managing_director', 'board_member', 'signatory')",
            name=op.f("ck_people_role"),
        ),
        sa.CheckConstraint("length(national_id) = 10", name=op.f("ck_people_national_id_length")),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["applicants.id"],
            name=op.f("fk_people_applicant_id_applicants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint(
            "applicant_id", "national_id", name=op.f("uq_people_applicant_id_national_id")
        ),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_applicant_id"), ["applicant_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("deficiencies", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "body IN ('working_group', 'directorate')", name=op.f("ck_decisions_body")
        ),
        sa.CheckConstraint(
            "outcome IN ('approve', 'reject', 'return')", name=op.f("ck_decisions_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_decisions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_decisions_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint(
            "application_id", "round", name=op.f("uq_decisions_application_id_round")
        ),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisions_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_documents_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_documents_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_documents_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_documents_stored_name")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_documents_application_kind", ["application_id", "kind"], unique=False
        )

    op.create_table(
        "licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("licence_type", sa.String(length=10), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("county", sa.String(length=120), nullable=True),
        sa.Column("deputy_name", sa.String(length=200), nullable=True),
        sa.Column("deputy_national_id", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "licence_type IN ('urban', 'rural')", name=op.f("ck_licences_licence_type")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'withdrawn', 'transferred')", name=op.f("ck_licences_status")
        ),
        sa.CheckConstraint("expires_on > issued_on", name=op.f("ck_licences_dates")),
        sa.CheckConstraint("renewals >= 0", name=op.f("ck_licences_renewals")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_licences_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["applicants.id"], name=op.f("fk_licences_holder_id_applicants")
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_id"], ["licences.id"], name=op.f("fk_licences_predecessor_id_licences")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licences")),
        sa.UniqueConstraint("number", name=op.f("uq_licences_number")),
    )
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_licences_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index("ix_licences_status_expires", ["status", "expires_on"], unique=False)

    op.create_table(
        "site_validations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_site_validations_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_validations")),
    )
    with op.batch_alter_table("site_validations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_site_validations_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=60), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=30), nullable=False),
        sa.Column("ready_at", sa.DateTime(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("completed_by", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("deficiencies", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "state IN ('waiting', 'ready', 'done', 'returned', 'skipped', 'closed')",
            name=op.f("ck_steps_state"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_steps_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["completed_by"], ["users.id"], name=op.f("fk_steps_completed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_steps")),
        sa.UniqueConstraint(
            "application_id", "step_id", "round", name=op.f("uq_steps_application_id_step_id_round")
        ),
    )
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_steps_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index("ix_steps_state_step", ["state", "step_id"], unique=False)

    # applications.licence_id -> licences.id closes a cycle (licences.application_id), so it is
    # added once both tables exist (a table copy on SQLite, ALTER TABLE on PostgreSQL).
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_applications_licence_id_licences", "licences", ["licence_id"], ["id"]
        )

    _audit_append_only(create=True)


def downgrade() -> None:
    _audit_append_only(create=False)
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint("fk_applications_licence_id_licences", type_="foreignkey")
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_index("ix_steps_state_step")
        batch_op.drop_index(batch_op.f("ix_steps_application_id"))

    op.drop_table("steps")
    with op.batch_alter_table("site_validations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_validations_application_id"))

    op.drop_table("site_validations")
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.drop_index("ix_licences_status_expires")
        batch_op.drop_index(batch_op.f("ix_licences_holder_id"))

    op.drop_table("licences")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_application_kind")

    op.drop_table("documents")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_application_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_applicant_id"))

    op.drop_table("people")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index("ix_applications_status_submitted")
        batch_op.drop_index(batch_op.f("ix_applications_licence_id"))
        batch_op.drop_index(batch_op.f("ix_applications_applicant_id"))

    op.drop_table("applications")
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applicants_owner_id"))

    op.drop_table("applicants")
    op.drop_table("users")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_application")

    op.drop_table("audit")


def _audit_append_only(*, create: bool) -> None:
    """Database triggers that refuse UPDATE and DELETE on the audit trail (and TRUNCATE on PostgreSQL)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if create:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER audit_no_{event.lower()} BEFORE {event} ON audit "
                    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
                )
        else:
            op.execute("DROP TRIGGER IF EXISTS audit_no_update")
            op.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        return
    if create:
        op.execute(
            "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit")
        op.execute("DROP TRIGGER IF EXISTS audit_no_change ON audit")
        op.execute("DROP FUNCTION IF EXISTS audit_append_only()")
