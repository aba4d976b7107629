"""Unpaid orders that hold a place in the council's records (a collection slot, a season, a bin), capped.

An unpaid order keeps its place for a while (the records release it after a couple of hours), so without a cap a
script could fill every slot on a round. The cap, counted where a conversation can't reset it:
- one open unpaid order per conversation (by sender id, across paid journeys): the resident pays for it, or has
  it cancelled, before another is placed;
- at most UNPAID_HOLDS_PER_CLIENT placed within CLIENT_WINDOW and still open, per client.
The council's records have their own cap per address (bulky waste: 409 too_many_unpaid).

A hold closes when it is paid (action_finish_order), cancelled (withdraw), or found paid, cancelled or released
when looked up again.
"""
from __future__ import annotations

from datetime import timedelta
from typing import List, Optional, Text

from rasa_sdk import Tracker

from ..clients import CouncilServiceError
from ..common.services import call
from ..settings import settings
from .attempts import client_of
from .store import Hold, protections

# The OrderKinds whose `place` makes an order in the records that holds a place until it is paid. Council tax and
# parking fines only work out a payment: they hold nothing.
HOLDING_KINDS = frozenset({"bulky_waste", "garden_waste", "bin_request"})
CLIENT_WINDOW = timedelta(hours=1)
WHAT = {
    "bulky_waste": "a bulky waste collection",
    "garden_waste": "a garden waste subscription",
    "bin_request": "a bin request",
}


def holds_a_place(kind: Text) -> bool:
    return kind in HOLDING_KINDS


async def still_open(tracker: Tracker, holds: List[Hold]) -> List[Hold]:
    """The holds the records still have waiting for payment; the others are closed here. One the records can't
    be asked about just now counts as open."""
    from ..payments.order import KINDS  # the journeys register their kinds; imported late to avoid a cycle

    kept = []
    for hold in holds:
        kind = KINDS.get(hold.kind)
        try:
            placed = await kind.current(tracker, hold.reference) if kind else None
        except CouncilServiceError:
            kept.append(hold)
            continue
        if placed is None or placed.done or placed.expired or placed.payment is None:
            await close(hold.reference)
        else:
            kept.append(hold)
    return kept


async def conversation_hold(tracker: Tracker) -> Optional[Hold]:
    """This conversation's unpaid order still waiting for payment, if any."""
    holds = await call(protections().conversation_holds, tracker.sender_id)
    kept = await still_open(tracker, holds)
    return kept[0] if kept else None


async def client_at_limit(tracker: Tracker) -> bool:
    """Whether the client already has as many unpaid orders open as it may place in the window."""
    limit = settings().unpaid_holds_per_client
    holds = await call(protections().client_holds, client_of(tracker), CLIENT_WINDOW)
    if len(holds) < limit:
        return False
    return len(await still_open(tracker, holds)) >= limit


async def record(tracker: Tracker, kind: Text, reference: Text) -> None:
    await call(protections().add_hold, tracker.sender_id, client_of(tracker), kind, reference)


async def close(reference: Optional[Text]) -> None:
    if reference:
        await call(protections().close_hold, reference)
