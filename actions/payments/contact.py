"""The resident's choice of confirmation: an email address or a UK mobile number, or none.

Stored in the `order_contact` slot as "email:<address>", "sms:<number>" or "none", only until the journey ends.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Optional, Tuple

from replies import PhoneNumber, Words

from ..clients.records import Contact

NONE = "none"
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MOBILE = re.compile(r"(?:\+44\s?7|\b07)(?:[\s-]?\d){9}\b")
_DIGIT_WORDS = {"zero": "0", "nought": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "plus": "+"}
_REPEATS = {"double": 2, "treble": 3, "triple": 3}


def read_contact(text: str) -> Optional[str]:
    """The email address or mobile number in `text`, as the slot keeps it; None if there is neither. A number may
    be said as callers say it, and as speech recognition writes it down: "oh seven seven double oh nine..."."""
    email = _EMAIL.search(text or "")
    if email:
        return f"email:{email.group(0)}"
    mobile = _MOBILE.search(text or "") or _MOBILE.search(_digits_as_said(text or ""))
    if mobile:
        digits = re.sub(r"\D", "", mobile.group(0))
        return f"sms:0{digits[2:]}" if digits.startswith("44") else f"sms:{digits}"
    return None


def _digits_as_said(text: str) -> str:
    """Spoken digits written as digits, each run joined: "oh seven seven double oh nine" -> "077009",
    "plus four four seven..." -> "+447..."; other words stay, apart, so they break a run."""
    tokens = re.findall(r"[a-z]+|\d+|\+", text.lower())
    out = []
    repeat = 1
    for token in tokens:
        if token in _REPEATS:
            repeat = _REPEATS[token]
            continue
        digits = _DIGIT_WORDS.get(token, token if token.isdigit() or token == "+" else None)
        if digits is None:
            out.append(" ")
        else:
            out.append(digits[0] * repeat + digits[1:] if digits != "+" else "+")
        repeat = 1
    return "".join(out)


def caller_mobile(latest_message: Optional[Dict[str, Any]]) -> Optional[str]:
    """The mobile number a caller is calling from (the phone channel puts it in the user message's metadata as
    "caller"), as the slot keeps it ("sms:07700900123"); None off the phone, for a withheld number or a landline,
    which can't take a text message."""
    caller = ((latest_message or {}).get("metadata") or {}).get("caller")
    chosen = read_contact(str(caller)) if caller else None
    return chosen if chosen and chosen.startswith("sms:") else None


def split(value: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """("email" or "sms", the address or number), or (None, None)."""
    if not value or value == NONE or ":" not in value:
        return None, None
    channel, _, address = value.partition(":")
    return channel, address


def as_records_contact(value: Optional[str]) -> Optional[Contact]:
    channel, address = split(value)
    if channel == "email":
        return Contact(email=address)
    if channel == "sms":
        return Contact(phone=address)
    return None


def say_contact(value: Optional[str]) -> str:
    """"by email to a@b.com" / "by text to 07700 900123" for the confirmation sentence."""
    return contact_words(value).web_text


def contact_words(value: Optional[str]) -> Words:
    """say_contact for a reply (replies/): on the phone, the mobile number in groups a caller can check."""
    channel, address = split(value)
    if channel == "email":
        return Words(f"by email to {address}", f"by email to {address}")
    if channel == "sms":
        return Words(f"by text message to {address}", f"by text message to {_spoken_mobile(address)}")
    return Words("", "")


def address_words(value: Optional[str]) -> Words:
    """The address or number itself, as the web shows it and a caller hears it."""
    channel, address = split(value)
    return Words(address or "", _spoken_mobile(address) if channel == "sms" else address or "")


def _spoken_mobile(number: Optional[str]) -> str:
    digits = re.sub(r"\D", "", number or "")
    return PhoneNumber(f"{digits[:5]} {digits[5:]}" if len(digits) == 11 else digits).spoken()
