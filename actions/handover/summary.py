"""What a member of customer services reads before taking a conversation: a summary they can read in ten seconds,
and the same facts as the `details` the console stores (docs/handover.md).

    Wanted: to report a missed bin
    Stopped at: which bin (missed_bin_form)
    Address: 12 Market Street, Chorley (Chorley Council)
    References: REP-100234
    Told them: Which bin wasn't emptied?
    Why: asked for a person

Everything comes from the conversation as Rasa keeps it (slots and events): nothing is asked again.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

import councils

# What each journey is for, as staff would say it.
JOURNEYS = {
    "missed_bin_form": "to report a missed bin",
    "bin_day_form": "to find their bin day",
    "problem_report_form": "to report a problem",
    "report_status_form": "to check on a report",
    "bulky_waste_form": "to book a bulky waste collection",
    "garden_waste_form": "to subscribe to garden waste collections",
    "bin_request_form": "to order a bin",
    "pay_council_tax_form": "to pay council tax",
    "check_council_tax_form": "to check their council tax",
    "pay_parking_fine_form": "to pay a parking fine",
    "callback_form": "a call back",
}
# The journey's question that was open, in staff's words ("which bin" rather than bin_stream).
QUESTIONS = {
    "postcode": "the postcode",
    "uprn": "choosing the address",
    "bin_stream": "which bin",
    "missed_bin_confirmed": "confirming the report",
    "report_location": "where it is",
    "attribute_answer": "the details of the problem",
    "report_contact": "their contact details",
    "report_confirmed": "confirming the report",
    "report_reference": "the report reference",
    "bulky_items": "what to collect",
    "bulky_slot": "the collection day",
    "garden_bins": "how many bins",
    "bin_request_stream": "which bin",
    "bin_request_type": "new or replacement bin",
    "ct_account": "the council tax account number",
    "ct_amount": "how much to pay",
    "pcn_number": "the PCN number",
    "pcn_vrm": "the vehicle registration",
    "order_contact": "where to send a confirmation",
    "order_confirmed": "confirming the order",
    "payment_outcome": "paying",
}
REFERENCE_SLOTS = ("report_reference", "order_reference", "pcn_number")
REFERENCE = re.compile(r"\b(?:REP|BWC|GWS|BIN|SUB)-[A-Z0-9]{6,10}\b")
# Intents that say nothing about what the resident wanted.
NOT_WHAT_THEY_WANTED = {
    "request_human", "affirm", "deny", "greet", "goodbye", "thank", "bot_challenge", "cancel", "nlu_fallback",
    "handover_returned", "handover_timed_out", "handover_closed", "card_number_removed",
}
TOLD_LINES = 3
LONGEST_WORDS = 200


def journey_of(tracker: Tracker) -> Optional[Text]:
    """The journey form open now, or failing that the last one this session ran."""
    active = (tracker.active_loop or {}).get("name")
    if active and active in JOURNEYS and active != "callback_form":
        return active
    for event in reversed(tracker.events or []):
        if event.get("event") == "active_loop" and event.get("name") in JOURNEYS and event.get("name") != "callback_form":
            return event.get("name")
        if event.get("event") == "session_started":
            break
    return None


def urgent_happened(tracker: Tracker) -> bool:
    """Whether urgent help was given in this conversation (the handover then goes first in the queue)."""
    if tracker.get_slot("support_mode") is True or tracker.get_slot("support_kinds"):
        return True
    for event in tracker.events or []:
        if event.get("event") == "action" and event.get("name") == "action_urgent_help":
            return True
        if event.get("event") == "user" and ((event.get("parse_data") or {}).get("intent") or {}).get("name") == "urgent_help":
            return True
    return False


def last_told(tracker: Tracker, count: int = TOLD_LINES) -> List[Text]:
    """The last few things the assistant said, oldest first (each at most a few lines)."""
    told: List[Text] = []
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot" and (event.get("text") or "").strip():
            told.append(_short(event["text"]))
            if len(told) == count:
                break
    return list(reversed(told))


def wanted_words(tracker: Tracker) -> Optional[Text]:
    """What the resident said they wanted, in their own words: their latest message that said more than "yes",
    "a person" or "hello"."""
    for event in reversed(tracker.events or []):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        text = (event.get("text") or "").strip()
        if text and not text.startswith("/") and intent not in NOT_WHAT_THEY_WANTED:
            return _short(text)
    return None


def references(tracker: Tracker) -> List[Text]:
    found: List[Text] = []
    for slot in REFERENCE_SLOTS:
        value = tracker.get_slot(slot)
        if value and str(value) not in found:
            found.append(str(value))
    for event in tracker.events or []:
        if event.get("event") == "bot":
            for reference in REFERENCE.findall(event.get("text") or ""):
                if reference not in found:
                    found.append(reference)
    return found


def council_of(tracker: Tracker) -> Optional[Text]:
    council = tracker.get_slot("council")
    if council in councils.COUNCIL_IDS:
        return council
    from connectors.webchat_metadata import site_council

    site = site_council(tracker.latest_message or {})
    return site if site in councils.COUNCIL_IDS else None


def details(tracker: Tracker) -> Dict[Text, Any]:
    """The `details` of a handover: {"wanted", "journey", "stopped_at", "address", "references", "told"}."""
    journey = journey_of(tracker)
    open_now = (tracker.active_loop or {}).get("name") == journey and journey is not None
    requested = tracker.get_slot("requested_slot") if open_now else None
    wanted = JOURNEYS.get(journey or "") if journey else None
    words = wanted_words(tracker)
    return {
        "wanted": f"{wanted} ({words})" if wanted and words else wanted or words,
        "journey": journey,
        "stopped_at": QUESTIONS.get(requested or "", requested) if requested else None,
        "address": tracker.get_slot("address"),
        "references": references(tracker),
        "told": last_told(tracker),
    }


def summary(found: Dict[Text, Any], reason: Text, council: Optional[Text]) -> Text:
    """The few lines a member of staff reads first."""
    council_name = councils.load_council(council)["name"] if council in councils.COUNCIL_IDS else None
    where = found.get("address")
    if where and council_name:
        where = f"{where} ({council_name})"
    lines = [
        ("Wanted", found.get("wanted") or "not said"),
        ("Stopped at", f"{found['stopped_at']} ({found['journey']})" if found.get("stopped_at") else None),
        ("Address", where or (f"not given ({council_name})" if council_name else None)),
        ("References", ", ".join(found.get("references") or []) or None),
        ("Told them", " / ".join(found.get("told") or [])[-400:] or None),
        ("Why", reason),
    ]
    return "\n".join(f"{label}: {value}" for label, value in lines if value)


def _short(text: Text) -> Text:
    text = " ".join(str(text).split())
    return text if len(text) <= LONGEST_WORDS else text[: LONGEST_WORDS - 1].rstrip() + "…"
