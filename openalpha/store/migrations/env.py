"""Alembic environment: runs on the connection handed over by :func:`openalpha.store.migrate.upgrade`."""

from __future__ import annotations

from alembic import context

from openalpha.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through openalpha.store.migrate (no connection given)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
