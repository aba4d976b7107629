"""Bulky waste collections (`/council/v1`): each council's items and prices, slots and bookings.

- The catalogue (per council, council_defaults.py): items priced each, with words residents use for them
  (`aliases`), a limit of items per booking, and what is not taken (with where to take it instead).
- Slots: a property's bulky waste round is its council and its bin collection weekday. The slots offered are
  that weekday in each of the next six weeks, from at least two working days ahead. Each slot takes a fixed
  number of bookings; other residents' bookings are simulated (a fixed, hash-made number per round and date, so
  about one slot in four is full whatever the clock) and the sandbox's own bookings are added to them.
- A booking starts `pending_payment` and holds its place for two hours (sandbox clock); it becomes `confirmed`
  only when a Pay payment of exactly its price, with its reference in the metadata, succeeds. Unpaid, it becomes
  `expired`. Cancelling a pending booking frees the slot; cancelling a confirmed one (before the collection
  day) marks `refund_due` (the sandbox does not call Pay's refunds).
- An address has at most MAX_UNPAID_PER_PROPERTY bookings waiting for payment at once (409 `too_many_unpaid`):
  unpaid holds take real places on a round, so a script must not be able to fill every slot with them.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Tuple

from flask import Blueprint, jsonify
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import addresses, council_payments
from .addresses import Draws
from .clock import add_working_days, clock_time, from_db, long_date, to_db
from .context import current
from .council_common import (
    HOLD,
    cancel_order,
    contact,
    council_or_404,
    find_order,
    get_order,
    iso_local,
    json_body,
    next_reference,
    payment_template,
    property_or_404,
    refuse_if_over,
)
from .council_defaults import (
    BULKY_LEAD_WORKING_DAYS,
    BULKY_NOT_ACCEPTED,
    BULKY_WEEKS_AHEAD,
    COUNCIL_NAMES,
    SANDBOX_BULKY_RULES,
    bulky_items,
)
from .errors import ApiError
from .models import BulkyBooking, Payment, Property
from .money import pounds
from .waste import WEEKDAYS

blueprint = Blueprint("bulky_waste", __name__, url_prefix="/council/v1")

SERVICE = "bulky_waste"
COUNTER = "bulky_booking"
MAX_UNPAID_PER_PROPERTY = 2


def round_of(prop: Property) -> str:
    return f"{prop.council}-{WEEKDAYS[prop.round_day].lower()}"


def slot_dates(prop: Property, today: date) -> List[date]:
    first = add_working_days(today, BULKY_LEAD_WORKING_DAYS)
    first += timedelta(days=(prop.round_day - first.weekday()) % 7)
    return [first + timedelta(weeks=week) for week in range(BULKY_WEEKS_AHEAD)]


def simulated_bookings(round_id: str, day: date, capacity: int) -> int:
    """Other residents' bookings: the same for a round and date on every machine, whatever the clock."""
    draws = Draws("bulky-slot", round_id, day.isoformat())
    return capacity if draws.chance(0.25) else draws.below(capacity)


def _taken(session: Session, round_id: str, day: date, now: datetime) -> int:
    return session.execute(
        select(func.count()).select_from(BulkyBooking).where(
            BulkyBooking.round_id == round_id,
            BulkyBooking.slot_date == day,
            (BulkyBooking.status == "confirmed")
            | ((BulkyBooking.status == "pending_payment") & (BulkyBooking.hold_until > to_db(now))),
        )
    ).scalar_one()


def _refuse_if_too_many_unpaid(session: Session, prop: Property, now: datetime) -> None:
    """409 too_many_unpaid when the address already holds MAX_UNPAID_PER_PROPERTY places unpaid. References are
    not named: whoever asks may not be the person who booked, and a reference is enough to cancel a booking."""
    holds = session.execute(
        select(BulkyBooking.hold_until).where(
            BulkyBooking.uprn == prop.uprn,
            BulkyBooking.status == "pending_payment",
            BulkyBooking.hold_until > to_db(now),
        ).order_by(BulkyBooking.hold_until)
    ).scalars().all()
    if len(holds) >= MAX_UNPAID_PER_PROPERTY:
        released = clock_time(from_db(holds[0]).time())
        raise ApiError(409, "too_many_unpaid", f"This address already has {len(holds)} bulky waste collections "
                                               "booked and waiting for payment, which is the most it can have. "
                                               "Please pay for one of them first, or book again after "
                                               f"{released}, when an unpaid one is released.")


