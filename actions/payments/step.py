"""The last three questions of every paid journey: where to send the confirmation, "shall I go ahead?", and the
payment on GOV.UK Pay's page, checked with Pay (never taken on trust) when the resident comes back.

Rules kept here, for every journey:
- The order is placed only after the resident has seen the summary and its price, and the amount the records ask
  for must equal the amount shown; otherwise nothing is charged.
- One open payment per order: while a payment is in progress its link is shown again, never a second payment.
- Nothing is confirmed until GET /payments/{id} says `success`.
- An order that holds a place in the records while unpaid is capped (actions/protections/holds.py): one open per
  conversation (the summary offers to cancel the earlier one, or keep it), and a few an hour per client.
"""
from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit
from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from connectors.webchat_metadata import page_url
from replies import Emphasis, Money, PhoneNumber, Words, reply_message, tell

from ..clients import CouncilServiceError, Rejected, ServiceUnavailable, pay_client
from ..clients.pay import Payment
from ..common.intents import ALWAYS_INTERRUPT
from ..settings import settings
from ..common.journey_form import JourneyForm, skip_empty, stop_journey
from ..common.services import call
from ..common.tracker_text import is_answer, latest_entity, latest_intent, latest_text
from ..protections import holds
from . import contact as contacts
from .order import KINDS, OrderKind, OrderStopped, Placed
from .settling import personalisation_of, refund_due_reply
from .wording import payment_link, phrase, unmarked_reference
from .watch import NOT_PAID, REFUND_DUE, Watched, matches_return, new_return_value, payment_watch

logger = logging.getLogger(__name__)

PAYMENT_QUESTIONS = ["order_contact", "order_confirmed", "payment_outcome"]
PAID = "success"
NOT_NEEDED = "not_needed"  # a free order: confirmed without a payment
# The `change` entity of the "I've paid" button and of the web chat's hidden message after Pay sends the resident
# back: this prefix and the payment's one-off return value (watch.py), honoured only for that payment.
RETURNED_CHANGE = "paid-"
# The `change` entity of the buttons offered when an earlier unpaid order stands in the way (ActionAskOrderConfirmed).
REPLACE_UNPAID = "replace_unpaid"
KEEP_UNPAID = "keep_unpaid"
CLIENT_HOLDS_FULL = (
    "Sorry, I can't place another order from here just now: too many orders made from your connection in the last "
    "hour are still waiting for payment. Please pay for one of them, or try again later. Nothing has been charged."
)
# The payment page of an earlier order: a caller may have had it by text message, or not taken it.
EARLIER_LINK = Words("with the link I gave you", "with the payment link from earlier")
_NO = {"no", "no thanks", "no thank you", "none", "nope", "skip", "neither", "i don't have one", "dont have one"}

# What Pay's codes mean for the resident
# (https://docs.payments.service.gov.uk/api_reference/#errors-caused-by-payment-statuses).
FAILURE_WORDS = {
    "P0010": "the card was declined, or it has expired",
    "P0020": "the payment page timed out after 90 minutes",
    "P0030": "the payment was cancelled on the payment page",
    "P0040": "the payment was cancelled",
    "P0050": "the payment provider had a problem",
}


