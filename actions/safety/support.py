"""Support in distress: what the assistant says after an urgent reply, until the resident asks for a council service.

A follow-up never gets "I didn't understand" or a menu of bin tasks. It gets a short, warm reply with the most
relevant help for what they said, and the offer of a person; practical questions get real answers:
- clearing this conversation from their device (someone may check it),
- who answers now that the offices are shut,
- how to reach a person, and more places to get help.
A plain request for a council service leaves the mode (domain.yml: support_mode's from_intent mapping), and so does
saying they're OK now.
"""
from __future__ import annotations

import re
from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from council_nlu.urgent_screen import load_screen, screen

from replies import PhoneNumber

from ..common.said import Said, joined, say
from ..common.tracker_text import latest_intent, latest_text, recent_bot_text
from ..common.wording import council_name
from .help_lines import main_lines, may_be_danger_to_life, more_lines, ordered, twenty_four_hour_lines
from .urgent_help import SUPPORT_KINDS, SUPPORT_MODE, remembered_kinds

WEBCHAT_CHANNEL = "webchat"
PHONE_CHANNEL = "phone"
DOMESTIC_ABUSE_HELPLINE = "0808 2000 247"

_CLEAR = re.compile(
    r"\b(delete|clear|erase|wipe|remove|hide|get rid of|cover up)\b.*\b(chat|conversation|messages?|history|this|it|"
    r"what i (wrote|said|typed|put))\b"
    r"|\b(see|read|find|know|check|look at|look through|go through)\b.*\b(this chat|this conversation|the chat|these "
    r"messages|what i (wrote|said|typed)|im talking|i was talking|i have been talking|ive been talking|i talked|i was "
    r"chatting|i contacted|i messaged)\b"
    r"|\b(checks|check|looks at|goes through|reads) my (phone|laptop|computer|tablet|messages|history)\b"
    r"|\b(private|secret|safe to talk|anyone see|can he see|can she see|can they see|will he see|will she see)\b"
)
_OUT_OF_HOURS = re.compile(
    r"\b(shut|closed|close|closing|out of hours|after hours|tonight|weekend|saturday|sunday|bank holiday|night|"
    r"evening|no ?one (is )?answer\w*|nobody (is )?answer\w*|not answering|no answer|cant get through|"
    r"what (do|can|should) i do( now)?|where (do|can|should|will) i (go|sleep|stay)|who (do|can|should) i "
    r"(call|ring|phone|contact|talk to|speak to)|right now|open now|anyone (there|now)|is anyone)\b"
)
_PERSON = re.compile(
    r"\b(talk|speak|chat) (to|with) (a |an |some |)?(person|human|someone|somebody|anyone|real|actual|people)\b"
    r"|\b(a real person|a human|someone real|call someone|ring someone|phone someone)\b"
)
_MORE = re.compile(r"\b(more|other|else|another|different|any other)\b.*\b(help|number|numbers|places|options|"
                   r"people|someone|services|support|lines?|ideas)\b|\bwhat else\b|\bmore please\b|^more\b")
_OK_NOW = re.compile(
    r"\b(im|i am|feeling|i feel|i m|all|were|we are|shes|hes|they are|theyre|everyone is)( much| a bit| a lot)? "
    r"(ok|okay|fine|better|alright|all right|safe|sorted)( now| again| thanks| thank you|$)"
    r"|\b(i dont need (help|anything|support)|no need to worry|it was a joke|just joking|only joking|"
    r"i was joking|wrong (button|thing|chat)|false alarm)\b"
)


def _tidy(text: Text) -> Text:
    return " ".join(load_screen().sentences(text))


