"""The phone channel on its own: signatures, and what a caller hears for a scripted bot (no Rasa server needed).

The bot is a script: each message the channel passes on gets the scripted replies, and the tracker the channel
reads afterwards says which actions ran. Whole calls against the real assistant are in test_phone_calls.py.
"""
from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from twilio.request_validator import RequestValidator

from connectors.phone import channel as phone
from connectors.phone.calls import CallState, MemoryCalls
from connectors.phone.wording import keys, words
from connectors.production import ProductionSettingsError
from replies import Link, Money, Reference, reply_message
from tests.phone.caller import ASSISTANT_NUMBER, CALLER_NUMBER, parse

PUBLIC = "https://phone.example.gov.uk"
TOKEN = "a-test-token"
GREETING = {"text": "Hello, what can I help you with?",
            "buttons": [{"title": "Report a missed bin", "payload": "/report_missed_bin"},
                        {"title": "Find my bin day", "payload": "/check_bin_day"}]}
ASK_POSTCODE = {"text": "What's the postcode of the address? For example, PR7 1DP.", "utter_action": "utter_ask_postcode"}
ADDRESSES = [f"{n} Market Street, Chorley, PR7 1DP" for n in (2, 4, 6, 8, 10, 12, 14, 16)]


class ScriptedBot:
    """Answers each message with scripted replies, and keeps a tracker the channel can read like Rasa's."""

    def __init__(self, script: Dict[str, Any]) -> None:
        self.script = script
        self.received: List[str] = []
        self.trackers: Dict[str, DialogueStateTracker] = {}
        self.tracker_store = self

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return self.trackers.get(sender_id)

    async def handle(self, message) -> None:
        self.received.append(message.text)
        replies = self.script.get(message.text, self.script.get("*", []))
        if callable(replies):
            replies = replies(message)
        intent, action, messages = replies if isinstance(replies, tuple) else ("inform", "action_x", replies)
        tracker = self.trackers.setdefault(message.sender_id, DialogueStateTracker(message.sender_id, []))
        tracker.update(UserUttered(message.text, intent={"name": intent, "confidence": 1.0},
                                   metadata=message.metadata))
        tracker.update(ActionExecuted(action))
        for sent in messages:
            tracker.update(BotUttered(sent.get("text"), {"buttons": sent.get("buttons")}))
            await message.output_channel.send_response(message.sender_id, dict(sent))
        tracker.update(ActionExecuted("action_listen"))


class Texts:
    def __init__(self, works: bool = True) -> None:
        self.sent: List[Dict[str, str]] = []
        self.works = works

    async def send(self, mobile, council_name, purpose, link, reference=None) -> bool:
        self.sent.append({"mobile": mobile, "purpose": purpose, "link": link})
        return self.works


class Line:
    """The channel with a scripted bot, and one caller on it."""

    def __init__(self, script: Dict[str, Any], number: str = CALLER_NUMBER, called: str = ASSISTANT_NUMBER) -> None:
        self.bot = ScriptedBot(script)
        self.texts = Texts()
        self.input = phone.PhoneInput(TOKEN, PUBLIC, calls=MemoryCalls(), texts=self.texts)
        self.request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=self.bot)))
        self.number, self.called = number, called
        self.sid = "CA" + uuid.uuid4().hex  # each call its own: the rate limits count per conversation

    def post(self, **answer: str):
        form = {"CallSid": self.sid, "From": self.number, "To": self.called, "CallStatus": "in-progress", **answer}
        call = phone.Call(self.input, self.request, form, self.bot.handle)
        turn = asyncio.run(call.answer())
        return parse(200, turn.twiml()).check()

    def ring(self):
        return self.post()

    def say(self, speech: str):
        return self.post(SpeechResult=speech, Confidence="0.9")

    def press(self, digits: str):
        return self.post(Digits=digits)

    def silence(self):
        return self.post()

    @property
    def state(self) -> Optional[CallState]:
        return asyncio.run(self.input.calls.load(self.sid))


@pytest.fixture(autouse=True)
def staff_are_in(monkeypatch):
    monkeypatch.setenv("HANDOVER_HOURS", "always")


# -- the channel as Rasa loads it ---------------------------------------------------------------------------------


