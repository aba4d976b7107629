"""When are my bins collected: address -> each bin's next collection, in the council's colours."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils

from ..clients import CouncilServiceError, waste_client
from ..common.address_step import AddressStep
from ..common.journey_form import JourneyForm
from ..common.journey_slots import reset_journey
from ..common.services import call
from ..common.wording import contact_routes, say_date


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
            dispatcher.utter_message(text=f"{error.resident_message}\n{contact_routes(tracker.get_slot('council'))}")
            return reset_journey()
        council = councils.load_council(property_bins.council) if property_bins.council in councils.COUNCIL_IDS else None
        lines = [f"Bin collections at **{property_bins.address}**:"]
        not_subscribed = []
        for container in property_bins.bins:
            if not container.subscribed:
                not_subscribed.append(container)
                continue
            lines.append(
                f"- **{container.name.capitalize()}** ({container.contents}): next collected "
                f"**{say_date(container.next_collection)}**, {container.frequency}."
            )
        for container in not_subscribed:
            link = (council or {}).get("waste", {}).get("links", {}).get("garden_waste")
            join = f" [Find out how to subscribe]({link})." if link else ""
            lines.append(f"- You don't have a {container.name} ({container.contents}) subscription.{join}")
        if council:
            lines.append(f"Please put your bins out by {council['waste']['bins_out_by']} on collection day.")
        dispatcher.utter_message(text="\n".join(lines))
        return reset_journey()
