"""Who may hear how a report is going: the resident who made it, in this conversation, or someone who knows where
it is (the postcode of the place reported).

A reference alone proves nothing: references get passed on, guessed and typed by mistake, and a report's status
must never tell a stranger where it is. So:
- a reference reported in this conversation gets its status at once;
- any other needs the postcode of the place; only a match gets the status (never the address), and a wrong postcode
  gets exactly the answer an unknown reference gets, so nobody learns whether a reference exists;
- three failed checks and this conversation checks no more.

Both facts are read from the conversation itself, which Rasa keeps server-side under the sender id: our own
bot messages carry a marker in their metadata (`tell(..., metadata=marker)`; Rasa keeps extra keys as the
event's metadata and does not show them). A resident cannot write a bot message, so cannot fake either marker,
and the markers need no slot: nothing a resident types can set or reset them.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Set, Text

from rasa_sdk import Tracker

from councils import postcodes

from ..clients import NotFound, ServiceRequest, address_client
from ..common.services import call

MAX_FAILED_CHECKS = 3
REPORTED = "reported_reference"  # on the "I've reported it" message: the reference it got
FAILED_CHECK = "report_check_failed"  # on the neutral answer to a check that did not match
KEPT = "kept_submission"  # on the "I've kept your report" message: its submission number (actions/outbox)


def reported_marker(reference: Text) -> Dict[Text, Any]:
    return {REPORTED: reference}


def kept_marker(submission_number: Text) -> Dict[Text, Any]:
    return {KEPT: submission_number}


def failed_check_marker() -> Dict[Text, Any]:
    return {FAILED_CHECK: True}


def _bot_markers(tracker: Tracker) -> Iterator[Dict[Text, Any]]:
    for event in tracker.events or []:
        if event.get("event") == "bot" and isinstance(event.get("metadata"), dict):
            yield event["metadata"]


def reported_here(tracker: Tracker) -> Set[Text]:
    """The references of the reports made in this conversation."""
    return {str(m[REPORTED]) for m in _bot_markers(tracker) if m.get(REPORTED)}


def kept_here(tracker: Tracker) -> List[Text]:
    """The submission numbers of the reports this conversation kept to send later, oldest first."""
    return list(dict.fromkeys(str(m[KEPT]) for m in _bot_markers(tracker) if m.get(KEPT)))


def failed_checks(tracker: Tracker) -> int:
    return sum(1 for m in _bot_markers(tracker) if m.get(FAILED_CHECK))


def checks_left(tracker: Tracker) -> bool:
    return failed_checks(tracker) < MAX_FAILED_CHECKS


async def place_matches(report: ServiceRequest, typed_postcode: Optional[Text]) -> bool:
    """Whether the postcode given is the postcode of the place reported.

    Open311 gives the postcode as `zipcode`; a council's server that leaves it out but gives the property's UPRN
    (`address_id`) has it looked up. A report made at a described place without a postcode can't be checked:
    no match (the resident who made it is told to contact the council, in the same words as everyone else)."""
    given = postcodes.normalise(typed_postcode or "")
    if not given:
        return False
    place = postcodes.normalise(report.zipcode or "")
    if place is None and report.address_id:
        try:
            place = postcodes.normalise((await call(address_client().get_address, report.address_id)).postcode or "")
        except NotFound:
            return False
    return place == given