def test_the_channel_and_its_output_are_called_phone():
    assert phone.PhoneInput.name() == "phone" and phone.PhoneOutput.name() == "phone"
    from connectors.phone import PhoneInput

    assert PhoneInput is phone.PhoneInput


def test_the_projects_credentials_enable_the_phone_line():
    import yaml

    with open("credentials.yml", encoding="utf-8") as handle:
        assert "connectors.phone.PhoneInput" in yaml.safe_load(handle)


def test_the_demo_token_only_in_the_local_demo():
    assert phone.auth_token({}, {}) == "sandbox-phone-token"
    assert phone.auth_token({}, {"TWILIO_AUTH_TOKEN": "abc"}) == "abc"
    with pytest.raises(ProductionSettingsError):
        phone.auth_token({}, {"ASSISTANT_ENV": "production"})
    with pytest.raises(ProductionSettingsError):
        phone.auth_token({}, {"ASSISTANT_ENV": "production", "TWILIO_AUTH_TOKEN": "sandbox-phone-token"})
    assert phone.auth_token({}, {"ASSISTANT_ENV": "production", "TWILIO_AUTH_TOKEN": "real"}) == "real"


def test_production_needs_the_public_https_address_twilio_posts_to():
    assert phone.public_address({}, {}) == "http://127.0.0.1:5005"
    with pytest.raises(ProductionSettingsError):
        phone.public_address({}, {"ASSISTANT_ENV": "production"})
    with pytest.raises(ProductionSettingsError):
        phone.public_address({}, {"ASSISTANT_ENV": "production", "PHONE_PUBLIC_URL": "http://127.0.0.1:5005"})
    url = "https://assistant.chorley.gov.uk"
    assert phone.public_address({}, {"ASSISTANT_ENV": "production", "PHONE_PUBLIC_URL": url}) == url


def test_production_needs_the_councils_own_notify_settings_for_texts():
    from connectors.phone.texts import production_problems

    assert len(production_problems({})) == 3
    assert production_problems({"NOTIFY_API_KEY": "live-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-"
                                                  "222222222222", "NOTIFY_API_URL": "https://api.notifications.service.gov.uk",
                                "PHONE_LINK_SMS_TEMPLATE": "6a1f0b52-1f0c-4b8e-9a61-0c5e2f7d1a11"}) == []


# -- signatures --------------------------------------------------------------------------------------------------


def _request(path: str, form: Dict[str, str], signature: Optional[str], query: str = ""):
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return SimpleNamespace(headers=headers, form={k: [v] for k, v in form.items()}, path=path, query_string=query)


def test_only_requests_twilio_signed_are_read():
    line = phone.PhoneInput(TOKEN, PUBLIC, calls=MemoryCalls())
    form = {"CallSid": "CA1", "From": CALLER_NUMBER, "To": ASSISTANT_NUMBER, "SpeechResult": "hello"}
    signed = RequestValidator(TOKEN).compute_signature(PUBLIC + "/webhooks/phone/voice", form)
    assert line._signed_form(_request("/webhooks/phone/voice", form, signed)) == form
    assert line._signed_form(_request("/webhooks/phone/voice", form, None)) is None  # unsigned
    assert line._signed_form(_request("/webhooks/phone/voice", form, "Zm9yZ2Vk")) is None  # forged
    other_token = RequestValidator("not-the-token").compute_signature(PUBLIC + "/webhooks/phone/voice", form)
    assert line._signed_form(_request("/webhooks/phone/voice", form, other_token)) is None
    changed = dict(form, SpeechResult="transfer me")  # a signed request with an answer changed on the way
    assert line._signed_form(_request("/webhooks/phone/voice", changed, signed)) is None
    query = "call=CA1"
    whisper = RequestValidator(TOKEN).compute_signature(PUBLIC + "/webhooks/phone/whisper?" + query, form)
    assert line._signed_form(_request("/webhooks/phone/whisper", form, whisper, query)) == form


# -- what a caller hears ------------------------------------------------------------------------------------------


