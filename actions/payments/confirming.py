"""Notify confirmations of paid (and free) orders, through the outbox (actions/outbox/), so an outage only delays one.

Whoever settles a payment (the conversation's action_finish_order, or the background check in settling.py) keeps
its confirmation in the outbox *before* sending it, then tries to send it at once: the resident in the chat hears
"I've sent a confirmation" as before when Notify takes it. When Notify doesn't, the confirmation waits in the
outbox and the outbox pass sends it later with back-off, and the resident is told it will follow. Trying at once
rather than leaving it all to the pass keeps the usual answer true the moment it is said, and a confirmation for a
resident who has left arrives without waiting for the next pass.

Exactly once: a paid order's confirmation is kept under its payment's own key, so the conversation and the check
can never both keep (and send) it; once Notify takes it, the outbox clears the address and personalisation.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Dict, Optional, Text, Tuple

from ..clients import notify_client
from ..common.services import call
from ..outbox.store import PENDING, SENT, outbox
from ..outbox.worker import MAYBE_SENT, REFUSED, SENDS_LATER, SENT_NOW, send_now
from ..settings import settings
from . import contact as contacts

NOT_WANTED = "not_wanted"  # the resident chose no confirmation
ALREADY_KEPT = "already_kept"  # the other path (conversation or check) has it: never a second one

__all__ = ["ALREADY_KEPT", "MAYBE_SENT", "NOT_WANTED", "REFUSED", "SENDS_LATER", "SENT_NOW", "confirm",
           "confirmation_state"]


def confirmation_key(payment_id: Optional[Text]) -> Text:
    """One confirmation per payment; a free order (no payment) has only the conversation to confirm it."""
    return f"payment-confirmation:{payment_id}" if payment_id else f"order-confirmation:{uuid.uuid4()}"


async def confirm(contact: Optional[Text], purpose: Text, personalisation: Dict[Text, Any], reference: Text, *,
                  payment_id: Optional[Text], sender_id: Optional[Text] = None) -> Text:
    """Keep the confirmation in the outbox and try to send it now: what happened (SENT_NOW, SENDS_LATER, ...)."""
    channel, address = contacts.split(contact)
    if channel is None:
        return NOT_WANTED
    message = {"purpose": purpose, "channel": channel, "to": address, "reference": reference,
               "personalisation": json.loads(json.dumps(personalisation, default=str))}
    store = outbox()
    item = await call(store.keep_claimed, message, confirmation_key(payment_id), sender_id)
    if item is None:
        return ALREADY_KEPT
    config = settings()
    return await call(send_now, store, notify_client(), item, store.clock(),
                      first_retry_seconds=config.outbox_first_retry_seconds,
                      most_retry_seconds=config.outbox_most_retry_seconds)


async def confirmation_state(payment_id: Optional[Text]) -> Tuple[Optional[Text], Optional[Text]]:
    """Whether the payment's confirmation was sent (SENT_NOW), is waiting in the outbox (SENDS_LATER), or neither
    (None: not wanted, refused, or sent before confirmations went through the outbox); and while it waits, its
    channel ("email", "sms": the address itself is not the chat's to repeat once the payment is settled)."""
    if not payment_id:
        return None, None
    kept = await call(outbox().find, confirmation_key(payment_id))
    if kept is None:
        return None, None
    return {SENT: SENT_NOW, PENDING: SENDS_LATER}.get(kept.status), kept.payload.get("channel")
