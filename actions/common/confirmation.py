"""The last step of every report: a summary to confirm, and a menu of what can be changed."""
from __future__ import annotations

from typing import List, Sequence, Text, Tuple

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


def ask_to_confirm(dispatcher: CollectingDispatcher, text: Text, yes_title: Text) -> List[EventType]:
    dispatcher.utter_message(
        text=text,
        buttons=[
            {"title": yes_title, "payload": "/affirm"},
            {"title": "No, change something", "payload": "/deny"},
            {"title": "Cancel", "payload": "/cancel"},
        ],
    )
    return []


def ask_what_to_change(
    dispatcher: CollectingDispatcher, changes: Sequence[Tuple[Text, Text]], nothing_title: Text, hint: Text = ""
) -> List[EventType]:
    """`changes` are (button title, change id); the form's validator reads the id from the `change` entity."""
    buttons = [{"title": title, "payload": f'/deny{{"change":"{change}"}}'} for title, change in changes]
    buttons += [{"title": nothing_title, "payload": "/affirm"}, {"title": "Cancel the report", "payload": "/cancel"}]
    dispatcher.utter_message(text=f"What needs changing?{hint}", buttons=buttons)
    return [SlotSet("correcting", None)]
