"""What members of staff and the assistant do to a handover: create it, take it, write in it, give it back, close
it, follow up a callback. The JSON API (staff/api.py) and the pages (staff/pages.py) both call these.

Each operation either happens completely or not at all:
- Taking a waiting handover is one conditional UPDATE (`WHERE status = 'waiting'`): of two members of staff who
  press "Accept" at once, exactly one gets it, the other a `Refused` (409).
- Whatever must reach the resident goes to Rasa first (or, for accepting, is undone if Rasa can't be told): when
  Rasa is down the caller gets `RasaUnavailable` (503) and the console's state is as it was. A staff message is
  recorded only after Rasa has taken it.
- Phone handovers: the caller was put through by phone, so there is no chat to write in and nothing to tell Rasa.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy import select, update

from .models import (
    CALLBACK_STATUSES,
    CHANNELS,
    OPEN_STATUSES,
    PRIORITIES,
    STATUSES,
    AuditEntry,
    Handover,
    HandoverMessage,
    User,
    iso,
    utcnow,
)
from .queue import estimated_wait_minutes, position
from .rasa_link import RasaUnavailable
from .redact import redact, redact_details

logger = logging.getLogger(__name__)

LONGEST_MESSAGE = 2000
LONGEST_OUTCOME = 500
LONGEST_SUMMARY = 4000


class Refused(Exception):
    """The handover can't do that now (taken by someone else, not yours, closed...): 409, or `status`."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class BadRequest(Refused):
    def __init__(self, message: str) -> None:
        super().__init__(message, 400)


class NotFound(Refused):
    def __init__(self, handover_id: Any) -> None:
        super().__init__(f"There is no handover {handover_id}.", 404)


# -- reading -------------------------------------------------------------------------------------------------------

def get(session, handover_id: Any) -> Handover:
    try:
        number = int(handover_id)
    except (TypeError, ValueError):
        raise NotFound(handover_id) from None
    handover = session.get(Handover, number)
    if handover is None:
        raise NotFound(handover_id)
    return handover


def listing(session, status: Optional[str]) -> List[Handover]:
    """Handovers with `status` (waiting in queue order; active, callback and closed newest first, at most 200);
    without one, the open ones (waiting, then active)."""
    from .queue import queue_order

    if status is not None and status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}, not {status!r}.")
    statuses = [status] if status else list(OPEN_STATUSES)
    found: List[Handover] = []
    for one in statuses:
        query = select(Handover).where(Handover.status == one)
        if one == "waiting":
            query = query.order_by(*queue_order())
        else:
            query = query.order_by(Handover.updated_at.desc(), Handover.id.desc()).limit(200)
        found.extend(session.execute(query).scalars())
    return found


def transcript(session, handover: Handover) -> List[HandoverMessage]:
    return list(session.execute(
        select(HandoverMessage).where(HandoverMessage.handover_id == handover.id)
        .order_by(HandoverMessage.at, HandoverMessage.id)
    ).scalars())


def as_json(session, handover: Handover, viewer: Optional[User] = None, with_transcript: bool = False,
            waiting_ids: Optional[List[int]] = None, minutes_each: Optional[float] = None) -> Dict[str, Any]:
    """The handover as the API shows it; personal details redacted for a trainer. A list passes the queue's ids
    and the minutes per person (queue.minutes_per_person) worked out once for all its handovers."""
    redacted = viewer is not None and viewer.role == "trainer"
    clean = redact if redacted else (lambda text: text)
    accepted_by = handover.accepted_by_user
    if waiting_ids is not None:
        place = waiting_ids.index(handover.id) + 1 if handover.id in waiting_ids else None
    else:
        place = position(session, handover)
    shown: Dict[str, Any] = {
        "id": handover.id,
        "conversation_id": handover.conversation_id,
        "status": handover.status,
        "channel": handover.channel,
        "council": handover.council,
        "reason": clean(handover.reason or ""),
        "summary": clean(handover.summary or ""),
        "details": redact_details(handover.details) if redacted else handover.details,
        "priority": handover.priority,
        "urgent": bool(handover.urgent),
        "waiting_since": iso(handover.waiting_since),
        "accepted_by": accepted_by.display_name if accepted_by is not None else None,
        "accepted_by_username": accepted_by.username if accepted_by is not None else None,
        "accepted_at": iso(handover.accepted_at),
        "closed_at": iso(handover.closed_at),
        "outcome": handover.outcome,
        "resident_present": bool(handover.resident_present),
        "callback_status": handover.callback_status,
        "callback": redact_details(handover.callback) if redacted else handover.callback,
        "updated_at": iso(handover.updated_at),
        "position": place,
        "estimated_wait_minutes": (
            None if not place else
            estimated_wait_minutes(session, place) if minutes_each is None else max(1, math.ceil(place * minutes_each))
        ),
        "redacted": redacted,
    }
    if with_transcript:
        shown["transcript"] = [
            {"from": line.sender, "text": clean(line.text), "at": iso(line.at), "staff_name": line.staff_name}
            for line in transcript(session, handover)
        ]
    return shown


