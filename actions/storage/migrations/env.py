"""Alembic runs migrations on the connection actions.storage.database.upgrade hands it (never from an ini file)."""
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
