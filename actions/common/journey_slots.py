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
    "bulky_items",
    "bulky_slot",
    "garden_bins",
    "bin_request_stream",
    "bin_request_type",
    "ct_amount",
    "pcn_number",
    "pcn_vrm",
    "order_kind",
    "order_contact",
    "order_summary",
    "order_amount",
    "order_confirmed",
    "order_reference",
    "payment_id",
    "payment_url",
    "payment_amount",
    "payment_outcome",
    "requested_slot",
)
# Not here, so they last the whole session (and no longer: domain.yml doesn't carry slots into a new one):
# ct_account and ct_token (a verification), open_payments. Failed verifications are counted outside the
# conversation (actions/protections/), so no restart or new session resets them; the ct_attempts slot is unused.


def reset_journey(keep: tuple = ()) -> List[EventType]:
    return [SlotSet(slot, None) for slot in JOURNEY_SLOTS if slot not in keep]


def end_form() -> List[EventType]:
    """Leave whatever form is active, forgetting its answers (a cancelled report sends nothing)."""
    return [ActiveLoop(None), *reset_journey()]