class OrderForm(JourneyForm):
    """A JourneyForm whose journey ends with an order that may need paying for."""

    order: OrderKind

    @abstractmethod
    async def order_questions(self, tracker: Tracker) -> List[Text]:
        """The journey's own questions, before the shared payment steps."""

    async def questions(self, tracker: Tracker) -> List[Text]:
        return await self.order_questions(tracker) + PAYMENT_QUESTIONS

    # -- the confirmation's contact -------------------------------------------------------------------------

    async def extract_order_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "order_contact":
            return {}
        if latest_intent(tracker) == "deny":
            return {"order_contact": contacts.NONE}
        caller = contacts.caller_mobile(tracker.latest_message)
        if caller and latest_intent(tracker) == "affirm" and not contacts.read_contact(latest_text(tracker)):
            return {"order_contact": caller}  # "yes" to the offer of the number they are calling from
        if not is_answer(tracker, self.answer_intents(tracker)):
            return {}
        return {"order_contact": latest_text(tracker)}

    @skip_empty
    async def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        text = str(value).strip()
        chosen = text if text == contacts.NONE else contacts.read_contact(text)
        if chosen is None and text.lower().strip(".!") in _NO:
            chosen = contacts.NONE
        if chosen is None:
            tell(dispatcher, "That doesn't look like an email address or a UK mobile number. {give}, like "
                 "name@example.com or {mobile}, or say “no” to skip the confirmation.",
                 give=Words("Please type one", "Please say one"), mobile=PhoneNumber("07700 900123"),
                 expects="email_or_phone")
            return {"order_contact": None}
        return {"order_contact": chosen, "order_kind": self.order.kind}

    # -- "shall I go ahead?" ----------------------------------------------------------------------------------

    async def extract_order_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "order_confirmed":
            return {}
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {"order_confirmed": True}
        if intent == "deny":
            return {"order_confirmed": False}
        return {}

    async def validate_order_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:
            return {"order_confirmed": None}
        if value is False:
            change = latest_entity(tracker, "change")
            if change == KEEP_UNPAID:
                tell(dispatcher, "OK, I haven't ordered anything new, and nothing has been charged. "
                     "You can still pay for your earlier order {with_link}.", with_link=EARLIER_LINK)
                return {"order_confirmed": False, "journey_blocked": True, "requested_slot": None}
            chosen = next((c for c in self.order.changes if c[1] == change), None)
            if chosen is not None:
                return {**{slot: None for slot in chosen[2]}, "order_confirmed": None, "correcting": None}
            if not tracker.get_slot("correcting"):
                return {"order_confirmed": None, "correcting": True}  # "no": ask what to change
            tell(dispatcher, "OK, I haven't ordered anything and nothing has been charged. You can start again at any "
                 "time.")
            return {"order_confirmed": False, "correcting": None, "journey_blocked": True, "requested_slot": None}
        shown = tracker.get_slot("order_amount")
        held_back = await self._hold_back(dispatcher, tracker)
        if held_back is not None:
            return held_back
        try:
            placed = await self.order.place(tracker, contacts.as_records_contact(tracker.get_slot("order_contact")))
        except OrderStopped as stopped:
            return self._stopped(dispatcher, tracker, stopped)
        except CouncilServiceError as error:
            return self._order_failed(dispatcher, tracker, error)
        if holds.holds_a_place(self.order.kind) and placed.payment is not None and not placed.done:
            await holds.record(tracker, self.order.kind, placed.reference)
        if placed.done and not placed.payment:
            return {"order_confirmed": True, "order_reference": placed.reference, "payment_outcome": NOT_NEEDED}
        if placed.payment is None or placed.payment.amount != shown:
            # The price changed between the summary and the order: never charge what the resident wasn't shown.
            await self._withdraw(tracker, placed.reference)
            tell(dispatcher, "Sorry, the price has changed since I showed it to you, so I haven't charged anything. "
                 "Please start again to see the new price.")
            return {"order_confirmed": True, "journey_blocked": True, "requested_slot": None}
        payment_slots = await self._payment_for(dispatcher, tracker, placed)
        if payment_slots.get("journey_blocked"):
            await self._withdraw(tracker, placed.reference)
        return {"order_confirmed": True, "order_reference": placed.reference, **payment_slots}

    async def _hold_back(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[Dict[Text, Any]]:
        """None to place the order; else the slots that hold it back: an earlier unpaid order of this conversation
        the resident hasn't chosen to cancel (ActionAskOrderConfirmed offers it), or the client's cap."""
        if not holds.holds_a_place(self.order.kind):
            return None
        earlier = await holds.conversation_hold(tracker)
        if earlier is not None:
            if latest_entity(tracker, "change") != REPLACE_UNPAID:
                return {"order_confirmed": None}  # asked again, with the choice
            if not await cancel_earlier(tracker, earlier.kind, earlier.reference):
                return stop_journey(
                    dispatcher, reply_message(
                        "Sorry, I couldn't cancel your earlier order {reference} just now, so I haven't placed this "
                        "one. Nothing has been charged.", reference=unmarked_reference(earlier.reference)),
                    tracker.get_slot("council"))
        if await holds.client_at_limit(tracker):
            return stop_journey(dispatcher, CLIENT_HOLDS_FULL, tracker.get_slot("council"))
        return None

    # -- the payment ------------------------------------------------------------------------------------------

    async def extract_payment_outcome(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # Whatever the resident says once they're back ("I've paid", "done", the button) means "check it now";
        # only a real interruption (cancel, urgent help, a person) is not.
        if tracker.get_slot("requested_slot") != "payment_outcome":
            return {}
        if not latest_text(tracker) or latest_intent(tracker) in ALWAYS_INTERRUPT:
            return {}
        if not is_answer(tracker, self.answer_intents(tracker) | {"affirm", "deny", "thank"}):
            return {}
        returned = latest_entity(tracker, "change") or ""
        if returned.startswith(RETURNED_CHANGE) and not await self._returned_here(tracker, returned):
            return {}  # a return marker of another payment, or a forged one: it means nothing here
        return {"payment_outcome": "deny" if latest_intent(tracker) == "deny" else "check"}

    async def _returned_here(self, tracker: Tracker, returned: Text) -> bool:
        payment_id = tracker.get_slot("payment_id")
        watched = await call(payment_watch().get, payment_id) if payment_id else None
        return matches_return(watched, returned[len(RETURNED_CHANGE):])

    @skip_empty
    async def validate_payment_outcome(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value in (PAID, NOT_NEEDED):
            return {"payment_outcome": value}
        reference = tracker.get_slot("order_reference")
        payment_id = tracker.get_slot("payment_id")
        if not payment_id:
            # The last payment failed and we asked whether to try again.
            if value == "deny":
                await self._withdraw(tracker, reference)
                tell(dispatcher, "OK. I've cancelled it, and nothing has been charged.")
                return {"payment_outcome": None, "journey_blocked": True, "requested_slot": None}
            return await self._try_again(dispatcher, tracker, reference)
        try:
            payment = await call(pay_client().get_payment, payment_id)
        except CouncilServiceError:
            tell(dispatcher, "Sorry, I can't check your payment with the payment service just now. {dont} Tell me "
                 "when you'd like me to check again, in a minute or two.", dont=Emphasis("Please don't pay again."))
            return {"payment_outcome": None}
        if payment.succeeded:
            return await self._paid(dispatcher, tracker, reference, payment)
        if payment.in_progress:
            tell(dispatcher, "I can't see a completed payment yet: the payment page says it isn't finished. "
                 "If you have just paid, give it a moment and tell me again.")
            return {"payment_outcome": None}
        await settle_in_conversation(payment_id, NOT_PAID)  # the conversation offers another try: the order stays
        words = FAILURE_WORDS.get(payment.code or "", "the payment didn't go through")
        tell(dispatcher, "Your payment didn't go through: {why}. {nothing}", why=words,
             nothing=Emphasis("Nothing has been charged."))
        return {"payment_outcome": None, "payment_id": None, "payment_url": None}

    async def _paid(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, reference: Text, payment: Payment
    ) -> Dict[Text, Any]:
        """Pay says `success`: confirmed only if the council's records show the order paid. An order the records
        cancelled while the resident paid is not booked: a refund is due, and the resident is told how."""
        if self.order.kind == "council_tax":  # a payment on an account always applies: there's no order to lose
            return {"payment_outcome": PAID, "payment_amount": payment.amount}
        try:
            placed = await self.order.current(tracker, reference)
        except CouncilServiceError:
            tell(dispatcher, "Your payment went through, but I can't check the council's records just now to confirm "
                 "your order. {dont} Tell me when you'd like me to check again, in a minute or two.",
                 dont=Emphasis("Please don't pay again."))
            return {"payment_outcome": None}
        if placed.done:
            return {"payment_outcome": PAID, "payment_amount": payment.amount}
        await settle_in_conversation(payment.payment_id, REFUND_DUE)
        await holds.close(reference)
        dispatcher.utter_message(**refund_due_reply(reference, payment.amount, tracker.get_slot("council")))
        return {"payment_outcome": None, "journey_blocked": True, "requested_slot": None}

    async def _try_again(self, dispatcher: CollectingDispatcher, tracker: Tracker, reference: Text) -> Dict[Text, Any]:
        try:
            placed = await self.order.current(tracker, reference)
        except CouncilServiceError as error:
            return stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))
        if placed.done:
            return {"payment_outcome": PAID}
        if placed.expired or placed.payment is None:
            await holds.close(reference)
            tell(dispatcher, "Sorry, the time to pay for this has run out, so it has been released. Nothing has been "
                 "charged. Please start again.")
            return {"payment_outcome": None, "journey_blocked": True, "requested_slot": None}
        if placed.payment.amount != tracker.get_slot("order_amount"):
            tell(dispatcher, "Sorry, the price has changed, so I haven't charged anything. Please start again.")
            return {"payment_outcome": None, "journey_blocked": True, "requested_slot": None}
        return {"payment_outcome": None, **await self._payment_for(dispatcher, tracker, placed)}

    async def _payment_for(self, dispatcher: CollectingDispatcher, tracker: Tracker, placed: Placed) -> Dict[Text, Any]:
        """A payment on GOV.UK Pay for `placed`: the open one for the same order and amount if there is one."""
        assert placed.payment is not None and placed.payment.amount is not None
        open_payments: Dict[Text, Any] = dict(tracker.get_slot("open_payments") or {})
        key = placed.key or placed.reference
        earlier = open_payments.get(key) or await _watched_for_key(tracker, key)
        pay = pay_client()
        if earlier:
            try:
                payment: Payment = await call(pay.get_payment, earlier["id"])
            except CouncilServiceError:
                # Never start a second payment while the first one might still be paid.
                return stop_journey(
                    dispatcher, "Sorry, I can't check the payment you started earlier, so I won't start another "
                    "one. Nothing more has been charged. Please try again in a few minutes.",
                    tracker.get_slot("council"),
                )
            if payment.succeeded:
                return {"payment_id": payment.payment_id, "payment_outcome": PAID}
            if payment.in_progress and payment.amount == placed.payment.amount and payment.next_url:
                return {"payment_id": payment.payment_id, "payment_url": payment.next_url}
            if payment.in_progress:
                # The amount due changed (a PCN's discount ended): the old page must not be paid as well.
                try:
                    await call(pay.cancel_payment, payment.payment_id)
                except CouncilServiceError as error:
                    logger.info("earlier payment not cancelled: %s", error)
                    return stop_journey(
                        dispatcher, "Sorry, the payment you started earlier is still open and I couldn't close "
                        "it, so I won't start another. Nothing more has been charged.", tracker.get_slot("council"),
                    )
        channel, address = contacts.split(tracker.get_slot("order_contact"))
        returned = new_return_value()
        try:
            payment = await call(
                pay.create_payment,
                **placed.payment.pay_arguments(),
                return_url=return_url(tracker, returned),
                email=address if channel == "email" else None,
            )
        except CouncilServiceError as error:
            logger.warning("payment not created for a %s order: %s", self.order.kind, error)
            if isinstance(error, ServiceUnavailable) and error.maybe_processed:
                text = (
                    "Sorry, the payment service stopped answering while I set up your payment. Nothing has been "
                    "charged: you only pay on the payment page, and I can't give you that page now."
                )
            else:
                text = "Sorry, I couldn't set up the payment: the payment service isn't available just now. " \
                       "Nothing has been charged."
            return stop_journey(dispatcher, f"{text} I've cancelled the order so nothing is left half-made.",
                                tracker.get_slot("council"))
        try:
            await self._watch(tracker, placed, payment, key, returned)
        except Exception:  # noqa: BLE001  the payment is made: the conversation can still check it itself
            logger.exception("a %s payment could not be watched", self.order.kind)
        open_payments[key] = {"id": payment.payment_id, "amount": payment.amount}
        return {"payment_id": payment.payment_id, "payment_url": payment.next_url, "open_payments": open_payments}

    async def _watch(self, tracker: Tracker, placed: Placed, payment: Payment, key: Text, returned: Text) -> None:
        """Watched from now on, whatever the conversation does (watch.py): with what the confirmation needs."""
        finished = tracker.copy()
        finished.slots["payment_id"] = payment.payment_id
        finished.slots["order_reference"] = placed.reference
        confirmation = await self.order.confirmation(finished, placed.reference, int(payment.amount or 0))
        await call(
            payment_watch().watch, tracker.sender_id, payment.payment_id, kind=self.order.kind,
            reference=placed.reference, payment_key=key, council=tracker.get_slot("council"),
            amount=int(payment.amount or 0), return_value=returned, purpose=confirmation.purpose,
            personalisation=personalisation_of(confirmation), contact=tracker.get_slot("order_contact"),
        )

    async def _withdraw(self, tracker: Tracker, reference: Optional[Text]) -> None:
        await withdraw(self.order, tracker, reference)

    def _stopped(self, dispatcher: CollectingDispatcher, tracker: Tracker, stopped: OrderStopped) -> Dict[Text, Any]:
        if stopped.ask_again:
            # e.g. the slot filled up while the resident was deciding: choose again, then confirm again.
            tell(dispatcher, "{message}", message=stopped.words)
            return {**{slot: None for slot in stopped.ask_again}, "order_confirmed": None}
        if stopped.offer_contact:
            return stop_journey(dispatcher, reply_message("{message}", message=stopped.words),
                                tracker.get_slot("council"))
        tell(dispatcher, "{message}", message=stopped.words)
        return {"journey_blocked": True, "requested_slot": None}

    def _order_failed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, error: CouncilServiceError
    ) -> Dict[Text, Any]:
        if isinstance(error, ServiceUnavailable) and error.maybe_processed:
            text = (
                "Sorry, the council's system stopped answering while I placed your order, so I can't tell whether "
                "it was made. Nothing has been charged, and an unpaid order is released on its own."
            )
        elif isinstance(error, Rejected):
            text = f"Sorry, I couldn't place the order: {error.resident_message} Nothing has been charged."
        else:
            text = "Sorry, I couldn't place the order just now. Nothing has been charged."
        return stop_journey(dispatcher, text, tracker.get_slot("council"))


