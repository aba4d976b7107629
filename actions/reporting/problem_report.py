"""Report fly-tipping, dog fouling, graffiti, noise or an abandoned vehicle through Open311.

The questions are the service's own Open311 attributes, asked one at a time, so a council that adds a question
(or a whole service) to its Open311 definitions changes this journey without a code change.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from councils import postcodes
from replies import PhoneNumber, Words, tell

from ..clients import Attribute, CouncilServiceError, ServiceDefinition, open311_client
from ..common import understanding
from ..common.address_step import NEARBY, AddressStep
from ..common.confirmation import ask_to_confirm, ask_what_to_change
from ..common.council_step import CouncilStep
from ..common.echo import echoed
from ..common.intents import PROBLEM_REPORTS
from ..common.journey_form import JourneyForm, skip_empty, stop_journey
from ..common.said import Said
from ..common.journey_slots import reset_journey
from ..common.second_tries import already_asked, misfits, not_understood
from ..common.services import call
from ..common.tracker_text import is_answer, latest_entity, latest_intent, latest_text
from ..common.wording import council_buttons
from .sending import send_report

SERVICE_NAMES = {
    "flytipping": "fly-tipping",
    "dog_fouling": "dog fouling",
    "graffiti": "graffiti",
    "noise": "a noise problem",
    "abandoned_vehicle": "an abandoned vehicle",
}
SKIP_WORDS = {"skip", "no", "none", "don't know", "dont know", "not sure", "no idea", "nothing", "n/a"}
YES_WORDS = {"yes", "yeah", "yep", "y", "it is", "yes it is", "correct", "aye"}
NO_WORDS = {"no", "nope", "n", "it isn't", "it isnt", "no it isn't", "not really"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^(?:\+44|0044|0)\d{9,10}$")
NO_CONTACT = "none"


def service_name(code: Optional[Text]) -> Text:
    return SERVICE_NAMES.get(code or "", "the problem")


async def definition(tracker: Tracker) -> ServiceDefinition:
    return await call(open311_client().service_definition, tracker.get_slot("report_service"))


def next_attribute(service: ServiceDefinition, answers: Dict[Text, Any]) -> Optional[Attribute]:
    return next((a for a in service.attributes if a.variable and a.code not in answers), None)


def own_intents(tracker: Tracker) -> frozenset:
    code = tracker.get_slot("report_service")
    return frozenset({"inform"} | {intent for intent, c in PROBLEM_REPORTS.items() if c == code})


class ValidateProblemReportForm(CouncilStep, AddressStep, JourneyForm):
    allow_nearby = True

    def name(self) -> Text:
        return "validate_problem_report_form"

    def answer_intents(self, tracker: Tracker) -> frozenset:
        # The same action serves every conversation at once, so this is worked out per message, never stored.
        return own_intents(tracker)

    async def questions(self, tracker: Tracker) -> List[Text]:
        asked = ["report_location"]
        if tracker.get_slot("postcode"):
            asked.append("uprn")
        asked.append("council")
        try:
            service = await definition(tracker)
        except CouncilServiceError:
            return asked  # the first validation that needs it reports the problem and stops the journey
        if next_attribute(service, tracker.get_slot("report_answers") or {}) is not None:
            asked.append("attribute_answer")
        return asked + ["report_contact", "report_confirmed"]

    # -- where ----------------------------------------------------------------------------------------------
    async def extract_report_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "report_location" or not is_answer(tracker, self.answer_intents(tracker)):
            return {}
        return {"report_location": latest_text(tracker)}

    @skip_empty
    async def validate_report_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        postcode = latest_entity(tracker, "postcode") or postcodes.find_in_text(text)
        if postcode:
            found = await self.validate_postcode(postcode, dispatcher, tracker, domain)
            if not found.get("postcode"):
                return {**found, "report_location": None}
            return {**found, "report_location": text}
        if len(text) < 6 or not re.search(r"[a-zA-Z]{3}", text):
            # The form's question follows, with its example of a place: said once, there.
            tell(dispatcher, "Sorry, I need a little more than that to find the place.", expects="description")
            return {"report_location": None}
        return {
            "report_location": text[:300],
            "postcode": None,
            "uprn": None,
            "council": councils.council_for_place(text) or tracker.get_slot("council"),
        }

    # -- the service's own questions -------------------------------------------------------------------------
    async def extract_attribute_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "attribute_answer":
            return {}
        chosen = latest_entity(tracker, "attribute_value")
        if chosen:
            return {"attribute_answer": str(chosen)}
        return {"attribute_answer": latest_text(tracker)} if is_answer(tracker, self.answer_intents(tracker)) else {}

    @skip_empty
    async def validate_attribute_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            service = await definition(tracker)
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        answers = dict(tracker.get_slot("report_answers") or {})
        attribute = next_attribute(service, answers)
        if attribute is None:
            return {"attribute_answer": None}
        text = str(value or "")
        answer = interpret(attribute, text)
        if answer is None and not attribute.required and misfits(tracker, "attribute_answer", PROGRESS) >= 2:
            # An optional detail asked twice: leave it out rather than go round again.
            tell(dispatcher, "That's fine, I'll leave that out.")
            answer = ""
        if answer is None:
            first, clearer = _try_again(attribute, text)
            return not_understood(dispatcher, tracker, "attribute_answer", first, clearer, progress=PROGRESS,
                                  buttons=_choice_buttons(attribute) if "?" in first + clearer else None,
                                  expects=_expected(attribute))
        if answer == "" and understanding.kind_of_free_text(attribute.code, attribute.description) \
                and understanding.is_deferral(text):
            tell(dispatcher, "No problem, I'll send the report without it.")
        answers[attribute.code] = answer
        # Emptied again so the same slot can carry the answer to the next question.
        return {"report_answers": answers, "attribute_answer": None}

    # -- contact and confirmation ----------------------------------------------------------------------------
    async def extract_report_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "report_contact":
            return {}
        if latest_intent(tracker) == "deny":
            return {"report_contact": NO_CONTACT}
        return {"report_contact": latest_text(tracker)} if is_answer(tracker, self.answer_intents(tracker)) else {}

    @skip_empty
    async def validate_report_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value or "").strip()
        compact = re.sub(r"[\s\-()]", "", text)
        if text == NO_CONTACT or text.lower() in SKIP_WORDS:
            return {"report_contact": NO_CONTACT}
        if _EMAIL.match(text) or _PHONE.match(compact):
            return {"report_contact": text if _EMAIL.match(text) else compact}
        # The form's question follows, saying what to give or that "no" is fine: said once, there.
        tell(dispatcher, "That doesn't look like an email address or a UK phone number.", expects="email_or_phone")
        return {"report_contact": None}

    @skip_empty
    async def validate_report_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is True:
            return {"report_confirmed": True}
        change = latest_entity(tracker, "change")
        if change == "location":
            return {"report_confirmed": None, "report_location": None, "postcode": None, "uprn": None}
        if change == "details":
            return {"report_confirmed": None, "report_answers": None}
        if change == "contact":
            return {"report_confirmed": None, "report_contact": None}
        return {"report_confirmed": None, "correcting": True}


PROGRESS = ("report_answers",)  # each Open311 question uses the same slot: an answer moves on to the next


def interpret(attribute: Attribute, text: Text) -> Optional[Text]:
    """The resident's words as the attribute's value, "" for an optional one skipped, or None if they don't fit."""
    said = text.strip().lower().strip(".!")
    if not said:
        return None
    if attribute.values:
        keys = {str(k).lower(): str(k) for k, _ in attribute.values}
        for key, name in attribute.values:
            if said in (str(key).lower(), name.lower()):
                return str(key)
        if set(keys) == {"yes", "no"}:
            meant = understanding.yes_or_no(said)
            if meant is not None:
                return keys["yes" if meant else "no"]
        elif not understanding.sounds_often(said):  # "every single day" is not how long, nor which kind
            chosen = understanding.choose(said, [name for _, name in attribute.values])
            if chosen is not None:
                return str(attribute.values[chosen][0])
        if not attribute.required and (said in SKIP_WORDS or understanding.is_deferral(said)):
            return ""
        return None
    if not attribute.required and (said in SKIP_WORDS or understanding.is_deferral(said)):
        return ""
    if understanding.kind_of_free_text(attribute.code, attribute.description) == understanding.REGISTRATION:
        return understanding.registration_in(text)
    if attribute.datatype == "number":
        count = understanding.number_in(said)
        return str(count) if count is not None else None
    if understanding.is_deferral(said) or (understanding.looks_like_a_question(said) and len(said) < 60):
        return None  # a required detail: "I'll have to look" and "why do you need that?" are not it
    return text.strip()[:500]


