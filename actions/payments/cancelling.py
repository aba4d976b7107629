"""Stopping a journey whose order is placed but not (yet) known to be paid."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from ..clients import CouncilServiceError, pay_client
from ..common.services import call
from .order import KINDS
from .step import withdraw


async def withdraw_unpaid_order(tracker: Tracker) -> Text:
    """Cancel the order and its open payment, unless the payment has in fact gone through: then the order stands
    (cancelling it would need a refund), and the resident is told so."""
    reference = tracker.get_slot("order_reference")
    kind = KINDS.get(tracker.get_slot("order_kind") or "")
    payment_id = tracker.get_slot("payment_id")
    if payment_id:
        try:
            payment = await call(pay_client().get_payment, payment_id)
        except CouncilServiceError:
            return (
                "I've stopped. I couldn't check with the payment service whether you paid, so I've left your "
                f"order as it is: if you didn't pay, it is released on its own. Your reference is {reference}."
            )
        if payment.succeeded:
            return (
                f"Your payment had already gone through, so your order stands. Your reference is **{reference}**. "
                "To cancel it, please contact the council and quote the reference."
            )
    if kind is not None:
        await withdraw(kind, tracker, reference)
    return "OK, I've stopped and cancelled the order. Nothing has been charged."
