"""What the council service modules (/council/v1) share: request bodies, properties, contacts, references,
payment templates and how long an unpaid order holds its place.

Errors are ApiError JSON: `{"error": "...", "message": "..."}` with 400 (the request is malformed), 404 (no such
address or reference), 409 (the council's records refuse it now: a full slot, already subscribed, already
cancelled), 422 (a rule refuses it whatever the time: too many items, a bin that cannot be requested).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, Optional

from flask import jsonify, request
from sqlalchemy.orm import Session

from . import addresses
from .clock import from_db, to_db
from .context import current
from .council_defaults import COUNCIL_NAMES
from .db import next_value
from .errors import ApiError
from .models import Counter, Property

# An unpaid order (booking, subscription, bin request) holds its place for this long, by the sandbox clock:
# longer than a Pay payment's 90 minutes, so a payment started straight after the order can always finish.
HOLD = timedelta(minutes=120)

# Reference counters: name -> (prefix, first number).
COUNTERS = {
    "bulky_booking": ("BWC", 300001),
    "garden_subscription": ("GWS", 400001),
    "bin_request": ("BIN", 500001),
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def json_body() -> Dict[str, Any]:
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Send a JSON object (Content-Type: application/json).")
    return body


def council_or_404(council: str) -> str:
    if council not in COUNCIL_NAMES:
        raise ApiError(404, "unknown_council", f"There is no council \"{council[:30]}\". Use chorley or south_ribble.")
    return council


def property_or_404(uprn: Any) -> Property:
    text = str(uprn or "").strip()
    prop = addresses.get_property(current().db, text)
    if prop is None:
        raise ApiError(404, "not_found", f"There is no address with UPRN {text[:12]}. Look the postcode up first "
                                         "(/addresses/v1/postcodes/{postcode}) to find its addresses.")
    return prop


def contact(body: Dict[str, Any]) -> Dict[str, Optional[str]]:
    """{"contact": {"name", "email", "phone"}} (all optional) -> column values. Kept for the case, never logged."""
    given = body.get("contact") or {}
    if not isinstance(given, dict):
        raise ApiError(400, "invalid_contact", "contact must be an object with name, email and phone (all optional).")
    email = str(given.get("email") or "").strip()
    phone = str(given.get("phone") or "").strip()
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        raise ApiError(400, "invalid_contact", "contact.email is not an email address.")
    if phone and not re.fullmatch(r"[0-9 +()-]{6,20}", phone):
        raise ApiError(400, "invalid_contact", "contact.phone is not a phone number.")
    name = " ".join(str(given.get("name") or "").split())[:100]
    return {"name": name or None, "email": email or None, "phone": phone or None}


def positive_int(body: Dict[str, Any], name: str, default: Optional[int] = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ApiError(400, f"invalid_{name}", f"{name} must be a whole number, 1 or more.")
    return value


def ensure_counters(session: Session) -> None:
    for name, (_prefix, first) in COUNTERS.items():
        if session.get(Counter, name) is None:
            session.add(Counter(name=name, value=first - 1))


def next_reference(session: Session, counter: str) -> str:
    prefix, _first = COUNTERS[counter]
    return f"{prefix}-{next_value(session, counter):06d}"


def normalise_reference(text: str, counter: str) -> Optional[str]:
    """"bwc 300001", "BWC300001", "300001" -> "BWC-300001"."""
    prefix, _first = COUNTERS[counter]
    match = re.fullmatch(rf"(?:{prefix})?-?([0-9]{{6}})", re.sub(r"\s+", "", str(text or "")).upper())
    return f"{prefix}-{match.group(1)}" if match else None


def find_order(session: Session, model: Any, reference: str, counter: str) -> Any:
    """The order (booking, subscription, bin request) with this reference, in any spelling, or None."""
    normalised = normalise_reference(reference, counter)
    return session.get(model, normalised) if normalised else None


def order_or_404(session: Session, model: Any, reference: str, counter: str, what: str) -> Any:
    """find_order, or 404 "There is no <what> <reference>."."""
    item = find_order(session, model, reference, counter)
    if item is None:
        raise ApiError(404, "not_found", f"There is no {what} {reference[:20]}.")
    return item


def expire(item: Any, now: datetime) -> None:
    """An unpaid order whose hold has run out becomes `expired`."""
    if item.status == "pending_payment" and item.hold_until <= to_db(now):
        item.status = "expired"


def refuse_if_over(item: Any, noun: str) -> None:
    """409 already_cancelled / already_expired: "<Noun> <reference> is already cancelled."."""
    if item.status in ("cancelled", "expired"):
        raise ApiError(409, f"already_{item.status}", f"{noun} {item.reference} is already {item.status}.")


# as_json(session, order, now) -> the order's JSON; refuse(order, now) raises ApiError when it cannot be cancelled.
OrderJson = Callable[[Session, Any, datetime], Dict[str, Any]]


def get_order(model: Any, reference: str, counter: str, what: str, as_json: OrderJson):
    """GET one order: 404 if there is none, expired first if its hold has run out."""
    now = current().clock.now()
    with current().db.writing() as session:
        item = order_or_404(session, model, reference, counter, what)
        expire(item, now)
        return jsonify(as_json(session, item, now))


def cancel_order(model: Any, reference: str, counter: str, what: str, as_json: OrderJson,
                 refuse: Callable[[Any, datetime], None]):
    """POST .../cancel: 404 if there is none, expired first, `refuse` may 409, then `cancelled` now."""
    now = current().clock.now()
    with current().db.writing() as session:
        item = order_or_404(session, model, reference, counter, what)
        expire(item, now)
        refuse(item, now)
        item.status, item.cancelled_at = "cancelled", to_db(now)
        return jsonify(as_json(session, item, now))


def iso_local(value: Optional[datetime]) -> Optional[str]:
    local = from_db(value)
    return local.isoformat() if local else None


def payment_template(amount: int, reference: str, description: str, service: str) -> Dict[str, Any]:
    """What to send to POST /pay/v1/payments (add return_url and, if wanted, email, language)."""
    return {
        "amount": amount,
        "reference": reference,
        "description": description[:255],
        "metadata": {"council_service": service, "council_reference": reference},
    }
