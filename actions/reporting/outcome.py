"""What the resident hears after a report is sent, or could not be."""
from __future__ import annotations

from typing import Optional, Text

from rasa_sdk.executor import CollectingDispatcher

from ..clients import CouncilServiceError, Rejected, ServiceUnavailable, SubmittedRequest
from ..common.wording import contact_routes
from .report_access import reported_marker


def report_sent(dispatcher: CollectingDispatcher, what: Text, sent: SubmittedRequest) -> None:
    notice = f" {sent.service_notice}" if sent.service_notice else ""
    if sent.reference:
        dispatcher.utter_message(
            text=f"Thank you. I've reported {what}. Your reference is **{sent.reference}**.{notice}\n"
            f"To check on it later, ask me about {sent.reference}.",
            # Remembered with this message, so this conversation hears how the report is going without a check.
            **reported_marker(sent.reference),
        )
        return
    # Open311 lets a back office answer with a token now and a reference later: never show "None" as a reference.
    dispatcher.utter_message(
        text=f"Thank you. I've reported {what}, and the council has received it.{notice} "
        "The council's system will give it a reference shortly; if you need it, please contact the council."
    )


def report_failed(
    dispatcher: CollectingDispatcher, error: CouncilServiceError, summary: Text, council: Optional[Text]
) -> None:
    """Never claims success; says whether the report may have gone, and gives the details to pass on."""
    if isinstance(error, ServiceUnavailable) and error.maybe_processed:
        opening = (
            "Sorry, the council's system stopped answering while I was sending your report, so I can't tell "
            "whether it arrived. Please don't report it again straight away: ask me about your reports later, "
            "or contact the council."
        )
    elif isinstance(error, Rejected):
        opening = f"Sorry, the council's system didn't accept the report: {error.resident_message}"
    else:
        opening = (
            "Sorry, I couldn't send your report because the council's reporting system isn't available just now. "
            "**Your report has not been sent.**"
        )
    dispatcher.utter_message(
        text=f"{opening}\nYou can report it by contacting the council, with these details: {summary}\n"
        f"{contact_routes(council)}"
    )