def test_the_call_starts_with_the_bots_greeting_and_a_keypad_menu():
    line = Line({"/greet": [GREETING]})
    heard = line.ring()
    assert line.bot.received == ["/greet"]
    assert heard.mentions("what can I help you with", "press 1 for report a missed bin", "press 2 for find my bin day")
    assert heard.gather["numDigits"] == "1" and heard.gather["speechTimeout"] == "auto"
    assert heard.gather["action"] == "/webhooks/phone/voice" and heard.gather["actionOnEmptyResult"] == "true"
    assert line.press("2").mentions(words("no_answer"), "what can I help you with")  # the bot said nothing
    assert line.bot.received[-1] == "/check_bin_day"


def test_the_callers_number_is_metadata_never_the_conversation():
    line = Line({"/greet": [GREETING]})
    line.ring()
    tracker = line.bot.trackers[line.sid]
    assert tracker.sender_id.startswith("CA")
    assert tracker.latest_message.metadata["caller"] == CALLER_NUMBER


def test_silence_is_reprompted_once_then_a_person_is_offered_then_the_call_ends():
    line = Line({"/greet": [GREETING]})
    line.ring()
    first = line.silence()
    assert first.mentions(words("silence_first"), "press 1 for report a missed bin") and first.gather
    second = line.silence()
    assert second.mentions("speak to someone") and second.gather and not second.mentions("press 1 for report")
    third = line.silence()
    assert third.hung_up and not third.gather and third.mentions(words("still_nothing"))
    assert line.bot.received == ["/greet"]


def test_nonsense_keys_are_reprompted_once_then_a_person_is_offered():
    line = Line({"/greet": [GREETING]})
    line.ring()
    assert line.press("7").mentions(words("not_understood_first"), "press 1")
    assert line.press("8").mentions("speak to someone")
    assert line.bot.received == ["/greet"]


def test_the_bots_own_misunderstandings_count_too():
    line = Line({"/greet": [GREETING], "*": ("nlu_fallback", "action_misunderstood", [{"text": "Sorry, I didn't get that."}])})
    line.ring()
    assert not line.say("flibble").mentions("speak to someone")
    assert line.say("wibble").mentions("speak to someone")


def test_an_answer_resets_the_reprompts():
    line = Line({"/greet": [GREETING], "/check_bin_day": [ASK_POSTCODE]})
    line.ring()
    line.silence()
    line.press("2")
    assert line.silence().mentions(words("silence_first"))


def test_a_postcode_is_read_back_before_the_bot_gets_it():
    line = Line({"/greet": [GREETING], "/check_bin_day": [ASK_POSTCODE], "PR7 1DP": [{"text": "Thanks."}]})
    line.ring()
    asked = line.press("2")
    assert "P R" in asked.gather.get("hints", "")
    heard = line.say("p r seven one d p")
    assert heard.mentions("I heard P R 7, 1 D P. Is that right?")
    assert line.bot.received[-1] == "/check_bin_day"
    line.say("yes")
    assert line.bot.received[-1] == "PR7 1DP"


def test_a_wrong_read_back_is_asked_again_once_then_a_person_is_offered():
    line = Line({"/greet": [GREETING], "/check_bin_day": [ASK_POSTCODE]})
    line.ring()
    line.press("2")
    line.say("p r seven one d b")
    assert line.press("2").mentions(words("postcode_again"))
    assert line.say("p r seven one d p").mentions("I heard P R 7, 1 D P")
    assert line.say("no").mentions("speak to someone")
    assert line.bot.received == ["/greet", "/check_bin_day"]


def test_a_long_address_list_is_never_read_out_but_chosen_by_house_number():
    choose = {"text": "Which address is it?", "buttons": [{"title": a, "payload": f'/inform{{"uprn":"{i}"}}'}
                                                             for i, a in enumerate(ADDRESSES)]}
    line = Line({"/greet": [GREETING], "*": [choose], "/inform{\"uprn\":\"5\"}": [{"text": "Got it."}]})
    line.ring()
    heard = line.say("PR7 1DP")  # a bot that doesn't ask for a postcode: passed on as said
    assert heard.mentions("Which address", words("house_number")) and "Market Street" not in heard.text
    assert "numDigits" not in heard.gather
    line.press("12")
    assert line.bot.received[-1] == '/inform{"uprn":"5"}'


