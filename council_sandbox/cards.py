"""Card numbers on the hosted payment page: checks, brands and GOV.UK Pay's test cards.

Nothing here logs, stores or returns a card number. Functions take the digits and answer a verdict; callers keep
only `last_digits` and the brand. Error messages never echo what was typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Optional, Tuple

# GOV.UK Pay's sandbox test cards (https://docs.payments.service.gov.uk/testing_govuk_pay/).
DECLINED = "4000000000000002"
EXPIRED = "4000000000000069"
SUCCEEDS = "4242424242424242"

_SEPARATORS = re.compile(r"[\s-]+")


def digits_of(typed: str) -> Optional[str]:
    """The digits of a card number as typed ("4242 4242-4242 4242"), or None if anything else is in it."""
    plain = _SEPARATORS.sub("", typed or "")
    return plain if plain.isdigit() else None


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def brand(digits: str) -> str:
    """The card scheme, as GOV.UK Pay names it in card_details.card_brand."""
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return "Visa"
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "Mastercard"
    if two in (34, 37):
        return "American Express"
    if two in (36, 38) or 300 <= int(digits[:3]) <= 305:
        return "Diners Club"
    if digits.startswith("6011") or two == 65:
        return "Discover"
    if 3528 <= four <= 3589:
        return "JCB"
    if two == 62:
        return "Union Pay"
    if two in (50, 56, 57, 58, 63, 67):
        return "Maestro"
    return "Unknown"


def valid_number(digits: Optional[str]) -> bool:
    return digits is not None and 12 <= len(digits) <= 19 and luhn_valid(digits)


@dataclass(frozen=True)
class Outcome:
    """What the card issuer says. `code` and `message` are the payment's state when it fails."""

    authorised: bool
    code: Optional[str] = None
    message: Optional[str] = None


def authorise(digits: str) -> Outcome:
    """The issuer's answer for a valid card number: GOV.UK Pay's test cards decline, anything else is authorised."""
    if digits == DECLINED:
        return Outcome(False, "P0010", "Payment method rejected")
    if digits == EXPIRED:
        # GOV.UK Pay reports an expired card as a rejected payment method (P0010); the message says why.
        return Outcome(False, "P0010", "Payment method rejected: the card has expired")
    return Outcome(True)


def parse_expiry(month: str, year: str) -> Optional[Tuple[int, int]]:
    """("3", "27") or ("03", "2027") -> (3, 2027); None if it is not a month and year."""
    month, year = (month or "").strip(), (year or "").strip()
    if not (month.isdigit() and year.isdigit() and len(month) <= 2 and len(year) in (2, 4)):
        return None
    number, full_year = int(month), int(year) + (2000 if len(year) == 2 else 0)
    if not 1 <= number <= 12:
        return None
    return number, full_year


def expired(month: int, year: int, today: date) -> bool:
    """A card is valid to the end of its expiry month."""
    return (year, month) < (today.year, today.month)


def cvc_valid(cvc: str, card_brand: str) -> bool:
    cvc = (cvc or "").strip()
    return cvc.isdigit() and len(cvc) == (4 if card_brand == "American Express" else 3)
