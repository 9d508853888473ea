"""Alembic environment: runs against the engine/connection handed over by scanner.store.engine."""

from alembic import context
from sqlmodel import SQLModel

import scanner.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - alembic CLI use
    connection = config.attributes["engine"].connect()

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
