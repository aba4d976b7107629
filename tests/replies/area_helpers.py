"""What the area reply tests share: a dispatcher that keeps what was said, a tracker, and the caller's checks."""
from __future__ import annotations

import asyncio
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from replies.speech import spoken_text


class Dispatcher:
    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    def utter_message(self, **kwargs: Any) -> None:
        self.messages.append(kwargs)


def tracker(slots: Optional[Dict[str, Any]] = None, intent: str = "inform", text: str = "",
            events: Optional[List[Dict[str, Any]]] = None, active_loop: Optional[Dict[str, Any]] = None) -> Tracker:
    return Tracker("test-sender", dict(slots or {}), {"intent": {"name": intent}, "text": text, "entities": []},
                   list(events or []), False, None, active_loop or {}, None)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def assert_fit_for_a_caller(message: Dict[str, Any]) -> str:
    """What a caller hears has no Markdown, no web address, and any reference spelt out; returns it."""
    said = spoken_text(message)
    assert said, message
    for mark in ("**", "](", "http", "www."):
        assert mark not in said, f"{mark!r} in what a caller hears: {said}"
    for reference in re.findall(r"\b(?:REP-\d{6}|SUB-[A-Z0-9]{10})\b", said):
        raise AssertionError(f"reference {reference} not spelt out: {said}")
    return said
