"""Audit hash chain (seq, prev_hash, row_hash), INSERT OR REPLACE refused on SQLite, sign-in throttling

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Existing audit rows are chained here, in id order, with ``$SITING_AUDIT_KEY``
if it is set (set it before migrating and keep it: the chain is verified with
the same key). Times that went backwards are not changed: such a row is
reported by ``siting tracker audit verify``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

from siting.tracker.audit import GENESIS, audit_key, row_fields, row_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = {
    "audit_no_update": "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "audit_no_delete": "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
}
# INSERT OR REPLACE deletes the clashing row without firing DELETE triggers (recursive_triggers
# is off), so a BEFORE INSERT trigger refuses any insert whose id or seq is taken.
_SQLITE_NO_REPLACE = (
    "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit "
    "WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id OR seq = NEW.seq) "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: this row exists already'); END"
)


def _sqlite_triggers(*, create: bool, replace: bool) -> None:
    for name, sql in _SQLITE_TRIGGERS.items():
        op.execute(sql if create else f"DROP TRIGGER IF EXISTS {name}")
    if replace:
        op.execute(_SQLITE_NO_REPLACE if create else "DROP TRIGGER IF EXISTS audit_no_replace")


def _pg_trigger(*, enable: bool) -> None:
    op.execute(f"ALTER TABLE audit {'ENABLE' if enable else 'DISABLE'} TRIGGER audit_no_change")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _sqlite_triggers(create=False, replace=False)
    else:
        _pg_trigger(enable=False)
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    _chain_existing_rows()
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_seq"), ["seq"])
    if sqlite:
        _sqlite_triggers(create=True, replace=True)
    else:
        _pg_trigger(enable=True)

    op.create_table(
        "signin_throttle",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.CheckConstraint("scope IN ('account', 'client')", name=op.f("ck_signin_throttle_scope")),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_signin_throttle")),
    )


def _chain_existing_rows() -> None:
    bind = op.get_bind()
    audit = sa.table(
        "audit",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("row_hash", sa.String),
    )
    rows = bind.execute(
        sa.text(
            "SELECT id, at, user_id, username, role, action, entity, entity_id, application_id, details "
            "FROM audit ORDER BY id"
        )
    ).all()
    key, prev = audit_key(), GENESIS
    for seq, r in enumerate(rows, start=1):
        at = datetime.fromisoformat(r.at) if isinstance(r.at, str) else r.at
        h = row_hash(
            row_fields(
                seq=seq,
                prev_hash=prev,
                at=at,
                user_id=r.user_id,
                username=r.username,
                role=r.role,
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                application_id=r.application_id,
                details=r.details,
            ),
            key,
        )
        bind.execute(
            audit.update().where(audit.c.id == r.id).values(seq=seq, prev_hash=prev, row_hash=h)
        )
        prev = h


def downgrade() -> None:
    op.drop_table("signin_throttle")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _sqlite_triggers(create=False, replace=True)
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_seq"), type_="unique")
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    if sqlite:
        _sqlite_triggers(create=True, replace=False)
