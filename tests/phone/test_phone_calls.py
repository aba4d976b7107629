"""Whole calls to the phone line, as Twilio makes them: signed webhooks to the real Rasa server (the trained model,
the real action server, the sandbox's council services and Notify), the TwiML read as a caller hears it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.conversations.helpers import home, notifications, open311_request
from tests.phone.caller import Caller, parse
from council_sandbox.testing import pay_with_card
from tests.stack import ACTION_SERVER_SECRET, API_TOKEN, free_port, newest_model, start_rasa_server, stop


@pytest.fixture(scope="module")
def phone_line(action_server: str, sandbox, logs_dir: Path) -> Iterator[str]:
    """The Rasa server with the project's credentials.yml (the phone channel enabled), told its public address
    (Twilio signs it), where Notify is (the sandbox) and that staff are in (HANDOVER_HOURS=always)."""
    port = free_port()
    process = start_rasa_server(newest_model(), action_server, logs_dir, port=port, extra_env={
        "PHONE_PUBLIC_URL": f"http://127.0.0.1:{port}", "COUNCIL_API_BASE_URL": sandbox.url,
        "HANDOVER_HOURS": "always", "TWILIO_AUTH_TOKEN": "sandbox-phone-token"})
    yield process.url  # type: ignore[attr-defined]
    stop(process)


def _answer(response):
    return response.status_code, response.text


def spelt(postcode: str) -> str:
    """How speech recognition often writes a postcode said letter by letter."""
    return " ".join(postcode.replace(" ", ""))


def spoken_postcode(postcode: str) -> str:
    from connectors.phone.spoken import say_postcode

    return say_postcode(postcode)


def house_number(house) -> str:
    return house["address"].split()[0].rstrip(",")


def numbered_home(sandbox_url: str, stream: str, council: str, skip: int):
    """A home a caller can name by its number alone: its address starts with a number no other address at its
    postcode starts with (a flat or a named house needs more words, which other tests cover)."""
    for tried in range(skip, skip + 40):
        house = home(sandbox_url, "ok", stream, council, skip=tried)
        number = house_number(house)
        if not number[0].isdigit():
            continue
        addresses = requests.get(f"{sandbox_url}/addresses/v1/postcodes/{house['postcode']}",
                                 timeout=10).json()["addresses"]
        if sum(1 for a in addresses if re.search(rf"(^|, ){re.escape(number)}\b", a["address"])) == 1:
            return house
    raise AssertionError(f"no home numbered on its own from skip {skip}")


def reference_heard(text: str):
    """The report reference a caller heard, spelt out in groups ("R E P, 2 7 3, 5 2 8"), as written: REP-273528."""
    found = re.search(r"R E P, ((?:\d[ ,]*){6})", text)
    return "REP-" + re.sub(r"\D", "", found.group(1)) if found else None


def transcript(caller: Caller) -> str:
    return "\n".join(f"< {h.text}" for h in caller.heard)


def run(caller, *steps):
    caller.ring().check()
    for step in steps:
        if step is None:
            caller.silence().check()
        elif step.startswith("#"):
            caller.press(step[1:]).check()
        else:
            caller.say(step).check()
    return caller


def tracker(phone_line: str, caller: Caller) -> dict:
    answer = requests.get(f"{phone_line}/conversations/{caller.sid}/tracker", params=API_TOKEN, timeout=30)
    answer.raise_for_status()
    return answer.json()


def missed_bin_reports(sandbox_url: str, uprn: str) -> list:
    listed = requests.get(f"{sandbox_url}/open311/v2/requests.json", params={"service_code": "missed_bin"},
                          timeout=10).json()
    return [r for r in listed if r.get("address_id") == uprn]


# -- what any request must carry --------------------------------------------------------------------------------------


def test_forged_and_unsigned_webhooks_are_refused(phone_line):
    caller = Caller(phone_line)
    for path in ("/webhooks/phone/voice", "/webhooks/phone/status", "/webhooks/phone/whisper?call=CA1"):
        assert caller.post(path, caller.params(), signature=None).status_code == 403
        assert caller.post(path, caller.params(), signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    forger = Caller(phone_line, token="a-guessed-token")
    assert forger.ring().status == 403
    assert not [e for e in tracker(phone_line, forger)["events"] if e["event"] == "user"]  # nothing reached Rasa


# -- whole calls ------------------------------------------------------------------------------------------------------


def test_bin_day_by_speech_then_goodbye(phone_line, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=260)
    caller = Caller(phone_line)
    run(caller, "when is my bin day")
    assert caller.last.mentions("postcode") and "P R" in caller.last.gather.get("hints", "")
    assert caller.say(spelt(house["postcode"])).check().mentions("I heard", spoken_postcode(house["postcode"]))
    heard = caller.say("yes").check()
    assert heard.mentions("house number") and "Street" not in heard.text.split("house number")[-1]
    heard = caller.say(f"number {house_number(house)}").check()
    assert heard.mentions("next collected")
    if heard.mentions("by text message"):  # the garden waste page, offered by text: not wanted
        heard = caller.say("no").check()
        assert heard.mentions("key in the mobile number")
        caller.say("no").check()
        heard = caller.say("no").check()
    goodbye = caller.say("that's all, goodbye").check()
    assert goodbye.hung_up and goodbye.gather is None


def test_missed_bin_by_keypad(phone_line, sandbox):
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=161)
    caller = Caller(phone_line)
    run(caller, "#1")
    assert caller.last.mentions("postcode")
    caller.say(spelt(house["postcode"])).check()  # a postcode can only be said: it has letters
    caller.press("1").check()  # "Is that right?" yes
    heard = caller.press(f"{house_number(house)}#").check()
    assert heard.mentions("press 2 for blue bin"), heard.text
    assert caller.press("2").check().mentions("blue bin", "shall I report it")
    done = caller.press("1").check()
    reference = reference_heard(done.text)
    assert reference, done.text
    assert open311_request(sandbox.url, reference)["address_id"] == house["uprn"]
    keys = sum(1 for h in caller.heard) - 1
    assert keys <= 7  # ring, 1, postcode, 1, house, bin, confirm


def key_in_postcode(caller: Caller, postcode: str):
    """Key a postcode in as a caller without speech would (each letter as the key it is on, once, then #), and
    answer the line's keypad menus until it has the postcode: what the caller hears after it is taken."""
    from connectors.phone.keypad_postcode import keys_for

    heard = caller.press(keys_for(postcode) + "#").check()
    compact = postcode.replace(" ", "")
    for _ in range(4):
        if heard.mentions("I heard " + spoken_postcode(postcode)):
            return caller.press("1").check()  # "Is that right?" yes
        menu = re.search(rf"Press (\d) for {re.escape(spoken_postcode(postcode))}\.", heard.text)
        if menu:
            return caller.press(menu.group(1)).check()
        starts = re.search(r"starts ([A-Z0-9 ,]+)\. What comes next\?", heard.text)
        assert starts, transcript(caller)
        position = len(re.sub(r"[ ,]", "", starts.group(1)))
        key = re.search(rf"press (\d) for {compact[position]}\b", heard.text, re.IGNORECASE)
        assert key, transcript(caller)
        heard = caller.press(key.group(1)).check()
    raise AssertionError(transcript(caller))


def test_missed_bin_by_keypad_only(phone_line, sandbox):
    """No speech at all: the postcode too is keyed in."""
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=166)
    caller = Caller(phone_line)
    run(caller, "#1")
    assert caller.last.mentions("postcode"), transcript(caller)
    assert caller.silence().check().mentions("key in the postcode", "hash key"), transcript(caller)
    heard = key_in_postcode(caller, house["postcode"])
    assert heard.mentions("house number"), transcript(caller)
    heard = caller.press(f"{house_number(house)}#").check()
    assert heard.mentions("press 2 for blue bin"), transcript(caller)
    assert caller.press("2").check().mentions("blue bin", "shall I report it"), transcript(caller)
    done = caller.press("1").check()
    reference = reference_heard(done.text)
    assert reference, transcript(caller)
    assert open311_request(sandbox.url, reference)["address_id"] == house["uprn"]
    turns = len(caller.heard) - 1  # every answer after the ring
    assert turns <= 10, transcript(caller)  # 1, (silence), keys, up to two menus, house, bin, confirm


