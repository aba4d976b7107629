"""Several action server processes on one PostgreSQL database (deploy/nginx/council-assistant-actions.conf): they
migrate it together at start-up without racing, and their background work (the outbox pass, the payment check)
takes each row once, whichever process gets there first.

Real processes, as in production: each runs the project's own store code against the shared database.
Skipped without TEST_POSTGRES_URL (CI sets it; .ci/run).
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import sys
import time
import uuid
from typing import Iterator, List

import pytest
from sqlalchemy import create_engine, text

from tests.stack import ROOT

POSTGRES = os.environ.get("TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(
    not POSTGRES, reason="TEST_POSTGRES_URL is not set: several action servers are proved on PostgreSQL (CI sets it)"
)
ITEMS = 150
PROCESSES = 3

# Each process waits for the same moment, then does its part and prints what it took (ids only).
_MIGRATE = """
import sys, time
from actions.storage import Database
start = float(sys.argv[2])
time.sleep(max(0, start - time.time()))
Database(sys.argv[1]).ready()
print("migrated")
"""
_CLAIM = """
import json, sys, time
from datetime import datetime
from actions.outbox.store import OutboxStore
from actions.payments.watch import PaymentWatch
from actions.storage import Database
db = Database(sys.argv[1]).ready()
outbox, watch = OutboxStore(db), PaymentWatch(db)
# A barrier: each process says it is ready, then waits for the others, so a slow start on a loaded machine never
# leaves all the work to whichever process got there first.
import os, pathlib
here = pathlib.Path(sys.argv[3])
(here / f"ready-{os.getpid()}").touch()
deadline = time.time() + 90
while len(list(here.glob("ready-*"))) < int(sys.argv[4]) and time.time() < deadline:
    time.sleep(0.01)
items, payments = [], []
now = datetime.utcnow()
while True:
    due = outbox.due(now, limit=10)
    if not due:
        break
    items += [item.key for item in due if outbox.claim(item, now)]
    time.sleep(0.01)  # the worker sends what it claimed before asking again: the others get their turn meanwhile
for watched in watch.unsettled():
    if watch.claim(watched.payment_id):
        payments.append(watched.payment_id)
print(json.dumps({"items": items, "payments": payments}))
"""


@pytest.fixture
def shared_database() -> Iterator[str]:
    """A PostgreSQL schema of its own: the action servers' shared database, empty (not migrated)."""
    schema = f"shared_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES else "?"
    yield f"{POSTGRES}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def at_once(script: str, database_url: str) -> List[str]:
    """`script` in PROCESSES Python processes started together; each one's output. Each gets the database, a start
    time, a directory to meet in (a barrier, for scripts that use one) and how many processes there are."""
    start = time.time() + 4  # every process has imported the project by then, on a machine that isn't loaded
    meeting = tempfile.mkdtemp(prefix="at-once-")
    processes = [
        subprocess.Popen([sys.executable, "-c", script, database_url, str(start), meeting, str(PROCESSES)], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(PROCESSES)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-3000:]
        outputs.append(out.strip().splitlines()[-1])
    return outputs


def test_action_servers_starting_together_migrate_the_database_once(shared_database):
    assert at_once(_MIGRATE, shared_database) == ["migrated"] * PROCESSES
    engine = create_engine(shared_database, future=True)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1


def test_each_outbox_item_and_watched_payment_is_taken_by_one_process(shared_database):
    from actions.outbox.store import OutboxStore
    from actions.payments.watch import PaymentWatch
    from actions.storage import Database

    db = Database(shared_database).ready()
    outbox, watch = OutboxStore(db), PaymentWatch(db)
    for number in range(ITEMS):
        outbox.keep_notification({"purpose": "report", "channel": "email", "to": "sam@example.com",
                                  "personalisation": {}, "reference": f"REF{number}"})
        watch.watch(f"sender-{number}", f"pay-{number}", kind="bulky_waste", reference=f"BWC-{number}",
                    payment_key=f"BWC-{number}", council="chorley", amount=2000, return_value="one-off",
                    purpose="bulky_waste", personalisation={}, contact=None)
    db.engine.dispose()

    taken = [json.loads(line) for line in at_once(_CLAIM, shared_database)]
    items = [key for each in taken for key in each["items"]]
    payments = [payment for each in taken for payment in each["payments"]]
    assert len(items) == ITEMS and len(set(items)) == ITEMS  # every item once, none twice
    assert sorted(payments) == sorted(f"pay-{number}" for number in range(ITEMS))
    assert sum(1 for each in taken if each["items"]) >= 2, "one process took everything: nothing was shared"
