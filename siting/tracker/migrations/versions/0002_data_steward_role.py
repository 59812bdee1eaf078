"""the data steward role: accounts may have the role data_steward (siting/permissions.py)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Only the CHECK constraint on ``users.role`` changes. PostgreSQL drops and
re-creates it. SQLite cannot alter a constraint and cannot copy ``users``
(other tables refer to it) with foreign keys on inside the migration's
transaction, so the table's definition is rewritten in place (see
``_replace_check``); ``siting/tracker/migrate.py`` needs no change.
A downgrade refuses while any account still has the role (change or remove
those accounts first), so that no row breaks the old constraint.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from siting.tracker.errors import TrackerInputError

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_ROLES = ("applicant", "expert", "wg_member", "admin")
NEW_ROLES = (*OLD_ROLES, "data_steward")


def _check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def _replace_check(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role"), "users", _check(new))
        return
    # SQLite cannot alter a constraint, and copying "users" (Alembic's batch mode) needs foreign keys
    # off, which SQLite cannot switch inside the migration's transaction: a deferred check then fails
    # at commit. Widening or narrowing a CHECK does not change how rows are stored, so SQLite's
    # documented alternative applies: rewrite the table's CREATE statement in sqlite_schema and bump
    # the schema version (https://www.sqlite.org/lang_altertable.html, "otherwise" procedure).
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'"
    ).scalar()
    if sql is None or sql.count(_check(old)) != 1:
        raise RuntimeError(
            f"migration 0002: the users table does not have the expected constraint {_check(old)}"
        )
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'users'",
            (sql.replace(_check(old), _check(new)),),
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    check = bind.exec_driver_sql("PRAGMA integrity_check").scalar()
    if check != "ok":
        raise RuntimeError(f"migration 0002: integrity check after changing users: {check}")


def upgrade() -> None:
    _replace_check(OLD_ROLES, NEW_ROLES)


def downgrade() -> None:
    n = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM users WHERE role = 'data_steward'"))
        .scalar()
    )
    if n:
        raise TrackerInputError(
            f"role: cannot downgrade below 0002: {n} account(s) have the role data_steward; give them another "
            "role or deactivate and remove them first",
            f"نقش: بازگشت به پیش از ۰۰۰۲ ممکن نیست: {n} حساب نقش متصدی داده دارند؛ نخست نقش دیگری به آن‌ها بدهید",
        )
    _replace_check(NEW_ROLES, OLD_ROLES)
