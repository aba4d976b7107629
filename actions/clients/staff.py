"""Client of the staff console's service API (docs/handover.md): is anyone free, and pass a conversation over.

    console = staff_console_client()          # None when STAFF_CONSOLE_URL is not set: no console, no handover
    free = console.availability("chorley")     # Availability(available, why, opening_hours, waiting, wait_minutes)
    made = console.create_handover({...})      # CreatedHandover(id, position, estimated_wait_minutes, status)

Authenticated with `Authorization: Bearer <STAFF_SERVICE_TOKEN>`. The console is the council's own system, not a
resident's service, so it gets its own error and shorter timeouts than the council APIs: a resident asking for a
person must not wait five seconds twice for a console that is down. Every failure (no connection, a timeout, a
5xx, a refusal of our token, an answer that is not the shape below) is a `StaffConsoleUnavailable`: whatever went
wrong, the assistant falls back to today's contact routes (actions/handover/), so nothing breaks for the resident.

Logs name the method and path template only (http.py): never the summary, the transcript or callback details.
A create is POSTed once and never retried: a conversation must not be queued twice (the console also answers a
second create for a conversation with an open handover with that same handover, 200).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional

from .errors import CouncilServiceError
from .http import ServiceClient

logger = logging.getLogger("actions.clients")

# Seconds for the connect and for the read of each call: the console runs beside the assistant, so it answers
# quickly or not at all.
STAFF_CONSOLE_TIMEOUT_SECONDS = 3.0


class StaffConsoleUnavailable(CouncilServiceError):
    """The console could not take the request (down, slow, refused our token, an answer we can't read)."""

    default_message = "Sorry, I can't pass you to a person from here just now."

    def __init__(self, detail: str, *, status: Optional[int] = None, maybe_processed: bool = False) -> None:
        super().__init__("staff_console", detail, status=status)
        # True when a create may have reached the console without an answer back (a read timeout, a 5xx).
        self.maybe_processed = maybe_processed


@dataclass(frozen=True)
class Availability:
    available: bool
    why: str  # in_hours, out_of_hours, nobody_available
    opening_hours: List[str]
    waiting: int
    estimated_wait_minutes: int


@dataclass(frozen=True)
class CreatedHandover:
    id: Any
    status: str
    position: Optional[int]
    estimated_wait_minutes: Optional[int]


class StaffConsoleClient(ServiceClient):
    service = "staff_console"

    def __init__(self, base_url: str, *, token: str, timeout: float = STAFF_CONSOLE_TIMEOUT_SECONDS,
                 retries: int = 0, session: Any = None) -> None:
        if not token:
            raise ValueError("the staff console needs STAFF_SERVICE_TOKEN")
        super().__init__(base_url, timeout=timeout, retries=retries, session=session)
        self.session.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})

    def availability(self, council: Optional[str]) -> Availability:
        """GET /api/v1/availability?council=..."""
        what = "GET /api/v1/availability"
        body = self._call(lambda: self._get("/api/v1/availability", params={"council": council} if council else None))
        try:
            return Availability(
                available=bool(body["available"]),
                why=str(body.get("why") or ("in_hours" if body["available"] else "nobody_available")),
                opening_hours=[str(line) for line in body.get("opening_hours") or []],
                waiting=int(body.get("waiting") or 0),
                estimated_wait_minutes=int(body.get("estimated_wait_minutes") or 0),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            logger.warning("staff_console %s: unexpected answer (%s)", what, type(error).__name__)
            raise StaffConsoleUnavailable(f"{what}: unexpected answer") from None

    def create_handover(self, handover: Mapping[str, Any]) -> CreatedHandover:
        """POST /api/v1/handovers: 201 a new handover, 200 the conversation's open one."""
        what = "POST /api/v1/handovers"
        body = self._call(lambda: self._request(
            "POST", "/api/v1/handovers", None, attempts=1, data=json.dumps(dict(handover)).encode("utf-8")))
        try:
            made = body["handover"]
            return CreatedHandover(
                id=made.get("id"), status=str(made.get("status") or handover.get("status") or "waiting"),
                position=_whole(made.get("position")), estimated_wait_minutes=_whole(made.get("estimated_wait_minutes")),
            )
        except (KeyError, TypeError, AttributeError) as error:
            logger.warning("staff_console %s: unexpected answer (%s)", what, type(error).__name__)
            raise StaffConsoleUnavailable(f"{what}: unexpected answer", maybe_processed=True) from None

    def _call(self, request) -> Dict[str, Any]:
        try:
            body = request()
        except StaffConsoleUnavailable:
            raise
        except CouncilServiceError as error:
            raise StaffConsoleUnavailable(
                str(error), status=error.status, maybe_processed=bool(getattr(error, "maybe_processed", False)),
            ) from None
        if not isinstance(body, dict):
            raise StaffConsoleUnavailable("the answer is not a JSON object")
        return body


def _whole(value: Any) -> Optional[int]:
    if value is None:
        return None
    return max(0, int(value))


def staff_console_client() -> Optional[StaffConsoleClient]:
    """The console's client from the settings, or None when STAFF_CONSOLE_URL (or its token) is not set."""
    from ..settings import settings

    config = settings()
    if not config.staff_console_url or not config.staff_service_token:
        return None
    return _client(config.staff_console_url, config.staff_service_token)


@lru_cache(maxsize=2)
def _client(url: str, token: str) -> StaffConsoleClient:
    return StaffConsoleClient(url, token=token)