def record_message(session, handover_id: int, sender: str, text: str, at, staff_name: Optional[str] = None
                   ) -> Optional[HandoverMessage]:
    """Add a line to a handover's transcript, unless the same line (who, words, moment) is there already: the
    transcript read at creation and the event consumer (staff/events.py) may both see one message."""
    existing = session.execute(
        select(HandoverMessage.id).where(HandoverMessage.handover_id == handover_id, HandoverMessage.sender == sender,
                                         HandoverMessage.at == at, HandoverMessage.text == text).limit(1)
    ).first()
    if existing is not None:
        return None
    message = HandoverMessage(handover_id=handover_id, sender=sender, text=text, at=at, staff_name=staff_name)
    session.add(message)
    return message


def open_for(session, conversation_id: str) -> Optional[Handover]:
    """The conversation's waiting or active handover, if it has one."""
    return session.execute(
        select(Handover).where(Handover.conversation_id == conversation_id, Handover.status.in_(OPEN_STATUSES))
        .order_by(Handover.id.desc()).limit(1)
    ).scalar_one_or_none()


# -- the assistant's side ------------------------------------------------------------------------------------------

@dataclass
class NewHandover:
    conversation_id: str
    channel: str
    council: Optional[str]
    reason: str
    summary: str
    details: Optional[Dict[str, Any]]
    priority: str
    status: str
    callback: Optional[Dict[str, Any]]

    @classmethod
    def from_json(cls, body: Any) -> "NewHandover":
        if not isinstance(body, dict):
            raise BadRequest("Send a JSON object describing the handover.")
        conversation_id = body.get("conversation_id")
        if not isinstance(conversation_id, str) or not conversation_id.strip() or len(conversation_id) > 128:
            raise BadRequest("conversation_id must be the conversation's id (1 to 128 characters).")
        channel = body.get("channel")
        if channel not in CHANNELS:
            raise BadRequest(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}.")
        council = body.get("council")
        if council is not None and (not isinstance(council, str) or len(council) > 40):
            raise BadRequest("council must be a council's id, like 'chorley'.")
        priority = body.get("priority") or "normal"
        if priority not in PRIORITIES:
            raise BadRequest(f"priority must be one of {', '.join(PRIORITIES)}, not {priority!r}.")
        status = body.get("status") or "waiting"
        if status not in ("waiting", "callback"):
            raise BadRequest(f"status must be waiting or callback, not {status!r}.")
        texts = {}
        for name, longest in (("reason", 500), ("summary", LONGEST_SUMMARY)):
            value = body.get(name) or ""
            if not isinstance(value, str) or len(value) > longest:
                raise BadRequest(f"{name} must be text of at most {longest} characters.")
            texts[name] = value.strip()
        details = body.get("details")
        if details is not None and not isinstance(details, dict):
            raise BadRequest("details must be a JSON object (wanted, journey, stopped_at, address, references, told).")
        callback = body.get("callback")
        if callback is not None and not isinstance(callback, dict):
            raise BadRequest("callback must be null or a JSON object (name, contact, good_time, about).")
        return cls(conversation_id.strip(), channel, council, texts["reason"], texts["summary"], details, priority,
                   status, callback)


def create(console, new: NewHandover) -> tuple:
    """(handover, created): a conversation's open handover is given back rather than a second one made. The
    transcript so far is read from Rasa; if Rasa can't be read the handover is made all the same (staff see the
    summary, and the event consumer adds what is said from now on)."""
    with console.db.writing() as session:
        existing = open_for(session, new.conversation_id)
        if existing is not None:
            return existing.id, False
        now = utcnow()
        handover = Handover(
            conversation_id=new.conversation_id, channel=new.channel, council=new.council, reason=new.reason,
            summary=new.summary, details=new.details, status=new.status, priority=new.priority, urgent=False,
            waiting_since=now, resident_present=True,
            callback_status="new" if new.status == "callback" else None, callback=new.callback, updated_at=now,
        )
        session.add(handover)
        session.flush()
        handover_id = handover.id
    try:
        lines = console.rasa.transcript(new.conversation_id)
    except RasaUnavailable as exc:
        logger.warning("handover %s made without the transcript so far: %s", handover_id, exc)
        lines = []
    if lines:
        with console.db.writing() as session:
            for line in lines:
                record_message(session, handover_id, line["from"], line["text"], line["at"], line.get("staff_name"))
    return handover_id, True


def presence(console, conversation_id: str, present: bool) -> None:
    with console.db.writing() as session:
        session.execute(
            update(Handover).where(Handover.conversation_id == conversation_id, Handover.status != "closed")
            .values(resident_present=present, updated_at=utcnow()).execution_options(synchronize_session=False)
        )


# -- a member of staff's side --------------------------------------------------------------------------------------

