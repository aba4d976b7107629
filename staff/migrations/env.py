"""Alembic runs migrations on the connection staff.database.upgrade hands it (never from an ini file)."""
from alembic import context

from staff.database import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite",
                  version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
