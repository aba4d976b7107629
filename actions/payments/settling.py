"""Settling a watched payment (actions/payments/watch.py): what Pay says, checked against the council's records.

- Pay says `success` and the records show the order paid: confirmed, and the Notify confirmation sent (once).
- Pay says `success` but the records cancelled the order meanwhile: a refund is due; nothing is confirmed.
- Pay says failed, cancelled or expired: the order's hold is cancelled, nothing was charged.
- Still on the card page, or a service not answering: left for the next check.

`check_watched_payments` is one round of the background check (actions/server.py runs it every
PAYMENT_WATCH_SECONDS; tests call it through POST /payments/check); `check_payment` settles one payment now, for
a resident asking about it.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Dict, Optional, Text, Tuple

from replies import Money, Reference, Words, reply_message

from ..clients import CouncilServiceError, pay_client
from ..common.services import call
from ..common.wording import contact_routes_part
from ..protections import holds
from . import confirming, contact as contacts
from .wording import phrase, said
from .order import KINDS
from .watch import CONFIRMED, NOT_PAID, REFUND_DUE, Watched, payment_watch

logger = logging.getLogger(__name__)


async def order_shows_paid(watched: Watched) -> Optional[bool]:
    """Whether the records show the order paid now: True, False (cancelled or released: a refund is due), or None
    (not known yet). Orders that hold a place are read by reference. Council tax and parking fine payments are
    applied by the records as Pay takes them, and reading them back needs the conversation's answers."""
    if not holds.holds_a_place(watched.kind):
        return True
    kind = KINDS.get(watched.kind)
    if kind is None:
        return None
    try:
        placed = await kind.current(None, watched.reference)  # type: ignore[arg-type]  (read by reference alone)
    except CouncilServiceError as error:
        logger.info("records not read for a watched %s payment: %s", watched.kind, error)
        return None
    if placed.done:
        return True
    return False if placed.expired or placed.payment is None else None


async def send_confirmation(watched: Watched) -> Text:
    """The Notify confirmation, once, if the resident chose a contact: through the outbox (confirming.py), so if
    Notify is down now it is sent on a later pass. What happened to it (confirming.SENT_NOW, ...)."""
    sent = await confirming.confirm(watched.contact, watched.purpose, watched.personalisation, watched.reference,
                                    payment_id=watched.payment_id)
    if sent not in (confirming.SENT_NOW, confirming.NOT_WANTED):
        logger.warning("confirmation of a watched %s payment not sent at once: %s", watched.kind, sent)
    return sent


async def cancel_order(watched: Watched) -> None:
    kind = KINDS.get(watched.kind)
    if kind is not None and holds.holds_a_place(watched.kind):
        try:
            await kind.cancel(None, watched.reference)  # type: ignore[arg-type]
        except CouncilServiceError as error:
            logger.info("unpaid %s order not cancelled (it is released with its hold): %s", watched.kind, error)
    await holds.close(watched.reference)


async def check_payment(watched: Watched) -> Optional[Text]:
    """Settle one watched payment if it has finished: its outcome, or None while it is open (or held elsewhere)."""
    watch = payment_watch()
    token = await call(watch.claim, watched.payment_id)
    if token is None:
        return None
    outcome: Optional[Text] = None
    try:
        payment = await call(pay_client().get_payment, watched.payment_id)
        if payment.in_progress:
            return None
        if not payment.succeeded:
            if not await _paying_again(watched):  # a newer payment for the same order: the order stays
                await cancel_order(watched)
            outcome = NOT_PAID
            return outcome
        paid = await order_shows_paid(watched)
        if paid is None:
            return None
        if paid:
            await holds.close(watched.reference)
            await send_confirmation(watched)  # kept in the outbox if Notify failed: sent later, once
            outcome = CONFIRMED
        else:
            outcome = REFUND_DUE
        return outcome
    except CouncilServiceError as error:
        logger.info("watched payment not checked: %s", error)
        return None
    finally:
        if outcome is None:
            await call(watch.release, watched.payment_id, token)
        else:
            await call(watch.settle, watched.payment_id, token, outcome)


async def _paying_again(watched: Watched) -> bool:
    others = await call(payment_watch().open_for_reference, watched.reference)
    return any(other.payment_id != watched.payment_id for other in others)


async def check_watched_payments() -> Dict[Text, int]:
    """One round of the background check: every unsettled payment, once. How many ended which way."""
    counts: Dict[Text, int] = {CONFIRMED: 0, REFUND_DUE: 0, NOT_PAID: 0, "open": 0}
    for watched in await call(payment_watch().unsettled):
        outcome = await check_payment(watched)
        counts[outcome or "open"] += 1
    return counts


