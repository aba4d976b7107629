"""Leaving, pausing and breaking off a journey: cancel, questions mid-form, urgent help, a person, the back end down."""
from __future__ import annotations

import requests

from tests.conversations.helpers import address_button, home, reference_in


def reports_count(sandbox_url: str) -> int:
    return len(requests.get(f"{sandbox_url}/open311/v2/requests.json", timeout=10).json())


def test_cancel_leaves_the_form_and_sends_nothing(conversation, sandbox):
    before = reports_count(sandbox.url)
    conversation.say("i want to report fly tipping")
    assert conversation.active_form() == "problem_report_form"
    conversation.say("cancel")
    assert "nothing has been sent" in conversation.text().lower()
    assert conversation.active_form() is None
    assert reports_count(sandbox.url) == before


def test_a_question_mid_form_is_answered_and_the_form_resumes(conversation):
    conversation.say("my bin wasn't collected")
    assert "postcode" in conversation.text().lower()
    conversation.say("what time do you open?")
    said = conversation.text()
    assert "postcode" in said.lower(), said  # the journey's question again
    assert "5pm" in said or "opening" in said.lower() or "Monday" in said, said  # and the answer
    assert conversation.active_form() == "missed_bin_form"


def test_urgent_help_mid_form_comes_first_and_stops_the_form(conversation):
    conversation.say("report dog mess")
    conversation.say("my partner hits me and I'm scared")
    said = conversation.text()
    assert "999" in said and "0808 2000 247" in said
    assert "nothing has been sent" in said.lower()
    assert conversation.active_form() is None


def test_homeless_tonight_gets_housing_help_first(conversation):
    # Issue 11: no 999 when nothing said puts a life at risk; the housing team and its out of hours route instead.
    conversation.say("I've been kicked out and have nowhere to sleep tonight")
    said = conversation.text()
    assert "housing options" in said.lower() and "999" not in said


def test_asking_for_a_person_gives_every_route(conversation):
    conversation.say("can I speak to a real person please")
    said = conversation.text()
    assert "01257 515151" in said and "01772 421491" in said


def test_sandbox_down_mid_conversation_is_told_honestly(conversation, sandbox):
    house = home(sandbox.url, "ok", "recycling", "south_ribble")
    conversation.say("my blue bin wasnt emptied")
    sandbox.stop()
    try:
        conversation.say(house["postcode"])
        said = conversation.text()
        assert "can't reach" in said.lower() or "isn't available" in said.lower(), said
        assert "01772 421491" in said or "01257 515151" in said
        assert reference_in(said) is None and "thank you. i've reported" not in said.lower()
        assert conversation.active_form() is None
    finally:
        sandbox.start()


def test_sandbox_down_at_submission_keeps_the_report_and_says_it_has_not_reached_the_council(conversation, sandbox):
    house = home(sandbox.url, "ok", "recycling", "south_ribble", skip=1)
    conversation.say("my blue bin wasnt emptied")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    assert "report it" in conversation.text().lower()
    sandbox.stop()
    try:
        conversation.say("yes")
        said = conversation.text()
        # Kept in the outbox to send when Open311 is back (tests/conversations/test_reports_outbox.py): said so.
        assert "hasn't reached the council yet" in said.lower() and "submission number" in said.lower(), said
        assert "blue bin" in said
        assert reference_in(said) is None
    finally:
        sandbox.start()
