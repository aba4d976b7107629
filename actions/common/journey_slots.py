"""The slots a journey fills, so that a new journey (or a cancelled one) starts clean."""
from typing import List

from rasa_sdk.events import ActiveLoop, EventType, SlotSet

JOURNEY_SLOTS = (
    "postcode",
    "address_candidates",
    "uprn",
    "address",
    "bin_type",
    "bin_stream",
    "missed_collection_date",
    "missed_bin_confirmed",
    "correcting",
    "journey_blocked",
    "report_service",
    "report_location",
    "report_answers",
    "attribute_answer",
    "report_contact",
    "report_confirmed",
    "report_reference",
    "requested_slot",
)


def reset_journey(keep: tuple = ()) -> List[EventType]:
    return [SlotSet(slot, None) for slot in JOURNEY_SLOTS if slot not in keep]


def end_form() -> List[EventType]:
    """Leave whatever form is active, forgetting its answers (a cancelled report sends nothing)."""
    return [ActiveLoop(None), *reset_journey()]