async def withdraw(order: OrderKind, tracker: Tracker, reference: Optional[Text]) -> None:
    """Cancel an unpaid order and its open payment. Best effort: an unpaid order we can't cancel is released on
    its own when its hold runs out, and an unfinished payment expires after 90 minutes."""
    payment_id = tracker.get_slot("payment_id")
    try:
        if payment_id:
            await call(pay_client().cancel_payment, payment_id)
    except CouncilServiceError as error:
        logger.info("open payment not cancelled: %s", error)
    try:
        if reference:
            await order.cancel(tracker, reference)
            await holds.close(reference)
    except CouncilServiceError as error:
        logger.info("%s order not cancelled (it expires with its hold): %s", order.kind, error)


async def cancel_earlier(tracker: Tracker, kind: Text, reference: Text) -> bool:
    """Cancel an earlier unpaid order of this conversation, and its payment if this session started one, so that
    the resident can place another. False if the records would not cancel it just now."""
    order = KINDS.get(kind)
    if order is None:
        return False
    earlier_payment = (tracker.get_slot("open_payments") or {}).get(reference) or {}
    # Its payments from an earlier session too: the card page must not be paid for a cancelled order.
    ids = {earlier_payment.get("id")} | {w.payment_id for w in await call(payment_watch().open_for_reference, reference)}
    for payment_id in filter(None, ids):
        try:
            await call(pay_client().cancel_payment, payment_id)
        except CouncilServiceError as error:
            logger.info("earlier payment not cancelled: %s", error)
    try:
        if not (await order.current(tracker, reference)).done:  # paid meanwhile: it stands, and is no hold now
            await order.cancel(tracker, reference)
    except CouncilServiceError as error:
        logger.info("earlier %s order not cancelled: %s", kind, error)
        return False
    await holds.close(reference)
    return True


