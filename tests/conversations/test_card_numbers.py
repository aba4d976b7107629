"""Card numbers never enter the assistant: removed by the channel before Rasa reads, stores or logs them."""
from __future__ import annotations

import pytest
import requests

from connectors.card_numbers import contains_card_number

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

    tracker = requests.get(f"{conversation.rasa_url}/conversations/{conversation.sender}/tracker", timeout=10).text
    compact = TEST_CARD.replace(" ", "")
    assert TEST_CARD not in tracker and compact not in tracker
    for log in logs_dir.glob("*.log"):
        content = log.read_text(errors="ignore")
        assert TEST_CARD not in content and compact not in content, log.name
    reports = requests.get(f"{sandbox.url}/open311/v2/requests.json", timeout=10).text
    assert compact not in reports
