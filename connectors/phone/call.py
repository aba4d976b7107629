"""One webhook of one call (connectors/phone/channel.py receives it): what the caller's answer means, what Rasa
makes of it, and what the caller hears next, as a Turn (twiml.py).

The line's own questions (a postcode read back, a text message offered, a person offered, which council) are kept
in the call's state (`pending`, calls.py) and answered here without Rasa; everything else goes to Rasa through the
guard. The bot's question (`prompt`) is kept too, so a reprompt, "repeat" or the end of one of the line's own
questions can say it again.
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict
from typing import Any, Dict, List, Optional, Text
from urllib.parse import quote

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

import councils
from connectors.card_numbers import contains_card_number
from connectors.guard import Admitted
from replies import speech

from . import spoken, staff
from .calls import CallState, Prompt
from .keypad_postcode import KeyedPostcodeFinder, differing_position, is_keyed_postcode, say_start
from .texts import last_digits, uk_mobile
from .twiml import Turn
from .wording import words

logger = logging.getLogger(__name__)

CHANNEL_NAME = "phone"
ANYTHING_ELSE = "anything_else"  # the line's own question once a journey is over
# What a question expects that may be keyed in as several digits, even when it also offers a menu.
KEYED_ANSWERS = {"email_or_phone", "number", "amount", "reference", "house", "address", "postcode", "description",
                 "callback_number"}
MAX_MENU_READ_OUT = 5  # more options than this (an address list) are chosen by house number, never read out
# Replies that mean the bot did not understand (actions/conversation/actions.py): they count as reprompts.
MISUNDERSTANDINGS = {"action_misunderstood", "action_default_fallback"}
# The bot's answer to wanting a person: the line puts the caller through itself (action_handover is the handover
# design's, docs/handover.md; action_contact_routes answered request_human before it).
PERSON_ACTIONS = {"action_handover", "action_contact_routes"}
# Out of hours with a staff console, the assistant's callback form (docs/handover.md, actions/handover/callback.py)
# takes the caller's request: the line starts it, as the assistant's action_handover leaves callers to the line.
CALLBACK_FORM = "callback_form"
CALLBACK_ACTION = "action_request_callback"
CALLBACK_SLOTS = ("callback_wanted", "callback_name", "callback_contact", "callback_time", "callback_about")
# What the callback request will carry (action_request_callback reads it): the call's summary when it was asked for.
CALLBACK_DETAILS_SLOT = "handover_details"
COUNCIL_METADATA = "council"  # as the web chat sends its site's council (connectors/webchat_metadata.py)
CALLBACK_NUMBER = "callback_number"  # what the form's number question expects on the phone: yes, or a number
# A journey is over when the bot said one of these: the call ends after it.
ENDINGS = {"action_goodbye", "utter_after_deny"}
# Questions a postcode answers, so a postcode keyed in (keypad_postcode.py) is read as one.
POSTCODE_QUESTIONS = ("postcode", "description")
FEW_POSTCODES = 4  # read out as a keypad menu; more are narrowed one character at a time first
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


class PhoneOutput(CollectingOutputChannel):
    """Keeps each bot message whole (text, buttons and the `say` metadata of replies/) for the call's TwiML."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.messages.append(dict(message))


async def tracker_of(request: Request, call_sid: Text) -> Any:
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or not call_sid:
        return None
    try:
        return await agent.tracker_store.retrieve(call_sid)
    except Exception as error:
        logger.warning("Phone line: the conversation could not be read (%s).", type(error).__name__)
        return None


def routes_spoken(council: Optional[Text]) -> Text:
    from actions.common.wording import contact_routes_part

    return contact_routes_part(council).spoken()


def _yes_no_hints() -> Text:
    return spoken.speech_hints("yes_no")


_default_finder: Optional[KeyedPostcodeFinder] = None


def keyed_postcode_finder(channel: Any) -> KeyedPostcodeFinder:
    """The channel's own finder (tests give one), or one asking the council's address service."""
    global _default_finder
    own = getattr(channel, "keyed_postcodes", None)
    if own is not None:
        return own
    if _default_finder is None:
        _default_finder = KeyedPostcodeFinder()
    return _default_finder