def _try_again(attribute: Attribute, text: Text) -> tuple:
    """(first, clearer): why the answer didn't fit this question, then the choices another way."""
    names = [name for _, name in attribute.values]
    skip = " Or say “skip” if you don't know." if not attribute.required else ""
    if understanding.kind_of_free_text(attribute.code, attribute.description) == understanding.REGISTRATION:
        return ("That doesn't look like a registration number. A registration looks like PF19 KZW or A123 BCD."
                + skip,
                "What does the number plate say? For example PF19 KZW." + skip)
    if names and set(n.lower() for n in names) == {"yes", "no"}:
        return (f"Sorry, I didn't catch that. {attribute.description} Please say yes or no.",
                f"{attribute.description} Just “yes” or “no” is fine.")
    if names:
        listing = "; ".join(names)
        hint = ("That sounds like how often it happens. " if understanding.sounds_often(text) else "Sorry, ")
        return (f"{hint}please choose one of these: {listing}.",
                f"Which is closest: {listing}? You can say “the first one”, for example.")
    if understanding.is_deferral(text):
        return ("I need this to send the report. A rough answer is fine.",
                f"{attribute.description} A rough answer is fine.")
    return ("Sorry, I didn't get that. Could you say it another way?",
            f"{attribute.description} A few words are fine.")


