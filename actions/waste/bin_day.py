"""When are my bins collected: address -> each bin's next collection, in the council's colours."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from replies import Day, Emphasis, Link, Words, tell

from ..clients import CouncilServiceError, waste_client
from ..common.address_step import AddressStep
from ..common.journey_form import JourneyForm
from ..common.journey_slots import reset_journey
from ..common.services import call
from ..common.wording import contact_routes_part


class ValidateBinDayForm(AddressStep, JourneyForm):
    own_intents = frozenset({"check_bin_day", "inform"})

    def name(self) -> Text:
        return "validate_bin_day_form"

    async def questions(self, tracker: Tracker) -> List[Text]:
        return ["postcode", "uprn"]


class ActionTellBinDays(Action):
    def name(self) -> Text:
        return "action_tell_bin_days"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        uprn = tracker.get_slot("uprn")
        if tracker.get_slot("journey_blocked") or not uprn:
            dispatcher.utter_message(response="utter_anything_else")
            return reset_journey(keep=("council",))
        try:
            property_bins = await call(waste_client().bins, uprn)
        except CouncilServiceError as error:
            tell(dispatcher, "{problem}\n{routes}", problem=error.resident_message,
                 routes=contact_routes_part(tracker.get_slot("council")))
            return reset_journey()
        council = councils.load_council(property_bins.council) if property_bins.council in councils.COUNCIL_IDS else None
        lines = ["Bin collections at {address}:"]
        values = {"address": Emphasis(str(property_bins.address))}
        not_subscribed = []
        for n, container in enumerate(property_bins.bins):
            if not container.subscribed:
                not_subscribed.append((n, container))
                continue
            lines.append(f"- {{bin{n}}} ({{contents{n}}}): next collected {{day{n}}}, {{frequency{n}}}.")
            day = Day(container.next_collection)
            values.update({f"bin{n}": Emphasis(container.name.capitalize()), f"contents{n}": container.contents,
                           f"day{n}": Words(f"**{day.web()}**", day.spoken()), f"frequency{n}": container.frequency})
        for n, container in not_subscribed:
            link = (council or {}).get("waste", {}).get("links", {}).get("garden_waste")
            line = f"- You don't have a {{bin{n}}} ({{contents{n}}}) subscription."
            values.update({f"bin{n}": container.name, f"contents{n}": container.contents})
            if link:
                # A caller hears what the page is for, and is offered it by text message.
                line += f"{{there{n}}} {{subscribe{n}}}."
                values.update({f"there{n}": Words("", " There's"), f"subscribe{n}": Link(
                    link, "Find out how to subscribe", "a page on how to subscribe to garden waste collections")})
            lines.append(line)
        if council:
            lines.append("Please put your bins out by {out_by} on collection day.")
            values["out_by"] = council["waste"]["bins_out_by"]
        tell(dispatcher, "\n".join(lines), **values)
        return reset_journey()
