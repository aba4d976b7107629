"""A message held a card number: the channel removed it before anything kept it. Say so, and how to pay safely."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionCardNumberRemoved(Action):
    def name(self) -> Text:
        return "action_card_number_removed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(
            text="Your message looked like it had a bank card number in it, so I removed it without reading or "
            "keeping it. Please never type card details here: when you pay, I'll give you a link to GOV.UK Pay's "
            "secure payment page. If your message said anything else, please send it again without the number."
        )
        return []