def test_a_link_is_offered_by_text_message_to_the_callers_number():
    pay = reply_message("To pay {amount}, use {link}. Say I've paid when you've paid.", amount=Money(3000),
                        link=Link("http://pay.example/pay/secure/abc", "pay £30.00 now",
                                  purpose="the payment page for your bulky waste collection"))
    line = Line({"/greet": [GREETING], "*": [pay]})
    line.ring()
    heard = line.say("yes pay")
    assert heard.mentions("30 pounds", "by text message", "ending 1 2 3") and "pay.example" not in heard.xml
    assert not heard.mentions(words("anything_else"))
    sent = line.say("yes")
    assert line.texts.sent == [{"mobile": "07700900123", "link": "http://pay.example/pay/secure/abc",
                                "purpose": "The payment page for your bulky waste collection"}]
    assert sent.mentions(words("link_sent"), "say I've paid") and sent.gather


def test_a_withheld_number_keys_in_a_mobile_and_no_mobile_is_offered_a_person():
    pay = reply_message("Pay here: {link}", link=Link("http://pay.example/pay/secure/abc", "pay now"))
    line = Line({"/greet": [GREETING], "*": [pay]}, number="anonymous")
    line.ring()
    assert line.say("pay").mentions(words("link_ask_number"))
    assert line.press("0123").mentions(words("link_number_not_valid"))
    line.press("07700900456")
    assert line.texts.sent[-1]["mobile"] == "07700900456"

    other = Line({"/greet": [GREETING], "*": [pay]}, number="anonymous")
    other.ring()
    other.say("pay")
    assert other.say("I don't have a mobile, no").mentions("put you through to someone")


def test_markdown_from_the_bot_never_reaches_the_caller():
    line = Line({"/greet": [GREETING], "*": [{"text": "Your reference is **REP-100001**. See [the page](https://x.gov.uk) 🙂"}]})
    line.ring()
    heard = line.say("thanks")  # check() asserts no Markdown, address or emoji
    assert heard.mentions("REP-100001", "the page")


def test_repeat_says_the_last_thing_again_slowly_with_its_parts():
    said = reply_message("Your reference is {ref}.", ref=Reference("REP-100017"))
    line = Line({"/greet": [GREETING], "*": [said, {"text": "Anything else?"}]})
    line.ring()
    assert line.say("report it").mentions("R E P, 1 0 0, 0 1 7", words("offer_repeat"))
    heard = line.say("can you repeat that")
    assert heard.mentions(words("repeat_intro"), "R E P, 1 0 0, 0 1 7", "Anything else")
    assert "prosody" in heard.xml


def test_goodbye_ends_the_call():
    line = Line({"/greet": [GREETING], "goodbye": ("goodbye", "action_goodbye", [{"text": "Goodbye, and thank you."}])})
    line.ring()
    heard = line.say("goodbye")
    assert heard.hung_up and heard.gather is None and heard.mentions("Goodbye")
    assert line.state is None  # the call's state is gone


def test_the_end_of_a_journey_ends_the_call():
    line = Line({"/greet": [GREETING], "no": ("deny", "utter_after_deny", [{"text": "OK. Thank you for contacting the council."}])})
    line.ring()
    heard = line.say("no")
    assert heard.hung_up and heard.mentions("thank you for contacting", "goodbye")


def test_asking_for_a_person_puts_them_through_with_a_whisper():
    line = Line({"/greet": [GREETING]})
    line.ring()
    heard = line.say("can I speak to a real person")
    assert heard.dial and heard.dial["number"] == "+441632960101" and heard.dial["answerOnBridge"] == "true"
    assert heard.dial["url"].startswith("/webhooks/phone/whisper?call=CA")
    assert heard.mentions("put you through to Chorley Council")


def test_the_bots_request_human_is_a_transfer_not_a_list_of_routes():
    line = Line({"/greet": [GREETING], "/request_human": ("request_human", "action_contact_routes",
                                                          [{"text": "You can reach customer services: call 01257 515151."}])})
    line.ring()
    heard = line.press("0")  # 0 is a person on the keypad
    assert heard.dial and heard.dial["number"] == "+441632960101"


