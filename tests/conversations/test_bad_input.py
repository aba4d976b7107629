"""Whatever a resident types, they get a clear answer and the conversation carries on."""
from __future__ import annotations

import pytest


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
    conversation.say(message)
    # An empty message gives Rasa nothing to answer; anything else must get a reply that isn't an error.
    if message.strip():
        assert conversation.text().strip(), f"no reply to {message[:30]!r}"
        assert "Traceback" not in conversation.text()
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
