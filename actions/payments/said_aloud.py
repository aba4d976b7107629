"""Answers to the paid journeys' questions as callers say them, for the validators that read typed answers.

Speech recognition writes a reference or a registration said one character at a time as "S R 7 0 0 1 8 5 1 9" or
"b j six six f n e"; the validators' readers (actions/common/understanding.py) expect it as typed. Tried only after
the typed reading found nothing, so the web chat's answers read exactly as before.
"""
from __future__ import annotations

import re
from typing import List, Text

_DIGIT_WORDS = {"zero": "0", "nought": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_REPEATS = {"double": 2, "treble": 3, "triple": 3}


def said_one_by_one(text: Text) -> Text:
    """A PCN or registration as a caller says it and speech recognition writes it down, one character at a time
    ("S R 7 0 0 1 8 5 1 9", "b j six six f n e", "double oh"), joined as it is typed: "SR70018519", "BJ66FNE".
    Other words are kept, so a sentence around it still reads."""
    out: List[Text] = []
    repeat = 1
    for word in re.findall(r"[a-z0-9'’]+", (text or "").lower()):
        if word in _REPEATS:
            repeat = _REPEATS[word]
            continue
        char = _DIGIT_WORDS.get(word, word)
        single = len(char) == 1 or char.isdigit()
        piece = (char[0] * repeat + char[1:]) if single else char
        if single and out and out[-1] != " ":
            out[-1] += piece.upper()
        else:
            out += [" ", piece.upper()] if out else [piece.upper()]
        if not single:
            out.append(" ")
        repeat = 1
    return "".join(out).strip()
