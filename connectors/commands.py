"""A typed `/intent{...}` is obeyed only when the bot offered it as a button, or when it is harmless.

Rasa reads any message starting with "/" as an intent with entities, skipping NLU. Buttons rely on that, but a
resident could type `/restart`, `/session_start` or `/inform{"ct_attempts": 0}` and be obeyed as if they had pressed
a button. Anything else that looks like a command loses its leading slashes and is read as words.
"""
from __future__ import annotations

import re
from typing import Iterable, Text

# Intents a resident could say in words anyway, with no entities: typing them gains nothing.
HARMLESS_INTENTS = frozenset({
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope", "request_human", "cancel",
    "urgent_help",
})
_PLAIN_INTENT = re.compile(r"/([a-z_]+)")


def neutralise_typed_command(text: Text, offered_payloads: Iterable[Text]) -> Text:
    if not text.startswith("/"):
        return text
    if text in set(offered_payloads):
        return text
    plain = _PLAIN_INTENT.fullmatch(text)
    if plain and plain.group(1) in HARMLESS_INTENTS:
        return text
    return text.lstrip("/").strip() or "?"
