"""Stored card payments (GOV.UK Pay's model): creating them, their states, expiry and the API's JSON.

States, as GOV.UK Pay reports them in `state`:
- `created` (made by the service) -> `started` (the resident opened the card page) -> `submitted` (card details
  accepted; the "Confirm your payment" page is showing) -> `success` (the resident confirmed).
- `failed`, with `code` P0010 (card declined or expired), P0020 (not finished within 90 minutes of being
  created, by the sandbox clock) or P0030 (the resident chose "Cancel payment").
- `cancelled`, code P0040: the service cancelled it (POST /pay/v1/payments/{id}/cancel).

Expiry is applied when a payment is next read (GET, the card page, cancel), so GET is always the truth.
Functions in `SUCCESS_HOOKS` run inside the transaction that makes a payment `success` (council_payments
applies it to what it paid for); if one fails, the payment is not marked as paid either.
"""
from __future__ import annotations

import json
import secrets
import string
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .clock import to_db
from .db import Database
from .models import Payment

EXPIRY = timedelta(minutes=90)
OPEN = ("created", "started", "submitted")
FAILURES = {
    "P0010": "Payment method rejected",
    "P0020": "Payment expired",
    "P0030": "Payment was cancelled by the user",
    "P0040": "Payment was cancelled by your service",
}
_ID_ALPHABET = string.ascii_lowercase + string.digits

SuccessHook = Callable[[Session, Payment, datetime], None]
SUCCESS_HOOKS: List[SuccessHook] = []


class Conflict(Exception):
    """The payment is not in a state that allows this change."""


