"""The numbers of a council's automated phone line: the one residents ring, and the ones it puts callers through to.

A transfer that dials the number the assistant answers would ring the assistant again (a caller asking for a
person would loop back to the bot, and each loop costs a call). So every transfer number is checked against every
council's `contact.phone_line_number` and against the number this call came in on, and refused (None, logged as an
error naming the council and the field to fix) when they are the same line.

Numbers are kept as residents write them ("01632 960101"); `e164()` gives the form Twilio's `<Dial>` and `To` use.
"""
from __future__ import annotations

import logging
import re
from typing import Optional

from councils import COUNCIL_IDS, load_council

logger = logging.getLogger(__name__)


def national_digits(number: Optional[str]) -> str:
    """"+44 1632 960101", "0044...", "(01632) 960-101" -> "01632960101": how a UK number is compared and checked."""
    digits = re.sub(r"[^\d+]", "", number or "")
    if digits.startswith("+44"):
        return "0" + digits[3:]
    if digits.startswith("0044"):
        return "0" + digits[4:]
    return digits


def e164(number: Optional[str]) -> Optional[str]:
    """A UK number in international form (+441632960101), as Twilio sends `To` and dials; None if it isn't one."""
    digits = national_digits(number)
    if not re.fullmatch(r"0\d{9,10}", digits):
        return None
    return "+44" + digits[1:]


def same_line(first: Optional[str], second: Optional[str]) -> bool:
    """Whether two numbers, however written ("01632 960100", "+441632960100"), ring the same line."""
    first_e164, second_e164 = e164(first), e164(second)
    return first_e164 is not None and first_e164 == second_e164


def phone_line_number(council_id: str) -> Optional[str]:
    """The number residents ring to reach the assistant for this council, as written in councils/<id>.yml."""
    return load_council(council_id)["contact"].get("phone_line_number") or None


def council_for_phone_line(called: Optional[str]) -> Optional[str]:
    """Which council's line a call came in on (Twilio's `To`), or None when it is none of them."""
    for council_id in COUNCIL_IDS:
        if same_line(called, phone_line_number(council_id)):
            return council_id
    return None


def _transfer_number(council_id: str, field: str, called: Optional[str]) -> Optional[str]:
    number = load_council(council_id)["contact"].get(field)
    if not number:
        logger.error("No transfer: contact.%s is not set in councils/%s.yml.", field, council_id)
        return None
    if e164(number) is None:
        logger.error("No transfer: contact.%s (%s) in councils/%s.yml is not a UK phone number.", field, number,
                     council_id)
        return None
    for other in COUNCIL_IDS:
        if same_line(number, phone_line_number(other)):
            logger.error(
                "Transfer refused: contact.%s (%s) in councils/%s.yml is the number that reaches the assistant "
                "(%s's contact.phone_line_number), so the caller would be put through to the assistant again. "
                "Set it to a number answered by staff.", field, number, council_id, other,
            )
            return None
    if same_line(number, called):
        logger.error(
            "Transfer refused: contact.%s (%s) in councils/%s.yml is the number this call came in on, so the "
            "caller would be put through to the assistant again. Set it to a number answered by staff.",
            field, number, council_id,
        )
        return None
    return number


def staff_transfer_number(council_id: str, called: Optional[str] = None) -> Optional[str]:
    """The number that puts a caller through to the council's customer services (as written; `e164()` to dial),
    or None when it is missing or would ring the assistant itself (this council's or another's phone line, or
    `called`: the `To` of the call being transferred)."""
    return _transfer_number(council_id, "staff_transfer_number", called)


def out_of_hours_transfer_number(council_id: str, called: Optional[str] = None) -> Optional[str]:
    """The council's out of hours number (`contact.out_of_hours_phone`) to put an urgent caller through to, with
    the same refusal as `staff_transfer_number`: a council whose main number is answered by the assistant must not
    be "transferred" back to it."""
    return _transfer_number(council_id, "out_of_hours_phone", called)