def test_missed_bin_by_speech(phone_line, sandbox):
    house = numbered_home(sandbox.url, "recycling", "chorley", skip=170)
    caller = Caller(phone_line)
    run(caller, "my blue bin wasn't emptied", spelt(house["postcode"]), "yes that's right",
        f"it's number {house_number(house)}")
    assert caller.last.mentions("blue bin", "shall I report it"), transcript(caller)
    done = caller.say("yes please").check()
    reference = reference_heard(done.text)
    assert reference and open311_request(sandbox.url, reference)["service_code"] == "missed_bin"


def test_report_status_by_speech(phone_line, sandbox):
    caller = Caller(phone_line)
    run(caller, "any news on my report", "R E P 1 0 0 0 1 7")
    assert caller.last.mentions("postcode"), transcript(caller)
    caller.say("P R 7 1 D P").check()
    heard = caller.say("yes").check()
    assert "REP" not in heard.text and heard.says, transcript(caller)


def test_fly_tipping_by_speech(phone_line, sandbox):
    house = home(sandbox.url, "ok", "refuse", "south_ribble", skip=163)
    caller = Caller(phone_line)
    run(caller, "someone has dumped a mattress and some bags")
    assert caller.last.mentions("where is it"), transcript(caller)
    heard = caller.say(spelt(house["postcode"])).check()
    assert heard.mentions("I heard " + spoken_postcode(house["postcode"])), transcript(caller)
    caller.say("yes").check()
    heard = caller.say(house_number(house)).check()
    for _ in range(8):  # the report's own questions, answered as a caller would
        if heard.hung_up or heard.dial or reference_heard(heard.text):
            break
        if heard.mentions("updates") or heard.mentions("email"):
            heard = caller.say("no thanks").check()
        elif heard.mentions("press 1"):
            heard = caller.press("1").check()
        else:
            heard = caller.say("a mattress and some black bags").check()
    assert reference_heard(heard.text), transcript(caller)


