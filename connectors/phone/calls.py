"""What the phone line remembers about each call between two webhooks, keyed by the call's CallSid.

Twilio calls the webhook afresh for every answer, and with several Rasa processes the next answer may reach
another process: so the call's state is in Redis when connectors/shared_state.py says Redis is configured, and in
this process's memory otherwise. Either way it expires (CALL_SECONDS): a call that ended without a status callback
leaves nothing behind for long. Nothing the caller said is kept here beyond the pending read-back (a postcode) and
the last thing said to them (for "repeat").
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Text

from connectors.shared_state import key_prefix, redis_url

CALL_SECONDS = 4 * 60 * 60  # longer than any call a council line allows


@dataclass
class Prompt:
    """The question the caller was last asked: said again on "repeat", and read for their answer."""
    lines: List[Text] = field(default_factory=list)  # the question itself, with its keypad menu
    said: List[Text] = field(default_factory=list)  # everything said in that turn: "repeat" says it again
    options: List[Dict[Text, Any]] = field(default_factory=list)  # buttons: {"title", "payload"}
    by_house_number: bool = False  # a long address list: chosen by house number, never read out
    expects: Text = ""  # "postcode", "yes_no", "number", "reference", "address" or ""
    hints: Text = ""


@dataclass
class CallState:
    call_sid: Text
    caller: Text = ""  # From: only ever used to offer a text message to it
    assistant_number: Text = ""  # To: a transfer must never dial it
    started: bool = False
    prompt: Prompt = field(default_factory=Prompt)
    reprompts: int = 0  # reprompts in a row; the second becomes an offer of a person, never a third
    pending: Dict[Text, Any] = field(default_factory=dict)  # a question of the channel's own: {"kind": ...}
    links_offered: List[Text] = field(default_factory=list)  # addresses already offered by text on this call
    ended: bool = False
    put_through: bool = False  # to council staff: the hang-up tells the staff console the caller has gone
    callback_council: Optional[Text] = None  # a callback request is under way, for this council's line

    def as_json(self) -> Text:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: Any) -> "CallState":
        data = json.loads(text)
        data["prompt"] = Prompt(**(data.get("prompt") or {}))
        return cls(**data)


class MemoryCalls:
    def __init__(self, seconds: int = CALL_SECONDS, clock=time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._calls: Dict[Text, Any] = {}

    async def load(self, call_sid: Text) -> Optional[CallState]:
        self._forget_expired()
        found = self._calls.get(call_sid)
        return CallState.from_json(found[1]) if found else None

    async def save(self, state: CallState) -> None:
        self._calls[state.call_sid] = (self.clock() + self.seconds, state.as_json())

    async def drop(self, call_sid: Text) -> None:
        self._calls.pop(call_sid, None)

    def _forget_expired(self) -> None:
        now = self.clock()
        for sid in [sid for sid, (until, _) in self._calls.items() if until < now]:
            del self._calls[sid]


class RedisCalls:
    def __init__(self, redis: Any, prefix: Text, seconds: int = CALL_SECONDS) -> None:
        self.redis = redis
        self.prefix = f"{prefix}phone:call:"
        self.seconds = seconds

    async def load(self, call_sid: Text) -> Optional[CallState]:
        found = await self.redis.get(self.prefix + call_sid)
        return CallState.from_json(found) if found else None

    async def save(self, state: CallState) -> None:
        await self.redis.set(self.prefix + state.call_sid, state.as_json(), ex=self.seconds)

    async def drop(self, call_sid: Text) -> None:
        await self.redis.delete(self.prefix + call_sid)


def call_store(environ: Optional[Mapping[Text, Text]] = None) -> Any:
    """Redis when the shared state is configured (WEBCHAT_REDIS_URL or REDIS_URL), memory otherwise."""
    url = redis_url(environ)
    if not url:
        return MemoryCalls()
    from redis import asyncio as aioredis

    return RedisCalls(aioredis.Redis.from_url(url), key_prefix(environ))
