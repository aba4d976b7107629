"""Finding the resident's address: a postcode, then one address from the buttons (or typed, like "number 12")."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import councils
from councils import postcodes
from replies import Address, Link, Postcode, Words, tell

from ..clients import CouncilServiceError, InvalidPostcode, address_client
from . import understanding
from .echo import echoed
from .journey_form import skip_empty, stop_journey
from .said import Said, say, with_part
from .second_tries import ask, asked_again, misfits, not_understood
from .services import call
from .tracker_text import is_answer, latest_entity, latest_text

NOT_LISTED = "not_listed"
NEARBY = "nearby"  # a problem near the postcode but not at an address (an alley, a park)
FIND_YOUR_COUNCIL = "https://www.gov.uk/find-local-council"
MOST_ADDRESS_BUTTONS = 12  # more than this on a street: ask the house number first
# "it's not listed", "my address isn't there": what a caller (who has no button) says for "My address isn't listed".
_NOT_LISTED_WORDS = re.compile(r"\b(not|isn'?t|isnt|is not) (listed|there|on (the|your|that) list|in the list)\b", re.I)
STREET_EXAMPLE = "like “14 Station Road, Bamber Bridge”"
ADDRESS_REASONS = {
    "relative": "I can't tell which house that is from here. Please tell me your own house number or name.",
    "which_flat": "There are flats at that number. Which flat is it? For example, “flat 2”.",
    "several": "More than one address here matches that. Please add the street, or choose from the list.",
    "not_found": "I can't find that house number in the list.",
    "no_number": "I couldn't match that to one address. Please tell me the house number or name.",
}


class AddressStep:
    """Mixin for a JourneyForm with the slots `postcode` and `uprn`."""

    allow_nearby = False  # problem reports may be near an address rather than at one

    async def extract_postcode(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # The domain's entity mapping takes a recognised postcode; here we catch what the NLU did not recognise
        # ("banana", "PR99"), so the resident hears why it failed instead of the same question again.
        if tracker.get_slot("requested_slot") != "postcode" or latest_entity(tracker, "postcode"):
            return {}
        if not is_answer(tracker, self.answer_intents(tracker)):
            return {}
        text = latest_text(tracker)
        return {"postcode": postcodes.find_in_text(text) or text}

    @skip_empty
    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        typed = str(value or "")
        try:
            result = await call(address_client().lookup_postcode, typed)
        except InvalidPostcode:
            try:
                by_street = await self._find_by_street(dispatcher, tracker)
            except CouncilServiceError as error:
                return {"postcode": None, **stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))}
            if by_street is not None:
                return by_street
            if understanding.says_no_postcode(typed):
                first = Said(f"No problem. What's your house number, street and town? For example, "
                             f"{STREET_EXAMPLE[5:]}.")
            else:
                first = Said("Sorry, “{typed}” isn't a postcode I recognise. A postcode looks like {one} or {other}.",
                             typed=echoed(typed, limit=40), one=Postcode("PR7 1DP"), other=Postcode("PR25 2AX"))
            return not_understood(
                dispatcher, tracker, "postcode", first,
                Said("What's the postcode? It's on your council tax bill and most letters, like {example}. If you "
                     f"don't know it, tell me your house number, street and town, {STREET_EXAMPLE}.",
                     example=Postcode("PR7 1DP")),
                expects="postcode",
            )
        except CouncilServiceError as error:
            return {"postcode": None, **stop_journey(dispatcher, error.resident_message, tracker.get_slot("council"))}
        if not result.in_area:
            outside = result.message or result.postcode + " is not in Chorley or South Ribble."
            say(dispatcher, Said(
                "{outside} I can only help with Chorley and South Ribble. If you live elsewhere, {link}.",
                outside=with_part(outside, result.postcode, Postcode(result.postcode)),
                link=Link(FIND_YOUR_COUNCIL, "find your council on GOV.UK", "find your council on the GOV.UK website")))
            return {"postcode": None}
        if not result.addresses:
            tell(dispatcher, "I couldn't find any addresses at {postcode}. Please check it and tell me again.",
                 postcode=Postcode(result.postcode))
            return {"postcode": None}
        candidates = [_candidate(a) for a in result.addresses]
        chosen: Dict[Text, Any] = {"uprn": None, "address": None}
        if len(candidates) == 1 and not self.allow_nearby:
            chosen = self._choose(candidates[0])
        return {
            "postcode": result.postcode,
            "address_candidates": candidates,
            "council": result.council or tracker.get_slot("council"),
            **chosen,
        }

    async def extract_uprn(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != "uprn":
            return {}
        picked = latest_entity(tracker, "uprn")
        if picked:
            return {"uprn": str(picked)}
        if not is_answer(tracker, self.answer_intents(tracker)):
            return {}
        return {"uprn": latest_text(tracker)}

    @skip_empty
    async def validate_uprn(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        candidates: List[Dict[Text, Any]] = tracker.get_slot("address_candidates") or []
        typed = str(value or "").strip()
        if typed == NOT_LISTED or _NOT_LISTED_WORDS.search(typed):
            tell(dispatcher, "Sorry about that. Please check the postcode, or tell me your house number and street "
                 f"instead, {STREET_EXAMPLE}.")
            return {"uprn": None, "postcode": None, "address_candidates": None}
        if typed == NEARBY and self.allow_nearby:
            return {"uprn": NEARBY, "address": f"Near {tracker.get_slot('postcode')}"}
        match = next((c for c in candidates if c["uprn"] == typed), None)
        if match is None:
            reading = understanding.choose_address(typed, candidates)
            match = reading.chosen
            if match is None:
                return not_understood(
                    dispatcher, tracker, "uprn", ADDRESS_REASONS.get(reading.why or "", ADDRESS_REASONS["no_number"]),
                    Said("{how}", how=Words(
                        "Please choose your address from the buttons, or type just the house number, like “14”, "
                        "or the house name. If it isn't there, choose “My address isn't listed”.",
                        "You can also say the house name. If your address isn't on my list, say “not listed”.")),
                    expects="address",
                )
        return {**self._choose(match), **await self.after_address_chosen(match, dispatcher, tracker)}

    @staticmethod
    def _choose(candidate: Dict[Text, Any]) -> Dict[Text, Any]:
        chosen = {"uprn": candidate["uprn"], "address": candidate["address"], "council": candidate.get("council")}
        if candidate.get("postcode"):  # found by street: the postcode slot held the street until now
            chosen["postcode"] = candidate["postcode"]
        return chosen

    async def _find_by_street(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Optional[Dict[Text, Any]]:
        """A resident without a postcode: "I don't know my postcode, I live on Duddle Lane", then maybe the house
        number or the town in the next message. The addresses on that street to choose from; None if no street was
        said in the messages answering this question."""
        texts = answers_to(tracker, "postcode")
        said = next((found for found in (understanding.street_in(t, _towns()) for t in texts) if found), None)
        if said is None:
            return None
        whole = await call(address_client().search_street, said.street)
        if not whole.towns:
            return not_understood(
                dispatcher, tracker, "postcode",
                Said("Sorry, I can't find a street called {street} in Chorley or South Ribble. "
                     "Please check the spelling, or tell me the postcode.", street=echoed(said.street, limit=40)),
                Said(f"What's the postcode, or your house number, street and town? For example, {STREET_EXAMPLE[5:]}."),
                expects="postcode",
            )
        town = next((t for text in texts for t in whole.towns if t.lower() in text.lower()), None)
        if town is None and len(whole.towns) == 1:
            town = whole.towns[0]
        if town is None:
            tell(dispatcher, "There's a {street} in {towns}. Which town is yours?", street=whole.street,
                 towns=_listing(whole.towns), expects="town")
            return {"postcode": None}
        house = next((h for h in (understanding.street_in(t, _towns()) for t in texts) if h and h.house), None)
        number = house.house if house else next(
            (n for n in (_house_alone(t) for t in texts) if n), None)
        found = await call(address_client().search_street, whole.street, town, number)
        if not found.addresses and number:
            everyone = await call(address_client().search_street, whole.street, town)
            missing = Said("I can't find number {number} on {street}, {town}.", number=echoed(number, limit=20),
                           street=whole.street, town=town)
            if len(everyone.addresses) > MOST_ADDRESS_BUTTONS:
                return not_understood(
                    dispatcher, tracker, "postcode",
                    Said("{missing} Please check the number, or tell me the postcode.", missing=missing),
                    Said("{missing} What's the postcode? It's on your council tax bill and most letters.",
                         missing=missing),
                    expects="postcode",
                )
            say(dispatcher, Said("{missing} Here are the addresses I have there.", missing=missing))
            found = everyone
        if len(found.addresses) > MOST_ADDRESS_BUTTONS and not number:
            tell(dispatcher, "I've found {street} in {town}. What's your house number or name?", street=whole.street,
                 town=town, expects="house")
            return {"postcode": None}
        candidates = [_candidate(a) for a in found.addresses]
        if len(candidates) == 1:
            chosen = candidates[0]
            tell(dispatcher, "I've found {address}.", address=Address(chosen["address"]))
            return {"postcode": chosen["postcode"], "address_candidates": candidates, **self._choose(chosen),
                    **await self.after_address_chosen(chosen, dispatcher, tracker)}
        return {
            "postcode": f"{whole.street}, {town}",  # what the address question names until one is chosen
            "address_candidates": candidates[:40],
            "council": candidates[0]["council"] if candidates else tracker.get_slot("council"),
            "uprn": None,
            "address": None,
        }

    async def after_address_chosen(
        self, chosen: Dict[Text, Any], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[Text, Any]:
        """Journeys can react to the address (look up its bins); return extra slots to set."""
        return {}


def match_address(text: Text, candidates: List[Dict[Text, Any]]) -> Optional[Dict[Text, Any]]:
    """Match "12", "number 12", "flat 3" or "12 Market Street" to exactly one address, or None."""
    return understanding.choose_address(text, candidates).chosen


def _candidate(found: Any) -> Dict[Text, Any]:
    return {"uprn": found.uprn, "address": found.address, "house": found.house, "council": found.council,
            "street": found.street, "postcode": found.postcode}


def answers_to(tracker: Tracker, slot: Text) -> List[Text]:
    """The resident's messages since `slot` was first asked (as `misfits` counts them), the latest first."""
    texts = [str(e.get("text") or "") for e in reversed(tracker.events or []) if e.get("event") == "user"]
    return texts[: max(1, misfits(tracker, slot))]


