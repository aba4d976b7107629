"""A simulated caller for the phone line: posts Twilio's webhooks, signed as Twilio signs them, and reads the TwiML.

    caller = Caller(rasa_url)
    heard = caller.ring()              # the call starts (Twilio's voice URL)
    heard = caller.say("my bin wasn't emptied")
    heard = caller.press("1")
    heard = caller.silence()
    caller.hang_up()                   # the status callback of a caller who hung up

Each answer is a `Heard`: what the caller hears (`text`), whether the line listens (`gather`), puts them through
(`dial`) or hangs up (`hung_up`). `Heard.check()` asserts what every answer must be: British English, speech and
keypad accepted, no Markdown, no web address, no emoji.
"""
from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from urllib.parse import urljoin

import requests
from twilio.request_validator import RequestValidator

DEMO_TOKEN = "sandbox-phone-token"
CALLER_NUMBER = "+447700900123"  # a mobile in Ofcom's drama range
ASSISTANT_NUMBER = "+441632960100"  # Chorley's phone_line_number (councils/chorley.yml)
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")


@dataclass
class Heard:
    status: int
    xml: str
    says: List[str] = field(default_factory=list)
    gather: Optional[Dict[str, str]] = None
    dial: Optional[Dict[str, str]] = None  # {"number", "url", "answerOnBridge", "action"}
    hung_up: bool = False
    say_languages: List[Optional[str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.says)

    def check(self) -> "Heard":
        """What every answer must be, whatever the conversation."""
        assert self.status == 200, (self.status, self.xml)
        assert self.says or self.dial or self.hung_up, f"dead air: {self.xml}"
        for language in self.say_languages:
            assert language == "en-GB", self.xml
        for said in self.says:
            for web_only in ("**", "](", "http", "www.", "__", "`"):
                assert web_only not in said, f"{web_only!r} in what the caller hears: {said}"
            assert not _EMOJI.search(said), said
        if self.gather is not None:
            assert self.gather.get("input") == "speech dtmf", self.xml
            assert self.gather.get("language") == "en-GB", self.xml
        return self

    def mentions(self, *words: str) -> bool:
        text = self.text.lower()
        return all(word.lower() in text for word in words)


def parse(status: int, xml: str) -> Heard:
    heard = Heard(status, xml)
    if status != 200:
        return heard
    root = ET.fromstring(xml)
    assert root.tag == "Response", xml
    for element in root.iter():
        if element.tag == "Say":
            heard.says.append(" ".join("".join(element.itertext()).split()))
            heard.say_languages.append(element.get("language"))
        elif element.tag == "Gather":
            heard.gather = dict(element.attrib)
        elif element.tag == "Hangup":
            heard.hung_up = True
        elif element.tag == "Dial":
            heard.dial = dict(element.attrib)
            number = element.find("Number")
            if number is not None:
                heard.dial.update(number=(number.text or "").strip(), url=number.get("url", ""))
    return heard


class Caller:
    """One call to the line, from `number` (None: a withheld number) to `called` (the assistant's number)."""

    def __init__(self, rasa_url: str, token: str = DEMO_TOKEN, number: Optional[str] = CALLER_NUMBER,
                 called: str = ASSISTANT_NUMBER, public_url: Optional[str] = None) -> None:
        self.rasa_url = rasa_url.rstrip("/")
        self.public_url = (public_url or rasa_url).rstrip("/")
        self.validator = RequestValidator(token)
        self.sid = "CA" + uuid.uuid4().hex
        self.number = number or "anonymous"
        self.called = called
        self.heard: List[Heard] = []
        self.action = "/webhooks/phone/voice"

    @property
    def last(self) -> Heard:
        return self.heard[-1]

    def params(self, **extra: str) -> Dict[str, str]:
        base = {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "CallSid": self.sid,
                "CallStatus": "in-progress", "Direction": "inbound", "From": self.number, "Caller": self.number,
                "To": self.called, "Called": self.called}
        base.update(extra)
        return base

    def post(self, path: str, params: Dict[str, str], signature: Optional[str] = "sign") -> requests.Response:
        """POST as Twilio does: form-encoded, signed over the public URL and the parameters."""
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = self.validator.compute_signature(self.public_url + path, params)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return requests.post(self.rasa_url + path, data=params, headers=headers, timeout=60)

    def _heard(self, answer: requests.Response) -> Heard:
        heard = parse(answer.status_code, answer.text)
        if heard.gather and heard.gather.get("action"):
            self.action = urljoin(self.action, heard.gather["action"])
        self.heard.append(heard)
        return heard

    def ring(self) -> Heard:
        return self._heard(self.post("/webhooks/phone/voice", self.params(CallStatus="ringing")))

    def say(self, speech: str, confidence: str = "0.91") -> Heard:
        return self._heard(self.post(self.action, self.params(SpeechResult=speech, Confidence=confidence)))

    def press(self, digits: str) -> Heard:
        """Keys pressed; a closing "#" ends the entry and, as with Twilio, is not sent (finishOnKey)."""
        keys = digits[:-1] if digits.endswith("#") else digits
        return self._heard(self.post(self.action, self.params(Digits=keys, msg="Gather End")))

    def silence(self) -> Heard:
        return self._heard(self.post(self.action, self.params()))

    def hang_up(self, status: str = "completed") -> requests.Response:
        return self.post("/webhooks/phone/status", self.params(CallStatus=status, CallDuration="42"))

    def whisper(self) -> Heard:
        """What the member of staff hears when they answer the transfer (Twilio fetches the Number's url)."""
        assert self.last.dial, self.last.xml
        child = self.params(CallSid="CA" + uuid.uuid4().hex, Direction="outbound-dial")
        return parse(*_status_text(self.post(self.last.dial["url"], child)))


def _status_text(answer: requests.Response):
    return answer.status_code, answer.text
