"""The base of every journey's form validation: dynamic questions, and a clean stop when a journey can't go on."""
from __future__ import annotations

import functools
from abc import abstractmethod
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from replies import tell

from .said import Told, say
from .tracker_text import is_answer, latest_entity, latest_text
from .wording import contact_routes_part


class JourneyForm(FormValidationAction):
    """Subclasses list their questions in `questions()`; the order can depend on earlier answers.

    Setting `journey_blocked` (see `stop_journey`) ends the form at once: the journey's final action then offers
    the resident another way forward instead of carrying on.
    """

    # Intents that, in this journey, are answers rather than interruptions (report_noise while reporting noise).
    own_intents: frozenset = frozenset({"inform"})

    def answer_intents(self, tracker: Tracker) -> frozenset:
        return self.own_intents

    def answer_for(self, slot: Text, tracker: Tracker, entity: Optional[Text] = None) -> Dict[Text, Any]:
        """The latest message as the answer to `slot`, when that is the question asked: the button's `entity` if
        it has one, else the text, unless the message is an interruption (see `is_answer`)."""
        if tracker.get_slot("requested_slot") != slot:
            return {}
        picked = latest_entity(tracker, entity) if entity else None
        if picked:
            return {slot: str(picked)}
        return {slot: latest_text(tracker)} if is_answer(tracker, self.answer_intents(tracker)) else {}

    @abstractmethod
    async def questions(self, tracker: Tracker) -> List[Text]:
        """The slots this form asks for, in order, given what is known so far."""

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot("journey_blocked"):
            return []
        return await self.questions(tracker)


def stop_journey(dispatcher: CollectingDispatcher, message: Told, council: Optional[Text],
                 reason: Optional[Text] = None) -> Dict[Text, Any]:
    """Tell the resident why we can't go on and how else to get it done; the form then ends. `message`: plain
    words, a Said, or a reply_message() with its parts (replies/).

    The resident can't fix this themselves (a council system is down, a verification is locked), so with a staff
    console they are also offered a person: `handover_reason` (`reason`, or what they were told) is what the
    member of staff reads as why (actions/handover/)."""
    from ..clients.staff import staff_console_client

    say(dispatcher, message)
    person = [{"title": "Talk to a person", "payload": "/request_human"}] if staff_console_client() else None
    tell(dispatcher, "You can still get this done by contacting the council:\n{routes}",
         routes=contact_routes_part(council), buttons=person)
    told = message.get("text") if isinstance(message, dict) else str(message)
    why = reason or f"the journey could not go on: {' '.join(str(told or '').split())[:200]}"
    return {"journey_blocked": True, "requested_slot": None, "handover_reason": why}


Validator = Callable[..., Awaitable[Dict[Text, Any]]]


def skip_empty(validate: Validator) -> Validator:
    """Only validate an actual answer.

    When a journey starts, the slots it just emptied are handed to the validators too (the SDK validates every
    slot event since the last message): an empty slot is "not answered yet", not a wrong answer to complain about.
    """
    slot = validate.__name__[len("validate_"):]

    @functools.wraps(validate)
    async def checked(self: Any, value: Any, *args: Any) -> Dict[Text, Any]:
        if value is None or (isinstance(value, str) and not value.strip()):
            return {slot: None}
        return await validate(self, value, *args)

    return checked
