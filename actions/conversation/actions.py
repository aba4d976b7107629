"""Small talk and conversation control. Each answer mid-journey is followed by the journey's current question."""
from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from replies import Link, Words, tell

from ..common.intents import CONFIDENT_INTERRUPTION
from ..common.journey_slots import end_form, reset_journey
from ..common.said import Said, joined, say
from ..common.tracker_text import recently_said
from ..payments.cancelling import withdraw_unpaid_order
from ..payments.settling import news_for_payment_talk
from ..common.wording import contact_routes_part

MAIN_TASKS = [
    {"title": "Report a missed bin", "payload": "/report_missed_bin"},
    {"title": "Find my bin day", "payload": "/check_bin_day"},
    {"title": "Report fly-tipping", "payload": "/report_flytipping"},
    {"title": "Check a report", "payload": "/check_report_status"},
    {"title": "Contact the council", "payload": "/request_human"},
]
ANYTHING_ELSE = "Is there anything else I can help with?"  # utter_anything_else's words
THANKS_FOR_CONTACTING = "Thank you for contacting the council."  # as utter_after_deny ends
STILL_NOT_UNDERSTANDING = "Sorry, I'm still not understanding."
# Replies that mean "I couldn't help with that": two in a row and the resident is offered the council instead.
MISUNDERSTANDINGS = {"action_misunderstood", "action_default_fallback", "action_out_of_scope"}


def privacy_links(council_id: Optional[Text]) -> Said:
    ids = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    links = []
    for cid in ids:
        council = councils.load_council(cid)
        notice = f"{council['short_name']} privacy notice"
        links.append(Said("{notice}", notice=Link(council["privacy_notice_url"], notice, notice)))
    return joined(links, " and ")


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if (tracker.active_loop or {}).get("name"):
            tell(dispatcher, "Hello again.")
            return []
        say(dispatcher, Said(
            "Hello, I'm the automated assistant for Chorley Council and South Ribble Borough Council. "
            "I'm a computer program, not a person. I can report problems like missed bins and fly-tipping, "
            "tell you your bin day, check on a report, and answer questions about council services.\n"
            "We use what you tell me only to deal with your request: see the {privacy}. "
            "Please don't share bank card details here.\nWhat can I help you with?",
            privacy=privacy_links(tracker.get_slot("council"))), buttons=MAIN_TASKS)
        return []


class ActionBotChallenge(Action):
    def name(self) -> Text:
        return "action_bot_challenge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        tell(dispatcher, "I'm an automated assistant, a computer program, not a person. If you'd rather talk to "
             "someone at the council:\n{routes}", routes=contact_routes_part(tracker.get_slot("council")))
        return []


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        topic = await hand_over_for_topic(dispatcher, tracker)
        if topic is not None:
            return topic
        if misunderstood_twice(tracker):
            return await respond_to_misunderstanding(dispatcher, tracker)
        tell(dispatcher, "Sorry, the council doesn't deal with that, so I can't help with it. I can help with bins "
             "and recycling, and with reporting problems like fly-tipping or noise. I can also help with council "
             "tax, housing, benefits, planning and getting online.",
             buttons=[] if (tracker.active_loop or {}).get("name") else MAIN_TASKS)
        return []


class ActionThank(Action):
    def name(self) -> Text:
        return "action_thank"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if (tracker.active_loop or {}).get("name"):
            tell(dispatcher, "You're welcome.")
            return []
        if recently_said(tracker, ANYTHING_ELSE):
            tell(dispatcher, "You're welcome.")  # asked just now: not the same question twice in a row
            return []
        tell(dispatcher, "You're welcome. Is there anything else I can help with?")
        return []


class ActionGoodbye(Action):
    def name(self) -> Text:
        return "action_goodbye"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        unfinished = bool((tracker.active_loop or {}).get("name"))
        note = " I haven't sent anything from what we didn't finish." if unfinished else ""
        if recently_said(tracker, THANKS_FOR_CONTACTING):
            tell(dispatcher, "Goodbye.{note}", note=note)  # thanked just now ("no, that's all"): once is enough
        else:
            tell(dispatcher, "Goodbye, and thank you for contacting the council.{note}", note=note)
        return end_form() if unfinished else []


class ActionContactRoutes(Action):
    """A resident who asks for a person is not pushed on with a form: any journey stops, with every route to staff."""

    def name(self) -> Text:
        return "action_contact_routes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        unfinished = bool((tracker.active_loop or {}).get("name"))
        stopped = " I've stopped what we were doing; nothing has been sent." if unfinished else ""
        tell(dispatcher, "I can't pass you to a person from {here} yet, but you can reach the council's customer "
             "services team:{stopped}\n{routes}", here=Words("this chat", "this call"), stopped=stopped,
             routes=contact_routes_part(tracker.get_slot("council")))
        return end_form() if unfinished else []


