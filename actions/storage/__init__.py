"""The action server's own database: what must outlive a conversation and a restart.

Protections a conversation can't reset (actions/protections/), and later the outbox of reports and confirmations and
the payments still being watched. SQLite by default (var/actions.db), PostgreSQL in production
(ACTIONS_DATABASE_URL). The schema is kept by Alembic migrations in `migrations/versions/`, applied on first use
(and by `python -m actions.storage upgrade`), so a council's database is upgraded in place, never recreated.

Add a table: declare it on `Base` in the module that owns it, then add a migration file (copy the newest one's
shape; `down_revision` is the newest revision). tests/storage/ checks the migrations build exactly what `Base`
declares.
"""
from .database import Base, Database, database, engine_for, upgrade

__all__ = ["Base", "Database", "database", "engine_for", "upgrade"]
