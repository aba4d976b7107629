"""What happened to my report: a reference -> its status and notes from Open311."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from ..clients import CouncilServiceError, NotFound, normalise_reference, open311_client
from ..common.journey_form import JourneyForm, skip_empty
from ..common.journey_slots import reset_journey
from ..common.services import call
from ..common.tracker_text import is_answer, latest_entity, latest_text
from ..common.wording import contact_routes, say_date


class ValidateReportStatusForm(JourneyForm):
    own_intents = frozenset({"check_report_status", "inform"})

    def name(self) -> Text:
        return "validate_report_status_form"

    async def questions(self, tracker: Tracker) -> List[Text]:
        return ["report_reference"]

    async def extract_report_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "report_reference" or latest_entity(tracker, "reference"):
            return {}
        return {"report_reference": latest_text(tracker)} if is_answer(tracker, self.answer_intents(tracker)) else {}

    @skip_empty
    async def validate_report_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        reference = normalise_reference(str(value or ""))
        if reference is None:
            dispatcher.utter_message(
                text="That doesn't look like a report reference. References look like REP-104523: "
                "you'll find yours in the message we gave you when you reported it."
            )
            return {"report_reference": None}
        return {"report_reference": reference}


class ActionReportStatus(Action):
    def name(self) -> Text:
        return "action_report_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reference = tracker.get_slot("report_reference")
        if tracker.get_slot("journey_blocked") or not reference:
            dispatcher.utter_message(response="utter_anything_else")
            return reset_journey()
        try:
            report = await call(open311_client().get_request, reference)
        except NotFound:
            dispatcher.utter_message(
                text=f"I can't find a report with the reference {reference}. Please check it against the message "
                "you were given when you reported it.",
                buttons=[
                    {"title": "Try another reference", "payload": "/check_report_status"},
                    {"title": "Contact the council", "payload": "/request_human"},
                ],
            )
            return reset_journey()
        except CouncilServiceError as error:
            dispatcher.utter_message(text=f"{error.resident_message}\n{contact_routes(tracker.get_slot('council'))}")
            return reset_journey()
        state = "**closed**" if report.status == "closed" else "**open**: we're working on it"
        lines = [f"Report {report.reference} ({report.service_name or 'report'}) is {state}."]
        if report.address:
            lines.append(f"Where: {report.address}.")
        if report.requested_datetime:
            lines.append(f"Reported on {say_date(report.requested_datetime.date())}.")
        if report.status_notes:
            lines.append(f"Latest update: {report.status_notes}")
        if report.status != "closed" and report.expected_datetime:
            lines.append(f"We expect to deal with it by {say_date(report.expected_datetime.date())}.")
        dispatcher.utter_message(text="\n".join(lines))
        return reset_journey()
