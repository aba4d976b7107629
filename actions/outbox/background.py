"""The outbox pass run by the action server, every OUTBOX_WORKER_SECONDS, for as long as it runs."""
from __future__ import annotations

import asyncio
import logging

from ..clients import notify_client, open311_client
from ..settings import settings
from .store import outbox, utcnow
from .worker import Delivered, deliver_due

logger = logging.getLogger(__name__)


def deliver_now() -> Delivered:
    """One pass with the current settings' clients, at the real time."""
    config = settings()
    return deliver_due(outbox(), open311_client(), notify_client(), utcnow(),
                       first_retry_seconds=config.outbox_first_retry_seconds,
                       most_retry_seconds=config.outbox_most_retry_seconds)


async def keep_delivering(interval_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            # The clients block (requests): in a thread, so conversations never wait for a council API.
            await loop.run_in_executor(None, deliver_now)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database hiccup must not stop the loop: the next pass tries again
            logger.exception("The outbox pass failed; trying again in %ss", interval_seconds)
