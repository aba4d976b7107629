"""Subscribe to, or renew, the paid garden waste collection: address -> price and season -> contact -> pay."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import Address, Emphasis, Money, Reference, Words, tell

from ..clients import CouncilServiceError, council_records_client
from ..clients.records import ACTIVE, CANCELLED, EXPIRED, AlreadySubscribed, Contact, RecordsRejected, Season
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

OWN_INTENTS = frozenset({"garden_waste_subscription", "inform"})


class GardenWaste(OrderKind):
    kind = "garden_waste"
    changes = (
        ("The address", "address", ("postcode", "uprn", "address_candidates", "address")),
        ("How many bins", "bins", ("garden_bins",)),
        CHANGE_CONTACT,
    )

    async def summarise(self, tracker: Tracker) -> Summary:
        status = await call(council_records_client().garden_waste_status, tracker.get_slot("uprn"))
        if status.next_action is None or status.target_season is None:
            raise OrderStopped(status.message, offer_contact=False)
        verb = "renewal of your" if status.next_action == "renew" else "new"
        season = status.target_season
        bins = _bins(tracker)
        return Summary.phrased(
            "a {verb} garden waste subscription for {season} ({start} to {end}), for {bins} {bin_name}, at {address}",
            status.price_per_bin * bins,
            verb=verb, season=_season(season, bold=True), start=season.start_text, end=season.end_text, bins=bins,
            bin_name=f"{status.bin_name}{'s' if bins > 1 else ''}", address=Emphasis(str(tracker.get_slot("address"))),
        )

    async def place(self, tracker: Tracker, contact: Optional[Contact]) -> Placed:
        try:
            subscription = await call(
                council_records_client().subscribe_garden_waste, tracker.get_slot("uprn"), _bins(tracker),
                contact=contact,
            )
        except (AlreadySubscribed, RecordsRejected) as refused:
            raise OrderStopped(refused.resident_message, offer_contact=False)
        return Placed(subscription.reference, subscription.payment, subscription.status == ACTIVE)

    async def current(self, tracker: Tracker, reference: Text) -> Placed:
        subscription = await call(council_records_client().garden_waste_subscription, reference)
        return Placed(subscription.reference, subscription.payment, subscription.active,
                      expired=subscription.status in (CANCELLED, EXPIRED))

    async def cancel(self, tracker: Tracker, reference: Text) -> None:
        await call(council_records_client().cancel_garden_waste_subscription, reference)

    async def confirmation(self, tracker: Tracker, reference: Text, amount: int) -> Confirmation:
        # The season and bins as the records hold them; the conversation's own answers if they can't be read now.
        season, bins, bin_name = "", _bins(tracker), "garden waste bin"
        try:
            subscription = await call(council_records_client().garden_waste_subscription, reference)
            season, bins, bin_name = subscription.season.name, subscription.bins, subscription.bin_name
        except CouncilServiceError:
            pass
        summary = str(tracker.get_slot("order_summary"))
        # The summary was worded when it was shown (its slot keeps the web's words): a caller hears them plain.
        chat = phrase(
            "Thank you, your payment of {amount} went through, and your garden waste subscription is confirmed: "
            "{summary}. Your reference is {reference}. Collections are every two weeks on your usual collection day.",
            amount=Money(amount), summary=Words(summary, _spoken_summary(summary)), reference=Reference(reference),
        )
        return Confirmation(
            chat=chat.web_text,
            spoken=chat.spoken_text,
            purpose="garden_waste",
            personalisation={
                "council_name": council_name(tracker.get_slot("council")),
                "reference": reference,
                "season": season or "this season",
                "bins": str(bins),
                "bin_name": bin_name,
                "address": tracker.get_slot("address") or "",
                "amount": say_money(amount),
                "new_bin": "no",
            },
        )


def _season(season: Season, bold: bool = False) -> Words:
    """"2026/27" on the web; "2026 to 2027" on the phone, where a speech engine would read out the slash."""
    web = f"**{season.name}**" if bold else season.name
    return Words(web, f"{season.start.year} to {season.end.year}" if "/" in season.name else season.name)


def _spoken_summary(summary: Text) -> Text:
    """The summary as shown (kept in a slot), for a caller: no bold, and "2026/27" as "2026 to 2027"."""
    return re.sub(r"\b(\d{2})(\d{2})/(\d{2})\b", r"\1\2 to \1\3", summary.replace("**", ""))


def _bins(tracker: Tracker) -> int:
    return int(tracker.get_slot("garden_bins") or 1)


GARDEN_WASTE = register(GardenWaste())


class ValidateGardenWasteForm(AddressStep, OrderForm):
    order = GARDEN_WASTE
    own_intents = OWN_INTENTS

    def name(self) -> Text:
        return "validate_garden_waste_form"

    async def order_questions(self, tracker: Tracker) -> List[Text]:
        return ["postcode", "uprn", "garden_bins"]

    async def extract_garden_bins(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.answer_for("garden_bins", tracker, entity="attribute_value")

    @skip_empty
    async def validate_garden_bins(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number = understanding.number_in(str(value))  # "2", "two", "just the one", "a couple of bins"
        try:
            prices = await call(council_records_client().garden_waste_prices, tracker.get_slot("council"))
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        if number is None or not 1 <= number <= prices.max_bins:
            more = f" One address can have up to {prices.max_bins}." if number and number > prices.max_bins else ""
            return not_understood(
                dispatcher, tracker, "garden_bins", f"Please choose a number of bins from 1 to {prices.max_bins}.{more}",
                f"How many garden waste bins would you like, from 1 to {prices.max_bins}? For example, “one bin”.",
                buttons=_bin_buttons(prices.max_bins), expects="number",
            )
        return {"garden_bins": number}

    async def validate_uprn(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,  # type: ignore[override]
                            domain: Dict) -> Dict[Text, Any]:
        chosen = await AddressStep.validate_uprn(self, value, dispatcher, tracker, domain)
        return await self._check_status(chosen, dispatcher, tracker)

    async def validate_postcode(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,  # type: ignore[override]
                                domain: Dict) -> Dict[Text, Any]:
        found = await AddressStep.validate_postcode(self, value, dispatcher, tracker, domain)
        return await self._check_status(found, dispatcher, tracker)

    async def _check_status(
        self, slots: Dict[Text, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        """Once the address is known: say the price and season, or that it is already subscribed."""
        uprn = slots.get("uprn")
        if not uprn or slots.get("journey_blocked"):
            return slots
        council = slots.get("council") or tracker.get_slot("council")
        try:
            status = await call(council_records_client().garden_waste_status, uprn)
            prices = await call(council_records_client().garden_waste_prices, status.council)
        except CouncilServiceError as error:
            return {**slots, **stop_journey(dispatcher, error.resident_message, council)}
        if status.next_action is None:
            tell(dispatcher, "{why}", why=status.message)
            return {**slots, "journey_blocked": True, "requested_slot": None}
        season = status.target_season
        tell(dispatcher, "Garden waste collections at {address} cost {price}. {doing} now covers {season} ({start} to "
             "{end}). {collections}", address=Address(str(slots.get("address"))), price=prices.price_text,
             doing="Renewing" if status.next_action == "renew" else "Subscribing", season=_season(season),
             start=season.start_text, end=season.end_text, collections=prices.collections)
        return slots


class ActionAskGardenBins(Action):
    def name(self) -> Text:
        return "action_ask_garden_bins"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            prices = await call(council_records_client().garden_waste_prices, tracker.get_slot("council"))
        except CouncilServiceError as error:
            tell(dispatcher, "{problem}", problem=error.resident_message)
            return []
        if already_asked(tracker):
            return []  # the answer's validation just asked again
        tell(dispatcher, "How many garden waste bins would you like? Each costs {price} a year.",
             price=Money(prices.price_per_bin), buttons=_bin_buttons(prices.max_bins), expects="number")
        return []


def _bin_buttons(most: int) -> List[Dict[Text, Text]]:
    return [{"title": str(n), "payload": f'/inform{{"attribute_value":"{n}"}}'} for n in range(1, most + 1)]
