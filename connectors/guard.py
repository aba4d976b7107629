"""What every channel does with a resident's message before Rasa sees it, in one place.

In order:
1. Tidy the text (`card_numbers.clean_text`): Unicode normalised, lone surrogates and control characters gone, so
   nothing downstream fails on it (a failure would otherwise log the words).
2. Refuse an empty or overlong message (`max_length` characters): a 30,000-character message would hold up other
   residents while NLU reads it. A message far over the limit is refused before it is even tidied.
3. Refuse a message over the rate limits, per conversation and per client address (`limits.RateLimits`, one set
   for the whole process, or in Redis for every Rasa process). A channel whose requests are signed per call (the
   phone line) passes no address: it is limited per conversation only.
4. Remove card numbers, in any spelling, and a card number split over this message and the previous one: then the
   previous message is erased from the stored conversation too (`card_numbers`).
5. Honour a typed `/intent{...}` only when the bot offered it as a button or it is harmless
   (`commands.neutralise_typed_command`): a resident can't act as a button or reset a protection. It comes after
   the card numbers so that nothing left of a message can start a command; the only other command that reaches
   Rasa is the guard's own `card_numbers.CARD_NUMBER_REMOVED`.
6. Stamp the message's metadata with an opaque key for the client (`limits.client_key`), which the action server uses
   for limits that a new conversation must not reset. Whatever a client sent under that key is replaced.

Channels call `MessageGuard.admit` and either pass on an `Admitted` message or tell the resident why it was
`Refused` (the reason is worded for the resident).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text, Union

from connectors import card_numbers, commands, limits, log_privacy, metrics

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_LENGTH = 2000
# Tidying can shorten a message (invisible characters go), so only one this many times over the limit is refused
# before it is tidied.
TIDY_AT_MOST = 2
CLIENT_METADATA_KEY = "client"

# Said when handling a message produced no answer at all: Rasa logs a failed custom action (the action server down or
# too slow) and carries on in silence, which leaves the resident waiting at a dead end. A conversation handed to
# staff (paused) will be silent on purpose: the handover work must skip this for it.
NO_ANSWER = (
    "Sorry, I can't answer that just now because part of the service isn't working. Please try again in a few "
    "minutes, or contact the council if it can't wait."
)

REFUSALS = {
    "empty_message": "The message is empty.",
    "message_too_long": "That message is too long for me: please keep it under {limit} characters.",
    "too_many_messages": "You're sending messages faster than I can answer. Please wait a moment and try again.",
}


@dataclass(frozen=True)
class Admitted:
    text: Text
    metadata: Dict[Text, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    code: Text
    message: Text


class MessageGuard:
    channel: Text = "unlabelled"  # the channel's name, for its metrics (set by connectors.metrics.observe_channel)

    def __init__(
        self, max_length: int = DEFAULT_MAX_MESSAGE_LENGTH, rate_limits: Optional["limits.RateLimits"] = None
    ) -> None:
        if max_length < 1:
            raise ValueError("The longest message allowed must be at least 1 character.")
        self.max_length = max_length
        log_privacy.install()  # Rasa's own logs never quote what residents write, whatever fails
        self.rate_limits = rate_limits if rate_limits is not None else limits.shared_rate_limits()

    def refuse(self, code: Text) -> Refused:
        metrics.guard_refused(self.channel, code)
        return Refused(code, REFUSALS[code].format(limit=self.max_length))

    async def admit(
        self,
        agent: Any,
        sender_id: Text,
        text: Any,
        metadata: Optional[Dict[Text, Any]],
        client_address: Optional[Text],
    ) -> Union[Admitted, Refused]:
        log_privacy.withhold(text)  # no log record made while handling this message quotes its words
        text = text if isinstance(text, str) else ""
        if len(text) > TIDY_AT_MOST * self.max_length:  # don't spend time tidying what will be refused anyway
            return self.refuse("message_too_long")
        text = card_numbers.clean_text(text).strip()
        if not text:
            return self.refuse("empty_message")
        if len(text) > self.max_length:
            return self.refuse("message_too_long")
        if not await self.rate_limits.admit(sender_id, client_address):  # in Redis when several Rasa processes run
            logger.info("A message was refused: over the rate limit.")
            return self.refuse("too_many_messages")
        history = await _History.load(agent, sender_id, text)
        screened, removed = card_numbers.screen(text)
        if not removed and card_numbers.completes_card_number(history.last_user_text(), text):
            await card_numbers.erase_previous_user_message(agent, sender_id, history.last_user_event())
            screened, removed = card_numbers.CARD_NUMBER_REMOVED, True
        if not removed:
            screened = commands.neutralise_typed_command(screened, history.offered_payloads())
        metrics.guard_screened(self.channel, removed, screened != text)
        return Admitted(screened, self._stamped(metadata, client_address))

    @staticmethod
    def _stamped(metadata: Any, client_address: Optional[Text]) -> Dict[Text, Any]:
        """The metadata with our client key, never the client's own; none when the channel gave no address."""
        stamped = dict(metadata) if isinstance(metadata, dict) else {}
        stamped.pop(CLIENT_METADATA_KEY, None)
        key = limits.client_key(client_address)
        if key:
            stamped[CLIENT_METADATA_KEY] = key
        return stamped


class _History:
    """The little of the stored conversation the guard needs, read only when the message could need it."""

    def __init__(self, events: List[Dict[Text, Any]]) -> None:
        self.events = events

    @classmethod
    async def load(cls, agent: Any, sender_id: Text, text: Text) -> "_History":
        needed = commands.is_command(text) or card_numbers.could_continue_card_number(text)
        store = getattr(agent, "tracker_store", None)
        if not needed or store is None:
            return cls([])
        tracker = await store.retrieve(sender_id)
        return cls([event.as_dict() for event in tracker.events] if tracker is not None else [])

    def _latest(self, kind: Text) -> Optional[Dict[Text, Any]]:
        for event in reversed(self.events):
            if event.get("event") == kind:
                return event
        return None

    def offered_payloads(self) -> List[Text]:
        """Button payloads of the bot's messages since the resident last spoke."""
        payloads: List[Text] = []
        for event in reversed(self.events):
            if event.get("event") == "user":
                break
            if event.get("event") == "bot":
                for button in (event.get("data") or {}).get("buttons") or []:
                    if isinstance(button, dict) and isinstance(button.get("payload"), str):
                        payloads.append(button["payload"])
        return payloads

    def last_user_event(self) -> Optional[Dict[Text, Any]]:
        return self._latest("user")

    def last_user_text(self) -> Text:
        event = self.last_user_event()
        return (event or {}).get("text") or ""
