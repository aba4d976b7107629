"""What happened to my report: a reference -> its status and notes from Open311.

Only the resident who made the report in this conversation hears at once; anyone else first gives the postcode of
the place reported (see report_access.py). Nobody is ever told where a report is: status, service, dates and notes.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from councils import postcodes
from replies import Day, Emphasis, Reference, Words, tell

from ..clients import CouncilServiceError, NotFound, ServiceRequest, normalise_reference, open311_client
from ..common.journey_form import JourneyForm, skip_empty
from ..common.journey_slots import reset_journey
from ..common.services import call
from ..common.tracker_text import is_answer, latest_entity, latest_text
from ..common.wording import contact_routes_part
from ..outbox import outbox
from ..outbox.store import FAILED, PENDING, Kept, normalise_submission_number
from .outcome import quoted_reference
from .report_access import (
    MAX_FAILED_CHECKS,
    checks_left,
    failed_check_marker,
    failed_checks,
    kept_here,
    place_matches,
    reported_here,
    reported_marker,
)


def needs_postcode(tracker: Tracker) -> bool:
    reference = tracker.get_slot("report_reference")
    if reference in kept_here(tracker):
        return False
    return bool(reference) and reference not in reported_here(tracker) and checks_left(tracker)


def kept_report_asked_about(tracker: Tracker) -> Optional[Text]:
    """A report this conversation kept to send later, when the resident asks about it: its submission number
    typed, or (asking with no reference at all) the newest one."""
    kept = kept_here(tracker)
    if not kept or tracker.get_slot("report_reference"):
        return None
    said = next((n for n in map(normalise_submission_number, (latest_text(tracker) or "").split()) if n), None)
    if said in kept:
        return said
    if tracker.get_slot("requested_slot") is None and not latest_entity(tracker, "reference") and said is None:
        return kept[-1]
    return None


class ValidateReportStatusForm(JourneyForm):
    own_intents = frozenset({"check_report_status", "inform"})

    def name(self) -> Text:
        return "validate_report_status_form"

    async def questions(self, tracker: Tracker) -> List[Text]:
        return ["report_reference", "postcode"] if needs_postcode(tracker) else ["report_reference"]

    async def extract_report_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        kept = kept_report_asked_about(tracker)
        if kept:
            return {"report_reference": kept}
        if tracker.get_slot("requested_slot") != "report_reference" or latest_entity(tracker, "reference"):
            return {}
        return {"report_reference": latest_text(tracker)} if is_answer(tracker, self.answer_intents(tracker)) else {}

    @skip_empty
    async def validate_report_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value in kept_here(tracker):
            return {"report_reference": value}  # a submission number: answered from the outbox
        reference = normalise_reference(str(value or ""))
        if reference is None:
            # The form's question follows, with what a reference looks like: said once, there.
            tell(dispatcher, "That doesn't look like a report reference. You'll find yours in the message we gave "
                 "you when you reported it.", expects="reference")
            return {"report_reference": None}
        if reference not in reported_here(tracker) and checks_left(tracker) and not tracker.get_slot("postcode"):
            # Said before the form asks (utter_ask_postcode), so the resident knows why we want it.
            tell(dispatcher, "To keep reports private, I need the postcode of the place in the report. Then I can "
                 "tell you about {reference}.", reference=quoted_reference(reference))
        return {"report_reference": reference}

    async def extract_postcode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # A recognised postcode fills the slot through the domain's entity mapping; here, anything else typed.
        if latest_entity(tracker, "postcode"):
            return {}
        return self.answer_for("postcode", tracker)

    @skip_empty
    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        postcode = postcodes.find_in_text(str(value))
        if postcode is None:
            # The form's question follows, with an example postcode: said once, there.
            tell(dispatcher, "That doesn't look like a postcode.", expects="postcode")
        return {"postcode": postcode}


class ActionReportStatus(Action):
    def name(self) -> Text:
        return "action_report_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = tracker.get_slot("report_reference")
        if tracker.get_slot("journey_blocked") or not reference:
            dispatcher.utter_message(response="utter_anything_else")
            return reset_journey()
        if reference in kept_here(tracker):
            return await kept_report_status(dispatcher, tracker, reference)
        reported_by_them = reference in reported_here(tracker)
        if not reported_by_them and not checks_left(tracker):
            tell(dispatcher, "I can't check any more reports in this conversation. The council can tell you about "
                 "it:\n{routes}", routes=contact_routes_part(tracker.get_slot("council")))
            return reset_journey()
        try:
            report = await call(open311_client().get_request, reference)
            allowed = reported_by_them or await place_matches(report, tracker.get_slot("postcode"))
        except NotFound:
            report, allowed = None, False
        except CouncilServiceError as error:
            tell(dispatcher, "{problem}\n{routes}", problem=error.resident_message,
                 routes=contact_routes_part(tracker.get_slot("council")))
            return reset_journey()
        if not allowed:
            # An unknown reference and a wrong postcode get the same answer: it never says whether a report exists.
            not_found(dispatcher, tracker, reference, checked=not reported_by_them)
            return reset_journey()
        template, values = status_reply(report)
        tell(dispatcher, template, **values)
        return reset_journey()


async def kept_report_status(dispatcher: CollectingDispatcher, tracker: Tracker, number: Text) -> List[EventType]:
    """A report this conversation kept in the outbox: still waiting, refused, or arrived (with its reference)."""
    council = tracker.get_slot("council")
    kept: Optional[Kept] = await call(outbox().report_of_conversation, number, tracker.sender_id)
    if kept is None or kept.status == FAILED:
        tell(dispatcher, "Sorry, the council's system didn't accept your report {number}. Please contact the "
             "council about it:\n{routes}", number=quoted_reference(number), routes=contact_routes_part(council))
    elif kept.status == PENDING:
        tell(dispatcher, "Your report {number} hasn't reached the council yet: their reporting system still isn't "
             "answering. I've kept it and will keep trying, so please don't report it again.",
             number=quoted_reference(number))
    else:
        reference = kept.result
        template = "Your report {number} has reached the council. Its reference is {reference}."
        values: Dict[Text, Any] = {"number": quoted_reference(number), "reference": Reference(reference)}
        try:
            status_template, status_values = status_reply(await call(open311_client().get_request, reference))
            template += "\n" + status_template.replace("{reference}", "{status_reference}")
            values.update({("status_reference" if k == "reference" else k): v for k, v in status_values.items()})
        except CouncilServiceError:
            pass  # the reference is what they asked for; its status can wait
        # Marked as this conversation's own report, so asking about the reference later needs no postcode.
        tell(dispatcher, template, metadata=reported_marker(reference), **values)
    return reset_journey()


def not_found(dispatcher: CollectingDispatcher, tracker: Tracker, reference: Text, checked: bool) -> None:
    routes = contact_routes_part(tracker.get_slot("council"))
    if not checked:
        tell(dispatcher, "I can't find a report with the reference {reference}. Please contact the council about "
             "it.\n{routes}", reference=quoted_reference(reference), routes=routes)
        return
    template = (
        "I can't find a report with the reference {reference} at that postcode. Please check both against the "
        "message you were given when you reported it. If it was reported without a postcode, please contact the "
        "council."
    )
    if failed_checks(tracker) + 1 >= MAX_FAILED_CHECKS:  # this answer is the last failed check
        tell(dispatcher, template + "\nI can't check any more reports in this conversation.\n{routes}",
             reference=quoted_reference(reference), routes=routes, metadata=failed_check_marker())
        return
    tell(
        dispatcher, template, reference=quoted_reference(reference),
        buttons=[
            {"title": "Try another reference", "payload": "/check_report_status"},
            {"title": "Contact the council", "payload": "/request_human"},
        ],
        metadata=failed_check_marker(),
    )


def status_reply(report: ServiceRequest) -> Tuple[Text, Dict[Text, Any]]:
    """Status, service, dates and notes: never the address, which the resident asking may not know."""
    closed = report.status == "closed"
    lines = ["Report {reference} ({service}) is {state}."]
    values: Dict[Text, Any] = {
        "reference": quoted_reference(report.reference), "service": report.service_name or "report",
        "state": Emphasis("closed") if closed else Words("**open**: we're working on it", "open: we're working on it"),
    }
    if report.requested_datetime:
        lines.append("Reported on {reported}.")
        values["reported"] = Day(report.requested_datetime.date())
    if report.status_notes:
        lines.append("Latest update: {notes}")
        values["notes"] = report.status_notes
    if not closed and report.expected_datetime:
        lines.append("We expect to deal with it by {expected}.")
        values["expected"] = Day(report.expected_datetime.date())
    return "\n".join(lines), values
