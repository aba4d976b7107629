"""Bulky waste collections, garden waste subscriptions and bin requests, as the council records answer them.

Every order starts `pending_payment` (a free bin request starts `requested`) with `payment`, the Pay payment to
make for it, and holds its place until `hold_until` (two hours). A Pay payment of exactly `amount` with the
order's metadata confirms it when it succeeds; the order's own GET then shows the new status. Amounts in pence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Dict, List, Mapping, Optional

from .common import (
    PaymentDetails,
    RecordedPayment,
    date_or_none,
    datetime_or_none,
    payment_details,
    pence,
    recorded_payments,
    str_list,
    str_or_none,
    to_date,
)

# Statuses. Unpaid orders become `expired` after hold_until (a payment that succeeds later still confirms them).
PENDING_PAYMENT = "pending_payment"
CONFIRMED = "confirmed"  # bulky waste booking paid
ACTIVE = "active"  # garden waste subscription paid
REQUESTED = "requested"  # bin request: free, or paid
CANCELLED = "cancelled"
EXPIRED = "expired"

# -- bulky waste ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkyItem:
    id: str  # "sofa": what a booking sends
    name: str
    price: int  # each
    price_text: str  # "£20.00"
    aliases: List[str] = field(default_factory=list, hash=False)  # words residents use: "settee", "couch"
    note: Optional[str] = None  # "Empty and defrosted."


@dataclass(frozen=True)
class NotAccepted:
    name: str
    aliases: List[str] = field(hash=False)
    instead: str  # where to take it instead


@dataclass(frozen=True)
class BulkyCatalogue:
    council: str
    council_name: str
    max_items: int  # per booking (quantities count)
    items: List[BulkyItem] = field(hash=False)
    not_accepted: List[NotAccepted] = field(hash=False)
    how_it_works: str

    def item(self, item_id: str) -> Optional[BulkyItem]:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass(frozen=True)
class Slot:
    date: date
    date_text: str  # "Friday 11 December"
    capacity: int
    booked: int
    remaining: int
    available: bool


@dataclass(frozen=True)
class BulkySlots:
    uprn: str
    council: str
    round: str  # "chorley-friday"
    slots: List[Slot] = field(hash=False)  # the next six collection days of the round, full ones included

    def available(self) -> List[Slot]:
        return [s for s in self.slots if s.available]


@dataclass(frozen=True)
class BookedItem:
    id: str
    name: str
    quantity: int
    unit_price: int
    price: int


@dataclass(frozen=True)
class BulkyBooking:
    reference: str  # "BWC-300001"
    status: str  # pending_payment, confirmed, cancelled, expired
    uprn: str
    council: str
    council_name: str
    address: str = field(repr=False)
    slot_date: date
    slot_date_text: str
    items: List[BookedItem] = field(hash=False)
    item_count: int
    amount: int
    amount_text: str
    location_notes: Optional[str] = field(repr=False)
    hold_until: Optional[datetime]
    paid_at: Optional[datetime]
    cancelled_at: Optional[datetime]
    refund_due: bool  # cancelled after it was paid
    payment_id: Optional[str]  # the Pay payment that confirmed it
    payment: Optional[PaymentDetails]  # pending_payment only
    payments: List[RecordedPayment] = field(repr=False, hash=False)

    @property
    def confirmed(self) -> bool:
        return self.status == CONFIRMED


# -- garden waste -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Season:
    name: str  # "2026/27"
    start: date
    end: date
    start_text: str
    end_text: str


@dataclass(frozen=True)
class GardenWastePrices:
    council: str
    council_name: str
    bin_name: str  # "grey bin": the council's own name
    price_per_bin: int  # a year
    price_text: str  # "£30.00 a bin a year"
    max_bins: int
    season: Season  # the current one
    next_season: Season
    renewal_opens: date  # renewal for next_season
    collections: str


@dataclass(frozen=True)
class GardenWasteStatus:
    """Whether an address subscribes now, and what it can do: subscribe, renew, or nothing (`next_action` None,
    with `message` saying why: already subscribed until ..., renewal opens on ...)."""

    uprn: str
    council: str
    subscribed: bool  # for the current season
    current_season: Season
    bins: Optional[int]  # subscribed bins this season
    subscription_reference: Optional[str]  # None for a subscription made before the online service
    renewed_season: Optional[str]  # "2027/28" once renewed
    renewal_opens: Optional[date]
    next_action: Optional[str]  # "subscribe", "renew" or None
    target_season: Optional[Season]  # what subscribe/renew would be for
    message: str  # the records' sentence for the resident
    bin_name: str
    price_per_bin: int
    max_bins: int
    pending: List[str] = field(default_factory=list, hash=False)  # references of subscriptions awaiting payment


@dataclass(frozen=True)
class GardenSubscription:
    reference: str  # "GWS-400001"
    status: str  # pending_payment, active, cancelled, expired
    uprn: str
    council: str
    council_name: str
    address: str = field(repr=False)
    season: Season
    bins: int
    bin_name: str
    amount: int
    amount_text: str
    renewal: Optional[bool]  # said when it is made: True for a renewal of this season's subscription
    hold_until: Optional[datetime]
    paid_at: Optional[datetime]
    cancelled_at: Optional[datetime]
    payment_id: Optional[str]
    payment: Optional[PaymentDetails]  # pending_payment only
    payments: List[RecordedPayment] = field(repr=False, hash=False)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


# -- bins -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BinRequestRule:
    allowed: bool
    charge: int  # per bin, delivery included; 0: free
    charge_text: str  # "£25.00" or "free"
    max_quantity: int
    rule: str  # the rule in words, for the resident


@dataclass(frozen=True)
class BinKind:
    """One of the council's bins and what can be asked for it (replacement, extra, larger, new_property)."""

    stream: str  # "refuse", "recycling", "paper", "garden"
    name: Optional[str]  # "green bin"
    colour: Optional[str]
    container: Optional[str]
    requests: Dict[str, BinRequestRule] = field(hash=False)


