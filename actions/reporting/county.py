"""Potholes and street lights belong to Lancashire County Council: say so and give its route (no district case)."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from replies import tell

from ..answers.configured import reply_from_markdown
from ..common.tracker_text import latest_intent


class ActionCountyReferral(Action):
    def name(self) -> Text:
        return "action_county_referral"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        county = councils.county()
        topic = county["street_lights"] if latest_intent(tracker) == "report_street_light" else county["highways"]
        # The county's own answer says who is responsible and how to report, with its link and phone number.
        text = topic["answer"].strip()
        if latest_intent(tracker) != "report_street_light" and county["highways"].get("emergency_text"):
            text += f"\n{county['highways']['emergency_text'].strip()}"
        template, values = reply_from_markdown(text)
        tell(dispatcher, template, **values)
        return []
