"""The console's event consumer (staff/events.py) reading what Rasa's broker (connectors/events.py) wrote: the real
broker class writing to a real SQLite file, PostgreSQL (TEST_POSTGRES_URL) or RabbitMQ (TEST_RABBITMQ_URL), and the
console's own migrated database. tests/connectors/test_handover_events.py does the same with a real Rasa server."""
from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import sqlalchemy as sa

from connectors.events import HandoverEventBroker
from staff.database import Database
from staff.events import EventConsumer, consume_available, start_consumer
from staff.models import Handover, HandoverMessage, utcnow


def _postgres_schema_url() -> Iterator[str]:
    postgres = os.environ.get("TEST_POSTGRES_URL")
    if not postgres:
        pytest.skip("TEST_POSTGRES_URL is not set: the event table is proved on SQLite only here (CI sets it)")
    schema = f"events_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres, future=True)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres else "?"
    yield f"{postgres}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _rabbitmq_url() -> str:
    url = os.environ.get("TEST_RABBITMQ_URL")
    if not url:
        pytest.skip("TEST_RABBITMQ_URL is not set: events through RabbitMQ are not proved in this run (set it to "
                    "a RabbitMQ server, e.g. amqp://guest:guest@127.0.0.1:5672/%2F)")
    return url


@pytest.fixture(params=["sqlite", "postgresql", "rabbitmq"])
def events_source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Dict[str, str]]:
    """Where the broker writes and the consumer reads: an SQLite file, a PostgreSQL schema or a RabbitMQ queue."""
    if request.param == "sqlite":
        yield {"url": f"sqlite:///{tmp_path / 'rasa_events.db'}", "queue": "unused"}
    elif request.param == "postgresql":
        yield from ({"url": url, "queue": "unused"} for url in _postgres_schema_url())
    else:
        url, queue = _rabbitmq_url(), f"test_handover_{uuid.uuid4().hex[:8]}"
        yield {"url": url, "queue": queue}
        import pika

        connection = pika.BlockingConnection(pika.URLParameters(url))
        connection.channel().queue_delete(queue)
        connection.close()


@pytest.fixture
def console(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'staff.db'}").ready()


def publish(source: Dict[str, str], events: List[Dict[str, Any]]) -> None:
    """Through the real broker, as Rasa calls it, then closed (which writes out what it queued)."""

    async def run() -> None:
        broker = HandoverEventBroker(source["url"], source["queue"])
        for event in events:
            broker.publish(event)
        await broker.close()

    asyncio.run(run())


def open_handover(db: Database, conversation_id: str, status: str = "waiting") -> int:
    with db.writing() as session:
        handover = Handover(conversation_id=conversation_id, channel="webchat", council="chorley", reason="asked",
                            summary="Asked for a person.", status=status, priority="normal", waiting_since=utcnow())
        session.add(handover)
        session.flush()
        return handover.id


def transcript(db: Database, handover_id: int) -> List[tuple]:
    with db.session() as session:
        rows = session.execute(
            sa.select(HandoverMessage.sender, HandoverMessage.text).where(HandoverMessage.handover_id == handover_id)
            .order_by(HandoverMessage.at, HandoverMessage.id)
        ).all()
    return [tuple(row) for row in rows]


def handover(db: Database, handover_id: int) -> Handover:
    with db.session() as session:
        return session.get(Handover, handover_id)


def user(sender: str, text: str, at: float, intent: str = "inform") -> Dict[str, Any]:
    return {"sender_id": sender, "event": "user", "text": text, "timestamp": at,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text},
            "input_channel": "webchat", "message_id": uuid.uuid4().hex}


def bot(sender: str, text: str, at: float, **metadata: Any) -> Dict[str, Any]:
    return {"sender_id": sender, "event": "bot", "text": text, "timestamp": at, "data": {}, "metadata": metadata}


def consume_all(db: Database, source: Dict[str, str]) -> int:
    total = 0
    for _ in range(20):  # RabbitMQ may take a moment to make a just-published message available to basic_get
        read = consume_available(db, source["url"], source["queue"])
        total += read
        if not read and total:
            return total
        if not read:
            time.sleep(0.1)
    return total


