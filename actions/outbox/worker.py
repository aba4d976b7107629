"""One pass of the outbox: send every item that is due, once, and decide when to try again.

A plain function of the store, the clients and the time, so tests run a ten-minute outage by passing a clock ten
minutes on, and the action server runs it in a loop (actions/server.py).

- A report whose last attempt may have reached Open311 (a timeout, a 5xx, an unreadable answer) is first looked up
  by its submission key; only if Open311 has none is it sent again (with the same key). Never made twice.
- A report Open311 refuses (400, 403, unknown service) will not succeed by waiting: it is marked failed and
  logged for staff, with its submission number only.
- When a report arrives and the resident gave an email address or a mobile number, the Notify confirmation with
  its reference is kept in the outbox too, and sent in the same pass (or later, if Notify is down).
- A payment's confirmation is kept claimed and sent at once while the resident waits (`send_now`,
  actions/payments/confirming.py); if Notify doesn't take it, the pass sends it later like any other item.
- A Notify send whose outcome is unknown is sent again: Notify can't be asked here whether it went, so a resident
  may rarely get a confirmation twice, but never none.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List

from ..clients import CouncilServiceError, Rejected, ServiceUnavailable
from ..clients.notify import NotifyClient
from ..clients.open311 import Open311Client
from .store import NOTIFY, REPORT, Kept, OutboxStore

logger = logging.getLogger(__name__)


@dataclass
class Delivered:
    """What one pass did (for logs and tests): submission numbers and notification keys."""

    reports: Dict[str, str] = field(default_factory=dict)  # submission number -> reference
    notifications: List[str] = field(default_factory=list)
    retrying: List[str] = field(default_factory=list)
    failed: List[str] = field(default_factory=list)


def backoff(attempts: int, first_seconds: float, most_seconds: float) -> timedelta:
    """Wait first_seconds after the first failed attempt, doubling each time, never more than most_seconds."""
    return timedelta(seconds=min(most_seconds, first_seconds * 2 ** max(0, attempts - 1)))


def deliver_due(store: OutboxStore, open311: Open311Client, notify: NotifyClient, now: datetime, *,
                first_retry_seconds: float = 30.0, most_retry_seconds: float = 1800.0) -> Delivered:
    done = Delivered()
    for item in store.due(now):
        if not store.claim(item, now):
            continue  # another worker has it
        attempts = item.attempts + 1
        try:
            if item.kind == REPORT:
                reference = _deliver_report(store, open311, item, now)
                done.reports[item.key] = reference
            elif item.kind == NOTIFY:
                _deliver_notification(store, notify, item, now)
                done.notifications.append(item.key)
        except _TryLater as later:
            wait = backoff(attempts, first_retry_seconds, most_retry_seconds)
            store.retry_later(item, now + wait, later.maybe_sent, later.problem)
            logger.info("Outbox %s %s: attempt %d failed (%s), next in %ss", item.kind, item.key, attempts,
                        later.problem, int(wait.total_seconds()))
            done.retrying.append(item.key)
        except Rejected as refused:
            store.failed(item, f"{refused.service}: refused ({type(refused).__name__})", now)
            logger.error("Outbox %s %s refused by %s: staff must follow it up", item.kind, item.key, refused.service)
            done.failed.append(item.key)
        except Exception:  # a bug or a bad row must not stop the rest of the outbox: this item waits its turn
            logger.exception("Outbox %s %s: attempt %d failed unexpectedly", item.kind, item.key, attempts)
            store.retry_later(item, now + backoff(attempts, first_retry_seconds, most_retry_seconds),
                              item.maybe_sent or item.kind == REPORT, "unexpected error")
            done.retrying.append(item.key)
    # A report that arrived in this pass keeps a confirmation in the outbox: send it now rather than next pass.
    if done.reports and any(i.kind == NOTIFY for i in store.due(now)):
        later = deliver_due(store, open311, notify, now, first_retry_seconds=first_retry_seconds,
                            most_retry_seconds=most_retry_seconds)
        done.notifications += later.notifications
        done.retrying += later.retrying
        done.failed += later.failed
    return done


# What send_now says happened to a confirmation the resident is waiting for.
SENT_NOW = "sent"  # Notify took it
SENDS_LATER = "later"  # Notify didn't take it: the pass sends it after back-off
MAYBE_SENT = "maybe"  # unknown (a timeout): the pass sends it again later, so it may rarely arrive twice, never none
REFUSED = "refused"  # Notify refused it (e.g. an address it won't send to): waiting won't help


def send_now(store: OutboxStore, notify: NotifyClient, item: Kept, now: datetime, *,
             first_retry_seconds: float = 30.0, most_retry_seconds: float = 1800.0) -> str:
    """One attempt at a notification just kept claimed (OutboxStore.keep_claimed), while the resident waits: if
    Notify doesn't take it, it stays in the outbox and the pass sends it later, as any other item."""
    try:
        _deliver_notification(store, notify, item, now)
        return SENT_NOW
    except _TryLater as later:
        store.retry_later(item, now + backoff(1, first_retry_seconds, most_retry_seconds), later.maybe_sent,
                          later.problem)
        logger.info("Outbox notify %s: not sent at once (%s), kept for the pass", item.key, later.problem)
        return MAYBE_SENT if later.maybe_sent else SENDS_LATER
    except Rejected as refused:
        store.failed(item, f"{refused.service}: refused ({type(refused).__name__})", now)
        logger.error("Outbox notify %s refused by %s: staff must follow it up", item.key, refused.service)
        return REFUSED
    except Exception:  # a bug must not lose the confirmation: the pass tries it again
        logger.exception("Outbox notify %s: sending at once failed unexpectedly", item.key)
        store.retry_later(item, now + backoff(1, first_retry_seconds, most_retry_seconds), False, "unexpected error")
        return SENDS_LATER


