"""Rasa's event broker for the staff console: what a member of customer services needs to follow a handed-over
conversation, and nothing else (docs/handover.md).

endpoints.yml names it by module path:

    event_broker:
      type: connectors.events.HandoverEventBroker

Where it writes, in this order of precedence:
- `url:` under `event_broker` in endpoints.yml, if given;
- else the environment variable STAFF_EVENTS_URL (read here, not through endpoints.yml: Rasa refuses to start when
  a `${VARIABLE}` in endpoints.yml is unset, and has no syntax for a default);
- else `sqlite:///var/rasa_events.db`, an embedded database next to the conversations.

An `sqlite://` or `postgresql://` URL is a database: events go in the table `handover_events` (its own name, so it
can share a database with Rasa's tracker store, whose table is `events`), read by the console's consumer
(staff/events.py) in order of `id`. An `amqp://` (or `amqps://`) URL is RabbitMQ: events go to the durable queue
`queue:` / STAFF_EVENTS_QUEUE (default `rasa_handover_events`), as persistent messages.

What it passes on: `user`, `bot`, `pause` and `resume` events and `slot` events for `handover_status`, each as a
small JSON record (`sender_id`, `event`, `timestamp`, and `text`, `intent`, `message_id`, `input_channel` for a
resident's message; `text` and `staff_name` for a bot message; `name` and `value` for a slot). Rasa's NLU details,
actions and every other slot are left out: on a busy assistant the console's copy is a fraction of the conversation
store, not a second copy of it. Card numbers never reach it: the channels remove them before Rasa sees a message
(connectors/guard.py), and each record is scrubbed again here as the tracker store scrubs what it keeps.

A resident's turn never waits for the broker or fails because of it: `publish` (called by Rasa in the middle of
saving the conversation, on the event loop) only puts the record on an in-memory queue; one thread writes the
queue out, in batches. When the database or RabbitMQ is down the thread logs once, keeps what it has and tries
again with growing pauses (up to 30 s); if the outage outlasts the queue (`max_pending`, 10000 records) newer
records are dropped and counted in the log, and the conversations themselves are unaffected.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Text
from urllib.parse import urlparse

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from connectors.card_numbers import CARD_NUMBER_REMOVED, card_digits_at_end
from connectors.tracker_store import scrub_card_numbers

logger = logging.getLogger(__name__)

URL_ENV = "STAFF_EVENTS_URL"
QUEUE_ENV = "STAFF_EVENTS_QUEUE"
ROOT = Path(__file__).resolve().parent.parent
# The project's var/ whatever the working directory (the console's own default, staff/settings.py, is the same file).
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'rasa_events.db'}"
DEFAULT_QUEUE = "rasa_handover_events"
TABLE_NAME = "handover_events"
HANDOVER_SLOT = "handover_status"
DEFAULT_MAX_PENDING = 10000
BATCH_SIZE = 200
LONGEST_PAUSE_SECONDS = 30.0

metadata = sa.MetaData()
# The table the console reads in order of id. `data` is the record's JSON; `event` and `sender_id` are there so the
# table can be looked at (and indexed) without decoding it.
handover_events = sa.Table(
    TABLE_NAME,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    # When the row was written (seconds since 1970): the console removes rows it has read once they are a day old.
    sa.Column("written_at", sa.Float, index=True),
    # Ids are never reused (SQLite would reuse the highest after it was deleted): the console reads by id and removes
    # what it has read (staff/events.py).
    sqlite_autoincrement=True,
)


def events_url(configured: Optional[Text] = None, environ: Optional[Dict[Text, Text]] = None) -> Text:
    """Where events go: endpoints.yml's `url`, else STAFF_EVENTS_URL, else the embedded SQLite file."""
    environ = os.environ if environ is None else environ
    return (configured or "").strip() or (environ.get(URL_ENV) or "").strip() or DEFAULT_URL


def events_queue(configured: Optional[Text] = None, environ: Optional[Dict[Text, Text]] = None) -> Text:
    environ = os.environ if environ is None else environ
    return (configured or "").strip() or (environ.get(QUEUE_ENV) or "").strip() or DEFAULT_QUEUE


def is_amqp(url: Text) -> bool:
    return urlparse(url).scheme in ("amqp", "amqps")


