"""The two things the package does: the daily retention run, and erasing one resident on request."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from . import action_server, tracker
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


def run(settings: RetentionSettings, now: Optional[datetime] = None, dry_run: bool = False) -> Outcome:
    """Delete everything older than the retention period, in the tracker store and the action server's database."""
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
    return outcome


def erase(settings: RetentionSettings, resident: Resident, dry_run: bool = False) -> Outcome:
    """Find every conversation mentioning the resident and every row naming them or tied to those conversations,
    and delete them (with `dry_run`, only find them)."""
    outcome = Outcome()
    senders: List[str] = []
    engine = open_database(settings.tracker_database_url, "events")
    if engine is not None:
        with _disposing(engine):
            senders = tracker.conversations_mentioning(engine, resident)
            outcome.conversations = tracker.describe(engine, senders)
            outcome.conversation_events = sum(c.events for c in outcome.conversations)
            if not dry_run:
                tracker.delete_conversations(engine, senders)
    engine = open_database(settings.actions_database_url)
    if engine is not None:
        with _disposing(engine):
            outcome.rows = action_server.of_resident(engine, resident, senders, dry_run)
    return outcome


class _disposing:
    def __init__(self, engine) -> None:
        self.engine = engine

    def __enter__(self):
        return self.engine

    def __exit__(self, *exc) -> None:
        self.engine.dispose()
