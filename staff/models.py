"""The console's tables (docs/handover.md, "The console's database"); the migrations in migrations/versions/ build
exactly these (tests/staff/test_migrations.py).

Times are naive UTC datetimes (`utcnow()`), the same on SQLite and PostgreSQL; the API writes them as ISO 8601
with a trailing "Z".
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Optional

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

ROLES = ("agent", "trainer", "supervisor")
HANDLING_ROLES = ("agent", "supervisor")  # who takes conversations; trainers only read, redacted
SESSION_KINDS = ("page", "api")
CHANNELS = ("webchat", "phone")
STATUSES = ("waiting", "active", "callback", "closed")
OPEN_STATUSES = ("waiting", "active")
PRIORITIES = ("urgent", "normal")
CALLBACK_STATUSES = ("new", "called", "closed")
SENDERS = ("resident", "bot", "staff")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso(moment: Optional[datetime]) -> Optional[str]:
    return None if moment is None else moment.isoformat() + "Z"


class User(Base):
    """A member of staff who signs in: an agent or supervisor takes conversations, a trainer reads them redacted."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(80), nullable=False, unique=True)
    display_name = Column(String(80), nullable=False)  # what residents see: "Sam from customer services"
    role = Column(String(20), nullable=False)
    password_hash = Column(String(200), nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)
    failed_sign_ins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)
    totp_secret = Column(String(64))
    last_active_at = Column(DateTime, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    def public(self) -> Dict[str, Any]:
        return {"username": self.username, "display_name": self.display_name, "role": self.role}


class StaffSession(Base):
    """A signed-in session: only the sha256 of its token is kept, so a copy of the database signs nobody in."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    kind = Column(String(10), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)  # the absolute end, whatever the activity

    user = relationship(User, lazy="joined")


class Handover(Base):
    """A conversation the assistant passed to customer services, waiting, being handled, or a callback request."""

    __tablename__ = "handovers"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False, index=True)  # Rasa's sender id
    channel = Column(String(20), nullable=False)
    council = Column(String(40))
    reason = Column(String(500), nullable=False, default="")
    summary = Column(Text, nullable=False, default="")
    details = Column(JSON)
    status = Column(String(20), nullable=False, index=True)
    priority = Column(String(10), nullable=False, default="normal")
    urgent = Column(Boolean, nullable=False, default=False)  # flagged while staff had it (staff/events.py)
    waiting_since = Column(DateTime, nullable=False, index=True)
    accepted_by = Column(Integer, ForeignKey("staff_users.id"), index=True)
    accepted_at = Column(DateTime)
    closed_at = Column(DateTime)
    outcome = Column(String(500))
    resident_present = Column(Boolean, nullable=False, default=True)
    callback_status = Column(String(10))
    callback = Column(JSON)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    accepted_by_user = relationship(User, lazy="joined")


class HandoverMessage(Base):
    """One line of a handover's transcript: what the resident, the assistant or a member of staff said."""

    __tablename__ = "handover_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    handover_id = Column(Integer, ForeignKey("handovers.id", ondelete="CASCADE"), nullable=False, index=True)
    sender = Column("from", String(10), nullable=False)
    text = Column(Text, nullable=False)
    at = Column(DateTime, nullable=False)
    staff_name = Column(String(80))


class AuditEntry(Base):
    """Who did what, to which handover, when: sign-ins, every handover a person opened, accepted, returned, closed."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user_id = Column(Integer, ForeignKey("staff_users.id"), index=True)
    what = Column(String(60), nullable=False)
    handover_id = Column(Integer, ForeignKey("handovers.id", ondelete="SET NULL"), index=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)


class EventPosition(Base):
    """How far staff/events.py has read an event source (the SQL event broker's table), by source name."""

    __tablename__ = "event_positions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    source = Column(String(200), nullable=False, unique=True)
    position = Column(BigInteger, nullable=False, default=0)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
