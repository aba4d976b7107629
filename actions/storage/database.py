"""One engine per database URL, sessions for reading and writing, and the migrations applied before first use."""
from __future__ import annotations

import contextlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base

from ..settings import settings

Base = declarative_base()
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def engine_for(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 15})
    event.listen(engine, "connect", _sqlite_wal)
    return engine


def _sqlite_wal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.close()


# PostgreSQL advisory lock held while migrating: several action server processes starting at once against one
# database migrate one at a time (the others then find it at head), never racing to create the same table.
MIGRATION_LOCK = 5_055_2026


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema up to `revision` with the project's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class Database:
    def __init__(self, database_url: str) -> None:
        self.engine = engine_for(database_url)
        # SQLite has one writer at a time: one lock in the process avoids "database is locked" between threads.
        self._write_lock = threading.RLock() if self.engine.dialect.name == "sqlite" else None
        self._migrated = False
        self._migrating = threading.Lock()

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


def database(database_url: Optional[str] = None) -> Database:
    """The database of the current settings (or of `database_url`): one per URL in this process."""
    return _database(database_url or settings().actions_database_url)


@lru_cache(maxsize=4)
def _database(database_url: str) -> Database:
    return Database(database_url)