class ActionCancelJourney(Action):
    def name(self) -> Text:
        return "action_cancel_journey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("order_reference") and tracker.get_slot("payment_outcome") is None:
            say(dispatcher, await withdraw_unpaid_order(tracker))  # plain words or a reply with its parts
            dispatcher.utter_message(response="utter_anything_else")
            return end_form()
        if (tracker.active_loop or {}).get("name"):
            tell(dispatcher, "OK, I've stopped. Nothing has been sent.")
            dispatcher.utter_message(response="utter_anything_else")
            return end_form()
        if recently_said(tracker, ANYTHING_ELSE):
            tell(dispatcher, "OK, there's nothing to stop.")  # not the question just asked, again
            return []
        dispatcher.utter_message(response="utter_anything_else")
        return []


def misunderstood_twice(tracker: Tracker) -> bool:
    """Whether the bot also failed to understand the resident's previous message."""
    users = 0
    answered_previous: List[Text] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif users == 1 and event.get("event") == "action":
            answered_previous.append(event.get("name"))
    return users == 2 and any(name in MISUNDERSTANDINGS for name in answered_previous)


class ActionMisunderstood(Action):
    """The NLU was not confident (nlu_fallback). Twice in a row means the resident needs another route."""

    def name(self) -> Text:
        return "action_misunderstood"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # "I've paid" once the payment's journey is over: the truth about it (actions/payments/settling.py).
        news = await news_for_payment_talk(tracker.sender_id, tracker.latest_message.get("text"))
        if news:
            say(dispatcher, news)
            return []
        return await respond_to_misunderstanding(dispatcher, tracker)


class ActionDefaultFallback(Action):
    """The dialogue policies were not confident what to do next."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from ..handover.returning import HAND_BACK_INTENTS, hand_back

        if (tracker.latest_message.get("intent") or {}).get("name") in HAND_BACK_INTENTS:
            return await hand_back(dispatcher, tracker, domain)  # the staff console gave the conversation back
        # "I've paid" once the payment's journey is over: the truth about it (actions/payments/settling.py).
        news = await news_for_payment_talk(tracker.sender_id, tracker.latest_message.get("text"))
        if news:
            say(dispatcher, news)
            return []
        return await respond_to_misunderstanding(dispatcher, tracker)


async def hand_over_for_topic(dispatcher: CollectingDispatcher, tracker: Tracker,
                              fallback=None) -> Optional[List[EventType]]:
    """Words about a topic the council wants a person to deal with (councils/*.yml `handover: topics:`), where the
    assistant had nothing better to say: a person, when the staff console can take the conversation. None: carry on
    as before (no topic, no console, or the phone)."""
    from ..handover.handing_over import handover_possible, hand_over
    from ..handover.topics import topic_in

    topic = topic_in(tracker.latest_message.get("text") or "", tracker.get_slot("council"))
    if topic is None or not handover_possible(tracker):
        return None

    async def as_before() -> List[EventType]:
        return await ActionContactRoutes().run(dispatcher, tracker, domain={})

    return await hand_over(dispatcher, tracker, f"the resident wrote about {topic.replace('_', ' ')}",
                           fallback=fallback or as_before, lead=Said("That's something a person should help you with."))


async def respond_to_misunderstanding(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    topic = await hand_over_for_topic(dispatcher, tracker)
    if topic is not None:
        return topic
    if misunderstood_twice(tracker) and recently_said(tracker, STILL_NOT_UNDERSTANDING):
        # A third miss in a row: not the same paragraph again.
        tell(dispatcher, "Sorry, I still can't follow that. Please choose one of these, or {contact}.",
             contact=Words("use the council's contact details above", "ask for a person"), buttons=MAIN_TASKS)
        return []
    if misunderstood_twice(tracker):
        async def as_before() -> List[EventType]:
            tell(dispatcher, "Sorry, I'm still not understanding. You might find it quicker to contact the council:\n"
                 "{routes}\nOr choose one of these:", routes=contact_routes_part(tracker.get_slot("council")),
                 buttons=MAIN_TASKS)
            return []

        # Could not help twice: a person, when the staff console can take the conversation (not on the phone,
        # whose line offers to put the caller through itself).
        from ..handover.handing_over import hand_over

        return await hand_over(dispatcher, tracker, "the assistant could not understand twice", fallback=as_before,
                               lead=Said("Sorry, I still don't understand. Let me see if a person can help."))
    tell(dispatcher, "Sorry, I didn't understand that. Could you say it another way? For example “my bin wasn't "
         "emptied”, “when is my bin day” or “report fly-tipping”.")
    return []


class ActionStartJourney(Action):
    """Every journey starts clean: answers from an earlier or abandoned journey must not leak into this one.

    The form then reads this message again, so "my blue bin wasn't emptied, PR7 1DP" still fills the bin and the
    postcode.
    """

    def name(self) -> Text:
        return "action_start_journey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # "My mum passed away and I need to tell the council" can look a little like a journey to the model: words
        # about a topic a person should deal with, when the model is not sure, go to a person instead.
        intent = tracker.latest_message.get("intent") or {}
        if (intent.get("confidence") or 0.0) < CONFIDENT_INTERRUPTION:
            async def journey_as_before() -> List[EventType]:
                return reset_journey()

            topic = await hand_over_for_topic(dispatcher, tracker, fallback=journey_as_before)
            if topic is not None:
                return reset_journey() + topic
        return reset_journey()