def new_payment_id() -> str:
    """26 lower-case letters and digits, like GOV.UK Pay's payment ids."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(26))


def create(db: Database, fields: Dict[str, Any], now: datetime) -> Payment:
    stamp = to_db(now)
    metadata = fields.pop("metadata", None)
    payment = Payment(
        payment_id=new_payment_id(),
        secure_token=secrets.token_urlsafe(32),
        payment_metadata=json.dumps(metadata) if metadata is not None else None,
        status="created",
        created_at=stamp,
        updated_at=stamp,
        **fields,
    )
    with db.writing() as session:
        session.add(payment)
    return payment


def _due_to_expire(payment: Payment, now: datetime) -> bool:
    return payment.status in OPEN and to_db(now) >= payment.created_at + EXPIRY


def _expire(payment: Payment, now: datetime) -> None:
    _fail(payment, "P0020", now, at=payment.created_at + EXPIRY)


def _fail(payment: Payment, code: str, now: datetime, message: Optional[str] = None, at=None) -> None:
    payment.status = "cancelled" if code == "P0040" else "failed"
    payment.code = code
    payment.message = message or FAILURES[code]
    payment.finished_at = at or to_db(now)
    payment.updated_at = to_db(now)


def _fetch(db: Database, now: datetime, **where) -> Optional[Payment]:
    column, value = next(iter(where.items()))
    query = select(Payment).where(getattr(Payment, column) == value)
    with db.session() as session:
        payment = session.execute(query).scalar_one_or_none()
    if payment is None or not _due_to_expire(payment, now):
        return payment
    with db.writing() as session:
        payment = session.execute(query).scalar_one()
        if _due_to_expire(payment, now):
            _expire(payment, now)
        return payment


def get(db: Database, payment_id: str, now: datetime) -> Optional[Payment]:
    if not payment_id or len(payment_id) > 26:
        return None
    return _fetch(db, now, payment_id=payment_id)


def search(db: Database, reference: str, now: datetime) -> List[Payment]:
    """The payments with our `reference`, newest first (GOV.UK Pay's search, by reference only)."""
    query = select(Payment.payment_id).where(Payment.reference == reference).order_by(Payment.created_at.desc())
    with db.session() as session:
        ids = list(session.execute(query).scalars())
    return [p for p in (get(db, i, now) for i in ids) if p is not None]


def by_token(db: Database, token: str, now: datetime) -> Optional[Payment]:
    if not token or len(token) > 64:
        return None
    return _fetch(db, now, secure_token=token)


def change(db: Database, payment_id: str, now: datetime, apply: Callable[[Session, Payment], None]) -> Payment:
    """Run `apply(session, payment)` on the current row inside a write transaction (expiry applied first).

    `apply` raises Conflict to refuse the change; the caller then shows the payment as it is.
    """
    expired = False
    with db.writing() as session:
        # FOR UPDATE (PostgreSQL; SQLite's writes are serialised anyway): two confirmations at once pay once.
        payment = session.get(Payment, payment_id, with_for_update=True)
        if payment is None:
            raise LookupError(payment_id)
        if _due_to_expire(payment, now):
            _expire(payment, now)  # committed: the payment has expired whatever was asked
            expired = True
        else:
            apply(session, payment)  # a Conflict rolls back (nothing was changed)
    if expired:
        raise Conflict("expired")
    return payment


# -- transitions ----------------------------------------------------------------------------------------------------


def start(db: Database, payment: Payment, now: datetime) -> Payment:
    """The resident opened the card page."""
    if payment.status != "created":
        return payment

    def apply(_session, row):
        if row.status == "created":
            row.status, row.updated_at = "started", to_db(now)

    try:
        return change(db, payment.payment_id, now, apply)
    except Conflict:
        return get(db, payment.payment_id, now)


def submit_card(db: Database, payment_id: str, now: datetime, card: Dict[str, str], failure: Optional[tuple]) -> Payment:
    """Card details entered. `card`: last_digits, card_brand, cardholder_name, expiry_date. `failure`: (code,
    message) when the issuer declined, else None (the payment waits for the resident to confirm)."""

    def apply(_session, row):
        if row.status not in ("created", "started"):
            raise Conflict(row.status)
        row.last_digits = card["last_digits"]
        row.card_brand = card["card_brand"]
        row.cardholder_name = card["cardholder_name"]
        row.expiry_date = card["expiry_date"]
        if failure:
            _fail(row, failure[0], now, failure[1])
        else:
            row.status, row.updated_at = "submitted", to_db(now)

    return change(db, payment_id, now, apply)


def confirm(db: Database, payment_id: str, now: datetime) -> Payment:
    def apply(session, row):
        if row.status != "submitted":
            raise Conflict(row.status)
        row.status, row.finished_at, row.updated_at = "success", to_db(now), to_db(now)
        session.flush()
        for hook in SUCCESS_HOOKS:
            hook(session, row, now)

    return change(db, payment_id, now, apply)


def cancel(db: Database, payment_id: str, now: datetime, by_service: bool) -> Payment:
    """P0030 (the resident, on the card page) or P0040 (the service, through the API). Conflict if finished."""

    def apply(_session, row):
        if row.status not in OPEN:
            raise Conflict(row.status)
        _fail(row, "P0040" if by_service else "P0030", now)

    return change(db, payment_id, now, apply)


# -- JSON -----------------------------------------------------------------------------------------------------------


def iso_utc(value: datetime) -> str:
    """Naive UTC -> "2026-11-27T10:00:00.000Z", as GOV.UK Pay writes dates."""
    return value.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def metadata_of(payment: Payment) -> Optional[Dict[str, Any]]:
    return json.loads(payment.payment_metadata) if payment.payment_metadata else None


def state_of(payment: Payment) -> Dict[str, Any]:
    state: Dict[str, Any] = {"status": payment.status, "finished": payment.status not in OPEN}
    if payment.code:
        state.update(message=payment.message, code=payment.code)
    return state


def as_json(payment: Payment, base_url: str) -> Dict[str, Any]:
    """A payment as GOV.UK Pay's GET /v1/payments/{id} shows it. `base_url` ends with "/"."""
    self_href = f"{base_url}pay/v1/payments/{payment.payment_id}"
    finished = payment.status not in OPEN
    answer: Dict[str, Any] = {
        "amount": payment.amount,
        "description": payment.description,
        "reference": payment.reference,
        "language": payment.language,
    }
    if payment.email:
        answer["email"] = payment.email
    metadata = metadata_of(payment)
    if metadata is not None:
        answer["metadata"] = metadata
    answer.update(
        state=state_of(payment),
        payment_id=payment.payment_id,
        payment_provider="sandbox",
        created_date=iso_utc(payment.created_at),
        refund_summary={
            "status": "available" if payment.status == "success" else ("pending" if not finished else "unavailable"),
            "amount_available": payment.amount if payment.status == "success" else 0,
            "amount_submitted": 0,
        },
        settlement_summary={},
        delayed_capture=False,
        moto=False,
        return_url=payment.return_url,
        authorisation_mode="web",
    )
    if payment.card_brand:
        answer["card_details"] = {
            "last_digits_card_number": payment.last_digits,
            "first_digits_card_number": None,  # never stored by the sandbox
            "cardholder_name": payment.cardholder_name,
            "expiry_date": payment.expiry_date,
            "billing_address": None,
            "card_brand": payment.card_brand,
            "card_type": None,
        }
    links: Dict[str, Any] = {"self": {"href": self_href, "method": "GET"}}
    if not finished:
        links["next_url"] = {"href": f"{base_url}pay/secure/{payment.secure_token}", "method": "GET"}
        links["next_url_post"] = {
            "type": "application/x-www-form-urlencoded",
            "params": {"chargeTokenId": payment.secure_token},
            "href": f"{base_url}pay/secure",
            "method": "POST",
        }
        links["cancel"] = {"href": f"{self_href}/cancel", "method": "POST"}
    answer["_links"] = links
    return answer