@dataclass(frozen=True)
class BinRequestRules:
    council: str
    council_name: str
    request_types: List[str] = field(hash=False)  # replacement, extra, larger, new_property
    replacement_reasons: List[str] = field(hash=False)  # damaged, stolen, lost
    delivery_working_days: int
    larger_bin_household_size: int  # a larger rubbish bin needs at least this many people
    bins: List[BinKind] = field(hash=False)

    def rule(self, stream: str, request_type: str) -> Optional[BinRequestRule]:
        kind = next((b for b in self.bins if b.stream == stream), None)
        return None if kind is None else kind.requests.get(request_type)


@dataclass(frozen=True)
class BinRequest:
    reference: str  # "BIN-500001"
    status: str  # requested, pending_payment, cancelled, expired
    uprn: str
    council: str
    council_name: str
    address: str = field(repr=False)
    stream: str
    bin_name: Optional[str]
    type: str  # replacement, extra, larger, new_property
    reason: Optional[str]  # replacement: damaged, stolen, lost
    quantity: int
    amount: int  # 0: free
    amount_text: str
    deliver_by: Optional[date]  # once requested (free, or paid)
    hold_until: Optional[datetime]
    paid_at: Optional[datetime]
    cancelled_at: Optional[datetime]
    refund_due: bool
    payment_id: Optional[str]
    payment: Optional[PaymentDetails]  # pending_payment only
    payments: List[RecordedPayment] = field(repr=False, hash=False)

    @property
    def requested(self) -> bool:
        return self.status == REQUESTED


# -- reading answers --------------------------------------------------------------------------------------------


def _order_head(body: Mapping[str, Any]) -> Dict[str, Any]:
    """The fields every order (booking, subscription, bin request) starts with."""
    return {
        "reference": str(body["reference"]),
        "status": str(body["status"]),
        "uprn": str(body["uprn"]),
        "council": str(body["council"]),
        "council_name": str(body.get("council_name") or ""),
        "address": str(body.get("address") or ""),
    }


def _order_tail(body: Mapping[str, Any]) -> Dict[str, Any]:
    """The hold, payment and cancellation fields every order ends with."""
    return {
        "hold_until": datetime_or_none(body.get("hold_until")),
        "paid_at": datetime_or_none(body.get("paid_at")),
        "cancelled_at": datetime_or_none(body.get("cancelled_at")),
        "payment_id": str_or_none(body.get("payment_id")),
        "payment": payment_details(body.get("payment")),
        "payments": recorded_payments(body.get("payments")),
    }


def bulky_catalogue(body: Mapping[str, Any]) -> BulkyCatalogue:
    return BulkyCatalogue(
        council=str(body["council"]),
        council_name=str(body.get("council_name") or ""),
        max_items=int(body["max_items"]),
        items=[
            BulkyItem(
                id=str(i["id"]),
                name=str(i["name"]),
                price=pence(i["price"]),
                price_text=str(i.get("price_text") or ""),
                aliases=str_list(i.get("aliases")),
                note=str_or_none(i.get("note")),
            )
            for i in body["items"]
        ],
        not_accepted=[
            NotAccepted(name=str(n["name"]), aliases=str_list(n.get("aliases")), instead=str(n.get("instead") or ""))
            for n in body.get("not_accepted") or []
        ],
        how_it_works=str(body.get("how_it_works") or ""),
    )


def bulky_slots(body: Mapping[str, Any]) -> BulkySlots:
    return BulkySlots(
        uprn=str(body["uprn"]),
        council=str(body["council"]),
        round=str(body.get("round") or ""),
        slots=[
            Slot(
                date=to_date(s["date"]),
                date_text=str(s.get("date_text") or ""),
                capacity=int(s["capacity"]),
                booked=int(s["booked"]),
                remaining=int(s["remaining"]),
                available=bool(s["available"]),
            )
            for s in body["slots"]
        ],
    )


