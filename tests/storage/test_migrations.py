"""The action server's database is built by its migrations, and they build exactly what the code declares.

A table or column added to a model without a migration would work in a fresh test database made by create_all and
fail on a council's real one: comparing the migrated schema with the models catches that. Runs on SQLite, and on
PostgreSQL when TEST_POSTGRES_URL is set (CI sets it; elsewhere that case is skipped, saying so).
"""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import actions.protections.store  # noqa: F401  (declares its tables on Base)
import actions.payments.watch  # noqa: F401  (declares watched_payments on Base)
import actions.outbox.store  # noqa: F401  (declares the outbox on Base)
from actions.storage import Base, Database, upgrade


def test_the_migrations_build_exactly_what_the_code_declares(actions_database):
    db = Database(actions_database).ready()
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], differences


def test_upgrading_twice_changes_nothing_and_keeps_the_data(actions_database):
    db = Database(actions_database).ready()
    store = actions.protections.store.ProtectionsStore(db)
    store.record_failure("conversation-1", "client-1")
    upgrade(db.engine)
    assert store.conversation_failures("conversation-1") == 1
    assert "alembic_version" in inspect(db.engine).get_table_names()
