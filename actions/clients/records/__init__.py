"""Client of the council's own records (`/council/v1` on the sandbox): council tax accounts, parking penalty
charge notices, bulky waste collections, garden waste subscriptions and bin requests. docs/sandbox-api.md
documents the API. Amounts are whole pence, as GOV.UK Pay's; `*_text` fields say them as a resident hears them.

    records = council_records_client()

    # Council tax: verify first; the details need the verification's token.
    verified = records.verify_council_tax("3854 5118", "pr7 1dp")     # VerificationFailed if either is wrong,
                                                                         # VerificationLocked after too many
    verified.account.balance, verified.account.next_instalment           # the summary, at once
    account = records.council_tax_account("38545118", verified.token)   # NotVerified without a valid token
    payment = account.payment_for(account.next_instalment.amount)        # ValueError outside the limits

    # Parking: the PCN only with its vehicle registration.
    pcn = records.penalty_charge("CH40213377", "pf19 kzw")              # PcnNotFound for either wrong
    pcn.amount_due, pcn.discount_applies, pcn.status, pcn.payment

    # Orders: each answers `payment`, what to charge on GOV.UK Pay, exactly.
    booking = records.book_bulky_waste(uprn, slot.date, {"sofa": 1}, contact=Contact(email=email))
    paid = pay.create_payment(**booking.payment.pay_arguments(), return_url=pay.return_url(token), email=email)
    ... the resident pays on paid.next_url; when pay.get_payment(paid.payment_id).succeeded ...
    records.bulky_waste_booking(booking.reference).confirmed            # True: the records applied it

Rules this client keeps:
- Verification has one failure, `VerificationFailed`, whichever detail was wrong: never tell the resident which.
  The token (`CouncilTaxVerification.token`, short-lived) is the only way to the account's details; keep it in
  that conversation only, and verify again in a new session. The records lock an account's verification after
  repeated failures (`VerificationLocked`, with `until`); the assistant also keeps its own, stricter counts.
- A PCN is answered only with the registration on it: an unknown PCN and a wrong registration are the same
  `PcnNotFound`.
- Charge exactly `payment.amount` (`PaymentDetails.pay_arguments()`), with its metadata: that is how the records
  recognise the payment and confirm the order, in the same moment Pay makes it `success`. Nothing is POSTed back.
  A second payment for one order shows in the order's `payments` as `applied: False` ("already paid: refund due");
  create one Pay payment per order and reuse it while it is in progress.
- Refusals are `RecordsRejected` (a Rejected) with the records' own sentence for the resident in
  `resident_message`: `SlotFull`, `AlreadySubscribed`, and others by `code` (too_many_items, payment_pending,
  not_allowed, already_requested, ...).

Errors, requests and logging are every client's (http.py): 404 NotFound; 408, 429, 5xx, no connection, timeout
or an unreadable answer ServiceUnavailable; GETs are retried after a quick failure, a POST (verify, book,
subscribe, request, cancel) is sent once and never retried (`maybe_processed`: an order may exist). 401/403
outside verification are Misconfigured. Logs name the method, the path template ("/pcns/{pcn}") and the status:
never account numbers, postcodes, PCNs, registrations, names, tokens, references or amounts. The council-wide
lists (bulky waste catalogue, garden waste prices, bin rules) are cached for a few minutes; nothing about a
resident is.
"""
from __future__ import annotations

from .accounts import (
    PCN_CANCELLED,
    PCN_PAID,
    PCN_UNPAID,
    AccountPayment,
    AccountSummary,
    CouncilTaxAccount,
    CouncilTaxVerification,
    Discount,
    Instalment,
    NextInstalment,
    PenaltyCharge,
)
from .client import CATALOGUE_CACHE_SECONDS, CouncilRecordsClient
from .common import Contact, PaymentDetails, RecordedPayment
from .errors import (
    AlreadySubscribed,
    NotVerified,
    PcnNotFound,
    RecordsRejected,
    SlotFull,
    VerificationFailed,
    VerificationLocked,
)
from .orders import (
    ACTIVE,
    CANCELLED,
    CONFIRMED,
    EXPIRED,
    PENDING_PAYMENT,
    REQUESTED,
    BinKind,
    BinRequest,
    BinRequestRule,
    BinRequestRules,
    BookedItem,
    BulkyBooking,
    BulkyCatalogue,
    BulkyItem,
    BulkySlots,
    GardenSubscription,
    GardenWastePrices,
    GardenWasteStatus,
    NotAccepted,
    Season,
    Slot,
)

__all__ = [
    "ACTIVE",
    "AccountPayment",
    "AccountSummary",
    "AlreadySubscribed",
    "BinKind",
    "BinRequest",
    "BinRequestRule",
    "BinRequestRules",
    "BookedItem",
    "BulkyBooking",
    "BulkyCatalogue",
    "BulkyItem",
    "BulkySlots",
    "CANCELLED",
    "CATALOGUE_CACHE_SECONDS",
    "CONFIRMED",
    "Contact",
    "CouncilRecordsClient",
    "CouncilTaxAccount",
    "CouncilTaxVerification",
    "Discount",
    "EXPIRED",
    "GardenSubscription",
    "GardenWastePrices",
    "GardenWasteStatus",
    "Instalment",
    "NextInstalment",
    "NotAccepted",
    "NotVerified",
    "PCN_CANCELLED",
    "PCN_PAID",
    "PCN_UNPAID",
    "PENDING_PAYMENT",
    "PaymentDetails",
    "PcnNotFound",
    "PenaltyCharge",
    "REQUESTED",
    "RecordedPayment",
    "RecordsRejected",
    "Season",
    "Slot",
    "SlotFull",
    "VerificationFailed",
    "VerificationLocked",
]
