"""Ask for a new, replacement, extra or larger bin: address -> which bin -> why -> the charge, if any -> pay."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import Emphasis, Money, Reference, Words, tell

from ..clients import CouncilServiceError, council_records_client
from ..clients.records import CANCELLED, EXPIRED, BinKind, Contact, RecordsRejected
from ..common import understanding
from ..common.address_step import AddressStep
from ..common.journey_form import skip_empty, stop_journey
from ..common.second_tries import already_asked, not_understood
from ..common.services import call
from ..common.wording import council_name
from ..payments.money import say_money
from ..payments.order import CHANGE_CONTACT, Confirmation, OrderKind, OrderStopped, Placed, Summary, register
from ..payments.wording import phrase
from ..payments.step import OrderForm

OWN_INTENTS = frozenset({"request_new_bin", "inform"})

# (the slot's value, the button, how the summary says it)
REQUEST_TYPES: Tuple[Tuple[Text, Text, Text], ...] = (
    ("replacement:damaged", "Replace a damaged bin", "a replacement for a damaged"),
    ("replacement:stolen", "Replace a stolen bin", "a replacement for a stolen"),
    ("replacement:lost", "Replace a lost bin", "a replacement for a lost"),
    ("extra", "An extra bin", "an extra"),
    ("larger", "A larger bin (6 or more people live here)", "a larger"),
    ("new_property", "Bins for a new home", "a new-home"),
)
_TYPE_WORDS = {
    "damaged": "replacement:damaged", "broken": "replacement:damaged", "cracked": "replacement:damaged",
    "stolen": "replacement:stolen", "nicked": "replacement:stolen", "lost": "replacement:lost",
    "missing": "replacement:lost", "extra": "extra", "another": "extra", "second": "extra",
    "additional": "extra", "larger": "larger", "bigger": "larger", "new home": "new_property",
    "new build": "new_property", "moved in": "new_property", "new property": "new_property",
}


def _kind_name(kind: BinKind) -> Text:
    return kind.name or kind.stream


class BinRequestOrder(OrderKind):
    kind = "bin_request"
    changes = (
        ("The bin", "bin", ("bin_request_stream", "bin_request_type")),
        ("Why you need it", "reason", ("bin_request_type",)),
        CHANGE_CONTACT,
    )

    async def summarise(self, tracker: Tracker) -> Summary:
        rules = await call(council_records_client().bin_request_rules, tracker.get_slot("council"))
        stream, request = tracker.get_slot("bin_request_stream"), tracker.get_slot("bin_request_type")
        kind = next(b for b in rules.bins if b.stream == stream)
        rule = rules.rule(stream, request.split(":")[0])
        words = next(w for value, _, w in REQUEST_TYPES if value == request)
        return Summary.phrased(
            "{request} {bin}, delivered to {address} within {days} working days", rule.charge if rule else 0,
            request=words, bin=_kind_name(kind), address=Emphasis(str(tracker.get_slot("address"))),
            days=rules.delivery_working_days,
        )

    async def place(self, tracker: Tracker, contact: Optional[Contact]) -> Placed:
        request, _, reason = str(tracker.get_slot("bin_request_type")).partition(":")
        household = None
        if request == "larger":
            rules = await call(council_records_client().bin_request_rules, tracker.get_slot("council"))
            household = rules.larger_bin_household_size  # the resident said so by choosing that button
        try:
            made = await call(
                council_records_client().request_bin, tracker.get_slot("uprn"), tracker.get_slot("bin_request_stream"),
                request, reason=reason or None, household_size=household, contact=contact,
            )
        except RecordsRejected as refused:
            raise OrderStopped(refused.resident_message)
        return Placed(made.reference, made.payment, made.requested)

    async def current(self, tracker: Tracker, reference: Text) -> Placed:
        made = await call(council_records_client().bin_request, reference)
        return Placed(made.reference, made.payment, made.requested, expired=made.status in (CANCELLED, EXPIRED))

    async def cancel(self, tracker: Tracker, reference: Text) -> None:
        await call(council_records_client().cancel_bin_request, reference)

    async def confirmation(self, tracker: Tracker, reference: Text, amount: int) -> Confirmation:
        what = tracker.get_slot("order_summary") or "your bin"
        paid = "Thank you, your payment of {amount} went through. " if amount else ""
        # The summary was worded when it was shown (its slot keeps the web's words): a caller hears them plain.
        chat = phrase(paid + "I've asked for {what}. Your reference is {reference}.",
                      what=Words(what, what.replace("**", "")), reference=Reference(reference),
                      **({"amount": Money(amount)} if amount else {}))
        return Confirmation(chat.web_text, "bin_request", {
            "council_name": council_name(tracker.get_slot("council")),
            "reference": reference,
            "request": what.replace("**", ""),
            "amount": f"{say_money(amount)}, paid" if amount else "none",
        }, spoken=chat.spoken_text)


BIN_REQUEST = register(BinRequestOrder())


class ValidateBinRequestForm(AddressStep, OrderForm):
    order = BIN_REQUEST
    own_intents = OWN_INTENTS

    def name(self) -> Text:
        return "validate_bin_request_form"

    async def order_questions(self, tracker: Tracker) -> List[Text]:
        return ["postcode", "uprn", "bin_request_stream", "bin_request_type"]

    async def extract_bin_request_stream(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.answer_for("bin_request_stream", tracker, entity="bin_type")

    @skip_empty
    async def validate_bin_request_stream(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            rules = await call(council_records_client().bin_request_rules, tracker.get_slot("council"))
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        wanted = str(value).strip().lower()
        matches = [b for b in rules.bins if wanted == b.stream]
        if not matches:
            matches = [b for b in rules.bins if (b.name and b.name.lower() in wanted)
                       or (b.colour and b.colour.lower() in wanted.split())
                       or b.stream in wanted]
        if len(matches) != 1:
            chosen = understanding.choose(wanted, [_kind_name(b) for b in rules.bins])  # "the second", "blue"
            matches = [rules.bins[chosen]] if chosen is not None else matches
        if len(matches) != 1:
            names = ", ".join(_kind_name(b) for b in rules.bins)
            return not_understood(
                dispatcher, tracker, "bin_request_stream", f"Sorry, which bin? The council's bins are: {names}.",
                f"Which bin do you need: {names}? You can say its colour, like “the blue one”.",
                buttons=_stream_buttons(rules.bins),
            )
        return {"bin_request_stream": matches[0].stream}

    async def extract_bin_request_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.answer_for("bin_request_type", tracker, entity="attribute_value")

    @skip_empty
    async def validate_bin_request_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value).strip().lower()
        request = text if text in {v for v, _, _ in REQUEST_TYPES} else None
        if request is None and _by_place(text):  # "the second option": not "a second bin"
            placed = understanding.choose(text, [t for _, t, _ in REQUEST_TYPES])
            request = REQUEST_TYPES[placed][0] if placed is not None else None
        if request is None:
            found = {v for word, v in _TYPE_WORDS.items() if word in text}
            request = found.pop() if len(found) == 1 else None
        if request is None:
            chosen = understanding.choose(text, [title for _, title, _ in REQUEST_TYPES])
            request = REQUEST_TYPES[chosen][0] if chosen is not None else None
        if request is None:
            return not_understood(
                dispatcher, tracker, "bin_request_type", "Sorry, I didn't catch why you need the bin. Please choose one.",
                "What do you need the bin for? For example “mine was stolen”, or “we need an extra one”.",
                buttons=_type_buttons(), expects="choice",
            )
        try:
            rules = await call(council_records_client().bin_request_rules, tracker.get_slot("council"))
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        rule = rules.rule(tracker.get_slot("bin_request_stream"), request.split(":")[0])
        if rule is None or not rule.allowed:
            tell(dispatcher, "Sorry, we can't do that for this bin.{why}", why=f" {rule.rule}".rstrip() if rule else "")
            return {"bin_request_type": None}
        charge = Words(rule.charge_text, Money(rule.charge).spoken()) if rule.charge else rule.charge_text
        tell(dispatcher, "The charge for this is {charge}.{rule}", charge=charge, rule=f" {rule.rule}".rstrip())
        return {"bin_request_type": request}


class ActionAskBinRequestStream(Action):
    def name(self) -> Text:
        return "action_ask_bin_request_stream"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            rules = await call(council_records_client().bin_request_rules, tracker.get_slot("council"))
        except CouncilServiceError as error:
            tell(dispatcher, "{problem}", problem=error.resident_message)
            return []
        if already_asked(tracker):
            return []  # the answer's validation just asked again
        tell(dispatcher, "Which bin do you need?", buttons=_stream_buttons(rules.bins))
        return []


def _by_place(text: Text) -> bool:
    """"the second option", "3rd", "the last one": a place in the list of buttons."""
    place = understanding.ordinal_in(text)
    return place is not None and bool(
        re.search(r"\b(option|choice|button)\b", text) or re.fullmatch(r"(the )?\w+( one)?", text.strip())
    ) and not re.search(r"\b(a|another) second\b", text)


def _stream_buttons(bins: List[BinKind]) -> List[Dict[Text, Text]]:
    return [{"title": _kind_name(b).capitalize(), "payload": f'/inform{{"bin_type":"{b.stream}"}}'} for b in bins]


def _type_buttons() -> List[Dict[Text, Text]]:
    return [{"title": title, "payload": f'/inform{{"attribute_value":"{value}"}}'} for value, title, _ in REQUEST_TYPES]


class ActionAskBinRequestType(Action):
    def name(self) -> Text:
        return "action_ask_bin_request_type"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if already_asked(tracker):
            return []  # the answer's validation just asked again
        # Six choices: "choice" keeps the phone reading them as a keypad menu (a long list is otherwise addresses).
        tell(dispatcher, "What do you need it for?", buttons=_type_buttons(), expects="choice")
        return []
