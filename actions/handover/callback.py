"""A call back from customer services when nobody can chat now: callback_form and action_request_callback.

callback_form asks, in turn: whether they'd like a call back (callback_wanted, yes or no), the name to ask for,
a UK phone number or an email address (on the phone, the number they are calling from may be offered), a good
time ("weekday mornings"), and what it is about (what the summary says they wanted, to confirm or add to).

action_request_callback records the request in the staff console (a handover with status `callback`), sends a
GOV.UK Notify confirmation when the contact can take one (an email, or a text to a mobile; never a landline) and
says when they will be called. If the console can't take it, the resident is told plainly, with the number to
call, so the request is never silently lost.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from councils.phone_line import national_digits
from replies import PhoneNumber, Words, tell

from ..clients.staff import StaffConsoleUnavailable, staff_console_client
from ..common.intents import ALWAYS_INTERRUPT
from ..common.journey_form import JourneyForm, skip_empty
from ..common.services import call
from ..common.tracker_text import is_answer, latest_intent, latest_text
from ..common.wording import contact_routes_part, council_name
from ..payments.contact import _EMAIL, _digits_as_said
from .handing_over import CALLBACK_SLOTS, PHONE_CHANNEL, handover_request
from .summary import council_of, urgent_happened
from .when import next_open_words

logger = logging.getLogger(__name__)

_UK_NUMBER = re.compile(r"0[1237]\d{8,9}")  # landlines (01, 02), 03 numbers and mobiles (07): 10 or 11 digits
_PHONE_LIKE = re.compile(r"(?:\+|\b)[\d(][\d\s().-]{8,}\d")
LONGEST_ANSWER = 300


def read_callback_contact(text: Text) -> Optional[Text]:
    """"email:<address>" or "phone:<national digits>" from what the resident wrote or said; None if neither."""
    email = _EMAIL.search(text or "")
    if email:
        return f"email:{email.group(0)}"
    for candidate in (text or "", _digits_as_said(text or "")):
        for found in _PHONE_LIKE.finditer(candidate):
            digits = national_digits(found.group(0))
            if _UK_NUMBER.fullmatch(digits):
                return f"phone:{digits}"
    return None


def caller_number(tracker: Tracker) -> Optional[Text]:
    """On the phone, the number the caller is calling from (the phone channel's `caller` metadata), if UK."""
    if tracker.get_latest_input_channel() != PHONE_CHANNEL:
        return None
    caller = ((tracker.latest_message or {}).get("metadata") or {}).get("caller")
    digits = national_digits(str(caller)) if caller else ""
    return f"phone:{digits}" if _UK_NUMBER.fullmatch(digits) else None


def contact_shown(contact: Optional[Text]) -> Text:
    """The number or address, as staff and the resident read it ("07700 900123")."""
    kind, _, value = (contact or "").partition(":")
    if kind == "phone" and len(value) == 11:
        return f"{value[:5]} {value[5:]}"
    return value


def _spoken_contact(contact: Optional[Text]) -> Text:
    kind, _, value = (contact or "").partition(":")
    return PhoneNumber(contact_shown(contact)).spoken() if kind == "phone" else value


def about_default(tracker: Tracker) -> Optional[Text]:
    kept = tracker.get_slot("handover_details") or {}
    return ((kept.get("details") or {}).get("wanted")) if isinstance(kept, dict) else None


class ValidateCallbackForm(JourneyForm):
    # Names, good times and what it's about are free text: "weekday mornings please" (check_bin_day, 0.9) or "a
    # question about my council tax bill" (check_council_tax, 0.98) look like journeys to the model, but here they
    # are answers. The form's validation decides it (the form runs before any rule while it is open; a rule such as
    # "start finding a bin day" takes over only when the validation rejects the message), so every intent is an
    # answer but those that always interrupt: cancel, a person, urgent help (ALWAYS_INTERRUPT).
    def answer_intents(self, tracker: Tracker) -> frozenset:
        intent = latest_intent(tracker)
        return frozenset() if intent is None or intent in ALWAYS_INTERRUPT else frozenset({intent})

    def name(self) -> Text:
        return "validate_callback_form"

    async def questions(self, tracker: Tracker) -> List[Text]:
        if tracker.get_slot("callback_wanted") is False:
            return []
        return list(CALLBACK_SLOTS)

    async def extract_callback_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return self.answer_for("callback_name", tracker)

    async def extract_callback_contact(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "callback_contact":
            return {}
        offered = caller_number(tracker)
        if offered and latest_intent(tracker) == "affirm":
            return {"callback_contact": offered}
        return self.answer_for("callback_contact", tracker)

    async def extract_callback_time(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return self.answer_for("callback_time", tracker)

    async def extract_callback_about(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "callback_about":
            return {}
        default = about_default(tracker)
        if default and latest_intent(tracker) == "affirm":
            return {"callback_about": default}
        if is_answer(tracker, frozenset(self.answer_intents(tracker)) | {"affirm", "deny"}):
            return {"callback_about": latest_text(tracker)}
        return {}

    @skip_empty
    async def validate_callback_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        name = " ".join(str(value).split())
        if not re.search(r"[^\W\d_]", name) or len(name) > 80:
            tell(dispatcher, "Sorry, I need a name for them to ask for, like “Sam Taylor”.")
            return {"callback_name": None}
        return {"callback_name": name}

    @skip_empty
    async def validate_callback_contact(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> Dict[Text, Any]:
        text = str(value)
        contact = text if re.fullmatch(r"(phone|email):\S+", text) else read_callback_contact(text)
        if contact is None:
            tell(dispatcher, "{problem}", problem=Words(
                "Sorry, that doesn't look like a UK phone number or an email address. A phone number looks like "
                "01257 515151 or 07700 900123. An email address looks like name@example.com.",
                "Sorry, I didn't catch a UK phone number. Please say or key in the whole number, starting with zero."))
            return {"callback_contact": None}
        return {"callback_contact": contact}

    @skip_empty
    async def validate_callback_time(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        return {"callback_time": " ".join(str(value).split())[:LONGEST_ANSWER]}

    @skip_empty
    async def validate_callback_about(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        return {"callback_about": " ".join(str(value).split())[:LONGEST_ANSWER]}


class ActionAskCallbackWanted(Action):
    def name(self) -> Text:
        return "action_ask_callback_wanted"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        tell(dispatcher, "Would you like someone from customer services to call you back?", expects="yes_no",
             buttons=[{"title": "Yes, call me back", "payload": "/affirm"}, {"title": "No thanks", "payload": "/deny"}])
        return []


class ActionAskCallbackName(Action):
    def name(self) -> Text:
        return "action_ask_callback_name"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        tell(dispatcher, "What name should they ask for?")
        return []


class ActionAskCallbackTime(Action):
    def name(self) -> Text:
        return "action_ask_callback_time"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        tell(dispatcher, "When is a good time to call? For example, {example}.",
             example=Words("“weekday mornings” or “after 2pm”", "weekday mornings, or after 2pm"))
        return []


class ActionAskCallbackContact(Action):
    def name(self) -> Text:
        return "action_ask_callback_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        offered = caller_number(tracker)
        if offered:
            tell(dispatcher, "Shall they call you on the number you're calling from, {number}? Say yes, or tell me "
                 "another number.", number=PhoneNumber(contact_shown(offered)),
                 buttons=[{"title": "Yes", "payload": "/affirm"}], expects="yes_no")
            return []
        tell(dispatcher, "{question}", question=Words(
            "What number should they call? If you'd rather they email you, type your email address.",
            "What number should they call? Say or key in the whole number, starting with zero."))
        return []


class ActionAskCallbackAbout(Action):
    def name(self) -> Text:
        return "action_ask_callback_about"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        default = about_default(tracker)
        if default:
            tell(dispatcher, "I'll tell them you wanted {about}. Is that right? Say yes, or tell me more about what "
                 "you need.", about=default, buttons=[{"title": "Yes, that's right", "payload": "/affirm"}])
        else:
            tell(dispatcher, "What would you like to talk to them about?")
        return []


def _confirmation_contact(contact: Optional[Text]) -> Optional[Text]:
    """Where Notify can confirm: an email, or a mobile by text message ("email:..." / "sms:..."); never a landline."""
    kind, _, value = (contact or "").partition(":")
    if kind == "email":
        return contact
    if kind == "phone" and value.startswith("07"):
        return f"sms:{value}"
    return None


class ActionRequestCallback(Action):
    """Ends callback_form: records the call back in the console, confirms it by Notify, says what happens next."""

    def name(self) -> Text:
        return "action_request_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        done = [*[SlotSet(slot, None) for slot in CALLBACK_SLOTS], SlotSet("handover_details", None)]
        council = _council(tracker)
        if tracker.get_slot("callback_wanted") is not True:
            tell(dispatcher, "OK. If you'd like to contact the council later:\n{routes}",
                 routes=contact_routes_part(council))
            dispatcher.utter_message(response="utter_anything_else")
            return done
        name = tracker.get_slot("callback_name")
        contact = tracker.get_slot("callback_contact")
        callback = {"name": name, "contact": contact_shown(contact), "good_time": tracker.get_slot("callback_time"),
                    "about": tracker.get_slot("callback_about")}
        request = self._request(tracker, callback)
        console = staff_console_client()
        try:
            if console is None:
                raise StaffConsoleUnavailable("no staff console is set up")
            made = await call(console.create_handover, request)
        except StaffConsoleUnavailable as error:
            logger.warning("Callback: the staff console could not take it (%s)", error)
            tell(dispatcher, "Sorry, I couldn't pass on your request, so nobody will call you from this chat. "
                 "Please contact the council yourself:\n{routes}", routes=contact_routes_part(council))
            return done
        when = next_open_words(council)
        sent = await self._confirm(tracker, made.id, contact, council, callback, when)
        by_phone = bool(contact and contact.startswith("phone:"))
        how = (Words(f"call you on {contact_shown(contact)}", f"call you on {_spoken_contact(contact)}") if by_phone
               else Words(f"email you at {contact_shown(contact)}", f"email you at {contact_shown(contact)}"))
        tell(dispatcher, "Thank you. Someone from customer services will {how} {when}.{confirmation}",
             how=how, when=when, confirmation=sent)
        dispatcher.utter_message(response="utter_anything_else")
        return done + [SlotSet("handover_status", "callback")]

    @staticmethod
    def _request(tracker: Tracker, callback: Dict[Text, Any]) -> Dict[Text, Any]:
        kept = tracker.get_slot("handover_details")
        if isinstance(kept, dict) and kept.get("summary"):
            request = {"conversation_id": tracker.sender_id,
                       "channel": "phone" if tracker.get_latest_input_channel() == PHONE_CHANNEL else "webchat",
                       **kept, "status": "callback"}
        else:  # the form was started some other way (the phone line's out of hours offer)
            request = handover_request(tracker, "asked for a call back", urgent_happened(tracker), "callback")
        summary = f"{request['summary']}\nCall back: {callback['name']} on {callback['contact']}, " \
                  f"{callback['good_time']}; about: {callback['about']}"
        return {**request, "summary": summary, "status": "callback", "callback": callback}

    @staticmethod
    async def _confirm(tracker: Tracker, handover_id: Any, contact: Optional[Text], council: Optional[Text],
                       callback: Dict[Text, Any], when: Text) -> Words:
        """The Notify confirmation, through the outbox (sent now, or later if Notify is down): what to say of it."""
        from ..payments.confirming import MAYBE_SENT, SENDS_LATER, SENT_NOW, confirm

        to = _confirmation_contact(contact)
        if to is None:
            return Words("", "")
        personalisation = {"council_name": council_name(council), "name": callback["name"],
                           "about": callback["about"], "good_time": callback["good_time"], "next_open": when}
        try:
            outcome = await confirm(to, "callback", personalisation, f"CALLBACK-{handover_id}", payment_id=None,
                                    sender_id=tracker.sender_id)
        except Exception:  # the call back is recorded: a confirmation that can't even be kept must not undo that
            logger.exception("Callback: the confirmation could not be kept")
            return Words("", "")
        how = "by email" if to.startswith("email:") else "by text message"
        if outcome == SENT_NOW:
            return Words(f" I've sent you a confirmation {how}.", f" I've sent you a confirmation {how}.")
        if outcome in (SENDS_LATER, MAYBE_SENT):
            return Words(f" You'll get a confirmation {how} soon.", f" You'll get a confirmation {how} soon.")
        return Words("", "")


def _council(tracker: Tracker) -> Optional[Text]:
    kept = tracker.get_slot("handover_details")
    council = kept.get("council") if isinstance(kept, dict) else None
    return council if council in councils.COUNCIL_IDS else council_of(tracker)
