"""What can go wrong when the action server calls a council service.

Every error names the `service` ("addresses", "waste", "open311") and has a `resident_message`: a sentence that is
safe to say to a resident as it is (no internals, no personal data). `str(error)` is for developers and logs: it
names the service, the method and the path template (never path or query values, emails, phones or descriptions).

    CouncilServiceError
    ├── ServiceUnavailable   the service could not answer: connection refused, timeout, 5xx, 429, not JSON
    ├── Misconfigured        401/403 on our own credentials: the settings are wrong, not the resident
    ├── NotFound             404: no such address, property, service or report
    └── Rejected             other 4xx: the service said no, with its own `description`
        └── InvalidPostcode  the text is not a UK postcode (checked before calling, and on a 400 from the service)
"""
from __future__ import annotations

from typing import Any, Optional


class CouncilServiceError(Exception):
    default_message = (
        "Sorry, something went wrong when I checked with the council's systems. "
        "Please try again in a few minutes, or contact the council."
    )

    def __init__(
        self,
        service: str,
        detail: str = "",
        *,
        status: Optional[int] = None,
        description: Optional[str] = None,
        code: Any = None,
    ) -> None:
        self.service = service
        self.detail = detail
        self.status = status
        # The service's own words (Open311 `description`, addresses `message`): may be shown to the resident for
        # a Rejected (e.g. why a missed bin cannot be reported yet), but is never put into `str(error)`.
        self.description = description
        # The service's machine code, when it gives one ("invalid_postcode", "not_found", 400).
        self.code = code
        super().__init__(f"{service}: {detail}" if detail else service)

    @property
    def resident_message(self) -> str:
        return self.default_message


class ServiceUnavailable(CouncilServiceError):
    """The service did not give a usable answer: try later, or offer another route."""

    default_message = (
        "Sorry, I can't reach the council's systems just now. "
        "Please try again in a few minutes, or contact the council."
    )

    def __init__(self, *args: Any, maybe_processed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # True when a POST reached the service but no answer came back (read timeout, 5xx, unreadable answer):
        # the report may have been made. Do not submit it again blindly; tell the resident it may have gone
        # through, or look it up with Open311Client.list_requests.
        self.maybe_processed = maybe_processed


class NotFound(CouncilServiceError):
    default_message = "Sorry, I couldn't find that."


class Rejected(CouncilServiceError):
    """A 4xx answer other than 404: the request was refused. `description` says why, in the service's words."""

    default_message = "Sorry, the council's system couldn't accept that."

    @property
    def resident_message(self) -> str:
        # 401/403 mean our own credentials are wrong: the service's words ("invalid api_key") are not for residents.
        if self.status in (401, 403):
            return self.default_message
        return self.description or self.default_message


class InvalidPostcode(Rejected):
    default_message = "That doesn't look like a UK postcode. A postcode looks like PR7 1DP."


class Misconfigured(CouncilServiceError):
    """The service refused our credentials (401/403): the action server's settings are wrong, not the resident's
    input. Nothing the resident does will help; the error is logged for whoever runs the assistant."""

    default_message = (
        "Sorry, something is wrong on the council's side, so I can't do that here just now. "
        "Please contact the council."
    )
