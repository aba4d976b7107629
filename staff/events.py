"""The console's side of the handover events: what residents and the assistant say in a handed-over conversation
reaches the handover's transcript while staff have it (docs/handover.md).

Rasa's event broker (connectors/events.py) writes small records (`user`, `bot`, `pause`, `resume`, `slot
handover_status`) to STAFF_EVENTS_URL: an SQL table (`handover_events`, the default an SQLite file in var/) or a
RabbitMQ queue (STAFF_EVENTS_QUEUE). This module reads them:

- SQL: rows after the last one read, in order of id; how far it got is kept in the console's own `event_positions`
  table, in the same transaction as the messages it added, so a restart neither skips nor repeats a row. Rows read
  are removed from the event table once a day old (never the newest), so residents' words are not kept there
  much longer than it takes the console to read them. Run one console against one event table: a second one (say
  a trial console) reads the same rows into its own database, harmlessly, for a day.
- RabbitMQ: messages from the durable queue, each acknowledged once its transaction is committed (a crash in
  between gives it again; the duplicate check below keeps it out of the transcript).

For each record about a conversation with an open handover (waiting or active):
- a resident's message becomes a `resident` line (a button's payload, `/...`, is left out); one recognised as urgent help (intent `urgent_help`) also makes
  the handover urgent (`priority` urgent, `urgent` true), so the queue and the member of staff see it at once;
- the assistant's message becomes a `bot` line (the urgent-help reply given while paused, the hand-back); a message a
  member of staff sent (`staff_name`) is not added again: the console recorded it when it was sent;
- a line already in the transcript (same sender, text and time: the transcript read from Rasa when the handover was
  made, or a message delivered twice) is not added again, nor is anything from well before the handover was made
  (`BEFORE_HANDOVER`: it was in that transcript);
- a card number split over two messages: the channel replaces the second half with `/card_number_removed`, and the
  first half, already in the transcript, is replaced here as Rasa's store replaces it.
Records about other conversations are read past: the console only follows conversations staff were asked to take.

`start_consumer(app)` runs `EventConsumer.run_forever` on a daemon thread; `consume_available()` reads once (tests).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.orm import Session

from connectors.card_numbers import CARD_NUMBER_REMOVED, card_digits_at_end
from staff.database import Database
from staff.models import OPEN_STATUSES, EventPosition, Handover, HandoverMessage, utcnow

logger = logging.getLogger(__name__)

TABLE_NAME = "handover_events"  # connectors/events.py
URGENT_HELP_INTENT = "urgent_help"
CARD_REMOVED_TEXT = "[card number removed]"
BATCH_SIZE = 500
POLL_SECONDS = 1.0
# A record this much older than its handover was in Rasa's store when the handover was made, so in the transcript the
# console read then: read past it (a consumer catching up after a stop would otherwise add the whole history again).
# The turn that asked for the handover is younger: the handover is made while it runs, before Rasa saves it.
BEFORE_HANDOVER = timedelta(minutes=2)
LONGEST_PAUSE_SECONDS = 30.0

_events = sa.table(TABLE_NAME, sa.column("id", sa.Integer), sa.column("sender_id", sa.String),
                   sa.column("data", sa.Text), sa.column("written_at", sa.Float))
# Rows read are removed once this old: long enough that a second reader (a console started for a test or a trial
# against the same table) can't take rows from the real console, short enough that the table is no second store.
READ_ROWS_KEPT_SECONDS = 24 * 3600


def is_amqp(url: str) -> bool:
    return urlparse(url).scheme in ("amqp", "amqps")


def _without_password(url: str) -> str:
    parsed = urlparse(url)
    return url.replace(f":{parsed.password}@", ":***@", 1) if parsed.password else url


def _moment(timestamp: Any) -> datetime:
    """Rasa's event timestamp (seconds since 1970, UTC) as the console keeps times: naive UTC."""
    if isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool):
        return datetime.fromtimestamp(timestamp, timezone.utc).replace(tzinfo=None)
    return utcnow()


