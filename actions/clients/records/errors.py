"""What the council records service (`/council/v1`) can refuse, on top of the errors every client shares.

    CouncilServiceError
    ├── ServiceUnavailable        no usable answer (as every client; `maybe_processed` after a POST)
    ├── Misconfigured             401 or 403 where no verification is involved: our settings, not the resident
    ├── NotFound                  404: no such address, council or reference
    │   └── PcnNotFound           no such PCN, or a registration that does not match it: one outcome
    └── Rejected
        ├── VerificationFailed    the account number and postcode do not match an account: one outcome
        ├── VerificationLocked    429 too_many_attempts: the records locked the account's verification for a while
        ├── NotVerified           account details asked for without a valid token: verify again
        └── RecordsRejected       400 (our request was malformed), 409 (refused now), 422 (refused by a rule)
            ├── SlotFull          409 slot_full
            └── AlreadySubscribed 409 already_subscribed

A 409 or 422 carries the records' own sentence for the resident (`resident_message`), e.g. "Friday 4 December is
fully booked. Free slots: ..." and `code` says which refusal it is (too_many_items, not_allowed, payment_pending,
already_requested, already_cancelled, ...). A 400 means the action sent something the records cannot read: the
resident gets a generic sentence and `description` keeps the records' words for developers.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from ..errors import NotFound, Rejected

# The records' machine codes (`code`) that callers usually handle on their own.
SLOT_FULL = "slot_full"
ALREADY_SUBSCRIBED = "already_subscribed"
PAYMENT_PENDING = "payment_pending"  # garden waste: a subscription for that season is waiting for its payment
ALREADY_REQUESTED = "already_requested"  # bins: an open request for the same bin and kind
TOO_MANY_ATTEMPTS = "too_many_attempts"  # council tax: the account's verification is locked for a while
TOO_MANY_UNPAID = "too_many_unpaid"  # bulky waste: the address already has as many unpaid bookings as allowed
TOO_MANY_ITEMS = "too_many_items"  # bulky waste: over the council's limit per booking
NOT_ALLOWED = "not_allowed"  # bins: the council does not do that for that bin (the rule in words)


class VerificationFailed(Rejected):
    """The account number and the postcode do not match an account. Deliberately one outcome, with one sentence,
    whichever detail was wrong (or both): never tell the resident which. The records' own words are not kept."""

    default_message = (
        "Sorry, I couldn't find a council tax account with those details. Please check the account number on "
        "your council tax bill and the postcode of the property."
    )

    @property
    def resident_message(self) -> str:
        return self.default_message


class VerificationLocked(Rejected):
    """429 too_many_attempts: after repeated failures the records lock the account's verification for a while,
    whoever asks and with whatever details, right ones included. `until` (aware, UTC) is when it opens again,
    from the answer's Retry-After; None if the records did not say. Never say which detail was wrong before."""

    default_message = (
        "This account is locked for security after too many tries. Please try again later, or contact the council."
    )

    def __init__(self, *args: Any, until: Optional[datetime] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.until = until

    @property
    def resident_message(self) -> str:
        return self.default_message


class NotVerified(Rejected):
    """Account details were asked for without a valid verification token (none, expired, or another account's):
    verify the resident again before showing anything."""

    default_message = "For your security, I need to check your account details again before I can show that."

    @property
    def resident_message(self) -> str:
        return self.default_message


class PcnNotFound(NotFound):
    """No penalty charge notice with that number and that vehicle registration. An unknown PCN and a registration
    that does not match get this same error, so neither can be guessed from the answer."""

    default_message = (
        "Sorry, I couldn't find a penalty charge notice with that number and vehicle registration. "
        "Please check both on the notice."
    )


class RecordsRejected(Rejected):
    """The records refused the request: 409 (refused now: a full slot, already subscribed, already cancelled) or
    422 (refused by a rule: too many items, a bin that cannot be asked for), with the records' sentence for the
    resident; or 400 (the request was malformed), with a generic sentence."""

    @property
    def resident_message(self) -> str:
        if self.status in (409, 422) and self.description:
            return self.description
        return self.default_message


class SlotFull(RecordsRejected):
    """409 slot_full: the collection slot filled up. `resident_message` names the free slots, if any."""


class AlreadySubscribed(RecordsRejected):
    """409 already_subscribed: the address has garden waste for the season; `resident_message` says until when
    and when renewal opens."""


BY_CODE = {SLOT_FULL: SlotFull, ALREADY_SUBSCRIBED: AlreadySubscribed}
