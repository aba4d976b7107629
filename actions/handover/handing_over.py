"""Passing a conversation to a person: `hand_over()` and the `action_handover` of the request_human rule.

With the staff console (STAFF_CONSOLE_URL) on a chat channel:
- someone is free: the conversation joins the console's queue (urgent first if urgent help was given in it), the
  resident hears their place and a rough wait, and the conversation is paused (Rasa keeps what they write, predicts
  nothing) until staff hand it back. An open journey form is kept, so the hand-back can carry on with it.
- out of hours, or nobody free: when someone will be there (the council's opening hours) and the offer of a call
  back (callback_form). A resident who had urgent help hears the help that is open now first, and the council's
  out of hours number, never only the offer of a call back.
Without a console, when it is down, or on the phone (the phone line puts callers through itself:
connectors/phone/), the resident gets what they got before handover existed, so nothing breaks.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from councils.opening_hours import opening_hours_lines
from replies import PhoneNumber, tell

from ..clients.staff import StaffConsoleUnavailable, staff_console_client
from ..common.said import Said, joined, say
from ..common.services import call
from .summary import council_of, details, summary, urgent_happened

logger = logging.getLogger(__name__)

PHONE_CHANNEL = "phone"
CALLBACK_SLOTS = ("callback_wanted", "callback_name", "callback_contact", "callback_time", "callback_about")
ASKED_FOR_PERSON = "asked for a person"

Fallback = Callable[[], Awaitable[List[EventType]]]


def handover_possible(tracker: Tracker) -> bool:
    """Whether this conversation could be queued for staff: a console is set up and it is not a phone call."""
    return staff_console_client() is not None and tracker.get_latest_input_channel() != PHONE_CHANNEL


def handover_request(tracker: Tracker, reason: Text, urgent: bool, status: Text) -> Dict[Text, Any]:
    """The body of POST /api/v1/handovers, without the callback."""
    council = council_of(tracker)
    found = details(tracker)
    return {
        "conversation_id": tracker.sender_id,
        "channel": "phone" if tracker.get_latest_input_channel() == PHONE_CHANNEL else "webchat",
        "council": council,
        "reason": reason,
        "summary": summary(found, reason, council),
        "details": found,
        "priority": "urgent" if urgent else "normal",
        "status": status,
        "callback": None,
    }


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text, *, fallback: Fallback,
                    urgent: Optional[bool] = None, lead: Optional[Said] = None,
                    urgent_lines_given: bool = False) -> List[EventType]:
    """Pass the conversation to staff for `reason` (what staff read as "why"), or call `fallback` (the words the
    resident got before there was a console) when that can't be done. `lead`: said first, only when the console
    answers (the fallback has its own words). `urgent_lines_given`: the help that is open now was just said."""
    console = staff_console_client()
    if console is None or tracker.get_latest_input_channel() == PHONE_CHANNEL:
        return await fallback()
    urgent = urgent_happened(tracker) if urgent is None else urgent
    council = council_of(tracker)
    try:
        free = await call(console.availability, council)
        request = handover_request(tracker, reason, urgent, "waiting")
        made = await call(console.create_handover, request) if free.available else None
    except StaffConsoleUnavailable as error:
        logger.warning("Handover: the staff console could not take it (%s): contact routes instead", error)
        return await fallback()
    if lead:
        say(dispatcher, lead)
    if made is not None:
        tell_queue_place(dispatcher, made.position, made.estimated_wait_minutes)
        # The open form stays open: when staff hand back, the generated resume rule asks its question again.
        # A paused conversation never gets the action_listen that ends a turn, so the hand-back's intent would
        # follow this action, not a listen, and match no rule (the policies then fall back, again and again):
        # the listen is logged here, before the pause.
        return [SlotSet("handover_status", "waiting"), SlotSet("handover_reason", None),
                ActionExecuted("action_listen"), ConversationPaused()]
    return offer_callback(dispatcher, tracker, request, why=free.why, hours=free.opening_hours, urgent=urgent,
                          urgent_lines_given=urgent_lines_given)


def tell_queue_place(dispatcher: CollectingDispatcher, position: Optional[int], minutes: Optional[int]) -> None:
    if position and position > 1:
        place = f"You're number {position} in the queue."
    else:
        place = "You're next in the queue."
    if not minutes:
        wait = "Someone should be with you soon."
    elif minutes == 1:
        wait = "The wait is about 1 minute."
    else:
        wait = f"The wait is about {minutes} minutes."
    tell(dispatcher, "I've asked for someone from our customer services team to join this chat. {place} {wait}\n"
         "You can keep writing here while you wait. They'll see everything you've said.", place=place, wait=wait)


def out_of_hours_line(council: Optional[Text]) -> Said:
    """The council's out of hours number (councils/*.yml contact.out_of_hours_phone), for each council when we
    don't know which."""
    ids = [council] if council in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    numbers = joined((Said("{short}: {number}", short=councils.load_council(cid)["short_name"],
                           number=PhoneNumber(councils.load_council(cid)["contact"]["out_of_hours_phone"]))
                      for cid in ids), "; ")
    return Said("For an emergency the council deals with out of hours, call {numbers}.", numbers=numbers)


