"""Personal details taken out of what residents said, for people who need the words but not the person: trainers
reading handovers in the console (and the review of messages the assistant did not understand, issue 15).

`redact(text)` puts a placeholder where a detail was: "[name]" (after "my name is", "I'm called", "call me", a
title like "Mrs"), "[email]", "[card number]" (any run of 13 to 19 digits, whatever the Luhn check says: a trainer
never needs one), "[phone]" (UK numbers, 0... or +44...), "[postcode]", "[reference]" (report references like
REP-104523, PCNs like CH12345678, council tax accounts and any other run of 6 or more digits), "[address]" (a house
number and street). `redact_details(value)` does the same to a handover's details and callback (JSON), and replaces
the fields that are personal by their nature (address, name, contact) whatever they hold.

It removes what has a shape; a name typed without a lead-in ("john here") stays. That is why trainers, not the
public, read the result.
"""
from __future__ import annotations

import re
from typing import Any

from councils.postcodes import normalise as normal_postcode

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Digits split by spaces or dashes (how people type long numbers), 13-19 of them: a card number or one like it.
_CARD = re.compile(r"(?<![\d])\d(?:[ \-]?\d){12,18}(?![\d])")
# UK numbers: 0 or +44 (0) then 9-10 more digits, in groups.
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|0044\s?|0)\d(?:[ \-]?\d){8,9}(?!\d)")
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9])\s*([A-Za-z]{2})(?![A-Za-z0-9])"
)
_REPORT_REFERENCE = re.compile(r"(?<![A-Za-z0-9])REP[\s\-_.:#/]*\d{3}\s?\d{3}(?!\d)", re.IGNORECASE)
_PCN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\s?\d{8}(?!\d)", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"(?<![\d])\d(?:[ \-]?\d){5,}(?![\d])")
_STREET_WORDS = (
    "road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|court|ct|crescent|grove|place|gardens|terrace|view|"
    "walk|row|park|hill|green|mews|square|brow|fold|meadow|meadows|rise|croft|bank"
)
_ADDRESS = re.compile(
    rf"\b(?:flat\s+\d+[a-z]?,?\s+)?\d+[a-z]?,?\s+(?:[A-Za-z'-]+\s+){{1,3}}(?:{_STREET_WORDS})\b", re.IGNORECASE
)
_NAME_LEAD = re.compile(
    r"\b(?P<lead>my name is|my name's|name is|i am called|i'm called|im called|call me|this is|it's|"
    r"i am|i'm|im|mr|mrs|ms|miss|dr)\.?\s+(?P<name>[A-Za-z][A-Za-z'\-]*(?:\s+[A-Za-z][A-Za-z'\-]*){0,2})",
    re.IGNORECASE,
)
# Leads that name someone whatever follows; the others ("I'm", "it's", "this is") only before a capitalised word,
# so "I'm worried" and "this is about my bin" stay as they are.
_ALWAYS_A_NAME = {"my name is", "my name's", "name is", "i am called", "i'm called", "im called", "call me",
                  "mr", "mrs", "ms", "miss", "dr"}
_TITLES = {"mr", "mrs", "ms", "miss", "dr"}
# Words after a lead-in that are not part of a name ("my name is Sam and I live...").
_NOT_NAMES = {
    "and", "but", "or", "so", "i", "im", "i'm", "my", "the", "a", "an", "here", "from", "at", "on", "in", "of",
    "to", "about", "please", "thanks", "thank", "you", "is", "was", "not", "just", "calling", "ringing", "again",
    "with", "for", "by", "it", "its", "it's", "we", "me", "your", "our", "their", "this", "that",
}
_PERSONAL_FIELDS = {"address": "[address]", "name": "[name]", "contact": "[contact]", "callback_name": "[name]",
                    "callback_contact": "[contact]", "email": "[email]", "phone": "[phone]", "mobile": "[phone]",
                    "caller": "[phone]"}


def redact(text: str) -> str:
    """`text` with names, emails, phone numbers, postcodes, references, addresses and card-like numbers replaced."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[card number]", text)
    text = _PHONE.sub("[phone]", text)
    text = _POSTCODE.sub(_postcode, text)
    text = _REPORT_REFERENCE.sub("[reference]", text)
    text = _PCN.sub("[reference]", text)
    text = _ADDRESS.sub("[address]", text)
    text = _LONG_NUMBER.sub("[reference]", text)
    return _NAME_LEAD.sub(_name, text)


def _postcode(found: re.Match) -> str:
    return "[postcode]" if normal_postcode("".join(found.groups())) else found.group(0)


def _name(found: re.Match) -> str:
    lead = found.group("lead")
    words = found.group("name").split()
    kept = []
    for word in words:
        if word.lower() in _NOT_NAMES:
            break
        kept.append(word)
    if not kept:
        return found.group(0)
    if lead.lower() not in _ALWAYS_A_NAME and not kept[0][0].isupper():
        return found.group(0)
    if lead.lower() in _TITLES or lead.lower() not in _ALWAYS_A_NAME:
        # "Mrs Jones rang", "This is Dave Brown speaking": the name is the capitalised words that follow.
        capitalised = []
        for word in kept[:2]:
            if not word[0].isupper():
                break
            capitalised.append(word)
        kept = capitalised or kept[:1]
    rest = words[len(kept):]
    return f"{lead} [name]" + ("" if not rest else " " + " ".join(rest))


def redact_details(value: Any, key: str = "") -> Any:
    """A handover's details or callback (JSON) with every string redacted and personal fields replaced."""
    if key in _PERSONAL_FIELDS and value not in (None, "", [], {}):
        return _PERSONAL_FIELDS[key]
    if key == "references" and isinstance(value, list):
        return ["[reference]" for _ in value]
    if isinstance(value, dict):
        return {k: redact_details(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_details(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    return value