def test_never_a_transfer_to_the_assistants_own_number():
    line = Line({"/greet": [GREETING]}, called="+441632960101")  # as if the staff number reached the assistant
    line.ring()
    assert line.say("put me through to customer services").mentions(words("transfer_which_council"))
    heard = line.press("1")
    assert heard.dial is None and heard.mentions("customer services", "0 1 2 5 7") and heard.gather


def test_out_of_hours_says_so_and_gives_the_routes(monkeypatch):
    monkeypatch.setenv("HANDOVER_HOURS", "never")
    line = Line({"/greet": [GREETING]})
    line.ring()
    heard = line.say("speak to someone")
    assert heard.dial is None and heard.mentions("closed at the moment", "0 1 2 5 7") and heard.gather


def test_urgent_help_is_read_then_a_transfer_to_the_out_of_hours_number_is_offered():
    urgent = ("urgent_help", "action_urgent_help",
              [{"text": "If you're in danger now, call 999."}, {"text": "Chorley's housing team can help."}])
    line = Line({"/greet": [GREETING], "*": urgent})
    line.ring()
    heard = line.say("I've got nowhere to sleep tonight")
    assert heard.text.index("999") < heard.text.index("out-of-hours team")
    put_through = line.say("yes")
    assert put_through.dial and put_through.dial["number"] == "+441257515151"


def test_a_call_ended_drops_its_state():
    line = Line({"/greet": [GREETING]})
    line.ring()
    assert line.state is not None
    request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=None)))
    asyncio.run(line.input._call_ended(request, line.sid))
    assert line.state is None


def test_every_sentence_of_the_line_is_in_wording_yml():
    import re
    from pathlib import Path

    source = "\n".join(p.read_text() for p in Path("connectors/phone").glob("*.py"))
    used = set(re.findall(r'words\("([a-z_]+)"', source))
    assert used <= keys(), used - keys()


def test_whisper_summary_says_what_the_caller_wanted():
    from connectors.phone.staff import whisper_summary

    tracker = DialogueStateTracker.from_events("CA1", [
        UserUttered("my bin", intent={"name": "report_missed_bin", "confidence": 1.0}),
        SlotSet("council", "chorley"), SlotSet("address", "12 Market Street, Chorley"),
        SlotSet("report_reference", "REP-100017")])
    said = whisper_summary(tracker)
    assert "Chorley Council" in said and "12 Market Street" in said and "R E P, 1 0 0, 0 1 7" in said


def test_a_card_number_keyed_in_is_removed_before_the_bot_sees_it():
    line = Line({"/greet": [GREETING], "*": [{"text": "What's your account number?"}]})
    line.ring()
    line.say("pay my council tax")
    line.press("4242424242424242")
    from connectors.card_numbers import CARD_NUMBER_REMOVED

    assert line.bot.received[-1] == CARD_NUMBER_REMOVED and "4242" not in " ".join(line.bot.received)


def test_a_card_number_said_as_words_is_removed_before_the_bot_sees_it():
    line = Line({"/greet": [GREETING], "*": [{"text": "What's your account number?"}]})
    line.ring()
    line.say("pay my council tax")
    line.say("it's four two four two four two four two four two four two four two four two")
    from connectors.card_numbers import CARD_NUMBER_REMOVED

    assert line.bot.received[-1] == CARD_NUMBER_REMOVED
    assert not any("four two four two" in said or "4242" in said for said in line.bot.received)


def test_a_sentence_at_the_first_menu_goes_to_the_conversation_not_to_an_option_sharing_one_word():
    menu = {"text": "Hello, what can I help you with?",
            "buttons": [{"title": "Find my bin day", "payload": "/check_bin_day"},
                        {"title": "Contact the council", "payload": "/contact_council"}]}
    line = Line({"/greet": [menu], "*": [{"text": "Which account?"}]})
    line.ring()
    line.say("I want to pay my council tax")
    assert line.bot.received[-1] == "I want to pay my council tax"


def test_menu_options_are_the_speech_hints():
    line = Line({"/greet": [GREETING]})
    assert line.ring().gather["hints"] == "Report a missed bin, Find my bin day"


# -- the call's state in Redis ----------------------------------------------------------------------------------


