"""Residents in danger or distress, over the REST channel: the first reply, the supportive mode that follows, the
practical questions asked in it, a journey put aside, and leaving the mode to carry on with a council service."""
from __future__ import annotations

import councils

SORRY_NOT_UNDERSTOOD = ("didn't understand", "didn’t understand", "rephrase", "for example 'my bin")


def lines(text: str) -> list:
    return [line for line in text.splitlines() if line.strip()]


def assert_no_fallback(said: str) -> None:
    lowered = said.lower()
    assert not any(words in lowered for words in SORRY_NOT_UNDERSTOOD), said
    assert "missed bin" not in lowered and "bin day" not in lowered, said


def housing(council_id: str) -> dict:
    return councils.load_council(council_id)["urgent_help"]["housing_options"]


def test_despair_in_everyday_words_gets_999_first_once_then_samaritans(conversation):
    conversation.say("I want it all to stop")
    said = conversation.text()
    assert "999" in lines(said)[0], said  # first, before anything else
    assert said.count("999") == 1, said
    assert "116 123" in said and "85258" in said
    assert "0808 2000 247" not in said and "0808 800 4444" not in said  # only the help that fits
    assert "sorry" in said.lower() and "thank you for telling me" in said.lower()  # kind
    assert len(said.split()) <= 90, len(said.split())
    assert conversation.slot("support_mode") is True


def test_debt_without_danger_gets_debt_advice_and_no_999(conversation):
    conversation.say("the bailiffs are coming tomorrow and I can't afford food for the kids")
    said = conversation.text()
    assert "999" not in said, said
    assert "0800 138 1111" in said and "0808 808 4000" in said
    assert "0808 2000 247" not in said and "Shelter" not in said and "116 123" not in said


def test_homeless_tonight_gets_the_housing_team_by_day_and_its_out_of_hours_route(conversation):
    conversation.say("I've been kicked out and have nowhere to sleep tonight")
    said = conversation.text()
    assert "999" not in said, said  # no danger to life was said
    for council_id in councils.COUNCIL_IDS:
        team = housing(council_id)
        assert team["daytime_phone"] in said and team["emergency_out_of_hours_phone"] in said, said
        assert team["daytime_phone"] != team["emergency_out_of_hours_phone"]
    assert "0808 800 4444" in said  # Shelter


def test_abuse_mid_form_puts_the_journey_aside_with_999_first_and_the_helpline(conversation):
    conversation.say("report dog mess")
    assert conversation.active_form() == "problem_report_form"
    conversation.say("my partner hits me and I'm scared")
    said = conversation.text()
    assert "999" in lines(said)[0] and said.count("999") == 1, said
    assert "0808 2000 247" in said
    assert "nothing has been sent" in said.lower()
    assert conversation.active_form() is None


def test_wanting_it_to_stop_mid_form_is_urgent_help_never_cancel(conversation):
    conversation.say("my bin wasn't collected")
    assert conversation.active_form() == "missed_bin_form"
    conversation.say("stop, I can't do this anymore, I just want everything to end")
    said = conversation.text()
    assert "999" in lines(said)[0] and "116 123" in said, said
    assert "cancelled" not in said.lower()


def test_after_an_urgent_reply_a_follow_up_gets_warm_relevant_help_and_the_offer_of_a_person(conversation):
    conversation.say("I can't go on like this")
    conversation.say("i just feel really alone")
    said = conversation.text()
    assert_no_fallback(said)
    assert "alone" in said.lower() and "116 123" in said
    assert "person" in said.lower()
    conversation.say("yes please")
    said = conversation.text()
    assert_no_fallback(said)
    assert "talk to a person" in said.lower() and "116 123" in said
    assert councils.load_council("chorley")["contact"]["phone"] in said


def test_stop_and_thanks_in_the_supportive_mode_get_support_not_a_menu(conversation):
    conversation.say("I feel so hopeless")
    conversation.say("stop")
    said = conversation.text()
    assert_no_fallback(said)
    assert "116 123" in said and "nothing to cancel" not in said.lower()
    conversation.say("thanks")
    said = conversation.text()
    assert_no_fallback(said)
    assert "116 123" in said


def test_someone_facing_abuse_is_told_how_to_clear_the_chat(conversation):
    conversation.say("he hits me when he's been drinking")
    conversation.say("can I delete this chat so he doesn't see it")
    said = conversation.text()
    assert_no_fallback(said)
    assert "clear" in said.lower() and "history" in said.lower(), said
    assert "0808 2000 247" in said


def test_someone_evicted_tonight_asking_what_to_do_now_the_office_is_shut_gets_the_out_of_hours_routes(conversation):
    conversation.say("I've been evicted today and have nowhere to go tonight")
    conversation.say("the office is shut what do I do")
    said = conversation.text()
    assert_no_fallback(said)
    for council_id in councils.COUNCIL_IDS:
        assert housing(council_id)["emergency_out_of_hours_phone"] in said, said
    assert "closed" in said.lower() or "shut" in said.lower()


def test_more_help_is_given_when_asked(conversation):
    conversation.say("i keep cutting myself")
    conversation.say("more please")
    said = conversation.text()
    assert_no_fallback(said)
    assert "111" in said  # NHS 111, option 2: not in the first reply


def test_the_resident_can_leave_the_supportive_mode_and_carry_on_with_a_bin(conversation):
    conversation.say("I'm so lonely")
    assert conversation.slot("support_mode") is True
    conversation.say("when is my bin day")
    assert "postcode" in conversation.text().lower()
    assert conversation.active_form() == "bin_day_form"
    assert conversation.slot("support_mode") is False


def test_feeling_ok_now_leaves_the_mode_kindly(conversation):
    conversation.say("i feel so alone")
    conversation.say("I'm ok now, thank you")
    said = conversation.text()
    assert "glad" in said.lower() and "116 123" in said
    assert conversation.slot("support_mode") is False


def test_ordinary_figurative_messages_get_no_crisis_reply(conversation):
    conversation.say("I'm dying to know my bin day")
    said = conversation.text()
    assert "999" not in said and "116 123" not in said
    assert "postcode" in said.lower()
    assert conversation.slot("support_mode") is not True
