"""The conversations Rasa keeps: the SQL tracker store's `events` table (sender_id, timestamp, type_name, data).

Rasa reads a conversation from its latest `session_started` event on (`SQLTrackerStore._event_query`) and counts
those rows to know which events are new. So the job deletes either a whole conversation (its last event is older
than the cutoff) or, for a conversation still going on, only events that are both older than the cutoff and before
its latest session: what Rasa holds and counts is never touched.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Dict, Iterable, List, Sequence

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, and_, delete, func, select
from sqlalchemy.engine import Engine

from .matching import Resident

events = Table(
    "events", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)
BATCH = 500  # conversations deleted per statement: a bounded IN list, short transactions


@dataclass(frozen=True)
class Conversation:
    """What is shown about a conversation found: its dates and size, never its sender id or content."""

    sender_id: str
    first: datetime
    last: datetime
    events: int


def old_conversations(engine: Engine, cutoff: float) -> List[str]:
    """Conversations whose last event is older than `cutoff` (a Unix time, as Rasa stores it)."""
    query = select(events.c.sender_id).group_by(events.c.sender_id).having(func.max(events.c.timestamp) < cutoff)
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def _older_sessions(cutoff: float):
    """Events older than `cutoff` and before the latest session of a conversation that is still going on."""
    later = events.alias("later")
    latest_session = select(func.max(later.c.timestamp)).where(
        later.c.sender_id == events.c.sender_id, later.c.type_name == "session_started").scalar_subquery()
    last_event = select(func.max(later.c.timestamp)).where(later.c.sender_id == events.c.sender_id).scalar_subquery()
    return and_(events.c.timestamp < cutoff, events.c.timestamp < latest_session, last_event >= cutoff)


def count_older_sessions(engine: Engine, cutoff: float) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(events).where(_older_sessions(cutoff))).scalar_one()


def delete_older_sessions(engine: Engine, cutoff: float) -> int:
    with engine.begin() as connection:
        return connection.execute(delete(events).where(_older_sessions(cutoff))).rowcount


def describe(engine: Engine, senders: Iterable[str]) -> List[Conversation]:
    """Each conversation's first and last event times (UTC) and its number of events, oldest first."""
    found: List[Conversation] = []
    query = select(events.c.sender_id, func.min(events.c.timestamp), func.max(events.c.timestamp), func.count())
    with engine.connect() as connection:
        for batch in _batches(sorted(set(senders))):
            rows = connection.execute(query.where(events.c.sender_id.in_(batch)).group_by(events.c.sender_id))
            found += [Conversation(sender, _utc(first), _utc(last), count) for sender, first, last, count in rows]
    return sorted(found, key=lambda conversation: (conversation.first, conversation.last))


def delete_conversations(engine: Engine, senders: Iterable[str]) -> int:
    """Delete every event of these conversations; answers the number of events deleted."""
    deleted = 0
    for batch in _batches(sorted(set(senders))):
        with engine.begin() as connection:
            deleted += connection.execute(delete(events).where(events.c.sender_id.in_(batch))).rowcount
    return deleted


def conversations_mentioning(engine: Engine, resident: Resident) -> List[str]:
    """The conversations any of whose stored events mentions the resident (their words, the bot's, a slot...).

    Reads every event once, in the database's order: residents type an email, a number or a reference in too many
    spellings for SQL to find them (see matching.py)."""
    found: Dict[str, None] = {}
    query = select(events.c.sender_id, events.c.data).where(events.c.type_name != "action")
    with engine.connect() as connection:
        for sender, data in connection.execution_options(stream_results=True, yield_per=1000).execute(query):
            if sender not in found and resident.mentioned_in(_parsed(data)):
                found[sender] = None
    return list(found)


def _parsed(data: str):
    try:
        return json.loads(data or "{}")
    except ValueError:
        return data


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


def _batches(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), BATCH):
        yield values[start:start + BATCH]
