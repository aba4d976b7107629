"""Database connection: SQLAlchemy 1.4 used in 2.0 style, on SQLite (default) or PostgreSQL."""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from .models import Base, Counter

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_database_url() -> str:
    return os.environ.get("SANDBOX_DATABASE_URL") or f"sqlite:///{REPO_ROOT / 'var' / 'sandbox.db'}"


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        # The server is threaded; writers queue on the file lock for up to `timeout` seconds.
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False, "timeout": 15}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL: readers never wait for the writer, and a commit costs one fsync less; safe for a local sandbox.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """The engine plus a lock that serialises writes on SQLite.

    SQLite allows one writer at a time and fails a transaction that tries to upgrade its lock while another
    holds it; one lock in the process avoids those failures. PostgreSQL handles concurrent writers itself.
    """

    def __init__(self, database_url: str):
        self.url = database_url
        self.engine = make_engine(database_url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._write_lock = threading.RLock() if self.is_sqlite else None

    def create_tables(self) -> None:
        Base.metadata.create_all(self.engine)

    def session(self) -> Session:
        return Session(self.engine, future=True, expire_on_commit=False)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A session for a write: committed on success, rolled back on error."""
        lock = self._write_lock or contextlib.nullcontext()
        with lock:
            with self.session() as session:
                with session.begin():
                    yield session

    def dispose(self) -> None:
        self.engine.dispose()


def next_value(session: Session, name: str) -> int:
    """Take the next number of a named counter inside the caller's transaction.

    The UPDATE comes first so that it takes the row lock (PostgreSQL) or the write lock (SQLite) before the read:
    two reports at once never get the same number.
    """
    result = session.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + 1))
    if result.rowcount != 1:
        raise LookupError(f"counter {name!r} is missing: the database was not seeded")
    return session.execute(select(Counter.value).where(Counter.name == name)).scalar_one()
