"""Card numbers never enter the assistant: removed by the channel before Rasa reads, stores or logs them."""
from __future__ import annotations

import pytest
import requests

from connectors.card_numbers import contains_card_number
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
