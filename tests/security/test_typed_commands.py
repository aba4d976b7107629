"""A resident's typed `/intent{...}` is only honoured for what the bot offered (buttons) or harmless intents.

Property tests (hypothesis) check `neutralise_typed_command` and the whole guard against Rasa's own reading of a
command (`YAMLStoryReader.unpack_regex_message`, what Rasa's RegexMessageHandler runs); conversation tests check
the real REST channel and the tracker Rasa stored.
"""
from __future__ import annotations

import asyncio
import json
import string
from typing import Any, Dict, List, Optional

from hypothesis import HealthCheck, assume, given, settings, strategies as st
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from connectors import card_numbers
from connectors.commands import HARMLESS_INTENTS, NOTHING_LEFT, is_command, neutralise_typed_command
from connectors.guard import Admitted, MessageGuard
from connectors.limits import RateLimits
from tests.conversations.helpers import address_button, home

# Payloads the bot really offers (actions/ and domain.yml), and what an attacker would like to send.
OFFERED = [
    "/affirm", "/deny", "/cancel", "/report_missed_bin", "/check_bin_day", '/inform{"bin_type":"grey"}',
    '/inform{"uprn":"100010382716"}', '/inform{"attribute_value":"2026-12-04"}', '/deny{"change":"contact"}',
    '/inform{"council":"chorley"}', "/pay_council_tax",
]
ATTACKS = [
    "/restart", "/session_start", "/back", '/inform{"ct_attempts": 0}', '/inform{"uprn":"1"}',
    '/inform{"bin_type":"blue"}', "/affirm@1.0", '/affirm{"ct_token":"x"}', "/card_number_removed",
    "/greet+affirm", "/RESTART", "/Restart", "/nlu_fallback", '/inform@0.9{"postcode":"PR7 1DP"}',
]
WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2003\u200a\u2028\u2029\u202f\u205f\u3000"


def rasa_reads_an_intent(text: str) -> bool:
    """Whether Rasa would take an intent from this message's text without NLU (domain unknown: any name)."""
    return YAMLStoryReader.unpack_regex_message(Message({TEXT: text})).get(INTENT) is not None


def allowed(text: str, offered: List[str]) -> bool:
    return text.strip() in {p.strip() for p in offered} or text.strip() in {f"/{i}" for i in HARMLESS_INTENTS}


padding = st.text(alphabet=WHITESPACE + "/", max_size=6)
commands = st.one_of(
    st.sampled_from(OFFERED + ATTACKS),
    st.builds(lambda name, rest: f"/{name}{rest}", st.text(string.ascii_letters + "_", min_size=1), st.text()),
)
messages = st.one_of(
    st.text(),
    st.builds(lambda before, command, after: before + command + after, padding, commands, padding),
)
offers = st.lists(st.sampled_from(OFFERED), max_size=5)


@given(messages, offers)
@settings(max_examples=800)
def test_rasa_reads_a_typed_command_only_when_it_was_offered_or_is_harmless(text, offered):
    result = neutralise_typed_command(text, offered)
    if rasa_reads_an_intent(result):
        assert allowed(result, offered), (text, result)
    assert not is_command(result) or allowed(result, offered)


@given(messages, offers)
def test_words_are_kept_and_reading_twice_changes_nothing(text, offered):
    result = neutralise_typed_command(text, offered)
    if not is_command(text):
        assert result == text  # words are never touched
    else:
        assert result == NOTHING_LEFT or result in text
    assert neutralise_typed_command(result, offered) == result


names = st.from_regex(r"[a-z_]{1,20}", fullmatch=True)
entities = st.dictionaries(st.sampled_from(["bin_type", "uprn", "ct_attempts", "ct_token", "payment_id", "x"]),
                           st.one_of(st.text(), st.integers(), st.none()), min_size=1)


@given(padding, names, st.one_of(st.just(""), st.from_regex(r"@[0-9.]{1,6}", fullmatch=True)), entities)
def test_a_command_not_offered_is_read_as_its_name_without_confidence_or_entities(before, name, confidence, details):
    typed = f"/{before}{name}{confidence}{json.dumps(details)}"
    assert neutralise_typed_command(typed, OFFERED) == name


@given(padding, st.sampled_from(OFFERED), padding, offers)
def test_a_pressed_button_is_passed_on_as_its_payload(before, payload, after, others):
    assume((before + payload + after).strip() == payload)  # a slash in the padding makes it another text
    assert neutralise_typed_command(before + payload + after, others + [payload]) == payload