class _TryLater(Exception):
    def __init__(self, problem: str, maybe_sent: bool) -> None:
        super().__init__(problem)
        self.problem = problem
        self.maybe_sent = maybe_sent


def _problem(error: CouncilServiceError) -> str:
    status = getattr(error, "status", None)
    return f"{error.service}: {type(error).__name__}{f' {status}' if status else ''}"


def _deliver_report(store: OutboxStore, open311: Open311Client, item: Kept, now: datetime) -> str:
    report: Dict[str, Any] = item.payload["report"]
    try:
        reference = open311.reference_for_submission_key(item.key) if item.maybe_sent else None
    except CouncilServiceError as error:
        raise _TryLater(_problem(error), maybe_sent=True) from None  # still unknown
    notice = None
    if reference is None:
        try:
            sent = open311.submit(**report, submission_key=item.key)
            reference, notice = sent.reference, sent.service_notice
        except ServiceUnavailable as error:
            raise _TryLater(_problem(error), maybe_sent=error.maybe_processed) from None
        except Rejected:
            raise
        except CouncilServiceError as error:  # NotFound (the service is gone), Misconfigured: not the resident's
            raise _TryLater(_problem(error), maybe_sent=False) from None
    store.sent(item, reference, now)
    confirmation = item.payload.get("confirmation")
    if confirmation and reference:
        confirmation["personalisation"]["reference"] = reference
        confirmation["personalisation"]["service_notice"] = notice or ""
        confirmation["reference"] = reference  # Notify's own reference field: ours, never personal data
        store.keep(NOTIFY, str(uuid.uuid4()), confirmation, first_attempt_at=now)  # due in this same pass
    logger.info("Outbox report %s arrived as %s", item.key, reference)
    return reference


def _deliver_notification(store: OutboxStore, notify: NotifyClient, item: Kept, now: datetime) -> None:
    message = item.payload
    template = notify.templates.get(message["purpose"], message["channel"])
    send = notify.send_email if message["channel"] == "email" else notify.send_sms
    try:
        sent = send(template, message["to"], message["personalisation"], reference=message.get("reference"))
    except ServiceUnavailable as error:
        raise _TryLater(_problem(error), maybe_sent=error.maybe_processed) from None
    except Rejected:
        raise
    except CouncilServiceError as error:
        raise _TryLater(_problem(error), maybe_sent=False) from None
    store.sent(item, sent.id, now)
