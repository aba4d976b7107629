"""Pay a parking fine: the PCN number and the vehicle's registration -> the amount due (reduced within 14 days)
-> contact -> pay on GOV.UK Pay. A paid or cancelled PCN gets a clear answer instead."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import Day, Money, Reference, Words, reply_message, tell

from ..clients import CouncilServiceError, PcnNotFound, council_records_client
from ..clients.records import PCN_PAID, Contact, PenaltyCharge
from ..common import understanding
from ..common.journey_form import skip_empty, stop_journey
from ..common.second_tries import ask, not_understood
from ..common.services import call
from ..common.tracker_text import latest_entity
from ..payments.order import (
    CHANGE_CONTACT, Confirmation, OrderKind, OrderStopped, Placed, Summary, payment_receipt, register,
)
from ..payments.step import OrderForm
from ..payments.said_aloud import said_one_by_one
from ..payments.wording import phrase, said, unmarked_reference

OWN_INTENTS = frozenset({"pay_parking_fine", "inform"})
_PCN = re.compile(r"^[A-Z]{2}\d{8}$")
_VRM = re.compile(r"^[A-Z0-9]{2,8}$")
NOT_FOUND = phrase(
    "Sorry, I couldn't find a penalty charge notice with that number and registration. Please check both against "
    "the notice: the PCN number is two letters and eight digits, like {example}.", example=unmarked_reference(
        "CH40213377"))


async def penalty_charge(tracker: Tracker, vrm: Optional[Text] = None) -> PenaltyCharge:
    """The PCN in the conversation's slots (`vrm`: a registration just typed, not yet in the slots)."""
    try:
        return await call(council_records_client().penalty_charge, tracker.get_slot("pcn_number"),
                          vrm or tracker.get_slot("pcn_vrm"))
    except PcnNotFound:
        raise OrderStopped(NOT_FOUND, offer_contact=False)


def closed_message(pcn: PenaltyCharge) -> Words:
    """A paid or cancelled PCN: the records' own sentence, or ours."""
    if pcn.message:
        return said(pcn.message)
    return phrase("Penalty charge notice {pcn} is already {status}: there's nothing to pay.",
                  pcn=unmarked_reference(pcn.pcn), status=pcn.status)


def discount_words(pcn: PenaltyCharge, summary: bool = False) -> Words:
    """Whether the 14-day discount applies, in the summary's words or the sentence after the amount."""
    until = Words(pcn.discount_until_text, Day(pcn.discount_until).spoken()) if pcn.discount_until else \
        said(pcn.discount_until_text)
    if summary:
        if pcn.discount_applies:
            return phrase(", the reduced amount if paid by {until}", until=until)
        return said(" (the full amount: the 14-day discount has ended)")
    if pcn.discount_applies:
        return phrase("That's the reduced amount, if you pay by {until}.", until=until)
    return said("The 14-day discount has ended, so this is the full amount.")


class ParkingFine(OrderKind):
    kind = "parking_fine"
    changes = (("The PCN", "pcn", ("pcn_number", "pcn_vrm")), CHANGE_CONTACT)

    async def summarise(self, tracker: Tracker) -> Summary:
        pcn = await penalty_charge(tracker)
        if not pcn.payable:
            raise OrderStopped(closed_message(pcn), offer_contact=False)
        return Summary.phrased(
            "penalty charge notice {pcn} for {vrm}, issued at {location}: {contravention}. Amount due "
            "{amount}{discount}", pcn.amount_due, pcn=Reference(pcn.pcn), vrm=unmarked_reference(pcn.vrm),
            location=pcn.location, contravention=pcn.contravention, amount=Money(pcn.amount_due),
            discount=discount_words(pcn, summary=True),
        )

    async def place(self, tracker: Tracker, contact: Optional[Contact]) -> Placed:
        pcn = await penalty_charge(tracker)
        if not pcn.payable:
            raise OrderStopped(closed_message(pcn), offer_contact=False)
        return Placed(pcn.pcn, pcn.payment, done=False, key=f"pcn:{pcn.pcn}")

    async def current(self, tracker: Tracker, reference: Text) -> Placed:
        pcn = await penalty_charge(tracker)
        return Placed(pcn.pcn, pcn.payment, done=pcn.status == PCN_PAID, key=f"pcn:{pcn.pcn}",
                      expired=not pcn.payable and pcn.status != PCN_PAID)

    async def confirmation(self, tracker: Tracker, reference: Text, amount: int) -> Confirmation:
        return payment_receipt(
            tracker,
            phrase("Thank you, your payment of **{amount}** for penalty charge notice {pcn} went through. The PCN "
                   "is now paid: there's nothing more to do. Your payment reference is {reference}.",
                   amount=Money(amount), pcn=Reference(reference),
                   reference=Reference(str(tracker.get_slot("payment_id")))),
            amount, f"penalty charge notice {reference}", reference,
        )


