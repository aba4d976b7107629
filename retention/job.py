"""The two things the package does: the daily retention run, and erasing one resident on request, across the
tracker store, the action server's database, the staff console's database and the event broker's table."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Optional, Tuple

from sqlalchemy.engine import Engine, make_url

from . import action_server, handover_events, handovers, tracker
from .databases import open_database
from .matching import Resident
from .settings import RetentionSettings


@dataclass
class Outcome:
    """What was (or, in a dry run, would be) deleted: counts and dates only."""

    cutoff: Optional[datetime] = None
    conversations: List[tracker.Conversation] = field(default_factory=list)
    conversation_events: int = 0
    older_session_events: int = 0
    rows: List[action_server.Rows] = field(default_factory=list)
    handovers: Optional[handovers.Handovers] = None  # None: the console's database was not there
    handover_events: Optional[handover_events.EventRows] = None  # None: the broker's table was not there
    # Why a store was left alone (it does not exist yet, RabbitMQ): one line each, no URL that may hold a password.
    skipped: List[str] = field(default_factory=list)


def run(settings: RetentionSettings, now: Optional[datetime] = None, dry_run: bool = False) -> Outcome:
    """Delete everything older than the retention period: in the tracker store, the action server's database, the
    staff console's database and the event broker's table."""
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=settings.retention_days)
    outcome = Outcome(cutoff=cutoff)
    engine = open_database(settings.tracker_database_url, "events")
    if engine is not None:
        with _disposing(engine):
            old = tracker.old_conversations(engine, cutoff.timestamp())
            outcome.conversations = tracker.describe(engine, old)
            outcome.conversation_events = sum(c.events for c in outcome.conversations)
            if dry_run:
                outcome.older_session_events = tracker.count_older_sessions(engine, cutoff.timestamp())
            else:
                tracker.delete_conversations(engine, old)
                outcome.older_session_events = tracker.delete_older_sessions(engine, cutoff.timestamp())
    engine = open_database(settings.actions_database_url)
    if engine is not None:
        with _disposing(engine):
            outcome.rows = action_server.expired(engine, cutoff.replace(tzinfo=None), dry_run)
    engine = _console_database(settings, outcome)
    if engine is not None:
        with _disposing(engine):
            outcome.handovers = handovers.expired(engine, cutoff.replace(tzinfo=None), dry_run)
    engine = _event_table(settings, outcome)
    if engine is not None:
        with _disposing(engine):
            outcome.handover_events = handover_events.expired(engine, cutoff.timestamp(), dry_run)
    return outcome


def erase(settings: RetentionSettings, resident: Resident, dry_run: bool = False) -> Outcome:
    """Find every conversation mentioning the resident and every row naming them or tied to those conversations,
    and delete them (with `dry_run`, only find them).

    The console's handovers are searched before anything is deleted: a callback request naming the resident's phone
    number ties its conversation to them, so that conversation goes from every store too."""
    outcome = Outcome()
    senders: List[str] = []
    tracker_engine = open_database(settings.tracker_database_url, "events")
    try:
        if tracker_engine is not None:
            senders = tracker.conversations_mentioning(tracker_engine, resident)
        engine = _console_database(settings, outcome)
        if engine is not None:
            with _disposing(engine):
                outcome.handovers = handovers.of_resident(engine, resident, senders, dry_run)
            senders = sorted(set(senders) | set(outcome.handovers.conversation_ids))
        if tracker_engine is not None:
            outcome.conversations = tracker.describe(tracker_engine, senders)
            outcome.conversation_events = sum(c.events for c in outcome.conversations)
            if not dry_run:
                tracker.delete_conversations(tracker_engine, senders)
    finally:
        if tracker_engine is not None:
            tracker_engine.dispose()
    engine = open_database(settings.actions_database_url)
    if engine is not None:
        with _disposing(engine):
            outcome.rows = action_server.of_resident(engine, resident, senders, dry_run)
    engine = _event_table(settings, outcome)
    if engine is not None:
        with _disposing(engine):
            outcome.handover_events = handover_events.of_resident(engine, resident, senders, dry_run)
    return outcome


def _console_database(settings: RetentionSettings, outcome: Outcome) -> Optional[Engine]:
    if settings.staff_database_url is None:
        return None
    engine, missing = _open(settings.staff_database_url, "handovers")
    if engine is None:
        outcome.skipped.append(f"staff console (STAFF_DATABASE_URL): {missing}, so no handovers to delete")
    return engine


def _event_table(settings: RetentionSettings, outcome: Outcome) -> Optional[Engine]:
    if settings.events_url is None:
        return None
    if handover_events.is_amqp(settings.events_url):
        outcome.skipped.append("handover events (STAFF_EVENTS_URL): RabbitMQ, whose messages the console removes as "
                               "it reads them, so no table to delete from")
        return None
    engine, missing = _open(settings.events_url, handover_events.TABLE_NAME)
    if engine is None:
        outcome.skipped.append(f"handover events (STAFF_EVENTS_URL): {missing}, so no rows to delete")
    return engine


def _open(url: str, table: str) -> Tuple[Optional[Engine], str]:
    """An engine on `url` with `table`, or None and why not, in words that hold no password."""
    engine = open_database(url, table)
    if engine is not None:
        return engine, ""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").expanduser().exists():
        return None, f"no database file at {parsed.database}"
    return None, f"the database has no {table} table yet"


class _disposing:
    def __init__(self, engine) -> None:
        self.engine = engine

    def __enter__(self):
        return self.engine

    def __exit__(self, *exc) -> None:
        self.engine.dispose()
