"""Parking penalty charge notices of the councils' car parks (`/council/v1/pcns`).

A PCN number is two letters (CH Chorley, SR South Ribble) and eight digits. Its amount depends on the
contravention (higher or lower level; council_defaults.py); half of it is due if paid within the 14 days that
begin with the date of issue (`discount_until` is the last of them), the full amount after that. Charge
certificates (the increase after 28 days) are not modelled. Status: unpaid, paid, cancelled.

GET /council/v1/pcns/{pcn}?vrm={registration} answers the details only when the registration matches the one on
the notice; an unknown PCN and a registration that does not match get the same 404, so neither can be guessed.
A Pay payment with metadata council_service "pcn" and council_reference the PCN pays it if its amount is at
least what was due when the payment was created (so a resident shown the discount keeps it while paying).
"""
from __future__ import annotations

import hmac
import re
from datetime import date, datetime, timedelta
from typing import Any, Dict

from flask import Blueprint, g, jsonify, request
from sqlalchemy.orm import Session

from . import council_payments
from .clock import from_db, long_date, to_db
from .context import current
from .council_common import iso_local, payment_template
from .council_defaults import COUNCIL_NAMES, CONTRAVENTIONS, PCN_DISCOUNT_DAYS, SANDBOX_PCN_AMOUNTS
from .errors import ApiError
from .models import Payment, PenaltyChargeNotice

blueprint = Blueprint("pcns", __name__, url_prefix="/council/v1/pcns")

SERVICE = "pcn"
NOT_FOUND = ("We could not find a penalty charge notice with that number and vehicle registration. Check both on "
             "the notice.")
_PCN = re.compile(r"[A-Z]{2}[0-9]{8}")


def normalise_pcn(text: Any) -> str:
    return re.sub(r"[\s-]", "", str(text or "")).upper()


def normalise_vrm(text: Any) -> str:
    return re.sub(r"[\s-]", "", str(text or "")).upper()


def show_vrm(vrm: str) -> str:
    """"PN62XKT" -> "PN62 XKT" (the current format); older formats as they are."""
    return f"{vrm[:4]} {vrm[4:]}" if re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z]{3}", vrm) else vrm


def amounts(pcn: PenaltyChargeNotice) -> Dict[str, int]:
    full = SANDBOX_PCN_AMOUNTS[CONTRAVENTIONS[pcn.contravention_code][1]]
    return {"full": full, "reduced": full // 2}


def discount_until(pcn: PenaltyChargeNotice) -> date:
    return from_db(pcn.issued_at).date() + timedelta(days=PCN_DISCOUNT_DAYS - 1)


def due_on(pcn: PenaltyChargeNotice, day: date) -> int:
    money = amounts(pcn)
    return money["reduced"] if day <= discount_until(pcn) else money["full"]


def as_json(pcn: PenaltyChargeNotice, today: date) -> Dict[str, Any]:
    money = amounts(pcn)
    until = discount_until(pcn)
    description, level = CONTRAVENTIONS[pcn.contravention_code]
    unpaid = pcn.status == "unpaid"
    answer: Dict[str, Any] = {
        "pcn": pcn.pcn,
        "council": pcn.council,
        "council_name": COUNCIL_NAMES[pcn.council],
        "vrm": show_vrm(pcn.vrm),
        "contravention": {"code": pcn.contravention_code, "description": description, "level": level},
        "location": pcn.location,
        "issued_at": iso_local(pcn.issued_at),
        "status": pcn.status,
        "status_reason": pcn.status_reason,
        "amount_full": money["full"],
        "amount_reduced": money["reduced"],
        "discount_until": until.isoformat(),
        "discount_until_text": long_date(until),
        "discount_applies": unpaid and today <= until,
        "amount_due": due_on(pcn, today) if unpaid else 0,
        "paid_amount": pcn.paid_amount,
        "closed_at": iso_local(pcn.closed_at),
    }
    if pcn.status == "paid":
        answer["message"] = f"This penalty charge notice was paid on {long_date(from_db(pcn.closed_at).date())}."
    elif pcn.status == "cancelled":
        answer["message"] = "This penalty charge notice has been cancelled. There is nothing to pay."
    if unpaid:
        answer["payment"] = payment_template(
            answer["amount_due"], pcn.pcn, f"Parking penalty charge {pcn.pcn}, {COUNCIL_NAMES[pcn.council]}", SERVICE
        )
    with current().db.session() as session:
        answer["payments"] = [council_payments.as_json(p)
                              for p in council_payments.payments_for(session, SERVICE, pcn.pcn)]
    return answer


@blueprint.get("/<pcn>")
def get_pcn(pcn: str):
    g.log_path = "/council/v1/pcns/<pcn>"
    number, vrm = normalise_pcn(pcn), normalise_vrm(request.args.get("vrm"))
    if not vrm:
        raise ApiError(400, "vrm_required", "Send the vehicle registration too: /council/v1/pcns/{pcn}?vrm=...")
    found = None
    if _PCN.fullmatch(number):
        with current().db.session() as session:
            found = session.get(PenaltyChargeNotice, number)
    if found is None or not hmac.compare_digest(found.vrm.encode(), vrm.encode()):
        raise ApiError(404, "not_found", NOT_FOUND)
    return jsonify(as_json(found, current().clock.today()))


@council_payments.handler(SERVICE)
def _apply(session: Session, reference: str, payment: Payment, now: datetime) -> tuple:
    pcn = session.get(PenaltyChargeNotice, normalise_pcn(reference))
    if pcn is None:
        return False, "no such PCN: refund due"
    if pcn.status != "unpaid":
        return False, f"the PCN was already {pcn.status}: refund due"
    due = due_on(pcn, from_db(payment.created_at).date())
    if payment.amount < due:
        return False, f"less than the amount due ({due} pence): refund due"
    pcn.status, pcn.paid_amount, pcn.closed_at = "paid", payment.amount, to_db(now)
    pcn.status_reason = "Paid online"
    return True, None if payment.amount == due else "more than the amount due: refund the difference"
