"""Finding the resident's address: a postcode, then one address from the buttons (or typed, like "number 12")."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from councils import postcodes

from ..clients import CouncilServiceError, InvalidPostcode, address_client
from .echo import echoed
from .journey_form import skip_empty, stop_journey
from .services import call
from .tracker_text import is_answer, latest_entity, latest_text

NOT_LISTED = "not_listed"
NEARBY = "nearby"  # a problem near the postcode but not at an address (an alley, a park)
FIND_YOUR_COUNCIL = "https://www.gov.uk/find-local-council"


class AddressStep:
    """Mixin for a JourneyForm with the slots `postcode` and `uprn`."""

    allow_nearby = False  # problem reports may be near an address rather than at one

    async def extract_postcode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # The domain's entity mapping takes a recognised postcode; here we catch what the NLU did not recognise
        # ("banana", "PR99"), so the resident hears why it failed instead of the same question again.
        if tracker.get_slot("requested_slot") != "postcode" or latest_entity(tracker, "postcode"):
            return {}
        if not is_answer(tracker, self.answer_intents(tracker)):
            return {}
        text = latest_text(tracker)
        return {"postcode": postcodes.find_in_text(text) or text}

    @skip_empty
    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        typed = str(value or "")
        try:
            result = await call(address_client().lookup_postcode, typed)
        except InvalidPostcode:
            shown = echoed(typed, limit=40)
            dispatcher.utter_message(
                text=f"Sorry, “{shown}” isn't a postcode I recognise. A postcode looks like PR7 1DP or PR25 2AX."
            )
            return {"postcode": None}
        except CouncilServiceError as error:
            return {"postcode": None, **stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))}
        if not result.in_area:
            dispatcher.utter_message(
                text=f"{result.message or result.postcode + ' is not in Chorley or South Ribble.'} "
                f"I can only help with Chorley and South Ribble. If you live elsewhere, "
                f"[find your council on GOV.UK]({FIND_YOUR_COUNCIL})."
            )
            return {"postcode": None}
        if not result.addresses:
            dispatcher.utter_message(
                text=f"I couldn't find any addresses at {result.postcode}. Please check it and tell me again."
            )
            return {"postcode": None}
        candidates = [
            {"uprn": a.uprn, "address": a.address, "house": a.house, "council": a.council} for a in result.addresses
        ]
        chosen: Dict[Text, Any] = {"uprn": None, "address": None}
        if len(candidates) == 1 and not self.allow_nearby:
            chosen = self._choose(candidates[0])
        return {
            "postcode": result.postcode,
            "address_candidates": candidates,
            "council": result.council or tracker.get_slot("council"),
            **chosen,
        }

    async def extract_uprn(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "uprn":
            return {}
        picked = latest_entity(tracker, "uprn")
        if picked:
            return {"uprn": str(picked)}
        if not is_answer(tracker, self.answer_intents(tracker)):
            return {}
        return {"uprn": latest_text(tracker)}

    @skip_empty
    async def validate_uprn(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        candidates: List[Dict[Text, Any]] = tracker.get_slot("address_candidates") or []
        typed = str(value or "").strip()
        if typed == NOT_LISTED:
            dispatcher.utter_message(
                text="Sorry about that. Please check the postcode, or try a neighbour's postcode."
            )
            return {"uprn": None, "postcode": None, "address_candidates": None}
        if typed == NEARBY and self.allow_nearby:
            return {"uprn": NEARBY, "address": f"Near {tracker.get_slot('postcode')}"}
        match = next((c for c in candidates if c["uprn"] == typed), None) or match_address(typed, candidates)
        if match is None:
            dispatcher.utter_message(
                text="I couldn't match that to one address. Please choose one from the list, "
                "or tell me the house number or name."
            )
            return {"uprn": None}
        return {**self._choose(match), **await self.after_address_chosen(match, dispatcher, tracker)}

    @staticmethod
    def _choose(candidate: Dict[Text, Any]) -> Dict[Text, Any]:
        return {"uprn": candidate["uprn"], "address": candidate["address"], "council": candidate.get("council")}

    async def after_address_chosen(
        self, chosen: Dict[Text, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        """Journeys can react to the address (look up its bins); return extra slots to set."""
        return {}


def match_address(text: Text, candidates: List[Dict[Text, Any]]) -> Optional[Dict[Text, Any]]:
    """Match "12", "number 12", "flat 3" or "12 Market Street" to exactly one address, or None."""
    wanted = re.sub(r"^(number|no\.?|house)\s+", "", text.lower().strip().strip(".,!"))
    if not wanted:
        return None
    by_house = [c for c in candidates if str(c.get("house", "")).lower() == wanted]
    if len(by_house) == 1:
        return by_house[0]
    starts = [c for c in candidates if re.match(rf"{re.escape(wanted)}\b", c["address"].lower())]
    if len(starts) == 1:
        return starts[0]
    inside = [c for c in candidates if len(wanted) > 3 and wanted in c["address"].lower()]
    return inside[0] if len(inside) == 1 else None


class ActionAskUprn(Action):
    """Asks which address, with a button for each one at the postcode."""

    def name(self) -> Text:
        return "action_ask_uprn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        candidates = tracker.get_slot("address_candidates") or []
        buttons = [{"title": c["address"], "payload": f'/inform{{"uprn":"{c["uprn"]}"}}'} for c in candidates]
        if tracker.active_loop.get("name") == "problem_report_form":
            buttons.append({"title": "Not at an address: near this postcode", "payload": f'/inform{{"uprn":"{NEARBY}"}}'})
        buttons.append({"title": "My address isn't listed", "payload": f'/inform{{"uprn":"{NOT_LISTED}"}}'})
        dispatcher.utter_message(
            text=f"Which address at {tracker.get_slot('postcode')}? Choose one, or tell me the house number or name.",
            buttons=buttons,
        )
        return []
