"""Card numbers never enter the assistant: the channels remove them before Rasa sees, stores or logs a message.

Payments happen on GOV.UK Pay's secure page, never in chat or speech (PCI DSS). A Luhn-valid run of 13 to 19
digits, with or without spaces or hyphens, is treated as a card number.
"""
from __future__ import annotations

import re
from typing import Text, Tuple

# What the channel sends instead of a message that held a card number: an intent, so no NLU sees the message.
CARD_NUMBER_REMOVED = "/card_number_removed"

_CANDIDATE = re.compile(r"(?<![\d])(?:\d[ \-]?){12,18}\d(?![\d])")


def luhn_valid(digits: Text) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def contains_card_number(text: Text) -> bool:
    for match in _CANDIDATE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    return False


def screen(text: Text) -> Tuple[Text, bool]:
    """The message to pass on, and whether a card number was removed."""
    if contains_card_number(text):
        return CARD_NUMBER_REMOVED, True
    return text, False
