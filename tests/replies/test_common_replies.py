"""The replies of conversation control, urgent help and the shared steps (address, second tries, stops), as the web
chat shows them and as a caller hears them: phone numbers in groups (999 and the help lines too), postcodes letter
by letter, no web address read out, and each question saying what it expects."""
from __future__ import annotations

import asyncio
import re
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker

import councils
from council_nlu.urgent_screen import KIND_ENTITY
from actions.common.address_step import ActionAskUprn
from actions.common.confirmation import ask_to_confirm
from actions.common.journey_form import stop_journey
from actions.common.said import Said, as_said, joined, say, with_part
from actions.common.second_tries import not_understood
from actions.conversation import actions as conversation
from actions.safety.card_numbers import ActionCardNumberRemoved
from actions.safety.help_lines import KIND_ORDER, emergency_line, main_lines, more_lines, twenty_four_hour_lines
from actions.safety.support import ActionSupportReply, clear_chat_answer
from actions.safety.urgent_help import ActionUrgentHelp
from replies import Money, PhoneNumber, Postcode, Reference
from replies.speech import expects, links, spoken_text
from replies.telling import reply_message
from tests.replies.test_spoken_forms import web_only

COUNCILS = [None, *councils.COUNCIL_IDS]


class Dispatcher:
    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    def utter_message(self, **kwargs: Any) -> None:
        self.messages.append(kwargs)


def tracker(slots: Optional[Dict[str, Any]] = None, text: str = "", intent: str = "inform",
            events: Optional[List[Dict[str, Any]]] = None, loop: Optional[str] = None,
            channel: Optional[str] = None) -> Tracker:
    entities: List[Dict[str, Any]] = []
    latest = {"text": text, "intent": {"name": intent}, "entities": entities}
    events = list(events or [])
    if channel:
        events.append({"event": "user", "text": text, "parse_data": latest, "input_channel": channel})
    return Tracker("someone", dict(slots or {}), latest, events, False, None, {"name": loop} if loop else {}, None)


def told(action: Any, track: Tracker) -> List[Dict[str, Any]]:
    dispatcher = Dispatcher()
    asyncio.run(action.run(dispatcher, track, {}))
    return dispatcher.messages


def heard(message: Dict[str, Any]) -> str:
    """What a caller hears; fails if a web-only thing would reach them."""
    assert "say" in message, f"told without parts: {message}"
    said = spoken_text(message)
    assert said and not web_only(said), (web_only(said), said)
    return said


# -- Said: web text that keeps its parts ----------------------------------------------------------------------


def test_a_said_is_its_web_text_and_keeps_its_parts_through_nesting_and_joining():
    line = Said("Samaritans: {number} (24 {{hours}}).", number=PhoneNumber("116 123"))
    assert line == "Samaritans: 116 123 (24 {hours})." and line.spoken() == "Samaritans: 1 1 6, 1 2 3 (24 {hours})."
    reply = joined([Said("Call {n}.", n=PhoneNumber("999")), line, "Plain {words}"])
    assert reply == "Call 999.\nSamaritans: 116 123 (24 {hours}).\nPlain {words}"
    assert reply.spoken() == "Call 9 9 9.\nSamaritans: 1 1 6, 1 2 3 (24 {hours}).\nPlain {words}"
    outer = Said("Help: {reply}", reply=reply)
    assert outer.spoken().startswith("Help: Call 9 9 9.")
    with pytest.raises(ValueError):
        Said("{missing}")
    with pytest.raises(ValueError):
        Said("none", extra="x")


