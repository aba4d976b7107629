"""The queue of residents waiting for a person: its order, where one stands in it, a rough wait, whether anyone is
there to take a new one, and the sweeper that turns a wait too long into a callback request.

- Order: urgent first, then whoever has waited longest.
- Wait: the average time to accept of the last 20 handovers accepted today (5 minutes when there are none yet),
  times the number of people up to and including this one. Rough, and said as such to residents.
- Available: the council's customer services are open now (councils/opening_hours.py; HANDOVER_HOURS=always or
  never overrides) AND an agent or supervisor used the console in the last STAFF_ACTIVE_MINUTES. With
  HANDOVER_HOURS=always staff are treated as available whoever is signed in.
- Sweeper: a waiting handover older than HANDOVER_WAIT_LIMIT_MINUTES becomes a callback request (status
  `callback`, callback_status `new`) and the assistant is told (handover_timed_out), so it can ask the resident
  how to call them back. If Rasa can't be told, the handover stays waiting and the next sweep tries again.
"""
from __future__ import annotations

import logging
import math
import threading
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from sqlalchemy import case, func, select, update

from councils import COUNCIL_IDS
from councils.opening_hours import open_now, opening_hours_lines

from .auth import purge_sessions
from .models import HANDLING_ROLES, AuditEntry, Handover, User, utcnow
from .rasa_link import RasaUnavailable

logger = logging.getLogger(__name__)

DEFAULT_MINUTES_PER_PERSON = 5.0
RECENT_ACCEPTED = 20


def queue_order():
    """ORDER BY for waiting handovers: urgent first, then longest waiting (then oldest id, for a stable order)."""
    return (case((Handover.priority == "urgent", 0), else_=1), Handover.waiting_since, Handover.id)


def waiting(session) -> List[Handover]:
    return list(session.execute(select(Handover).where(Handover.status == "waiting").order_by(*queue_order()))
                .scalars())


def position(session, handover: Handover) -> Optional[int]:
    """1 for the next to be taken; None when it is not waiting."""
    if handover.status != "waiting":
        return None
    ids = [h.id for h in waiting(session)]
    return ids.index(handover.id) + 1 if handover.id in ids else None


def minutes_per_person(session, now: Optional[datetime] = None) -> float:
    """The average minutes from waiting to accepted of the last 20 handovers accepted today (UTC day)."""
    now = now or utcnow()
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = session.execute(
        select(Handover.waiting_since, Handover.accepted_at)
        .where(Handover.accepted_at.is_not(None), Handover.accepted_at >= start_of_day)
        .order_by(Handover.accepted_at.desc()).limit(RECENT_ACCEPTED)
    ).all()
    if not rows:
        return DEFAULT_MINUTES_PER_PERSON
    seconds = [max(0.0, (accepted - since).total_seconds()) for since, accepted in rows]
    return max(1.0, sum(seconds) / len(seconds) / 60)


def estimated_wait_minutes(session, people_ahead_and_this_one: int) -> int:
    return max(1, math.ceil(people_ahead_and_this_one * minutes_per_person(session)))


def active_staff(session, active_minutes: int, now: Optional[datetime] = None) -> int:
    since = (now or utcnow()) - timedelta(minutes=active_minutes)
    return session.execute(
        select(func.count(User.id)).where(User.role.in_(HANDLING_ROLES), User.disabled.is_(False),
                                          User.last_active_at >= since)
    ).scalar_one()


def availability(session, settings, council: Optional[str], now: Optional[datetime] = None,
                 uk_time: Optional[datetime] = None) -> Dict[str, Any]:
    """What GET /api/v1/availability answers (docs/handover.md). `now` (UTC) and `uk_time` (the UK clock, for the
    opening hours) default to the present."""
    council_id = council if council in COUNCIL_IDS else None
    waiting_now = session.execute(select(func.count(Handover.id)).where(Handover.status == "waiting")).scalar_one()
    if not open_now(council_id, now=uk_time, environ=settings.hours_environ):
        available, why = False, "out_of_hours"
    elif settings.handover_hours == "always" or active_staff(session, settings.active_minutes, now) > 0:
        available, why = True, "in_hours"
    else:
        available, why = False, "nobody_available"
    return {
        "available": available,
        "why": why,
        "opening_hours": opening_hours_lines(council_id),
        "waiting": waiting_now,
        "estimated_wait_minutes": estimated_wait_minutes(session, waiting_now + 1),
    }


# -- the sweeper ---------------------------------------------------------------------------------------------------

def sweep(console, now: Optional[datetime] = None) -> List[int]:
    """Turn handovers waiting longer than the limit into callback requests; the ids turned. Tests call this."""
    now = now or utcnow()
    limit = now - timedelta(minutes=console.settings.wait_limit_minutes)
    with console.db.session() as session:
        overdue = list(session.execute(
            select(Handover.id, Handover.conversation_id, Handover.channel)
            .where(Handover.status == "waiting", Handover.waiting_since <= limit)
        ).all())
    turned = []
    for handover_id, conversation_id, channel in overdue:
        if channel != "phone":  # a phone caller's conversation was never paused for the console
            try:
                console.rasa.timed_out(conversation_id, channel)
            except RasaUnavailable as exc:
                logger.warning("handover %s waited too long, but the assistant could not be told (%s); "
                               "trying again at the next sweep", handover_id, exc)
                continue
        with console.db.writing() as session:
            changed = session.execute(
                update(Handover).where(Handover.id == handover_id, Handover.status == "waiting")
                .values(status="callback", callback_status="new", updated_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed:
                session.add(AuditEntry(user_id=None, what="waited too long: callback", handover_id=handover_id,
                                       at=utcnow()))
                turned.append(handover_id)
    return turned


class Sweeper:
    """A daemon thread running `sweep` every STAFF_SWEEP_SECONDS until `stop()`."""

    def __init__(self, console) -> None:
        self.console = console
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="staff-queue-sweeper", daemon=True)

    def start(self) -> "Sweeper":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopping.wait(self.console.settings.sweep_seconds):
            try:
                sweep(self.console)
                purge_sessions(self.console.db, self.console.settings.session_minutes)
            except Exception:  # a database hiccup must not end the thread: the next sweep tries again
                logger.exception("the queue sweep failed")

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