RETURNED_QUERY = "council_chat=payment-returned"  # webchat/src/council-chat.js reads it, with:
RETURNED_VALUE = "council_chat_payment"  # the payment's one-off value (no value: the widget sends nothing)


def return_url(tracker: Tracker, returned: Text) -> Text:
    """Where Pay sends the resident back: the web chat page they came from, if it is on an allowed origin (see
    actions/settings.py), with the payment's one-off `returned` value (the widget's hidden message carries it back,
    and only this payment's step honours it); else PAY_RETURN_URL_BASE with a random token. Either way the bot
    looks the payment up by its id, never trusting the return."""
    page = page_url(tracker.latest_message)
    if page:
        parts = urlsplit(page)
        allowed = settings().pay_return_origins
        if f"{parts.scheme}://{parts.netloc}" in allowed or f"{parts.scheme}://{parts.hostname}:*" in allowed:
            return f"{page}?{RETURNED_QUERY}&{RETURNED_VALUE}={returned}"
    return pay_client().return_url(secrets.token_urlsafe(12))


def payment_link_reply(tracker: Tracker, buttons: Optional[List[Dict[Text, Any]]] = None) -> Dict[Text, Any]:
    """The GOV.UK Pay page: a link on the web; on the phone the page is named by its purpose, and the phone line
    then offers to text it (connectors/phone), so the words here don't offer it a second time. Never card details
    by speech or keypad."""
    amount = int(tracker.get_slot("order_amount") or 0)
    return reply_message(
        "{pay} {link}. {never}\n{after}",
        pay=Words(phrase("Please pay **{amount}** on GOV.UK Pay's secure page:", amount=Money(amount)).web_text,
                  "Please pay by card on GOV.UK Pay's website. The page you need is"),
        link=payment_link(tracker.get_slot("payment_url"), amount, tracker.get_slot("order_kind")),
        never=Words("Never type your card number here.",
                    "Never say or key in your card number on this call: I'll never ask for it."),
        after=Words("When you've finished, come back to this chat and tell me, or press “I've paid”.",
                    "When you've paid, tell me, and I'll check it with the payment service. If you can't use a "
                    "link, ask for a person."),
        buttons=buttons,
    )


def returned_payload(watched: Optional[Watched]) -> Text:
    """The "I've paid" button: the payload the web chat sends by itself on coming back from Pay (council-chat.js),
    so the message guard honours it only while this payment's step is what the bot last offered."""
    if watched is None:
        return "/affirm"
    return f'/inform{{"change":"{RETURNED_CHANGE}{watched.return_value}"}}'


async def _watched_for_key(tracker: Tracker, key: Text) -> Optional[Dict[Text, Any]]:
    """The conversation's payment still open for the same order from before (an expired session lost
    `open_payments`): shown again, never a second payment."""
    watched = await call(payment_watch().open_for_key, tracker.sender_id, key)
    return {"id": watched.payment_id, "amount": watched.amount} if watched else None


async def settle_in_conversation(payment_id: Optional[Text], outcome: Text) -> bool:
    """Settle a watched payment from the conversation: True if this call did it (then the confirmation is this
    conversation's to send), False if the background check has it or already did."""
    if not payment_id:
        return True
    watch = payment_watch()
    if await call(watch.get, payment_id) is None:
        return True  # not watched (made before the watch existed)
    token = await call(watch.claim, payment_id)
    if token is None:
        return False
    await call(watch.settle, payment_id, token, outcome)
    return True
