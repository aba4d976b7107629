"""GOV.UK Pay-compatible API (`/pay/v1/payments`): create a card payment, get it, cancel it.

Shapes follow https://docs.payments.service.gov.uk/api_reference/. Every call needs `Authorization: Bearer <key>`
(PAY_API_KEY, default `sandbox-pay-key`). Errors are `{"code": "P0102", "field": "amount", "description": ...}`:
401 P0120 (no or wrong key), 400 P0101 (missing attribute), 400 P0197 (not JSON), 422 P0102 (invalid value),
404 P0200 / P0500 (no such payment), 409 P0502 (cancel a finished payment), 429 P0900 (more than
PAY_RATE_LIMIT creates a second for one key; default 15, 0 turns it off).

The resident pays on the hosted page at `_links.next_url` (pay_page.py). GET is the truth about the outcome.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, Optional
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from . import pay_store
from .context import current

blueprint = Blueprint("pay", __name__, url_prefix="/pay/v1")

EXTENSION = "council_sandbox.pay"
DEFAULT_API_KEY = "sandbox-pay-key"
DEFAULT_RATE_LIMIT = 15  # creates a second for one key, as GOV.UK Pay allows
MAX_AMOUNT = 10_000_000
MAX_TEXT = 255
MAX_URL = 2000
MAX_METADATA_KEYS = 15
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class PayError(Exception):
    def __init__(self, status: int, code: str, description: str, field: Optional[str] = None):
        super().__init__(description)
        self.status, self.code, self.description, self.field = status, code, description, field

    def body(self) -> Dict[str, Any]:
        answer: Dict[str, Any] = {"field": self.field} if self.field else {}
        answer.update(code=self.code, description=self.description)
        return answer


class RateLimiter:
    """At most `limit` calls in any one second per key (real time, not the sandbox clock)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._calls: Dict[str, Deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if self.limit <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            calls = self._calls[key]
            while calls and now - calls[0] >= 1.0:
                calls.popleft()
            if len(calls) >= self.limit:
                return False
            calls.append(now)
            return True


@dataclass
class PaySettings:
    api_key: str
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(DEFAULT_RATE_LIMIT))


def register(app: Flask) -> None:
    """Read PAY_API_KEY and PAY_RATE_LIMIT, and serve the API and the hosted card page."""
    from . import pay_page  # the card page belongs with the API: one switch for both

    limit_text = os.environ.get("PAY_RATE_LIMIT", "").strip()
    try:
        limit = int(limit_text) if limit_text else DEFAULT_RATE_LIMIT
    except ValueError:
        raise ValueError(f"PAY_RATE_LIMIT {limit_text!r} is not a whole number of payments a second") from None
    app.extensions[EXTENSION] = PaySettings(
        api_key=os.environ.get("PAY_API_KEY") or DEFAULT_API_KEY, limiter=RateLimiter(limit)
    )
    app.register_error_handler(PayError, lambda exc: (jsonify(exc.body()), exc.status))
    app.register_blueprint(blueprint)
    app.register_blueprint(pay_page.blueprint)


def settings() -> PaySettings:
    return current_app.extensions[EXTENSION]


@blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    # Inside the Pay API, even werkzeug's errors answer in Pay's shape.
    if exc.code == 404:
        return jsonify(PayError(404, "P0200", "Not found").body()), 404
    return jsonify({"code": f"P{exc.code:04d}", "description": exc.name}), exc.code or 500


def _authenticate() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    expected = settings().api_key
    if scheme.lower() != "bearer" or not key or not hmac.compare_digest(key.strip().encode(), expected.encode()):
        raise PayError(401, "P0120", "Credentials are required to access this service")
    return hashlib.sha256(expected.encode()).hexdigest()[:16]  # the rate limiter's key, never the key itself


# -- validation -----------------------------------------------------------------------------------------------------


def _missing(name: str) -> PayError:
    return PayError(400, "P0101", f"Missing mandatory attribute: {name}", name)


def _invalid(name: str, why: str) -> PayError:
    return PayError(422, "P0102", f"Invalid attribute value: {name}. {why}", name)


def _text(body: Dict[str, Any], name: str, limit: int, required: bool = True) -> Optional[str]:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip() and required):
        if required:
            raise _missing(name)
        return None
    if not isinstance(value, str):
        raise _invalid(name, "Must be a valid string format")
    if len(value) > limit:
        raise _invalid(name, f"Must be less than or equal to {limit} characters length")
    return value