PARKING_FINE = register(ParkingFine())


class ValidatePayParkingFineForm(OrderForm):
    order = PARKING_FINE
    own_intents = OWN_INTENTS

    def name(self) -> Text:
        return "validate_pay_parking_fine_form"

    async def order_questions(self, tracker: Tracker) -> List[Text]:
        return ["pcn_number", "pcn_vrm"]

    async def extract_pcn_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        named = latest_entity(tracker, "reference")
        if named and _PCN.match(re.sub(r"[\s\-]", "", str(named)).upper()) and not tracker.get_slot("pcn_number"):
            return {"pcn_number": str(named)}
        return self.answer_for("pcn_number", tracker)

    @skip_empty
    async def validate_pcn_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number = understanding.pcn_in(str(value)) or understanding.pcn_in(said_one_by_one(str(value))) or ""
        # "it's ch 4021 3377", or on the phone "S R 7 0 0 1 8 5 1 9"
        if not _PCN.match(number):
            example = unmarked_reference("CH40213377")
            return not_understood(
                dispatcher, tracker, "pcn_number",
                reply_message("A PCN number is two letters and eight digits, like {example}. It's at the top of the "
                              "notice.", example=example),
                reply_message("What are the two letters and eight digits at the top of the notice? For example "
                              "{example}.", example=example),
                expects="reference",
            )
        return {"pcn_number": number}

    async def extract_pcn_vrm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.answer_for("pcn_vrm", tracker)

    @skip_empty
    async def validate_pcn_vrm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # "the reg is pf19 kzw", never "I'll go and look"; on the phone "B J 6 6 F N E"
        plate = understanding.registration_in(str(value)) or understanding.registration_in(said_one_by_one(str(value)))
        vrm = re.sub(r"[\s\-]", "", plate or "").upper()
        if not plate or not _VRM.match(vrm):
            example = unmarked_reference("PF19 KZW")
            return not_understood(
                dispatcher, tracker, "pcn_vrm",
                reply_message("Please {type} the vehicle's registration. It looks like {example}.",
                              type=Words("type", "say"), example=example),
                reply_message("What's the registration on the notice? It looks like {example}. It must match the "
                              "notice.", example=example),
                expects="registration",
            )
        try:
            pcn = await penalty_charge(tracker, vrm)
        except OrderStopped as stopped:
            tell(dispatcher, "{message}", message=stopped.words)
            return {"pcn_vrm": None, "pcn_number": None}
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        if not pcn.payable:
            tell(dispatcher, "{message}", message=closed_message(pcn))
            return {"pcn_vrm": vrm, "council": pcn.council, "journey_blocked": True, "requested_slot": None}
        tell(dispatcher, "I've found penalty charge notice {pcn} ({contravention}, {location}). The amount due is "
             "**{amount}**. {discount}", pcn=unmarked_reference(pcn.pcn), contravention=pcn.contravention,
             location=pcn.location, amount=Money(pcn.amount_due), discount=discount_words(pcn))
        return {"pcn_vrm": vrm, "council": pcn.council}


class ActionAskPcnVrm(Action):
    """The registration question, unless the last answer's validation already asked it in other words."""

    def name(self) -> Text:
        return "action_ask_pcn_vrm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        return ask(dispatcher, tracker, "utter_ask_pcn_vrm")


class ActionAskPcnNumber(Action):
    """The PCN number question, unless the last answer's validation already asked it in other words."""

    def name(self) -> Text:
        return "action_ask_pcn_number"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        return ask(dispatcher, tracker, "utter_ask_pcn_number")
