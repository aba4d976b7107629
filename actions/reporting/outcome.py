"""What the resident hears after a report is sent, or could not be."""
from __future__ import annotations

from typing import Optional, Text

from rasa_sdk.executor import CollectingDispatcher

from ..clients import CouncilServiceError, Rejected, ServiceUnavailable, SubmittedRequest
from ..common.wording import contact_routes
from .report_access import kept_marker, reported_marker


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


def report_kept(dispatcher: CollectingDispatcher, what: Text, submission_number: Text, maybe_sent: bool,
                contact: Optional[Text]) -> None:
    """The report is in the outbox (actions/outbox): said as it is, with a submission number, never a reference."""
    if maybe_sent:
        opening = (
            f"The council's reporting system stopped answering while I was sending your report of {what}, so I "
            "can't yet tell whether it arrived. I've kept it, and I'll check and send it once it's back: it will "
            "reach the council once, not twice."
        )
    else:
        opening = (
            f"The council's reporting system isn't answering just now, so I've kept your report of {what} and "
            "will send it as soon as the system is back. It hasn't reached the council yet."
        )
    if contact and "@" in contact:
        then = "You'll get the council's reference by email when it arrives."
    elif contact:
        then = "You'll get the council's reference by text message when it arrives."
    else:
        then = "You didn't give contact details, so ask me about it in this conversation to get its reference."
    dispatcher.utter_message(
        text=f"{opening}\nYour submission number is **{submission_number}**. {then} Please don't report it again.",
        # Remembered with this message, so "any news on my report?" here finds it in the outbox.
        **kept_marker(submission_number),
    )
