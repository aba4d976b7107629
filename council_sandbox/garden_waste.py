"""Garden waste subscriptions (`/council/v1`): each council's price and season, and subscriptions per address.

Who is subscribed today is what the waste service says (the property's `garden_subscribed`, which decides
whether /waste/v1 lists garden collections): made-up households subscribed from the start count as subscribed
for the current season with one bin. A subscription paid through the sandbox sets that flag, so bin days and
missed-bin reports agree at once.

The season (subscription year) runs from 1 April to 31 March. A household that is not subscribed subscribes for
the current season; a subscribed one can renew for the next season from 1 February (the renewal window), and is
refused (409) before that, or once it has renewed. A subscription starts `pending_payment`, holds for two hours
(sandbox clock) and becomes `active` when a Pay payment of exactly its price, with its reference in the
metadata, succeeds. The price per bin comes from councils/<id>.yml when it has one (council_defaults.py).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Dict, Optional

from flask import Blueprint, jsonify
from sqlalchemy import select
from sqlalchemy.orm import Session

import councils

from . import addresses, council_payments
from .clock import long_date, to_db
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
    positive_int,
    property_or_404,
)
from .council_defaults import COUNCIL_NAMES, SANDBOX_GARDEN_WASTE, garden_price
from .errors import ApiError
from .models import GardenSubscription, Payment, Property
from .money import pounds

blueprint = Blueprint("garden_waste", __name__, url_prefix="/council/v1")

SERVICE = "garden_waste"
COUNTER = "garden_subscription"


def season_start(council: str, day: date) -> int:
    month = SANDBOX_GARDEN_WASTE[council]["season_start_month"]
    return day.year if day.month >= month else day.year - 1


def season_json(council: str, start_year: int) -> Dict[str, Any]:
    month = SANDBOX_GARDEN_WASTE[council]["season_start_month"]
    start = date(start_year, month, 1)
    end = date(start_year + 1, month, 1) - timedelta(days=1)
    return {"name": f"{start_year}/{(start_year + 1) % 100:02d}", "start": start.isoformat(), "end": end.isoformat(),
            "start_text": long_date(start), "end_text": f"{long_date(end)} {end.year}"}


def renewal_opens(council: str, start_year: int) -> date:
    """When households can renew for the season after the one starting in `start_year`."""
    month, day = SANDBOX_GARDEN_WASTE[council]["renewal_opens"]
    return date(start_year + 1, month, day)


def bin_name(council: str) -> str:
    garden = councils.bin_for(council, "garden") or {}
    return garden.get("name") or "garden waste bin"


def _active(session: Session, uprn: str, start_year: int) -> Optional[GardenSubscription]:
    return session.execute(
        select(GardenSubscription).where(GardenSubscription.uprn == uprn, GardenSubscription.season_start == start_year,
                                         GardenSubscription.status == "active")
    ).scalars().first()


def _pending(session: Session, uprn: str, start_year: int, now: datetime) -> Optional[GardenSubscription]:
    return session.execute(
        select(GardenSubscription).where(GardenSubscription.uprn == uprn, GardenSubscription.season_start == start_year,
                                         GardenSubscription.status == "pending_payment",
                                         GardenSubscription.hold_until > to_db(now))
    ).scalars().first()


def state(session: Session, prop: Property, now: datetime) -> Dict[str, Any]:
    """Whether `prop` is subscribed, can subscribe or renew, and for which season."""
    today = now.date()
    current_year = season_start(prop.council, today)
    active_now = _active(session, prop.uprn, current_year)
    subscribed = bool(prop.garden_subscribed) or active_now is not None
    opens = renewal_opens(prop.council, current_year)
    renewed = _active(session, prop.uprn, current_year + 1)
    if not subscribed:
        target, action = current_year, "subscribe"
    elif renewed is None and today >= opens:
        target, action = current_year + 1, "renew"
    else:
        target, action = None, None
    name = bin_name(prop.council)
    if action == "subscribe":
        message = f"This address does not have a garden waste subscription for {season_json(prop.council, target)['name']}."
    elif action == "renew":
        message = (f"This address is subscribed for {season_json(prop.council, current_year)['name']}. Renewal for "
                   f"{season_json(prop.council, target)['name']} is open.")
    elif renewed is not None:
        message = (f"This address is already subscribed to garden waste collections for "
                   f"{season_json(prop.council, current_year)['name']} and has renewed for "
                   f"{season_json(prop.council, current_year + 1)['name']} (reference {renewed.reference}).")
    else:
        season = season_json(prop.council, current_year)
        message = (f"This address is already subscribed to garden waste collections for {season['name']}, until "
                   f"{season['end_text']}. Renewal for {season_json(prop.council, current_year + 1)['name']} opens "
                   f"on {long_date(opens)} {opens.year}.")
    return {
        "subscribed": subscribed,
        "current_season": season_json(prop.council, current_year),
        "subscription": None if not subscribed else {
            "season": season_json(prop.council, current_year)["name"],
            "bins": active_now.bins if active_now else 1,
            "reference": active_now.reference if active_now else None,
        },
        "renewal_opens": opens.isoformat(),
        "renewed": None if renewed is None else {"season": season_json(prop.council, current_year + 1)["name"],
                                                 "bins": renewed.bins, "reference": renewed.reference},
        "next_action": action,
        "target_season": None if target is None else season_json(prop.council, target),
        "message": message,
        "bin_name": name,
    }


def subscription_json(session: Session, item: GardenSubscription) -> Dict[str, Any]:
    prop = session.get(Property, item.uprn)
    answer: Dict[str, Any] = {
        "reference": item.reference,
        "status": item.status,
        "uprn": item.uprn,
        "address": addresses.one_line(prop),
        "council": item.council,
        "council_name": COUNCIL_NAMES[item.council],
        "season": season_json(item.council, item.season_start),
        "bins": item.bins,
        "bin_name": bin_name(item.council),
        "amount": item.amount,
        "amount_text": pounds(item.amount),
        "created_at": iso_local(item.created_at),
        "hold_until": iso_local(item.hold_until),
        "paid_at": iso_local(item.paid_at),
        "cancelled_at": iso_local(item.cancelled_at),
        "payment_id": item.payment_id,
        "payments": council_payments.payments_json(session, SERVICE, item.reference),
    }
    if item.status == "pending_payment":
        season = answer["season"]["name"]
        answer["payment"] = payment_template(
            item.amount, item.reference,
            f"Garden waste {season}, {item.bins} bin{'s' if item.bins > 1 else ''}, {COUNCIL_NAMES[item.council]}",
            SERVICE,
        )
    return answer


# -- endpoints ------------------------------------------------------------------------------------------------------


@blueprint.get("/councils/<council>/garden-waste")
def prices(council: str):
    council = council_or_404(council)
    today = current().clock.today()
    price, source = garden_price(council)
    year = season_start(council, today)
    return jsonify({
        "council": council,
        "council_name": COUNCIL_NAMES[council],
        "bin_name": bin_name(council),
        "price_per_bin": price,
        "price_text": f"{pounds(price)} a bin a year",
        "price_source": source,
        "max_bins": SANDBOX_GARDEN_WASTE[council]["max_bins"],
        "season": season_json(council, year),
        "next_season": season_json(council, year + 1),
        "renewal_opens": renewal_opens(council, year).isoformat(),
        "collections": "every two weeks, on the usual collection day",
    })


@blueprint.get("/properties/<uprn>/garden-waste")
def property_garden_waste(uprn: str):
    prop = property_or_404(uprn)
    now = current().clock.now()
    price, _source = garden_price(prop.council)
    with current().db.session() as session:
        found = state(session, prop, now)
        pending = [s.reference for s in session.execute(
            select(GardenSubscription).where(GardenSubscription.uprn == prop.uprn,
                                             GardenSubscription.status == "pending_payment",
                                             GardenSubscription.hold_until > to_db(now))).scalars()]
    return jsonify({"uprn": prop.uprn, "council": prop.council, "address": addresses.one_line(prop), **found,
                    "price_per_bin": price, "max_bins": SANDBOX_GARDEN_WASTE[prop.council]["max_bins"],
                    "pending": pending})


@blueprint.post("/garden-waste/subscriptions")
def subscribe():
    body = json_body()
    prop = property_or_404(body.get("uprn"))
    bins = positive_int(body, "bins", 1)
    most = SANDBOX_GARDEN_WASTE[prop.council]["max_bins"]
    if bins > most:
        raise ApiError(422, "too_many_bins", f"A home can have up to {most} garden waste bins.")
    person = contact(body)
    now = current().clock.now()
    price, _source = garden_price(prop.council)
    with current().db.writing() as session:
        found = state(session, prop, now)
        if found["next_action"] is None:
            raise ApiError(409, "already_subscribed", found["message"])
        target = int(found["target_season"]["start"][:4])
        waiting = _pending(session, prop.uprn, target, now)
        if waiting is not None:
            raise ApiError(409, "payment_pending", f"A subscription for {found['target_season']['name']} is waiting "
                                                   f"for payment: reference {waiting.reference}. Pay for that one, "
                                                   "or cancel it first.")
        item = GardenSubscription(
            reference=next_reference(session, COUNTER), uprn=prop.uprn, council=prop.council, season_start=target,
            bins=bins, amount=price * bins, status="pending_payment", contact_email=person["email"],
            contact_phone=person["phone"], created_at=to_db(now), hold_until=to_db(now + HOLD),
        )
        session.add(item)
        session.flush()
        answer = subscription_json(session, item)
        answer["renewal"] = found["next_action"] == "renew"
    return jsonify(answer), 201


_WHAT = "garden waste subscription"


def _json(session: Session, item: GardenSubscription, now: datetime) -> Dict[str, Any]:
    return subscription_json(session, item)


def _refuse_cancel(item: GardenSubscription, now: datetime) -> None:
    if item.status != "pending_payment":
        what = {"active": "paid for: to end it, contact the council"}.get(item.status, item.status)
        raise ApiError(409, "not_pending", f"Subscription {item.reference} is {what}.")


@blueprint.get("/garden-waste/subscriptions/<reference>")
def get_subscription(reference: str):
    return get_order(GardenSubscription, reference, COUNTER, _WHAT, _json)


@blueprint.post("/garden-waste/subscriptions/<reference>/cancel")
def cancel_subscription(reference: str):
    return cancel_order(GardenSubscription, reference, COUNTER, _WHAT, _json, _refuse_cancel)


@council_payments.handler(SERVICE)
def _apply(session: Session, reference: str, payment: Payment, now: datetime) -> tuple:
    item = find_order(session, GardenSubscription, reference, COUNTER)
    applied, note = council_payments.order_payment(item, payment, now, "active")
    if applied and item.season_start == season_start(item.council, now.date()):
        prop = session.get(Property, item.uprn)
        prop.garden_subscribed = True  # the waste service lists garden collections from now on
    return applied, note