def test_messages_of_handed_over_conversations_reach_their_transcripts(events_source, console):
    waiting, active, other = (f"conv-{uuid.uuid4().hex[:8]}" for _ in range(3))
    closed = f"conv-{uuid.uuid4().hex[:8]}"
    first = open_handover(console, waiting)
    second = open_handover(console, active, status="active")
    finished = open_handover(console, closed, status="closed")
    now = time.time()
    publish(events_source, [
        user(waiting, "my bin was missed", now),
        {"sender_id": waiting, "event": "action", "name": "action_listen", "timestamp": now},  # never passed on
        {"sender_id": waiting, "event": "slot", "name": "council", "value": "chorley", "timestamp": now},
        {"sender_id": waiting, "event": "slot", "name": "handover_status", "value": "waiting", "timestamp": now},
        {"sender_id": waiting, "event": "pause", "timestamp": now},
        user(waiting, "are you there?", now + 1),
        user(waiting, "/affirm", now + 1.5, intent="affirm"),  # a button's payload: not words the resident typed
        user(active, "thanks Sam", now + 2),
        bot(active, "You're welcome.", now + 3, staff_name="Sam"),  # the console recorded it when Sam sent it
        bot(active, "I'm back. Is there anything else?", now + 4),
        user(other, "what day is my bin", now + 5),  # no handover: not the console's business
        user(closed, "hello again", now + 6),  # its handover is closed
    ])
    assert consume_all(console, events_source) >= 8
    assert transcript(console, first) == [("resident", "my bin was missed"), ("resident", "are you there?")]
    assert transcript(console, second) == [("resident", "thanks Sam"), ("bot", "I'm back. Is there anything else?")]
    assert transcript(console, finished) == []
    assert handover(console, first).urgent is False


def test_urgent_help_while_waiting_makes_the_handover_urgent(events_source, console):
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)
    publish(events_source, [user(conversation, "someone is hurting me", time.time(), intent="urgent_help")])
    consume_all(console, events_source)
    flagged = handover(console, handover_id)
    assert (flagged.priority, flagged.urgent) == ("urgent", True)
    assert transcript(console, handover_id) == [("resident", "someone is hurting me")]


def test_a_line_already_in_the_transcript_is_not_added_twice(tmp_path, console):
    """The transcript read from Rasa when the handover was made may hold what the consumer reads later."""
    source = {"url": f"sqlite:///{tmp_path / 'rasa_events.db'}", "queue": "unused"}
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)
    at = time.time()
    with console.writing() as session:
        session.add(HandoverMessage(handover_id=handover_id, sender="resident", text="talk to a person",
                                    at=datetime.utcfromtimestamp(at)))
    publish(source, [user(conversation, "talk to a person", at), user(conversation, "hello?", at + 1)])
    consume_all(console, source)
    assert transcript(console, handover_id) == [("resident", "talk to a person"), ("resident", "hello?")]


def test_the_sql_position_is_remembered_so_nothing_is_read_twice(tmp_path, console):
    source = {"url": f"sqlite:///{tmp_path / 'rasa_events.db'}", "queue": "unused"}
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)
    now = time.time()
    publish(source, [user(conversation, "one", now), user(conversation, "two", now + 1)])
    assert consume_available(console, source["url"]) == 2
    with sa.create_engine(source["url"]).connect() as connection:  # read, but kept for a day
        assert connection.execute(sa.text("SELECT count(*) FROM handover_events")).scalar() == 2
    assert consume_available(console, source["url"]) == 0  # a new consumer (a restarted console) starts where it was
    publish(source, [user(conversation, "three", now + 2)])
    reader = EventConsumer(console, source["url"])
    reader.kept_seconds = -1  # as if a day had passed
    assert reader.consume_available() == 1
    assert [text for _, text in transcript(console, handover_id)] == ["one", "two", "three"]
    with console.session() as session:
        assert session.execute(sa.text("SELECT position FROM event_positions")).scalar() == 3
    # What was read (and is a day old) is removed from the event table, all but the newest row (so ids keep rising).
    with sa.create_engine(source["url"]).connect() as connection:
        assert connection.execute(sa.text("SELECT id FROM handover_events")).scalars().all() == [3]
    publish(source, [user(conversation, "four", now + 3)])
    assert consume_available(console, source["url"]) == 1
    assert transcript(console, handover_id)[-1] == ("resident", "four")


