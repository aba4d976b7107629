"""Working out which council a resident means: a button, the council's name, a town, or a postcode."""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from councils import postcodes
from replies import Postcode, tell

from ..clients import CouncilServiceError, address_client
from .journey_form import skip_empty
from .services import call
from .tracker_text import is_answer, latest_entity, latest_text

_NAMES = {"chorley": "chorley", "south ribble": "south_ribble", "southribble": "south_ribble"}


class CouncilStep:
    """Mixin for a form with the slot `council`."""


    async def extract_council(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "council" or latest_entity(tracker, "council"):
            return {}
        if not is_answer(tracker, self.answer_intents(tracker)):
            return {}
        return {"council": latest_text(tracker)}

    @skip_empty
    async def validate_council(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        if text in councils.COUNCIL_IDS:
            return {"council": text}
        lowered = text.lower()
        named = {cid for name, cid in _NAMES.items() if name in lowered}
        if len(named) == 1:
            return {"council": named.pop()}
        from_place = councils.council_for_place(text)
        if from_place:
            return {"council": from_place}
        postcode = latest_entity(tracker, "postcode") or postcodes.find_in_text(text)
        if postcode:
            try:
                result = await call(address_client().lookup_postcode, postcode)
            except CouncilServiceError:
                result = None
            if result is not None and result.in_area and result.council:
                return {"council": result.council}
            if result is not None and not result.in_area:
                tell(dispatcher, "{postcode} is not in Chorley or South Ribble.", postcode=Postcode(result.postcode))
        tell(dispatcher, "Sorry, I didn't catch which council.")
        return {"council": None}
