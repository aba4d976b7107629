"""Council tax accounts (`/council/v1/council-tax`): one per address, made up, the same on every machine.

Each UPRN has one account. The account number (8 digits: 3... in Chorley, 6... in South Ribble) is a fixed
permutation of the UPRN, so either gives the other. Band, liable people (synthetic names), discount, instalment
day and how the household pays come from SHA-256 of the UPRN. The financial year runs from 1 April; the yearly
charge is paid in 10 monthly instalments, April to January (the first takes any odd pence).

Payments made are worked out from the household's way of paying and the sandbox clock (Direct Debit on each due
date, by card a few days late, in arrears by the last one or two, or all at once in April), plus every Pay
payment applied to the account (council_payments: metadata council_service "council_tax", council_reference the
account number). Balance = yearly charge - payments.

Details are shown only after verification: POST /verify with the account number and the property's postcode
answers a token for COUNCIL_TAX_TOKEN_SECONDS (default 900) of real time; GET /accounts/{number} needs it as
`Authorization: Bearer <token>`. A failed verification never says which detail was wrong.

Failed verifications are counted per account number, as a council's own system would, so that no conversation (or
new conversation, or script) can reset them: after MAX_FAILURES within FAILURE_WINDOW (sandbox clock), /verify
answers 429 `too_many_attempts` with a Retry-After for that account, even with the right details, until the window
has passed. Refused tries are not counted, so the lock always ends. The assistant has its own, stricter limits.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import math
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from councils import postcodes
from flask import Blueprint, Flask, current_app, g, jsonify, request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import addresses, council_payments
from .addresses import Draws
from .clock import clock_time, from_db, long_date, to_db
from .context import current
from .council_common import json_body, payment_template
from .council_defaults import (
    BAND_NINTHS,
    COUNCIL_NAMES,
    MINIMUM_PAYMENT,
    SANDBOX_COUNCIL_TAX_BAND_D,
    SINGLE_PERSON_DISCOUNT,
)
from .errors import ApiError
from .models import CouncilTaxFailure, CouncilTaxSession, Payment, Property
from .money import pounds

blueprint = Blueprint("council_tax", __name__, url_prefix="/council/v1/council-tax")

SERVICE = "council_tax"
SETTING = "council_sandbox.council_tax_token_seconds"
DEFAULT_TOKEN_SECONDS = 900
INSTALMENTS = 10
_PREFIX = {"chorley": "3", "south_ribble": "6"}
_COUNCIL_OF_PREFIX = {v: k for k, v in _PREFIX.items()}
_UPRN_PREFIX = {"chorley": "10001", "south_ribble": "10002"}
_MULTIPLIER, _OFFSET, _MODULUS = 7_654_321, 1_234_567, 10_000_000  # coprime: a permutation of 7 digits
_SLOTS = 30  # addresses per postcode the numbering allows for (a postcode has at most 24)

FIRST_NAMES = ("Alex", "Sam", "Jordan", "Morgan", "Casey", "Robin", "Jamie", "Charlie", "Riley", "Avery", "Dana",
               "Frankie", "Harper", "Kit", "Lee", "Nico", "Quinn", "Rowan", "Sasha", "Toni", "Jude", "Ellis",
               "Marley", "Remy")
SURNAMES = ("Ashbridge", "Brookfold", "Calderwood", "Dunmere", "Ellerbeck", "Fernlea", "Greystoke-Hale", "Harrowby",
            "Inglewhite", "Kelbrook", "Lindale", "Marshside", "Netherby", "Oakenclough", "Pendlebury", "Quernmore",
            "Rivington-Shaw", "Sowerby", "Thornley", "Underbank", "Whitestake", "Yarrow")
PROFILES = ("direct_debit",) * 11 + ("card",) * 4 + ("arrears",) * 3 + ("paid_in_full",) * 2
METHODS = {"direct_debit": "Direct Debit", "card": "Debit card", "arrears": "Debit card", "paid_in_full": "Debit card"}
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=30)
TOO_MANY_ATTEMPTS = ("There have been too many unsuccessful attempts to verify this account, so it is locked for "
                     "security. Please try again after {time}, or contact the council.")
NOT_VERIFIED = ("We could not find an account with those details. Check the account number on your council tax "
                "bill and the postcode of the property.")


def register(app: Flask) -> None:
    text = os.environ.get("COUNCIL_TAX_TOKEN_SECONDS", "").strip()
    try:
        seconds = int(text) if text else DEFAULT_TOKEN_SECONDS
    except ValueError:
        raise ValueError(f"COUNCIL_TAX_TOKEN_SECONDS {text!r} is not a whole number of seconds") from None
    app.extensions[SETTING] = max(1, seconds)
    app.register_blueprint(blueprint)


# -- account numbers ------------------------------------------------------------------------------------------------


def account_number_for(uprn: str) -> Optional[str]:
    """The account of a sandbox UPRN (12 digits: council prefix, 5-digit postcode key, 2-digit slot)."""
    uprn = str(uprn or "")
    council = next((c for c, p in _UPRN_PREFIX.items() if uprn.startswith(p)), None)
    if council is None or len(uprn) != 12 or not uprn.isdigit() or (int(uprn[10:]) - 10) % 3:
        return None
    slot = (int(uprn[10:]) - 10) // 3
    if not 0 <= slot < _SLOTS:
        return None
    plain = int(uprn[5:10]) * _SLOTS + slot
    return _PREFIX[council] + f"{(plain * _MULTIPLIER + _OFFSET) % _MODULUS:07d}"


def uprn_for_account(account_number: str) -> Optional[str]:
    text = str(account_number or "")
    if len(text) != 8 or not text.isdigit() or text[0] not in _COUNCIL_OF_PREFIX:
        return None
    plain = ((int(text[1:]) - _OFFSET) * pow(_MULTIPLIER, -1, _MODULUS)) % _MODULUS
    key, slot = divmod(plain, _SLOTS)
    if key >= 100_000:
        return None
    return f"{_UPRN_PREFIX[_COUNCIL_OF_PREFIX[text[0]]]}{key:05d}{10 + slot * 3:02d}"


def normalise_account(text: Any) -> str:
    return re.sub(r"[\s-]", "", str(text or ""))


# -- the account ----------------------------------------------------------------------------------------------------


@dataclass
class Account:
    number: str
    prop: Property
    band: str
    liable_names: List[str]
    single_person_discount: bool
    yearly_charge: int
    year_start: int
    instalment_day: int
    profile: str
    instalments: List[Dict[str, Any]] = field(default_factory=list)
    payments: List[Dict[str, Any]] = field(default_factory=list)


def financial_year(today: date) -> int:
    return today.year if today.month >= 4 else today.year - 1


def _names(draws: Draws) -> List[str]:
    surname = draws.pick(SURNAMES)
    first = draws.pick(FIRST_NAMES)
    if draws.chance(0.45):
        second = draws.pick([n for n in FIRST_NAMES if n != first])
        other_surname = surname if draws.chance(0.6) else draws.pick([s for s in SURNAMES if s != surname])
        return [f"{first} {surname}", f"{second} {other_surname}"]
    return [f"{first} {surname}"]


def _band(draws: Draws, prop: Property) -> str:
    if prop.house.startswith("Flat"):
        return draws.pick("AAABBC")
    return draws.pick("AAAAABBBBBCCCCDDDEEFGH")


def build(prop: Property, today: date, paid_online: List[Any]) -> Account:
    """The account of `prop` as it stands on `today`; `paid_online` are its applied CouncilPayment rows."""
    draws = Draws("council_tax", prop.uprn)
    names = _names(draws)
    band = _band(draws, prop)
    single = len(names) == 1 and draws.chance(0.6)
    charge = SANDBOX_COUNCIL_TAX_BAND_D[prop.council] * BAND_NINTHS[band] // 9
    if single:
        charge -= round(charge * SINGLE_PERSON_DISCOUNT)
    profile = draws.pick(PROFILES)
    day = draws.pick((1, 1, 1, 15, 28))
    missed = 1 + draws.below(2)
    year = financial_year(today)
    account = Account(account_number_for(prop.uprn), prop, band, names, single, charge, year, day, profile)

    each = charge // INSTALMENTS
    dues = [date(year + (month > 12), (month - 1) % 12 + 1, day) for month in range(4, 4 + INSTALMENTS)]
    amounts = [charge - each * (INSTALMENTS - 1)] + [each] * (INSTALMENTS - 1)
    payments: List[Dict[str, Any]] = []
    due_now = [(d, a) for d, a in zip(dues, amounts) if d <= today]
    if profile == "paid_in_full":
        if today >= date(year, 4, 2):
            payments.append({"date": date(year, 4, 2), "amount": charge})
    elif profile == "direct_debit":
        payments += [{"date": d, "amount": a} for d, a in due_now]
    elif profile == "card":
        payments += [{"date": d + timedelta(days=3), "amount": a} for d, a in due_now if d + timedelta(days=3) <= today]
    else:  # arrears: the latest one or two instalments due are unpaid
        payments += [{"date": d + timedelta(days=5), "amount": a} for d, a in due_now[:-missed]
                     if d + timedelta(days=5) <= today]
    for item in payments:
        item.update(method=METHODS[profile], reference=None)
    for row in paid_online:
        local = from_db(row.paid_at)
        payments.append({"date": local.date(), "amount": row.amount, "method": "Online card payment",
                         "reference": row.payment_id})
    payments.sort(key=lambda p: p["date"])

    left = sum(p["amount"] for p in payments)
    for number, (due, amount) in enumerate(zip(dues, amounts), start=1):
        covered = min(left, amount)
        left -= covered
        if covered == amount:
            status = "paid"
        elif covered:
            status = "part_paid"
        else:
            status = "overdue" if due < today else "upcoming"
        if status == "part_paid" and due < today:
            status = "overdue"
        account.instalments.append({"number": number, "due_date": due.isoformat(), "amount": amount,
                                    "paid": covered, "outstanding": amount - covered, "status": status})
    account.payments = [{**p, "date": p["date"].isoformat()} for p in payments]
    return account


def _totals(account: Account, today: date) -> Dict[str, Any]:
    paid = sum(p["amount"] for p in account.payments)
    balance = account.yearly_charge - paid
    overdue = sum(i["outstanding"] for i in account.instalments if date.fromisoformat(i["due_date"]) < today)
    following = next((i for i in account.instalments if i["outstanding"] > 0), None)
    return {
        "balance": balance,
        "overdue": overdue,
        "next_instalment": None if following is None else {
            "number": following["number"],
            "due_date": following["due_date"],
            "due_date_text": long_date(date.fromisoformat(following["due_date"])),
            "amount": following["outstanding"],
            "overdue": date.fromisoformat(following["due_date"]) < today,
        },
    }


def summary_json(account: Account, today: date) -> Dict[str, Any]:
    prop = account.prop
    return {
        "account_number": account.number,
        "council": prop.council,
        "council_name": COUNCIL_NAMES[prop.council],
        "address": addresses.one_line(prop),
        "uprn": prop.uprn,
        "liable_names": account.liable_names,
        "band": account.band,
        "financial_year": f"{account.year_start}/{(account.year_start + 1) % 100:02d}",
        **_totals(account, today),
    }


def full_json(account: Account, today: date) -> Dict[str, Any]:
    answer = summary_json(account, today)
    discounts = [{"name": "Single person discount", "percent": 25}] if account.single_person_discount else []
    answer.update(
        yearly_charge=account.yearly_charge,
        discounts=discounts,
        payment_method=METHODS[account.profile] if account.profile == "direct_debit" else "Pays by card",
        instalments=account.instalments,
        payments=account.payments,
        payment_limits={"minimum": MINIMUM_PAYMENT, "maximum": max(answer["balance"], 0)},
        payment=payment_template(
            0, account.number, f"Council tax, {COUNCIL_NAMES[account.prop.council]}, account {account.number}",
            SERVICE,
        ),
    )
    answer["payment"]["amount"] = None  # the resident chooses: the next instalment, the balance or another amount
    return answer


def load(session: Session, account_number: str, today: date) -> Optional[Account]:
    uprn = uprn_for_account(account_number)
    prop = session.get(Property, uprn) if uprn else None
    if prop is None:
        return None
    online = [p for p in council_payments.payments_for(session, SERVICE, account_number) if p.applied]
    return build(prop, today, online)


# -- tokens (real time) ---------------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _issue(account_number: str) -> Dict[str, Any]:
    seconds = current_app.extensions[SETTING]
    token = secrets.token_urlsafe(32)
    expires = _utcnow() + timedelta(seconds=seconds)
    with current().db.writing() as session:
        session.execute(delete(CouncilTaxSession).where(CouncilTaxSession.expires_at < _utcnow()))
        session.add(CouncilTaxSession(token_hash=_hash(token), account_number=account_number, expires_at=expires))
    return {"token": token, "expires_in": seconds,
            "expires_at": expires.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")}


def _check_token(account_number: str) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    refused = ApiError(401, "not_verified", "Verify the account first: the verification token is missing, has "
                                            "expired or is for another account.")
    if scheme.lower() != "bearer" or not token.strip():
        raise refused
    with current().db.session() as session:
        found = session.get(CouncilTaxSession, _hash(token.strip()))
    if found is None or found.expires_at <= _utcnow() or not hmac.compare_digest(found.account_number, account_number):
        raise refused


# -- failed verifications (sandbox clock) ---------------------------------------------------------------------------


def _locked_until(session: Session, account_number: str, now: datetime) -> Optional[datetime]:
    """When the account's verification opens again (aware, UK time), or None when it is open now: locked while
    MAX_FAILURES failures fall within the last FAILURE_WINDOW, so until the oldest of them leaves it."""
    recent = session.execute(
        select(CouncilTaxFailure.failed_at)
        .where(CouncilTaxFailure.account_number == account_number,
               CouncilTaxFailure.failed_at > to_db(now - FAILURE_WINDOW))
        .order_by(CouncilTaxFailure.failed_at.desc())
        .limit(MAX_FAILURES)
    ).scalars().all()
    if len(recent) < MAX_FAILURES:
        return None
    return from_db(recent[-1]) + FAILURE_WINDOW


def _record_failure(session: Session, account_number: str, now: datetime) -> None:
    session.execute(delete(CouncilTaxFailure).where(CouncilTaxFailure.failed_at <= to_db(now - FAILURE_WINDOW)))
    session.add(CouncilTaxFailure(account_number=account_number, failed_at=to_db(now)))


def _too_many_attempts(until: datetime, now: datetime):
    seconds = max(1, math.ceil((until - now).total_seconds()))
    response = jsonify({
        "verified": False,
        "error": "too_many_attempts",
        "message": TOO_MANY_ATTEMPTS.format(time=clock_time(until.time())),
        "retry_after": seconds,
        "locked_until": until.isoformat(),
    })
    response.headers["Retry-After"] = str(seconds)
    return response, 429


# -- endpoints ------------------------------------------------------------------------------------------------------


@blueprint.post("/verify")
def verify():
    body = json_body()
    account_number = normalise_account(body.get("account_number"))
    typed_postcode = str(body.get("postcode") or "").strip()
    if not account_number or not typed_postcode:
        raise ApiError(400, "invalid_request", "Send account_number and postcode.")
    postcode = postcodes.normalise(typed_postcode)
    uprn = uprn_for_account(account_number)
    matched = None
    if postcode and uprn:
        stored = addresses.ensure_postcode(current().db, postcode)  # [] outside the two boroughs
        matched = next((p for p in stored if p.uprn == uprn), None)
    now = current().clock.now()
    key = account_number[:20]
    with current().db.writing() as session:  # check and count in one transaction: parallel tries can't slip past
        until = _locked_until(session, key, now)
        if until is None and matched is None:
            _record_failure(session, key, now)
    if until is not None:
        return _too_many_attempts(until, now)
    if matched is None:
        return jsonify({"verified": False, "error": "not_verified", "message": NOT_VERIFIED}), 401
    today = now.date()
    with current().db.session() as session:
        account = load(session, account_number, today)
    return jsonify({"verified": True, **_issue(account_number), "account": summary_json(account, today)})


@blueprint.get("/accounts/<account_number>")
def account(account_number: str):
    g.log_path = "/council/v1/council-tax/accounts/<account>"
    account_number = normalise_account(account_number)
    _check_token(account_number)
    today = current().clock.today()
    with current().db.session() as session:
        found = load(session, account_number, today)
    if found is None:  # a token is only issued for an account that exists
        raise ApiError(404, "not_found", "There is no such account.")
    return jsonify(full_json(found, today))


@council_payments.handler(SERVICE)
def _apply(session: Session, reference: str, payment: Payment, _now) -> tuple:
    uprn = uprn_for_account(normalise_account(reference))
    if uprn is None or session.get(Property, uprn) is None:
        return False, "no such council tax account: refund due"
    return True, None


def describe(account_number: str, today: date, session: Session) -> Optional[str]:
    """One line for demos and docs: band, balance and next instalment."""
    found = load(session, account_number, today)
    if found is None:
        return None
    totals = _totals(found, today)
    following = totals["next_instalment"]
    nxt = f", next {pounds(following['amount'])} on {following['due_date']}" if following else ""
    return f"{found.number} band {found.band}, {found.profile}, balance {pounds(totals['balance'])}{nxt}"