async def run_watch(interval_seconds: float) -> None:
    """The background check, forever (a task of the action server's Sanic app)."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            counts = await check_watched_payments()
            if any(counts[k] for k in (CONFIRMED, REFUND_DUE, NOT_PAID)):
                logger.info("watched payments settled: %s", counts)
        except Exception:  # noqa: BLE001  the check must outlive one bad round
            logger.exception("the payment check failed; trying again next round")


# -- what the resident is told --------------------------------------------------------------------------------------


def refund_due_reply(reference: Text, amount: int, council: Optional[Text]) -> Dict[Text, Any]:
    """A paid order the records cancelled meanwhile: not booked, a refund due, and whom to ask."""
    return reply_message(
        "Your payment of {amount} went through, but the council's records show that order ({reference}) was "
        "cancelled before the payment arrived, so {refund} to the card you paid with. You don't need to pay again. "
        "If you have any questions about the refund, contact the council and quote {reference_again}:\n{routes}",
        amount=Money(amount), reference=Reference(reference),
        refund=phrase("**it is not booked, and a refund of {amount} is due**", amount=Money(amount)),
        reference_again=Reference(reference), routes=contact_routes_part(council),
    )


_BY = {"email": "by email", "sms": "by text message"}


def confirmation_words(state: Optional[Text], contact: Optional[Text], channel: Optional[Text] = None) -> Words:
    """What became of a confirmed payment's Notify confirmation, told truthfully (empty when there is nothing to
    say): a Words part, the mobile number grouped for a caller."""
    if state == confirming.SENDS_LATER:
        how = contacts.contact_words(contact) if contacts.split(contact)[0] else \
            said(_BY.get(channel or "", "by email or text"))
        return phrase(" I couldn't send your confirmation just now, as the messaging service isn't available: it "
                      "will follow {how} as soon as it is back.", how=how)
    if state == confirming.SENT_NOW and contacts.split(contact)[0]:
        return phrase(" I've sent the confirmation {how}.", how=contacts.contact_words(contact))
    return Words("", "")


def confirmation_text(state: Optional[Text], contact: Optional[Text], channel: Optional[Text] = None) -> Text:
    """confirmation_words as the web chat shows it."""
    return confirmation_words(state, contact, channel).web_text


def outcome_reply(watched: Watched, outcome: Optional[Text], contact: Optional[Text],
                  confirmation: Tuple[Optional[Text], Optional[Text]] = (confirming.SENT_NOW, None)) -> Dict[Text, Any]:
    """The truth about the conversation's last payment, for "I've paid" once the journey has moved on."""
    reference = Reference(watched.reference)
    if outcome == CONFIRMED:
        sent = confirmation_words(confirmation[0], contact, confirmation[1])
        return reply_message("Your payment of {amount} went through, and the council's records show it: "
                             "reference {reference} is paid.{sent}",
                             amount=Money(watched.amount), reference=reference, sent=sent)
    if outcome == REFUND_DUE:
        return refund_due_reply(watched.reference, watched.amount, watched.council)
    if outcome == NOT_PAID:
        return reply_message("Your payment for {reference} didn't go through, so nothing has been charged and the "
                             "order has been released. You can start again at any time.", reference=reference)
    return reply_message(
        "I can't see a completed payment for {reference} yet: the payment page says it isn't finished. If you pay, "
        "I'll confirm it and send your confirmation even if you've {left}. Please don't start a second payment.",
        reference=reference, left=Words("left the chat", "ended the call"))


def outcome_text(watched: Watched, outcome: Optional[Text], contact: Optional[Text],
                 confirmation: Tuple[Optional[Text], Optional[Text]] = (confirming.SENT_NOW, None)) -> Text:
    """outcome_reply as the web chat shows it."""
    return outcome_reply(watched, outcome, contact, confirmation)["text"]


async def latest_payment_news(sender_id: Text) -> Optional[Dict[Text, Any]]:
    """What the conversation's newest payment came to, checked now, as a reply (replies/); None if it has none."""
    watch = payment_watch()
    watched = await call(watch.latest_of_conversation, sender_id)
    if watched is None:
        return None
    contact = watched.contact
    outcome = watched.outcome if watched.settled else await check_payment(watched)
    if outcome is None:
        fresh = await call(watch.get, watched.payment_id)
        outcome = fresh.outcome if fresh is not None else None
    confirmation = await confirming.confirmation_state(watched.payment_id) if outcome == CONFIRMED else (None, None)
    return outcome_reply(watched, outcome, contact, confirmation)


# "I've paid", "paid it", "done the payment", "did it go through": words about a payment, once its journey is over.
_PAYMENT_TALK = re.compile(r"\b(paid|payment|went through|gone through)\b", re.IGNORECASE)


async def news_for_payment_talk(sender_id: Text, text: Optional[Text]) -> Optional[Dict[Text, Any]]:
    """The truth about the conversation's last payment when the resident talks about paying outside its journey
    (after goodbye, a person, another journey or a new session: the bot didn't understand them otherwise), as the
    keyword arguments of dispatcher.utter_message (replies/): `dispatcher.utter_message(**news)`."""
    if not text or not _PAYMENT_TALK.search(text):
        return None
    return await latest_payment_news(sender_id)


def personalisation_of(confirmation: Any) -> Dict[Text, Any]:
    return dict(getattr(confirmation, "personalisation", {}) or {})
