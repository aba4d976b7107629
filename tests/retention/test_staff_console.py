"""Retention in the staff console's database and the event broker's table, on SQLite and PostgreSQL (with
TEST_POSTGRES_URL): handovers made, taken, written in and closed through the console's own API (served, with Rasa's
API played by the recording server of tests/staff/harness.py), events written by the real broker, and
`python -m retention` run as an operator runs it. Old handovers are made old by moving their times into the past."""
from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, select, text, update

from connectors.events import HandoverEventBroker
from connectors.tracker_store import CardSafeSQLTrackerStore
from staff.models import AuditEntry, Handover, HandoverMessage, utcnow
from tests.staff.harness import (  # noqa: F401  (fixtures)
    RunningConsole,
    rasa,
    running,
    staff_database,
)

from .conftest import DAY, retention

OLD = 91  # days: past the default 90


@pytest.fixture
def events_url(staff_database: str, tmp_path: Path) -> str:
    """The broker's table: its own SQLite file, or on PostgreSQL the console's schema (a table may share it). Not
    the one the served console reads (harness: tmp_path/rasa_events.db): its consumer would remove old rows it read
    itself, and the job must delete them when the console is not there to (stopped, or behind)."""
    return f"sqlite:///{tmp_path / 'broker_events.db'}" if staff_database.startswith("sqlite") else staff_database


def run_retention(*arguments: str, running: RunningConsole, events_url: str, tmp_path: Path,
                  tracker_url: str = "") -> str:
    return retention(*arguments, tracker_url=tracker_url or f"sqlite:///{tmp_path / 'no-tracker.db'}",
                     actions_url=f"sqlite:///{tmp_path / 'no-actions.db'}",
                     env={"STAFF_DATABASE_URL": running.settings.database_url, "STAFF_EVENTS_URL": events_url})


def publish(url: str, events: List[Dict[str, Any]]) -> None:
    """Through the real broker, as Rasa calls it, then closed (which writes out what it queued)."""
    async def run() -> None:
        broker = HandoverEventBroker(url, "unused")
        for event in events:
            broker.publish(event)
        await broker.close()

    asyncio.run(run())


def said(sender: str, words: str) -> Dict[str, Any]:
    return {"sender_id": sender, "event": "user", "text": words, "timestamp": time.time(),
            "parse_data": {"intent": {"name": "inform", "confidence": 0.9}, "entities": [], "text": words},
            "input_channel": "webchat", "message_id": f"{sender}-{words[:5]}"}


def event_senders(url: str) -> List[str]:
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        senders = connection.execute(text("SELECT sender_id FROM handover_events ORDER BY id")).scalars().all()
    engine.dispose()
    return sorted(senders)


def age_events(url: str, sender: str, days: float) -> None:
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(text("UPDATE handover_events SET written_at = written_at - :by WHERE sender_id = :sender"),
                           {"by": days * DAY, "sender": sender})
    engine.dispose()


def age_handover(running: RunningConsole, handover_id: int, days: float) -> None:
    """Every time the handover and its transcript have, `days` earlier: the handover as it would be had it
    happened then. (Computed here, not in SQL: SQLite has no date arithmetic on these columns.)"""
    by = timedelta(days=days)
    with running.db.writing() as session:
        row = session.get(Handover, handover_id)
        times = {column: getattr(row, column) - by
                 for column in ("waiting_since", "accepted_at", "closed_at", "updated_at")
                 if getattr(row, column) is not None}
        # Core UPDATE, so the model's onupdate does not set updated_at back to now.
        session.execute(update(Handover).where(Handover.id == handover_id).values(**times)
                        .execution_options(synchronize_session=False))
        for line in session.execute(select(HandoverMessage).where(HandoverMessage.handover_id == handover_id)
                                    ).scalars():
            line.at = line.at - by


def handover_ids(running: RunningConsole) -> List[int]:
    with running.db.session() as session:
        return sorted(session.execute(select(Handover.id)).scalars())


