"""The staff console's database (staff/models.py): handovers, their transcripts, and the audit log's links to them.

A handover holds what the resident told the assistant and customer services: the summary, `details` (address,
references), `callback` (name, phone number or email) and, in `handover_messages`, the transcript. So it goes when
the conversation would: its last activity (its times, and its newest transcript line) older than the retention
period. Work not yet done is kept whatever its age, and counted in the output: a handover still waiting or being
handled (a resident may be on the line), and a callback request customer services have not closed (new, or called
without an answer). Erasure on request takes those too.

The audit log (who did what to which handover, when) is the console's record of its staff's actions and names no
resident: its entries are kept, and lose only their link to a deleted handover (`handover_id` set to null, as the
table's foreign key does on PostgreSQL; the job does it itself, since SQLite enforces foreign keys only when a
connection asks). The page shows such an entry with "–" for the conversation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, List, Optional, Sequence, Set

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.engine import Connection, Engine

from staff.models import OPEN_STATUSES, AuditEntry, Handover, HandoverMessage

from .matching import Resident

handovers = Handover.__table__
messages = HandoverMessage.__table__
audit_log = AuditEntry.__table__
BATCH = 500  # handovers deleted per statement: a bounded IN list


@dataclass
class Handovers:
    """What was (or would be) deleted from the console's database, and what was kept: counts and dates only."""

    count: int = 0
    messages: int = 0
    audit_unlinked: int = 0
    oldest: Optional[datetime] = None
    newest: Optional[datetime] = None
    kept_open: int = 0  # older than the period, but waiting or active
    kept_callbacks: int = 0  # older than the period, but a callback not yet closed
    open_erased: int = 0  # erasure only: of those deleted, how many were still open or a callback not closed
    conversation_ids: Sequence[str] = ()  # erasure only: the conversations the handovers found belong to


def _last_touched_before(cutoff: datetime):
    """Every time the handover has, and its newest transcript line, are before `cutoff` (naive UTC)."""
    newer_line = exists().where(messages.c.handover_id == handovers.c.id, messages.c.at >= cutoff)
    times = [handovers.c.waiting_since < cutoff, handovers.c.updated_at < cutoff,
             or_(handovers.c.accepted_at.is_(None), handovers.c.accepted_at < cutoff),
             or_(handovers.c.closed_at.is_(None), handovers.c.closed_at < cutoff)]
    return and_(*times, ~newer_line)


def _finished():
    return or_(handovers.c.status == "closed",
               and_(handovers.c.status == "callback", handovers.c.callback_status == "closed"))


def _not_finished():
    """Open, or a callback not yet closed (a handover of no known status is kept too: better kept than lost)."""
    return ~_finished()


def expired(engine: Engine, cutoff: datetime, dry_run: bool) -> Handovers:
    """Delete (or with `dry_run` only count) finished handovers last touched before `cutoff` (naive UTC), with their
    transcripts; count the unfinished ones kept."""
    old = _last_touched_before(cutoff)
    with engine.connect() as connection:
        ids = list(connection.execute(select(handovers.c.id).where(old, _finished())).scalars())
        kept = connection.execute(
            select(handovers.c.status, func.count()).where(old, _not_finished()).group_by(handovers.c.status)).all()
    outcome = _delete(engine, ids, dry_run)
    for status, count in kept:
        if status in OPEN_STATUSES:
            outcome.kept_open += count
        else:
            outcome.kept_callbacks += count
    return outcome


def of_resident(engine: Engine, resident: Resident, conversation_ids: Iterable[str], dry_run: bool) -> Handovers:
    """Delete (or count) the handovers of these conversations and those whose callback, summary, details or
    transcript name the resident's email, phone number or reference, whatever their status."""
    wanted = set(conversation_ids)
    found: Set[int] = set()
    with engine.connect() as connection:
        streamed = connection.execution_options(stream_results=True, yield_per=500)
        rows = streamed.execute(select(handovers.c.id, handovers.c.conversation_id, handovers.c.summary,
                                       handovers.c.reason, handovers.c.details, handovers.c.callback))
        for handover_id, conversation_id, *personal in rows:
            if conversation_id in wanted or (resident and resident.mentioned_in(personal)):
                found.add(handover_id)
        if resident:
            lines = streamed.execute(select(messages.c.handover_id, messages.c.text))
            found |= {handover_id for handover_id, text in lines
                      if handover_id not in found and resident.mentioned_in(text)}
        ids = sorted(found)
        conversations: Set[str] = set()
        open_erased = 0
        for batch in _batches(ids):
            for conversation_id, finished in connection.execute(
                    select(handovers.c.conversation_id, _finished()).where(handovers.c.id.in_(batch))):
                conversations.add(conversation_id)
                open_erased += 0 if finished else 1
    outcome = _delete(engine, ids, dry_run)
    outcome.open_erased = open_erased
    outcome.conversation_ids = sorted(conversations)
    return outcome


def _delete(engine: Engine, ids: List[int], dry_run: bool) -> Handovers:
    """Count these handovers' transcript lines and audit links and dates, and unless `dry_run` delete them: lines
    first, the audit entries' links set to null, then the handovers, in one transaction per batch."""
    outcome = Handovers(count=len(ids))
    for batch in _batches(ids):
        with engine.begin() as connection:
            outcome.messages += _count(connection, messages, messages.c.handover_id.in_(batch))
            outcome.audit_unlinked += _count(connection, audit_log, audit_log.c.handover_id.in_(batch))
            oldest, newest = connection.execute(
                select(func.min(handovers.c.waiting_since), func.max(handovers.c.updated_at))
                .where(handovers.c.id.in_(batch))).one()
            outcome.oldest = min(filter(None, (outcome.oldest, oldest)), default=None)
            outcome.newest = max(filter(None, (outcome.newest, newest)), default=None)
            if dry_run:
                continue
            connection.execute(delete(messages).where(messages.c.handover_id.in_(batch)))
            connection.execute(update(audit_log).where(audit_log.c.handover_id.in_(batch)).values(handover_id=None))
            connection.execute(delete(handovers).where(handovers.c.id.in_(batch)))
    return outcome


def _count(connection: Connection, table, condition) -> int:
    return connection.execute(select(func.count()).select_from(table).where(condition)).scalar_one()


def _batches(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), BATCH):
        yield values[start:start + BATCH]
