"""The console's database is built by its migrations, and they build exactly what staff/models.py declares (a
column added to a model without a migration would work in a test database and fail on a council's). SQLite, and
PostgreSQL when TEST_POSTGRES_URL is set."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from staff.auth import add_user, find_user
from staff.database import VERSION_TABLE, Database, upgrade
from staff.models import Base
from tests.staff.harness import PASSWORD, staff_database  # noqa: F401  (fixture)


def test_the_migrations_build_exactly_what_the_code_declares(staff_database):
    db = Database(staff_database).ready()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE)]
    db.dispose()
    assert differences == [], differences


def test_upgrading_twice_changes_nothing_and_keeps_the_data(staff_database):
    db = Database(staff_database).ready()
    add_user(db, "sam", "agent", PASSWORD)
    upgrade(db.engine)
    with db.session() as session:
        assert find_user(session, "sam").role == "agent"
    tables = inspect(db.engine).get_table_names()
    assert VERSION_TABLE in tables and "alembic_version" not in tables  # never the action server's version table
    db.dispose()
