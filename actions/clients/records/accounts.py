"""Council tax accounts and parking penalty charge notices, as the council records answer them. Amounts in pence."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, List, Mapping, Optional

from .common import (
    PaymentDetails,
    RecordedPayment,
    datetime_or_none,
    payment_details,
    pence,
    pence_or_none,
    recorded_payments,
    str_list,
    str_or_none,
    to_date,
)

# PenaltyCharge.status
PCN_UNPAID = "unpaid"
PCN_PAID = "paid"
PCN_CANCELLED = "cancelled"


@dataclass(frozen=True)
class NextInstalment:
    number: int
    due_date: date
    due_date_text: str  # "Tuesday 1 December"
    amount: int  # what is still to pay of it
    overdue: bool


@dataclass(frozen=True)
class AccountSummary:
    """What verification shows: enough for "your balance is ... and the next instalment is ...". """

    account_number: str
    council: str
    council_name: str
    address: str = field(repr=False)
    uprn: str
    liable_names: List[str] = field(repr=False, hash=False)  # personal data: kept out of repr (and logs)
    band: str
    financial_year: str  # "2026/27"
    balance: int  # what is left to pay this year
    overdue: int  # of it, instalments past their due date
    next_instalment: Optional[NextInstalment]  # None: nothing left to pay


@dataclass(frozen=True)
class CouncilTaxVerification:
    """A successful verification. Keep `token` only in the conversation it was made for, and only until
    `expires_at`: it is the resident's proof of identity for `CouncilRecordsClient.council_tax_account`."""

    token: str = field(repr=False)
    expires_in: int  # seconds
    expires_at: Optional[datetime]  # UTC
    account: AccountSummary


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: date
    amount: int
    paid: int
    outstanding: int
    status: str  # paid, part_paid, overdue, upcoming


@dataclass(frozen=True)
class AccountPayment:
    date: date
    amount: int
    method: str  # "Direct Debit", "Debit card", "Online card payment"
    reference: Optional[str]  # the Pay payment id of an online payment


@dataclass(frozen=True)
class Discount:
    name: str  # "Single person discount"
    percent: Optional[int]


@dataclass(frozen=True)
class CouncilTaxAccount(AccountSummary):
    """The account in full, shown only with a verification token."""

    yearly_charge: int
    discounts: List[Discount] = field(hash=False)
    payment_method: str  # "Direct Debit" or "Pays by card"
    instalments: List[Instalment] = field(hash=False)  # 10, April to January
    payments: List[AccountPayment] = field(repr=False, hash=False)
    minimum_payment: int  # the limits of an online payment
    maximum_payment: int  # the balance (0 when nothing is owed)
    payment: PaymentDetails  # amount None: use payment_for(amount)

    def payment_for(self, amount_pence: int) -> PaymentDetails:
        """The Pay payment of `amount_pence` towards this account (the next instalment, the balance or another
        amount). ValueError outside the limits (minimum_payment to maximum_payment), so a resident can never be
        charged an amount the account does not allow."""
        if isinstance(amount_pence, bool) or not isinstance(amount_pence, int):
            raise TypeError(f"amount_pence must be a whole number of pence, not {type(amount_pence).__name__}")
        if self.maximum_payment < self.minimum_payment:
            raise ValueError("there is nothing to pay on this account")
        if not self.minimum_payment <= amount_pence <= self.maximum_payment:
            raise ValueError("the amount is outside this account's payment limits")
        return replace(self.payment, amount=amount_pence)


@dataclass(frozen=True)
class PenaltyCharge:
    """A parking penalty charge notice, answered only to someone who gave its vehicle registration."""

    pcn: str  # "CH40213377"
    council: str
    council_name: str
    vrm: str = field(repr=False)  # the registration as the notice has it: "PF19 KZW"
    contravention_code: str
    contravention: str  # "Parked after the expiry of paid for time"
    contravention_level: str  # higher, lower
    location: str
    issued_at: Optional[datetime]
    status: str  # unpaid, paid, cancelled
    status_reason: Optional[str]
    amount_full: int
    amount_reduced: int
    discount_until: date  # the last day of the discount (14 days from the day of issue)
    discount_until_text: str
    discount_applies: bool  # unpaid, and today is within the discount period
    amount_due: int  # 0 unless unpaid: the reduced amount while the discount applies, else the full amount
    paid_amount: Optional[int]
    closed_at: Optional[datetime]
    message: Optional[str]  # for a paid or cancelled PCN: the records' sentence for the resident
    payment: Optional[PaymentDetails]  # unpaid only: the payment of amount_due
    payments: List[RecordedPayment] = field(default_factory=list, repr=False, hash=False)

    @property
    def payable(self) -> bool:
        return self.status == PCN_UNPAID and self.payment is not None


