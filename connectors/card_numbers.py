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


# -- First cut of the guard's hooks (connectors/guard.py); hardened with the rest of this module. ---------------------

def clean_text(text: Text) -> Text:
    """The message as Rasa should see it: lone surrogates (which make NLU fail) and control characters removed."""
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text
    return "".join(ch if ch in "\n\t" or ord(ch) >= 32 else " " for ch in text if ch != "\x7f")


def _has_surrogate(text: Text) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def could_continue_card_number(text: Text) -> bool:
    """Whether the message starts with digits, so it might complete a card number begun in the previous one."""
    return bool(re.match(r"\W*\d", text))


def completes_card_number(previous: Text, current: Text) -> bool:
    """Whether the end of the previous message and the start of this one together make a card number."""
    head = re.search(r"[\d \-]+$", previous or "")
    tail = re.match(r"^[\d \-]+", current or "")
    if not head or not tail:
        return False
    return contains_card_number(head.group(0).strip() + " " + tail.group(0).strip())


async def erase_previous_user_message(agent, sender_id: Text, event) -> None:
    """Erase the first half of a split card number from the stored conversation (the tracker store's own method)."""
    store = getattr(agent, "tracker_store", None)
    erase = getattr(store, "erase_user_message", None)
    if erase is not None and event is not None:
        await erase(sender_id, event)
