"""Card numbers never enter the assistant: the channels remove them before Rasa sees, stores or logs a message.

Payments happen on GOV.UK Pay's secure page, never in chat or speech (PCI DSS). A Luhn-valid run of 13 to 19
digits, with or without spaces or hyphens, is treated as a card number.
"""
from __future__ import annotations

import re
from typing import Text, Tuple

# What the channel sends instead of a message that held a card number: an intent, so no NLU sees the message.
CARD_NUMBER_REMOVED = "/card_number_removed"

_CANDIDATE = re.compile(r"(?<![\d])\d+(?:[ \-]\d+)*(?![\d])")


def luhn_valid(digits: Text) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def contains_card_number(text: Text) -> bool:
    """Whether any run of digit groups ("4242 4242 4242 4242", "4242424242424242") holds a card number.

    Every stretch of whole groups is checked, not only the whole run: "4242 4242 4242 4242 12/30 123" has a card
    number followed by its expiry month, which together fail the Luhn check."""
    for match in _CANDIDATE.finditer(text or ""):
        groups = re.split(r"[ \-]", match.group(0))
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and luhn_valid(digits):
                    return True
    return False


def screen(text: Text) -> Tuple[Text, bool]:
    """The message to pass on, and whether a card number was removed."""
    if contains_card_number(text):
        return CARD_NUMBER_REMOVED, True
    return text, False
