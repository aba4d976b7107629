"""The card-safe tracker store on its own, on SQLite and (when TEST_POSTGRES_URL is set, as in CI) PostgreSQL:
erasing the first half of a split card number, and never saving a card number whatever event holds it."""
from __future__ import annotations

import asyncio
import json
import os
import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from connectors.card_numbers import CARD_NUMBER_REMOVED, digits_of
from connectors.tracker_store import CardSafeSQLTrackerStore

POSTGRES = os.environ.get("TEST_POSTGRES_URL")
DOMAIN = Domain.from_dict({"slots": {"reference": {"type": "text", "mappings": [{"type": "from_entity", "entity": "reference"}]}}})


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return CardSafeSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    if not POSTGRES:
        pytest.skip("set TEST_POSTGRES_URL (CI does) to prove the store on PostgreSQL")
    url = make_url(POSTGRES)
    return CardSafeSQLTrackerStore(
        domain=DOMAIN, dialect="postgresql", host=url.host, port=url.port or 5432, db=url.database,
        username=url.username or "postgres", password=url.password,
    )


def stored(store, sender):
    with store.session_scope() as session:
        rows = store._event_query(session, sender, fetch_events_from_all_sessions=True).all()
        return [json.loads(row.data) for row in rows]


def all_digits(events):
    return [digits_of(value) for event in events for value in _strings(event)]


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def user(text, entities=()):
    return UserUttered(text, {"name": "inform", "confidence": 1.0}, list(entities),
                       parse_data={"text": text, "intent": {"name": "inform", "confidence": 1.0},
                                   "entities": list(entities)})


def test_the_first_half_of_a_split_card_number_and_what_it_filled_are_erased(store):
    sender = f"store-{uuid.uuid4().hex[:12]}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    first = user("my card is 4242 4242", [{"entity": "reference", "value": "4242 4242", "start": 11, "end": 20}])
    for event in [ActionExecuted("action_listen"), user("hello"), first, SlotSet("reference", "42424242"),
                  BotUttered("Is 4242 4242 your account number?"), ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert any("42424242" in d for d in all_digits(stored(store, sender)))

    previous = [e for e in tracker.as_dialogue().events if isinstance(e, UserUttered)][-1].as_dict()
    assert asyncio.run(store.erase_user_message(sender, previous, "42424242"))

    events = stored(store, sender)
    assert not any("42424242" in d for d in all_digits(events)), events
    assert [e["text"] for e in events if e["event"] == "user"] == ["hello", CARD_NUMBER_REMOVED]
    assert len(events) == 6  # rewritten, never deleted: Rasa counts stored rows to find new events
    again = asyncio.run(store.retrieve(sender))
    assert again.latest_message.text == CARD_NUMBER_REMOVED and again.get_slot("reference") != "42424242"


def test_a_card_number_in_any_event_is_never_saved(store):
    sender = f"store-{uuid.uuid4().hex[:12]}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in [ActionExecuted("action_listen"), user("pay with 4242.4242.4242.4242 please"),
                  SlotSet("reference", "4242 4242 4242 4242"), BotUttered("hello"), ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    events = stored(store, sender)
    assert not any("4242424242424242" in d for d in all_digits(events)), events
    assert [e["text"] for e in events if e["event"] == "user"] == [CARD_NUMBER_REMOVED]
    assert [e["text"] for e in events if e["event"] == "bot"] == ["hello"]  # the rest is kept as it was


def test_an_identifier_that_looks_like_a_card_number_leaves_the_message_alone(store):
    """Rasa's random hex ids hold a Luhn-valid run of digits about once in 400 messages: never a reason to replace
    what the resident said (this replaced an innocent "restart" in a test run)."""
    sender = f"store-{uuid.uuid4().hex[:12]}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    hex_id = "4242424242424242" + "abcdefabcdefabcd"
    message = UserUttered("restart", {"name": "cancel", "confidence": 0.9}, [], message_id=hex_id,
                          metadata={"client": hex_id, "model_id": hex_id})
    for event in [ActionExecuted("action_listen"), message, ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    [saved] = [e for e in stored(store, sender) if e["event"] == "user"]
    assert saved["text"] == "restart" and saved["message_id"] == hex_id, saved