@pytest.fixture
def redis_url(tmp_path):
    """TEST_REDIS_URL (CI), or a redis-server of the test's own when one is installed."""
    import os
    import shutil
    import subprocess
    import time

    from tests.stack import free_port

    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    if not shutil.which("redis-server"):
        pytest.skip("no TEST_REDIS_URL and no redis-server: the call state in Redis is not proved here")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


def test_the_calls_state_is_in_redis_when_redis_is_configured(redis_url):
    from connectors.phone.calls import RedisCalls, call_store

    async def scenario():
        store = call_store({"REDIS_URL": redis_url, "WEBCHAT_REDIS_PREFIX": f"test-{uuid.uuid4().hex[:6]}:"})
        assert isinstance(store, RedisCalls)
        state = CallState("CA-redis", caller=CALLER_NUMBER, reprompts=1, pending={"kind": "postcode", "value": "PR7 1DP"})
        await store.save(state)
        again = await store.load("CA-redis")
        ttl = await store.redis.ttl(store.prefix + "CA-redis")
        await store.drop("CA-redis")
        gone = await store.load("CA-redis")
        await store.redis.close()
        return again, ttl, gone

    again, ttl, gone = asyncio.run(scenario())
    assert again.pending == {"kind": "postcode", "value": "PR7 1DP"} and again.reprompts == 1
    assert 0 < ttl <= 4 * 60 * 60 and gone is None


def test_the_calls_state_in_memory_expires():
    clock = [0.0]
    store = MemoryCalls(seconds=10, clock=lambda: clock[0])
    asyncio.run(store.save(CallState("CA-memory")))
    assert asyncio.run(store.load("CA-memory")) is not None
    clock[0] = 11
    assert asyncio.run(store.load("CA-memory")) is None


def test_asking_for_a_person_in_the_middle_of_a_read_back_is_put_through():
    line = Line({"/greet": [GREETING], "/check_bin_day": [ASK_POSTCODE]})
    line.ring()
    line.press("2")
    line.say("p r seven one d p")
    assert line.say("I'd like to talk to someone please").dial


def test_a_menu_that_also_takes_a_keyed_number_waits_for_more_than_one_key():
    ask = reply_message("Shall I text the confirmation to the number you're calling from? You can also give me "
                        "another mobile number.", expects="email_or_phone",
                        buttons=[{"title": "Yes, text me", "payload": "/affirm"},
                                 {"title": "No confirmation, thanks", "payload": "/deny"}])
    line = Line({"/greet": [GREETING], "*": [ask]})
    line.ring()
    heard = line.say("book a collection")
    assert "numDigits" not in heard.gather and heard.gather["hints"].startswith("Yes, text me, No confirmation")
    line.press("07700900999")
    assert line.bot.received[-1] == "07700900999"


def test_staff_are_in_within_the_councils_opening_hours_uk_time():
    from datetime import datetime

    from connectors.phone.staff import staff_available

    friday_morning, friday_evening = datetime(2026, 11, 27, 10, 0), datetime(2026, 11, 27, 17, 30)
    saturday, early = datetime(2026, 11, 28, 10, 0), datetime(2026, 11, 27, 8, 30)
    assert staff_available("chorley", friday_morning, {})
    assert not any(staff_available("chorley", when, {}) for when in (friday_evening, saturday, early))
    assert staff_available("chorley", saturday, {"HANDOVER_HOURS": "always"})
    assert not staff_available("chorley", friday_morning, {"HANDOVER_HOURS": "never"})


def test_after_a_journey_the_caller_is_asked_if_there_is_anything_else_and_silence_ends_the_call():
    done = reply_message("Thank you. Your reference is {ref}.", ref=Reference("REP-100017"))
    line = Line({"/greet": [GREETING], "*": [done]})
    line.ring()
    heard = line.say("yes report it")
    assert heard.text.endswith(words("anything_else")) and heard.gather
    ended = line.silence()
    assert ended.hung_up and ended.mentions("goodbye")


