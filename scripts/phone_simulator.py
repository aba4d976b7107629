"""A phone call to the assistant from a terminal: this plays Twilio, you play the caller (`./scripts/call.sh`).

It does what Twilio Programmable Voice does for a council's number: posts the start of the call to the voice URL,
signs every request with the account's auth token (X-Twilio-Signature, the `twilio` library's RequestValidator),
reads the TwiML answer, says each `<Say>` (printed; aloud too with --speak and espeak-ng), and at each `<Gather>`
sends what the caller said (SpeechResult, Confidence) or keyed (Digits) to the gather's action URL. What you type:

    words             speech, as Twilio's recogniser would write it down (Confidence 0.9)
    #123 or press 1   keys on the keypad (Digits)
    (an empty line)   silence: the gather times out
    /hangup           put the phone down (Ctrl-D too): the status callback says CallStatus=completed

As Twilio does, a silent gather goes to its action only with actionOnEmptyResult="true", and otherwise the TwiML
after the gather runs (a <Redirect>, say); speech is not heard by a gather without "speech" in `input`, nor keys
without "dtmf" (Twilio's default input is dtmf only), and keys beyond its numDigits are not sent. `<Dial>` shows the
number dialled and what the member of staff hears before the call connects (the `<Number url>` whisper);
`<Hangup/>`, a transfer, or the end of the TwiML ends the call, and the status callback is posted as Twilio posts it
when a call ends.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import urljoin

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "http://127.0.0.1:5005"
DEFAULT_TOKEN = "sandbox-phone-token"  # the local demo's TWILIO_AUTH_TOKEN (contract, section 4)
DEFAULT_CALLER = "+447700900123"  # Ofcom's drama range for mobiles: never a real phone
VOICE_PATH = "/webhooks/phone/voice"
STATUS_PATH = "/webhooks/phone/status"
CONFIDENCE = "0.9"
# Twilio's behaviour when a webhook fails: it says this, then hangs up.
TWILIO_APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."


def new_sid(prefix: str) -> str:
    """A Twilio-style id: two letters and 32 hex digits (CA... a call, AC... an account)."""
    return prefix + secrets.token_hex(16)


def signature(token: str, url: str, params: Dict[str, str]) -> str:
    """X-Twilio-Signature for a POST of `params` to `url`, as Twilio computes it."""
    return RequestValidator(token).compute_signature(url, params)


@dataclass
class Answer:
    """What the caller did at a gather: `kind` is speech, digits, silence or hangup; `fields` what Twilio posts."""

    kind: str
    fields: Dict[str, str] = field(default_factory=dict)


_KEYS = re.compile(r"^(?:#|press\s+)([0-9*#]+)$", re.IGNORECASE)


def parse_answer(line: Optional[str]) -> Answer:
    """A typed line as Twilio would report it (None is the end of input: the caller has gone)."""
    if line is None:
        return Answer("hangup")
    text = line.strip()
    if text.lower() == "/hangup":
        return Answer("hangup")
    if not text:
        return Answer("silence")
    keys = _KEYS.match(text)
    if keys:
        # '#' is the key that ends a gather (finishOnKey): Twilio leaves it out of Digits.
        digits = keys.group(1).rstrip("#")
        if digits:
            return Answer("digits", {"Digits": digits})
        return Answer("silence")
    return Answer("speech", {"SpeechResult": text, "Confidence": CONFIDENCE})


def spoken_text(element: ElementTree.Element) -> str:
    """The words of a <Say>, SSML inside it (<break>, <say-as>, <prosody>...) read as its text."""
    return " ".join(" ".join(element.itertext()).split())


def says_in(element: ElementTree.Element) -> List[str]:
    """Every <Say> under an element, in order (a whisper may put them inside a <Gather>)."""
    return [spoken_text(say) for say in element.iter("Say") if spoken_text(say)]


class Speaker:
    """Says the assistant's words aloud with espeak-ng in British English, when it is installed."""

    def __init__(self, enabled: bool, show: Callable[[str], None]) -> None:
        self.program = shutil.which("espeak-ng") if enabled else None
        if enabled and not self.program:
            show("(--speak: espeak-ng is not installed, so nothing is said aloud and the words are only printed. "
                 "Install it with: sudo apt-get install espeak-ng)")

    def say(self, text: str) -> None:
        if self.program:
            subprocess.run([self.program, "-v", "en-gb", "-s", "150", text], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@dataclass
class Document:
    """A TwiML answer and the (public) URL it came from: relative action URLs resolve against it."""

    url: str
    root: ElementTree.Element


class PhoneSimulator:
    """One call, from the first ring to the status callback."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        token: str = DEFAULT_TOKEN,
        caller: str = DEFAULT_CALLER,
        called: str = "",
        public_url: Optional[str] = None,
        ask: Callable[[], Optional[str]] = lambda: None,
        show: Callable[[str], None] = print,
        speak: bool = False,
        voice_path: str = VOICE_PATH,
        status_path: str = STATUS_PATH,
        timeout: float = 20.0,
        session: Optional[requests.Session] = None,
        show_twiml: bool = False,
    ) -> None:
        self.base_url = url.rstrip("/")
        # Twilio signs the URL it calls, which is the public address; here the two differ only behind a proxy.
        self.public_url = (public_url or url).rstrip("/")
        self.token = token
        self.caller = caller
        self.called = called
        self.ask = ask
        self.show = show
        self.speaker = Speaker(speak, show)
        self.voice_path = voice_path
        self.status_path = status_path
        self.timeout = timeout
        self.session = session or requests.Session()
        self.show_twiml = show_twiml
        self.call_sid = new_sid("CA")
        self.account_sid = new_sid("AC")
        self.status = "ringing"
        self.ended = False
        self.heard: List[str] = []  # every <Say> the caller heard, in order
        self.turns = 0  # answers the caller gave (speech, keys or silence)

    # ------------------------------------------------------------------ what Twilio sends

    def call_fields(self) -> Dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": self.status,
            "Direction": "inbound",
            "From": self.caller,
            "Caller": self.caller,
            "To": self.called,
            "Called": self.called,
            "FromCountry": "GB",
            "ToCountry": "GB",
        }

    def post(self, public_url: str, fields: Dict[str, str]) -> requests.Response:
        """A signed, form-encoded POST, as Twilio sends every webhook."""
        actual = public_url
        if public_url.startswith(self.public_url):
            actual = self.base_url + public_url[len(self.public_url):]
        headers = {"X-Twilio-Signature": signature(self.token, public_url, fields),
                   "User-Agent": "TwilioProxy/1.1 (council assistant phone simulator)"}
        return self.session.post(actual, data=fields, headers=headers, timeout=self.timeout)

    def fetch(self, public_url: str, fields: Dict[str, str]) -> Optional[Document]:
        """POST a webhook and read its TwiML; None (after saying what Twilio would do) when it fails."""
        try:
            answer = self.post(public_url, fields)
        except requests.RequestException as error:
            self.show(f"(no answer from {public_url}: {error}. Is ./scripts/run.sh running?)")
            return None
        if answer.status_code != 200:
            self.show(f"(the webhook answered HTTP {answer.status_code}: Twilio would say "
                      f"\"{TWILIO_APPLICATION_ERROR}\" and hang up)")
            return None
        if self.show_twiml:
            self.show(f"(TwiML from {public_url}: {answer.content.decode('utf-8', 'replace').strip()})")
        try:
            root = ElementTree.fromstring(answer.content)
        except ElementTree.ParseError as error:
            self.show(f"(the answer is not TwiML ({error}): Twilio would say \"{TWILIO_APPLICATION_ERROR}\" "
                      "and hang up)")
            return None
        if root.tag != "Response":
            self.show(f"(the answer's root is <{root.tag}>, not <Response>: Twilio would hang up)")
            return None
        return Document(public_url, root)

    def status_callback(self) -> None:
        """Twilio's status callback when the call ends."""
        self.status = "completed"
        fields = {**self.call_fields(), "CallDuration": "60"}
        try:
            answer = self.post(self.public_url + self.status_path, fields)
            if answer.status_code >= 300:
                self.show(f"(the status callback answered HTTP {answer.status_code})")
        except requests.RequestException as error:
            self.show(f"(the status callback was not answered: {error})")

    # ------------------------------------------------------------------ the call

    def run(self) -> None:
        self.show(f"(calling {self.called or 'the phone line'} from {self.caller} at {self.base_url}, "
                  f"call {self.call_sid})")
        document = self.fetch(self.public_url + self.voice_path, self.call_fields())
        self.status = "in-progress"
        while document is not None and not self.ended:
            document = self.play(document)
        self.end()

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.status_callback()
            self.show("(call ended)")

    def say(self, text: str) -> None:
        self.heard.append(text)
        self.show(f"Assistant: {text}")
        self.speaker.say(text)

    def play(self, document: Document) -> Optional[Document]:
        """Run one TwiML document's verbs in order; the next document, or None when the call is over."""
        for verb in document.root:
            if verb.tag == "Say":
                self.play_say(verb)
            elif verb.tag == "Play":
                self.show(f"(plays audio: {(verb.text or '').strip()})")
            elif verb.tag == "Pause":
                self.show(f"(pause, {verb.get('length', '1')} s)")
            elif verb.tag == "Gather":
                outcome, target = self.play_gather(document, verb)
                if outcome == "hangup":
                    self.show("(you hung up)")
                    return None
                if outcome == "timed out":
                    continue  # silence not sent to the action: Twilio carries on with the verbs after the gather
                return target  # None: the webhook failed, so the call is over
            elif verb.tag == "Redirect":
                url = urljoin(document.url, (verb.text or "").strip())
                return self.fetch(url, self.call_fields())
            elif verb.tag == "Dial":
                self.play_dial(document, verb)
                return None
            elif verb.tag == "Enqueue":
                self.show(f"(waiting in the queue \"{(verb.text or '').strip()}\" for a member of staff)")
                return None
            elif verb.tag in ("Hangup", "Reject"):
                self.show("(the assistant hangs up)")
                return None
            else:
                self.show(f"(Twilio does not know <{verb.tag}> in a voice call: the call would fail here)")
                return None
        self.show("(the TwiML ends here, so Twilio hangs up)")
        return None

    def play_say(self, verb: ElementTree.Element) -> None:
        text = spoken_text(verb)
        if not text:
            return
        if verb.get("language") != "en-GB":
            self.show(f"(note: this <Say> is not marked language=\"en-GB\": language={verb.get('language')!r})")
        self.say(text)

    def play_gather(self, document: Document, gather: ElementTree.Element) -> Tuple[str, Optional[Document]]:
        """Play what the gather says, take the caller's answer: ("hangup", None), ("timed out", None) for silence
        the action is not told of, or (what was sent, the action's TwiML or None when it failed)."""
        for child in gather:
            if child.tag == "Say":
                self.play_say(child)
            elif child.tag == "Play":
                self.show(f"(plays audio: {(child.text or '').strip()})")
            elif child.tag == "Pause":
                self.show(f"(pause, {child.get('length', '1')} s)")
        accepts = set((gather.get("input") or "dtmf").split())
        answer = parse_answer(self.ask())
        if answer.kind == "hangup":
            return "hangup", None
        self.turns += 1
        if answer.kind == "speech" and "speech" not in accepts:
            self.show("(this question only listens for keys: your words are not heard)")
            answer = Answer("silence")
        if answer.kind == "digits" and "dtmf" not in accepts:
            self.show("(this question only listens for speech: your keys are not heard)")
            answer = Answer("silence")
        wanted = gather.get("numDigits", "")
        if answer.kind == "digits" and wanted.isdigit() and len(answer.fields["Digits"]) > int(wanted):
            # Twilio stops listening after numDigits keys: the rest are pressed into the next question, or lost.
            kept = answer.fields["Digits"][:int(wanted)]
            self.show(f"(this question takes {wanted} key{'s' if wanted != '1' else ''}: Twilio sends {kept})")
            answer = Answer("digits", {"Digits": kept})
        if answer.kind == "silence" and gather.get("actionOnEmptyResult", "false").lower() != "true":
            return "timed out", None
        action = urljoin(document.url, gather.get("action") or document.url)
        return answer.kind, self.fetch(action, {**self.call_fields(), **answer.fields})

    def play_dial(self, document: Document, dial: ElementTree.Element) -> None:
        numbers = [child for child in dial if child.tag in ("Number", "Client", "Sip", "Queue", "Conference")]
        if not numbers and (dial.text or "").strip():
            self.show(f"(transferring to {(dial.text or '').strip()})")
        for target in numbers:
            name = (target.text or "").strip()
            if target.tag != "Number":
                self.show(f"(transferring to the {target.tag.lower()} {name})")
                continue
            self.show(f"(transferring to {name})")
            if target.get("url"):
                self.whisper(urljoin(document.url, target.get("url")), name, dial.get("callerId"))
        self.show("(the caller is now talking to a member of staff: the simulator stops here)")

    def whisper(self, url: str, number: str, caller_id: Optional[str]) -> None:
        """What the member of staff hears on answering, before the caller is put through (Twilio fetches it on
        the new call leg to staff, signed like any webhook)."""
        fields = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": new_sid("CA"),
            "ParentCallSid": self.call_sid,
            "CallStatus": "in-progress",
            "Direction": "outbound-dial",
            "From": caller_id or self.called,
            "To": number,
        }
        saved = self.heard
        self.heard = []
        staff = self.fetch(url, fields)
        self.heard = saved
        if staff is None:
            return
        for text in says_in(staff.root):
            self.show(f"(staff hear: {text})")


