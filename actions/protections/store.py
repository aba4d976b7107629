"""The protections store: failed verifications and unpaid holds, by (hashed) conversation and client.

SQLAlchemy 1.4 (Rasa's pin) used in the 2.0 style, so it needs no rewrite later. The tables live in the action
server's own database (actions/storage/: SQLite by default, PostgreSQL with ACTIONS_DATABASE_URL), created by its
migrations. Times are naive UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Callable, List, Optional

from sqlalchemy import Column, DateTime, Integer, String, func, select, update

from ..settings import settings
from ..storage import Base, Database, database
from ..storage.keys import hashed, utcnow  # noqa: F401  (utcnow: the stores' clock)


class FailedVerification(Base):
    __tablename__ = "failed_verifications"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation = Column(String(64), nullable=False, index=True)  # SHA-256 of the sender id
    client = Column(String(64), index=True)  # SHA-256 of the channel's client key; NULL when there was none
    failed_at = Column(DateTime, nullable=False, index=True)


class UnpaidHold(Base):
    __tablename__ = "unpaid_holds"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation = Column(String(64), nullable=False, index=True)
    client = Column(String(64), index=True)
    kind = Column(String(20), nullable=False)  # the OrderKind: bulky_waste, garden_waste, bin_request
    reference = Column(String(40), nullable=False, index=True)  # the records' reference, to look it up or cancel it
    placed_at = Column(DateTime, nullable=False, index=True)
    closed_at = Column(DateTime)  # paid, cancelled or released: no longer a hold


@dataclass(frozen=True)
class Hold:
    kind: str
    reference: str
    placed_at: datetime


class ProtectionsStore:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def _session(self):
        return self.db.session()

    def _writing(self):
        return self.db.writing()

    # -- failed verifications -----------------------------------------------------------------------------------

    def record_failure(self, conversation: str, client: Optional[str]) -> None:
        with self._writing() as session:
            session.add(FailedVerification(conversation=hashed("conversation", conversation),
                                           client=hashed("client", client), failed_at=self.clock()))

    def conversation_failures(self, conversation: str) -> int:
        """Every failure of the conversation, ever: its lock is for good."""
        with self._session() as session:
            return session.execute(select(func.count()).select_from(FailedVerification).where(
                FailedVerification.conversation == hashed("conversation", conversation))).scalar_one()

    def client_locked_until(self, client: Optional[str], limit: int, window: timedelta) -> Optional[datetime]:
        """When the client may try again (naive UTC), if `limit` failures of it fall within the last `window`."""
        if not client:
            return None
        with self._session() as session:
            recent = session.execute(
                select(FailedVerification.failed_at)
                .where(FailedVerification.client == hashed("client", client),
                       FailedVerification.failed_at > self.clock() - window)
                .order_by(FailedVerification.failed_at.desc())
                .limit(limit)
            ).scalars().all()
        return recent[-1] + window if len(recent) >= limit else None

    # -- unpaid holds -------------------------------------------------------------------------------------------

    def add_hold(self, conversation: str, client: Optional[str], kind: str, reference: str) -> None:
        with self._writing() as session:
            session.add(UnpaidHold(conversation=hashed("conversation", conversation), client=hashed("client", client),
                                   kind=kind, reference=reference, placed_at=self.clock()))

    def close_hold(self, reference: str) -> None:
        with self._writing() as session:
            session.execute(update(UnpaidHold).where(UnpaidHold.reference == reference, UnpaidHold.closed_at.is_(None))
                            .values(closed_at=self.clock()))

    def conversation_holds(self, conversation: str) -> List[Hold]:
        return self._open_holds(UnpaidHold.conversation == hashed("conversation", conversation))

    def client_holds(self, client: Optional[str], window: timedelta) -> List[Hold]:
        """The client's holds placed within the last `window` and still open."""
        if not client:
            return []
        return self._open_holds(UnpaidHold.client == hashed("client", client),
                                UnpaidHold.placed_at > self.clock() - window)

    def _open_holds(self, *where) -> List[Hold]:
        with self._session() as session:
            rows = session.execute(select(UnpaidHold.kind, UnpaidHold.reference, UnpaidHold.placed_at)
                                   .where(UnpaidHold.closed_at.is_(None), *where)
                                   .order_by(UnpaidHold.placed_at)).all()
        return [Hold(kind, reference, placed_at) for kind, reference, placed_at in rows]


def protections() -> ProtectionsStore:
    """The store of the current settings (one engine per database URL)."""
    return _store(settings().actions_database_url)


@lru_cache(maxsize=2)
def _store(database_url: str) -> ProtectionsStore:
    return ProtectionsStore(database(database_url))