class EventConsumer:
    """Reads handover events from STAFF_EVENTS_URL into the console's database (see the module's docstring)."""

    def __init__(self, database: Database, events_url: str, queue_name: str = "rasa_handover_events") -> None:
        self.database = database
        self.events_url = events_url
        self.queue_name = queue_name
        self.source = (f"amqp:{queue_name}" if is_amqp(events_url) else f"sql:{_without_password(events_url)}")[:200]
        self._events_engine: Optional[sa.engine.Engine] = None
        self._amqp: Any = None
        self.kept_seconds = READ_ROWS_KEPT_SECONDS

    # -- reading ------------------------------------------------------------------------------------------------------

    def consume_available(self, limit: int = BATCH_SIZE) -> int:
        """Read what is there now (at most `limit` records); the number of records read."""
        if is_amqp(self.events_url):
            return self._consume_amqp(limit)
        return self._consume_sql(limit)

    def _engine(self) -> sa.engine.Engine:
        if self._events_engine is None:
            connect_args = {"timeout": 15} if self.events_url.startswith("sqlite") else {"connect_timeout": 5}
            self._events_engine = sa.create_engine(self.events_url, future=True, pool_pre_ping=True,
                                                   connect_args=connect_args)
        return self._events_engine

    def _consume_sql(self, limit: int) -> int:
        with self.database.session() as session:
            position = session.execute(
                sa.select(EventPosition.position).where(EventPosition.source == self.source)
            ).scalar() or 0
        engine = self._engine()
        if not sa.inspect(engine).has_table(TABLE_NAME):
            return 0  # Rasa has written nothing yet
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(_events.c.id, _events.c.data).where(_events.c.id > position).order_by(_events.c.id)
                .limit(limit)
            ).all()
        if not rows:
            return 0
        with self.database.writing() as session:
            self._apply(session, (_decode(data) for _, data in rows))
            stored = session.execute(
                sa.select(EventPosition).where(EventPosition.source == self.source)
            ).scalar_one_or_none()
            if stored is None:
                session.add(EventPosition(source=self.source, position=rows[-1][0]))
            else:
                stored.position = max(stored.position, rows[-1][0])
        self._remove_read(engine, rows[-1][0], self.kept_seconds)
        return len(rows)

    @staticmethod
    def _remove_read(engine: sa.engine.Engine, position: int, kept_seconds: float = READ_ROWS_KEPT_SECONDS) -> None:
        """Rows read and a day old are removed (never the last read, whose id keeps the table's ids rising on any
        database): the table is a hand-over point, not a second conversation store that would outlive the retention
        rules. A failure only leaves them for next time."""
        try:
            with engine.begin() as connection:
                connection.execute(sa.delete(_events).where(
                    _events.c.id < position, _events.c.written_at < time.time() - kept_seconds))
        except Exception as error:
            logger.warning("Handover events: rows read could not be removed yet (%s).", type(error).__name__)

    def _channel(self) -> Any:
        import pika

        if self._amqp is None or not self._amqp[1].is_open:
            self.close()
            parameters = pika.URLParameters(self.events_url)
            parameters.socket_timeout = 5
            connection = pika.BlockingConnection(parameters)
            channel = connection.channel()
            channel.queue_declare(queue=self.queue_name, durable=True)
            self._amqp = (connection, channel)
        return self._amqp[1]

    def _consume_amqp(self, limit: int) -> int:
        channel = self._channel()
        got: List[Tuple[int, Optional[Dict[str, Any]]]] = []
        while len(got) < limit:
            method, _properties, body = channel.basic_get(self.queue_name, auto_ack=False)
            if method is None:
                break
            got.append((method.delivery_tag, _decode(body)))
        if got:
            self._take(channel, got)
        return len(got)

    def _take(self, channel: Any, got: List[Tuple[int, Optional[Dict[str, Any]]]]) -> None:
        try:
            with self.database.writing() as session:
                self._apply(session, (record for _, record in got))
        except Exception:
            channel.basic_nack(got[-1][0], multiple=True, requeue=True)
            raise
        channel.basic_ack(got[-1][0], multiple=True)

    def run_forever(self, stop: threading.Event, poll_seconds: float = POLL_SECONDS) -> None:
        """Read until `stop` is set: new records within about `poll_seconds`; an unreachable source or database is
        logged once and tried again with growing pauses."""
        pause, failing = poll_seconds, False
        while not stop.is_set():
            try:
                read = self.consume_available()
                if failing:
                    logger.info("Handover events: reading again from %s.", self.source)
                failing, pause = False, poll_seconds
            except Exception as error:
                if not failing:
                    logger.error("Handover events: can't read from %s (%s); trying again.", self.source,
                                 type(error).__name__)
                    logger.debug("Handover events: the failure.", exc_info=True)
                failing, read = True, 0
                self.close()
                pause = min(max(pause, 0.5) * 2, LONGEST_PAUSE_SECONDS)
            if not read or failing:
                stop.wait(pause)
        self.close()

    def close(self) -> None:
        if self._amqp is not None:
            try:
                self._amqp[0].close()
            except Exception:
                pass
            self._amqp = None
        if self._events_engine is not None:  # PostgreSQL connections end with the consumer (made again if needed)
            self._events_engine.dispose()
            self._events_engine = None

    # -- into the transcripts -----------------------------------------------------------------------------------------

    def _apply(self, session: Session, records: Iterable[Optional[Dict[str, Any]]]) -> None:
        wanted = [r for r in records if r and r.get("event") in ("user", "bot") and isinstance(r.get("sender_id"), str)]
        if not wanted:
            return
        senders = {r["sender_id"] for r in wanted}
        handovers: Dict[str, Handover] = {}
        for handover in session.execute(
            sa.select(Handover).where(Handover.conversation_id.in_(senders), Handover.status.in_(OPEN_STATUSES))
            .order_by(Handover.id)
        ).scalars():
            handovers[handover.conversation_id] = handover  # the newest open one
        for record in wanted:
            handover = handovers.get(record["sender_id"])
            if handover is not None:
                self._add(session, handover, record)

    def _add(self, session: Session, handover: Handover, record: Dict[str, Any]) -> None:
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            return
        at = _moment(record.get("timestamp"))
        if handover.waiting_since is not None and at < handover.waiting_since - BEFORE_HANDOVER:
            return
        if record["event"] == "bot":
            if record.get("staff_name"):
                return  # a member of staff's own message: recorded by the console when it was sent
            sender = "bot"
        else:
            sender = "resident"
            if text.strip() == CARD_NUMBER_REMOVED:
                text = CARD_REMOVED_TEXT
                _erase_first_half(session, handover)
            elif text.startswith("/"):
                # A button's payload or an intent the channels sent, not words the resident typed (left out of the
                # transcript read from Rasa too, staff/rasa_link.py); urgent help is never one of those.
                return
            if record.get("intent") == URGENT_HELP_INTENT and not handover.urgent:
                handover.priority = "urgent"
                handover.urgent = True
                logger.info("Handover %s: the resident needs urgent help.", handover.id)
        session.flush()
        duplicate = session.execute(
            sa.select(HandoverMessage.id).where(
                HandoverMessage.handover_id == handover.id, HandoverMessage.sender == sender,
                HandoverMessage.text == text, HandoverMessage.at == at,
            ).limit(1)
        ).first()
        if duplicate is None:
            session.add(HandoverMessage(handover_id=handover.id, sender=sender, text=text, at=at))


