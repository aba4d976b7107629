"""What the council records' answers share: the payment to make on GOV.UK Pay, the payments recorded against an
item, the resident's contact details, and reading amounts and dates."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Dict, List, Mapping, Optional


@dataclass(frozen=True)
class PaymentDetails:
    """Exactly what to send to GOV.UK Pay for an item, as the records hand it out: charge this and nothing else.

        payment = pay.create_payment(**booking.payment.pay_arguments(), return_url=pay.return_url(token),
                                     email=email)

    The metadata (council_service, council_reference) is how the records recognise the payment when it succeeds:
    the item is then confirmed (bookings, subscriptions, bin requests: when the amount is exactly the price).
    `amount` is None only for council tax, where the resident chooses (`CouncilTaxAccount.payment_for`).
    """

    amount: Optional[int]  # pence
    reference: str
    description: str  # shown to the resident on Pay's card page
    metadata: Dict[str, str] = field(default_factory=dict, hash=False)

    def pay_arguments(self) -> Dict[str, Any]:
        """amount_pence, reference, description and metadata for `PayClient.create_payment` (add return_url)."""
        if self.amount is None:
            raise ValueError("this payment has no amount yet: the resident chooses it (CouncilTaxAccount.payment_for)")
        return {
            "amount_pence": self.amount,
            "reference": self.reference,
            "description": self.description,
            "metadata": dict(self.metadata),
        }


@dataclass(frozen=True)
class RecordedPayment:
    """A successful Pay payment the records received for an item. `applied` False (with a `note` such as "already
    paid: refund due") means it did not pay for the item: a second charge for one order shows up here."""

    payment_id: str
    amount: int  # pence
    paid_at: Optional[datetime]
    applied: bool
    note: Optional[str]


@dataclass(frozen=True)
class Contact:
    """The resident's contact details for an order (all optional). Kept with the order, never logged."""

    name: Optional[str] = field(default=None, repr=False)
    email: Optional[str] = field(default=None, repr=False)
    phone: Optional[str] = field(default=None, repr=False)

    def as_json(self) -> Dict[str, str]:
        return {k: v for k, v in (("name", self.name), ("email", self.email), ("phone", self.phone)) if v}


# -- reading answers (errors here become ServiceUnavailable "unexpected answer" in the client) -----------------


def pence(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("an amount is not a whole number of pence")
    return value


def pence_or_none(value: Any) -> Optional[int]:
    return None if value is None else pence(value)


def to_date(value: Any) -> date:
    return date.fromisoformat(str(value)[:10])


def date_or_none(value: Any) -> Optional[date]:
    return None if value in (None, "") else to_date(value)


def datetime_or_none(value: Any) -> Optional[datetime]:
    if value in (None, ""):
        return None
    text = str(value)
    if text.endswith("Z"):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def str_or_none(value: Any) -> Optional[str]:
    return None if value is None or value == "" else str(value)


def str_list(value: Any) -> List[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("not a list")
    return [str(v) for v in value]


def payment_details(value: Optional[Mapping[str, Any]]) -> Optional[PaymentDetails]:
    if not value:
        return None
    metadata = value.get("metadata") or {}
    return PaymentDetails(
        amount=pence_or_none(value.get("amount")),
        reference=str(value["reference"]),
        description=str(value["description"]),
        metadata={str(k): str(v) for k, v in metadata.items()},
    )


def recorded_payments(value: Any) -> List[RecordedPayment]:
    return [
        RecordedPayment(
            payment_id=str(item["payment_id"]),
            amount=pence(item["amount"]),
            paid_at=datetime_or_none(item.get("paid_at")),
            applied=bool(item["applied"]),
            note=str_or_none(item.get("note")),
        )
        for item in value or []
    ]
