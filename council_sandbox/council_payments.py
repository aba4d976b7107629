"""Applying successful Pay payments to what they pay for: the link is the payment's metadata.

A service creates its Pay payment with
    metadata = {"council_service": "<service>", "council_reference": "<reference>"}
(the council endpoints hand out exactly this, with the amount, as `payment`). When the resident confirms the
payment on the card page, in the same database transaction that makes it `success`, the sandbox applies it:
- `council_tax` (account number): a payment on the account, any amount;
- `pcn` (PCN number): pays the PCN if the amount is at least what was due when the payment was created;
- `bulky_waste`, `garden_waste`, `bin_request` (their references): confirms the order if the amount is its price.
Every such payment is recorded in council_payments, applied or not, with a note when it was not applied (for
example "already paid: refund due", which shows a second charge for one order). The records then answer with
the new state at once, so a service that sees `success` on GET /pay/v1/payments/{id} finds the order confirmed.
There is nothing to POST back.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import pay_store
from .clock import to_db
from .council_common import iso_local
from .models import CouncilPayment, Payment

# service -> handler(session, reference, payment, now) -> (applied, note)
Handler = Callable[[Session, str, Payment, datetime], Tuple[bool, Optional[str]]]
HANDLERS: Dict[str, Handler] = {}


def handler(service: str):
    def register(function: Handler) -> Handler:
        HANDLERS[service] = function
        return function

    return register


def apply(session: Session, payment: Payment, now: datetime) -> None:
    metadata = pay_store.metadata_of(payment) or {}
    service = metadata.get("council_service")
    if not service:
        return  # a payment for something the sandbox does not keep
    reference = str(metadata.get("council_reference") or "").strip().upper()
    function = HANDLERS.get(str(service))
    if function is None or not reference:
        applied, note = False, "unknown council_service or no council_reference"
    else:
        applied, note = function(session, reference, payment, now)
    session.add(CouncilPayment(payment_id=payment.payment_id, service=str(service)[:20], reference=reference[:40],
                               amount=payment.amount, applied=applied, note=note, paid_at=to_db(now)))


pay_store.SUCCESS_HOOKS.append(apply)


def payments_for(session: Session, service: str, reference: str) -> List[CouncilPayment]:
    return list(session.execute(
        select(CouncilPayment)
        .where(CouncilPayment.service == service, CouncilPayment.reference == reference)
        .order_by(CouncilPayment.seq)
    ).scalars())


def as_json(item: CouncilPayment) -> Dict[str, object]:
    return {"payment_id": item.payment_id, "amount": item.amount, "paid_at": iso_local(item.paid_at),
            "applied": item.applied, "note": item.note}


def payments_json(session: Session, service: str, reference: str) -> List[Dict[str, object]]:
    """The payments recorded for one order, oldest first, as JSON."""
    return [as_json(p) for p in payments_for(session, service, reference)]


def order_payment(order, payment: Payment, now: datetime, confirmed_status: str) -> Tuple[bool, Optional[str]]:
    """The common rule for bookings, subscriptions and bin requests: confirm an unpaid order paid in full."""
    if order is None:
        return False, "no such reference"
    if order.status == confirmed_status:
        return False, "already paid: refund due"
    if order.status == "cancelled":
        return False, "cancelled before it was paid: refund due"
    if payment.amount != order.amount:
        return False, "the amount is not the price of the order: refund due"
    # Pending, or expired while the payment was being made: the resident has paid, so the order stands.
    order.status = confirmed_status
    order.paid_at = to_db(now)
    order.payment_id = payment.payment_id
    return True, None
