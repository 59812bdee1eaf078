"""Alembic environment of the tracker (used through :mod:`siting.tracker.migrate`).

The caller passes an open connection in ``config.attributes["connection"]``;
offline mode (``--sql``) renders SQL for the URL in ``sqlalchemy.url``.
SQLite gets ``render_as_batch`` so that ALTERs become table copies.
"""

from __future__ import annotations

from alembic import context

from siting.tracker.models import Base

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=str(url).startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
