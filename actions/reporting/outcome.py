"""What the resident hears after a report is sent, or could not be."""
from __future__ import annotations

import re
from typing import Optional, Text, Union

from rasa_sdk.executor import CollectingDispatcher

from replies import Emphasis, Part, Reference, Words, tell
from replies.parts import spell_out

from ..clients import CouncilServiceError, Rejected, ServiceUnavailable, SubmittedRequest
from ..common.wording import contact_routes_part
from .report_access import kept_marker, reported_marker

# An Open311 service notice often starts with its own thanks; after ours it would be said twice in a row.
_THANKS = re.compile(r"^\s*thank you[.!,]?\s*", re.IGNORECASE)


def quoted_reference(reference: Text) -> Words:
    """A reference mentioned in passing: as typed on the web (not bold), spelt out in groups on the phone."""
    return Words(reference, spell_out(reference))


def notice_after_thanks(notice: Optional[Text]) -> Text:
    """The service notice to follow our "Thank you. I've reported ...", without a second "Thank you"."""
    rest = _THANKS.sub("", notice or "").strip()
    return f" {rest[0].upper()}{rest[1:]}" if rest else ""


def report_sent(dispatcher: CollectingDispatcher, what: Text, sent: SubmittedRequest) -> None:
    notice = notice_after_thanks(sent.service_notice)
    if sent.reference:
        tell(
            dispatcher,
            "Thank you. I've reported {what}. Your reference is {reference}.{notice}\n"
            "To check on it later, ask me about {again}.",
            what=what, reference=Reference(sent.reference), notice=notice,
            again=Words(sent.reference, "that reference"),
            # Remembered with this message, so this conversation hears how the report is going without a check.
            metadata=reported_marker(sent.reference),
        )
        return
    # Open311 lets a back office answer with a token now and a reference later: never show "None" as a reference.
    tell(
        dispatcher,
        "Thank you. I've reported {what}, and the council has received it.{notice} "
        "The council's system will give it a reference shortly; if you need it, please contact the council.",
        what=what, notice=notice,
    )


def report_failed(dispatcher: CollectingDispatcher, error: CouncilServiceError, summary: Union[Text, Part],
                  council: Optional[Text]) -> None:
    """Never claims success; says whether the report may have gone, and gives the details to pass on."""
    values = {}
    if isinstance(error, ServiceUnavailable) and error.maybe_processed:
        opening = (
            "Sorry, the council's system stopped answering while I was sending your report, so I can't tell "
            "whether it arrived. Please don't report it again straight away: ask me about your reports later, "
            "or contact the council."
        )
    elif isinstance(error, Rejected):
        opening = "Sorry, the council's system didn't accept the report: {reason}"
        values["reason"] = error.resident_message
    else:
        opening = (
            "Sorry, I couldn't send your report because the council's reporting system isn't available just now. "
            "{not_sent}"
        )
        values["not_sent"] = Emphasis("Your report has not been sent.")
    tell(
        dispatcher,
        opening + "\nYou can report it by contacting the council, with these details: {summary}\n{routes}",
        summary=summary, routes=contact_routes_part(council), **values,
    )


def report_kept(dispatcher: CollectingDispatcher, what: Text, submission_number: Text, maybe_sent: bool,
                contact: Optional[Text]) -> None:
    """The report is in the outbox (actions/outbox): said as it is, with a submission number, never a reference."""
    if maybe_sent:
        opening = (
            "The council's reporting system stopped answering while I was sending your report of {what}, so I "
            "can't yet tell whether it arrived. I've kept it, and I'll check and send it once it's back: it will "
            "reach the council once, not twice."
        )
    else:
        opening = (
            "The council's reporting system isn't answering just now, so I've kept your report of {what} and "
            "will send it as soon as the system is back. It hasn't reached the council yet."
        )
    if contact and "@" in contact:
        then = "You'll get the council's reference by email when it arrives."
    elif contact:
        then = "You'll get the council's reference by text message when it arrives."
    else:
        then = Words(
            "You didn't give contact details. To get its reference, ask me about it in this conversation.",
            "You didn't give contact details. To get its reference, ask me about it before this call ends.",
        )
    tell(
        dispatcher,
        opening + "\nYour submission number is {number}. {then} Please don't report it again.",
        what=what, number=Reference(submission_number), then=then,
        # Remembered with this message, so "any news on my report?" here finds it in the outbox.
        metadata=kept_marker(submission_number),
    )