def test_say_tells_words_saids_and_reply_messages_alike():
    dispatcher = Dispatcher()
    say(dispatcher, "Odd {braces} typed by a resident", expects="postcode")
    say(dispatcher, Said("Call {n}.", n=PhoneNumber("01257 515151")), buttons=[{"title": "Yes", "payload": "/affirm"}])
    say(dispatcher, reply_message("Costs {price}.", price=Money(2500)), expects="yes_no")
    first, second, third = dispatcher.messages
    assert first["text"] == "Odd {braces} typed by a resident" and expects(first) == "postcode"
    assert spoken_text(second) == "Call 0 1 2 5 7, 5 1 5, 1 5 1." and second["buttons"]
    assert third["text"] == "Costs £25.00." and expects(third) == "yes_no" and spoken_text(third) == "Costs 25 pounds."
    rebuilt = as_said(reply_message("Your reference is {ref}.", ref=Reference("REP-104523")))
    assert rebuilt == "Your reference is **REP-104523**." and "R E P" in rebuilt.spoken()
    outside = with_part("L1 8JQ is not in Chorley or South Ribble.", "L1 8JQ", Postcode("L1 8JQ"))
    assert outside.spoken() == "L 1, 8 J Q is not in Chorley or South Ribble."


# -- urgent help and support --------------------------------------------------------------------------------------


@pytest.mark.parametrize("council", COUNCILS)
@pytest.mark.parametrize("kind", KIND_ORDER)
def test_a_caller_hears_999_first_and_every_help_line_in_groups(kind, council):
    (message,) = told(ActionUrgentHelp(), _urgent(kind, council))
    said = heard(message)
    assert "999" not in said and not re.search(r"\d{3}", said), said  # every number read digit by digit
    if "999" in message["text"]:
        assert said.startswith("If you or someone else is in danger now, call 9 9 9.")


def _urgent(kind: str, council: Optional[str]) -> Tracker:
    entities = [{"entity": KIND_ENTITY, "value": kind}]
    latest = {"text": "help", "intent": {"name": "urgent_help"}, "entities": entities}
    return Tracker("someone", {"council": council}, latest, [], False, None, {}, None)


@pytest.mark.parametrize("council", COUNCILS)
def test_every_help_line_is_said_without_a_web_address(council):
    kinds = list(KIND_ORDER)
    lines = main_lines(kinds, council) + more_lines(kinds, council) + twenty_four_hour_lines(kinds, council)
    for line in lines + [emergency_line()]:
        spoken = line.spoken()
        assert not web_only(spoken) and not re.search(r"\.(org|uk|com)\b", spoken), spoken


@pytest.mark.parametrize("words", ["I'm scared", "more help please", "can I delete this chat", "what do I do now "
                                   "the office is shut", "I'd like to talk to a person", "I'm ok now", "thanks"])
def test_support_replies_are_fit_for_a_caller(words):
    track = tracker({"council": "chorley", "support_mode": True, "support_kinds": ["abuse"]}, text=words)
    for message in told(ActionSupportReply(), track):
        heard(message)


def test_clearing_the_chat_is_about_call_history_on_the_phone():
    said = clear_chat_answer("phone")
    assert "call history" in said and "browser" not in said and "Restart" not in said
    assert "0 8 0 8, 2 0 0 0, 2 4 7" in said.spoken()
    assert str(clear_chat_answer("webchat")).count("0808 2000 247") == 1


def test_a_card_number_removed_is_explained_without_typing_to_a_caller():
    (message,) = told(ActionCardNumberRemoved(), tracker())
    assert message["text"].startswith("Your message looked like it had a bank card number in it. I removed it")
    said = heard(message)
    assert "on this call" in said and "text message" in said


# -- conversation control ----------------------------------------------------------------------------------------


CONVERSATION_ACTIONS = [conversation.ActionGreet, conversation.ActionBotChallenge, conversation.ActionOutOfScope,
                        conversation.ActionThank, conversation.ActionGoodbye, conversation.ActionContactRoutes]


@pytest.mark.parametrize("loop", [None, "missed_bin_form"])
@pytest.mark.parametrize("council", COUNCILS)
@pytest.mark.parametrize("action", CONVERSATION_ACTIONS, ids=lambda a: a.__name__)
def test_conversation_replies_are_fit_for_a_caller(action, council, loop):
    for message in told(action(), tracker({"council": council}, loop=loop)):
        said = heard(message)
        if "call" in message["text"] and any(c.isdigit() for c in message["text"]):
            assert not re.search(r"\d{3}", said), said  # the council's number in groups of single digits


