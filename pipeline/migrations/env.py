"""Alembic environment: run on the connection `store.upgrade` passes in (no alembic.ini needed)."""

from alembic import context

from pipeline.store import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
