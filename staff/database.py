"""The console's own database (SQLite locally, PostgreSQL for a council): one engine per URL, sessions, migrations.

The schema is kept by Alembic migrations in `migrations/versions/`, applied before first use (and by
`python -m staff migrate`), so a council's database is upgraded in place, never recreated. The console keeps its
own version table (`staff_alembic_version`) so it can share a PostgreSQL database with the action server's tables
without either's migrations seeing the other's.
"""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Iterator, Union

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "staff_alembic_version"
# PostgreSQL advisory lock held while migrating: two console processes starting at once migrate one at a time.
MIGRATION_LOCK = 5_090_2026


def engine_for(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema up to `revision` with the console's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class Database:
    """The console's database: `writing()` for a transaction, `session()` for reading."""

    def __init__(self, database_url: str) -> None:
        self.engine = engine_for(database_url)
        # SQLite has one writer at a time: one lock in the process avoids "database is locked" between threads.
        self._write_lock = threading.RLock() if self.engine.dialect.name == "sqlite" else None
        self._migrated = False
        self._migrating = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def ready(self) -> "Database":
        if not self._migrated:
            with self._migrating:
                if not self._migrated:
                    upgrade(self.engine)
                    self._migrated = True
        return self

    def session(self) -> Session:
        self.ready()
        return Session(self.engine, future=True, expire_on_commit=False)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A session in a transaction, committed at the end (one writer at a time on SQLite)."""
        with self._write_lock or contextlib.nullcontext():
            with self.session() as session, session.begin():
                yield session

    def dispose(self) -> None:
        self.engine.dispose()


DatabaseOrSession = Union[Database, Session]


@contextlib.contextmanager
def writing(db: DatabaseOrSession) -> Iterator[Session]:
    """A session to write in: a new transaction on a `Database`, or the caller's own `Session` (the caller commits).

    The public functions of staff/auth.py take either, so the pages can call them inside a transaction of their
    own or simply hand over the console's database.
    """
    if isinstance(db, Session):
        yield db
        db.flush()
    else:
        with db.writing() as session:
            yield session