def accept(console, handover_id: Any, user: User) -> None:
    """Take a waiting handover: one conditional UPDATE, then Rasa is told (undone if it can't be)."""
    now = utcnow()
    with console.db.writing() as session:
        handover = get(session, handover_id)
        taken = session.execute(
            update(Handover).where(Handover.id == handover.id, Handover.status == "waiting")
            .values(status="active", accepted_by=user.id, accepted_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not taken:
        with console.db.session() as session:
            handover = get(session, handover_id)
            if handover.status == "active" and handover.accepted_by == user.id:
                return  # pressed twice: it is theirs already
            if handover.status == "active":
                raise Refused(f"{handover.accepted_by_user.display_name} has already accepted this conversation.")
            raise Refused(f"This conversation is no longer waiting (it is {_status_words(handover)}).")
    if handover.channel != "phone":
        try:
            console.rasa.accepted(handover.conversation_id, handover.channel, user.display_name)
        except RasaUnavailable:
            with console.db.writing() as session:
                session.execute(
                    update(Handover).where(Handover.id == handover.id, Handover.accepted_by == user.id,
                                           Handover.status == "active")
                    .values(status="waiting", accepted_by=None, accepted_at=None, updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
            raise
    with console.db.writing() as session:
        session.add(AuditEntry(user_id=user.id, what="accepted", handover_id=handover.id, at=now))


def send_message(console, handover_id: Any, user: User, text: Any) -> Dict[str, Any]:
    """Deliver a member of staff's message to the resident's chat, then record it."""
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("Write a message first: text is empty.")
    text = text.strip()
    if len(text) > LONGEST_MESSAGE:
        raise BadRequest(f"That message is too long ({len(text)} characters): at most {LONGEST_MESSAGE}.")
    with console.db.session() as session:
        handover = get(session, handover_id)
        _must_be_theirs(handover, user)
        if handover.channel == "phone":
            raise Refused("This is a phone call put through to customer services: there is no chat to write in. "
                          "Talk to the caller on the phone.")
    console.rasa.staff_message(handover.conversation_id, handover.channel, user.display_name, text)
    with console.db.writing() as session:
        message = HandoverMessage(handover_id=handover.id, sender="staff", text=text, at=utcnow(),
                                  staff_name=user.display_name)
        session.add(message)
        session.flush()
        return {"from": "staff", "text": text, "at": iso(message.at), "staff_name": user.display_name}


def hand_back(console, handover_id: Any, user: User) -> None:
    """The assistant takes the conversation back (status closed, outcome "returned to the assistant")."""
    with console.db.session() as session:
        handover = get(session, handover_id)
        _must_be_theirs(handover, user, supervisor_may=True)
    if handover.channel != "phone":
        console.rasa.returned(handover.conversation_id, handover.channel)
    _finish(console, handover, user, "returned to the assistant", "returned", from_statuses=("active",))


def close(console, handover_id: Any, user: User, outcome: Any) -> None:
    """Close a handover with what came of it. An active one: its member of staff or a supervisor; a waiting one:
    any agent or supervisor (the resident is then told, as on closing, that the chat has ended)."""
    if not isinstance(outcome, str) or not outcome.strip():
        raise BadRequest("Say what came of it: outcome is empty.")
    outcome = outcome.strip()
    if len(outcome) > LONGEST_OUTCOME:
        raise BadRequest(f"The outcome is too long: at most {LONGEST_OUTCOME} characters.")
    with console.db.session() as session:
        handover = get(session, handover_id)
        if handover.status == "active":
            _must_be_theirs(handover, user, supervisor_may=True)
        elif handover.status != "waiting":
            raise Refused(f"This conversation can't be closed: it is {_status_words(handover)}.")
    if handover.channel != "phone":
        console.rasa.closed(handover.conversation_id, handover.channel)
    _finish(console, handover, user, outcome, "closed", from_statuses=(handover.status,))


def set_callback_status(console, handover_id: Any, user: User, callback_status: Any) -> None:
    if callback_status not in CALLBACK_STATUSES:
        raise BadRequest(f"callback_status must be one of {', '.join(CALLBACK_STATUSES)}, not {callback_status!r}.")
    with console.db.writing() as session:
        handover = get(session, handover_id)
        if handover.status != "callback":
            raise Refused("This is not a callback request.")
        handover.callback_status = callback_status
        handover.updated_at = utcnow()
        session.add(AuditEntry(user_id=user.id, what=f"callback {callback_status}", handover_id=handover.id,
                               at=utcnow()))


def _finish(console, handover: Handover, user: User, outcome: str, what: str, from_statuses) -> None:
    now = utcnow()
    with console.db.writing() as session:
        changed = session.execute(
            update(Handover).where(Handover.id == handover.id, Handover.status.in_(from_statuses))
            .values(status="closed", closed_at=now, outcome=outcome, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            raise Refused("Someone else changed this conversation a moment ago: reload it.")
        session.add(AuditEntry(user_id=user.id, what=what, handover_id=handover.id, at=now))


def _must_be_theirs(handover: Handover, user: User, supervisor_may: bool = False) -> None:
    if handover.status != "active":
        raise Refused(f"Accept this conversation first: it is {_status_words(handover)}.")
    if handover.accepted_by != user.id and not (supervisor_may and user.role == "supervisor"):
        raise Refused(f"{handover.accepted_by_user.display_name} has this conversation, not you.")


def _status_words(handover: Handover) -> str:
    if handover.status == "callback":
        return "a callback request"
    if handover.status == "active":
        return "being handled"
    return handover.status
