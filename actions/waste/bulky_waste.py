"""Book a bulky waste collection: address -> what items -> a slot on the round -> contact -> price -> pay."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import Day, Emphasis, Money, Reference, Words, tell

from ..clients import CouncilServiceError, council_records_client
from ..clients.records import CANCELLED, EXPIRED, Contact, RecordsRejected, SlotFull
from ..clients.records.errors import TOO_MANY_UNPAID
from ..common import understanding
from ..common.address_step import AddressStep
from ..common.journey_form import skip_empty, stop_journey
from ..common.second_tries import already_asked, misfits, not_understood
from ..common.services import call
from ..common.said import Said
from ..common.wording import council_name, say_date
from ..payments.money import say_money
from ..payments.wording import phrase
from ..payments.order import CHANGE_CONTACT, Confirmation, OrderKind, OrderStopped, Placed, Summary, register
from ..payments.step import OrderForm
from .bulky_items import describe_items, describe_items_spoken, price_of, read_items

OWN_INTENTS = frozenset({"book_bulky_waste", "inform", "ask_recycling"})


class BulkyWaste(OrderKind):
    kind = "bulky_waste"
    changes = (("The items", "items", ("bulky_items",)), ("The day", "day", ("bulky_slot",)), CHANGE_CONTACT)

    async def summarise(self, tracker: Tracker) -> Summary:
        catalogue = await call(council_records_client().bulky_waste_catalogue, tracker.get_slot("council"))
        items: Dict[str, int] = tracker.get_slot("bulky_items") or {}
        return Summary.phrased(
            "a collection of {items} from {address} on {day}", price_of(items, catalogue),
            items=Words(describe_items(items, catalogue), describe_items_spoken(items, catalogue)),
            address=Emphasis(str(tracker.get_slot("address"))),
            day=_bold_day(date.fromisoformat(tracker.get_slot("bulky_slot"))),
        )

    async def place(self, tracker: Tracker, contact: Optional[Contact]) -> Placed:
        try:
            booking = await call(
                council_records_client().book_bulky_waste,
                tracker.get_slot("uprn"), tracker.get_slot("bulky_slot"), tracker.get_slot("bulky_items"),
                contact=contact,
            )
        except SlotFull as full:
            raise OrderStopped(f"Sorry, that day has just been fully booked. {full.resident_message}",
                               ask_again=("bulky_slot",))
        except RecordsRejected as refused:
            if refused.code == TOO_MANY_UNPAID:  # the records' cap per address: their words say what to do
                raise OrderStopped(f"Sorry, I can't book this collection. {refused.resident_message} "
                                   "Nothing has been charged.")
            raise OrderStopped(refused.resident_message)
        return Placed(booking.reference, booking.payment, booking.confirmed)

    async def current(self, tracker: Tracker, reference: Text) -> Placed:
        booking = await call(council_records_client().bulky_waste_booking, reference)
        return Placed(booking.reference, booking.payment, booking.confirmed,
                      expired=booking.status in (CANCELLED, EXPIRED))

    async def cancel(self, tracker: Tracker, reference: Text) -> None:
        await call(council_records_client().cancel_bulky_waste_booking, reference)

    async def confirmation(self, tracker: Tracker, reference: Text, amount: int) -> Confirmation:
        day = date.fromisoformat(tracker.get_slot("bulky_slot"))
        when = say_date(day)
        chat = phrase(
            "Thank you, your payment of {amount} went through. Your bulky waste collection is booked for {day}. "
            "Your booking reference is {reference}.\n"
            "Please put the items outside by 7am on that day, where the crew can reach them.",
            amount=Money(amount), day=_bold_day(day), reference=Reference(reference),
        )
        return Confirmation(
            chat=chat.web_text,
            spoken=chat.spoken_text,
            purpose="bulky_waste",
            personalisation={
                "council_name": council_name(tracker.get_slot("council")),
                "reference": reference,
                "items": await _items_listing(tracker),
                "collection_date": when,
                "address": tracker.get_slot("address") or "",
                "amount": say_money(amount),
            },
        )


def _bold_day(day: date) -> Words:
    """A collection day: bold on the web, as people say it on the phone."""
    return Words(f"**{Day(day).web()}**", Day(day).spoken())


async def _items_listing(tracker: Tracker) -> Text:
    """"1 × sofa and 2 × chair" for the confirmation; the catalogue is cached, so this rarely calls the records."""
    items: Dict[str, int] = tracker.get_slot("bulky_items") or {}
    try:
        catalogue = await call(council_records_client().bulky_waste_catalogue, tracker.get_slot("council"))
    except CouncilServiceError:
        return ", ".join(f"{quantity} × {item.replace('_', ' ')}" for item, quantity in items.items())
    return describe_items(items, catalogue)


BULKY_WASTE = register(BulkyWaste())


class ValidateBulkyWasteForm(AddressStep, OrderForm):
    order = BULKY_WASTE
    own_intents = OWN_INTENTS

    def name(self) -> Text:
        return "validate_bulky_waste_form"

    async def order_questions(self, tracker: Tracker) -> List[Text]:
        return ["postcode", "uprn", "bulky_items", "bulky_slot"]

    async def extract_bulky_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.answer_for("bulky_items", tracker)

    @skip_empty
    async def validate_bulky_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if isinstance(value, dict):
            return {"bulky_items": value}
        try:
            catalogue = await call(council_records_client().bulky_waste_catalogue, tracker.get_slot("council"))
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        reading = read_items(str(value), catalogue)
        for refused in reading.not_accepted:
            tell(dispatcher, "We can't collect {item}. {instead}", item=refused.name.lower(), instead=refused.instead)
        if reading.unknown:
            tell(dispatcher, "Sorry, I don't recognise “{unknown}” as something we collect. We collect, for example: "
                 "{examples}.", unknown=reading.unknown[0], examples=_examples(catalogue))
        if reading.count > catalogue.max_items:
            tell(dispatcher, "One collection can take up to {most} items, and that's {count}. Please tell me which "
                 "items to book this time; you can book another collection for the rest.",
                 most=catalogue.max_items, count=reading.count, expects="description")
            return {"bulky_items": None}
        if reading.unknown or not reading.items:
            if reading.items:
                tell(dispatcher, "So far I have: {items}.", items=Words(describe_items(reading.items, catalogue),
                                                                     describe_items_spoken(reading.items, catalogue)))
            tell(dispatcher, "Please tell me all the items again, for example “a sofa and two chairs”.",
                 expects="description")
            return {"bulky_items": None}
        try:
            slots = await call(council_records_client().bulky_waste_slots, tracker.get_slot("uprn"))
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        if not slots.available():
            return stop_journey(
                dispatcher,
                "Sorry, every collection day I can offer at this address is fully booked. New days open each "
                "week, so please try again in a few days. Nothing has been booked or charged.",
                tracker.get_slot("council"),
            )
        return {"bulky_items": reading.items}

    async def extract_bulky_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.answer_for("bulky_slot", tracker, entity="attribute_value")

    @skip_empty
    async def validate_bulky_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            slots = await call(council_records_client().bulky_waste_slots, tracker.get_slot("uprn"))
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        available = slots.available()
        chosen = _match_slot(str(value), available)
        if chosen is None:
            offered = [s.date for s in available]
            return not_understood(
                dispatcher, tracker, "bulky_slot", _why_not(str(value), offered),
                Said("Which day would you like? The first with space is {first}. You can say “the first one”, or "
                     "choose a day below.", first=Day(offered[0]) if offered else "not known"),
                buttons=_day_buttons(available), expects="date",
            )
        return {"bulky_slot": chosen}


def _why_not(text: Text, offered: List[date]) -> Said:
    """Why those words gave no offered day: a day not on the round, or a weekday it doesn't collect on."""
    reading = understanding.choose_date(text, offered, _today(offered))
    first = Said("The first day with space is {day}.", day=Day(offered[0])) if offered else ""
    if reading.understood is not None:
        return Said("Sorry, I can't offer {day}. {first}", day=Day(reading.understood), first=first)
    if reading.weekday is not None and offered:
        return Said("Collections here are on {round_day}s, so I can't offer a {asked_day}. {first}",
                    round_day=f"{offered[0]:%A}", asked_day=f"{date(2026, 1, 5 + reading.weekday):%A}", first=first)
    return Said("Sorry, that isn't one of the days I can offer. Please choose one of them, or say “the first one”.")


