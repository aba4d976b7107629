"""Failed council tax verifications, counted where a conversation can't reset them.

Three failures lock council tax for that conversation for good (its sender id survives `/restart`, `/session_start`
and a new session). More failures from one client (COUNCIL_TAX_FAILURES_PER_CLIENT within CLIENT_WINDOW) lock it
for that client until the window has passed, whichever conversations they came from. The council's records keep
their own count per account as well (VerificationLocked).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Optional

from rasa_sdk import Tracker

from ..common.services import call
from ..settings import settings
from .store import protections

MAX_CONVERSATION_FAILURES = 3
CLIENT_WINDOW = timedelta(hours=1)
CLIENT_METADATA_KEY = "client"


@dataclass(frozen=True)
class Lock:
    """Why council tax can't be verified now: the conversation's own failures (for good, `until` None), or its
    client's (`until`, aware UTC, when the window has passed)."""

    until: Optional[datetime] = None

    @property
    def for_good(self) -> bool:
        return self.until is None


def client_of(tracker: Tracker) -> Optional[str]:
    """The channel's opaque key for the client's address, from the latest message's metadata; None if absent."""
    metadata: Any = (tracker.latest_message or {}).get("metadata")
    value = metadata.get(CLIENT_METADATA_KEY) if isinstance(metadata, Mapping) else None
    return value if isinstance(value, str) and value else None


def _lock(conversation: str, client: Optional[str]) -> Optional[Lock]:
    store = protections()
    if store.conversation_failures(conversation) >= MAX_CONVERSATION_FAILURES:
        return Lock()
    until = store.client_locked_until(client, settings().council_tax_failures_per_client, CLIENT_WINDOW)
    return Lock(until.replace(tzinfo=timezone.utc)) if until else None


async def verification_lock(tracker: Tracker) -> Optional[Lock]:
    """The lock on verifying council tax in this conversation, from this client; None when a try is allowed."""
    return await call(_lock, tracker.sender_id, client_of(tracker))


def _record(conversation: str, client: Optional[str]) -> int:
    store = protections()
    store.record_failure(conversation, client)
    return store.conversation_failures(conversation)


async def record_failed_verification(tracker: Tracker) -> int:
    """Count a failed verification; answers the conversation's failures so far."""
    return await call(_record, tracker.sender_id, client_of(tracker))
