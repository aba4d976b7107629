"""New, replacement, extra and larger bins (`/council/v1`): each council's charges and rules, and requests.

The rules are per council, per bin (its stream) and per kind of request (`replacement` with a reason: damaged,
stolen or lost; `extra`; `larger`; `new_property`): allowed or not (with the rule in words), the charge per bin
(delivery included) and how many may be asked for. Sandbox values, in council_defaults.py. A larger rubbish bin
needs `household_size` of at least 6; a garden waste bin can only be replaced while the address subscribes.

A free request is `requested` at once; one with a charge is `pending_payment` (held two hours, sandbox clock)
until a Pay payment of exactly the charge with its reference in the metadata succeeds. Bins are delivered within
10 working days of the request (or of the payment). An open request for the same bin and kind at the same
address is refused (409) with its reference.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session

import councils

from . import addresses, council_payments, waste
from .clock import add_working_days, from_db, to_db
from .context import current
from .council_common import (
    HOLD,
    cancel_order,
    contact,
    council_or_404,
    expire,
    find_order,
    get_order,
    iso_local,
    json_body,
    next_reference,
    payment_template,
    positive_int,
    property_or_404,
    refuse_if_over,
)
from .council_defaults import (
    BIN_DELIVERY_WORKING_DAYS,
    BIN_REQUEST_TYPES,
    COUNCIL_NAMES,
    LARGER_BIN_HOUSEHOLD,
    REPLACEMENT_REASONS,
    SANDBOX_BIN_RULES,
)
from .errors import ApiError
from .models import BinRequest, Payment, Property
from .money import pounds

blueprint = Blueprint("bin_requests", __name__, url_prefix="/council/v1")

SERVICE = "bin_request"
COUNTER = "bin_request"


def _bins(council: str):
    return councils.load_council(council)["waste"]["bins"]


def rules_json(council: str) -> Dict[str, Any]:
    bins = []
    for item in _bins(council):
        rules = SANDBOX_BIN_RULES[council].get(item["stream"], {})
        bins.append({
            "stream": item["stream"], "name": item.get("name"), "colour": item.get("colour"),
            "container": item.get("container"),
            "requests": {kind: {**rule, "charge_text": pounds(rule["charge"]) if rule["charge"] else "free"}
                         for kind, rule in rules.items()},
        })
    return {"council": council, "council_name": COUNCIL_NAMES[council], "request_types": list(BIN_REQUEST_TYPES),
            "replacement_reasons": list(REPLACEMENT_REASONS), "delivery_working_days": BIN_DELIVERY_WORKING_DAYS,
            "larger_bin_household_size": LARGER_BIN_HOUSEHOLD, "charges_source": "sandbox default (council_defaults.py)",
            "bins": bins}


def _deliver_by(item: BinRequest) -> str:
    start = from_db(item.paid_at or item.created_at).date()
    return add_working_days(start, BIN_DELIVERY_WORKING_DAYS).isoformat()


def request_json(session: Session, item: BinRequest) -> Dict[str, Any]:
    prop = session.get(Property, item.uprn)
    bin_item = waste.find_bin({"bins": _bins(item.council)}, item.stream) or {}
    answer: Dict[str, Any] = {
        "reference": item.reference,
        "status": item.status,
        "uprn": item.uprn,
        "address": addresses.one_line(prop),
        "council": item.council,
        "council_name": COUNCIL_NAMES[item.council],
        "stream": item.stream,
        "bin_name": bin_item.get("name"),
        "type": item.request_type,
        "reason": item.reason,
        "quantity": item.quantity,
        "amount": item.amount,
        "amount_text": pounds(item.amount) if item.amount else "free",
        "deliver_by": _deliver_by(item) if item.status == "requested" else None,
        "created_at": iso_local(item.created_at),
        "hold_until": iso_local(item.hold_until) if item.status == "pending_payment" else None,
        "paid_at": iso_local(item.paid_at),
        "cancelled_at": iso_local(item.cancelled_at),
        "refund_due": item.status == "cancelled" and item.paid_at is not None,
        "payment_id": item.payment_id,
        "payments": council_payments.payments_json(session, SERVICE, item.reference),
    }
    if item.status == "pending_payment":
        answer["payment"] = payment_template(
            item.amount, item.reference,
            f"{item.request_type.replace('_', ' ').capitalize()} {bin_item.get('name', 'bin')} {item.reference}, "
            f"{COUNCIL_NAMES[item.council]}", SERVICE,
        )
    return answer


# -- endpoints ------------------------------------------------------------------------------------------------------


@blueprint.get("/councils/<council>/bins")
def bin_rules(council: str):
    return jsonify(rules_json(council_or_404(council)))


@blueprint.post("/bin-requests")
def create_request():
    body = json_body()
    prop = property_or_404(body.get("uprn"))
    item = waste.find_bin({"bins": _bins(prop.council)}, str(body.get("stream") or body.get("bin") or ""))
    if item is None:
        names = ", ".join(f"{b['stream']} ({b.get('name')})" for b in _bins(prop.council))
        raise ApiError(400, "unknown_bin", f"Say which bin: {names}.")
    kind = str(body.get("type") or "")
    if kind not in BIN_REQUEST_TYPES:
        raise ApiError(400, "invalid_type", f"type must be one of: {', '.join(BIN_REQUEST_TYPES)}.")
    reason = body.get("reason")
    if kind == "replacement" and reason not in REPLACEMENT_REASONS:
        raise ApiError(400, "invalid_reason", f"A replacement needs a reason: {', '.join(REPLACEMENT_REASONS)}.")
    quantity = positive_int(body, "quantity", 1)
    person = contact(body)
    rule = SANDBOX_BIN_RULES[prop.council][item["stream"]][kind]
    name = item.get("name")
    if not rule["allowed"]:
        raise ApiError(422, "not_allowed", f"{COUNCIL_NAMES[prop.council]} cannot do that for a {name}: {rule['rule']}")
    if quantity > rule["max_quantity"]:
        raise ApiError(422, "too_many", f"You can ask for {rule['max_quantity']} {name} at a time.")
    if kind == "larger":
        size = body.get("household_size")
        if isinstance(size, bool) or not isinstance(size, int) or size < LARGER_BIN_HOUSEHOLD:
            raise ApiError(422, "not_eligible", f"A larger {name} is for homes where {LARGER_BIN_HOUSEHOLD} or more "
                                                "people live: send household_size.")
    if item.get("subscription") and not prop.garden_subscribed:
        raise ApiError(409, "not_subscribed", f"This address does not subscribe to garden waste, so it has no {name} "
                                              "to replace. Subscribe to garden waste to get one.")
    now = current().clock.now()
    amount = rule["charge"] * quantity
    with current().db.writing() as session:
        for existing in session.execute(select(BinRequest).where(
                BinRequest.uprn == prop.uprn, BinRequest.stream == item["stream"], BinRequest.request_type == kind,
                BinRequest.status.in_(("pending_payment", "requested")))).scalars():
            expire(existing, now)
            if existing.status != "expired":
                raise ApiError(409, "already_requested", f"There is already a request for this {name}: reference "
                                                         f"{existing.reference} ({existing.status.replace('_', ' ')}).")
        row = BinRequest(
            reference=next_reference(session, COUNTER), uprn=prop.uprn, council=prop.council, stream=item["stream"],
            request_type=kind, reason=reason if kind == "replacement" else None, quantity=quantity, amount=amount,
            status="pending_payment" if amount else "requested", contact_email=person["email"],
            contact_phone=person["phone"], created_at=to_db(now), hold_until=to_db(now + HOLD),
        )
        session.add(row)
        session.flush()
        answer = request_json(session, row)
    return jsonify(answer), 201


_WHAT = "bin request"


def _json(session: Session, item: BinRequest, now: datetime) -> Dict[str, Any]:
    return request_json(session, item)


def _refuse_cancel(item: BinRequest, now: datetime) -> None:
    refuse_if_over(item, "Request")


@blueprint.get("/bin-requests/<reference>")
def get_request(reference: str):
    return get_order(BinRequest, reference, COUNTER, _WHAT, _json)


@blueprint.post("/bin-requests/<reference>/cancel")
def cancel_request(reference: str):
    return cancel_order(BinRequest, reference, COUNTER, _WHAT, _json, _refuse_cancel)


@council_payments.handler(SERVICE)
def _apply(session: Session, reference: str, payment: Payment, now: datetime) -> tuple:
    item = find_order(session, BinRequest, reference, COUNTER)
    return council_payments.order_payment(item, payment, now, "requested")