def _amount(body: Dict[str, Any]) -> int:
    if "amount" not in body or body["amount"] is None:
        raise _missing("amount")
    value = body["amount"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("amount", "Must be a valid numeric format")
    if value < 1:
        raise _invalid("amount", "Must be greater than or equal to 1")
    if value > MAX_AMOUNT:
        raise _invalid("amount", f"Must be less than or equal to {MAX_AMOUNT}")
    return value


def _return_url(body: Dict[str, Any]) -> str:
    value = _text(body, "return_url", MAX_URL)
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return value
    if parts.scheme == "http" and host in LOCAL_HOSTS:
        return value
    raise _invalid("return_url", "Must be a valid URL format: https, or http to localhost or 127.0.0.1")


def _metadata(body: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    value = body.get("metadata")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid("metadata", "Must be an object of JSON key-value pairs")
    if len(value) > MAX_METADATA_KEYS:
        raise _invalid("metadata", f"Cannot have more than {MAX_METADATA_KEYS} key-value pairs")
    for key, item in value.items():
        if not 1 <= len(key) <= 30:
            raise _invalid("metadata", "Keys must be between 1 and 30 characters long")
        if item is None or isinstance(item, (dict, list)):
            raise _invalid("metadata", "Values must be of type String, Boolean or Number")
        if isinstance(item, str) and len(item) > 100:
            raise _invalid("metadata", "Values must be no greater than 100 characters long")
    return value


def _create_fields(body: Dict[str, Any]) -> Dict[str, Any]:
    fields: Dict[str, Any] = {
        "amount": _amount(body),
        "description": _text(body, "description", MAX_TEXT),
        "reference": _text(body, "reference", MAX_TEXT),
        "return_url": _return_url(body),
    }
    email = _text(body, "email", 254, required=False)
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise _invalid("email", "Must be a valid email address")
    language = body.get("language", "en")
    if language not in ("en", "cy"):
        raise _invalid("language", 'Must be "en" or "cy"')
    for flag in ("delayed_capture", "moto"):
        if body.get(flag) not in (None, False):
            raise _invalid(flag, "The sandbox takes payments straight away: it must be false or left out")
    prefilled = body.get("prefilled_cardholder_details")
    if prefilled is not None and not isinstance(prefilled, dict):
        raise _invalid("prefilled_cardholder_details", "Must be an object")
    name = (prefilled or {}).get("cardholder_name")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_TEXT):
        raise _invalid("prefilled_cardholder_details.cardholder_name", "Must be at most 255 characters")
    fields.update(email=email, language=language, metadata=_metadata(body), cardholder_name=name or None)
    return fields


# -- endpoints ------------------------------------------------------------------------------------------------------


@blueprint.post("/payments")
def create_payment():
    caller = _authenticate()
    if not settings().limiter.allow(caller):
        raise PayError(429, "P0900", "Too many requests")
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise PayError(400, "P0197", "Unable to parse JSON")
    fields = _create_fields(body)
    payment = pay_store.create(current().db, fields, current().clock.now())
    answer = pay_store.as_json(payment, request.url_root)
    response = jsonify(answer)
    response.status_code = 201
    response.headers["Location"] = answer["_links"]["self"]["href"]
    return response


def _payment_or_404(payment_id: str, code: str):
    payment = pay_store.get(current().db, payment_id, current().clock.now())
    if payment is None:
        raise PayError(404, code, "Not found")
    return payment


@blueprint.get("/payments")
def search_payments():
    """GOV.UK Pay's payment search, by `reference` only: how reconciliation (and the tests) find every payment
    made for one order or account. https://docs.payments.service.gov.uk/reporting/#search-payments"""
    _authenticate()
    reference = (request.args.get("reference") or "").strip()
    if not reference:
        raise _invalid("reference", "the sandbox searches by reference only")
    found = pay_store.search(current().db, reference, current().clock.now())
    results = [pay_store.as_json(p, request.url_root) for p in found]
    return jsonify({"total": len(results), "count": len(results), "page": 1, "results": results})


@blueprint.get("/payments/<payment_id>")
def get_payment(payment_id: str):
    _authenticate()
    return jsonify(pay_store.as_json(_payment_or_404(payment_id, "P0200"), request.url_root))


@blueprint.post("/payments/<payment_id>/cancel")
def cancel_payment(payment_id: str):
    _authenticate()
    payment = _payment_or_404(payment_id, "P0500")
    try:
        pay_store.cancel(current().db, payment.payment_id, current().clock.now(), by_service=True)
    except pay_store.Conflict:
        raise PayError(409, "P0502", "Cancellation of payment failed")
    return "", 204
