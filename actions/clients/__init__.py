"""Clients of the council services (addresses, waste, Open311, GOV.UK Pay, GOV.UK Notify, the council records),
built from `actions.settings`.

    from actions.clients import address_client, waste_client, open311_client, pay_client, notify_client
    from actions.clients import council_records_client
    from actions.clients import CouncilServiceError

    try:
        result = address_client().lookup_postcode("pr7 1dp")
    except CouncilServiceError as error:
        tell(dispatcher, "{why}", why=error.resident_message)  # replies/: what to say, for any channel

Misconfigured (Pay and Notify refused our own credentials) is a CouncilServiceError like the others: residents
get a generic sentence, and nothing they do will help.

The factories share one client per service for as long as the settings stay the same (connections are pooled
and Open311 service definitions are cached in the client); after `actions.settings.reload()` they build new ones.
The clients are synchronous (requests): from an `async def run`, call them in a thread
(`await asyncio.get_running_loop().run_in_executor(None, ...)`) so a slow service does not hold up other
conversations.
"""
from __future__ import annotations

from functools import lru_cache

from ..settings import Settings, settings
from .addresses import Address, AddressClient, PostcodeResult
from .errors import CouncilServiceError, InvalidPostcode, Misconfigured, NotFound, Rejected, ServiceUnavailable
from .notify import Notification, NotificationRejected, NotifyClient, SentNotification
from .open311 import (
    Attribute,
    Open311Client,
    Service,
    ServiceDefinition,
    ServiceRequest,
    SubmittedRequest,
    normalise_reference,
)
from .pay import Payment, PaymentRejected, PayClient
from .records import (
    AccountSummary,
    AlreadySubscribed,
    BinRequest,
    BinRequestRules,
    BulkyBooking,
    BulkyCatalogue,
    BulkySlots,
    Contact,
    CouncilRecordsClient,
    CouncilTaxAccount,
    CouncilTaxVerification,
    GardenSubscription,
    GardenWastePrices,
    GardenWasteStatus,
    NotVerified,
    PaymentDetails,
    PcnNotFound,
    PenaltyCharge,
    RecordsRejected,
    SlotFull,
    VerificationFailed,
    VerificationLocked,
)
from .waste import Bin, MissedBinCheck, PropertyBins, WasteClient

__all__ = [
    "AccountSummary",
    "Address",
    "AddressClient",
    "AlreadySubscribed",
    "Attribute",
    "Bin",
    "BinRequest",
    "BinRequestRules",
    "BulkyBooking",
    "BulkyCatalogue",
    "BulkySlots",
    "Contact",
    "CouncilRecordsClient",
    "CouncilServiceError",
    "CouncilTaxAccount",
    "CouncilTaxVerification",
    "GardenSubscription",
    "GardenWastePrices",
    "GardenWasteStatus",
    "InvalidPostcode",
    "Misconfigured",
    "MissedBinCheck",
    "NotFound",
    "NotVerified",
    "Notification",
    "NotificationRejected",
    "NotifyClient",
    "Open311Client",
    "PayClient",
    "Payment",
    "PaymentDetails",
    "PaymentRejected",
    "PcnNotFound",
    "PenaltyCharge",
    "PostcodeResult",
    "PropertyBins",
    "RecordsRejected",
    "Rejected",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
    "SentNotification",
    "ServiceUnavailable",
    "SlotFull",
    "SubmittedRequest",
    "VerificationFailed",
    "VerificationLocked",
    "WasteClient",
    "address_client",
    "council_records_client",
    "normalise_reference",
    "notify_client",
    "open311_client",
    "pay_client",
    "waste_client",
]


def address_client() -> AddressClient:
    return _address_client(settings())


def waste_client() -> WasteClient:
    return _waste_client(settings())


def open311_client() -> Open311Client:
    return _open311_client(settings())


def pay_client() -> PayClient:
    return _pay_client(settings())


def notify_client() -> NotifyClient:
    return _notify_client(settings())


def council_records_client() -> CouncilRecordsClient:
    return _council_records_client(settings())


@lru_cache(maxsize=2)
def _address_client(s: Settings) -> AddressClient:
    return AddressClient(s.address_api_url, timeout=s.council_api_timeout_seconds, retries=s.council_api_retries)


@lru_cache(maxsize=2)
def _waste_client(s: Settings) -> WasteClient:
    return WasteClient(s.waste_api_url, timeout=s.council_api_timeout_seconds, retries=s.council_api_retries)


@lru_cache(maxsize=2)
def _open311_client(s: Settings) -> Open311Client:
    return Open311Client(
        s.open311_api_url,
        api_key=s.open311_api_key,
        timeout=s.council_api_timeout_seconds,
        retries=s.council_api_retries,
    )


@lru_cache(maxsize=2)
def _pay_client(s: Settings) -> PayClient:
    return PayClient(
        s.pay_api_url,
        api_key=s.pay_api_key,
        return_url_base=s.pay_return_url_base,
        timeout=s.council_api_timeout_seconds,
        retries=s.council_api_retries,
    )


@lru_cache(maxsize=2)
def _notify_client(s: Settings) -> NotifyClient:
    return NotifyClient(
        s.notify_api_url,
        api_key=s.notify_api_key,
        timeout=s.council_api_timeout_seconds,
        retries=s.council_api_retries,
        templates=s.notify_templates,
    )


@lru_cache(maxsize=2)
def _council_records_client(s: Settings) -> CouncilRecordsClient:
    return CouncilRecordsClient(
        s.council_records_api_url, timeout=s.council_api_timeout_seconds, retries=s.council_api_retries
    )
