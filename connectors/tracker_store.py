"""The conversation store: Rasa's SQL tracker store (SQLite or PostgreSQL) that never keeps a card number.

endpoints.yml names it by module path (`type: connectors.tracker_store.CardSafeSQLTrackerStore`) with the same
settings as Rasa's `type: SQL` (dialect, url, port, db, username, password, login_db, query).

Two things differ from Rasa's store:
- When a card number is split over two messages, the channel removes the second and asks this store to erase the
  first (`erase_user_message`): that message's stored text and NLU results, and any later stored event that carries
  its digits (a slot filled from it, a bot message repeating it), are rewritten in place. Rows are rewritten, never
  deleted, because Rasa counts stored rows to know which events are new.
- As defence in depth, every event is checked as it is saved: any text or number in it that holds a card number is
  replaced (a message that reached Rasa another way, e.g. the HTTP API, or a slot a bug filled).

An event broker configured alongside would still see what Rasa itself holds in memory; this project uses none.

Two things make it cheaper per message than Rasa's (BENCHMARKS.md, issue 10), keeping what it stores and when:
- On SQLite (the default, var/rasa_tracker.db) the database is in WAL mode with `synchronous=NORMAL`, and its
  connections are kept open: each save was a full fsync (blocking every conversation while the disk caught up)
  and every read or save opened the file afresh. A saved turn still survives the Rasa server stopping or crashing
  at any moment (it is in the write-ahead log when `save` returns); only a power cut or an operating system crash
  may lose the last turns saved before it, never corrupt the database. PostgreSQL is untouched.
- A conversation is read as its events' stored JSON only, not as ORM objects, decoded by ujson (installed with
  Rasa; a third faster than `json.loads`, with the same floats), or by `json.loads` for anything ujson refuses.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, List, Optional, Text

import sqlalchemy as sa
import ujson
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from connectors.card_numbers import CARD_NUMBER_REMOVED, contains_card_number, digits_of

logger = logging.getLogger(__name__)

# What replaces a card number found in a stored event other than the resident's message text.
REMOVED = "[card number removed]"
# Fewer digits than this are no part of a card number worth erasing from later events (PCI DSS lets the first six
# and last four be shown); the message they came from is erased whatever its length.
FEWEST_DIGITS_TO_TRACE = 4


# Identifiers Rasa and the channels make, never a resident's words: a random hex id holds a Luhn-valid run of 13 or
# more digits about one time in 400, which would otherwise replace an innocent message.
IDENTIFIER_KEYS = frozenset({"message_id", "model_id", "assistant_id", "client", "sender_id", "timestamp"})


def scrub(value: Any, holds_card: Callable[[Text], bool]) -> Any:
    """`value` (an event's data) with every string or whole number for which `holds_card` is true replaced; the
    identifiers Rasa and the channels make are left alone."""
    if isinstance(value, dict):
        return {key: item if key in IDENTIFIER_KEYS else scrub(item, holds_card) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, holds_card) for item in value]
    if isinstance(value, str):
        return REMOVED if holds_card(value) else value
    if isinstance(value, int) and not isinstance(value, bool):  # floats are timestamps and scores, never cards
        return REMOVED if holds_card(str(value)) else value
    return value


def scrub_card_numbers(data: Dict[Text, Any]) -> Dict[Text, Any]:
    """An event's data as it may be stored: any card number in it removed, a user message's text replaced."""
    scrubbed = scrub(data, contains_card_number)
    if data.get("event") == "user" and scrubbed != data:
        _replace_user_text(scrubbed)
    return scrubbed


def _replace_user_text(data: Dict[Text, Any]) -> None:
    data["text"] = CARD_NUMBER_REMOVED
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data["text"] = CARD_NUMBER_REMOVED


class CardSafeSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore, keeping no card number (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_sqlite_file(self.engine):
            self.engine = sqlite_engine_kept_open(self.engine)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """As Rasa's `_retrieve`, reading only each event's stored JSON."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            events = [json_value(data) for (data,) in query.with_entities(self.SQLEvent.data)]
            if self.domain and len(events) > 0:
                logger.debug("Recreating a tracker from the SQL store.")
                return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
            return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As Rasa's `save`, with each new event's data scrubbed before it is written, and the same new events
        published to the event broker once they are stored.

        Rasa's own `save` streams first, through `stream_events`, which reads the whole stored conversation again
        to work out what is new: a second read of every conversation on every turn once a broker is on (the
        handover's, connectors/events.py). The events being written are exactly those, so they are published
        from here."""
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            for event in new_events:
                data = scrub_card_numbers(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        if self.event_broker is not None and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def erase_user_message(self, sender_id: Text, event: Dict[Text, Any], digits: Text) -> bool:
        """Erase a stored user message (the first half of a split card number) and its digits from later events.

        `event` is the message as the tracker gave it (its timestamp and message id find the row); `digits` are the
        card digits it ended with. Returns whether the message was found."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=True).all()
            found = _index_of(rows, event)
            if found is None:
                logger.warning("A split card number: its first half was not found in the stored conversation.")
                return False
            erased = scrub(json.loads(rows[found].data), lambda text: bool(digits) and digits in digits_of(text))
            _replace_user_text(erased)
            erased["parse_data"] = {**(erased.get("parse_data") or {}), "entities": []}
            rows[found].data = json.dumps(erased)
            if len(digits) >= FEWEST_DIGITS_TO_TRACE:
                for row in rows[found + 1:]:
                    _rewrite(row, lambda text: digits in digits_of(text))
            session.commit()
        return True


def json_value(text: Text) -> Any:
    try:
        return ujson.loads(text)
    except Exception:  # noqa: BLE001 - e.g. an escaped lone surrogate, which json.loads keeps
        return json.loads(text)


def is_sqlite_file(engine: Any) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def sqlite_engine_kept_open(engine: Any) -> Any:
    """An engine for the same SQLite file, in WAL mode with `synchronous=NORMAL`, keeping its connections open.

    SQLAlchemy 1.4 opens a new SQLite connection for every session of a file database (NullPool); a pool keeps
    them, as SQLAlchemy 2.0 does by default. Rasa uses the store from its event loop's thread, so a connection is
    never used by two threads at once; `check_same_thread` is off because the pool may hand it to another thread
    later (Rasa's own engine does the same for SQLite in memory)."""
    kept = sa.create_engine(
        engine.url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(kept, "connect", _wal_with_normal_sync)
    engine.dispose()
    return kept


def _wal_with_normal_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer; commits append to the log
    cursor.execute("PRAGMA synchronous=NORMAL")  # no fsync per commit: the log is synced at each checkpoint
    cursor.close()


def _index_of(rows: List[Any], event: Dict[Text, Any]) -> Optional[int]:
    """The newest stored user message with the event's timestamp and message id."""
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        if row.type_name != "user" or row.timestamp != event.get("timestamp"):
            continue
        data = json.loads(row.data)
        if data.get("message_id") == event.get("message_id"):
            return index
    return None


def _rewrite(row: Any, holds_card: Callable[[Text], bool]) -> None:
    data = json.loads(row.data)
    scrubbed = scrub(data, holds_card)
    if scrubbed != data:
        if data.get("event") == "user":
            _replace_user_text(scrubbed)
        row.data = json.dumps(scrubbed)