class ActionStartProblemReport(Action):
    def name(self) -> Text:
        return "action_start_problem_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        code = PROBLEM_REPORTS.get(latest_intent(tracker) or "")
        tell(dispatcher, "I can report {service} to the council. I'll ask where it is and a few questions, "
             "then check everything with you before I send it. You can say “cancel” at any time.",
             service=service_name(code))
        return [*reset_journey(), SlotSet("report_service", code)]


class ActionAskAttributeAnswer(Action):
    def name(self) -> Text:
        return "action_ask_attribute_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            service = await definition(tracker)
        except CouncilServiceError as error:
            tell(dispatcher, "{problem}", problem=error.resident_message)
            return []
        attribute = next_attribute(service, tracker.get_slot("report_answers") or {})
        if attribute is None:
            return []
        if already_asked(tracker):
            return []  # the answer's validation just asked it again, in other words
        skip = "" if attribute.required else " (You can say “skip”.)"
        tell(dispatcher, "{question}{skip}", question=attribute.description, skip=skip,
             buttons=_choice_buttons(attribute), expects=_expected(attribute))
        return []


def _expected(attribute: Attribute) -> Optional[Text]:
    """What the question wants, for the phone's speech recognition and keypad."""
    names = {name.lower() for _, name in attribute.values}
    if names == {"yes", "no"}:
        return "yes_no"
    if attribute.values:
        return "choice"  # one of its buttons: on the phone a keypad menu, however long, never a house number
    if attribute.datatype == "number":
        return "number"
    if attribute.datatype == "datetime":
        return "date"
    return "description"


def _choice_buttons(attribute: Attribute) -> List[Dict[Text, Text]]:
    buttons = [{"title": name, "payload": f'/inform{{"attribute_value":"{key}"}}'} for key, name in attribute.values]
    if not attribute.required and attribute.values:
        buttons.append({"title": "Skip", "payload": '/inform{"attribute_value":"skip"}'})
    return buttons


class ActionAskReportConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_report_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("correcting"):
            return ask_what_to_change(
                dispatcher,
                [("Where it is", "location"), ("The details", "details"), ("My contact details", "contact")],
                "Nothing, send it",
            )
        try:
            told = await summary(tracker)
        except CouncilServiceError as error:
            tell(dispatcher, "{problem}", problem=error.resident_message)
            return []
        return ask_to_confirm(dispatcher, Said("Here's your report:\n{summary}\nShall I send it to the council?",
                                               summary=told), "Yes, send it")


async def summary(tracker: Tracker) -> Words:
    """One short line per detail, each labelled with a noun ("What was dumped: Household bags"): the web's list,
    and the same lines as sentences for a caller."""
    service = await definition(tracker)
    answers = tracker.get_slot("report_answers") or {}
    # Everything after "Where" may be the resident's own words: repeated as plain text, never as links.
    lines = [("What", service_name(service.code)), ("Where", echoed(where(tracker)))]
    for attribute in service.attributes:
        answer = answers.get(attribute.code)
        if answer:
            lines.append((summary_label(service.code, attribute), attribute.value_name(answer) or echoed(answer)))
    web = [f"- {label}: {value}" for label, value in lines]
    spoken = [f"{label}: {value}." for label, value in lines]
    contact = tracker.get_slot("report_contact")
    if contact and contact != NO_CONTACT:
        web.append(f"- Updates to: {echoed(contact)}")
        said = echoed(contact) if "@" in contact else PhoneNumber(contact).spoken()
        spoken.append(f"Updates to: {said}.")
    else:
        web.append("- No contact details")
        spoken.append("No contact details.")
    return Words("\n".join(web), " ".join(spoken))


@lru_cache(maxsize=1)
def _labels() -> Dict[Text, Text]:
    with open(Path(__file__).with_name("summary_labels.yml"), encoding="utf-8") as handle:
        return {str(k): str(v) for k, v in (yaml.safe_load(handle) or {}).items()}


def summary_label(service_code: Text, attribute: Attribute) -> Text:
    """A short label for an answer in the summary: its own, or the first sentence of its question."""
    labels = _labels()
    label = labels.get(f"{service_code}.{attribute.code}") or labels.get(attribute.code)
    if label:
        return label
    question = re.split(r"(?<=[?.!])\s", attribute.description.strip(), maxsplit=1)[0]
    return question.rstrip("?.!") or attribute.code.replace("_", " ").capitalize()


def where(tracker: Tracker) -> Text:
    if tracker.get_slot("uprn") and tracker.get_slot("uprn") != NEARBY:
        return tracker.get_slot("address")
    place = tracker.get_slot("report_location") or ""
    postcode = tracker.get_slot("postcode")
    if postcode and postcode not in place.upper():
        return f"{place} (near {postcode})"
    return place


class ActionAskCouncil(Action):
    def name(self) -> Text:
        return "action_ask_council"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        tell(dispatcher, "Which council area is that in? Choose one, or tell me the town or postcode.",
             buttons=council_buttons())
        return []


class ActionSubmitProblemReport(Action):
    def name(self) -> Text:
        return "action_submit_problem_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("journey_blocked") or not tracker.get_slot("report_confirmed"):
            dispatcher.utter_message(response="utter_anything_else")
            return reset_journey()
        code = tracker.get_slot("report_service")
        uprn = tracker.get_slot("uprn")
        contact = tracker.get_slot("report_contact")
        located = {"uprn": uprn} if uprn and uprn != NEARBY else {"address_string": where(tracker)}
        answers = {k: v for k, v in (tracker.get_slot("report_answers") or {}).items() if v != ""}
        report = {
            "service_code": code,
            "attributes": answers,
            "council": tracker.get_slot("council"),
            "email": contact if contact and "@" in contact else None,
            "phone": contact if contact and contact != NO_CONTACT and "@" not in contact else None,
            **located,
        }
        summary_line = f"{service_name(code)} at {echoed(where(tracker))}"
        await send_report(dispatcher, tracker, service_name(code), summary_line, report,
                          contact=contact if contact != NO_CONTACT else None, where=where(tracker))
        return reset_journey()