def describe(url: Text) -> Text:
    """The URL without its password, for logs."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


def handover_record(event: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
    """The small record the console needs for one of Rasa's events, or None for an event it doesn't need."""
    kind = event.get("event")
    record: Dict[Text, Any] = {
        "sender_id": event.get("sender_id"),
        "event": kind,
        "timestamp": event.get("timestamp"),
    }
    if kind == "user":
        intent = (event.get("parse_data") or {}).get("intent") or {}
        record.update(
            text=event.get("text"),
            intent=intent.get("name"),
            confidence=intent.get("confidence"),
            message_id=event.get("message_id"),
            input_channel=event.get("input_channel"),
        )
    elif kind == "bot":
        staff_name = (event.get("metadata") or {}).get("staff_name")
        record.update(text=event.get("text"), staff_name=staff_name if isinstance(staff_name, str) else None)
    elif kind == "slot":
        if event.get("name") != HANDOVER_SLOT:
            return None
        record.update(name=HANDOVER_SLOT, value=event.get("value"))
    elif kind not in ("pause", "resume"):
        return None
    if not isinstance(record["sender_id"], str):
        return None
    # The channels removed card numbers before Rasa saw the message; this is defence in depth (an event appended
    # through the HTTP API, a bot message repeating something it should not).
    return scrub_card_numbers(record)


class HandoverEventBroker(EventBroker):
    """See the module's docstring."""

    def __init__(
        self, url: Optional[Text] = None, queue_name: Optional[Text] = None, max_pending: int = DEFAULT_MAX_PENDING
    ) -> None:
        self.url = events_url(url)
        self.queue_name = events_queue(queue_name)
        self._sink = _AmqpSink(self.url, self.queue_name) if is_amqp(self.url) else _SqlSink(self.url)
        self._pending: "queue.Queue[Optional[Dict[Text, Any]]]" = queue.Queue(maxsize=max(1, int(max_pending)))
        self._dropped = 0
        self._stopping = threading.Event()
        self._writer = threading.Thread(target=self._write_forever, name="handover-events", daemon=True)
        self._writer.start()
        logger.info("Handover events go to %s.", self._sink.describe())

    @classmethod
    async def from_endpoint_config(cls, broker_config: EndpointConfig, event_loop: Any = None) -> "HandoverEventBroker":
        kwargs = dict(broker_config.kwargs or {}) if broker_config is not None else {}
        return cls(
            url=broker_config.url if broker_config is not None else None,
            queue_name=kwargs.get("queue"),
            max_pending=int(kwargs.get("max_pending", DEFAULT_MAX_PENDING)),
        )

    # -- Rasa's side: never blocks, never raises ---------------------------------------------------------------------

    def publish(self, event: Dict[Text, Any]) -> None:
        try:
            record = handover_record(event)
            if record is None:
                return
            self._pending.put_nowait(record)
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                logger.error("Handover events: %d dropped so far, the event store has been down too long.", self._dropped)
        except Exception as error:  # a conversation must never fail because of the console's copy
            logger.error("Handover events: an event could not be queued (%s).", type(error).__name__)

    def is_ready(self) -> bool:
        return self._writer.is_alive()

    async def close(self) -> None:
        """Write out what is queued (a few seconds at most), then stop."""
        import asyncio

        self._stopping.set()
        try:
            self._pending.put_nowait(None)
        except queue.Full:
            pass
        await asyncio.get_running_loop().run_in_executor(None, self._writer.join, 10)
        self._sink.close()

    # -- the writer thread ------------------------------------------------------------------------------------------

    def _write_forever(self) -> None:
        batch: List[Dict[Text, Any]] = []
        pause = 0.5
        failing = False
        while True:
            if not batch:
                try:
                    first = self._pending.get(timeout=self._sink.idle_seconds)
                except queue.Empty:
                    self._sink.idle()
                    continue
                if first is None:
                    return
                batch.append(first)
            while len(batch) < BATCH_SIZE:
                try:
                    more = self._pending.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._stopping.set()
                    break
                batch.append(more)
            try:
                written = self._sink.write(batch)
            except Exception as error:
                written = 0
                if not failing:
                    logger.error(
                        "Handover events: %s can't be written to (%s); conversations carry on, and the events "
                        "are kept and written when it is back.", self._sink.describe(), type(error).__name__,
                    )
                    logger.debug("Handover events: the failure.", exc_info=True)
                failing = True
            del batch[:written]
            if batch:
                if self._stopping.is_set():
                    logger.error("Handover events: stopping with %d not written.", len(batch))
                    return
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
                continue
            if failing:
                logger.info("Handover events: %s is back.", self._sink.describe())
            failing, pause = False, 0.5
            if self._stopping.is_set() and self._pending.empty():
                return


