"""What the phone line answers Twilio: one Turn (what to say, then listen, put through or hang up) as TwiML.

Everything is said in British English by one voice. While the caller is expected to answer, everything is said
inside the <Gather>, so a caller who knows the answer can speak or press a key without waiting; silence still
reaches the webhook (actionOnEmptyResult), so the channel decides what happens next, never Twilio.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Text, Tuple

from twilio.twiml.voice_response import VoiceResponse

LANGUAGE = "en-GB"
VOICE = "Polly.Amy"
VOICE_PATH = "/webhooks/phone/voice"
SLOW_RATE = "85%"  # "repeat" says it again at this speed, so it can be written down


@dataclass
class Turn:
    lines: List[Text] = field(default_factory=list)
    listen: bool = True  # a <Gather> follows (almost always: a caller is asked something)
    hints: Text = ""
    single_key: bool = False  # a keypad menu of up to 9 options: one key press is the whole answer
    slow: bool = False
    dial: Optional[Tuple[Text, Text, Text]] = None  # (number, whisper url, dial action url)
    hang_up: bool = False

    def twiml(self) -> Text:
        response = VoiceResponse()
        if self.listen and not (self.dial or self.hang_up):
            gather = response.gather(
                input="speech dtmf", language=LANGUAGE, speech_timeout="auto", timeout=6, action=VOICE_PATH,
                method="POST", action_on_empty_result=True, hints=self.hints or None,
                num_digits=1 if self.single_key else None,
            )
            self._say_all(gather)
        else:
            self._say_all(response)
        if self.dial:
            number, whisper_url, action_url = self.dial
            dial = response.dial(answer_on_bridge=True, action=action_url, method="POST")
            dial.number(number, url=whisper_url, method="POST")
        if self.hang_up:
            response.hangup()
        return str(response)

    def _say_all(self, parent) -> None:
        for line in self.lines:
            if not line:
                continue
            if self.slow:
                parent.say(language=LANGUAGE, voice=VOICE).prosody(line, rate=SLOW_RATE)
            else:
                parent.say(line, language=LANGUAGE, voice=VOICE)


def just_say(*lines: Text) -> Text:
    """TwiML that says `lines` and nothing more (the whisper to staff)."""
    return Turn(list(lines), listen=False).twiml()


def hang_up(*lines: Text) -> Text:
    return Turn(list(lines), listen=False, hang_up=True).twiml()