class Call:
    """One webhook of one call: reads the answer, decides what the caller hears next, and keeps the call's state."""

    def __init__(self, channel: PhoneInput, request: Request, form: Dict[Text, Text], on_new_message) -> None:
        self.channel = channel
        self.request = request
        self.form = form
        self.on_new_message = on_new_message
        self.sid = form["CallSid"]
        self.speech = (form.get("SpeechResult") or "").strip()
        self.digits = (form.get("Digits") or "").strip()
        self.state: CallState = CallState(self.sid)
        self.tracker: Any = None

    @property
    def agent(self) -> Any:
        return getattr(self.request.app.ctx, "agent", None)

    async def answer(self) -> Turn:
        state = await self.channel.calls.load(self.sid)
        self.state = state or CallState(self.sid, caller=self.form.get("From") or "",
                                        assistant_number=self.form.get("To") or "")
        turn = await self._answer()
        if turn.hang_up:
            await self.channel.calls.drop(self.sid)
        else:  # put through: kept (until it expires or the call ends) so the hang-up can tell the console
            await self.channel.calls.save(self.state)
        return turn

    async def _answer(self) -> Turn:
        if not self.state.started:
            self.state.started = True
            return await self.to_rasa("/greet", opening=True)
        if not self.speech and not self.digits:
            return self.silence()
        if self.speech and spoken.is_repeat_request(self.speech):
            return self.repeat()
        if spoken.is_person_request(self.speech, self.digits) and self.state.pending.get("kind") != "which_council":
            return await self.transfer(reason="asked_for_person")  # whatever was being asked
        kind = self.state.pending.get("kind")
        handler = getattr(self, f"_pending_{kind}", None) if kind else None
        if handler is not None:
            return await handler()
        if self.speech and spoken.is_goodbye(self.speech):
            # Mid-journey, "goodbye" would be taken as the answer ("goodbye isn't a postcode"): the caller is
            # leaving, so the line says goodbye itself, and the hang-up's status callback ends the journey unsent.
            self.tracker = self.tracker or await tracker_of(self.request, self.sid)
            if self.tracker is not None and self.tracker.active_loop_name:
                return self._ending(Turn([words("goodbye_mid_journey")]))
            turn = await self.to_rasa(self.speech)
            return self._ending(turn)
        if self.digits and self.state.prompt.expects == ANYTHING_ELSE:  # a keypad caller's answer to it
            if self.digits.startswith("1"):
                return await self.to_rasa("/greet")  # the menu again
            if self.digits.startswith("2"):
                return self._ending(Turn([]))
        if self._keyed_postcode_answer() and self.state.prompt.expects in POSTCODE_QUESTIONS:
            return await self.keyed_postcode()
        text = self._understood()
        if isinstance(text, Turn):
            return text
        if text is None:
            return self.not_understood()
        return await self.to_rasa(text)

    # -- what the caller's answer means ------------------------------------------------------------------------------

    def _understood(self) -> Any:
        """The text for Rasa, a Turn of the line's own (a postcode read back), or None: not understood."""
        prompt = self.state.prompt
        if prompt.expects == CALLBACK_NUMBER:
            return self._callback_number()
        if prompt.options:
            chosen = spoken.choose_option([o.get("title") or "" for o in prompt.options], self.speech, self.digits,
                                          prompt.by_house_number)
            if chosen is not None:
                return prompt.options[chosen].get("payload") or prompt.options[chosen].get("title")
            keyed_answer = len(self.digits) > 1 and prompt.expects in KEYED_ANSWERS and not prompt.by_house_number
            if (self.digits and not keyed_answer) or (prompt.by_house_number and spoken.read_number(self.speech)):
                return None  # a key, or a house number, that is none of the options
        if prompt.expects in ("postcode", "description") and self.speech:
            postcode = spoken.read_postcode(self.speech)
            if postcode:
                return self.read_back(postcode)
            return self.speech  # "behind the shops in Leyland": the bot decides what it is
        if prompt.expects == "email_or_phone" and self.speech:
            number = spoken.read_number(self.speech)
            if number and len(number) >= 10:  # a mobile number said digit by digit
                return number
        if prompt.expects == "yes_no":
            yes = spoken.read_yes_no(self.speech, self.digits)
            if yes is not None:
                return "yes" if yes else "no"
            if self.digits:
                return None
        if prompt.expects in ("number", "amount", "reference") and self.speech:
            read = spoken.read_reference(self.speech) if prompt.expects == "reference" else \
                spoken.read_number(self.speech)
            return read or self.speech
        return self.speech or self.digits

    def _callback_number(self) -> Any:
        """The callback form's number question: yes (the number they are calling from), or another number said
        or keyed in (with the hash key)."""
        number = self.digits if len(self.digits) > 1 else (spoken.read_number(self.speech) if self.speech else None)
        if number and len(number) >= 10:
            return number
        yes = spoken.read_yes_no(self.speech, self.digits)
        if yes:
            options = self.state.prompt.options
            return (options[0].get("payload") or "yes") if options else "yes"
        if yes is False:
            return "no"
        return None if self.digits else self.speech

    def read_back(self, postcode: Text, keyed: bool = False) -> Turn:
        self.state.pending = {"kind": "postcode", "value": postcode, "keyed": keyed,
                              "retried": bool(self.state.pending.get("retried")),
                              "lines": [words("postcode_read_back", postcode=spoken.say_postcode(postcode))]}
        self.state.reprompts = 0
        return Turn(list(self.state.pending["lines"]), hints=_yes_no_hints(), single_key=True)

    async def _pending_postcode(self) -> Turn:
        pending = self.state.pending
        yes = spoken.read_yes_no(self.speech, self.digits)
        if yes:
            self.state.pending = {}
            return await self.to_rasa(pending["value"])
        if yes is False:
            if pending.get("retried"):
                return self.offer_person()
            again = [words("postcode_again")] + ([words("postcode_keypad_how")] if pending.get("keyed") else [])
            self.state.pending = {"kind": "postcode_again", "retried": True, "lines": again,
                                  "hints": spoken.speech_hints("postcode")}
            return Turn(again, hints=spoken.speech_hints("postcode"))
        if self._keyed_postcode_answer():  # keyed again instead of yes or no
            return await self.keyed_postcode()
        postcode = spoken.read_postcode(self.speech) if self.speech else None
        if postcode:  # they said the postcode again instead of yes or no
            return self.read_back(postcode)
        return self.not_understood()

    async def _pending_postcode_again(self) -> Turn:
        """The postcode asked again after a wrong read-back: one more read-back, then the offer of a person."""
        if self._keyed_postcode_answer():
            return await self.keyed_postcode()
        postcode = spoken.read_postcode(self.speech) if self.speech else None
        if postcode:
            return self.read_back(postcode)
        if self.digits:
            return self.not_understood()
        self.state.pending = {}
        return await self.to_rasa(self.speech)

    # -- a postcode keyed in ------------------------------------------------------------------------------------------

    def _keyed_postcode_answer(self) -> bool:
        return not self.speech and is_keyed_postcode(self.digits)

    async def keyed_postcode(self) -> Turn:
        """Keys for a postcode (7 7 7 1 3 7 for PR7 1DP): the postcodes they can be that the address service knows,
        read back when one, offered as a keypad menu when a few, narrowed a character at a time when more."""
        found = await keyed_postcode_finder(self.channel).find(self.digits)
        return self.offer_keyed(found.postcodes, bool(self.state.pending.get("retried")))

    def offer_keyed(self, postcodes: List[Text], retried: bool) -> Turn:
        self.state.reprompts = 0
        if len(postcodes) == 1:
            self.state.pending = {"retried": retried}
            return self.read_back(postcodes[0], keyed=True)
        if not postcodes:
            if retried:
                return self.offer_person()  # said so once already: never a loop
            lines = [words("postcode_keyed_not_found"), words("postcode_keyed_say_instead")]
            self.state.pending = {"kind": "postcode_again", "retried": True, "lines": lines,
                                  "hints": spoken.speech_hints("postcode")}
            return Turn(lines, hints=spoken.speech_hints("postcode"))
        if len(postcodes) <= FEW_POSTCODES:
            said = [spoken.say_postcode(postcode) for postcode in postcodes]
            lines = [words("postcode_keyed_choose")] + [
                words("postcode_keyed_option", number=number, postcode=postcode)
                for number, postcode in enumerate(said, start=1)]
            self.state.pending = {"kind": "keyed_postcode", "postcodes": postcodes, "retried": retried,
                                  "lines": lines, "hints": ", ".join(said)}
            return Turn(lines, hints=", ".join(said), single_key=True)
        position = differing_position(postcodes)
        following = sorted({postcode.replace(" ", "")[position] for postcode in postcodes})
        ask = words("postcode_keyed_next", start=say_start(postcodes[0], position)) if position else \
            words("postcode_keyed_first")
        lines = [ask, spoken.keypad_menu(following)]
        self.state.pending = {"kind": "keyed_postcode_next", "postcodes": postcodes, "position": position,
                              "following": following, "retried": retried, "lines": lines,
                              "hints": ", ".join(following)}
        return Turn(lines, hints=", ".join(following), single_key=len(following) <= spoken.MOST_KEYPAD_OPTIONS)

    async def _pending_keyed_postcode(self) -> Turn:
        """A keypad menu of the postcodes the keys can be: a key, the option said, or the postcode said."""
        postcodes = self.state.pending["postcodes"]
        if self._keyed_postcode_answer():
            return await self.keyed_postcode()
        said = spoken.read_postcode(self.speech) if self.speech else None
        if said and said not in postcodes:
            return self.read_back(said)
        chosen = postcodes.index(said) if said else spoken.choose_option(
            [spoken.say_postcode(p) for p in postcodes], self.speech, self.digits, False)
        if chosen is None:
            return self.not_understood()
        self.state.pending = {}
        return await self.to_rasa(postcodes[chosen])  # heard and chosen: no read-back needed

    async def _pending_keyed_postcode_next(self) -> Turn:
        """Which character comes next, where the postcodes the keys can be differ."""
        pending = self.state.pending
        following: List[Text] = pending["following"]
        if self._keyed_postcode_answer():
            return await self.keyed_postcode()
        chosen: Optional[Text] = None
        if self.digits and not self.speech:
            index = spoken.choose_option(following, None, self.digits, False)
            chosen = following[index] if index is not None else None
        elif self.speech:
            said = spoken.read_letter(self.speech)
            if said == "O" and "O" not in following:
                said = "0"
            if said in following:
                chosen = said
            else:
                postcode = spoken.read_postcode(self.speech)
                if postcode:
                    return self.read_back(postcode)
        if chosen is None:
            return self.not_understood()
        position = pending["position"]
        narrowed = [p for p in pending["postcodes"] if p.replace(" ", "")[position] == chosen]
        return self.offer_keyed(narrowed, bool(pending.get("retried")))

    # -- silence, not understood, repeat ------------------------------------------------------------------------------

    def _question_lines(self) -> List[Text]:
        return list(self.state.pending.get("lines") or self.state.prompt.lines)

    def silence(self) -> Turn:
        if self.state.prompt.expects == ANYTHING_ELSE and not self.state.pending:
            return Turn([words("goodbye")], listen=False, hang_up=True)  # done, and nothing more to say
        return self._reprompt(words("silence_first"), silent=True)

    def not_understood(self) -> Turn:
        return self._reprompt(words("not_understood_first"))

    def _reprompt(self, sorry: Text, silent: bool = False) -> Turn:
        """The first reprompt repeats the question with its keypad options; the second offers a person. After the
        offer of a person, silence ends the call and an answer nobody can make out goes to a person: never a third
        reprompt."""
        if self.state.pending.get("kind") == "person":
            return Turn([words("still_nothing")], listen=False, hang_up=True)  # not reached: _pending_person
        self.state.reprompts += 1
        if self.state.reprompts >= 2:
            return self.offer_person()
        prompt = self.state.prompt
        hints = self.state.pending.get("hints") if self.state.pending else prompt.hints
        return Turn([sorry] + self._question_lines() + self._keypad_postcode_help(), hints=hints or "",
                    single_key=not self.state.pending and self._single_key(prompt))

    def _keypad_postcode_help(self) -> List[Text]:
        """A postcode question asked again tells a caller who can't speak how to key the postcode in."""
        kind = self.state.pending.get("kind")
        asked = (not self.state.pending and self.state.prompt.expects in POSTCODE_QUESTIONS) or \
            kind == "postcode_again"
        help_line = words("postcode_keypad_how")
        return [help_line] if asked and help_line not in self._question_lines() else []

    def repeat(self) -> Turn:
        lines = list(self.state.pending.get("lines") or self.state.prompt.said or self.state.prompt.lines)
        if not lines:
            return Turn([words("nothing_to_repeat")], hints=self.state.prompt.hints)
        hints = self.state.pending.get("hints") if self.state.pending else self.state.prompt.hints
        return Turn([words("repeat_intro")] + lines, hints=hints or "", slow=True)

    # -- a person ------------------------------------------------------------------------------------------------------

    def offer_person(self, reason: Text = "not_understood") -> Turn:
        """`reason`: why a person is offered (wording.yml `reasons`), for the console if they are put through."""
        resume = self.state.pending.get("resume") or asdict(self.state.prompt)
        self.state.pending = {"kind": "person", "resume": resume, "lines": [words("offer_person")],
                              "hints": _yes_no_hints(), "reason": reason}
        return Turn([words("offer_person")], hints=_yes_no_hints(), single_key=True)

    async def _pending_person(self) -> Turn:
        yes = spoken.read_yes_no(self.speech, self.digits)
        reason = self.state.pending.get("reason") or "asked_for_person"
        if yes or spoken.is_person_request(self.speech, self.digits):
            return await self.transfer(reason=reason)
        if yes is False:
            return self.resume(words("carry_on"))
        return await self.transfer(reason=reason)  # twice not understood, and now neither: a person is best

    def council(self) -> Optional[Text]:
        council = self.tracker.get_slot("council") if self.tracker is not None else None
        return council if council in councils.COUNCIL_IDS else councils.council_for_phone_line(self.form.get("To"))

    async def transfer(self, urgent: bool = False, council: Optional[Text] = None,
                       reason: Optional[Text] = None) -> Turn:
        """Put the caller through to the council's staff (recorded in the staff console when there is one)."""
        if self.tracker is None:
            self.tracker = await tracker_of(self.request, self.sid)
        reason = reason or ("urgent" if urgent else "asked_for_person")
        council = council or self.council()
        if council is None and not urgent:
            names = [councils.load_council(cid)["short_name"] for cid in councils.COUNCIL_IDS]
            asked = [words("transfer_which_council"), spoken.keypad_menu(names)]
            self.state.pending = {"kind": "which_council", "lines": asked, "hints": ", ".join(names),
                                  "reason": reason,
                                  "resume": self.state.pending.get("resume") or asdict(self.state.prompt)}
            return Turn(asked, single_key=True, hints=", ".join(names))
        number = staff.transfer_number(council, self.state.assistant_number, urgent=urgent)
        if number and (urgent or staff.staff_available(council)):
            self._record_handover(council, reason, urgent)
            self.state.pending = {}
            self.state.put_through = True
            whisper = f"/webhooks/phone/whisper?call={quote(self.sid)}"
            dialled = f"/webhooks/phone/dialled?council={quote(council or '')}"
            return Turn([words("transfer_connecting", council=staff.council_name(council))],
                        dial=(number, whisper, dialled))
        if number and getattr(self.channel, "console", None) is not None and not self._in_callback_form():
            offered = await self.offer_callback(council, reason)
            if offered is not None:
                return offered
        if number:
            lines = [words("transfer_out_of_hours", hours=staff.hours_said(council)), routes_spoken(council)]
        else:
            lines = [words("transfer_not_possible"), routes_spoken(council)]
        return self.resume(*lines)

    def _in_callback_form(self) -> bool:
        return self.tracker is not None and self.tracker.active_loop_name == CALLBACK_FORM

    def _callback_under_way(self, actions: List[Text]) -> bool:
        """The assistant is asking for, or has just made, a callback request (actions/handover/)."""
        return self._in_callback_form() or CALLBACK_ACTION in actions or CALLBACK_FORM in actions

    async def offer_callback(self, council: Text, reason: Text) -> Optional[Turn]:
        """Out of hours, with a staff console: the assistant's callback form asks whether they want a call back,
        their name, the number (the one they are calling from offered first), a good time and what it is about,
        and its last action puts the request in the console's list. The line starts the form (as Rasa's
        /conversations/{id}/execute would, under the conversation's lock), after clearing any earlier answers to
        it, and says why first. The request will carry the call's summary as it is now (what they wanted, where it
        stopped), not what the form's answers make of it. None when the form can't be started: the routes are
        given as before."""
        agent = self.agent
        if agent is None or getattr(agent, "processor", None) is None or CALLBACK_FORM not in agent.domain.form_names:
            return None
        from rasa.shared.core.constants import ACTION_LISTEN_NAME
        from rasa.shared.core.events import ActionExecuted, SlotSet

        collector = PhoneOutput()
        try:
            handover = self._handover(council, reason, staff.urgent_happened(self.tracker), "callback")
            kept = {key: handover[key] for key in ("council", "reason", "summary", "details", "priority")}
            async with agent.lock_store.lock(self.sid):
                tracker = await agent.processor.fetch_tracker_and_update_session(self.sid, collector)
                for slot in CALLBACK_SLOTS + ("requested_slot",):
                    if slot in tracker.slots:
                        tracker.update(SlotSet(slot, None))
                if CALLBACK_DETAILS_SLOT in tracker.slots:
                    tracker.update(SlotSet(CALLBACK_DETAILS_SLOT, kept))
                await agent.processor.save_tracker(tracker)
                tracker = await agent.execute_action(self.sid, CALLBACK_FORM, collector, None, None)
                # The form asked its question: now the caller's turn, as Rasa's own loop would record it (without
                # it, Rasa would take the caller's answer as a new turn and wait, never giving it to the form).
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                await agent.processor.save_tracker(tracker)
                self.tracker = tracker
        except Exception as error:
            logger.error("Phone line: the callback form could not be started (%s).", type(error).__name__)
            return None
        self.state.pending = {}
        self.state.callback_council = council  # what the form's last action records the request for
        turn = await self.speak(collector.messages, actions=[CALLBACK_FORM])
        return Turn([words("transfer_out_of_hours", hours=staff.hours_said(council))] + turn.lines,
                    listen=turn.listen, hints=turn.hints, single_key=turn.single_key, hang_up=turn.hang_up)

    def _handover(self, council: Optional[Text], reason: Text, urgent: bool, status: Text) -> Dict[Text, Any]:
        """The body of the console's POST /api/v1/handovers for this call (docs/handover.md): the whisper's content
        written for reading, and what the caller was last asked."""
        facts = staff.caller_facts(self.tracker)
        facts.council = facts.council or council
        asked = self.state.prompt.lines[:1]  # what the caller heard last, if the journey's question isn't known
        if facts.journey and not facts.stopped_at and asked:
            facts.stopped_at = asked[0]
        return {"conversation_id": self.sid, "channel": CHANNEL_NAME, "council": council,
                "reason": staff.reason_text(reason), "summary": staff.written_summary(facts, reason),
                "details": facts.details(), "priority": "urgent" if urgent else "normal", "status": status,
                "callback": None}

    def _record_handover(self, council: Optional[Text], reason: Text, urgent: bool) -> None:
        """The staff console's record of this transfer (console.py), sent while the caller hears "Please hold"."""
        console = getattr(self.channel, "console", None)
        if console is None:
            return
        try:
            console.record_soon(self._handover(council, reason, urgent, "waiting"))
        except Exception as error:  # the caller is put through whatever happens here
            logger.warning("Phone line: a transfer could not be recorded (%s).", type(error).__name__)

    async def _pending_which_council(self) -> Turn:
        names = [councils.load_council(cid)["short_name"] for cid in councils.COUNCIL_IDS]
        chosen = spoken.choose_option(names, self.speech, self.digits, False)
        if chosen is None:
            return self.not_understood()
        return await self.transfer(council=councils.COUNCIL_IDS[chosen], reason=self.state.pending.get("reason"))

    async def _pending_urgent(self) -> Turn:
        yes = spoken.read_yes_no(self.speech, self.digits)
        if yes:
            return await self.transfer(urgent=True, council=self.state.pending.get("council"))
        if yes is False:
            return self.resume(words("carry_on"))
        return self.not_understood()

    def resume(self, *lines: Text) -> Turn:
        """Back to the bot's question after one of the line's own."""
        resume = self.state.pending.get("resume")
        if resume:
            self.state.prompt = Prompt(**resume)
        self.state.pending = {}
        self.state.reprompts = 0
        prompt = self.state.prompt
        prompt.said = list(lines) + prompt.lines
        return Turn(list(prompt.said), hints=prompt.hints, single_key=self._single_key(prompt))

    # -- links by text message ----------------------------------------------------------------------------------------

    def offer_link(self, link: Dict[Text, Text], turn: Turn) -> Turn:
        what = link.get("purpose") or link.get("label") or words("sms_purpose_default")
        self.state.links_offered.append(link["url"])
        resume = asdict(self.state.prompt)
        mobile = uk_mobile(self.state.caller)
        offer = words("link_offer", what=what)
        if mobile:
            ask = words("link_offer_to_caller", last_digits=last_digits(mobile))
            self.state.pending = {"kind": "sms_confirm", "link": link, "resume": resume, "lines": [offer, ask],
                                  "hints": _yes_no_hints()}
        else:
            ask = words("link_ask_number")
            self.state.pending = {"kind": "sms_number", "link": link, "resume": resume, "lines": [offer, ask]}
        # The bot's question is asked again once the text message is dealt with (resume).
        said = [line for line in self.state.prompt.said if line != words("anything_else")]  # asked after the text
        return Turn(said + [offer, ask], hints=self.state.pending.get("hints", ""),
                    single_key=mobile is not None)

    async def _pending_sms_confirm(self) -> Turn:
        yes = spoken.read_yes_no(self.speech, self.digits)
        if yes:
            return await self.send_link(uk_mobile(self.state.caller) or "")
        if yes is False:
            self.state.pending.update(kind="sms_number", lines=[words("link_ask_number")], hints="")
            return Turn([words("link_ask_number")])
        return self.not_understood()

    async def _pending_sms_number(self) -> Turn:
        mobile = uk_mobile(self.digits or spoken.read_number(self.speech) or "")
        if mobile:
            return await self.send_link(mobile)
        if spoken.read_yes_no(self.speech, "") is False or (self.digits in ("2",)):
            # No mobile to send it to: someone at the council can help instead.
            self.state.pending.update(kind="person", reason="cannot_use_link")
            lines = [words("link_declined"), words("link_cannot_use"), words("yes_no")]
            self.state.pending["lines"] = lines[1:]
            return Turn(lines, hints=_yes_no_hints(), single_key=True)
        self.state.reprompts += 1
        if self.state.reprompts >= 2:
            return self.offer_person()
        return Turn([words("link_number_not_valid"), words("link_ask_number")])

    async def send_link(self, mobile: Text) -> Turn:
        link = self.state.pending.get("link") or {}
        if self.tracker is None:
            self.tracker = await tracker_of(self.request, self.sid)
        council = self.council()
        what = link.get("purpose") or link.get("label") or words("sms_purpose_default")
        sent = await self.channel.texts.send(mobile, staff.council_name(council) if council else "Your council",
                                             what[:1].upper() + what[1:], link.get("url", ""),
                                             reference=self._reference())
        if sent:
            return self.resume(words("link_sent"))
        return self.resume(words("link_not_sent"), words("link_cannot_use"))

    def _reference(self) -> Optional[Text]:
        """The order's or report's reference, so the text message can be found with it (never personal data)."""
        if self.tracker is None:
            return None
        for slot in ("order_reference", "report_reference"):
            value = self.tracker.get_slot(slot)
            if value:
                return str(value)
        return None

    # -- Rasa -------------------------------------------------------------------------------------------------------

    async def to_rasa(self, text: Text, opening: bool = False) -> Turn:
        agent = self.agent
        text = _card_number_said_as_words(text)
        metadata = {"caller": self.state.caller}
        if self.state.callback_council:  # the council whose line they rang, for the callback request
            metadata[COUNCIL_METADATA] = self.state.callback_council
        decision = await self.channel.guard.admit(agent, self.sid, text, metadata, None)
        if not isinstance(decision, Admitted):
            if decision.code == "too_many_messages":
                return Turn([words("too_many_messages")] + self.state.prompt.lines, hints=self.state.prompt.hints)
            return self.not_understood()
        collector = PhoneOutput()
        message = UserMessage(decision.text, collector, self.sid, input_channel=CHANNEL_NAME,
                              metadata=decision.metadata)
        try:
            await self.on_new_message(message)
        except Exception as error:
            logger.error("Phone line: a message could not be handled (%s).", type(error).__name__)
            return Turn([words("something_went_wrong")], listen=False, hang_up=True)
        self.tracker = await tracker_of(self.request, self.sid)
        return await self.speak(collector.messages, opening)

    def _turn_actions(self) -> List[Text]:
        """The actions the bot ran since the caller's last message."""
        names: List[Text] = []
        for event in reversed(list(getattr(self.tracker, "events", []) or [])):
            if type(event).__name__ == "UserUttered":
                break
            name = getattr(event, "action_name", None)
            if type(event).__name__ == "ActionExecuted" and name:
                names.append(name)
        return names

    async def speak(self, messages: List[Dict[Text, Any]], opening: bool = False,
                    actions: Optional[List[Text]] = None) -> Turn:
        """`actions`: what ran, when not the bot's answer to the caller's last message (the callback form started
        by the line)."""
        actions = self._turn_actions() if actions is None else actions
        intent = ((self.tracker.latest_message.intent or {}).get("name")
                  if self.tracker is not None and self.tracker.latest_message else None)
        if (PERSON_ACTIONS & set(actions) or intent == "request_human") and not self._callback_under_way(actions):
            # The conversation says a person is wanted (asked for, or the assistant could not help): put through.
            reason = self.tracker.get_slot("handover_reason") if self.tracker is not None else None
            return await self.transfer(reason=str(reason) if reason else "asked_for_person")
        if not any(speech.spoken_text(message) for message in messages):
            return self.resume(words("no_answer"))  # never dead air: the question stands
        lines: List[Text] = []
        links: List[Dict[Text, Text]] = []
        for message in messages:
            said = speech.spoken_text(message)
            if said:
                lines.append(said)
                if _has_details_to_write_down(message):
                    lines.append(words("offer_repeat"))
            links.extend(_links(message))
        question = messages[-1] if messages else {}
        prompt = self._prompt(question, lines)
        if self._journey_over(prompt, actions):  # a caller can't see that it's their turn: ask
            prompt.lines.append(words("anything_else"))
            prompt.said.append(words("anything_else"))
            prompt.expects = ANYTHING_ELSE
        self.state.prompt = prompt
        self.state.pending = {}
        if MISUNDERSTANDINGS & set(actions):
            self.state.reprompts += 1
            if self.state.reprompts >= 2:
                turn = self.offer_person()
                return Turn(lines + turn.lines, hints=turn.hints, single_key=True)
        else:
            self.state.reprompts = 0
        turn = Turn(list(prompt.said), hints=prompt.hints, single_key=self._single_key(prompt))
        if CALLBACK_ACTION in actions:
            self.state.callback_council = None  # the request is made (or declined)
        if ENDINGS & set(actions) or intent == "goodbye":
            return self._ending(turn)
        if "action_urgent_help" in actions:
            council = self.council()
            if staff.transfer_number(council, self.state.assistant_number, urgent=True):
                offer = words("urgent_offer", council=staff.council_name(council))
                self.state.pending = {"kind": "urgent", "council": council, "resume": asdict(prompt),
                                      "lines": [offer], "hints": _yes_no_hints()}
                return Turn(turn.lines + [offer], hints=_yes_no_hints(), single_key=True)
        fresh = [link for link in links if link["url"] not in self.state.links_offered]
        if fresh and not opening:
            return self.offer_link(fresh[0], turn)
        return turn

    def _journey_over(self, prompt: Prompt, actions: List[Text]) -> bool:
        """The bot finished something (a report sent, bin days told) and asked nothing."""
        if self.tracker is None or self.tracker.active_loop_name or prompt.options or prompt.expects:
            return False
        if {"action_urgent_help", "action_support_reply"} & set(actions):
            return False  # someone in difficulty is not hurried towards goodbye
        return not any(line.rstrip().endswith("?") for line in prompt.lines)

    def _prompt(self, question: Dict[Text, Any], lines: List[Text]) -> Prompt:
        """The question is the bot's last message (with its buttons as a keypad menu); `lines` is everything."""
        buttons = [b for b in question.get("buttons") or [] if isinstance(b, dict)]
        expects = speech.expects(question) or _expects_from_action(question.get("utter_action"))
        # A long list is an address list unless the question says it expects something else (collection days, a
        # report's kinds of waste): those are read out as a keypad menu (up to nine keys).
        by_house_number = bool(buttons) and (expects in ("address", "house")
                                             or (not expects and len(buttons) > MAX_MENU_READ_OUT))
        asked = speech.spoken_text(question) if question else ""
        if self._in_callback_form() and self.tracker.get_slot("requested_slot") == "callback_contact":
            expects = CALLBACK_NUMBER  # "Shall they call you on the number you're calling from?": or another
        if not expects and not buttons and "postcode" in asked.lower():
            expects = "description"  # "Tell me the postcode, or describe the place": a postcode is read back
        menu: List[Text] = []
        if by_house_number:
            menu.append(words("house_number"))
        elif expects == CALLBACK_NUMBER:
            menu.append(words("callback_number_keys" if buttons else "callback_number_keys_only"))
        elif buttons:
            menu.append(spoken.keypad_menu([b.get("title") or "" for b in buttons]))
        elif expects in POSTCODE_QUESTIONS:
            menu.append(words("postcode_keypad_how"))  # from the first time: a caller who can't speak can key it
        hints = spoken.speech_hints("address" if by_house_number else expects)
        if buttons and not by_house_number:  # the options' own words are what a caller will say
            hints = ", ".join([b["title"] for b in buttons if b.get("title")] + ([hints] if hints else []))
        return Prompt(lines=([asked] if asked else []) + menu, said=list(lines) + menu, options=buttons,
                      by_house_number=by_house_number, expects=expects, hints=hints)

    @staticmethod
    def _single_key(prompt: Prompt) -> bool:
        """One key press answers a short menu, unless the question also takes a number keyed in ("or give me
        another mobile number")."""
        if prompt.expects == ANYTHING_ELSE:
            return True  # 1 for the menu, 2 to finish
        return (bool(prompt.options) and not prompt.by_house_number and len(prompt.options) <= 9
                and prompt.expects not in KEYED_ANSWERS)

    def _ending(self, turn: Turn) -> Turn:
        lines = list(turn.lines)
        if not any("goodbye" in line.lower() for line in lines):
            lines.append(words("goodbye"))
        self.state.ended = True
        return Turn(lines, listen=False, hang_up=True)