def test_a_card_number_split_over_two_messages_leaves_the_transcript(tmp_path, console):
    """The channel replaces the second half with /card_number_removed (connectors/guard.py); the first half, already
    in the transcript, goes as it goes from Rasa's store."""
    source = {"url": f"sqlite:///{tmp_path / 'rasa_events.db'}", "queue": "unused"}
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)
    now = time.time()
    publish(source, [user(conversation, "my card is 4242 4242", now),
                     user(conversation, "/card_number_removed", now + 1, intent="card_number_removed"),
                     user(conversation, "my bin is 42", now + 2)])
    consume_all(console, source)
    assert transcript(console, handover_id) == [
        ("resident", "[card number removed]"), ("resident", "[card number removed]"), ("resident", "my bin is 42")]


@pytest.mark.parametrize("read_between", [False, True])
def test_the_first_half_of_a_split_card_number_leaves_the_event_table(tmp_path, console, read_between):
    """Written in one batch or in two (the first half even read by the console already), the event table never
    keeps the first half once the channel has said it was half a card number."""
    database = tmp_path / "rasa_events.db"
    source = {"url": f"sqlite:///{database}", "queue": "unused"}
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)
    now = time.time()
    publish(source, [user(conversation, "my card is 4242 4242", now)])
    if read_between:
        consume_all(console, source)
    publish(source, [user("conv-someone-else", "hello", now + 0.5),
                     user(conversation, "/card_number_removed", now + 1, intent="card_number_removed")])
    with sa.create_engine(f"sqlite:///{database}").connect() as connection:
        stored = " ".join(connection.execute(sa.text("SELECT data FROM handover_events")).scalars())
    assert "4242" not in stored
    consume_all(console, source)
    assert "4242" not in " ".join(text for _, text in transcript(console, handover_id))


def test_a_whole_card_number_never_reaches_the_event_store(tmp_path, console):
    """Defence in depth: an event that reached Rasa some other way (its HTTP API) is scrubbed by the broker."""
    database = tmp_path / "rasa_events.db"
    publish({"url": f"sqlite:///{database}", "queue": "unused"},
            [user("conv-card", "pay with 4242 4242 4242 4242", time.time()),
             bot("conv-card", "Your card 4242424242424242 was taken", time.time())])
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        stored = " ".join(row[0] for row in connection.execute(sa.text("SELECT data FROM handover_events")))
    assert "4242" not in stored
    # A resident's message is replaced as the tracker store replaces it (the console shows "[card number removed]").
    assert '"text": "/card_number_removed"' in stored and '"text": "[card number removed]"' in stored


def test_the_consumer_thread_follows_new_events(tmp_path, console):
    source_url = f"sqlite:///{tmp_path / 'rasa_events.db'}"
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)

    class Settings:
        events_url, events_queue, database_url = source_url, "unused", "unused"

    thread = start_consumer(None, database=console, settings=Settings())
    try:
        publish({"url": source_url, "queue": "unused"}, [user(conversation, "still waiting", time.time())])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not transcript(console, handover_id):
            time.sleep(0.1)
        assert transcript(console, handover_id) == [("resident", "still waiting")]
    finally:
        thread.stop.set()  # type: ignore[attr-defined]
        thread.join(5)
    assert not thread.is_alive()


