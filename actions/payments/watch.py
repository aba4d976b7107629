"""Payments watched until they are settled, whatever the conversation does meanwhile.

A resident may leave the card page open and say goodbye, ask for a person, start another journey, close the tab,
or come back after the conversation's session has expired (60 minutes of silence; Pay's page lasts 90). The
payment must still end the same way: confirmed (records re-read, Notify confirmation sent), a refund due (paid for
an order the records had cancelled meanwhile), or not paid (the order's hold cancelled). So every payment is
recorded here when it is created, in the action server's own database, and a background check in the action server
(`run_watch`, every PAYMENT_WATCH_SECONDS) settles those the conversation has not.

Rules:
- Settled once: a check or the conversation *claims* a row with one UPDATE that only succeeds while nobody holds
  it (so two action server processes never both send a confirmation), then settles it.
- Only what finishing needs is kept: payment id, order kind and reference, council, amount, the Notify template's
  purpose and personalisation, the contact chosen. The contact and personalisation are cleared once settled.
- `return_value` is the one-off value the web chat's return URL carries for this payment: the widget's hidden
  message is honoured only when it carries it (`matches_return`).
"""
from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Text

from sqlalchemy import Column, DateTime, Integer, String, Text as TextColumn, select, update

from ..storage.keys import hashed, utcnow
from ..settings import settings
from ..storage import Base, Database, database

logger = logging.getLogger(__name__)

CONFIRMED = "confirmed"  # paid, and the records show the order paid: confirmation sent (or not wanted)
REFUND_DUE = "refund_due"  # paid, but the records had cancelled the order: the council refunds
NOT_PAID = "not_paid"  # failed, cancelled or expired on Pay: the order's hold is cancelled
# A claim older than this is taken to be from a process that died mid-check: another may take the row.
CLAIM_LEASE = timedelta(minutes=5)


class WatchedPayment(Base):
    __tablename__ = "watched_payments"

    id = Column(Integer, primary_key=True, autoincrement=True)
    payment_id = Column(String(64), nullable=False, unique=True)
    conversation = Column(String(64), nullable=False, index=True)  # SHA-256 of the sender id
    kind = Column(String(20), nullable=False)  # the OrderKind
    reference = Column(String(40), nullable=False, index=True)  # the order, PCN or account (as the kind quotes it)
    payment_key = Column(String(80), nullable=False, index=True)  # one open payment per key (step.open_payments)
    council = Column(String(20))
    amount = Column(Integer, nullable=False)
    return_value = Column(String(40), nullable=False)  # the one-off value of the web chat's return URL
    purpose = Column(String(30), nullable=False)  # the Notify template of the confirmation
    personalisation = Column(TextColumn)  # JSON; cleared once settled
    contact = Column(String(320))  # "email:..." / "sms:..."; cleared once settled
    created_at = Column(DateTime, nullable=False, index=True)
    claimed_by = Column(String(40))
    claimed_at = Column(DateTime)
    settled_at = Column(DateTime, index=True)
    outcome = Column(String(20))  # CONFIRMED, REFUND_DUE, NOT_PAID


@dataclass(frozen=True)
class Watched:
    payment_id: str
    kind: str
    reference: str
    payment_key: str
    council: Optional[str]
    amount: int
    return_value: str
    purpose: str
    personalisation: Dict[str, Any]
    contact: Optional[str]
    created_at: datetime
    outcome: Optional[str]

    @property
    def settled(self) -> bool:
        return self.outcome is not None


def new_return_value() -> str:
    return secrets.token_urlsafe(12)


def _as_watched(row: WatchedPayment) -> Watched:
    return Watched(row.payment_id, row.kind, row.reference, row.payment_key, row.council, row.amount,
                   row.return_value, row.purpose, json.loads(row.personalisation or "{}"), row.contact,
                   row.created_at, row.outcome)