def _card_number_said_as_words(text: Text) -> Text:
    """Speech recognition may write a card number as words ("four two four two ..."), which the guard, reading
    digits, would let through: such an answer goes to the guard as its digits, so the card number is removed."""
    if not text or not re.search(r"[A-Za-z]", text):
        return text
    digits = spoken.read_number(text) or ""
    return digits if contains_card_number(digits) else text


def _expects_from_action(utter_action: Any) -> Text:
    """A domain response that asks for a postcode ("utter_ask_postcode", "utter_ask_..._postcode")."""
    if isinstance(utter_action, str) and utter_action.startswith("utter_ask") and utter_action.endswith("postcode"):
        return "postcode"
    return _DOMAIN_QUESTIONS.get(utter_action, "") if isinstance(utter_action, str) else ""


# What the domain's other questions want, for speech hints and for reading spelt-out answers.
_DOMAIN_QUESTIONS = {"utter_ask_pcn_number": "reference", "utter_ask_report_reference": "reference",
                     "utter_ask_ct_account": "number", "utter_ask_pcn_vrm": "registration",
                     "utter_ask_order_contact": "email_or_phone", "utter_ask_report_contact": "email_or_phone"}


def _has_details_to_write_down(message: Dict[Text, Any]) -> bool:
    """A reference or a phone number: the caller is told they can hear it again."""
    values = (message.get(speech.SAY_KEY) or {}).get("values") or {}
    return any(isinstance(v, dict) and v.get("kind") in ("reference", "phone_number") for v in values.values())


def _links(message: Dict[Text, Any]) -> List[Dict[Text, Text]]:
    """The links of a message, to offer by text message: its Link parts, or, for a message without parts, the
    Markdown links of a payment page (other links of plain messages are only named)."""
    found = [{"url": link.url, "label": link.label, "purpose": link.purpose} for link in speech.links(message)]
    if not found and not message.get(speech.SAY_KEY):
        for label, url in _MARKDOWN_LINK.findall(message.get("text") or ""):
            if "/pay/" in url or "payments" in url:
                found.append({"url": url, "label": label, "purpose": ""})
    return found
