"""Putting a caller through to council staff: which number, whether anyone is there, and what staff hear first.

- The number is the council's `contact.staff_transfer_number` (councils/*.yml), or for urgent help its
  `contact.out_of_hours_phone` (councils/phone_line.py reads both). It is never the number the caller rang (the
  assistant's own): dialling that would put the caller back in the queue for the assistant.
- Staff are there within the council's `contact.opening_hours` (UK time, councils/opening_hours.py), unless
  HANDOVER_HOURS says `always` or `never` (../shared/contract.md, section 5).
- The whisper is said to the member of staff before the call connects: what the caller was doing, the council,
  the address and any reference, from the conversation's slots. The staff console's summary of the same call
  (console.py) is the same sentences written for reading (`caller_facts`, then `whisper_summary` or
  `written_summary`), with the assistant's last question added.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Text

import councils
from councils import phone_line

from councils.opening_hours import open_now

from .wording import section, words


def transfer_number(council_id: Optional[Text], assistant_number: Optional[Text], urgent: bool = False
                    ) -> Optional[Text]:
    """The number to dial for this council in E.164, or None when none is configured or it would ring the
    assistant itself (councils/phone_line.py refuses those, and so does `may_dial` once more, by the call's `To`)."""
    if council_id not in councils.COUNCIL_IDS:
        return None
    if urgent:
        number = councils.out_of_hours_transfer_number(council_id, assistant_number)
    else:
        number = councils.staff_transfer_number(council_id, assistant_number)
    number = phone_line.e164(number)
    return number if may_dial(number, assistant_number) else None


def may_dial(number: Optional[Text], assistant_number: Optional[Text]) -> bool:
    """Never the number that reaches the assistant itself."""
    return bool(number) and not phone_line.same_line(number, assistant_number)


def staff_available(council_id: Optional[Text], now: Optional[datetime] = None,
                    environ: Optional[Mapping[Text, Text]] = None) -> bool:
    return open_now(council_id, now, environ)


def hours_said(council_id: Optional[Text]) -> Text:
    ids = [council_id] if council_id in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    return councils.load_council(ids[0]).get("contact", {}).get("phone_hours") or ""


def council_name(council_id: Optional[Text]) -> Text:
    return councils.load_council(council_id)["name"] if council_id in councils.COUNCIL_IDS else "the council"


@dataclass
class CallerFacts:
    """What the conversation says about the caller's business, for the whisper (heard) and the console (read)."""
    journey: Optional[Text] = None  # the form, or the intent, that names what they wanted
    wanted: Optional[Text] = None  # "They were reporting a missed bin."
    council: Optional[Text] = None
    address: Optional[Text] = None
    references: List[Text] = field(default_factory=list)  # as written: "REP-100017"
    stopped_at: Optional[Text] = None  # the journey's last question before they asked for a person
    told: List[Text] = field(default_factory=list)  # the assistant's last few messages, oldest first

    def details(self) -> Dict[Text, Any]:
        """The console's `details` (docs/handover.md), as the assistant writes them for a web chat: `wanted` in
        staff's words ("to report a missed bin"; the callback form says "I'll tell them you wanted ..."). """
        return {"wanted": _wanted_words(self.journey), "journey": self.journey, "stopped_at": self.stopped_at,
                "address": self.address, "references": list(self.references), "told": list(self.told)}


def caller_facts(tracker: Any) -> CallerFacts:
    """Read once from the conversation (Rasa's DialogueStateTracker, or None): the whisper and the console's
    summary both come from here, so what staff hear and what they read never disagree."""
    facts = CallerFacts()
    if tracker is None:
        return facts
    journeys = section("journeys")
    loop = (tracker.active_loop or {}).get("name") if isinstance(tracker.active_loop, dict) else None
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    for name in (loop, _journey_from_events(tracker), intent):
        if name and name in journeys:
            facts.journey, facts.wanted = name, journeys[name]
            break
    council = tracker.get_slot("council")
    facts.council = council if council in councils.COUNCIL_IDS else None
    facts.address = tracker.get_slot("address") or tracker.get_slot("postcode") or None
    facts.references = [str(tracker.get_slot(slot)) for slot in ("report_reference", "order_reference")
                        if tracker.get_slot(slot)]
    if facts.journey and facts.journey in _FORMS:  # "where it stopped" only means something in a journey
        facts.stopped_at = _last_question(tracker)
    facts.told = _last_told(tracker)
    return facts


def _wanted_words(journey: Optional[Text]) -> Optional[Text]:
    """What the journey is for, from the assistant's own table (actions/handover/summary.py), so a phone handover
    and a web chat handover say it alike."""
    if not journey:
        return None
    try:
        from actions.handover.summary import JOURNEYS
    except ImportError:  # an assistant without the handover actions: the whisper's sentence says it
        return None
    return JOURNEYS.get(journey)


def urgent_happened(tracker: Any) -> bool:
    """Urgent help was given in this call (a callback request then goes first too)."""
    if tracker is None:
        return False
    return any(type(event).__name__ == "ActionExecuted" and getattr(event, "action_name", None) == "action_urgent_help"
               for event in tracker.events)


def reason_text(reason: Optional[Text]) -> Text:
    """Why, as the console shows it ("asked for a person"): the line's own reasons by name, a journey's as given."""
    return section("reason_texts").get(reason or "", reason or "") or section("reason_texts")["asked_for_person"]


def whisper_summary(tracker: Any) -> Text:
    """What staff hear before the caller is connected. `tracker`: Rasa's DialogueStateTracker (or None)."""
    return _summary(caller_facts(tracker), spoken=True)


def written_summary(facts: CallerFacts, reason: Optional[Text] = None) -> Text:
    """The whisper's content written for reading in the console's queue: references as written, not spelt out,
    and where the conversation stopped."""
    said = [_summary(facts, spoken=False, reason=reason)]
    if facts.stopped_at:
        said.append(words("summary_stopped_at", question=facts.stopped_at))
    return " ".join(said)


def _summary(facts: CallerFacts, spoken: bool, reason: Optional[Text] = None) -> Text:
    said: List[Text] = []
    if facts.wanted:
        said.append(facts.wanted)
    elif reason and not spoken:
        said.append(section("reasons").get(reason, ""))
    if facts.council:
        said.append(words("whisper_council", council=council_name(facts.council)))
    if facts.address:
        said.append(words("whisper_address", address=facts.address))
    for reference in facts.references:
        if spoken:
            from replies.parts import spell_out

            reference = spell_out(reference)
        said.append(words("whisper_reference", reference=reference))
    return " ".join(part for part in said if part) or words("whisper_nothing_known")


_FORMS = set(section("journeys")) - {"urgent_help", "request_human"}
TOLD = 3  # the assistant's last messages kept in the console's details


def _last_told(tracker: Any) -> List[Text]:
    from replies.speech import plain

    told = [plain(event.text) for event in reversed(list(tracker.events))
            if type(event).__name__ == "BotUttered" and getattr(event, "text", None)][:TOLD]
    return [_shortened(text) for text in reversed(told)]


def _shortened(text: Text) -> Text:
    return text if len(text) <= LONGEST_QUESTION else text[:LONGEST_QUESTION - 1].rstrip() + "…"


# The actions that answer a request for a person: the question before them is where the conversation stopped.
PERSON_ACTIONS = ("action_handover", "action_contact_routes")
LONGEST_QUESTION = 200  # characters of the last question kept in the console's summary


def _last_question(tracker: Any) -> Optional[Text]:
    """The assistant's last message before the caller asked for a person, as plain text (no Markdown)."""
    from replies.speech import plain

    events = list(tracker.events)
    since_user = []
    for event in reversed(events):
        if type(event).__name__ == "UserUttered":
            break
        since_user.append(event)
    skip_turn = any(getattr(e, "action_name", None) in PERSON_ACTIONS for e in since_user)
    passed_user = False
    for event in reversed(events):
        kind = type(event).__name__
        if kind == "UserUttered":
            passed_user = True
        elif kind == "BotUttered" and getattr(event, "text", None) and (passed_user or not skip_turn):
            return _shortened(plain(event.text))
    return None


def _journey_from_events(tracker: Any) -> Optional[Text]:
    """The last form the caller was in, even if asking for a person ended it."""
    for event in reversed(list(tracker.events)):
        name = getattr(event, "name", None)
        if type(event).__name__ == "ActiveLoop" and name:
            return name
    return None
