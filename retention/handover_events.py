"""The event broker's table `handover_events` (connectors/events.py): residents' and the assistant's messages on
their way to the staff console.

The console removes rows it has read once they are a day old (staff/events.py), but never the newest, and rows
nobody read (the console not running) would stay: the job deletes every row written before the retention period,
and on erasure every row of the resident's conversations or mentioning them. Deleting the newest row is safe for
the console's reading position: the table's ids are never reused (AUTOINCREMENT on SQLite, a sequence on
PostgreSQL). The table is declared here rather than imported because connectors/events.py imports Rasa.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, List, Optional, Set

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, select
from sqlalchemy.engine import Engine

from .matching import Resident

TABLE_NAME = "handover_events"
handover_events = Table(
    TABLE_NAME, MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
    Column("written_at", Float),  # seconds since 1970, as the broker writes it
)
BATCH = 500


@dataclass
class EventRows:
    count: int = 0
    oldest: Optional[datetime] = None
    newest: Optional[datetime] = None


def is_amqp(url: str) -> bool:
    return url.startswith(("amqp://", "amqps://"))


def expired(engine: Engine, cutoff: float, dry_run: bool) -> EventRows:
    """Delete (or count) the rows written before `cutoff` (a Unix time; the broker stamps every row it writes)."""
    return _apply(engine, handover_events.c.written_at < cutoff, dry_run)


def of_resident(engine: Engine, resident: Resident, conversation_ids: Iterable[str], dry_run: bool) -> EventRows:
    """Delete (or count) the rows of these conversations, and rows whose record mentions the resident."""
    wanted = set(conversation_ids)
    found: Set[int] = set()
    with engine.connect() as connection:
        rows = connection.execution_options(stream_results=True, yield_per=1000).execute(
            select(handover_events.c.id, handover_events.c.sender_id, handover_events.c.data))
        for row_id, sender, data in rows:
            if sender in wanted or resident.mentioned_in(_parsed(data)):
                found.add(row_id)
    ids = sorted(found)
    total = EventRows()
    for start in range(0, len(ids), BATCH):
        batch = _apply(engine, handover_events.c.id.in_(ids[start:start + BATCH]), dry_run)
        total.count += batch.count
        total.oldest = min(filter(None, (total.oldest, batch.oldest)), default=None)
        total.newest = max(filter(None, (total.newest, batch.newest)), default=None)
    return total


def _apply(engine: Engine, condition, dry_run: bool) -> EventRows:
    written = handover_events.c.written_at
    with engine.begin() as connection:
        count, oldest, newest = connection.execute(
            select(func.count(), func.min(written), func.max(written)).select_from(handover_events)
            .where(condition)).one()
        if count and not dry_run:
            connection.execute(delete(handover_events).where(condition))
    return EventRows(count, _utc(oldest), _utc(newest))


def _parsed(data: Optional[str]):
    try:
        return json.loads(data or "{}")
    except ValueError:
        return data


def _utc(timestamp: Optional[float]) -> Optional[datetime]:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, tz=timezone.utc)


__all__: List[str] = ["EventRows", "expired", "of_resident", "is_amqp", "TABLE_NAME"]
