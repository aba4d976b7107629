"""No loop longer than two: what a step says when answers keep not fitting its question.

The first answer that doesn't fit gets the step's own explanation. The second gets the choices offered another way
(an example, buttons), how to leave ("stop") and a person to talk to; the question is then asked in other words.
The third ends the step with the ways to reach the council, so no resident hears the same sentence three times.
Counted from the conversation itself (no slot): the resident's messages since this question was first asked.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import councils
from replies import PhoneNumber

from .journey_form import stop_journey
from .said import Said, Told, as_said, joined, say

PERSON_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}
STOP_BUTTON = {"title": "Stop", "payload": "/cancel"}
GIVE_UP = "Sorry, I still can't match that, so let's leave this here rather than go round in circles."


def misfits(tracker: Tracker, slot: Text, progress: Iterable[Text] = ()) -> int:
    """How many messages the resident has sent since `slot` was first asked, without it being filled: the latest
    message included. A `progress` slot set (the next Open311 question on the same slot) starts the count again."""
    moved_on = set(progress)
    count = since_asked = 0
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            count += 1
        elif kind == "active_loop":
            break  # the journey started, or came back after a question was answered: a fresh start
        elif kind == "slot":
            name = event.get("name")
            if name == "requested_slot":
                if event.get("value") != slot:
                    break
                since_asked = count  # the messages after this asking of the question
            elif name in moved_on:
                break
    return since_asked


def person_line(council: Optional[Text]) -> Said:
    """"say 'stop' to leave this, or call Chorley Council on 01257 515151": short, with the number to call."""
    ids: List[Text] = [council] if council in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    numbers = joined((Said("{name} on {number}", name=councils.load_council(cid)["name"],
                           number=PhoneNumber(councils.load_council(cid)["contact"]["phone"])) for cid in ids), " or ")
    return Said("If it's easier, say “stop” to leave this, or talk to a person: call {numbers}.", numbers=numbers)


def not_understood(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    slot: Text,
    first: Told,
    clearer: Told,
    progress: Iterable[Text] = (),
    buttons: Optional[List[Dict[Text, Text]]] = None,
    expects: Optional[Text] = None,
) -> Dict[Text, Any]:
    """Say why the answer didn't fit, in a way that changes with each try; the slots to return.

    `first`: the step's own explanation. `clearer`: the choices another way, with an example. Either may be plain
    words or a Said with parts (a reference, a postcode). After that, the step ends with the council's contact
    routes. `expects`: what the question wants (replies/), for the phone's speech recognition."""
    tries = misfits(tracker, slot, progress)
    council = tracker.get_slot("council")
    if tries <= 1:
        say(dispatcher, first, buttons=buttons or [], expects=expects)
        return {slot: None}
    if tries == 2:
        said = Said("{clearer} {person}", clearer=as_said(clearer), person=person_line(council))
        say(dispatcher, said, buttons=[*(buttons or []), PERSON_BUTTON, STOP_BUTTON], expects=expects)
        return {slot: None}
    return {slot: None, **stop_journey(dispatcher, GIVE_UP, council)}


def asked_again(tracker: Tracker, slot: Text, progress: Iterable[Text] = ()) -> bool:
    """Whether this ask follows a second answer that didn't fit: the question is then put in other words."""
    return misfits(tracker, slot, progress) >= 2


def already_asked(tracker: Tracker) -> bool:
    """Whether the bot has put a question since the resident's latest message (a validator asking "Which town is
    yours?", or its clearer second try): the form's own question would then be a second, contradicting one."""
    form = (tracker.active_loop or {}).get("name")
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == form:
            return False  # said before the form ran this turn (an answer to a digression): the question is still due
        if event.get("event") == "bot" and "?" in str(event.get("text") or ""):
            return True
    return False


def ask(dispatcher: CollectingDispatcher, tracker: Tracker, response: Text) -> List[Any]:
    """An ask action for a question worded in the domain: the response, unless a question was just put."""
    if not already_asked(tracker):
        dispatcher.utter_message(response=response)
    return []
