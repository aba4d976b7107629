"""Looking things up: bin days and the progress of a report."""
from __future__ import annotations

from tests.conversations.helpers import address_button, home


def test_bin_day_lists_each_bin_in_the_councils_colours(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "south_ribble", skip=7)
    conversation.say("when is my bin day")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    said = conversation.text()
    assert house["address"] in said
    assert "Grey bin" in said and "Blue bin" in said  # South Ribble: grey is general waste
    assert "next collected" in said


def test_report_status_of_a_known_report(conversation):
    conversation.say("any update on my report REP-100017")
    assert "postcode" in conversation.text().lower()  # made in another conversation: checked first
    conversation.say("PR7 1DP")
    said = conversation.text()
    assert "REP-100017" in said and ("open" in said.lower() or "closed" in said.lower())


def test_report_status_asks_for_the_reference_and_handles_an_unknown_one(conversation):
    conversation.say("what's happening with the fly tipping I reported")
    assert "reference" in conversation.text().lower()
    conversation.say("REP-999999")
    assert "postcode" in conversation.text().lower()
    conversation.say("PR7 1DP")
    said = conversation.text()
    assert "can't find" in said.lower() and "REP-999999" in said
    assert any("another reference" in b["title"].lower() for b in conversation.buttons())


def test_a_reference_that_is_not_one_gets_help(conversation):
    conversation.say("check my report status")
    conversation.say("banana")
    assert "doesn't look like a report reference" in conversation.text()
