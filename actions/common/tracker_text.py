"""Reading the resident's latest message."""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

from .intents import ALWAYS_INTERRUPT, CONFIDENT_INTERRUPTION, JOURNEY_STARTS, QUESTIONS


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> Text:
    return (tracker.latest_message.get("text") or "").strip()


def latest_entity(tracker: Tracker, entity: Text) -> Optional[Any]:
    values: List[Any] = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    return values[0] if values else None


def is_answer(tracker: Tracker, own_intents: frozenset = frozenset()) -> bool:
    """Whether the latest message should be read as the answer to the question the form asked.

    `own_intents` are intents that naturally describe this journey's answers (report_noise while reporting noise).
    """
    intent: Dict[Text, Any] = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    if not latest_text(tracker) or name in ALWAYS_INTERRUPT:
        return False
    if name in own_intents:
        return True
    if name in QUESTIONS or name in JOURNEY_STARTS:
        return (intent.get("confidence") or 0.0) < CONFIDENT_INTERRUPTION
    return True
