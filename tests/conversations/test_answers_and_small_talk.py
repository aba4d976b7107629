"""Answers from the right council, and the conversation's manners: greeting, honesty, limits, misunderstandings."""
from __future__ import annotations


def test_greeting_says_it_is_automated_and_links_the_privacy_notice(conversation):
    conversation.say("hello")
    said = conversation.text()
    assert "automated" in said.lower() and "not a person" in said.lower()
    assert "privacy" in said.lower() and "https://" in said


def test_bot_challenge_is_answered_honestly(conversation):
    conversation.say("am i talking to a real person?")
    assert "not a person" in conversation.text().lower()


def test_out_of_scope_says_what_it_can_help_with(conversation):
    conversation.say("what's the weather going to be like tomorrow")
    assert "can help with" in conversation.text().lower()


def test_answer_asks_which_council_then_answers_for_it(conversation):
    conversation.say("what goes in the blue bin?")
    assert "which council" in conversation.text().lower()
    conversation.press("South Ribble")
    said = conversation.text()
    assert "glass" in said.lower() and "green box" in said.lower()  # South Ribble's paper goes in a green box


def test_council_from_a_postcode_answers_the_pending_question(conversation):
    conversation.say("how do I get a single person discount on council tax")
    conversation.say("PR7 1DP")
    assert "25%" in conversation.text() or "discount" in conversation.text().lower()


def test_booking_is_done_here_rather_than_handed_to_the_website(conversation):
    conversation.say("I'm in Chorley")
    conversation.say("I need to book a bulky waste collection for an old sofa")
    assert "postcode" in conversation.text(), conversation.text()
    assert conversation.active_form() == "bulky_waste_form"


def test_two_misunderstandings_in_a_row_offer_the_council(conversation):
    conversation.say("flibbertigibbet wobble")
    conversation.say("zzzz qqqq xxxx")
    said = conversation.text()
    assert "01257 515151" in said or "contact the council" in said.lower()