class _SqlSink:
    """Rows in `handover_events`, one transaction per batch (SQLite or PostgreSQL)."""

    idle_seconds: Optional[float] = None  # nothing to do between batches

    def idle(self) -> None:
        pass

    def __init__(self, url: Text) -> None:
        self.url = url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////:memory:"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": 5} if url.startswith("sqlite") else {"connect_timeout": 5}
        self.engine = sa.create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)
        if url.startswith("sqlite"):
            # Write-ahead logging: the console reads the file while Rasa writes it, neither waiting for the other.
            sa.event.listen(self.engine, "connect", _sqlite_wal)
        self._table_made = False
        try:
            self._make_table()
        except Exception as error:  # down at start: the writer makes it when the database is back
            logger.error("Handover events: %s can't be reached yet (%s).", self.describe(), type(error).__name__)

    def _make_table(self) -> None:
        metadata.create_all(self.engine)
        self._table_made = True

    def describe(self) -> Text:
        return f"the table {TABLE_NAME} in {describe(self.url)}"

    def write(self, batch: List[Dict[Text, Any]]) -> int:
        if not self._table_made:
            self._make_table()
        now = time.time()
        with self.engine.begin() as connection:
            _erase_split_card_numbers(connection, batch)
            connection.execute(
                handover_events.insert(),
                [{"sender_id": r["sender_id"], "event": r["event"], "data": json.dumps(r), "written_at": now}
                 for r in batch],
            )
        return len(batch)

    def close(self) -> None:
        self.engine.dispose()


def _erase_split_card_numbers(connection: Any, batch: List[Dict[Text, Any]]) -> None:
    """A card number split over two messages: the channel sent the second half as `/card_number_removed` and had
    the tracker store erase the first (connectors/card_numbers.py); the first half is erased here too, in this batch
    or in the table, so the console's copy never keeps it either."""
    latest_user: Dict[Text, Dict[Text, Any]] = {}
    for record in batch:
        if record.get("event") != "user":
            continue
        previous = latest_user.get(record["sender_id"])
        latest_user[record["sender_id"]] = record
        if record.get("text") != CARD_NUMBER_REMOVED:
            continue
        if previous is not None:
            if card_digits_at_end(previous.get("text") or ""):
                previous["text"] = CARD_NUMBER_REMOVED
            continue
        row = connection.execute(
            sa.select(handover_events.c.id, handover_events.c.data)
            .where(handover_events.c.sender_id == record["sender_id"], handover_events.c.event == "user")
            .order_by(handover_events.c.id.desc()).limit(1)
        ).first()
        if row is None:
            continue
        stored = json.loads(row.data)
        if card_digits_at_end(stored.get("text") or ""):
            stored["text"] = CARD_NUMBER_REMOVED
            connection.execute(
                handover_events.update().where(handover_events.c.id == row.id).values(data=json.dumps(stored))
            )


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class _AmqpSink:
    """Persistent messages on a durable RabbitMQ queue (through the default exchange), confirmed one by one, so a
    message RabbitMQ did not take is sent again and none is sent twice."""

    # A blocking connection only answers RabbitMQ's heartbeats when it is used: between batches it is used this often,
    # well inside the heartbeat RabbitMQ asks for (60 s by default), so a quiet night doesn't cost the connection.
    idle_seconds: Optional[float] = 10.0

    def __init__(self, url: Text, queue_name: Text) -> None:
        self.url = url
        self.queue_name = queue_name
        self._connection: Any = None
        self._channel: Any = None

    def idle(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.process_data_events(time_limit=0)
        except Exception:  # gone: the next batch opens a new connection
            self.close()

    def describe(self) -> Text:
        return f"the RabbitMQ queue {self.queue_name} at {describe(self.url)}"

    def _open(self) -> Any:
        import pika

        if self._channel is None or not self._channel.is_open:
            self.close()
            parameters = pika.URLParameters(self.url)
            parameters.socket_timeout = 5
            parameters.blocked_connection_timeout = 10
            self._connection = pika.BlockingConnection(parameters)
            self._channel = self._connection.channel()
            self._channel.queue_declare(queue=self.queue_name, durable=True)
            self._channel.confirm_delivery()
        return self._channel

    def write(self, batch: List[Dict[Text, Any]]) -> int:
        reused = self._channel is not None
        try:
            return self._publish(batch)
        except Exception:
            if not reused:
                raise
        return self._publish(batch)  # the connection kept from before had gone: once more on a new one

    def _publish(self, batch: List[Dict[Text, Any]]) -> int:
        import pika

        channel = self._open()
        written = 0
        try:
            for record in batch:
                channel.basic_publish(
                    exchange="", routing_key=self.queue_name, body=json.dumps(record).encode("utf-8"),
                    properties=pika.BasicProperties(
                        content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent
                    ),
                    mandatory=True,
                )
                written += 1
        except Exception:
            self.close()
            if written:
                return written
            raise
        return written

    def close(self) -> None:
        try:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except Exception:
            pass
        self._connection = self._channel = None


__all__ = ["HandoverEventBroker", "handover_record", "handover_events", "events_url", "events_queue", "is_amqp"]
