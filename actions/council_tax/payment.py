"""Pay council tax: verify -> balance and next instalment -> how much -> contact -> pay on GOV.UK Pay."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import Address, Money, Reference, Words, tell

from ..clients import CouncilServiceError, NotVerified, council_records_client
from ..clients.records import Contact, CouncilTaxAccount
from ..common.journey_form import skip_empty, stop_journey
from ..common.services import call
from ..payments.money import read_amount, say_money
from ..payments.order import (
    CHANGE_CONTACT, Confirmation, OrderKind, OrderStopped, Placed, Summary, payment_receipt, register,
)
from ..payments.step import OrderForm
from ..payments.wording import phrase
from .verification import CouncilTaxVerificationStep, locked, next_instalment_words

OWN_INTENTS = frozenset({"pay_council_tax", "check_council_tax", "inform"})
EXPIRED_VERIFICATION = "For your security, your verification has timed out. Please start again to verify."
NOTHING_TO_PAY = "There's nothing left to pay on your council tax account this year."


async def verified_account(tracker: Tracker) -> CouncilTaxAccount:
    """The account in full, with this conversation's verification. OrderStopped if it has timed out."""
    try:
        return await call(
            council_records_client().council_tax_account, tracker.get_slot("ct_account"), tracker.get_slot("ct_token")
        )
    except NotVerified:
        raise OrderStopped(EXPIRED_VERIFICATION, offer_contact=False)


def masked(account_number: Text) -> Text:
    return f"ending {str(account_number)[-4:]}"


def masked_words(account_number: Text) -> Words:
    """masked() for a reply: a caller hears the four digits one by one."""
    last = str(account_number)[-4:]
    return Words(masked(account_number), f"ending {' '.join(last)}")


class CouncilTaxPayment(OrderKind):
    kind = "council_tax"
    changes = (("The amount", "amount", ("ct_amount",)), CHANGE_CONTACT)

    async def summarise(self, tracker: Tracker) -> Summary:
        account = await verified_account(tracker)
        amount = int(tracker.get_slot("ct_amount"))
        try:
            account.payment_for(amount)
        except ValueError:  # the account's limits changed since the amount was chosen
            raise OrderStopped("Sorry, that amount can no longer be paid on this account. Nothing has been charged.",
                               offer_contact=False)
        return Summary.phrased(
            "a payment of **{amount}** towards council tax account {account} for {address}", amount,
            amount=Money(amount), account=masked_words(account.account_number), address=Address(account.address),
        )

    async def place(self, tracker: Tracker, contact: Optional[Contact]) -> Placed:
        account = await verified_account(tracker)
        amount = int(tracker.get_slot("ct_amount"))
        try:
            payment = account.payment_for(amount)
        except ValueError:
            raise OrderStopped("Sorry, that amount can no longer be paid on this account. Nothing has been charged.")
        # One open payment per account and amount: asking to pay the same again reuses it.
        return Placed(payment.reference, payment, done=False, key=f"council_tax:{account.account_number}:{amount}")

    async def current(self, tracker: Tracker, reference: Text) -> Placed:
        return await self.place(tracker, None)

    async def confirmation(self, tracker: Tracker, reference: Text, amount: int) -> Confirmation:
        paid_reference = tracker.get_slot("payment_id") or reference
        return payment_receipt(
            tracker,
            phrase("Thank you, your payment of **{amount}** towards your council tax went through. "
                   "Your payment reference is {reference}. It will show on your account within a few minutes.",
                   amount=Money(amount), reference=Reference(paid_reference)),
            amount, f"council tax, account {masked(tracker.get_slot('ct_account'))}", paid_reference,
        )


COUNCIL_TAX = register(CouncilTaxPayment())


class ValidatePayCouncilTaxForm(CouncilTaxVerificationStep, OrderForm):
    order = COUNCIL_TAX
    own_intents = OWN_INTENTS

    def name(self) -> Text:
        return "validate_pay_council_tax_form"

    async def order_questions(self, tracker: Tracker) -> List[Text]:
        if await locked(tracker):
            return []
        return self.verification_questions(tracker) + ["ct_amount"]

    def after_verified(self, summary: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        if summary.balance <= 0:
            tell(dispatcher, NOTHING_TO_PAY)
            return {"journey_blocked": True, "requested_slot": None}
        return {}

    async def extract_ct_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self.answer_for("ct_amount", tracker, entity="attribute_value")

    @skip_empty
    async def validate_ct_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return {"ct_amount": int(value)}
        try:
            account = await verified_account(tracker)
        except OrderStopped as stopped:
            tell(dispatcher, "{message}", message=stopped.words)
            return {"ct_amount": None, "ct_token": None, "journey_blocked": True, "requested_slot": None}
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        text = str(value).strip().lower()
        if text in ("instalment", "the instalment", "next instalment", "the next instalment", "installment"):
            amount = account.next_instalment.amount if account.next_instalment else None
        elif text in ("balance", "the balance", "the whole balance", "all of it", "everything", "the lot", "in full"):
            amount = account.balance
        else:
            amount = read_amount(text)
        if amount is None:
            tell(dispatcher, "Sorry, I didn't catch the amount. Choose the instalment or the balance, or {type} an "
                 "amount in pounds, like {example}.", type=Words("type", "say"), example=Words("£50", "50 pounds"),
                 expects="amount")
            return {"ct_amount": None}
        try:
            account.payment_for(amount)
        except ValueError:
            tell(dispatcher, "You can pay between {least} and {most} towards this account. Please choose an amount in "
                 "that range.", least=Money(account.minimum_payment), most=Money(account.maximum_payment),
                 expects="amount")
            return {"ct_amount": None}
        return {"ct_amount": amount}


class ActionAskCtAmount(Action):
    def name(self) -> Text:
        return "action_ask_ct_amount"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            account = await verified_account(tracker)
        except OrderStopped as stopped:
            tell(dispatcher, "{message}", message=stopped.words)
            return [SlotSet("ct_token", None), SlotSet("journey_blocked", True)]
        except CouncilServiceError as error:
            tell(dispatcher, "{message}", message=error.resident_message)
            return [SlotSet("journey_blocked", True)]
        if account.maximum_payment < account.minimum_payment or account.balance <= 0:
            tell(dispatcher, NOTHING_TO_PAY)
            return [SlotSet("journey_blocked", True)]
        buttons = []
        if account.next_instalment and account.next_instalment.amount < account.balance:
            buttons.append({"title": f"The instalment ({say_money(account.next_instalment.amount)})",
                            "payload": '/inform{"attribute_value":"instalment"}'})
        buttons.append({"title": f"The balance ({say_money(account.balance)})",
                        "payload": '/inform{"attribute_value":"balance"}'})
        tell(dispatcher, "Your balance for {year} is **{balance}**. {instalment}\nHow much would you like to pay? "
             "You can also {type} an amount.", year=account.financial_year, balance=Money(account.balance),
             instalment=next_instalment_words(account), type=Words("type", "say"), buttons=buttons, expects="amount")
        return []