def clear_chat_answer(channel: Optional[Text]) -> Said:
    if channel == PHONE_CHANNEL:
        # A call leaves no messages on the device, only this number in the call history.
        return Said(
            "Yes. Nothing we say is kept on your phone, but your call history will show this number. You can "
            "delete it from your call history after the call. If someone checks your phone, the National Domestic "
            "Abuse Helpline, {number}, any time, can help you stay safe.", number=PhoneNumber(DOMESTIC_ABUSE_HELPLINE))
    if channel == WEBCHAT_CHANNEL:
        how = ("In this chat window, press Restart: it clears these messages from this device and starts again. "
               "Closing the window alone does not clear them.")
    else:
        how = "Close this chat and clear it from the app or browser you're using, if it keeps a copy."
    return Said(
        "Yes. {how} Your browser history will still show you visited the council's website. You may want to "
        "clear your history too, or use a private window next time. What you've told me is not shown on your "
        "device once it's cleared. If someone checks your phone or computer, the National Domestic Abuse Helpline "
        "({number}, any time) can help you stay safe online.", how=how, number=PhoneNumber(DOMESTIC_ABUSE_HELPLINE))


def warm_words(kinds: List[Text], text: Text, just_said: Text = "") -> Text:
    """Warm words for what they said, without a sentence the bot said just before ("Thank you for telling me."
    twice in a row reads as a script)."""
    words = _warm_words(kinds, text)
    sentences = re.findall(r"[^.!?]+[.!?]", words)
    fresh = [s.strip() for s in sentences if s.strip().lower() not in just_said.lower()]
    if len(fresh) == len(sentences):
        return words
    return " ".join(fresh) or "I'm still here with you."


def _warm_words(kinds: List[Text], text: Text) -> Text:
    tidy = _tidy(text)
    if re.search(r"\b(alone|lonely|no ?one|nobody)\b", tidy):
        return "I'm sorry you're feeling so alone. You did the right thing by reaching out."
    if re.search(r"\b(scared|frightened|terrified|afraid)\b", tidy):
        return "That sounds really frightening. You don't have to face it on your own."
    if re.search(r"\b(cry|crying|sad|upset|hurt|hurting|pain)\b", tidy):
        return "I'm so sorry you're hurting. Thank you for telling me."
    if re.search(r"\b(sorry|waste|bother|silly|stupid)\b", tidy):
        return "There's nothing to be sorry for. You're not wasting anyone's time."
    if kinds and kinds[0] == "homeless":
        return "I'm sorry, that sounds really hard. Let's get you somewhere safe tonight."
    if kinds and kinds[0] == "debt":
        return "That sounds really stressful. Help with money worries is free and there's no judgement."
    return "Thank you for telling me. That sounds really hard."


OFFER_PERSON = "Would you like to talk to a person now? Just say yes, or tell me more."
OFFER_PERSON_AGAIN = "I'm still here. If you'd like to talk to a person, just say yes."


def follow_up_reply(kinds: List[Text], text: Text, council: Optional[Text], just_said: Text = "") -> Said:
    """Warm words for what they said, the one most relevant line, and the offer of a person. `just_said`: the bot's
    previous reply; its warm words and offer are not said again word for word straight away. The help line is: it
    is what they most need, and on the phone a second chance to write the number down."""
    line = main_lines(kinds, council)[0]
    offer = OFFER_PERSON_AGAIN if OFFER_PERSON.lower() in just_said.lower() else OFFER_PERSON
    return Said("{warm}\n{line}\n{offer}", warm=warm_words(kinds, text, just_said), line=line, offer=offer)