class PaymentWatch:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def watch(self, conversation: str, payment_id: str, *, kind: str, reference: str, payment_key: str,
              council: Optional[str], amount: int, return_value: str, purpose: str,
              personalisation: Dict[str, Any], contact: Optional[str]) -> None:
        with self.db.writing() as session:
            session.add(WatchedPayment(
                payment_id=payment_id, conversation=hashed("conversation", conversation), kind=kind,
                reference=reference, payment_key=payment_key, council=council, amount=amount,
                return_value=return_value, purpose=purpose, personalisation=json.dumps(personalisation, default=str),
                contact=contact, created_at=self.clock()))

    def get(self, payment_id: str) -> Optional[Watched]:
        with self.db.session() as session:
            row = session.execute(select(WatchedPayment).where(WatchedPayment.payment_id == payment_id)).scalar()
            return _as_watched(row) if row else None

    def latest_of_conversation(self, conversation: str) -> Optional[Watched]:
        """The conversation's newest payment, settled or not: what "I've paid" is about once the journey is over."""
        with self.db.session() as session:
            row = session.execute(
                select(WatchedPayment).where(WatchedPayment.conversation == hashed("conversation", conversation))
                .order_by(WatchedPayment.created_at.desc(), WatchedPayment.id.desc()).limit(1)).scalar()
            return _as_watched(row) if row else None

    def open_for_key(self, conversation: str, payment_key: str) -> Optional[Watched]:
        """The conversation's unsettled payment for the same order (PCN, account and amount), e.g. from before its
        session expired: shown again rather than a second payment made."""
        with self.db.session() as session:
            row = session.execute(
                select(WatchedPayment).where(WatchedPayment.conversation == hashed("conversation", conversation),
                                             WatchedPayment.payment_key == payment_key,
                                             WatchedPayment.settled_at.is_(None))
                .order_by(WatchedPayment.created_at.desc()).limit(1)).scalar()
            return _as_watched(row) if row else None

    def open_for_reference(self, reference: str) -> List[Watched]:
        with self.db.session() as session:
            rows = session.execute(select(WatchedPayment).where(WatchedPayment.reference == reference,
                                                                WatchedPayment.settled_at.is_(None))).scalars()
            return [_as_watched(row) for row in rows]

    def unsettled(self) -> List[Watched]:
        with self.db.session() as session:
            rows = session.execute(select(WatchedPayment).where(WatchedPayment.settled_at.is_(None))
                                   .order_by(WatchedPayment.created_at)).scalars()
            return [_as_watched(row) for row in rows]

    def claim(self, payment_id: str) -> Optional[str]:
        """A token if this caller now holds the unsettled row (one UPDATE: atomic across processes), else None."""
        token = secrets.token_hex(8)
        now = self.clock()
        with self.db.writing() as session:
            claimed = session.execute(
                update(WatchedPayment)
                .where(WatchedPayment.payment_id == payment_id, WatchedPayment.settled_at.is_(None),
                       (WatchedPayment.claimed_at.is_(None)) | (WatchedPayment.claimed_at < now - CLAIM_LEASE))
                .values(claimed_by=token, claimed_at=now)
                .execution_options(synchronize_session=False)).rowcount
        return token if claimed == 1 else None

    def release(self, payment_id: str, token: str) -> None:
        """Give a claimed row back unsettled (the payment is still in progress, or a service didn't answer)."""
        with self.db.writing() as session:
            session.execute(update(WatchedPayment)
                            .where(WatchedPayment.payment_id == payment_id, WatchedPayment.claimed_by == token)
                            .values(claimed_by=None, claimed_at=None).execution_options(synchronize_session=False))

    def settle(self, payment_id: str, token: str, outcome: str) -> None:
        """Settled for good; the personal data kept to finish the job goes."""
        with self.db.writing() as session:
            session.execute(update(WatchedPayment)
                            .where(WatchedPayment.payment_id == payment_id, WatchedPayment.claimed_by == token)
                            .values(settled_at=self.clock(), outcome=outcome, contact=None, personalisation=None,
                                    claimed_by=None, claimed_at=None)
                            .execution_options(synchronize_session=False))


def payment_watch() -> PaymentWatch:
    return _watch(settings().actions_database_url)


@lru_cache(maxsize=2)
def _watch(database_url: str) -> PaymentWatch:
    return PaymentWatch(database(database_url))


def matches_return(watched: Optional[Watched], value: Optional[Text]) -> bool:
    return bool(watched and value and secrets.compare_digest(watched.return_value, value))
