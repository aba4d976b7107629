"""Answer ask_* questions (and, mid-journey, questions about the paid journeys) for the resident's council.

When the councils' answers differ and we don't know the council, we ask (a button, a town or a postcode) and then
answer. Mid-journey we don't start a second question-and-answer: we give both councils' answers, and the rules in
data/rules/resume_journeys.yml take the resident back to the journey's question.
"""
from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from replies import Emphasis, tell

from ..common.council_step import CouncilStep
from ..common.intents import PAID_JOURNEYS, QUESTIONS
from ..common.journey_form import JourneyForm
from ..common.tracker_text import latest_intent
from ..common.wording import council_buttons
from .configured import council_answer

ANSWERABLE = QUESTIONS | PAID_JOURNEYS


def answer_for(council_id: Text, topic: Text) -> Text:
    return councils.load_council(council_id)["answers"][topic].strip()


def same_for_both(topic: Text) -> bool:
    return len({answer_for(cid, topic) for cid in councils.COUNCIL_IDS}) == 1


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = latest_intent(tracker)
        topic: Optional[Text] = intent if intent in ANSWERABLE else tracker.get_slot("pending_question")
        if topic not in ANSWERABLE:
            dispatcher.utter_message(response="utter_anything_else")
            return [SlotSet("pending_question", None)]
        council = tracker.get_slot("council")
        in_journey = bool((tracker.active_loop or {}).get("name")) and tracker.active_loop.get("name") != "council_form"
        if council in councils.COUNCIL_IDS or same_for_both(topic):
            template, values = council_answer(council or councils.COUNCIL_IDS[0], topic)
            tell(dispatcher, template, **values)
        elif in_journey:
            for cid in councils.COUNCIL_IDS:
                template, values = council_answer(cid, topic)
                tell(dispatcher, "{council}: " + template, council=Emphasis(councils.load_council(cid)["name"]),
                     **values)
        else:
            # The rules then run council_form, and this action again once the council is known.
            return [SlotSet("pending_question", topic)]
        return [SlotSet("pending_question", None)]


class ValidateCouncilForm(CouncilStep, JourneyForm):
    def name(self) -> Text:
        return "validate_council_form"

    async def questions(self, tracker: Tracker) -> List[Text]:
        return ["council"]


class ActionAskCouncilForQuestion(Action):
    """The council form's question: the answer differs between the two councils."""

    def name(self) -> Text:
        return "action_ask_council_form_council"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        tell(
            dispatcher,
            "The answer is different for each council. Which council is yours? "
            "Choose one, or tell me your town or postcode.",
            buttons=council_buttons(),
        )
        return []