def _today(offered: List[date]) -> date:
    """The resident's today, in the UK: "tomorrow" and "the 7th" are counted from it. Days are offered from two
    working days ahead, so a first day before today means the records keep another clock (the sandbox's, in
    tests and demos): the day before the first offered day then stands for today."""
    today = datetime.now(ZoneInfo("Europe/London")).date()
    return min(today, offered[0] - timedelta(days=1)) if offered else today


def _day_buttons(available: List[Any]) -> List[Dict[Text, Text]]:
    return [{"title": s.date_text, "payload": f'/inform{{"attribute_value":"{s.date.isoformat()}"}}'} for s in available]


def _examples(catalogue: Any) -> Words:
    """"sofa (£20.00), armchair (£10.00), ...": the prices said as people say them on the phone."""
    shown = catalogue.items[:8]
    return Words(", ".join(f"{i.name.lower()} ({i.price_text})" for i in shown),
                 ", ".join(f"{i.name.lower()} ({Money(i.price).spoken()})" for i in shown))


def _match_slot(text: Text, available: List[Any]) -> Optional[Text]:
    """The offered day the words mean ("whichever is soonest", "tuesday 8th", "the second one"), or None."""
    offered = [s.date for s in available]
    reading = understanding.choose_date(text, offered, _today(offered))
    return reading.chosen.isoformat() if reading.chosen else None


