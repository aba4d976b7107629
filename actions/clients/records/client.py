"""CouncilRecordsClient: the council's own records behind the paid and account journeys (`/council/v1`)."""
from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional, Tuple, TypeVar, Union

import requests
from requests.auth import AuthBase

from ..errors import Misconfigured, NotFound, ServiceUnavailable
from ..http import ServiceClient, TTLCache, _error_details
from . import accounts, orders
from .common import Contact
from .errors import (
    BY_CODE, TOO_MANY_ATTEMPTS, NotVerified, PcnNotFound, RecordsRejected, VerificationFailed, VerificationLocked,
)

T = TypeVar("T")

# The council-wide lists (bulky waste items and prices, garden waste prices and seasons, bin charges and rules)
# change only when the council changes its charges, and a journey reads them several times: keep them a few
# minutes. Nothing about a resident, an address, an account or an order is cached.
CATALOGUE_CACHE_SECONDS = 300.0

VERIFY = "POST /council-tax/verify"
ACCOUNT = "GET /council-tax/accounts/{account_number}"
PCN = "GET /pcns/{pcn}"
ItemsArg = Union[Mapping[str, int], Iterable[Tuple[str, int]]]


class _RecordsAuth(AuthBase):
    """The verification token as a Bearer header, on the account request of this thread only; and the JSON
    content type on requests with a body. The clients are synchronous, so a request is prepared in the thread
    that asked for it: a token can never ride along on another conversation's request."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def bearer(self, token: str) -> Iterator[None]:
        self._local.token = token
        try:
            yield
        finally:
            self._local.token = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        token = getattr(self._local, "token", None)
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        if request.body is not None:
            request.headers["Content-Type"] = "application/json"
        return request

    def __repr__(self) -> str:  # never print a token
        return "_RecordsAuth(***)"


class CouncilRecordsClient(ServiceClient):
    service = "council_records"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        retries: int = 1,
        session: Optional[requests.Session] = None,
        cache_seconds: float = CATALOGUE_CACHE_SECONDS,
    ) -> None:
        super().__init__(base_url, timeout=timeout, retries=retries, session=session)
        self._auth = _RecordsAuth()
        self.session.auth = self._auth
        self._cache = TTLCache(cache_seconds)

    def clear_cache(self) -> None:
        self._cache.clear()

    # -- council tax --------------------------------------------------------------------------------------------

    def verify_council_tax(self, account_number: str, postcode: str) -> accounts.CouncilTaxVerification:
        """Check an account number (as typed: spaces and hyphens are ignored) against the property's postcode.

        Answers a short-lived token and the account's summary (band, balance, next instalment). Raises
        VerificationFailed whichever detail is wrong, or both, or either is empty (without calling): the resident
        is never told which. VerificationLocked when the records have locked the account after too many failures
        (with `until`, when it opens again). The conversation keeps its own, stricter count too.
        Sent once, never retried.
        """
        number = _compact(account_number)
        typed_postcode = " ".join(str(postcode or "").split())
        if not number or not typed_postcode:
            raise VerificationFailed(self.service, "empty account number or postcode (checked before calling)")
        answer = self._post_json("/council-tax/verify", {"account_number": number, "postcode": typed_postcode})
        with self._reading(VERIFY):
            return accounts.verification(answer)

    def council_tax_account(self, account_number: str, token: str) -> accounts.CouncilTaxAccount:
        """The account in full (instalments, payments, payment limits), with the token of a verification of that
        same account. NotVerified if the token is missing (without calling), expired or for another account."""
        number = _compact(account_number)
        if not token or not str(token).strip():
            raise NotVerified(self.service, "no verification token (checked before calling)", code="not_verified")
        if not number:
            raise NotVerified(self.service, "empty account number (checked before calling)", code="not_verified")
        with self._auth.bearer(str(token).strip()):
            answer = self._get("/council-tax/accounts/{account_number}", {"account_number": number})
        with self._reading(ACCOUNT):
            return accounts.council_tax_account(answer)

    # -- parking ------------------------------------------------------------------------------------------------

    def penalty_charge(self, pcn: str, registration: str) -> accounts.PenaltyCharge:
        """A penalty charge notice by its number and the vehicle's registration (both as typed: spaces, hyphens
        and case are ignored). PcnNotFound, the same error, for an unknown PCN, a registration that does not
        match it, or either left empty (without calling). A paid or cancelled PCN is an answer, not an error:
        see `status` and `message`."""
        number, vrm = _compact(pcn).upper(), _compact(registration).upper()
        if not number or not vrm:
            raise PcnNotFound(self.service, "empty PCN or registration (checked before calling)")
        answer = self._get("/pcns/{pcn}", {"pcn": number}, params={"vrm": vrm})
        with self._reading(PCN):
            return accounts.penalty_charge(answer)

    # -- bulky waste --------------------------------------------------------------------------------------------

    def bulky_waste_catalogue(self, council: str) -> orders.BulkyCatalogue:
        """The council's items and prices, its limit of items per booking and what it does not take (cached)."""
        return self._cached("bulky", "/councils/{council}/bulky-waste", council, orders.bulky_catalogue)

    def bulky_waste_slots(self, uprn: str) -> orders.BulkySlots:
        """The collection slots of the address's round, full ones included (`available`)."""
        template = "/properties/{uprn}/bulky-waste/slots"
        answer = self._get(template, {"uprn": _uprn(self.service, uprn)})
        with self._reading(f"GET {template}"):
            return orders.bulky_slots(answer)

    def book_bulky_waste(
        self,
        uprn: str,
        slot_date: Union[date, str],
        items: ItemsArg,
        location_notes: Optional[str] = None,
        contact: Optional[Contact] = None,
    ) -> orders.BulkyBooking:
        """Book a collection: `items` maps catalogue ids to quantities ({"sofa": 1, "chair": 2}). Answers the
        booking, `pending_payment`, with the `payment` to make for it. Sent once, never retried.

        SlotFull (409) when the slot has filled up, with the free slots in `resident_message`; RecordsRejected
        422 too_many_items / not_a_slot (the records' sentence), 400 unknown_item (generic sentence);
        NotFound for an unknown UPRN; ServiceUnavailable (if `maybe_processed`, a booking may have been made).
        """
        wanted = list(items.items()) if isinstance(items, Mapping) else list(items)
        if not wanted:
            raise ValueError("a booking needs at least one item")
        body: Dict[str, Any] = {
            "uprn": _uprn(self.service, uprn),
            "slot_date": slot_date.isoformat() if isinstance(slot_date, date) else str(slot_date),
            "items": [{"id": str(item_id), "quantity": _quantity(quantity)} for item_id, quantity in wanted],
        }
        if location_notes:
            body["location_notes"] = location_notes
        if contact is not None and contact.as_json():
            body["contact"] = contact.as_json()
        return self._create("/bulky-waste/bookings", body, orders.bulky_booking)

    def bulky_waste_booking(self, reference: str) -> orders.BulkyBooking:
        """A booking as the records have it now (confirmed once its payment has succeeded)."""
        return self._order("GET", "/bulky-waste/bookings/{reference}", reference, orders.bulky_booking)

    def cancel_bulky_waste_booking(self, reference: str) -> orders.BulkyBooking:
        """Cancel a booking: a pending one frees its slot; a confirmed one, before the day, is `refund_due`.
        RecordsRejected 409 if it is already cancelled or expired, or on or after the collection day."""
        return self._order("POST", "/bulky-waste/bookings/{reference}/cancel", reference, orders.bulky_booking)

    # -- garden waste -------------------------------------------------------------------------------------------

    def garden_waste_prices(self, council: str) -> orders.GardenWastePrices:
        """The council's price per bin, seasons and when renewal opens (cached)."""
        return self._cached("garden", "/councils/{council}/garden-waste", council, orders.garden_prices)

    def garden_waste_status(self, uprn: str) -> orders.GardenWasteStatus:
        """Whether the address subscribes, and whether it can subscribe or renew now (`next_action`)."""
        template = "/properties/{uprn}/garden-waste"
        answer = self._get(template, {"uprn": _uprn(self.service, uprn)})
        with self._reading(f"GET {template}"):
            return orders.garden_status(answer)

    def subscribe_garden_waste(
        self, uprn: str, bins: int = 1, contact: Optional[Contact] = None
    ) -> orders.GardenSubscription:
        """Subscribe (or renew, in the renewal window) for `bins` bins: `pending_payment`, with its `payment`.
        Sent once, never retried. AlreadySubscribed (409) with the records' sentence (until when, and when renewal
        opens); RecordsRejected 409 payment_pending (a subscription waiting for its payment: its reference is
        in the sentence), 422 too_many_bins."""
        body: Dict[str, Any] = {"uprn": _uprn(self.service, uprn), "bins": _quantity(bins)}
        if contact is not None and contact.as_json():
            body["contact"] = contact.as_json()
        return self._create("/garden-waste/subscriptions", body, orders.garden_subscription)

    def garden_waste_subscription(self, reference: str) -> orders.GardenSubscription:
        return self._order("GET", "/garden-waste/subscriptions/{reference}", reference, orders.garden_subscription)

    def cancel_garden_waste_subscription(self, reference: str) -> orders.GardenSubscription:
        """Cancel a subscription waiting for its payment. RecordsRejected 409 not_pending otherwise."""
        return self._order(
            "POST", "/garden-waste/subscriptions/{reference}/cancel", reference, orders.garden_subscription
        )

    # -- bins ---------------------------------------------------------------------------------------------------

    def bin_request_rules(self, council: str) -> orders.BinRequestRules:
        """The council's bins, and for each what can be asked (replacement, extra, larger, new_property), the
        charge and the rule in words (cached)."""
        return self._cached("bins", "/councils/{council}/bins", council, orders.bin_rules)

    def request_bin(
        self,
        uprn: str,
        stream: str,
        request_type: str,
        reason: Optional[str] = None,
        quantity: int = 1,
        household_size: Optional[int] = None,
        contact: Optional[Contact] = None,
    ) -> orders.BinRequest:
        """Ask for a bin: `stream` (or the bin's name or colour), `request_type` (replacement with a `reason`:
        damaged, stolen, lost; extra; larger with `household_size`; new_property). A free request is `requested`
        at once; one with a charge is `pending_payment` with its `payment`. Sent once, never retried.
        RecordsRejected 422 not_allowed / not_eligible / too_many (the rule in words), 409 not_subscribed /
        already_requested; 400 for an unknown bin, type or reason."""
        body: Dict[str, Any] = {
            "uprn": _uprn(self.service, uprn),
            "stream": str(stream),
            "type": str(request_type),
            "quantity": _quantity(quantity),
        }
        if reason is not None:
            body["reason"] = str(reason)
        if household_size is not None:
            body["household_size"] = _quantity(household_size)
        if contact is not None and contact.as_json():
            body["contact"] = contact.as_json()
        return self._create("/bin-requests", body, orders.bin_request)

    def bin_request(self, reference: str) -> orders.BinRequest:
        return self._order("GET", "/bin-requests/{reference}", reference, orders.bin_request)

    def cancel_bin_request(self, reference: str) -> orders.BinRequest:
        """Cancel a request (`refund_due` if it was paid). RecordsRejected 409 if already cancelled or expired."""
        return self._order("POST", "/bin-requests/{reference}/cancel", reference, orders.bin_request)

    # -- requests -----------------------------------------------------------------------------------------------

    def _post_json(self, template: str, body: Mapping[str, Any], path: Optional[Mapping[str, Any]] = None) -> Any:
        """POST a JSON body, once, never retried."""
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return self._request("POST", template, path, data=data, attempts=1)

    def _create(self, template: str, body: Mapping[str, Any], read: Callable[[Any], T]) -> T:
        answer = self._post_json(template, body)
        try:
            with self._reading(f"POST {template}"):
                return read(answer)
        except ServiceUnavailable as error:
            error.maybe_processed = True  # the records said yes (2xx) in a shape we cannot read: the order exists
            raise

    def _order(self, method: str, template: str, reference: str, read: Callable[[Any], T]) -> T:
        text = str(reference or "").strip().upper()  # the records read "bwc 300001" and "BWC-300001" alike
        if not text:
            raise NotFound(self.service, "empty reference (checked before calling)")
        path = {"reference": text}
        if method == "GET":
            answer = self._get(template, path)
        else:
            answer = self._request("POST", template, path, attempts=1)
        with self._reading(f"{method} {template}"):
            return read(answer)

    def _cached(self, kind: str, template: str, council: str, read: Callable[[Any], T]) -> T:
        name = str(council or "").strip().lower()
        if not name:
            raise NotFound(self.service, "empty council (checked before calling)")

        def fetch() -> Any:
            answer = self._get(template, {"council": name})
            with self._reading(f"GET {template}"):
                read(answer)  # an answer we cannot read is not cached
            return answer

        body = self._cache.get_or_set((kind, name), fetch)
        with self._reading(f"GET {template}"):
            return read(body)  # each call gets its own objects

    def _decode(self, what: str, method: str, response: requests.Response) -> Any:
        status = response.status_code
        if status == 401 and what == VERIFY:
            # One outcome whichever detail was wrong: the records' words are not kept.
            raise VerificationFailed(self.service, f"{what}: 401", status=status, code="not_verified")
        if status == 429 and what == VERIFY and _error_details(response)[1] == TOO_MANY_ATTEMPTS:
            raise VerificationLocked(self.service, f"{what}: 429", status=status, code=TOO_MANY_ATTEMPTS,
                                     until=_retry_at(response.headers.get("Retry-After")))
        if status == 401 and what == ACCOUNT:
            raise NotVerified(self.service, f"{what}: 401", status=status, code="not_verified")
        if status == 404 and what == PCN:
            raise PcnNotFound(self.service, f"{what}: 404", status=status, code="not_found")
        if 400 <= status < 500 and status not in (404, 408, 429):
            description, code = _error_details(response)
            if status in (401, 403):  # the records asked for credentials we do not have: not the resident's doing
                raise Misconfigured(
                    self.service, f"{what}: {status} (check COUNCIL_RECORDS_API_URL)", status=status,
                    description=description, code=code,
                )
            cls = BY_CODE.get(code, RecordsRejected) if status == 409 else RecordsRejected
            raise cls(self.service, f"{what}: {status}", status=status, description=description, code=code)
        return super()._decode(what, method, response)


def _retry_at(value: Optional[str]) -> Optional[datetime]:
    """Retry-After (seconds, or an HTTP date) -> when to try again, aware UTC; None if absent or unreadable."""
    text = str(value or "").strip()
    if text.isdigit():
        return datetime.now(timezone.utc) + timedelta(seconds=int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when.astimezone(timezone.utc) if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _compact(text: Any) -> str:
    """Account numbers, PCNs and registrations as typed ("3854 5118", "pf19-kzw"): without spaces and hyphens."""
    return re.sub(r"[\s-]+", "", str(text or ""))


def _uprn(service: str, uprn: Any) -> str:
    text = str(uprn or "").strip()
    if not text.isdigit() or len(text) > 12:
        raise NotFound(service, "not a UPRN (checked before calling)")
    return text


def _quantity(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("a quantity must be a whole number, 1 or more")
    return value
