"""Stopping a journey whose order is placed but not (yet) known to be paid."""
from __future__ import annotations

from typing import Any, Dict, Text

from rasa_sdk import Tracker

from replies import Reference, reply_message

from ..clients import CouncilServiceError, pay_client
from ..common.services import call
from .order import KINDS
from .step import withdraw
from .wording import unmarked_reference


async def withdraw_unpaid_order(tracker: Tracker) -> Dict[Text, Any]:
    """Cancel the order and its open payment, unless the payment has in fact gone through: then the order stands
    (cancelling it would need a refund), and the resident is told so: the reply, as the keyword arguments of
    dispatcher.utter_message (replies/)."""
    reference = tracker.get_slot("order_reference")
    kind = KINDS.get(tracker.get_slot("order_kind") or "")
    payment_id = tracker.get_slot("payment_id")
    if payment_id:
        try:
            payment = await call(pay_client().get_payment, payment_id)
        except CouncilServiceError:
            return reply_message(
                "I've stopped. I couldn't check with the payment service whether you paid, so I've left your "
                "order as it is: if you didn't pay, it is released on its own. Your reference is {reference}.",
                reference=unmarked_reference(reference))
        if payment.succeeded:
            return reply_message(
                "Your payment had already gone through, so your order stands. Your reference is {reference}. "
                "To cancel it, please contact the council and quote the reference.", reference=Reference(reference))
    if kind is not None:
        await withdraw(kind, tracker, reference)
    return reply_message("OK, I've stopped and cancelled the order. Nothing has been charged.")