def slots(session: Session, prop: Property, now: datetime) -> List[Dict[str, Any]]:
    capacity = SANDBOX_BULKY_RULES[prop.council]["slot_capacity"]
    round_id = round_of(prop)
    answer = []
    for day in slot_dates(prop, now.date()):
        booked = min(capacity, simulated_bookings(round_id, day, capacity) + _taken(session, round_id, day, now))
        answer.append({"date": day.isoformat(), "date_text": long_date(day), "capacity": capacity,
                       "booked": booked, "remaining": capacity - booked, "available": booked < capacity})
    return answer


def booking_json(session: Session, booking: BulkyBooking, now: datetime) -> Dict[str, Any]:
    prop = session.get(Property, booking.uprn)
    answer: Dict[str, Any] = {
        "reference": booking.reference,
        "status": booking.status,
        "uprn": booking.uprn,
        "address": addresses.one_line(prop),
        "council": booking.council,
        "council_name": COUNCIL_NAMES[booking.council],
        "round": booking.round_id,
        "slot_date": booking.slot_date.isoformat(),
        "slot_date_text": long_date(booking.slot_date),
        "items": json.loads(booking.items),
        "item_count": booking.item_count,
        "amount": booking.amount,
        "amount_text": pounds(booking.amount),
        "location_notes": booking.location_notes,
        "created_at": iso_local(booking.created_at),
        "hold_until": iso_local(booking.hold_until),
        "paid_at": iso_local(booking.paid_at),
        "cancelled_at": iso_local(booking.cancelled_at),
        "refund_due": booking.status == "cancelled" and booking.paid_at is not None,
        "payment_id": booking.payment_id,
        "payments": council_payments.payments_json(session, SERVICE, booking.reference),
    }
    if booking.status == "pending_payment":
        answer["payment"] = payment_template(
            booking.amount, booking.reference,
            f"Bulky waste collection {booking.reference}, {COUNCIL_NAMES[booking.council]}", SERVICE,
        )
    return answer


# -- endpoints ------------------------------------------------------------------------------------------------------


@blueprint.get("/councils/<council>/bulky-waste")
def catalogue(council: str):
    council = council_or_404(council)
    rules = SANDBOX_BULKY_RULES[council]
    items = bulky_items(council)
    return jsonify({
        "council": council,
        "council_name": COUNCIL_NAMES[council],
        "max_items": rules["max_items"],
        "items": [{**item, "price_text": pounds(item["price"])} for item in items],
        "not_accepted": BULKY_NOT_ACCEPTED,
        "price_source": "sandbox default (council_defaults.py)",
        "how_it_works": ("Put the items outside by 7am on the collection day, where the crew can reach them. The "
                         "crew cannot come into your home."),
    })


@blueprint.get("/properties/<uprn>/bulky-waste/slots")
def property_slots(uprn: str):
    prop = property_or_404(uprn)
    now = current().clock.now()
    with current().db.session() as session:
        found = slots(session, prop, now)
    return jsonify({"uprn": prop.uprn, "council": prop.council, "address": addresses.one_line(prop),
                    "round": round_of(prop), "slots": found})