def _towns() -> List[Text]:
    return [town for council in councils.all_councils() for town in council.get("towns", [])]


def _house_alone(text: Text) -> Optional[Text]:
    """"14", "number 14", "it's the old forge": a house said without its street."""
    flat, number = understanding.address_wanted(text)
    if flat and number:
        return f"Flat {flat}, {number}"
    return number or (f"Flat {flat}" if flat else None)


def _listing(names: List[Text]) -> Text:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class ActionAskUprn(Action):
    """Asks which address, with a button for each one at the postcode."""

    def name(self) -> Text:
        return "action_ask_uprn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        candidates = tracker.get_slot("address_candidates") or []
        buttons = [{"title": c["address"], "payload": f'/inform{{"uprn":"{c["uprn"]}"}}'} for c in candidates]
        if tracker.active_loop.get("name") == "problem_report_form":
            buttons.append({"title": "Not at an address: near this postcode", "payload": f'/inform{{"uprn":"{NEARBY}"}}'})
        buttons.append({"title": "My address isn't listed", "payload": f'/inform{{"uprn":"{NOT_LISTED}"}}'})
        place = str(tracker.get_slot("postcode") or "")
        where = (Said("at {postcode}", postcode=Postcode(place)) if postcodes.normalise(place)
                 else Said("on {street}", street=place))
        # A caller hears no list: the phone channel asks for the house number or a key itself, so the question
        # only names the place.
        if asked_again(tracker, "uprn"):
            question = Said("{opening} {where}{rest}", where=where,
                            opening=Words("Here are the addresses", "Let's try again. Which address"),
                            rest=Words(" again. Which one is yours?", " is yours?"))
        else:
            question = Said("Which address {where}?{how}", where=where,
                            how=Words(" Choose one, or tell me the house number or name.", ""))
        say(dispatcher, question, buttons=buttons, expects="address")
        return []


class ActionAskPostcode(Action):
    """The postcode question, unless the last answer already brought a question of its own ("Which town?")."""

    def name(self) -> Text:
        return "action_ask_postcode"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        return ask(dispatcher, tracker, "utter_ask_postcode")