def test_the_web_chat_keeps_its_greeting_and_contact_routes():
    (greeting,) = told(conversation.ActionGreet(), tracker({"council": "chorley"}))
    notice = councils.load_council("chorley")["privacy_notice_url"]
    assert f"see the [Chorley privacy notice]({notice}). Please don't share" in greeting["text"]
    assert greeting["buttons"] == conversation.MAIN_TASKS
    assert [link.url for link in links(greeting)] == [notice]
    (routes,) = told(conversation.ActionContactRoutes(), tracker({"council": "chorley"}))
    assert "**Chorley Council**: call 01257 515151" in routes["text"] and "[the contact form](" in routes["text"]
    assert "from this chat" in routes["text"] and "from this call" in spoken_text(routes)


def test_a_second_misunderstanding_gives_the_council_in_words_a_caller_can_use():
    events = [{"event": "user", "text": "a"}, {"event": "action", "name": "action_misunderstood"},
              {"event": "user", "text": "b"}]
    dispatcher = Dispatcher()
    # async since a second miss can hand over to staff (actions/handover/); with no staff console, as before
    asyncio.run(conversation.respond_to_misunderstanding(dispatcher, tracker({"council": "south_ribble"}, events=events)))
    (message,) = dispatcher.messages
    assert "0 1 7 7 2, 4 2 1, 4 9 1" in heard(message) and message["buttons"] == conversation.MAIN_TASKS


# -- the shared steps -----------------------------------------------------------------------------------------------


def _asking(slot: str, answers: int) -> List[Dict[str, Any]]:
    events: List[Dict[str, Any]] = [{"event": "active_loop", "name": "bin_day_form"}]
    for n in range(answers):
        events += [{"event": "slot", "name": "requested_slot", "value": slot}, {"event": "user", "text": f"x{n}"}]
    return events


def test_second_tries_say_what_they_expect_and_read_the_number_to_call():
    said = []
    for answers in (1, 2, 3):
        dispatcher = Dispatcher()
        track = tracker({"council": "chorley", "requested_slot": "postcode"}, events=_asking("postcode", answers))
        not_understood(dispatcher, track, "postcode", Said("Not {p}.", p=Postcode("PR7 1DP")), "Clearer?",
                       expects="postcode")
        said.append(dispatcher.messages)
    assert said[0][0]["text"] == "Not PR7 1DP." and heard(said[0][0]) == "Not P R 7, 1 D P."
    assert expects(said[0][0]) == "postcode" and expects(said[1][0]) == "postcode"
    assert "01257 515151" in said[1][0]["text"] and "0 1 2 5 7, 5 1 5, 1 5 1" in heard(said[1][0])
    assert all(heard(message) for message in said[2])  # the step ends with the council's routes


def test_a_stopped_journey_keeps_the_parts_of_its_reason():
    dispatcher = Dispatcher()
    slots = stop_journey(dispatcher, reply_message("Your order {ref} stands.", ref=Reference("BW-123456")), "chorley")
    reason, routes = dispatcher.messages
    assert slots["journey_blocked"] and reason["text"] == "Your order **BW-123456** stands."
    assert "B W, 1 2 3, 4 5 6" in heard(reason)
    assert routes["text"].startswith("You can still get this done by contacting the council:\n**Chorley Council**")
    assert "0 1 2 5 7, 5 1 5, 1 5 1" in heard(routes)


def test_a_summary_to_confirm_expects_yes_or_no():
    dispatcher = Dispatcher()
    ask_to_confirm(dispatcher, Said("Send it to {p}?", p=Postcode("PR7 1DP")), "Yes, send it")
    (message,) = dispatcher.messages
    assert expects(message) == "yes_no" and [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny",
                                                                                          "/cancel"]
    assert heard(message) == "Send it to P R 7, 1 D P?"