def lines_of(running: RunningConsole, handover_id: int) -> int:
    with running.db.session() as session:
        return len(session.execute(select(HandoverMessage.id).where(HandoverMessage.handover_id == handover_id))
                   .all())


def audit(running: RunningConsole) -> List[tuple]:
    with running.db.session() as session:
        return [tuple(row) for row in session.execute(
            select(AuditEntry.what, AuditEntry.handover_id, AuditEntry.user_id).order_by(AuditEntry.id))]


def closed_with_a_transcript(running: RunningConsole, person, conversation_id: str) -> int:
    handover = running.hand_over(conversation_id)
    assert person.post(f"/handovers/{handover['id']}/accept").status_code == 200
    sent = person.post(f"/handovers/{handover['id']}/messages", json={"text": "Call me on 07700 900456, Sam here."})
    assert sent.status_code == 201, sent.text
    closed = person.post(f"/handovers/{handover['id']}/close", json={"outcome": "resolved"})
    assert closed.status_code == 200, closed.text
    return handover["id"]


CALLBACK = {"name": "Cal Jones", "contact": "07700 900123", "good_time": "mornings", "about": "a missed bin"}


def callback(running: RunningConsole, person, conversation_id: str, status: str, **fields) -> int:
    handover = running.hand_over(conversation_id, status="callback", callback={**CALLBACK, **fields})
    if status != "new":
        changed = person.call("PATCH", f"/handovers/{handover['id']}", json={"callback_status": status})
        assert changed.status_code == 200, changed.text
    return handover["id"]


def test_the_daily_run_deletes_finished_old_handovers_and_keeps_work_not_done(running, events_url, tmp_path):
    sam = running.person("sam")
    old_closed = closed_with_a_transcript(running, sam, "web-old-closed")
    recent_closed = closed_with_a_transcript(running, sam, "web-recent-closed")
    # Closed long ago, but a line reached its transcript lately: the conversation is not over, so it stays.
    late_line = closed_with_a_transcript(running, sam, "web-late-line")
    old_waiting = running.hand_over("web-old-waiting")["id"]
    old_active = running.hand_over("web-old-active")["id"]
    assert sam.post(f"/handovers/{old_active}/accept").status_code == 200
    old_callback_closed = callback(running, sam, "web-old-callback-closed", "closed")
    old_callback_called = callback(running, sam, "web-old-callback-called", "called")
    old_callback_new = callback(running, sam, "web-old-callback-new", "new")
    recent_callback_closed = callback(running, sam, "web-recent-callback-closed", "closed")
    for handover_id in (old_closed, old_waiting, old_active, old_callback_closed, old_callback_called,
                        old_callback_new):
        age_handover(running, handover_id, OLD)
    age_handover(running, late_line, OLD)
    with running.db.writing() as session:
        session.execute(update(HandoverMessage).where(HandoverMessage.handover_id == late_line)
                        .values(at=utcnow()))
    publish(events_url, [said("web-old-closed", "my number is 07700 900456"), said("web-recent-closed", "hello")])
    age_events(events_url, "web-old-closed", OLD)
    before = audit(running)
    unlinked = sum(1 for _, handover, _ in before if handover in (old_closed, old_callback_closed))

    dry = run_retention("run", "--dry-run", running=running, events_url=events_url, tmp_path=tmp_path)

    assert "  handovers: 2 (" in dry and ", 1 transcript lines;" in dry, dry
    assert "handovers kept though older: 2 open (waiting or active), 2 callbacks not yet closed (new or called)" \
        in dry, dry
    assert "  handover_events: 1 rows (" in dry and "Dry run: nothing was deleted." in dry, dry
    assert len(handover_ids(running)) == 9 and len(event_senders(events_url)) == 2

    done = run_retention("run", running=running, events_url=events_url, tmp_path=tmp_path)

    assert "  handovers: 2 (" in done and f"audit log entries kept without their link: {unlinked}" in done, done
    assert handover_ids(running) == sorted([recent_closed, late_line, old_waiting, old_active, old_callback_called,
                                            old_callback_new, recent_callback_closed])
    assert lines_of(running, old_closed) == 0 and lines_of(running, recent_closed) == 1
    assert event_senders(events_url) == ["web-recent-closed"]
    # The audit log keeps who did what, when; the deleted handovers' entries only lose their link.
    after = audit(running)
    assert [(what, user) for what, _, user in after] == [(what, user) for what, _, user in before]
    assert {handover for _, handover, _ in after if handover is not None} <= set(handover_ids(running))
    assert unlinked >= 3 and [handover for _, handover, _ in after].count(None) == \
        [handover for _, handover, _ in before].count(None) + unlinked
    for personal in ("web-old", "07700", "Cal", "Sam here"):
        assert personal not in done