def offer_callback(dispatcher: CollectingDispatcher, tracker: Tracker, request: Dict[Text, Any], *, why: Text,
                   hours: List[Text], urgent: bool, urgent_lines_given: bool = False) -> List[EventType]:
    """Nobody can chat now: when they can, help that is open now for an urgent conversation, and the callback
    form, whose first question is whether they'd like a call back. Any journey form is put aside."""
    council = council_of(tracker)
    if why == "out_of_hours":
        tell(dispatcher, "Our customer services team isn't working at the moment.")
    elif why == "timed_out":  # the console gave the conversation back: nobody took it in time
        tell(dispatcher, "You're back with the automated assistant. Sorry, nobody from our team was free to chat "
             "in time.")
    else:
        tell(dispatcher, "Sorry, nobody from our customer services team is free to chat at the moment.")
    lines = hours or opening_hours_lines(council)
    if lines:
        say(dispatcher, Said("Customer services are open:\n{hours}",
                             hours=joined(Said("{line}", line=line) for line in lines)))
    if urgent:
        if not urgent_lines_given:
            from ..safety.help_lines import twenty_four_hour_lines
            from ..safety.urgent_help import remembered_kinds

            kinds = remembered_kinds(tracker) or ["unclear"]
            say(dispatcher, Said("You can talk to someone now, at any time:\n{lines}",
                                 lines=joined(twenty_four_hour_lines(kinds, council))))
        say(dispatcher, out_of_hours_line(council))
    kept = {key: request[key] for key in ("council", "reason", "summary", "details", "priority")}
    return [
        SlotSet("handover_details", kept),
        SlotSet("handover_status", None),
        SlotSet("handover_reason", None),
        *[SlotSet(slot, None) for slot in CALLBACK_SLOTS],
        SlotSet("requested_slot", None),
        ActiveLoop("callback_form"),
    ]


async def contact_routes(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """What "talk to a person" gave before the console: every route to staff, and any journey stopped."""
    from ..conversation.actions import ActionContactRoutes

    return await ActionContactRoutes().run(dispatcher, tracker, {})


def recent_stop_reason(tracker: Tracker, within_messages: int = 2) -> Optional[Text]:
    """`handover_reason` when a journey stopped just now (within the resident's last two messages): a reason from
    a journey that stopped long ago, before other things, would mislead staff."""
    users = 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            users += 1
            if users > within_messages:
                return None
        elif event.get("event") == "slot" and event.get("name") == "handover_reason":
            return event.get("value") or None
    return None


class ActionHandover(Action):
    """The request_human rule: the resident asked for a person (perhaps with the "Talk to a person" button a
    stopped journey offered: its `handover_reason` says why)."""

    def name(self) -> Text:
        return "action_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from .topics import topic_in

        stopped = recent_stop_reason(tracker)
        reason = f"{stopped}; then {ASKED_FOR_PERSON}" if stopped else ASKED_FOR_PERSON
        topic = topic_in(tracker.latest_message.get("text") or "", council_of(tracker))
        if topic:  # "I wish to complain about a member of staff": staff see the topic at once
            reason = f"{reason} ({topic.replace('_', ' ')})"
        return await hand_over(dispatcher, tracker, reason, fallback=lambda: contact_routes(dispatcher, tracker))