def bulky_booking(body: Mapping[str, Any]) -> BulkyBooking:
    return BulkyBooking(
        **_order_head(body),
        slot_date=to_date(body["slot_date"]),
        slot_date_text=str(body.get("slot_date_text") or ""),
        items=[
            BookedItem(id=str(i["id"]), name=str(i["name"]), quantity=int(i["quantity"]),
                       unit_price=pence(i["unit_price"]), price=pence(i["price"]))
            for i in body["items"]
        ],
        item_count=int(body["item_count"]),
        amount=pence(body["amount"]),
        amount_text=str(body.get("amount_text") or ""),
        location_notes=str_or_none(body.get("location_notes")),
        refund_due=bool(body.get("refund_due")),
        **_order_tail(body),
    )


def season(body: Mapping[str, Any]) -> Season:
    return Season(
        name=str(body["name"]),
        start=to_date(body["start"]),
        end=to_date(body["end"]),
        start_text=str(body.get("start_text") or ""),
        end_text=str(body.get("end_text") or ""),
    )


def _season_or_none(body: Optional[Mapping[str, Any]]) -> Optional[Season]:
    return season(body) if body else None


def garden_prices(body: Mapping[str, Any]) -> GardenWastePrices:
    return GardenWastePrices(
        council=str(body["council"]),
        council_name=str(body.get("council_name") or ""),
        bin_name=str(body.get("bin_name") or ""),
        price_per_bin=pence(body["price_per_bin"]),
        price_text=str(body.get("price_text") or ""),
        max_bins=int(body["max_bins"]),
        season=season(body["season"]),
        next_season=season(body["next_season"]),
        renewal_opens=to_date(body["renewal_opens"]),
        collections=str(body.get("collections") or ""),
    )


def garden_status(body: Mapping[str, Any]) -> GardenWasteStatus:
    subscription = body.get("subscription") or {}
    renewed = body.get("renewed") or {}
    return GardenWasteStatus(
        uprn=str(body["uprn"]),
        council=str(body["council"]),
        subscribed=bool(body["subscribed"]),
        current_season=season(body["current_season"]),
        bins=int(subscription["bins"]) if subscription.get("bins") is not None else None,
        subscription_reference=str_or_none(subscription.get("reference")),
        renewed_season=str_or_none(renewed.get("season")),
        renewal_opens=date_or_none(body.get("renewal_opens")),
        next_action=str_or_none(body.get("next_action")),
        target_season=_season_or_none(body.get("target_season")),
        message=str(body.get("message") or ""),
        bin_name=str(body.get("bin_name") or ""),
        price_per_bin=pence(body["price_per_bin"]),
        max_bins=int(body["max_bins"]),
        pending=str_list(body.get("pending")),
    )


def garden_subscription(body: Mapping[str, Any]) -> GardenSubscription:
    renewal = body.get("renewal")
    return GardenSubscription(
        **_order_head(body),
        season=season(body["season"]),
        bins=int(body["bins"]),
        bin_name=str(body.get("bin_name") or ""),
        amount=pence(body["amount"]),
        amount_text=str(body.get("amount_text") or ""),
        renewal=None if renewal is None else bool(renewal),
        **_order_tail(body),
    )


def bin_rules(body: Mapping[str, Any]) -> BinRequestRules:
    return BinRequestRules(
        council=str(body["council"]),
        council_name=str(body.get("council_name") or ""),
        request_types=str_list(body.get("request_types")),
        replacement_reasons=str_list(body.get("replacement_reasons")),
        delivery_working_days=int(body["delivery_working_days"]),
        larger_bin_household_size=int(body["larger_bin_household_size"]),
        bins=[
            BinKind(
                stream=str(b["stream"]),
                name=str_or_none(b.get("name")),
                colour=str_or_none(b.get("colour")),
                container=str_or_none(b.get("container")),
                requests={
                    str(kind): BinRequestRule(
                        allowed=bool(r["allowed"]),
                        charge=pence(r["charge"]),
                        charge_text=str(r.get("charge_text") or ""),
                        max_quantity=int(r["max_quantity"]),
                        rule=str(r.get("rule") or ""),
                    )
                    for kind, r in (b.get("requests") or {}).items()
                },
            )
            for b in body["bins"]
        ],
    )


def bin_request(body: Mapping[str, Any]) -> BinRequest:
    return BinRequest(
        **_order_head(body),
        stream=str(body["stream"]),
        bin_name=str_or_none(body.get("bin_name")),
        type=str(body["type"]),
        reason=str_or_none(body.get("reason")),
        quantity=int(body["quantity"]),
        amount=pence(body["amount"]),
        amount_text=str(body.get("amount_text") or ""),
        deliver_by=date_or_none(body.get("deliver_by")),
        refund_due=bool(body.get("refund_due")),
        **_order_tail(body),
    )
