"""The last step of every report: a summary to confirm, and a menu of what can be changed."""
from __future__ import annotations

from typing import Dict, List, Sequence, Text, Tuple, Union

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .said import Said, Told, say


def confirm_buttons(yes_title: Text) -> List[Dict[Text, Text]]:
    """Yes, change something, cancel: the same three for every journey's summary."""
    return [
        {"title": yes_title, "payload": "/affirm"},
        {"title": "No, change something", "payload": "/deny"},
        {"title": "Cancel", "payload": "/cancel"},
    ]


def ask_to_confirm(dispatcher: CollectingDispatcher, text: Told, yes_title: Text) -> List[EventType]:
    """`text`: the summary, as plain words, a Said, or a reply_message() (replies/) with its parts."""
    say(dispatcher, text, buttons=confirm_buttons(yes_title), expects="yes_no")
    return []


def ask_what_to_change(
    dispatcher: CollectingDispatcher, changes: Sequence[Tuple[Text, Text]], nothing_title: Text,
    hint: Union[Text, Said] = ""
) -> List[EventType]:
    """`changes` are (button title, change id); the form's validator reads the id from the `change` entity."""
    buttons = [{"title": title, "payload": f'/deny{{"change":"{change}"}}'} for title, change in changes]
    buttons += [{"title": nothing_title, "payload": "/affirm"}, {"title": "Cancel the report", "payload": "/cancel"}]
    say(dispatcher, Said("What needs changing?{hint}", hint=hint), buttons=buttons)
    return [SlotSet("correcting", None)]
