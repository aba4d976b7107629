"""The "shall I send it?" question of a report, said with reply parts (replies/), with the buttons that
actions/common/confirmation.py gives every journey, so they stay defined in one place."""
from __future__ import annotations

from typing import Any, List, Text

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from replies import tell

from ..common.confirmation import ask_to_confirm


def confirm_report(dispatcher: CollectingDispatcher, template: Text, yes_title: Text, **values: Any) -> List[EventType]:
    shown = CollectingDispatcher()
    events = ask_to_confirm(shown, "", yes_title)
    tell(dispatcher, template, buttons=shown.messages[0].get("buttons"), expects="yes_no", **values)
    return events
