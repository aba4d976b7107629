"""Retention in the action server's own database (actions/storage/), on SQLite and PostgreSQL: every table the
migrations build has a rule; old rows go and recent ones stay; erasing a resident takes the rows of their
conversations and the rows naming them."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from actions.protections.store import ProtectionsStore, utcnow
from actions.storage import Database
from connectors.tracker_store import CardSafeSQLTrackerStore
from retention.rules import rules

from .conftest import retention


def rows(db: Database, table: str, column: str) -> list:
    with db.engine.connect() as connection:
        return sorted(connection.execute(text(f"SELECT {column} FROM {table}")).scalars().all())


def test_every_table_the_migrations_build_has_a_retention_rule_that_fits_it(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'actions.db'}").ready()
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names()) - {"alembic_version"}
    by_table = {rule.table: rule for rule in rules()}
    assert tables - set(by_table) == set(), "declare a retention rule for these tables (retention/rules.py)"
    for name in tables:
        rule = by_table[name]
        columns = {column["name"] for column in inspector.get_columns(name)}
        named = {rule.time_column, rule.primary_key, *rule.personal_columns} | (
            {rule.conversation_column} if rule.conversation_column else set()) | (
            {rule.keep_while_null} if rule.keep_while_null else set())
        assert named <= columns, (name, named - columns)


def test_old_rows_go_and_recent_rows_stay(actions_database, tmp_path):
    db = Database(actions_database).ready()
    now = utcnow()
    long_ago = ProtectionsStore(db, clock=lambda: now - timedelta(days=91))
    today = ProtectionsStore(db, clock=lambda: now)
    long_ago.record_failure("conversation-old", "client")
    today.record_failure("conversation-new", "client")
    long_ago.add_hold("conversation-old", "client", "bulky_waste", "BWC-100001")
    today.add_hold("conversation-new", "client", "bulky_waste", "BWC-100002")

    output = retention("run", tracker_url=f"sqlite:///{tmp_path / 'no-tracker.db'}", actions_url=actions_database)

    assert "failed_verifications: 1 rows" in output and "unpaid_holds: 1 rows" in output, output
    assert rows(db, "unpaid_holds", "reference") == ["BWC-100002"]
    assert today.conversation_failures("conversation-new") == 1
    assert long_ago.conversation_failures("conversation-old") == 0
    assert "BWC" not in output


def test_erasing_a_resident_takes_their_conversations_rows_and_rows_naming_them(actions_database, tmp_path):
    tracker_db = tmp_path / "tracker.db"
    store = CardSafeSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tracker_db))
    for sender, words in [("ann", "my email is ann@example.com"), ("bob", "hello")]:
        tracker = DialogueStateTracker(sender, [])
        for event in [ActionExecuted("action_listen"),
                      UserUttered(words, {"name": "inform", "confidence": 1.0}, parse_data={"text": words})]:
            tracker.update(event)
        asyncio.run(store.save(tracker))
    db = Database(actions_database).ready()
    protections = ProtectionsStore(db)
    for sender in ("ann", "bob"):
        protections.record_failure(sender, "client")
    protections.add_hold("bob", "client", "bulky_waste", "BWC-100003")
    protections.add_hold("bob", "client", "bulky_waste", "BWC-100004")
    urls = {"tracker_url": f"sqlite:///{tracker_db}", "actions_url": actions_database}

    by_email = retention("erase", "--email", "ann@example.com", **urls)
    by_reference = retention("erase", "--reference", "bwc 100003", **urls)

    assert "conversations: 1 (" in by_email and "failed_verifications: 1 rows" in by_email, by_email
    assert protections.conversation_failures("ann") == 0 and protections.conversation_failures("bob") == 1
    assert "unpaid_holds: 1 rows" in by_reference and "conversations: 0 (" in by_reference, by_reference
    assert rows(db, "unpaid_holds", "reference") == ["BWC-100004"]
    assert "ann" not in by_email and "100003" not in by_reference


def test_unfinished_work_is_kept_whatever_its_age_but_erased_on_request(tmp_path):
    """A report still waiting in an outbox must not be lost to retention; a resident's erasure takes it all the same."""
    from datetime import datetime, timezone

    from retention import job
    from retention.matching import Resident
    from retention.rules import Rule, register, _RULES
    from retention.settings import RetentionSettings

    db = Database(f"sqlite:///{tmp_path / 'actions.db'}").ready()
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE waiting (id INTEGER PRIMARY KEY, made_at DATETIME, done_at DATETIME, "
                                "payload TEXT)"))
        connection.execute(text("INSERT INTO waiting VALUES (1, '2026-01-01 10:00:00', NULL, '{\"email\": "
                                "\"cal@example.com\"}'), (2, '2026-01-01 10:00:00', '2026-01-01 10:05:00', '{}')"))
    register(Rule(table="waiting", time_column="made_at", keep_while_null="done_at", personal_columns=("payload",)))
    try:
        settings = RetentionSettings(90, make_url(f"sqlite:///{tmp_path / 'no-tracker.db'}"), str(db.engine.url))
        job.run(settings, now=datetime(2026, 12, 1, tzinfo=timezone.utc))
        assert rows(db, "waiting", "id") == [1]
        job.erase(settings, Resident(emails=("cal@example.com",)))
        assert rows(db, "waiting", "id") == []
    finally:
        _RULES.pop("waiting")


@pytest.mark.parametrize("table, module, key_of", [
    ("failed_verifications", "actions.protections.store", lambda m, sender: m.hashed("conversation", sender)),
    ("unpaid_holds", "actions.protections.store", lambda m, sender: m.hashed("conversation", sender)),
    ("watched_payments", "actions.payments.watch", lambda m, sender: m.hashed("conversation", sender)),
    ("outbox", "actions.outbox.store", lambda m, sender: m.conversation_hash(sender)),
])
def test_each_rule_keys_a_conversation_as_its_store_does(table, module, key_of):
    """Erasing a conversation finds its rows only if the rule hashes the sender id exactly as the store does."""
    store = pytest.importorskip(module, reason=f"{module} is not in this tree yet")
    rule = {rule.table: rule for rule in rules()}[table]
    assert rule.conversation_key("sender-1") == key_of(store, "sender-1")
