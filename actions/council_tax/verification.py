"""Verifying a council tax payer: the account number and the property's postcode, both from the bill.

The resident is never told which of the two was wrong. Failed tries are counted where a conversation can't reset
them (actions/protections/attempts.py, not a slot): three end it for that conversation for good, even after
`/restart` or in a new session; more from one client lock it for that client for an hour; and the council's records
lock an account after repeated failures, which the resident is told plainly. A verification lasts for this
conversation only: its token is in `ct_token`, which is not carried into a new session (domain.yml,
session_config) and expires at the records after a short while anyway.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from connectors.webchat_metadata import site_council
from councils import postcodes
from replies import Address, Day, Money, PhoneNumber, Postcode, Words, reply_message, tell

from ..clients import CouncilServiceError, VerificationFailed, VerificationLocked, council_records_client
from ..common import understanding
from ..common.journey_form import skip_empty, stop_journey
from ..common.second_tries import ask, not_understood
from ..common.journey_slots import reset_journey
from ..common.services import call
from ..common.tracker_text import latest_entity
from ..payments.said_aloud import said_one_by_one
from ..payments.wording import phrase, said, unmarked_reference
from ..protections.attempts import MAX_CONVERSATION_FAILURES, Lock, record_failed_verification, verification_lock

MAX_ATTEMPTS = MAX_CONVERSATION_FAILURES
_ACCOUNT = re.compile(r"^\d{8}$")
_UK = ZoneInfo("Europe/London")
LOCKED = (
    "For your security, I can't check council tax details again in this conversation. Please contact the council."
)
CLIENT_LOCKED = (
    "For your security, I can't check council tax details from here just now: there have been too many "
    "unsuccessful tries. Please try again after {time}, or contact the council."
)
ACCOUNT_LOCKED = (
    "This account is locked for security after too many tries. Please try again after {time} or call the "
    "council on {phone}."
)


def verified(tracker: Tracker) -> bool:
    return bool(tracker.get_slot("ct_token") and tracker.get_slot("ct_account"))


async def locked(tracker: Tracker) -> Optional[Lock]:
    """Why this conversation can't verify council tax now (its own failures, or its client's), or None. A
    verification already made in this session stands."""
    return None if verified(tracker) else await verification_lock(tracker)


def say_time(moment: Optional[datetime]) -> Text:
    """"10:31am" UK time, rounded up to the minute (it is a time to try *after*); "later" when unknown."""
    if moment is None:
        return "later"
    local = moment.astimezone(_UK)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def lock_message(lock: Lock) -> Text:
    return LOCKED if lock.for_good else CLIENT_LOCKED.format(time=say_time(lock.until))


def council_phone(tracker: Tracker) -> Text:
    """The council's phone number; both councils' when we don't know which (before verification, off their sites)."""
    return council_phone_words(tracker).web_text


def council_phone_words(tracker: Tracker) -> Words:
    """council_phone for a reply (replies/): the numbers in groups a caller can write down."""
    council = tracker.get_slot("council") or site_council(tracker.latest_message)
    ids = [council] if council in councils.COUNCIL_IDS else list(councils.COUNCIL_IDS)
    numbers = [(councils.load_council(c)["name"], PhoneNumber(councils.load_council(c)["contact"]["phone"]))
               for c in ids]
    if len(numbers) == 1:
        return Words(numbers[0][1].web(), numbers[0][1].spoken())
    return Words(" or ".join(f"{number.web()} ({name})" for name, number in numbers),
                 " or ".join(f"{number.spoken()} ({name})" for name, number in numbers))


