"""Client of GOV.UK Pay (`/pay/v1` on the sandbox): create a card payment, get it, cancel it.

https://docs.payments.service.gov.uk/api_reference/, card payments only. Every call carries the service's API key
as a Bearer token; bodies are JSON. The resident pays on Pay's hosted page (`Payment.next_url`), never in chat.

    pay = pay_client()
    payment = pay.create_payment(
        2350, "BWC-300001", "Bulky waste collection", pay.return_url(token), email=email,
        metadata={"council_service": "bulky_waste", "council_reference": "BWC-300001"},
    )
    ... the resident pays on payment.next_url and comes back to return_url ...
    payment = pay.get_payment(payment.payment_id)   # the truth: never trust the return itself
    if payment.succeeded: ...

Pay adds nothing to `return_url`: the journey puts its own random token in it (`return_url(token)`) and keeps
the payment id in the conversation. Create one payment per order and reuse it while it is not finished.

Errors (all `CouncilServiceError`, with `resident_message`):
- Misconfigured: 401/403, our API key is wrong or missing. Residents get a generic sentence; fix the settings.
- PaymentRejected (a Rejected): 400/422 validation (`description` and `field` in Pay's words, `code` such as
  P0102), 409 cancelling a finished payment (P0502). Pay's words are for developers: the resident gets a generic
  sentence.
- NotFound: 404, no such payment.
- ServiceUnavailable: 429 (more than 15 creates a second), 5xx, no connection, timeout, an answer we cannot read.
  `maybe_processed` is true when a create may have made a payment after all: do not create another blindly.
A POST (create, cancel) is sent once and never retried; GET is retried as every client's (see http.py). Logs name
the path template ("/payments/{payment_id}"), never the key, amounts, references, emails or metadata.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Mapping, Optional
from urllib.parse import quote

import requests
from requests.auth import AuthBase

from .errors import Misconfigured, NotFound, Rejected, ServiceUnavailable
from .http import ServiceClient, _error_details

LANGUAGES = ("en", "cy")
# Finished states. `success` is the only one that means the money was taken.
SUCCESS = "success"
FAILED = "failed"  # P0010 card declined or expired, P0020 payment expired (90 minutes), P0030 resident cancelled
CANCELLED = "cancelled"  # code P0040 cancelled by our service
ERROR = "error"  # code P0050 provider error


class PaymentRejected(Rejected):
    """Pay refused the request (400, 422, 409): `description`, `code` and `field` are Pay's, for developers."""

    default_message = (
        "Sorry, the payment service couldn't set up that payment. Please try again later, or contact the council."
    )

    def __init__(self, *args: Any, field: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field = field  # the attribute Pay complained about ("amount", "return_url"), when it says

    @property
    def resident_message(self) -> str:
        return self.default_message


@dataclass(frozen=True)
class Payment:
    payment_id: str
    amount: int  # pence
    reference: str
    description: str
    status: str  # created, started, submitted, capturable, success, failed, cancelled, error
    finished: bool
    code: Optional[str]  # with failed/cancelled/error: P0010, P0020, P0030, P0040, P0050
    next_url: Optional[str]  # the hosted card page; only while the payment is not finished
    return_url: str
    created: Optional[datetime]  # timezone-aware (Pay answers UTC)
    message: Optional[str] = None  # Pay's words for `code` ("Payment method rejected: the card has expired")
    email: Optional[str] = field(default=None, repr=False)  # personal data: kept out of repr (and logs)
    metadata: Dict[str, Any] = field(default_factory=dict, repr=False, hash=False, compare=False)
    language: str = "en"

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCESS

    @property
    def in_progress(self) -> bool:
        """Not finished: the resident may still pay on `next_url` (reuse it rather than create another)."""
        return not self.finished


class _PayAuth(AuthBase):
    """The Bearer key on every request, and the JSON content type on those with a body."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        if request.body is not None:
            request.headers["Content-Type"] = "application/json"
        return request

    def __repr__(self) -> str:  # never print the key
        return "_PayAuth(***)"


class PayClient(ServiceClient):
    service = "pay"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str,
        return_url_base: Optional[str] = None,
        timeout: float = 5.0,
        retries: int = 1,
        session: Optional[requests.Session] = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, retries=retries, session=session)
        self.session.auth = _PayAuth(api_key)
        self.return_url_base = return_url_base.rstrip("/") if return_url_base else None

    def return_url(self, token: str) -> str:
        """Where Pay sends the resident back: PAY_RETURN_URL_BASE/<token>. Use a random token of your own (Pay adds
        nothing to the URL), and look the payment up by its id when the resident comes back."""
        if not self.return_url_base:
            raise ValueError("this PayClient was made without a return_url_base")
        if not token:
            raise ValueError("a return URL needs the journey's token")
        return f"{self.return_url_base}/{quote(str(token), safe='')}"

    def create_payment(
        self,
        amount_pence: int,
        reference: str,
        description: str,
        return_url: str,
        email: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        language: str = "en",
    ) -> Payment:
        """Create a card payment of `amount_pence` (an integer number of pence). Sent once, never retried.

        `reference` (<= 255) is ours (the booking or account reference); `description` (<= 255) is shown to the
        resident on the card page; `email` prefills the receipt address; `metadata` (<= 15 keys) is kept with the
        payment for reconciliation. Raises PaymentRejected (400/422: Pay's `description` and `field`),
        Misconfigured (401), ServiceUnavailable (429, 5xx, no answer: check `maybe_processed`).
        """
        if isinstance(amount_pence, bool) or not isinstance(amount_pence, int):
            raise TypeError(f"amount_pence must be a whole number of pence, not {type(amount_pence).__name__}")
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        body: Dict[str, Any] = {
            "amount": amount_pence,
            "reference": reference,
            "description": description,
            "return_url": return_url,
            "language": language,
        }
        if email:
            body["email"] = email
        if metadata:
            body["metadata"] = dict(metadata)
        answer = self._request("POST", "/payments", None, data=_json_bytes(body), attempts=1)
        try:
            with self._reading("POST /payments"):
                return _payment(answer)
        except ServiceUnavailable as error:
            error.maybe_processed = True  # Pay said yes (2xx) in a shape we cannot read: a payment may exist
            raise

    def get_payment(self, payment_id: str) -> Payment:
        """The payment as Pay has it now: the truth about the outcome. NotFound if there is no such payment (or an
        empty id, without calling Pay)."""
        if not payment_id or not str(payment_id).strip():
            raise NotFound(self.service, "empty payment id (checked before calling)")
        answer = self._get("/payments/{payment_id}", {"payment_id": str(payment_id).strip()})
        with self._reading("GET /payments/{payment_id}"):
            return _payment(answer)

    def cancel_payment(self, payment_id: str) -> None:
        """Cancel a payment that is not finished (it becomes `cancelled`, P0040). Sent once, never retried.

        Raises PaymentRejected with status 409 (code P0502) if it has already finished: `get_payment` says how.
        NotFound if there is no such payment."""
        if not payment_id or not str(payment_id).strip():
            raise NotFound(self.service, "empty payment id (checked before calling)")
        self._request(
            "POST", "/payments/{payment_id}/cancel", {"payment_id": str(payment_id).strip()}, attempts=1
        )

    # -- answers ----------------------------------------------------------------------------------------------

    def _decode(self, what: str, method: str, response: requests.Response) -> Any:
        status = response.status_code
        if status in (401, 403):
            description, code = _error_details(response)
            raise Misconfigured(
                self.service, f"{what}: {status} (check PAY_API_KEY)", status=status, description=description,
                code=code,
            )
        if 400 <= status < 500 and status not in (404, 408, 429):
            description, code = _error_details(response)
            raise PaymentRejected(
                self.service, f"{what}: {status}", status=status, description=description, code=code,
                field=_error_field(response),
            )
        return super()._decode(what, method, response)


def _json_bytes(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _error_field(response: requests.Response) -> Optional[str]:
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("field") if isinstance(body, dict) else None
    return str(value) if value else None


def _datetime(value: Any) -> Optional[datetime]:
    if value is None or value == "":
        return None
    text = str(value)
    if text.endswith("Z"):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def _payment(body: Mapping[str, Any]) -> Payment:
    state = body["state"]
    links = body.get("_links") or {}
    next_url = (links.get("next_url") or {}).get("href")
    amount = body["amount"]
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount is not a whole number of pence")
    return Payment(
        payment_id=str(body["payment_id"]),
        amount=amount,
        reference=str(body["reference"]),
        description=str(body.get("description") or ""),
        status=str(state["status"]),
        finished=bool(state["finished"]),
        code=_str_or_none(state.get("code")),
        next_url=str(next_url) if next_url else None,
        return_url=str(body.get("return_url") or ""),
        created=_datetime(body.get("created_date")),
        message=_str_or_none(state.get("message")),
        email=_str_or_none(body.get("email")),
        metadata=dict(body.get("metadata") or {}),
        language=str(body.get("language") or "en"),
    )


def _str_or_none(value: Any) -> Optional[str]:
    return None if value is None or value == "" else str(value)
