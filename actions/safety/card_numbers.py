"""A message held a card number: the channel removed it before anything kept it. Say so, and how to pay safely."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import Words, tell


class ActionCardNumberRemoved(Action):
    def name(self) -> Text:
        return "action_card_number_removed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # A caller never typed and has no page to go to: the same facts in the words of a call.
        tell(dispatcher, "{removed} {how_to_pay} If your {said} anything else, please {again} without the number.",
             removed=Words("Your message looked like it had a bank card number in it. I removed it without reading or "
                           "keeping it.",
                           "What you said or keyed in looked like a bank card number, so I removed it without keeping "
                           "it."),
             how_to_pay=Words("Please never type card details here: when you pay, I'll give you a link to GOV.UK "
                              "Pay's secure payment page.",
                              "Please never give card details on this call: when you pay, I'll send you a text "
                              "message with a link to GOV.UK Pay's secure payment page."),
             said=Words("message said", "answer said"), again=Words("send it again", "say it again"))
        return []
