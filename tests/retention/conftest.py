"""Fixtures for the retention tests: the tracker store's database on SQLite, and on PostgreSQL when
TEST_POSTGRES_URL is set (CI sets it), and the retention command run as an operator runs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.stack import ROOT

POSTGRES = os.environ.get("TEST_POSTGRES_URL")
NO_POSTGRES = "TEST_POSTGRES_URL is not set: retention is proved on SQLite only here (CI sets it)"
DAY = 86400
# The staff console's database and the event broker's table, unless a test names its own: files that do not exist, so
# the command never reaches the project's own var/staff.db or var/rasa_events.db.
NOWHERE = Path(tempfile.gettempdir()) / f"retention-tests-{uuid.uuid4().hex[:8]}-not-made"


@dataclass
class TrackerDatabase:
    url: str  # for the retention command (TRACKER_DATABASE_URL)
    store_config: str  # the tracker_store section of a Rasa server's endpoints, as endpoints.yml sets it up


def sqlite_tracker(path: Path) -> TrackerDatabase:
    return TrackerDatabase(
        f"sqlite:///{path}",
        f"tracker_store:\n  type: connectors.tracker_store.CardSafeSQLTrackerStore\n  dialect: sqlite\n  db: {path}\n")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def tracker_database(request, tmp_path_factory) -> Iterator[TrackerDatabase]:
    """An empty tracker database of its own (on PostgreSQL a database made for the module and dropped after)."""
    if request.param == "sqlite":
        yield sqlite_tracker(tmp_path_factory.mktemp("retention") / "tracker.db")
        return
    if not POSTGRES:
        pytest.skip(NO_POSTGRES)
    name = f"retention_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES).set(database=name)
    yield TrackerDatabase(
        url.render_as_string(hide_password=False),
        "tracker_store:\n  type: connectors.tracker_store.CardSafeSQLTrackerStore\n  dialect: postgresql\n"
        f"  url: {url.host}\n  port: {url.port or 5432}\n  db: {name}\n  username: {url.username or 'postgres'}\n"
        + (f"  password: {url.password}\n" if url.password else ""))
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def retention(*arguments: str, tracker_url: Optional[str], actions_url: str,
              env: Optional[Dict[str, str]] = None) -> str:
    """`python -m retention ...` as an operator runs it; its output (it must succeed). Without `tracker_url` it
    reads the tracker store from the endpoints file (RASA_ENDPOINTS in `env`), as in production."""
    environment = {key: value for key, value in os.environ.items() if key != "TRACKER_DATABASE_URL"}
    finished = subprocess.run(
        [sys.executable, "-m", "retention", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**environment, "PYTHONPATH": str(ROOT), "ACTIONS_DATABASE_URL": actions_url,
             "STAFF_DATABASE_URL": f"sqlite:///{NOWHERE / 'staff.db'}",
             "STAFF_EVENTS_URL": f"sqlite:///{NOWHERE / 'rasa_events.db'}",
             **({"TRACKER_DATABASE_URL": tracker_url} if tracker_url else {}), **(env or {})},
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout + finished.stderr


def age(tracker_url: str, sender: str, days: float) -> None:
    """Move a conversation's events `days` into the past, in the column and in each event's own data (which Rasa
    reads back): the conversation as it would be had it happened then."""
    engine = create_engine(tracker_url, future=True)
    with engine.begin() as connection:
        rows = connection.execute(text("SELECT id, data FROM events WHERE sender_id = :sender"),
                                  {"sender": sender}).all()
        assert rows, "the conversation is not in the tracker database"
        for row_id, data in rows:
            event = json.loads(data)
            event["timestamp"] = event["timestamp"] - days * DAY
            connection.execute(text("UPDATE events SET timestamp = :timestamp, data = :data WHERE id = :id"),
                               {"timestamp": event["timestamp"], "data": json.dumps(event), "id": row_id})
    engine.dispose()


def stored_types(tracker_url: str, sender: str) -> list:
    engine = create_engine(tracker_url, future=True)
    with engine.connect() as connection:
        types = connection.execute(text("SELECT type_name FROM events WHERE sender_id = :sender ORDER BY id"),
                                   {"sender": sender}).scalars().all()
    engine.dispose()
    return list(types)