class CouncilTaxVerificationStep:
    """Mixin for a JourneyForm with the slots `ct_account` and `postcode`."""

    own_intents: frozenset

    def verification_questions(self, tracker: Tracker) -> List[Text]:
        return [] if verified(tracker) else ["ct_account", "postcode"]

    async def extract_ct_account(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "ct_account":
            return {}
        named = latest_entity(tracker, "reference")
        if named and _ACCOUNT.match(str(named)):
            return {"ct_account": str(named)}
        return self.answer_for("ct_account", tracker)  # type: ignore[attr-defined]

    @skip_empty
    async def validate_ct_account(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if verified(tracker):
            return {"ct_account": tracker.get_slot("ct_account")}
        if tracker.get_slot("ct_account") is None:
            return {"ct_account": None}  # a failed verification just now, from the postcode's validation
        number = (understanding.digits_in(str(value), 8)  # "ok found it 3854 5118"
                  or understanding.digits_in(said_one_by_one(str(value)), 8) or "")  # "three eight double five..."
        if not _ACCOUNT.match(number):
            example = unmarked_reference("3854 5118")
            return not_understood(
                dispatcher, tracker, "ct_account",
                reply_message("A council tax account number has 8 digits, like {example}. You'll find it at the top "
                              "of your council tax bill.", example=example),
                reply_message("What's the 8-digit number at the top of your council tax bill? You can {type}, like "
                              "{example}.", type=Words("type it with spaces", "say it digit by digit"),
                              example=example),
                expects="account_number",
            )
        postcode = tracker.get_slot("postcode")
        if postcode:
            return await self._verify(number, postcode, dispatcher, tracker)
        return {"ct_account": number}

    async def extract_postcode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if latest_entity(tracker, "postcode"):
            return {}  # the domain's mapping has it already
        return self.answer_for("postcode", tracker)  # type: ignore[attr-defined]

    @skip_empty
    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if verified(tracker):
            return {"postcode": value}
        if tracker.get_slot("postcode") is None:
            return {"postcode": None}  # a failed verification just now, from the account number's validation
        postcode = postcodes.normalise(str(value)) or postcodes.find_in_text(str(value))
        if not postcode:
            tell(dispatcher, "Sorry, that isn't a postcode I recognise. A postcode looks like {example}.",
                 example=Postcode("PR7 1DP"), expects="postcode")
            return {"postcode": None}
        account = tracker.get_slot("ct_account")
        if account and _ACCOUNT.match(str(account)):
            return await self._verify(str(account), postcode, dispatcher, tracker)
        return {"postcode": postcode}

    async def _verify(
        self, account: Text, postcode: Text, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        forget = {"ct_account": None, "postcode": None}
        lock = await verification_lock(tracker)  # a lock may have come from elsewhere since the journey started
        if lock is not None:
            return {**forget, **stop_journey(dispatcher, lock_message(lock), tracker.get_slot("council"))}
        try:
            result = await call(council_records_client().verify_council_tax, account, postcode)
        except VerificationLocked as refused:
            # The resident can't unlock it themselves: stopped like any journey that can't go on, so with a staff
            # console they are offered a person, who sees why (handover_reason).
            locked_out = reply_message(ACCOUNT_LOCKED, time=say_time(refused.until), phone=council_phone_words(tracker))
            return {**forget, **stop_journey(dispatcher, locked_out, tracker.get_slot("council"))}
        except VerificationFailed as failed:
            attempts = await record_failed_verification(tracker)
            if attempts >= MAX_ATTEMPTS:
                return {**forget, **stop_journey(
                    dispatcher, "Sorry, those details still don't match an account, and that was the third try. "
                    + LOCKED, tracker.get_slot("council"))}
            lock = await verification_lock(tracker)
            if lock is not None:  # the client's limit, reached by this try
                return {**forget, **stop_journey(dispatcher, f"Sorry, those details don't match an account. "
                                                 f"{lock_message(lock)}", tracker.get_slot("council"))}
            left = MAX_ATTEMPTS - attempts
            tell(dispatcher, "{message} You have {left} more {tries}.", message=failed.resident_message, left=left,
                 tries="try" if left == 1 else "tries")
            return forget
        except CouncilServiceError as error:
            return {"ct_account": None, **stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))}
        summary = result.account
        tell(dispatcher, "Thank you, you're verified for the council tax account at {address}.",
             address=Address(summary.address))
        return {
            "ct_account": summary.account_number,
            "postcode": postcode,
            "ct_token": result.token,
            "council": summary.council,
            **self.after_verified(summary, dispatcher),
        }

    def after_verified(self, summary: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        """Journeys can react to the account's summary; return extra slots to set."""
        return {}


def say_next_instalment(account: Any) -> Text:
    return next_instalment_words(account).web_text


def next_instalment_words(account: Any) -> Words:
    """The next instalment, for a reply (replies/): its amount and date as a caller would say them."""
    nxt = account.next_instalment
    if nxt is None:
        return said("There are no more instalments to pay this year.")
    return phrase("Your next instalment is **{amount}**, due on {day}.{late}", amount=Money(nxt.amount),
                  day=Words(nxt.due_date_text, Day(nxt.due_date).spoken()),
                  late=" It is overdue." if nxt.overdue else "")


class ActionStartCouncilTax(Action):
    """Starts a council tax journey clean, keeping a verification made earlier in this conversation; refuses to
    start once three tries have failed in this conversation, or too many from its client."""

    def name(self) -> Text:
        return "action_start_council_tax"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = reset_journey()
        lock = await locked(tracker)
        if lock is not None:  # nothing the resident can do here: stopped as stop_journey stops any journey
            stopped = stop_journey(dispatcher, lock_message(lock), tracker.get_slot("council"))
            events.extend(SlotSet(slot, value) for slot, value in stopped.items())
        return events


class ActionAskCtAccount(Action):
    """The account number question, unless the last answer's validation already asked it in other words."""

    def name(self) -> Text:
        return "action_ask_ct_account"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return ask(dispatcher, tracker, "utter_ask_ct_account")