def _items(body: Dict[str, Any], council: str) -> Tuple[List[Dict[str, Any]], int, int]:
    given = body.get("items")
    if not isinstance(given, list) or not given:
        raise ApiError(400, "invalid_items", 'items must be a list such as [{"id": "sofa", "quantity": 1}].')
    catalogue_items = {item["id"]: item for item in bulky_items(council)}
    wanted: Dict[str, int] = {}
    for entry in given:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ApiError(400, "invalid_items", 'Each item must be an object such as {"id": "sofa", "quantity": 1}.')
        quantity = entry.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ApiError(400, "invalid_items", "Each item's quantity must be a whole number, 1 or more.")
        if entry["id"] not in catalogue_items:
            raise ApiError(400, "unknown_item", f"\"{entry['id'][:40]}\" is not in {COUNCIL_NAMES[council]}'s bulky "
                                                f"waste list. See /council/v1/councils/{council}/bulky-waste.")
        wanted[entry["id"]] = wanted.get(entry["id"], 0) + quantity
    count = sum(wanted.values())
    limit = SANDBOX_BULKY_RULES[council]["max_items"]
    if count > limit:
        raise ApiError(422, "too_many_items", f"{COUNCIL_NAMES[council]} collects up to {limit} items in one booking; "
                                              f"this has {count}. Make a second booking for the rest.")
    lines = [{"id": i, "name": catalogue_items[i]["name"], "quantity": q, "unit_price": catalogue_items[i]["price"],
              "price": catalogue_items[i]["price"] * q} for i, q in wanted.items()]
    return lines, count, sum(line["price"] for line in lines)


@blueprint.post("/bulky-waste/bookings")
def create_booking():
    body = json_body()
    prop = property_or_404(body.get("uprn"))
    lines, count, amount = _items(body, prop.council)
    try:
        day = date.fromisoformat(str(body.get("slot_date") or ""))
    except ValueError:
        raise ApiError(400, "invalid_slot_date", "slot_date must be a date such as 2026-12-07, from the slots list.")
    notes = " ".join(str(body.get("location_notes") or "").split())
    if len(notes) > 500:
        raise ApiError(400, "invalid_location_notes", "location_notes must be 500 characters or fewer.")
    person = contact(body)
    now = current().clock.now()
    offered = slot_dates(prop, now.date())
    if day not in offered:
        raise ApiError(422, "not_a_slot", f"{long_date(day)} is not one of this address's collection slots: "
                                          f"{', '.join(d.isoformat() for d in offered)}.")
    with current().db.writing() as session:  # count and book in one transaction: the last place goes once
        _refuse_if_too_many_unpaid(session, prop, now)
        open_slots = slots(session, prop, now)
        chosen = next(s for s in open_slots if s["date"] == day.isoformat())
        if not chosen["available"]:
            others = [s["date_text"] for s in open_slots if s["available"]]
            alternatives = f" Free slots: {', '.join(others)}." if others else " There are no free slots at the moment."
            raise ApiError(409, "slot_full", f"{chosen['date_text']} is fully booked.{alternatives}")
        booking = BulkyBooking(
            reference=next_reference(session, COUNTER), uprn=prop.uprn, council=prop.council,
            round_id=round_of(prop), slot_date=day, items=json.dumps(lines), item_count=count, amount=amount,
            status="pending_payment", location_notes=notes or None, contact_name=person["name"],
            contact_email=person["email"], contact_phone=person["phone"], created_at=to_db(now),
            hold_until=to_db(now + HOLD),
        )
        session.add(booking)
        session.flush()
        answer = booking_json(session, booking, now)
    return jsonify(answer), 201


_WHAT = "bulky waste booking"


def _refuse_cancel(booking: BulkyBooking, now: datetime) -> None:
    refuse_if_over(booking, "Booking")
    if booking.status == "confirmed" and booking.slot_date <= now.date():
        raise ApiError(409, "too_late", f"The collection is on {long_date(booking.slot_date)}: it is too late to "
                                        "cancel it.")


@blueprint.get("/bulky-waste/bookings/<reference>")
def get_booking(reference: str):
    return get_order(BulkyBooking, reference, COUNTER, _WHAT, booking_json)


@blueprint.post("/bulky-waste/bookings/<reference>/cancel")
def cancel_booking(reference: str):
    return cancel_order(BulkyBooking, reference, COUNTER, _WHAT, booking_json, _refuse_cancel)


@council_payments.handler(SERVICE)
def _apply(session: Session, reference: str, payment: Payment, now: datetime) -> tuple:
    booking = find_order(session, BulkyBooking, reference, COUNTER)
    return council_payments.order_payment(booking, payment, now, "confirmed")