class ActionSupportReply(Action):
    def name(self) -> Text:
        return "action_support_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if self.asks_for_person(tracker):
            return await self.hand_over(dispatcher, tracker)
        events = self.respond(dispatcher, tracker)
        if any(e.get("name") == SUPPORT_MODE and e.get("value") is False for e in events):
            # Leaving the mode changes the slot every "in distress" rule is conditioned on, so no rule says to
            # listen after this reply, and the policy fell back again and again ("Sorry, I didn't understand"
            # nine times after "I'm glad"): the turn ends here.
            events.append(FollowupAction("action_listen"))
        return events

    @staticmethod
    def asks_for_person(tracker: Tracker) -> bool:
        """Whether `respond` would answer with the offer of a person (the same checks, in the same order)."""
        text = latest_text(tracker)
        intent = latest_intent(tracker)
        tidy = _tidy(text)
        if _OK_NOW.search(tidy) and not screen(text).kinds:
            return False
        if _CLEAR.search(tidy) or _MORE.search(tidy):
            return False
        if intent in ("ask_opening_hours", "ask_contact_details", "ask_housing") or _OUT_OF_HOURS.search(tidy):
            return False
        return intent in ("request_human", "affirm") or bool(_PERSON.search(tidy))

    async def hand_over(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """A person from customer services, first in their queue, with the help that is open now said first; with
        no staff console (or on the phone), every route to a person as before."""
        from ..handover.handing_over import hand_over

        text = latest_text(tracker)
        said_now = list(screen(text).kinds)
        kinds = ordered(said_now + remembered_kinds(tracker)) or ["unclear"]
        council = tracker.get_slot("council")
        events: List[EventType] = [SlotSet(SUPPORT_KINDS, kinds)] if said_now else []

        async def as_before() -> List[EventType]:
            say(dispatcher, self._person(kinds, council))
            return []

        lead = Said("You can talk to someone now, at any time:\n{lines}",
                    lines=joined(twenty_four_hour_lines(kinds, council)))
        return events + await hand_over(dispatcher, tracker, "urgent help: asked for a person", fallback=as_before,
                                        urgent=True, lead=lead, urgent_lines_given=True)

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        text = latest_text(tracker)
        intent = latest_intent(tracker)
        tidy = _tidy(text)
        said_now = [k for k in screen(text).kinds]
        kinds = ordered(said_now + remembered_kinds(tracker)) or ["unclear"]
        council = tracker.get_slot("council")
        events: List[EventType] = [SlotSet(SUPPORT_KINDS, kinds)] if said_now else []

        if _OK_NOW.search(tidy) and not said_now:
            say(dispatcher, Said(
                "I'm glad. If things change, help is there at any time: {line} "
                "If there's anything else, like a council service, just ask.", line=main_lines(kinds, council)[0]))
            return events + [SlotSet(SUPPORT_MODE, False)]
        if _CLEAR.search(tidy):
            say(dispatcher, clear_chat_answer(tracker.get_latest_input_channel()))
            return events
        if intent in ("ask_opening_hours", "ask_contact_details", "ask_housing") or _OUT_OF_HOURS.search(tidy):
            lines = twenty_four_hour_lines(kinds, council)
            danger = (Said("If anyone is in danger now, call {number}.\n", number=PhoneNumber("999"))
                      if may_be_danger_to_life(kinds) else "")
            say(dispatcher, Said(
                "{danger}When the council offices are shut, you can still get help now:\n{lines}"
                "\nI'm still here if you want to keep talking.", danger=danger, lines=joined(lines)))
            return events
        if _MORE.search(tidy):
            extra = more_lines(kinds, council)
            lines = extra or main_lines(kinds, council)
            say(dispatcher, Said("Here is more help:\n{lines}\nWould you like to talk to a person? Just say yes.",
                                 lines=joined(lines)), expects="yes_no")
            return events
        if intent in ("request_human", "affirm") or _PERSON.search(tidy):
            say(dispatcher, self._person(kinds, council))
            return events
        if intent == "bot_challenge":
            say(dispatcher, Said("I'm an automated assistant, not a person. But I can tell you who to talk to. {person}",
                                 person=self._person(kinds, council)))
            return events
        if intent in ("goodbye", "thank"):
            say(dispatcher, Said(
                "Take care of yourself. Help is there at any time: {line} You can come back and talk to me whenever "
                "you need.", line=main_lines(kinds, council)[0]))
            return events
        say(dispatcher, follow_up_reply(said_now or kinds, text, council, recent_bot_text(tracker)))
        return events

    @staticmethod
    def _person(kinds: List[Text], council: Optional[Text]) -> Said:
        lines = twenty_four_hour_lines(kinds, council)
        from councils import COUNCIL_IDS, load_council

        ids = [council] if council in COUNCIL_IDS else list(COUNCIL_IDS)
        office = joined((Said("{short} {number}", short=load_council(c)["short_name"],
                              number=PhoneNumber(load_council(c)["contact"]["phone"])) for c in ids), "; ")
        hours = load_council(ids[0])["contact"]["phone_hours"]
        return Said("You can talk to a person now:\n{lines}\n{council} in office hours ({hours}): {office}.",
                    lines=joined(lines), council=council_name(council), hours=hours, office=office)