def _next_instalment(value: Optional[Mapping[str, Any]]) -> Optional[NextInstalment]:
    if not value:
        return None
    return NextInstalment(
        number=int(value["number"]),
        due_date=to_date(value["due_date"]),
        due_date_text=str(value.get("due_date_text") or ""),
        amount=pence(value["amount"]),
        overdue=bool(value["overdue"]),
    )


def _summary_fields(body: Mapping[str, Any]) -> dict:
    return dict(
        account_number=str(body["account_number"]),
        council=str(body["council"]),
        council_name=str(body.get("council_name") or ""),
        address=str(body.get("address") or ""),
        uprn=str(body.get("uprn") or ""),
        liable_names=str_list(body.get("liable_names")),
        band=str(body["band"]),
        financial_year=str(body.get("financial_year") or ""),
        balance=pence(body["balance"]),
        overdue=pence(body.get("overdue", 0)),
        next_instalment=_next_instalment(body.get("next_instalment")),
    )


def verification(body: Mapping[str, Any]) -> CouncilTaxVerification:
    if body.get("verified") is not True or not body.get("token"):
        raise ValueError("not a verification")
    return CouncilTaxVerification(
        token=str(body["token"]),
        expires_in=int(body.get("expires_in") or 0),
        expires_at=datetime_or_none(body.get("expires_at")),
        account=AccountSummary(**_summary_fields(body["account"])),
    )


def council_tax_account(body: Mapping[str, Any]) -> CouncilTaxAccount:
    limits = body.get("payment_limits") or {}
    payment = payment_details(body["payment"])
    if payment is None:
        raise ValueError("no payment details")
    return CouncilTaxAccount(
        **_summary_fields(body),
        yearly_charge=pence(body["yearly_charge"]),
        discounts=[Discount(str(d["name"]), d.get("percent")) for d in body.get("discounts") or []],
        payment_method=str(body.get("payment_method") or ""),
        instalments=[
            Instalment(
                number=int(i["number"]),
                due_date=to_date(i["due_date"]),
                amount=pence(i["amount"]),
                paid=pence(i["paid"]),
                outstanding=pence(i["outstanding"]),
                status=str(i["status"]),
            )
            for i in body["instalments"]
        ],
        payments=[
            AccountPayment(
                date=to_date(p["date"]),
                amount=pence(p["amount"]),
                method=str(p.get("method") or ""),
                reference=str_or_none(p.get("reference")),
            )
            for p in body.get("payments") or []
        ],
        minimum_payment=pence(limits["minimum"]),
        maximum_payment=pence(limits["maximum"]),
        payment=payment,
    )


def penalty_charge(body: Mapping[str, Any]) -> PenaltyCharge:
    contravention = body.get("contravention") or {}
    return PenaltyCharge(
        pcn=str(body["pcn"]),
        council=str(body["council"]),
        council_name=str(body.get("council_name") or ""),
        vrm=str(body.get("vrm") or ""),
        contravention_code=str(contravention.get("code") or ""),
        contravention=str(contravention.get("description") or ""),
        contravention_level=str(contravention.get("level") or ""),
        location=str(body.get("location") or ""),
        issued_at=datetime_or_none(body.get("issued_at")),
        status=str(body["status"]),
        status_reason=str_or_none(body.get("status_reason")),
        amount_full=pence(body["amount_full"]),
        amount_reduced=pence(body["amount_reduced"]),
        discount_until=to_date(body["discount_until"]),
        discount_until_text=str(body.get("discount_until_text") or ""),
        discount_applies=bool(body.get("discount_applies")),
        amount_due=pence(body["amount_due"]),
        paid_amount=pence_or_none(body.get("paid_amount")),
        closed_at=datetime_or_none(body.get("closed_at")),
        message=str_or_none(body.get("message")),
        payment=payment_details(body.get("payment")),
        payments=recorded_payments(body.get("payments")),
    )


__all__ = [
    "AccountPayment",
    "AccountSummary",
    "CouncilTaxAccount",
    "CouncilTaxVerification",
    "Discount",
    "Instalment",
    "NextInstalment",
    "PCN_CANCELLED",
    "PCN_PAID",
    "PCN_UNPAID",
    "PenaltyCharge",
]
