"""What the resident hears when the staff console gives the conversation back (docs/handover.md: the console
appends `resume`, then triggers one of these intents; residents can't type them, connectors/commands.py).

- handover_returned: the member of staff handed back. The form that was open when they took over asks its question
  again (the generated resume rules, scripts/generate_resume_rules.py); with none open, "what else?".
- handover_timed_out: nobody took the conversation in time: sorry, and the offer of a call back, as out of hours.
- handover_closed: the member of staff closed the chat: anything else? Whatever journey was open is over.
"""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import tell

from ..common.journey_slots import end_form
from .handing_over import handover_request, offer_callback
from .summary import urgent_happened



HAND_BACK_INTENTS = ("handover_returned", "handover_timed_out", "handover_closed")


async def hand_back(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
    """The console's intent, run by action_default_fallback (no rule names these intents: data/rules/handover.yml),
    then what comes next said outright: the open form asks its question again, or the assistant listens."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    action = {"handover_returned": ActionHandoverReturned, "handover_timed_out": ActionHandoverTimedOut,
              "handover_closed": ActionHandoverClosed}[intent]()
    events = await action.run(dispatcher, tracker, domain)
    loops = [e for e in events if e.get("event") == "active_loop"]
    form = loops[-1].get("name") if loops else (tracker.active_loop or {}).get("name")
    return [ActionExecuted(action.name()), *events, FollowupAction(form or "action_listen")]


class ActionHandoverReturned(Action):
    def name(self) -> Text:
        return "action_handover_returned"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        form = (tracker.active_loop or {}).get("name")
        if not form:
            tell(dispatcher, "You're back with the automated assistant. What else can I help with?")
            return [SlotSet("handover_status", None)]
        tell(dispatcher, "You're back with the automated assistant. Let's carry on where we were.")
        # The form starts its question afresh: what the resident wrote to staff (and the hand-back itself) are not
        # wrong answers to it (second_tries.py counts the messages since the form became active).
        return [SlotSet("handover_status", None), ActiveLoop(form)]


class ActionHandoverTimedOut(Action):
    def name(self) -> Text:
        return "action_handover_timed_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        urgent = urgent_happened(tracker)
        request = handover_request(tracker, "nobody took the chat in time", urgent, "callback")
        return offer_callback(dispatcher, tracker, request, why="timed_out", hours=[], urgent=urgent)


class ActionHandoverClosed(Action):
    def name(self) -> Text:
        return "action_handover_closed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        tell(dispatcher, "The member of staff has closed this chat. Is there anything else I can help with?")
        events: List[EventType] = end_form() if (tracker.active_loop or {}).get("name") else []
        return events + [SlotSet("handover_status", None), SlotSet("handover_details", None)]
