"""Check council tax: after verification, the band, the year's charge, the balance and the instalments."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from ..clients import CouncilServiceError
from ..common.journey_form import JourneyForm
from ..common.journey_slots import reset_journey
from ..payments.money import say_money
from ..payments.order import OrderStopped
from .payment import verified_account
from .verification import CouncilTaxVerificationStep, locked, say_next_instalment, verified

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
            dispatcher.utter_message(text=stopped.message, buttons=[
                {"title": "Check my council tax", "payload": "/check_council_tax"}])
            return events + [SlotSet("ct_token", None)]
        except CouncilServiceError as error:
            dispatcher.utter_message(text=error.resident_message)
            return events
        discounts = ", ".join(d.name for d in account.discounts) or "none"
        lines = [
            f"Your council tax for {account.financial_year}, {account.address}:",
            f"- Band **{account.band}**, {say_money(account.yearly_charge)} for the year",
            f"- Discounts: {discounts}",
            f"- Paid by: {account.payment_method}",
            f"- Left to pay: **{say_money(account.balance)}**"
            + (f", of which {say_money(account.overdue)} is overdue" if account.overdue else ""),
            say_next_instalment(account),
        ]
        upcoming = [i for i in account.instalments if i.outstanding > 0][:4]
        if upcoming:
            lines.append("Instalments still to pay: " + "; ".join(
                f"{i.due_date.day} {i.due_date:%B} {say_money(i.outstanding)} ({_STATUS.get(i.status, i.status)})"
                for i in upcoming))
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[{"title": "Pay council tax", "payload": "/pay_council_tax"}] if account.balance > 0 else [],
        )
        dispatcher.utter_message(response="utter_anything_else")
        return events