class ActionAskBulkyItems(Action):
    def name(self) -> Text:
        return "action_ask_bulky_items"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if misfits(tracker, "bulky_items") and _validation_spoke(tracker):
            # The answer's validation has just asked for the items again, with an example and the limit: the
            # question in full would say the same sentences a second time.
            return []
        try:
            catalogue = await call(council_records_client().bulky_waste_catalogue, tracker.get_slot("council"))
            limit = f" One collection takes up to {catalogue.max_items} items."
        except CouncilServiceError:
            limit = ""
        tell(dispatcher, "What would you like us to collect? For example “a sofa and two chairs”.{limit}",
             limit=limit, expects="description")
        return []


def _validation_spoke(tracker: Tracker) -> bool:
    """Whether the form said something after the resident's latest message (its validation of their answer)."""
    form = (tracker.active_loop or {}).get("name")
    for event in reversed(tracker.events or []):
        if event.get("event") == "user" or (event.get("event") == "action" and event.get("name") == form):
            return False
        if event.get("event") == "bot" and event.get("text"):
            return True
    return False


class ActionAskBulkySlot(Action):
    def name(self) -> Text:
        return "action_ask_bulky_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            slots = await call(council_records_client().bulky_waste_slots, tracker.get_slot("uprn"))
        except CouncilServiceError as error:
            tell(dispatcher, "{problem}", problem=error.resident_message)
            return []
        available = slots.available()
        if not available:
            tell(dispatcher, "Sorry, every collection day I can offer at this address is fully booked. New days open "
                 "each week, so please try again in a few days, or contact the council.",
                 buttons=[{"title": "Cancel", "payload": "/cancel"}])
            return []
        if already_asked(tracker):
            return []  # the answer's validation just asked again, with the days as buttons
        tell(dispatcher, "Which day would you like? These are the days with space on your round:",
             buttons=_day_buttons(available), expects="date")
        return []