def test_erasing_a_resident_takes_their_handovers_lines_and_events_and_the_conversations_they_tie(
        running, events_url, tmp_path):
    tracker_db = tmp_path / "tracker.db"
    store = CardSafeSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tracker_db))
    for sender, words in [("web-ann", "my email is ann@example.com"), ("phone-cal", "I want a call back"),
                          ("web-bob", "hello")]:
        tracker = DialogueStateTracker(sender, [])
        for event in [ActionExecuted("action_listen"),
                      UserUttered(words, {"name": "inform", "confidence": 1.0}, parse_data={"text": words})]:
            tracker.update(event)
        asyncio.run(store.save(tracker))
    sam = running.person("sam")
    ann = closed_with_a_transcript(running, sam, "web-ann")
    ann_again = running.hand_over("web-ann")["id"]  # still waiting: erasure takes it all the same
    # Cal's conversation never mentions the number; the callback request does, so it is Cal's.
    cal = callback(running, sam, "phone-cal", "new", contact="+44 (0)7700 900123")
    bob = callback(running, sam, "web-bob", "closed", contact="bob@example.org")
    publish(events_url, [said("web-ann", "hello"), said("phone-cal", "yes please"), said("web-bob", "hello"),
                         said("web-eve", "tell ann@example.com")])
    urls = {"running": running, "events_url": events_url, "tmp_path": tmp_path,
            "tracker_url": f"sqlite:///{tracker_db}"}

    dry = run_retention("erase", "--email", "ANN@example.com", "--phone", "07700 900123", "--dry-run", **urls)
    assert "  handovers: 3 (" in dry and "of which still open or a callback not yet closed: 2" in dry, dry
    assert "conversations: 2 (" in dry and "  handover_events: 3 rows (" in dry, dry
    assert len(handover_ids(running)) == 4 and "Dry run: nothing was erased." in dry

    done = run_retention("erase", "--email", "ANN@example.com", "--phone", "07700 900123", **urls)

    assert "Erased: all of the above is deleted." in done, done
    assert handover_ids(running) == [bob]
    assert lines_of(running, ann) == 0 and lines_of(running, ann_again) == 0 and lines_of(running, cal) == 0
    assert event_senders(events_url) == ["web-bob"]
    again = run_retention("erase", "--email", "ann@example.com", "--phone", "07700 900123", "--dry-run", **urls)
    assert "conversations: 0 (" in again and "  handovers: 0," in again and "handover_events: 0 rows" in again
    for personal in ("web-ann", "phone-cal", "ann@", "900123", "Cal"):
        assert personal not in done


def test_a_console_or_event_table_not_there_is_skipped_saying_so(tmp_path):
    output = retention("run", tracker_url=f"sqlite:///{tmp_path / 'no-tracker.db'}",
                       actions_url=f"sqlite:///{tmp_path / 'no-actions.db'}",
                       env={"STAFF_DATABASE_URL": f"sqlite:///{tmp_path / 'no-staff.db'}",
                            "STAFF_EVENTS_URL": "amqp://guest:s3cret@127.0.0.1:5672/%2F"})
    assert f"skipped staff console (STAFF_DATABASE_URL): no database file at {tmp_path / 'no-staff.db'}" in output
    assert "skipped handover events (STAFF_EVENTS_URL): RabbitMQ" in output and "s3cret" not in output
    assert not (tmp_path / "no-staff.db").exists()
