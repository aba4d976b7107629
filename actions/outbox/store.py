"""The outbox table and its store: keep an item, find what is due, claim it, and record how the attempt went.

Several action server workers (and processes) may run the pass at once: an item is claimed by moving its
`next_attempt_at` on with a compare-and-set, so only one of them sends it. A claim that is never finished (the
process died mid-send) runs out after CLAIM_SECONDS and the item is due again, marked as maybe sent.
"""
from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, select, update
from sqlalchemy.exc import IntegrityError

from ..settings import settings
from ..storage import Base, Database, database
from ..storage.keys import hashed, utcnow

REPORT = "report"
NOTIFY = "notify"
PENDING, SENT, FAILED = "pending", "sent", "failed"
# Long enough for one send (a council API's timeout is seconds); after it, an unfinished claim counts as lost.
CLAIM_SECONDS = 120
# Submission numbers: no 0/O or 1/I, so one read out over the phone is typed right.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class OutboxItem(Base):
    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(10), nullable=False)  # report (to Open311) or notify (a confirmation)
    key = Column(String(64), nullable=False, unique=True)  # a report's submission number; a notification's own
    conversation = Column(String(64), index=True)  # SHA-256 of the sender id: whose report it is, never who
    payload = Column(Text, nullable=False)  # JSON: what to send (personal data: erased by the retention job)
    status = Column(String(10), nullable=False, index=True)  # pending, sent, failed
    maybe_sent = Column(Boolean, nullable=False, default=False)  # the last attempt's outcome is unknown
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False, index=True)  # naive UTC
    next_attempt_at = Column(DateTime, nullable=False, index=True)
    finished_at = Column(DateTime)
    result = Column(String(64))  # the report's reference, or the notification's id
    last_problem = Column(String(200))  # which service and how it failed: never what was sent


@dataclass(frozen=True)
class Kept:
    """An item as the rest of the code sees it."""

    id: int
    kind: str
    key: str
    payload: Dict[str, Any]
    status: str
    maybe_sent: bool
    attempts: int
    next_attempt_at: datetime
    result: Optional[str]

    @property
    def pending(self) -> bool:
        return self.status == PENDING


def conversation_hash(sender_id: Optional[str]) -> Optional[str]:
    return hashed("outbox", sender_id)


def new_submission_number() -> str:
    """"SUB-7K3QX9MD": random (50 bits), so one says nothing about another and none repeat in practice."""
    return "SUB-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def normalise_submission_number(text: str) -> Optional[str]:
    compact = "".join(ch for ch in str(text or "").upper() if ch.isalnum())
    if compact.startswith("SUB") and len(compact) == 13 and all(ch in _ALPHABET for ch in compact[3:]):
        return f"SUB-{compact[3:]}"
    return None


def _kept(row: OutboxItem) -> Kept:
    return Kept(row.id, row.kind, row.key, json.loads(row.payload), row.status, row.maybe_sent, row.attempts,
                row.next_attempt_at, row.result)


class OutboxStore:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def keep(self, kind: str, key: str, payload: Dict[str, Any], *, sender_id: Optional[str] = None,
             maybe_sent: bool = False, attempts: int = 0, first_attempt_at: Optional[datetime] = None) -> Kept:
        now = self.clock()
        row = OutboxItem(kind=kind, key=key, conversation=conversation_hash(sender_id), payload=json.dumps(payload),
                         status=PENDING, maybe_sent=maybe_sent, attempts=attempts, created_at=now,
                         next_attempt_at=first_attempt_at or now)
        with self.db.writing() as session:
            session.add(row)
            session.flush()
            return _kept(row)

    def keep_notification(self, message: Dict[str, Any], sender_id: Optional[str] = None) -> Kept:
        """A Notify message to send on the next pass (and again until Notify takes it): `message` is
        {"purpose", "channel" (email, sms), "to", "personalisation", "reference"} (see worker.py)."""
        return self.keep(NOTIFY, str(uuid.uuid4()), message, sender_id=sender_id)

    def keep_claimed(self, message: Dict[str, Any], key: str, sender_id: Optional[str] = None) -> Optional[Kept]:
        """A Notify message kept as already claimed by the caller, who sends it at once (worker.send_now): the pass
        leaves it alone for CLAIM_SECONDS, then takes it if the caller died mid-send. `key` is the confirmation's
        own (e.g. one per payment): None if it is kept already, so it is never kept (and sent) twice."""
        now = self.clock()
        row = OutboxItem(kind=NOTIFY, key=key, conversation=conversation_hash(sender_id), payload=json.dumps(message),
                         status=PENDING, maybe_sent=False, attempts=1, created_at=now,
                         next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        try:
            with self.db.writing() as session:
                session.add(row)
                session.flush()
                return _kept(row)
        except IntegrityError:
            return None

    def due(self, now: datetime, limit: int = 50) -> List[Kept]:
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxItem)
                .where(OutboxItem.status == PENDING, OutboxItem.next_attempt_at <= now)
                .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
                .limit(limit)
            ).scalars()
            return [_kept(row) for row in rows]

    def claim(self, item: Kept, now: datetime) -> bool:
        """Take the item for one attempt; False if another worker took it first."""
        with self.db.writing() as session:
            taken = session.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item.id, OutboxItem.status == PENDING,
                       OutboxItem.next_attempt_at == item.next_attempt_at)
                .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS), attempts=OutboxItem.attempts + 1,
                        # Until this attempt finishes, assume it may have gone: a crash mid-send is an unknown outcome.
                        maybe_sent=item.maybe_sent or item.kind == REPORT)
            )
            return taken.rowcount == 1

    def sent(self, item: Kept, result: Optional[str], now: datetime) -> None:
        self._finish(item, SENT, now, result=result)

    def failed(self, item: Kept, problem: str, now: datetime) -> None:
        self._finish(item, FAILED, now, problem=problem)

    def retry_later(self, item: Kept, at: datetime, maybe_sent: bool, problem: str) -> None:
        with self.db.writing() as session:
            session.execute(
                update(OutboxItem).where(OutboxItem.id == item.id)
                .values(next_attempt_at=at, maybe_sent=maybe_sent, last_problem=problem[:200])
            )

    def _finish(self, item: Kept, status: str, now: datetime, result: Optional[str] = None,
                problem: Optional[str] = None) -> None:
        # Once sent, what was sent (contact details, the resident's words) is not ours to keep: only the result.
        # A refused item keeps it, for staff to follow up.
        payload = {"payload": "{}"} if status == SENT else {}
        with self.db.writing() as session:
            session.execute(
                update(OutboxItem).where(OutboxItem.id == item.id)
                .values(status=status, finished_at=now, result=result, last_problem=problem and problem[:200],
                        **payload)
            )

    def find(self, key: str) -> Optional[Kept]:
        with self.db.session() as session:
            row = session.execute(select(OutboxItem).where(OutboxItem.key == key)).scalar_one_or_none()
            return _kept(row) if row else None

    def report_of_conversation(self, key: str, sender_id: str) -> Optional[Kept]:
        """The kept report with this submission number, if this conversation made it (anyone else: None)."""
        found = self.find(key)
        if found is None or found.kind != REPORT:
            return None
        with self.db.session() as session:
            owner = session.get(OutboxItem, found.id).conversation
        return found if owner is not None and owner == conversation_hash(sender_id) else None


def outbox() -> OutboxStore:
    """The outbox in the database of the current settings."""
    return _store(settings().actions_database_url)


@lru_cache(maxsize=4)
def _store(database_url: str) -> OutboxStore:
    return OutboxStore(database(database_url))
