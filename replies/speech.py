"""What a caller hears for a bot message: the parts read aloud, or, for a message without parts (a domain response
or a message from staff), its text with the web's Markdown and addresses taken out."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from .parts import Link, part_from_json
from .telling import SAY_KEY, render

_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)")
_BARE_URL = re.compile(r"\s*(?:\(?https?://\S+?\)?|www\.\S+)(?=[\s,;:!?]|\.(?:\s|$)|$)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+", re.M)
_SENTENCE_START = re.compile(r"(?:^|(?<=[.?!] ))[a-z]")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")


def spoken_text(message: Dict[Text, Any]) -> Text:
    """The words for a caller, one line, sentences kept apart."""
    say = message.get(SAY_KEY)
    text = render(say["template"], say.get("values") or {}, "spoken") if say else message.get("text") or ""
    return plain(text)


def plain(text: Text) -> Text:
    """Markdown, web addresses and emoji out; list items and lines as sentences."""
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _BARE_URL.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _BULLET.sub("", text)
    text = _EMOJI.sub("", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    sentences = [line if line[-1] in ".?!:" else f"{line}." for line in lines]
    said = re.sub(r"\s{2,}", " ", " ".join(sentences)).strip()
    # A sentence that starts with a link's purpose ("the recycling page has...") starts with a capital like any other.
    return _SENTENCE_START.sub(lambda found: found.group(0).upper(), said)


def links(message: Dict[Text, Any]) -> List[Link]:
    """The links in a message, which a phone offers to send by text message."""
    say = message.get(SAY_KEY) or {}
    found = []
    for value in (say.get("values") or {}).values():
        if isinstance(value, dict) and value.get("kind") == Link.kind:
            found.append(part_from_json(value))
    return found


def expects(message: Dict[Text, Any]) -> Text:
    """What the message's question wants ("postcode", "yes_no", ...), or "" when it did not say."""
    return (message.get(SAY_KEY) or {}).get("expects") or ""
