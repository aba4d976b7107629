"""Urgent help: a kind, short first reply with the 999 line first when a life may be at risk, then the help that
fits what the resident said; any journey is put aside, and the conversation stays supportive (support.py).

Guidance followed (Samaritans, NHS, Women's Aid): acknowledge and thank first, don't lecture, give one clear next
step, keep it short, and offer a person. The wording avoids formatting so it reads the same in the web chat, over
REST and, later, on the phone.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from council_nlu.urgent_screen import KIND_ENTITY, screen

from ..common.journey_slots import end_form
from ..common.said import Said, joined, say
from ..common.tracker_text import latest_text, recent_bot_text
from .help_lines import emergency_line, main_lines, may_be_danger_to_life, ordered

SUPPORT_MODE = "support_mode"
SUPPORT_KINDS = "support_kinds"

OPENINGS = {
    "danger": "I'm sorry you're in this situation. Your safety comes first.",
    "gas": "I'm sorry, that's frightening. Please get everyone out of the building first.",
    "suicide": "I'm really sorry you're feeling like this, and thank you for telling me.",
    "self_harm": "I'm really sorry you're going through this, and thank you for telling me.",
    "abuse": "I'm so sorry this is happening. It's not your fault, and you're not alone.",
    "child": "Thank you for speaking up. You're right to take this seriously.",
    "adult": "Thank you for speaking up. You're right to take this seriously.",
    "homeless": "I'm sorry you're facing this. There is help, including tonight.",
    "debt": "I'm sorry things are so hard. You don't have to sort this out on your own.",
    "distress": "I'm sorry you're feeling like this. You don't have to face it on your own.",
    "unclear": "I'm sorry you're going through this. Thank you for telling me.",
}
CLOSING = "I'm here if you want to keep talking, or ask me for more help or how to reach a person."
PUT_ASIDE = "I've put aside what we were doing, and nothing has been sent."


def kinds_in_message(tracker: Tracker) -> List[Text]:
    """The kinds the screen named for the latest message; if the classifier alone chose urgent help, the screen is
    asked again here (a phrase list newer than the model), and "unclear" when it still finds nothing."""
    entities = tracker.latest_message.get("entities") or []
    kinds = [e.get("value") for e in entities if e.get("entity") == KIND_ENTITY and isinstance(e.get("value"), str)]
    if not kinds:
        kinds = list(screen(latest_text(tracker)).kinds)
    return ordered(kinds)


def remembered_kinds(tracker: Tracker) -> List[Text]:
    value = tracker.get_slot(SUPPORT_KINDS)
    return [k for k in value if isinstance(k, str)] if isinstance(value, list) else []


def first_reply(kinds: Sequence[Text], council_id: Optional[Text]) -> Said:
    kinds = ordered(kinds) or ["unclear"]
    # When a life may be at risk the 999 line comes first, before anything else, and only once.
    parts = [emergency_line()] if may_be_danger_to_life(kinds) else []
    parts.append(OPENINGS.get(kinds[0], OPENINGS["unclear"]))
    parts.append(joined(main_lines(kinds, council_id)))
    return joined(p for p in parts if p)


class ActionUrgentHelp(Action):
    def name(self) -> Text:
        return "action_urgent_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        council = tracker.get_slot("council")
        kinds = kinds_in_message(tracker) or ["unclear"]
        in_a_journey = bool((tracker.active_loop or {}).get("name"))
        known = ordered(remembered_kinds(tracker) + [k for k in kinds if k != "unclear"])
        if tracker.get_slot(SUPPORT_MODE) is True and not in_a_journey:
            from .support import ActionSupportReply, follow_up_reply

            if kinds == ["unclear"]:
                # The classifier, not the screen, heard urgency in a follow-up ("can I delete this chat so he
                # doesn't see it"): answer it as the supportive mode does, practical questions included.
                return ActionSupportReply().respond(dispatcher, tracker)
            if not may_be_danger_to_life(kinds):
                # Already talking: a warm follow-up for what they said now, not the whole first reply again.
                say(dispatcher, follow_up_reply(kinds, latest_text(tracker), council, recent_bot_text(tracker)))
                return [SlotSet(SUPPORT_KINDS, known)]
        text = first_reply(kinds, council)
        closing = f"{PUT_ASIDE} {CLOSING}" if in_a_journey else CLOSING
        say(dispatcher, Said("{text}\n{closing}", text=text, closing=closing))
        events: List[EventType] = end_form() if in_a_journey else []
        return events + [SlotSet(SUPPORT_MODE, True), SlotSet(SUPPORT_KINDS, known or ["unclear"])]
