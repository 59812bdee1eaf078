"""Self-registered applicants: the mobile number given at sign-up

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

One new nullable column, ``users.mobile``; nothing existing changes. A downgrade drops it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mobile", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("mobile")
