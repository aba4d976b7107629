"""Whatever a resident types, they get a clear answer and the conversation carries on."""
from __future__ import annotations

import pytest
import requests


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "🗑️🗑️🗑️",
        "Dzień dobry, kiedy jest odbiór śmieci?",
        "Bore da, pryd mae'r bin yn cael ei gasglu?",
        "a" * 5000,
        "<script>alert('x')</script>",
        "'; DROP TABLE requests; --",
    ],
)
def test_odd_messages_get_an_answer(conversation, message):
    answer = requests.post(f"{conversation.rasa_url}/webhooks/rest/webhook", timeout=60,
                           json={"sender": conversation.sender, "message": message},
                           headers={"X-Forwarded-For": conversation.address})
    said = " ".join(m.get("text", "") for m in answer.json())
    # Empty and overlong messages are refused with the reason in words, before Rasa reads them (connectors/guard.py);
    # anything else gets a reply that isn't an error.
    if not message.strip():
        assert answer.status_code == 400 and "The message is empty." in said, said
    elif len(message) > 2000:
        assert answer.status_code == 413 and "under 2000 characters" in said, said
    else:
        assert answer.status_code == 200 and said.strip(), f"no reply to {message[:30]!r}"
        assert "Traceback" not in said
    conversation.say("when is my bin day")
    assert "postcode" in conversation.text().lower()


@pytest.mark.parametrize(
    "postcode, expected",
    [
        ("banana", "isn't a postcode"),
        ("PR99", "isn't a postcode"),
        ("L1 8JQ", "not in Chorley or South Ribble"),
        ("PR99 9ZZ", "not in Chorley or South Ribble"),
    ],
)
def test_bad_postcodes_are_explained_and_asked_again(conversation, postcode, expected):
    conversation.say("when are my bins collected")
    conversation.say(postcode)
    said = conversation.text()
    assert expected in said, said
    assert conversation.active_form() == "bin_day_form"
    conversation.say("PR7 1DP")
    assert conversation.buttons()  # the addresses at the corrected postcode