def test_a_production_rasa_server_without_the_phone_lines_settings_refuses_to_start(tmp_path):
    """A real `rasa run` with the project's credentials.yml, every other production setting right."""
    import os
    import subprocess

    from tests.stack import RASA, ROOT, free_port, newest_model

    env = {k: v for k, v in os.environ.items()
           if k not in ("TWILIO_AUTH_TOKEN", "PHONE_PUBLIC_URL", "NOTIFY_API_KEY", "NOTIFY_API_URL")}
    env.update({"PYTHONPATH": str(ROOT), "ASSISTANT_ENV": "production", "TRUSTED_PROXIES": "127.0.0.1",
                "WEBCHAT_ALLOWED_ORIGINS": "https://chorley.gov.uk", "CLIENT_KEY_SECRET": "k" * 40,
                "METRICS_TOKEN": "m" * 40})
    result = subprocess.run(
        [RASA, "run", "--enable-api", "--auth-token", "t" * 64, "-i", "127.0.0.1", "-p", str(free_port()),
         "-m", str(newest_model()), "--credentials", str(ROOT / "credentials.yml")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    said = result.stdout + result.stderr
    assert result.returncode != 0, said[-3000:]
    assert "The phone line refuses to start in production" in said, said[-3000:]
    for setting in ("TWILIO_AUTH_TOKEN", "PHONE_PUBLIC_URL", "NOTIFY_API_KEY", "PHONE_LINK_SMS_TEMPLATE"):
        assert setting in said, said[-3000:]


def test_after_a_journey_a_keypad_caller_presses_1_for_the_menu_or_2_to_finish():
    done = reply_message("Thank you. Your reference is {ref}.", ref=Reference("REP-100017"))
    line = Line({"/greet": [GREETING], "*": [done]})
    line.ring()
    heard = line.say("yes report it")
    assert "press 1 for the menu" in heard.text and "press 2" in heard.text
    again = line.press("1")
    assert line.bot.received[-1] == "/greet" and again.gather and "Find my bin day" in again.text
    line.say("yes report it")
    ended = line.press("2")
    assert ended.hung_up and ended.mentions("goodbye")


def test_goodbye_in_the_middle_of_a_journey_ends_the_call_without_answering_the_question_with_it():
    from rasa.shared.core.events import ActiveLoop

    line = Line({"/greet": [GREETING], "*": [ASK_POSTCODE]})
    line.ring()
    line.say("my bin wasn't collected")
    line.bot.trackers[line.sid].update(ActiveLoop("missed_bin_form"))
    received = list(line.bot.received)
    ended = line.say("goodbye")
    assert ended.hung_up and ended.text == words("goodbye_mid_journey")
    assert line.bot.received == received  # "goodbye" was never given as the postcode


# -- the staff console (console.py; whole calls against a real console: test_phone_handover.py) ---------------------


def test_the_assistants_handover_action_is_a_transfer():
    """action_handover (docs/handover.md) answers request_human now: the line puts the caller through, as it did
    for action_contact_routes, even when the caller's words were not ones the line knows for a person."""
    handover = ("request_human", "action_handover", [{"text": "I'll pass you to someone in customer services."}])
    line = Line({"/greet": [GREETING], "*": handover})
    line.ring()
    heard = line.say("I'd like to discuss my situation with somebody")
    assert heard.dial and heard.dial["number"] == "+441632960101", heard.xml
    assert line.bot.received[-1] == "I'd like to discuss my situation with somebody"  # Rasa decided, not the line


def test_the_console_summary_is_the_whisper_written_for_reading():
    from connectors.phone.staff import caller_facts, whisper_summary, written_summary

    tracker = DialogueStateTracker.from_events("CA1", [
        UserUttered("my bin", intent={"name": "report_missed_bin", "confidence": 1.0}),
        ActionExecuted("missed_bin_form"), ActiveLoop("missed_bin_form"),
        SlotSet("council", "chorley"), SlotSet("address", "12 Market Street, Chorley"),
        SlotSet("report_reference", "REP-100017"),
        BotUttered("Which bin wasn't emptied? **Blue** or grey?"),
        ActionExecuted("action_listen"),
        UserUttered("a person please", intent={"name": "request_human", "confidence": 1.0}),
        ActionExecuted("action_handover"),
        BotUttered("I'll find someone for you."),
    ])
    facts = caller_facts(tracker)
    written = written_summary(facts, "asked_for_person")
    said = whisper_summary(tracker)
    for both in ("Chorley Council", "12 Market Street"):
        assert both in written and both in said
    assert "REP-100017" in written and "R E P, 1 0 0, 0 1 7" in said
    assert 'just asked: "Which bin wasn\'t emptied? Blue or grey?"' in written, written  # not the handover's reply
    details = facts.details()
    assert details["references"] == ["REP-100017"] and details["address"].startswith("12 Market")
    assert details["journey"] == "missed_bin_form" and details["wanted"] == "to report a missed bin"
    assert details["told"][-1] == "I'll find someone for you."


def test_a_transfer_with_nothing_known_says_why_in_the_console():
    from connectors.phone.staff import CallerFacts, written_summary

    assert written_summary(CallerFacts(), "not_understood") == "The phone line didn't understand what they said."
    assert written_summary(CallerFacts(), None) == words("whisper_nothing_known")


def test_a_console_that_never_answers_does_not_delay_the_transfer():
    """The console accepts the connection and then says nothing: the caller is put through at once all the same."""
    import socket
    import time

    from actions.clients.staff import StaffConsoleClient
    from connectors.phone.console import PhoneConsole

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        line = Line({"/greet": [GREETING]})
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        line.input.console = PhoneConsole(StaffConsoleClient(url, token="t" * 40, timeout=2.0))
        line.ring()

        async def put_through():
            form = {"CallSid": line.sid, "From": line.number, "To": line.called, "SpeechResult": "a person please"}
            started = time.monotonic()
            turn = await phone.Call(line.input, line.request, form, line.bot.handle).answer()
            return turn, time.monotonic() - started

        turn, seconds = asyncio.run(put_through())  # (the loop's end waits for the recording to time out)
        assert turn.dial and seconds < 0.5, seconds
    finally:
        silent.close()


def test_without_a_console_setting_there_is_no_console_and_a_console_needs_its_token(monkeypatch, tmp_path):
    from connectors.phone.console import PhoneConsole

    assert PhoneConsole.from_env({}) is None
    console = PhoneConsole.from_env({"STAFF_CONSOLE_URL": "http://127.0.0.1:5090", "STAFF_SERVICE_TOKEN": "s" * 40})
    assert console is not None and "s" * 40 not in repr(console)
    import connectors.handover

    monkeypatch.setattr(connectors.handover, "SERVICE_TOKEN_FILE", tmp_path / "no-such-file")
    with pytest.raises(ValueError, match="STAFF_SERVICE_TOKEN"):
        PhoneConsole.from_env({"STAFF_CONSOLE_URL": "http://127.0.0.1:5090"})


def test_a_caller_put_through_is_in_a_real_consoles_queue_and_their_hang_up_too(tmp_path):
    """The console itself (staff/, on a free port with its own SQLite database): the line's record, then presence."""
    from actions.clients.staff import StaffConsoleClient
    from connectors.phone.console import PhoneConsole
    from tests.staff.harness import SERVICE_TOKEN, RunningConsole, console_settings
    from tests.stack import free_port

    nowhere = f"http://127.0.0.1:{free_port()}"  # no Rasa here: the console makes the handover without a transcript
    console = RunningConsole(console_settings(f"sqlite:///{tmp_path / 'staff.db'}", nowhere, tmp_path))
    try:
        staff = console.person("sam")
        line = Line({"/greet": [GREETING], "/check_bin_day": [ASK_POSTCODE]})
        line.input.console = PhoneConsole(StaffConsoleClient(console.url, token=SERVICE_TOKEN))
        line.ring()
        line.press("2")
        heard = line.say("I want to talk to a human")
        assert heard.dial, heard.xml  # (asyncio.run has waited for the recording's thread)
        waiting = staff.get("/handovers?status=waiting").json()["handovers"]
        mine = [h for h in waiting if h["conversation_id"] == line.sid]
        assert len(mine) == 1 and mine[0]["channel"] == "phone" and mine[0]["council"] == "chorley", waiting
        assert mine[0]["summary"] and mine[0]["reason"] == "asked for a person" and mine[0]["resident_present"]

        request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=None)))
        asyncio.run(line.input._call_ended(request, line.sid))
        waiting = staff.get("/handovers?status=waiting").json()["handovers"]
        assert [h["resident_present"] for h in waiting if h["conversation_id"] == line.sid] == [False]
    finally:
        console.stop()
