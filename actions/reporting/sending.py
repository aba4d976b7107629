"""Sending a report to Open311, and keeping it in the outbox when Open311 can't take it now.

Every report carries a new submission number as its `attribute[submission_key]`. If Open311 is down, answers
with an error or something unreadable, or times out (the report may have arrived), the report and its Notify
confirmation are kept in the outbox (actions/outbox), which sends them when Open311 is back; the resident is told
so, with the submission number. A report Open311 refuses is not kept: waiting won't change the answer.
A report Open311 takes at once gets its Notify confirmation through the outbox too, when the resident gave an email
address or a mobile number.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Dict, Optional, Text, Union

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from replies import Part

from ..clients import CouncilServiceError, ServiceUnavailable, open311_client
from ..common.services import call
from ..common.wording import council_name
from ..outbox import outbox
from ..outbox.store import REPORT, new_submission_number
from ..settings import settings
from .outcome import report_failed, report_kept, report_sent

logger = logging.getLogger(__name__)


async def send_report(dispatcher: CollectingDispatcher, tracker: Tracker, what: Text, summary: Union[Text, Part],
                      report: Dict[str, Any], contact: Optional[Text] = None, where: Text = "") -> None:
    """`report`: Open311Client.submit's arguments; `contact`: the resident's email address or phone number."""
    key = new_submission_number()
    try:
        sent = await call(open311_client().submit, **report, submission_key=key)
    except ServiceUnavailable as error:
        try:
            await call(keep_report, key, report, tracker.sender_id, error.maybe_processed,
                       confirmation(tracker, what, contact, where))
        except Exception:  # the outbox itself failed: say the report wasn't sent, as before the outbox
            logger.exception("Could not keep report %s in the outbox", key)
            report_failed(dispatcher, error, summary, tracker.get_slot("council"))
            return
        report_kept(dispatcher, what, key, error.maybe_processed, contact)
        return
    except CouncilServiceError as error:
        report_failed(dispatcher, error, summary, tracker.get_slot("council"))
        return
    report_sent(dispatcher, what, sent)
    message = confirmation(tracker, what, contact, where)
    if message and sent.reference:
        await call(confirm_later, message, sent.reference, sent.service_notice, tracker.sender_id)


def confirm_later(message: Dict[str, Any], reference: Text, notice: Optional[Text], sender_id: Text) -> None:
    """The reference by email or text, through the outbox: sent within OUTBOX_WORKER_SECONDS, and again later if
    Notify is down. The resident already has it on screen, so a failure here is logged, not shown."""
    message["personalisation"].update(reference=reference, service_notice=notice or "")
    message["reference"] = reference
    try:
        outbox().keep_notification(message, sender_id=sender_id)
    except Exception:
        logger.exception("Could not keep the confirmation of report %s in the outbox", reference)


def keep_report(key: Text, report: Dict[str, Any], sender_id: Text, maybe_sent: bool,
                confirmation: Optional[Dict[str, Any]]) -> None:
    store = outbox()
    store.keep(
        REPORT, key, {"report": report, "confirmation": confirmation}, sender_id=sender_id, maybe_sent=maybe_sent,
        attempts=1, first_attempt_at=store.clock() + timedelta(seconds=settings().outbox_first_retry_seconds),
    )


def confirmation(tracker: Tracker, what: Text, contact: Optional[Text], where: Text) -> Optional[Dict[str, Any]]:
    """The Notify message that will give the resident the reference (filled in when it arrives), if they can get
    one."""
    if not contact or contact == "none":
        return None
    channel = "email" if "@" in contact else "sms"
    personalisation = {"council_name": council_name(tracker.get_slot("council")), "reference": "",
                       "report_type": what, "service_notice": ""}
    if channel == "email":
        personalisation["location"] = where
    return {"purpose": "report", "channel": channel, "to": contact, "personalisation": personalisation}
