"""Report a missed bin: postcode -> address -> which bin -> the council's rules -> confirm -> Open311."""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from replies import Day, Emphasis, Reference, Words, tell
from replies.telling import render

from ..clients import CouncilServiceError, waste_client
from ..common import understanding
from ..common.address_step import AddressStep
from ..common.confirmation import ask_to_confirm, ask_what_to_change
from ..common.journey_form import JourneyForm, skip_empty, stop_journey
from ..common.said import Said
from ..common.journey_slots import reset_journey
from ..common.second_tries import already_asked, not_understood
from ..common.services import call
from ..common.tracker_text import is_answer, latest_entity, latest_text
from ..waste.bin_names import describe, matching_streams
from .sending import send_report

OWN_INTENTS = frozenset({"report_missed_bin", "inform"})


class ValidateMissedBinForm(AddressStep, JourneyForm):
    own_intents = OWN_INTENTS

    def name(self) -> Text:
        return "validate_missed_bin_form"

    async def questions(self, tracker: Tracker) -> List[Text]:
        return ["postcode", "uprn", "bin_stream", "missed_bin_confirmed"]

    async def after_address_chosen(
        self, chosen: Dict[Text, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        # "My blue bin wasn't emptied" names the bin before we know whose colours to read it in; and a corrected
        # address has its own round, so a bin chosen for the old address is checked again for the new one.
        named = tracker.get_slot("bin_stream") or tracker.get_slot("bin_type")
        if not named:
            return {}
        return await self._check_bin(str(named), chosen["uprn"], chosen.get("council"), dispatcher, tracker)

    async def extract_bin_stream(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        requested = tracker.get_slot("requested_slot")
        named = latest_entity(tracker, "bin_type")
        # At the confirmation step "no, it was the brown bin" is a correction.
        if requested == "missed_bin_confirmed" and named:
            return {"bin_stream": str(named), "missed_bin_confirmed": None}
        if requested != "bin_stream":
            return {}
        if named:
            return {"bin_stream": str(named)}
        return {"bin_stream": latest_text(tracker)} if is_answer(tracker, self.answer_intents(tracker)) else {}

    @skip_empty
    async def validate_bin_stream(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        uprn = tracker.get_slot("uprn")
        if not uprn:
            return {"bin_stream": None, "bin_type": value}  # checked once the address is known
        return await self._check_bin(str(value), uprn, tracker.get_slot("council"), dispatcher, tracker)

    async def _check_bin(
        self, named: Text, uprn: Text, council: Optional[Text], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        try:
            property_bins = await call(waste_client().bins, uprn)
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, council)
        streams = [b.stream for b in property_bins.bins]
        chosen = named if named in streams else None
        if chosen is None:
            matches = matching_streams(named, property_bins.council or council, property_bins.bins)
            if not matches:  # "the second one", "the last"
                picked = understanding.choose(named, [b.name for b in property_bins.bins])
                matches = [property_bins.bins[picked].stream] if picked is not None else []
            if len(matches) != 1:
                options = [b for b in property_bins.bins if not matches or b.stream in matches]
                listing = ", ".join(describe(b) for b in options)
                return not_understood(
                    dispatcher, tracker, "bin_stream", f"Which bin do you mean? At this address there is: {listing}.",
                    "Which bin wasn't emptied? You can say its colour, like “the blue one”, or choose below.",
                    buttons=_bin_buttons(property_bins),
                )
            chosen = matches[0]
        try:
            check = await call(waste_client().missed_bin_check, uprn, chosen)
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, council)
        if not check.eligible:
            template, values = _not_eligible(check, property_bins.bin(chosen))
            tell(dispatcher, template, **values)
            return {"bin_stream": chosen, "journey_blocked": True, "requested_slot": None}
        return {
            "bin_stream": chosen,
            "missed_collection_date": check.last_collection.isoformat() if check.last_collection else None,
        }

    @skip_empty
    async def validate_missed_bin_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is True:
            return {"missed_bin_confirmed": True}
        change = latest_entity(tracker, "change")
        if change == "address":
            return {
                "missed_bin_confirmed": None,
                "postcode": None,
                "uprn": None,
                "address_candidates": None,
                "missed_collection_date": None,
            }
        if change == "bin":
            return {"missed_bin_confirmed": None, "bin_stream": None}
        return {"missed_bin_confirmed": None, "correcting": True}


class ActionAskBinStream(Action):
    def name(self) -> Text:
        return "action_ask_bin_stream"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            property_bins = await call(waste_client().bins, tracker.get_slot("uprn"))
        except CouncilServiceError as error:
            tell(dispatcher, "{problem}", problem=error.resident_message)
            return []
        if already_asked(tracker):
            return []  # the answer's validation just asked again
        tell(dispatcher, "Which bin wasn't emptied?", buttons=_bin_buttons(property_bins))
        return []


def _bin_buttons(property_bins: Any) -> List[Dict[Text, Text]]:
    return [{"title": b.name.capitalize(), "payload": f'/inform{{"bin_type":"{b.stream}"}}'}
            for b in property_bins.bins if b.subscribed]


class ActionAskMissedBinConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_missed_bin_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("correcting"):
            return ask_what_to_change(
                dispatcher,
                [("The bin", "bin"), ("The address", "address")],
                "Nothing, report it",
                hint=" You can also tell me, for example, “it was the brown bin”.",
            )
        return ask_to_confirm(dispatcher, Said("To check: {summary}. Shall I report it?", summary=summary(tracker)),
                              "Yes, report it")


def summary(tracker: Tracker) -> Words:
    """"your **green bin** at **12 Market Street, ...** was not emptied on Tuesday 24 November", for the web and a
    caller alike (a Words part: it travels inside the confirmation, and inside the details of a failed report)."""
    template = "your {bin} at {address} was not emptied"
    values = {"bin": Emphasis(_bin_name(tracker)), "address": Emphasis(str(tracker.get_slot("address")))}
    collected = tracker.get_slot("missed_collection_date")
    if collected:
        template += " on {day}"
        values["day"] = Day(date.fromisoformat(collected))
    return Words(render(template, values, "web"), render(template, values, "spoken"))


def _bin_name(tracker: Tracker) -> Text:
    council = tracker.get_slot("council")
    stream = tracker.get_slot("bin_stream")
    config = councils.bin_for(council, stream) if council in councils.COUNCIL_IDS and stream else None
    return config["name"] if config else str(stream)


class ActionSubmitMissedBin(Action):
    def name(self) -> Text:
        return "action_submit_missed_bin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("journey_blocked") or not tracker.get_slot("missed_bin_confirmed"):
            dispatcher.utter_message(response="utter_anything_else")
            return reset_journey()
        attributes = {"bin_stream": tracker.get_slot("bin_stream")}
        if tracker.get_slot("missed_collection_date"):
            attributes["collection_date"] = tracker.get_slot("missed_collection_date")
        report = {"service_code": "missed_bin", "attributes": attributes, "uprn": tracker.get_slot("uprn")}
        await send_report(dispatcher, tracker, f"your missed {_bin_name(tracker)}", summary(tracker), report)
        return reset_journey()


def _not_eligible(check: Any, container: Any) -> Tuple[Text, Dict[Text, Any]]:
    """Why the bin can't be reported now, as the waste service explains it. Its explanation usually names the bin
    already ("Your blue bin due ..."), so ours doesn't name it twice; a reference in it is spelt out on the phone."""
    why = check.message or "it cannot be reported as missed just now."
    detail = f"Your {container.name}: " if container and not why.lower().startswith("your ") else ""
    reference = check.existing_reference
    if reference and reference in why:
        before, after = why.split(reference, 1)
        spelt = Words(reference, Reference(reference).spoken())  # as the service wrote it on the web
        return "{detail}{before}{reference}{after}", {"detail": detail, "before": before, "reference": spelt,
                                                      "after": after}
    return "{detail}{why}", {"detail": detail, "why": why}