def read_line(prompt: str = "You: ") -> Optional[str]:
    try:
        line = input(prompt)
    except EOFError:
        print()
        return None
    if not sys.stdin.isatty():
        print(line)  # answers piped in from a file: show them where a person's typing would be
    return line


def main(argv: Optional[List[str]] = None) -> int:
    from councils import COUNCIL_IDS
    from councils.phone_line import e164, phone_line_number

    parser = argparse.ArgumentParser(
        prog="./scripts/call.sh",
        description="Phone the assistant from a terminal: plays Twilio against the phone line's webhooks.",
        epilog="At each question type words (speech), #123 or 'press 1' (keys), an empty line (silence) or /hangup.",
    )
    parser.add_argument("--speak", action="store_true", help="also say the assistant's words aloud (espeak-ng)")
    parser.add_argument("--council", choices=COUNCIL_IDS, default="chorley",
                        help="whose phone line to ring (its contact.phone_line_number is the call's To)")
    parser.add_argument("--from", dest="caller", default=DEFAULT_CALLER, help="the caller's number")
    parser.add_argument("--url", default=DEFAULT_URL, help="where the Rasa server listens")
    parser.add_argument("--public-url", default=None,
                        help="the URL the signatures are made for, when the server's PHONE_PUBLIC_URL is not --url")
    parser.add_argument("--twiml", action="store_true", help="also print each TwiML answer as it came")
    parser.add_argument("--token", default=os.environ.get("TWILIO_AUTH_TOKEN") or DEFAULT_TOKEN,
                        help="the auth token (default: TWILIO_AUTH_TOKEN, or the local demo's sandbox-phone-token)")
    args = parser.parse_args(argv)
    called = e164(phone_line_number(args.council)) or ""
    print("At each question: type words to speak, #123 or 'press 1' for keys, Enter for silence, /hangup to hang up.")
    simulator = PhoneSimulator(
        url=args.url, token=args.token, caller=args.caller, called=called, public_url=args.public_url,
        ask=read_line, show=lambda line: print(line, flush=True), speak=args.speak, show_twiml=args.twiml,
    )
    try:
        simulator.run()
    except KeyboardInterrupt:
        print()
        simulator.end()
    return 0


if __name__ == "__main__":
    sys.exit(main())