def test_the_address_question_expects_an_address_and_names_the_postcode_as_said():
    candidates = [{"uprn": "1", "address": "12 Market Street, Chorley, PR7 1DP"},
                  {"uprn": "2", "address": "14 Market Street, Chorley, PR7 1DP"}]
    track = tracker({"postcode": "PR7 1DP", "address_candidates": candidates}, loop="bin_day_form")
    (message,) = told(ActionAskUprn(), track)
    assert message["text"] == "Which address at PR7 1DP? Choose one, or tell me the house number or name."
    assert expects(message) == "address" and heard(message) == "Which address at P R 7, 1 D P?"
    assert message["buttons"][-1]["title"] == "My address isn't listed"


# -- no sentence said twice in a row --------------------------------------------------------------------------------


def _after(bot_text: str) -> List[Dict[str, Any]]:
    return [{"event": "user", "text": "earlier"}, {"event": "bot", "text": bot_text}, {"event": "user", "text": "now"}]


def test_what_was_just_said_is_not_said_again_straight_away():
    asked = _after("OK, I've stopped. Nothing has been sent.\nIs there anything else I can help with?")
    (thanks,) = told(conversation.ActionThank(), tracker(events=asked))
    assert thanks["text"] == "You're welcome."
    (cancel,) = told(conversation.ActionCancelJourney(), tracker(events=asked))
    assert cancel["text"] == "OK, there's nothing to stop."
    thanked = _after("OK. If there's anything else, just ask. Thank you for contacting the council.")
    (goodbye,) = told(conversation.ActionGoodbye(), tracker(events=thanked))
    assert goodbye["text"] == "Goodbye."
    # Otherwise the usual words.
    (thanks,) = told(conversation.ActionThank(), tracker(events=_after("Your bin day is Tuesday.")))
    assert thanks["text"] == "You're welcome. Is there anything else I can help with?"
    (goodbye,) = told(conversation.ActionGoodbye(), tracker(events=_after("Your bin day is Tuesday.")))
    assert goodbye["text"] == "Goodbye, and thank you for contacting the council."


def test_a_third_misunderstanding_in_a_row_is_not_the_second_again():
    events = [{"event": "user", "text": "a"}, {"event": "action", "name": "action_misunderstood"},
              {"event": "user", "text": "b"}]
    second = Dispatcher()
    asyncio.run(conversation.respond_to_misunderstanding(second, tracker(events=events)))
    events += [{"event": "action", "name": "action_misunderstood"}, {"event": "bot", "text": second.messages[0]["text"]},
               {"event": "user", "text": "c"}]
    third = Dispatcher()
    asyncio.run(conversation.respond_to_misunderstanding(third, tracker(events=events)))
    assert second.messages[0]["text"].startswith("Sorry, I'm still not understanding.")
    assert third.messages[0]["text"].startswith("Sorry, I still can't follow that.") and third.messages[0]["buttons"]
    assert "above" not in heard(third.messages[0])


def test_a_follow_up_in_distress_does_not_repeat_the_reply_just_before():
    first = told(ActionUrgentHelp(), _urgent("unclear", "chorley"))[0]["text"]
    assert "Thank you for telling me." in first
    events = [{"event": "user", "text": "help"}, {"event": "bot", "text": first}, {"event": "user", "text": "it's bad"}]
    track = tracker({"council": "chorley", "support_mode": True, "support_kinds": ["unclear"]}, text="it's bad",
                    intent="nlu_fallback", events=events)
    (follow_up,) = told(ActionSupportReply(), track)
    assert "Thank you for telling me." not in follow_up["text"] and "That sounds really hard." in follow_up["text"]
    assert "116 123" in follow_up["text"]  # the help line is given again: it is what they most need
    events += [{"event": "bot", "text": follow_up["text"]}, {"event": "user", "text": "still bad"}]
    track = tracker({"council": "chorley", "support_mode": True, "support_kinds": ["unclear"]}, text="still bad",
                    intent="nlu_fallback", events=events)
    (again,) = told(ActionSupportReply(), track)
    assert "Would you like to talk to a person now?" not in again["text"] and "just say yes" in again["text"]