def test_publishing_never_waits_for_an_event_store_that_is_down(tmp_path):
    """RabbitMQ (or a database) that is not there: `publish` returns at once, every time; Rasa's turn goes on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def run() -> float:
        broker = HandoverEventBroker(f"amqp://guest:guest@127.0.0.1:{port}/%2F", "nowhere")
        slowest = 0.0
        for n in range(200):
            started = time.perf_counter()
            broker.publish(user("conv-down", f"message {n}", time.time()))
            slowest = max(slowest, time.perf_counter() - started)
        broker._stopping.set()  # don't wait for it to give up
        return slowest

    assert asyncio.run(run()) < 0.05


def test_events_written_while_rabbitmq_was_unreachable_arrive_when_it_is_back(console):
    """The broker keeps what it could not send and sends it when RabbitMQ can be reached again (here: a relay to
    the real RabbitMQ that starts late)."""
    url = _rabbitmq_url()
    from urllib.parse import urlparse

    real = urlparse(url)
    queue = f"test_handover_{uuid.uuid4().hex[:8]}"
    relay = _LateRelay(real.hostname or "127.0.0.1", real.port or 5672)
    relayed_url = url.replace(f"@{real.netloc.split('@')[-1]}", f"@127.0.0.1:{relay.port}")
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)

    async def run() -> None:
        broker = HandoverEventBroker(relayed_url, queue)
        broker.publish(user(conversation, "written while it was down", time.time()))
        await asyncio.sleep(1.5)  # the broker has tried and failed
        relay.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not broker._pending.empty():
            await asyncio.sleep(0.2)
        await broker.close()

    try:
        asyncio.run(run())
        source = {"url": url, "queue": queue}
        consume_all(console, source)
        assert transcript(console, handover_id) == [("resident", "written while it was down")]
    finally:
        relay.stop()
        import pika

        connection = pika.BlockingConnection(pika.URLParameters(url))
        connection.channel().queue_delete(queue)
        connection.close()


class _LateRelay:
    """A TCP relay to RabbitMQ on a port of its own, listening only once started."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: Any = None

    def start(self) -> None:
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", self.port))
        self._server.listen()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()


def test_what_was_said_well_before_the_handover_is_not_added_again(tmp_path, console):
    """It was in Rasa's store when the handover was made, so in the transcript the console read then; a consumer
    catching up after a stop must not add the whole history again. The turn that asked for a person is kept."""
    source = {"url": f"sqlite:///{tmp_path / 'rasa_events.db'}", "queue": "unused"}
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)
    now = time.time()
    publish(source, [user(conversation, "an hour ago", now - 3600), user(conversation, "talk to a person", now - 5),
                     bot(conversation, "I've asked customer services.", now - 4)])
    consume_all(console, source)
    assert transcript(console, handover_id) == [("resident", "talk to a person"),
                                                ("bot", "I've asked customer services.")]


def test_a_quiet_spell_costs_rabbitmq_events_nothing(console, caplog):
    """RabbitMQ drops a connection whose heartbeats go unanswered; after a quiet spell longer than that the next
    events still go, without an outage in the log."""
    url = _rabbitmq_url()
    separator = "&" if "?" in url else "?"
    quick_heartbeat = f"{url}{separator}heartbeat=1"  # RabbitMQ gives up on it after a few silent seconds
    queue = f"test_handover_{uuid.uuid4().hex[:8]}"
    conversation = f"conv-{uuid.uuid4().hex[:8]}"
    handover_id = open_handover(console, conversation)

    async def run() -> None:
        broker = HandoverEventBroker(quick_heartbeat, queue)
        broker._sink.idle_seconds = 30  # quieter than the heartbeat allows: the connection is lost meanwhile
        broker.publish(user(conversation, "before the quiet spell", time.time()))
        await asyncio.sleep(6)
        broker.publish(user(conversation, "after it", time.time()))
        await broker.close()

    try:
        with caplog.at_level("INFO", logger="connectors.events"):
            asyncio.run(run())
        assert "can't be written to" not in caplog.text
        consume_all(console, {"url": url, "queue": queue})
        assert transcript(console, handover_id) == [("resident", "before the quiet spell"), ("resident", "after it")]
    finally:
        import pika

        connection = pika.BlockingConnection(pika.URLParameters(url))
        connection.channel().queue_delete(queue)
        connection.close()
