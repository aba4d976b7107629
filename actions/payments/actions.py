"""The questions every paid journey shares, and its ending: the reference, and the Notify confirmation."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from replies import Money, Reference, Words, reply_message, tell

from ..clients import CouncilServiceError
from ..common.journey_slots import reset_journey
from ..common.services import call
from . import confirming, contact as contacts
from .money import say_money
from .wording import phrase
from ..common.wording import contact_routes_part
from ..protections import holds
from .order import KINDS, OrderStopped
from .step import (
    EARLIER_LINK, KEEP_UNPAID, NOT_NEEDED, PAID, REPLACE_UNPAID, payment_link_reply, returned_payload,
    settle_in_conversation,
)
from .watch import CONFIRMED, payment_watch

logger = logging.getLogger(__name__)


class ActionAskOrderContact(Action):
    """Where to send the confirmation: the domain's question, or, to a caller on a mobile, an offer to text the
    number they are calling from (the phone channel puts it in the message metadata)."""

    def name(self) -> Text:
        return "action_ask_order_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        caller = contacts.caller_mobile(tracker.latest_message)
        if caller is None:
            dispatcher.utter_message(response="utter_ask_order_contact")
            return []
        ending = contacts.split(caller)[1][-3:]
        tell(dispatcher, "Shall I text the confirmation to the number you're calling from, ending {ending}? You can "
             "also give me another mobile number or an email address, or say “no” to skip it.",
             ending=Words(ending, " ".join(ending)), expects="yes_no",
             buttons=[{"title": "Yes, text me", "payload": "/affirm"},
                      {"title": "No confirmation, thanks", "payload": "/deny"}])
        return []


class ActionAskOrderConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_order_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # The summary is worked out afresh each time it is shown, and its amount kept: the order placed must
        # ask for exactly this amount (OrderForm.validate_order_confirmed).
        kind = KINDS.get(tracker.get_slot("order_kind") or "")
        if kind is None:
            tell(dispatcher, "Sorry, I've lost track of what we were ordering. Please start again.")
            return [SlotSet("journey_blocked", True)]
        if tracker.get_slot("correcting"):
            buttons = [
                {"title": title, "payload": f'/deny{{"change":"{change}"}}'} for title, change, _ in kind.changes
            ]
            buttons += [{"title": "Nothing, go ahead", "payload": "/affirm"}, {"title": "Cancel", "payload": "/cancel"}]
            tell(dispatcher, "What would you like to change?", buttons=buttons)
            return []
        try:
            summary = await kind.summarise(tracker)
        except OrderStopped as stopped:
            tell(dispatcher, "{message}", message=stopped.words)
            tell(dispatcher, "You can still get this done by contacting the council:\n{routes}",
                 routes=contact_routes_part(tracker.get_slot("council")))
            return [SlotSet("journey_blocked", True)]
        except CouncilServiceError as error:
            tell(dispatcher, "{message}", message=error.resident_message)
            return [SlotSet("journey_blocked", True)]
        amount = summary.amount
        price = phrase("The total is **{amount}**.", amount=Money(amount)) if amount else "There's no charge."
        earlier = await holds.conversation_hold(tracker) if holds.holds_a_place(kind.kind) else None
        if earlier is not None:
            # One unpaid order at a time per conversation: the resident pays for the earlier one, or has it
            # cancelled for this one (OrderForm._hold_back).
            what = holds.WHAT.get(earlier.kind, "an order")
            tell(
                dispatcher, "To check: {summary}. {price}\nYou already have {what} waiting for payment (reference "
                "{reference}), and I can only hold one unpaid order at a time. You can pay for that one "
                "{with_link}, or I can cancel it and go ahead with this one.",
                summary=summary.words(), price=price, what=what, reference=Reference(earlier.reference),
                with_link=EARLIER_LINK,
                buttons=[
                    {"title": f"Cancel {earlier.reference} and go ahead",
                     "payload": f'/affirm{{"change":"{REPLACE_UNPAID}"}}'},
                    {"title": f"Keep {earlier.reference}", "payload": f'/deny{{"change":"{KEEP_UNPAID}"}}'},
                ],
                expects="yes_no",
            )
            return [SlotSet("order_summary", summary.text), SlotSet("order_amount", amount)]
        go = f"Yes, pay {say_money(amount)}" if amount else "Yes, go ahead"
        then = Words(" I'll then give you a link to GOV.UK Pay's secure page to pay by card.",
                     " I'll then offer to text you a link to GOV.UK Pay's secure page, to pay by card."
                     ) if amount else ""
        tell(dispatcher, "To check: {summary}. {price}{then} Shall I go ahead?", summary=summary.words(),
             price=price, then=then, buttons=[{"title": go, "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
             expects="yes_no")
        return [SlotSet("order_summary", summary.text), SlotSet("order_amount", amount)]


class ActionAskPaymentOutcome(Action):
    def name(self) -> Text:
        return "action_ask_payment_outcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("payment_url"):
            # "I've paid" carries this payment's one-off return value: the web chat sends the same message by
            # itself when Pay sends the resident back, and the guard lets it through only while it is offered.
            payment_id = tracker.get_slot("payment_id")
            watched = await call(payment_watch().get, payment_id) if payment_id else None
            dispatcher.utter_message(**payment_link_reply(
                tracker, buttons=[{"title": "I've paid", "payload": returned_payload(watched)},
                                  {"title": "Cancel", "payload": "/cancel"}],
            ))
        else:
            tell(dispatcher, "Would you like to try paying again?", expects="yes_no",
                 buttons=[{"title": "Try again", "payload": "/affirm"}, {"title": "No, cancel it", "payload": "/deny"}])
        return []


class ActionFinishOrder(Action):
    """After the form: confirm a paid (or free) order, with its reference, and send the Notify confirmation."""

    def name(self) -> Text:
        return "action_finish_order"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        keep = reset_journey()  # not the verification, nor open_payments: they last the session
        outcome = tracker.get_slot("payment_outcome")
        kind = KINDS.get(tracker.get_slot("order_kind") or "")
        reference = tracker.get_slot("order_reference")
        if tracker.get_slot("journey_blocked") or outcome not in (PAID, NOT_NEEDED) or kind is None or not reference:
            dispatcher.utter_message(response="utter_anything_else")
            return keep
        await holds.close(reference)  # paid (or free): no longer a hold
        amount = int(tracker.get_slot("payment_amount") or tracker.get_slot("order_amount") or 0)
        confirmation = await kind.confirmation(tracker, reference, amount if outcome == PAID else 0)
        tell(dispatcher, "{confirmation}", confirmation=confirmation.words())
        payment_id = tracker.get_slot("payment_id") if outcome == PAID else None
        if outcome == NOT_NEEDED or await settle_in_conversation(payment_id, CONFIRMED):
            dispatcher.utter_message(**await _send_confirmation(tracker, reference, confirmation, payment_id))
        else:  # the background check confirmed it first (watch.py), and sent or kept the confirmation: never twice
            dispatcher.utter_message(**await _confirmed_by_the_check(tracker, reference, payment_id))
        dispatcher.utter_message(response="utter_anything_else")
        open_payments: Dict[Text, Any] = dict(tracker.get_slot("open_payments") or {})
        paid = {k: v for k, v in open_payments.items() if v.get("id") != tracker.get_slot("payment_id")}
        return keep + [SlotSet("open_payments", paid)]


async def _confirmed_by_the_check(tracker: Tracker, reference: Text, payment_id: Optional[Text]) -> Dict[Text, Any]:
    contact = tracker.get_slot("order_contact")
    keep = Reference(reference)
    if not contacts.split(contact)[0]:
        return reply_message("Please keep your reference, {reference}.", reference=keep)
    if (await confirming.confirmation_state(payment_id))[0] == confirming.SENDS_LATER:
        return reply_message("Your confirmation will follow {how} as soon as the messaging service is back. Please "
                             "keep your reference, {reference}.", how=contacts.contact_words(contact), reference=keep)
    return reply_message("Your confirmation has already been sent. Please keep your reference, {reference}.",
                         reference=keep)


async def _send_confirmation(tracker: Tracker, reference: Text, confirmation: Any,
                             payment_id: Optional[Text]) -> Dict[Text, Any]:
    """Sent at once if Notify takes it (the usual answer); else kept in the outbox, which sends it later, and the
    resident told it will follow (confirming.py). The reply, as utter_message's keyword arguments."""
    contact = tracker.get_slot("order_contact")
    channel, address = contacts.split(contact)
    keep = Reference(reference)
    if channel is None:
        return reply_message("Please keep your reference, {reference}: I haven't sent a confirmation, as you asked.",
                             reference=keep)
    sent = await confirming.confirm(contact, confirmation.purpose, dict(confirmation.personalisation or {}),
                                    reference, payment_id=payment_id, sender_id=tracker.sender_id)
    how = contacts.contact_words(contact)
    if sent == confirming.SENT_NOW:
        return reply_message("I've sent a confirmation {how}.", how=how)
    if sent == confirming.REFUSED:
        return reply_message(
            "I couldn't send a confirmation to {address}: the messaging service didn't accept it. "
            "Please keep your reference, {reference}.", address=contacts.address_words(contact), reference=keep)
    if sent == confirming.MAYBE_SENT:
        return reply_message("Your confirmation may take a while to arrive. Please keep your reference, {reference}.",
                             reference=keep)
    if sent == confirming.ALREADY_KEPT:
        return reply_message("Your confirmation is on its way. Please keep your reference, {reference}.",
                             reference=keep)
    return reply_message(
        "I couldn't send your confirmation just now, as the messaging service isn't available. It will follow "
        "{how} as soon as it is back. Your order is still complete: please keep your reference, {reference}.",
        how=how, reference=keep)
