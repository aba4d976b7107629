"""Check council tax: after verification, the band, the year's charge, the balance and the instalments."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import Address, Day, Money, Words, tell

from ..clients import CouncilServiceError
from ..common.journey_form import JourneyForm
from ..common.journey_slots import reset_journey
from ..payments.wording import phrase
from ..payments.order import OrderStopped
from .payment import verified_account
from .verification import CouncilTaxVerificationStep, locked, next_instalment_words, verified

_STATUS = {"paid": "paid", "part_paid": "part paid", "overdue": "overdue", "upcoming": "to pay"}


class ValidateCheckCouncilTaxForm(CouncilTaxVerificationStep, JourneyForm):
    own_intents = frozenset({"check_council_tax", "pay_council_tax", "inform"})

    def name(self) -> Text:
        return "validate_check_council_tax_form"

    async def questions(self, tracker: Tracker) -> List[Text]:
        return [] if await locked(tracker) else self.verification_questions(tracker)


class ActionTellCouncilTax(Action):
    def name(self) -> Text:
        return "action_tell_council_tax"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = reset_journey()
        if tracker.get_slot("journey_blocked") or not verified(tracker):
            dispatcher.utter_message(response="utter_anything_else")
            return events
        try:
            account = await verified_account(tracker)
        except OrderStopped as stopped:
            tell(dispatcher, "{message}", message=stopped.words,
                 buttons=[{"title": "Check my council tax", "payload": "/check_council_tax"}])
            return events + [SlotSet("ct_token", None)]
        except CouncilServiceError as error:
            tell(dispatcher, "{message}", message=error.resident_message)
            return events
        discounts = ", ".join(d.name for d in account.discounts) or "none"
        overdue = phrase(", of which {overdue} is overdue", overdue=Money(account.overdue)) if account.overdue else ""
        upcoming = [phrase("{day} {amount} ({status})", day=Words(f"{i.due_date.day} {i.due_date:%B}",
                                                                   Day(i.due_date).spoken()),
                           amount=Money(i.outstanding), status=_STATUS.get(i.status, i.status))
                    for i in account.instalments if i.outstanding > 0][:4]
        still_to_pay = Words("\nInstalments still to pay: " + "; ".join(i.web_text for i in upcoming),
                             "\nInstalments still to pay: " + "; ".join(i.spoken_text for i in upcoming)
                             ) if upcoming else ""
        tell(
            dispatcher,
            "Your council tax for {year}, {address}:\n"
            "- Band **{band}**, {yearly} for the year\n"
            "- Discounts: {discounts}\n"
            "- Paid by: {method}\n"
            "- Left to pay: **{balance}**{overdue}\n"
            "{instalment}{still_to_pay}",
            year=account.financial_year, address=Address(account.address), band=account.band,
            yearly=Money(account.yearly_charge), discounts=discounts, method=account.payment_method,
            balance=Money(account.balance), overdue=overdue, instalment=next_instalment_words(account),
            still_to_pay=still_to_pay,
            buttons=[{"title": "Pay council tax", "payload": "/pay_council_tax"}] if account.balance > 0 else [],
        )
        dispatcher.utter_message(response="utter_anything_else")
        return events