def _erase_first_half(session: Session, handover: Handover) -> None:
    """The resident's previous message ended with the first half of a card number: it goes, as it does from Rasa's
    store (connectors/tracker_store.py)."""
    session.flush()
    previous = session.execute(
        sa.select(HandoverMessage).where(HandoverMessage.handover_id == handover.id,
                                         HandoverMessage.sender == "resident")
        .order_by(HandoverMessage.at.desc(), HandoverMessage.id.desc()).limit(1)
    ).scalar_one_or_none()
    if previous is not None and card_digits_at_end(previous.text):
        previous.text = CARD_REMOVED_TEXT


def _decode(data: Any) -> Optional[Dict[str, Any]]:
    try:
        value = json.loads(data)
    except (TypeError, ValueError):
        logger.warning("Handover events: a record that is not JSON was read past.")
        return None
    return value if isinstance(value, dict) else None


def start_consumer(app: Any, database: Optional[Database] = None, settings: Any = None) -> threading.Thread:
    """Start reading handover events on a daemon thread for the console `app`.

    `database` and `settings` default to the app's own (`app.extensions["staff"]`'s `database` and `settings`, when
    the app keeps them there), else a Database on STAFF_DATABASE_URL and staff.settings.settings(). The thread stops
    with the process; `app.extensions["staff_events_stop"]` is an Event that stops it earlier (tests)."""
    from staff.settings import settings as read_settings

    extension = getattr(app, "extensions", {}).get("staff") if app is not None else None
    settings = settings or _attribute(extension, "settings") or read_settings()
    database = database or _attribute(extension, "database") or Database(settings.database_url)
    consumer = EventConsumer(database, settings.events_url, settings.events_queue)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run_forever, args=(stop,), name="staff-handover-events", daemon=True)
    thread.consumer = consumer  # type: ignore[attr-defined]
    thread.stop = stop  # type: ignore[attr-defined]
    if app is not None and hasattr(app, "extensions"):
        app.extensions["staff_events_stop"] = stop
    thread.start()
    logger.info("Handover events: reading from %s.", consumer.source)
    return thread


def consume_available(database: Database, events_url: str, queue_name: str = "rasa_handover_events",
                      limit: int = BATCH_SIZE) -> int:
    """Read what is there now, once (for tests and `python -m staff` tools)."""
    consumer = EventConsumer(database, events_url, queue_name)
    try:
        return consumer.consume_available(limit)
    finally:
        consumer.close()


def _attribute(holder: Any, name: str) -> Any:
    if holder is None:
        return None
    if isinstance(holder, dict):
        return holder.get(name)
    return getattr(holder, name, None)


__all__ = ["EventConsumer", "start_consumer", "consume_available"]