def test_bulky_waste_ends_with_the_payment_link_by_text(phone_line, sandbox, action_server):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=285)
    caller = Caller(phone_line)
    run(caller, "can you collect a sofa", spelt(house["postcode"]), "#1", f"{house_number(house)}#", "a sofa")
    assert caller.last.mentions("which day"), transcript(caller)
    caller.press("1").check()
    assert caller.last.mentions("ending 1 2 3"), transcript(caller)  # the confirmation by text to this phone
    heard = caller.press("1").check()
    for _ in range(3):
        if heard.mentions("shall I send it"):
            break
        heard = caller.press("1").check()  # the order's summary: yes, pay
    assert heard.mentions("by text message", "ending 1 2 3"), transcript(caller)
    sent = caller.press("1").check()
    assert sent.mentions("I've sent the text message") and sent.gather, transcript(caller)
    reference = tracker(phone_line, caller)["slots"]["order_reference"]
    texts = [n for n in notifications(sandbox.url, reference) if n["type"] == "sms"]
    assert texts and texts[0]["phone_number"].replace(" ", "").endswith("7700900123")
    assert "/pay/" in texts[0]["body"] and "http" in texts[0]["body"]
    assert all("http" not in h.text for h in caller.heard)

    # The caller hangs up and pays from the text message: the confirmation still comes, by text, to this phone.
    assert caller.hang_up().status_code == 204
    link = re.search(r"https?://\S+/pay/\S+", texts[0]["body"]).group(0)
    assert pay_with_card(link).status_code == 303
    checked = requests.post(f"{action_server}/payments/check", timeout=60,
                            headers={"X-Action-Server-Secret": ACTION_SERVER_SECRET})
    assert checked.status_code == 200, checked.text
    confirmations = [n for n in notifications(sandbox.url, reference) if n["type"] == "sms" and "/pay/" not in n["body"]]
    assert confirmations and reference in confirmations[0]["body"], notifications(sandbox.url, reference)
    assert confirmations[0]["phone_number"].replace(" ", "").endswith("7700900123")


def test_urgent_help_says_999_first_then_offers_a_transfer(phone_line):
    caller = Caller(phone_line)
    run(caller, "my partner is hurting me and I'm scared for my life")
    heard = caller.last
    assert "9 9 9" in heard.text, transcript(caller)
    assert heard.text.index("9 9 9") < heard.text.index("out-of-hours team")
    put_through = caller.press("1").check()
    assert put_through.dial and put_through.dial["number"] != caller.called


def test_asking_for_a_person_is_put_through_with_a_whisper(phone_line, sandbox):
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=164)
    caller = Caller(phone_line)
    run(caller, "my blue bin wasn't emptied", spelt(house["postcode"]), "yes")
    heard = caller.say("can I speak to a real person please").check()
    assert heard.dial and heard.dial["answerOnBridge"] == "true" and heard.dial["number"] == "+441632960101"
    assert heard.dial["number"] != caller.called
    whisper = caller.whisper().check()
    assert whisper.mentions("missed bin", "Chorley Council"), whisper.text
    # Nobody answered: the caller hears so, with the council's routes, and the call ends (no loop back to the bot).
    action = heard.dial["action"]
    unanswered = parse(*_answer(caller.post(action, caller.params(DialCallStatus="no-answer")))).check()
    assert unanswered.mentions("nobody could take your call", "0 1 2 5 7") and unanswered.hung_up
    answered = parse(*_answer(caller.post(action, caller.params(DialCallStatus="completed"))))
    assert answered.hung_up and not answered.says


def test_silence_twice_offers_a_person_and_never_a_third_reprompt(phone_line):
    caller = Caller(phone_line)
    run(caller)
    first = caller.silence().check()
    assert first.mentions("didn't hear anything", "press 1") and first.gather
    second = caller.silence().check()
    assert second.mentions("speak to someone") and second.gather
    third = caller.silence().check()
    assert third.hung_up and not third.gather


def test_nonsense_twice_offers_a_person(phone_line):
    caller = Caller(phone_line)
    run(caller, "#9")
    from connectors.phone.wording import words

    assert caller.last.mentions(words("not_understood_first"))
    assert caller.press("8").check().mentions("speak to someone")


def test_a_caller_hanging_up_mid_journey_sends_nothing(phone_line, sandbox):
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=165)
    caller = Caller(phone_line)
    run(caller, "my blue bin wasn't emptied", spelt(house["postcode"]), "yes", house_number(house))
    assert caller.last.mentions("shall I report it"), transcript(caller)
    assert caller.hang_up().status_code == 204
    assert not tracker(phone_line, caller).get("active_loop")
    assert missed_bin_reports(sandbox.url, house["uprn"]) == []
    late = caller.press("1")  # a late answer, after the call ended, starts nothing
    assert missed_bin_reports(sandbox.url, house["uprn"]) == []
    assert late.status == 200
