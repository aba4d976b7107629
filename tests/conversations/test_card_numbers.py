"""Card numbers never enter the assistant: removed by the channel before Rasa reads, stores or logs them."""
from __future__ import annotations

import json
import re
import sqlite3

import pytest
import requests

from connectors.card_numbers import CARD_NUMBER_REMOVED, contains_card_number, digits_of
from tests.stack import API_TOKEN

TEST_CARD = "4242 4242 4242 4242"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4242424242424242", True),
        ("my card is 4242 4242 4242 4242 exp 12/29", True),
        ("4000-0000-0000-0002", True),
        ("4242424242424241", False),  # fails the Luhn check
        ("my reference is REP-104523 and account 12345678", False),
        ("call 01257 515151", False),
        ("here you go 4242 4242 4242 4242 12/30 123", True),  # the expiry month right after the number
        ("5555 5555 5555 4444 123", True),  # and the security code
        ("12 4242 4242 4242 4242", True),
        ("text me on 07700 900123, account 38545118", False),
    ],
)
def test_card_number_detection(text, expected):
    assert contains_card_number(text) is expected


def test_a_card_number_leaves_no_trace_and_the_resident_is_told_why(conversation, sandbox, logs_dir):
    conversation.say("my blue bin wasn't emptied")
    conversation.say(f"can I pay with {TEST_CARD} please")
    said = conversation.text()
    assert "card number" in said.lower() and "secure" in said.lower()
    assert "postcode" in said.lower()  # and the journey carries on

    tracker = requests.get(f"{conversation.rasa_url}/conversations/{conversation.sender}/tracker", params=API_TOKEN, timeout=10).text
    compact = TEST_CARD.replace(" ", "")
    assert TEST_CARD not in tracker and compact not in tracker
    for log in logs_dir.glob("*.log"):
        content = log.read_text(errors="ignore")
        assert TEST_CARD not in content and compact not in content, log.name
    reports = requests.get(f"{sandbox.url}/open311/v2/requests.json", timeout=10).text
    assert compact not in reports


def test_a_card_number_typed_at_the_payment_step_is_refused_and_the_same_link_given(conversation, sandbox):
    conversation.say("I need to pay a parking fine")
    conversation.say("CH40213561")
    conversation.say("YG21 ODL")
    conversation.say("no")
    conversation.press("Yes, pay")
    link = conversation.text()[conversation.text().index("](") + 2:].split(")")[0]
    conversation.say(f"here you go {TEST_CARD} 12/30 123")
    said = conversation.text()
    assert "card number" in said.lower() and "secure" in said.lower(), said
    assert link in said  # the same payment page, asked again
    tracker = requests.get(f"{conversation.rasa_url}/conversations/{conversation.sender}/tracker", params=API_TOKEN, timeout=10).text
    assert TEST_CARD.replace(" ", "") not in tracker and TEST_CARD not in tracker
    conversation.say("cancel")  # leave the PCN unpaid for other tests


# -- Any spelling, and split over two messages: stored nowhere (the HTTP API's tracker, the tracker database, logs) --

CARD_DIGITS = TEST_CARD.replace(" ", "")
SPELLINGS = {
    "double spaces": "4242  4242  4242  4242",
    "dots": "4242.4242.4242.4242",
    "slashes": "4242/4242/4242/4242",
    "newlines": "4242\n4242\n4242\n4242",
    "tabs": "4242\t4242\t4242\t4242",
    "no-break spaces": "4242\u00a04242\u00a04242\u00a04242",
    "en dashes": "4242\u20134242\u20134242\u20134242",
    "zero-width spaces": "4242\u200b4242\u200b4242\u200b4242",
    "spaced hyphens": "4242 - 4242 - 4242 - 4242",
    "full-width digits": "\uff14\uff12\uff14\uff12 \uff14\uff12\uff14\uff12 \uff14\uff12\uff14\uff12 \uff14\uff12\uff14\uff12",
    "arabic-indic digits": "\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662\u0664\u0662",
    "keypad stars": "4242*4242*4242*4242#",
}


def strings_in(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        yield str(value)


RANDOM_ID = re.compile(r"[0-9a-f]{32}")


def stored_events(logs_dir, sender):
    """Every event of the conversation as the tracker database holds it (the test stack's SQLite files)."""
    events = []
    for database in logs_dir.glob("tracker-*.db"):
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
        events += [json.loads(data) for (data,) in rows]
    return events


def assert_kept_nowhere(digits, conversation, logs_dir):
    stored = stored_events(logs_dir, conversation.sender)
    assert any(event.get("event") == "user" for event in stored), "the conversation is in the tracker database"
    for where, value in [("tracker database", stored), ("tracker over the HTTP API", conversation.tracker())]:
        for text in strings_in(value):
            if RANDOM_ID.fullmatch(text):
                continue  # a message or session id: random hex, whose digits can look like a card number by chance
            assert digits not in digits_of(text) and not contains_card_number(text), (where, text)
    for log in logs_dir.glob("*.log"):
        for line in log.read_text(errors="ignore").splitlines():
            assert digits not in digits_of(line), log.name


def told_to_use_the_secure_page(conversation):
    said = conversation.text().lower()
    return "card number" in said and "secure" in said


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_a_card_number_in_any_spelling_is_kept_nowhere(conversation, logs_dir, spelling):
    conversation.say("my blue bin wasn't emptied")
    conversation.say(f"can I pay with {spelling} please")
    assert told_to_use_the_secure_page(conversation), conversation.text()
    assert_kept_nowhere(CARD_DIGITS, conversation, logs_dir)


@pytest.mark.parametrize(
    "first, second",
    [
        ("my card number is 4242 4242", "4242 4242"),
        ("here it is 4242.4242.42", "42.4242.4242 thanks"),
        ("4242 4242 4242", "4242"),
    ],
)
def test_a_card_number_split_over_two_messages_is_erased_from_the_stored_conversation(
    conversation, logs_dir, first, second
):
    conversation.say("I want to pay my council tax")
    conversation.say(first)
    first_half = digits_of(first)
    assert any(first_half in digits_of(t) for e in stored_events(logs_dir, conversation.sender) for t in strings_in(e))
    conversation.say(second)
    assert told_to_use_the_secure_page(conversation), conversation.text()
    assert_kept_nowhere(first_half, conversation, logs_dir)
    texts = [e.get("text") for e in stored_events(logs_dir, conversation.sender) if e.get("event") == "user"]
    assert texts[-2:] == [CARD_NUMBER_REMOVED, CARD_NUMBER_REMOVED], texts
    conversation.say("cancel")


def test_a_card_number_that_reaches_rasa_another_way_is_not_stored(conversation, logs_dir):
    """Defence in depth: the HTTP API (staff tools, with the token) skips the channels; the store still removes it."""
    conversation.say("hello")
    answer = requests.post(
        f"{conversation.rasa_url}/conversations/{conversation.sender}/messages",
        params=API_TOKEN, json={"text": f"card {TEST_CARD}", "sender": "user"}, timeout=30,
    )
    assert answer.ok, answer.text
    assert_kept_nowhere(CARD_DIGITS, conversation, logs_dir)


def test_two_account_numbers_and_a_postcode_are_not_a_card_number(conversation, logs_dir):
    conversation.say("I want to pay my council tax")
    conversation.say("38545118")
    conversation.say("PR7 1DP")
    said = conversation.text().lower()
    assert "card number" not in said, said
    texts = [e.get("text") for e in stored_events(logs_dir, conversation.sender) if e.get("event") == "user"]
    assert "38545118" in texts and "PR7 1DP" in texts, texts
    conversation.say("cancel")
