"""No sentence said twice in one answer (issue 12): "Thank you. ... Thank you.", a question asked, answered and
asked again in the same turn. Checked on every turn of every conversation test (tests/stack.py Conversation.say).

A sentence here is three words or more (shorter ones, "Yes." or "Goodbye.", are labels), compared without case,
punctuation or extra spaces. Lines of a list (addresses, help lines) are sentences too: the same line twice is the
same mistake.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Dict, Iterable, List

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_NOT_WORD = re.compile(r"[^\w\s']+")
MIN_WORDS = 3


def sentences(text: str) -> List[str]:
    found = []
    for piece in _SENTENCE_END.split(text or ""):
        words = _NOT_WORD.sub(" ", piece.lower().replace("’", "'")).split()
        if len(words) >= MIN_WORDS:
            found.append(" ".join(words))
    return found


def repeated_sentences(messages: Iterable[Dict[str, Any]]) -> List[str]:
    """The sentences said more than once across one turn's messages."""
    counts = Counter(s for message in messages for s in sentences(message.get("text") or ""))
    return [sentence for sentence, count in counts.items() if count > 1]
