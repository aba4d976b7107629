"""The terminal phone simulator (scripts/phone_simulator.py, what ./scripts/call.sh runs) against a fake TwiML server.

The fake server is not the phone channel: it checks every request's X-Twilio-Signature with the `twilio` library's
RequestValidator (as a real channel must), records what was posted and answers scripted TwiML, so these tests pin
down that the simulator speaks Twilio's protocol whatever the channel does.
"""
from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from scripts import phone_simulator
from scripts.phone_simulator import PhoneSimulator, parse_answer

TOKEN = "test-phone-token"
CALLER = "+447700900123"
LINE = "+441632960100"

SAY = '<Say language="en-GB">{}</Say>'
ASK = '<Gather input="speech dtmf" language="en-GB" action="/webhooks/phone/voice" actionOnEmptyResult="true">{}</Gather>'


def twiml(*verbs: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>"


class FakeTwilioApp:
    """Answers each POST with the next scripted TwiML for its path, after checking the signature like a channel."""

    def __init__(self, token: str = TOKEN) -> None:
        self.validator = RequestValidator(token)
        self.requests: List[Dict] = []
        self.answers: Dict[str, List[str]] = {}
        self.address = ""  # where it listens
        self.url = ""  # the public URL it validates signatures for (PHONE_PUBLIC_URL)

    def script(self, path: str, *documents: str) -> None:
        self.answers.setdefault(path, []).extend(documents)

    def handle(self, path: str, fields: Dict[str, str], headers: Dict[str, str]) -> Tuple[int, str]:
        valid = self.validator.validate(self.url + path, fields, headers.get("X-Twilio-Signature", ""))
        self.requests.append({"path": path, "fields": fields, "valid": valid, "headers": headers})
        if not valid:
            return 403, "forbidden"
        queue = self.answers.get(path.split("?")[0]) or []
        return 200, (queue.pop(0) if queue else twiml())

    def voice(self) -> List[Dict[str, str]]:
        return [r["fields"] for r in self.requests if r["path"].startswith("/webhooks/phone/voice")]

    def status(self) -> List[Dict[str, str]]:
        return [r["fields"] for r in self.requests if r["path"] == "/webhooks/phone/status"]


@pytest.fixture
def fake() -> Iterator[FakeTwilioApp]:
    app = FakeTwilioApp()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            assert self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
            status, text = app.handle(self.path, dict(parse_qsl(body, keep_blank_values=True)), dict(self.headers))
            self.send_response(status)
            self.send_header("Content-Type", "text/xml" if status == 200 else "text/plain")
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    app.address = app.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    server.server_close()


def call(app: FakeTwilioApp, lines: List[Optional[str]], token: str = TOKEN, **options) -> Tuple[PhoneSimulator, List[str]]:
    """Run one call typing `lines` in turn (None: Ctrl-D); what the terminal showed."""
    shown: List[str] = []
    typed = iter(lines)
    simulator = PhoneSimulator(url=app.address, token=token, caller=CALLER, called=LINE, ask=lambda: next(typed, None),
                               show=shown.append, **options)
    simulator.run()
    return simulator, shown


# ---------------------------------------------------------------- typed answers


@pytest.mark.parametrize("line, kind, fields", [
    ("my bin wasn't emptied", "speech", {"SpeechResult": "my bin wasn't emptied", "Confidence": "0.9"}),
    ("#123", "digits", {"Digits": "123"}),
    ("press 1", "digits", {"Digits": "1"}),
    ("Press 2#", "digits", {"Digits": "2"}),
    ("#*9", "digits", {"Digits": "*9"}),
    ("", "silence", {}),
    ("   ", "silence", {}),
    ("/hangup", "hangup", {}),
    (None, "hangup", {}),
    ("12 Market Street", "speech", {"SpeechResult": "12 Market Street", "Confidence": "0.9"}),
])
def test_typed_lines_become_what_twilio_posts(line, kind, fields):
    answer = parse_answer(line)
    assert (answer.kind, answer.fields) == (kind, fields)


# ---------------------------------------------------------------- a whole call


def test_a_call_posts_signed_webhooks_with_twilios_fields(fake):
    fake.script(
        "/webhooks/phone/voice",
        twiml(SAY.format("Hello, this is Chorley Council."), ASK.format(SAY.format("What can I help with?"))),
        twiml(ASK.format(SAY.format("What is your postcode?"))),
        twiml(ASK.format(SAY.format("Press 1 for 12 Market Street."))),
        twiml(ASK.format(SAY.format("Is that right? Press 1 for yes."))),
        twiml(SAY.format("Sorry, I didn't hear that."), ASK.format(SAY.format("Press 1 for yes, 2 for no."))),
        twiml(SAY.format("Thank you. Goodbye."), "<Hangup/>"),
    )
    simulator, shown = call(fake, ["my bin wasn't emptied", "#123", "press 1", "", "press 1"])

    assert all(r["valid"] for r in fake.requests), "every request must carry a valid X-Twilio-Signature"
    voice = fake.voice()
    assert len(voice) == 6
    for fields in voice:
        assert fields["CallSid"] == simulator.call_sid and fields["CallSid"].startswith("CA")
        assert len(fields["CallSid"]) == 34
        assert fields["From"] == CALLER and fields["To"] == LINE and fields["Direction"] == "inbound"
    assert voice[0]["CallStatus"] == "ringing"
    assert not {"SpeechResult", "Digits"} & set(voice[0])
    assert voice[1]["SpeechResult"] == "my bin wasn't emptied" and voice[1]["Confidence"] == "0.9"
    assert "Digits" not in voice[1] and voice[1]["CallStatus"] == "in-progress"
    assert voice[2]["Digits"] == "123" and "SpeechResult" not in voice[2]
    assert voice[3]["Digits"] == "1"
    assert not {"SpeechResult", "Digits", "Confidence"} & set(voice[4]), "silence posts neither speech nor keys"
    assert voice[5]["Digits"] == "1"
    # the call ended with Twilio's status callback, once
    assert [s["CallStatus"] for s in fake.status()] == ["completed"]
    assert fake.status()[0]["CallSid"] == simulator.call_sid

    assert "Assistant: Hello, this is Chorley Council." in shown
    assert "Assistant: Press 1 for 12 Market Street." in shown
    assert "Assistant: Thank you. Goodbye." in shown
    assert "(the assistant hangs up)" in shown and shown[-1] == "(call ended)"
    assert simulator.turns == 5
    assert simulator.heard[-1] == "Thank you. Goodbye."


def test_hanging_up_mid_call_posts_the_status_callback_and_nothing_more(fake):
    fake.script("/webhooks/phone/voice", twiml(ASK.format(SAY.format("What is your postcode?"))))
    simulator, shown = call(fake, ["/hangup", "never sent"])
    assert len(fake.voice()) == 1
    status = fake.status()
    assert len(status) == 1 and status[0]["CallStatus"] == "completed" and status[0]["CallSid"] == simulator.call_sid
    assert all(r["valid"] for r in fake.requests)
    assert "(you hung up)" in shown


def test_end_of_input_is_a_hang_up(fake):
    fake.script("/webhooks/phone/voice", twiml(ASK.format(SAY.format("Hello?"))))
    call(fake, [None])
    assert [s["CallStatus"] for s in fake.status()] == ["completed"]


def test_a_transfer_shows_the_number_and_what_staff_hear_first(fake):
    fake.script(
        "/webhooks/phone/voice",
        twiml(SAY.format("I'll put you through to customer services."),
              '<Dial answerOnBridge="true" callerId="+441632960100">'
              '<Number url="/webhooks/phone/whisper?call=1">+441632960101</Number></Dial>'),
    )
    fake.script("/webhooks/phone/whisper", twiml(SAY.format("A caller about a missed bin at 12 Market Street."),
                                                 SAY.format("Reference REP-100017.")))
    simulator, shown = call(fake, [])
    assert "(transferring to +441632960101)" in shown
    assert "(staff hear: A caller about a missed bin at 12 Market Street.)" in shown
    assert "(staff hear: Reference REP-100017.)" in shown
    whisper = [r for r in fake.requests if r["path"].startswith("/webhooks/phone/whisper")]
    assert len(whisper) == 1 and whisper[0]["valid"], "the whisper URL (with its query string) is signed too"
    assert whisper[0]["path"] == "/webhooks/phone/whisper?call=1"
    leg = whisper[0]["fields"]
    assert leg["ParentCallSid"] == simulator.call_sid and leg["CallSid"] != simulator.call_sid
    assert leg["To"] == "+441632960101" and leg["Direction"] == "outbound-dial"
    # what staff hear is not what the caller heard
    assert simulator.heard == ["I'll put you through to customer services."]
    assert [s["CallStatus"] for s in fake.status()] == ["completed"]


def test_silence_without_action_on_empty_result_runs_the_twiml_after_the_gather(fake):
    # Twilio's own behaviour: a gather that times out does not post to its action unless actionOnEmptyResult.
    fake.script(
        "/webhooks/phone/voice",
        twiml('<Gather input="speech dtmf" language="en-GB" action="/webhooks/phone/voice">'
              + SAY.format("What is your postcode?") + "</Gather>",
              SAY.format("I didn't hear anything."), '<Redirect method="POST">/webhooks/phone/voice?silence=1</Redirect>'),
        twiml(SAY.format("Goodbye."), "<Hangup/>"),
    )
    simulator, shown = call(fake, [""])
    paths = [r["path"] for r in fake.requests]
    assert paths == ["/webhooks/phone/voice", "/webhooks/phone/voice?silence=1", "/webhooks/phone/status"]
    assert all(r["valid"] for r in fake.requests)
    assert shown.index("Assistant: I didn't hear anything.") < shown.index("Assistant: Goodbye.")


def test_a_gather_that_ends_the_twiml_on_silence_is_a_hang_up(fake):
    fake.script("/webhooks/phone/voice",
                twiml('<Gather input="speech dtmf" language="en-GB">' + SAY.format("Hello?") + "</Gather>"))
    _, shown = call(fake, [""])
    assert "(the TwiML ends here, so Twilio hangs up)" in shown
    assert len(fake.voice()) == 1


def test_a_gather_hears_only_the_inputs_it_accepts(fake):
    # Twilio's default input is dtmf only: words said to such a gather are never heard.
    fake.script("/webhooks/phone/voice",
                twiml('<Gather action="/webhooks/phone/voice" actionOnEmptyResult="true">'
                      + SAY.format("Press 1.") + "</Gather>"),
                twiml('<Gather input="speech" action="/webhooks/phone/voice" actionOnEmptyResult="true">'
                      + SAY.format("Say it.") + "</Gather>"),
                twiml("<Hangup/>"))
    _, shown = call(fake, ["yes please", "#1"])
    voice = fake.voice()
    assert not {"SpeechResult", "Digits"} & set(voice[1])
    assert not {"SpeechResult", "Digits"} & set(voice[2])
    assert "(this question only listens for keys: your words are not heard)" in shown
    assert "(this question only listens for speech: your keys are not heard)" in shown


def test_keys_beyond_a_gathers_num_digits_are_not_sent(fake):
    fake.script("/webhooks/phone/voice",
                twiml('<Gather input="speech dtmf" numDigits="1" action="/webhooks/phone/voice">'
                      + SAY.format("Press 1 for bins.") + "</Gather>"),
                twiml("<Hangup/>"))
    _, shown = call(fake, ["#108"])
    assert fake.voice()[1]["Digits"] == "1"
    assert "(this question takes 1 key: Twilio sends 1)" in shown


def test_a_say_that_is_not_british_english_is_pointed_out(fake):
    fake.script("/webhooks/phone/voice", twiml('<Say>Hello</Say><Say language="en-US">Hi</Say>', "<Hangup/>"))
    _, shown = call(fake, [])
    assert sum("not marked language=\"en-GB\"" in line for line in shown) == 2


def test_ssml_inside_a_say_is_read_as_its_words(fake):
    fake.script("/webhooks/phone/voice",
                twiml('<Say language="en-GB">Your reference is <say-as interpret-as="characters">REP</say-as>'
                      '<break time="500ms"/> 100 017.</Say>', "<Hangup/>"))
    simulator, _ = call(fake, [])
    assert simulator.heard == ["Your reference is REP 100 017."]


def test_a_wrong_token_is_refused_and_the_caller_hears_twilios_error(fake):
    simulator, shown = call(fake, ["hello"], token="not-the-token")
    assert fake.requests[0]["valid"] is False
    assert any("HTTP 403" in line and "application error" in line for line in shown)
    assert len(fake.voice()) == 1, "nothing more is posted once the webhook failed"


def test_signatures_are_made_for_the_public_url_behind_a_proxy(fake):
    # Twilio signs the public address it calls; the simulator posts to --url but signs --public-url.
    public = "https://phone.council.example"
    fake.url = public  # the fake validates as a channel with PHONE_PUBLIC_URL=https://phone.council.example
    fake.script("/webhooks/phone/voice",
                twiml(ASK.format(SAY.format("Hello?"))), twiml("<Hangup/>"))
    shown: List[str] = []
    typed = iter(["hello"])
    PhoneSimulator(url=fake.address, public_url=public, token=TOKEN, caller=CALLER, called=LINE,
                   ask=lambda: next(typed, None), show=shown.append).run()
    assert len(fake.requests) == 3 and all(r["valid"] for r in fake.requests)


def test_no_answer_from_the_server_says_so():
    shown: List[str] = []
    PhoneSimulator(url="http://127.0.0.1:9", token=TOKEN, called=LINE, show=shown.append, timeout=2).run()
    assert any("no answer from" in line for line in shown)


# ---------------------------------------------------------------- speaking aloud


def test_speak_without_espeak_says_so_and_still_prints(monkeypatch):
    monkeypatch.setattr(phone_simulator.shutil, "which", lambda name: None)
    shown: List[str] = []
    speaker = phone_simulator.Speaker(True, shown.append)
    assert len(shown) == 1 and "espeak-ng is not installed" in shown[0]
    speaker.say("Hello")  # nothing to run, no error


def test_speak_uses_espeak_in_british_english(monkeypatch):
    monkeypatch.setattr(phone_simulator.shutil, "which", lambda name: "/usr/bin/espeak-ng")
    runs: List[List[str]] = []
    monkeypatch.setattr(phone_simulator.subprocess, "run", lambda args, **kw: runs.append(args))
    speaker = phone_simulator.Speaker(True, lambda line: pytest.fail(line))
    speaker.say("Your bin day is Tuesday.")
    assert runs == [["/usr/bin/espeak-ng", "-v", "en-gb", "-s", "150", "Your bin day is Tuesday."]]


def test_call_sh_runs_the_simulator():
    result = subprocess.run(["./scripts/call.sh", "--help"], cwd=phone_simulator.ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--speak", "--council", "--from", "--url"):
        assert option in result.stdout


# ---------------------------------------------------------------- the benchmark's counting (benchmarks/phone.py)


def test_the_benchmark_counts_keypad_turns_to_the_reference_and_times_every_voice_webhook(fake):
    from benchmarks import phone

    house = {"house": "108", "postcode": "PR7 1DP", "bin": "blue bin"}
    options = {"url": fake.address, "token": TOKEN, "called": LINE}
    fake.script(
        "/webhooks/phone/voice",
        twiml(ASK.format(SAY.format("Press 1 for Report a missed bin, press 2 for Find my bin day."))),
        twiml(ASK.format(SAY.format("What's the postcode of the address?"))),
        twiml(ASK.format(SAY.format("I heard P R 7, 1 D P. Is that right? Say yes or press 1, say no or press 2."))),
        twiml(ASK.format(SAY.format("Say or key in your house number."))),
        twiml(ASK.format(SAY.format("Press 1 for Green bin, press 2 for Blue bin."))),
        twiml(SAY.format("Thank you. Your reference is R E P, 1 0 0, 0 1 7."), ASK.format(SAY.format("Anything else?"))),
    )
    result = phone.keypad_missed_bin(options, house, spoken_postcode=True)
    assert result["reported"] is True and result["turns"] == 5
    assert result["spoken_answers"] == ["the postcode, spoken"]
    answers = [line for line in result["transcript"] if line.startswith("Caller: ")]
    assert answers == ["Caller: press 1", "Caller: P R 7 1 D P", "Caller: press 1", "Caller: #108", "Caller: press 2",
                       "Caller: /hangup"]
    assert [s["CallStatus"] for s in fake.status()] == ["completed"]
    assert all(r["valid"] for r in fake.requests)

    # keys alone: the postcode keyed as the keys its letters are on, then picked from the line's keypad menu
    fake.script("/webhooks/phone/voice",
                twiml(ASK.format(SAY.format("Press 1 for Report a missed bin."))),
                twiml(ASK.format(SAY.format("What's the postcode of the address?"))),
                twiml(ASK.format(SAY.format("Which postcode is it?") + SAY.format("Press 1 for P R 7, 1 F P.")
                                 + SAY.format("Press 2 for P R 7, 1 D P."))),
                twiml(ASK.format(SAY.format("Say or key in your house number."))),
                twiml(ASK.format(SAY.format("Your reference is R E P, 1 0 0, 0 1 8."))))
    result = phone.keypad_missed_bin(options, house)
    assert result["reported"] is True and result["turns"] == 4 and result["spoken_answers"] == []
    assert fake.voice()[-3]["Digits"] == "777137" and fake.voice()[-2]["Digits"] == "2"

    # a question keys can't answer stops the call and says so
    fake.script("/webhooks/phone/voice", twiml(ASK.format(SAY.format("Tell me in your own words."))))
    result = phone.keypad_missed_bin(options, house)
    assert result["reported"] is False and result["stopped"] == "no keypad answer fits"

    fake.requests.clear()
    calls = phone.simultaneous_calls({"url": fake.address, "token": TOKEN, "called": LINE}, 3)
    figures = phone.summary(calls)
    # each call: its start, answered with TwiML that ends the call
    assert figures["calls"] == 3 and figures["webhooks"] == len(fake.voice()) == 3
    assert figures["failed_calls"] == 0 and figures["median_ms"] > 0
