"""The resident's choice of confirmation: an email address or a UK mobile number, or none.

Stored in the `order_contact` slot as "email:<address>", "sms:<number>" or "none", only until the journey ends.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

from ..clients.records import Contact

NONE = "none"
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MOBILE = re.compile(r"(?:\+44\s?7|\b07)(?:[\s-]?\d){9}\b")


def read_contact(text: str) -> Optional[str]:
    """The email address or mobile number in `text`, as the slot keeps it; None if there is neither."""
    email = _EMAIL.search(text or "")
    if email:
        return f"email:{email.group(0)}"
    mobile = _MOBILE.search(text or "")
    if mobile:
        digits = re.sub(r"\D", "", mobile.group(0))
        return f"sms:0{digits[2:]}" if digits.startswith("44") else f"sms:{digits}"
    return None


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
    channel, address = split(value)
    if channel == "email":
        return f"by email to {address}"
    if channel == "sms":
        return f"by text message to {address}"
    return ""