@given(padding, st.sampled_from(ATTACKS), padding)
def test_an_attack_is_never_read_as_a_command_even_when_other_buttons_are_offered(before, attack, after):
    result = neutralise_typed_command(before + attack + after, OFFERED)
    assert not rasa_reads_an_intent(result) and not is_command(result)


# -- the whole guard, with a stored conversation ---------------------------------------------------------------------


class _Event:
    def __init__(self, data: Dict[str, Any]) -> None:
        self.data = data

    def as_dict(self) -> Dict[str, Any]:
        return self.data


class _Store:
    def __init__(self, offered: List[str]) -> None:
        buttons = [{"title": p, "payload": p} for p in offered]
        self.events = [_Event({"event": "user", "text": "hello"}),
                       _Event({"event": "bot", "text": "Choose", "data": {"buttons": buttons}})]

    async def retrieve(self, sender_id: str) -> Any:
        return type("Tracker", (), {"events": self.events})()


class _Agent:
    def __init__(self, offered: List[str]) -> None:
        self.tracker_store = _Store(offered)


def admit(text: str, offered: List[str], metadata: Optional[Dict[str, Any]] = None) -> Any:
    guard = MessageGuard(2000, RateLimits((10 ** 6, 1), (10 ** 6, 1)))
    return asyncio.run(guard.admit(_Agent(offered), "conversation", text, metadata, "198.51.100.1"))


@given(messages, offers)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_nothing_the_guard_passes_on_is_a_command_rasa_obeys_unless_offered_harmless_or_its_own(text, offered):
    decision = admit(text, offered)
    if isinstance(decision, Admitted) and rasa_reads_an_intent(decision.text):
        assert allowed(decision.text, offered) or decision.text == card_numbers.CARD_NUMBER_REMOVED, decision


def test_a_card_number_before_a_command_leaves_no_command_behind():
    for text in ("4242 4242 4242 4242/restart", "4242 4242 4242 4242 /restart", "/4242 4242 4242 4242"):
        assert admit(text, []).text == card_numbers.CARD_NUMBER_REMOVED
    assert admit("/restart", ["/restart"]).text == "/restart"  # offered (no bot does): the guard would honour it
    assert admit("\uff0frestart", []).text == "restart"  # a full-width slash is a slash once tidied


def test_the_guard_replaces_a_client_key_sent_by_the_client():
    decision = admit("hello", [], metadata={"client": "someone-else", "page_url": "https://chorley.gov.uk/"})
    assert decision.metadata["client"] not in ("someone-else", None)
    assert decision.metadata["page_url"] == "https://chorley.gov.uk/"
    guard = MessageGuard(2000, RateLimits((10, 1), (10, 1)))
    signed_call = asyncio.run(guard.admit(None, "CA1", "hello", {"client": "someone-else"}, None))
    assert "client" not in signed_call.metadata  # no address (a phone call): no key, and never the client's


# -- through the real REST channel -----------------------------------------------------------------------------------


def user_event(conversation) -> Dict[str, Any]:
    return [e for e in conversation.tracker()["events"] if e["event"] == "user"][-1]


def test_typed_restart_and_session_start_are_read_as_words(conversation):
    conversation.say("my bin was missed")
    assert "postcode" in conversation.text().lower(), conversation.text()
    for typed, words in (("/restart", "restart"), (" /session_start", "session_start"), ("/ /restart", "restart"),
                         ("/RESTART", "RESTART")):
        conversation.say(typed)
        event = user_event(conversation)
        assert event["text"] == words
        assert event["parse_data"]["intent"]["name"] not in ("restart", "session_start")
    events = conversation.tracker()["events"]
    assert [e for e in events if e["event"] == "restart"] == []
    assert len([e for e in events if e["event"] == "session_started"]) == 1


def test_a_typed_address_the_bot_never_offered_sets_nothing(conversation):
    conversation.say("hello")
    conversation.say('/inform{"uprn":"100010382716"}')
    conversation.say('/inform{"bin_type":"blue"}')
    event = user_event(conversation)
    assert event["text"] == "inform"
    assert all(e.get("extractor") != "RegexMessageHandler" for e in event["parse_data"].get("entities", []))
    slots = conversation.tracker()["slots"]
    assert slots.get("uprn") is None and slots.get("bin_type") is None and slots.get("address") is None


def test_a_typed_payload_equal_to_an_offered_button_works(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=3)
    conversation.say("my bin was missed")
    conversation.say(house["postcode"])
    [button] = [b for b in conversation.buttons() if address_button(house["address"]) in b["title"]]
    conversation.say(button["payload"])  # typed, character for character, rather than pressed
    assert conversation.slot("uprn") == house["uprn"]
