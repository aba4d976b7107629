"""A typed `/intent{...}` is obeyed only when the bot offered it as a button, or when it is harmless.

Rasa reads any message whose text, stripped of whitespace, starts with "/" as an intent with entities and a
confidence (`/inform{"bin_type":"blue"}@0.9`), skipping NLU. Buttons rely on that, but a resident could type
`/restart` or `/session_start` (which would reset a conversation's protections), or
`/inform{"uprn":"..."}` (an address the bot never offered), and be obeyed as if they had pressed a button.

So a command is passed on only when it is exactly the payload of a button the bot offered since the resident last
spoke, or a harmless intent with nothing else (the widget's hidden "/greet", "/request_human" and "/affirm" are
among them). Anything else that looks like a command is read as words: it loses its leading slashes and
whitespace, in any mix (" / /restart"), and Rasa's machine parts, a confidence and a JSON of entities, so NLU can't
pick a detail out of `{"bin_type":"blue"}` either: `/inform{"bin_type":"blue"}` is read as "inform". Case matters
to Rasa, and so here: "/RESTART" is not an intent, and is read as words too.
"""
from __future__ import annotations

import re
from typing import Iterable, Text

COMMAND_PREFIX = "/"  # rasa.shared.constants.INTENT_MESSAGE_PREFIX
# Intents a resident could say in words anyway, with no entities: typing them gains nothing. Never add Rasa's own
# `restart`, `session_start` or `back`, or an intent that carries a detail.
HARMLESS_INTENTS = frozenset({
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope", "request_human", "cancel",
    "urgent_help",
})
NOTHING_LEFT = "?"  # what a message of slashes alone becomes: NLU then asks the resident to rephrase
_PLAIN_INTENT = re.compile(r"/([a-z_]+)")
_CONFIDENCE = re.compile(r"@[0-9.]+")


def is_command(text: Text) -> bool:
    """Whether Rasa would read this text as an intent rather than words (it strips the text first)."""
    return text.strip().startswith(COMMAND_PREFIX)


def is_harmless(text: Text) -> bool:
    plain = _PLAIN_INTENT.fullmatch(text.strip())
    return bool(plain) and plain.group(1) in HARMLESS_INTENTS


def neutralise_typed_command(text: Text, offered_payloads: Iterable[Text]) -> Text:
    """The message as Rasa should read it: a command only when it was offered or is harmless, otherwise words."""
    if not is_command(text):
        return text
    if text.strip() in {payload.strip() for payload in offered_payloads} or is_harmless(text):
        return text.strip()
    return as_words(text)


def as_words(text: Text) -> Text:
    """The text without its leading slashes and whitespace, however they are mixed, and without a command's
    confidence and entities ("/ /inform@0.9{...}" -> "inform"); other words are kept as they are."""
    words = text.strip()
    while words.startswith(COMMAND_PREFIX):
        words = words.lstrip(COMMAND_PREFIX).strip()
    return _without_machine_parts(words) or NOTHING_LEFT


def _without_machine_parts(words: Text) -> Text:
    """The name before "@0.9{...}" when that is all that follows it, as Rasa's pattern reads a command; otherwise
    the words unchanged ("email sam@example.com" stays). No backtracking regular expression: plain string steps."""
    cuts = [at for at in (words.find("{"), words.find("@")) if at >= 0]
    if not cuts:
        return words
    name, tail = words[:min(cuts)], words[min(cuts):].rstrip()
    confidence = _CONFIDENCE.match(tail)
    if confidence:
        tail = tail[confidence.end():].lstrip()
    if tail == "" and confidence or tail.startswith("{") and tail.endswith("}"):
        return name.strip()
    return words
