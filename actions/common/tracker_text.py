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



def recent_bot_text(tracker: Tracker) -> Text:
    """What the bot said in its reply before the resident's latest message, and so far in this one."""
    users = 0
    said: List[Text] = []
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif event.get("event") == "bot":
            said.append(str(event.get("text") or ""))
    return "\n".join(reversed(said))


def recently_said(tracker: Tracker, sentence: Text) -> bool:
    """Whether the bot said `sentence` in its reply before the resident's latest message, or already in this one:
    said again straight away, it reads (and on the phone sounds) like a stutter."""
    return sentence.lower() in recent_bot_text(tracker).lower()
