"""Putting a caller through to council staff: which number, whether anyone is there, and what staff hear first.

- The number is the council's `contact.staff_transfer_number` (councils/*.yml), or for urgent help its
  `contact.out_of_hours_phone` (councils/phone_line.py reads both). It is never the number the caller rang (the
  assistant's own): dialling that would put the caller back in the queue for the assistant.
- Staff are there within the council's `contact.opening_hours` (UK time, councils/opening_hours.py), unless
  HANDOVER_HOURS says `always` or `never` (../shared/contract.md, section 5).
- The whisper is said to the member of staff before the call connects: what the caller was doing, the council,
  the address and any reference, from the conversation's slots.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, List, Mapping, Optional, Text

import councils
from councils import phone_line

from councils.opening_hours import open_now

from .wording import section, words


def transfer_number(council_id: Optional[Text], assistant_number: Optional[Text], urgent: bool = False
                    ) -> Optional[Text]:
    """The number to dial for this council in E.164, or None when none is configured or it would ring the
    assistant itself (councils/phone_line.py refuses those, and so does `may_dial` once more, by the call's `To`)."""
    if council_id not in councils.COUNCIL_IDS:
        return None
    if urgent:
        number = councils.out_of_hours_transfer_number(council_id, assistant_number)
    else:
        number = councils.staff_transfer_number(council_id, assistant_number)
    number = phone_line.e164(number)
    return number if may_dial(number, assistant_number) else None


def may_dial(number: Optional[Text], assistant_number: Optional[Text]) -> bool:
    """Never the number that reaches the assistant itself."""
    return bool(number) and not phone_line.same_line(number, assistant_number)


def staff_available(council_id: Optional[Text], now: Optional[datetime] = None,
                    environ: Optional[Mapping[Text, Text]] = None) -> bool:
    return open_now(council_id, now, environ)


def hours_said(council_id: Optional[Text]) -> Text:
    ids = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    return councils.load_council(ids[0]).get("contact", {}).get("phone_hours") or ""


def council_name(council_id: Optional[Text]) -> Text:
    return councils.load_council(council_id)["name"] if council_id in councils.COUNCIL_IDS else "the council"


def whisper_summary(tracker: Any) -> Text:
    """What staff hear before the caller is connected. `tracker`: Rasa's DialogueStateTracker (or None)."""
    if tracker is None:
        return words("whisper_nothing_known")
    journeys = section("journeys")
    said: List[Text] = []
    loop = (tracker.active_loop or {}).get("name") if isinstance(tracker.active_loop, dict) else None
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    for name in (loop, _journey_from_events(tracker), intent):
        if name and name in journeys:
            said.append(journeys[name])
            break
    slots = {name: tracker.get_slot(name) for name in ("council", "address", "postcode", "report_reference",
                                                       "order_reference")}
    if slots["council"] in councils.COUNCIL_IDS:
        said.append(words("whisper_council", council=council_name(slots["council"])))
    if slots["address"] or slots["postcode"]:
        said.append(words("whisper_address", address=slots["address"] or slots["postcode"]))
    for reference in (slots["report_reference"], slots["order_reference"]):
        if reference:
            from replies.parts import spell_out

            said.append(words("whisper_reference", reference=spell_out(str(reference))))
    return " ".join(said) or words("whisper_nothing_known")


def _journey_from_events(tracker: Any) -> Optional[Text]:
    """The last form the caller was in, even if asking for a person ended it."""
    for event in reversed(list(tracker.events)):
        name = getattr(event, "name", None)
        if type(event).__name__ == "ActiveLoop" and name:
            return name
    return None
