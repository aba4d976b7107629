"""The automated phone line: a Rasa input channel speaking Twilio Programmable Voice (../shared/contract.md, §4).

Twilio posts the call's start and every answer to POST /webhooks/phone/voice, its status callback to
POST /webhooks/phone/status, and asks for the whisper to staff at /webhooks/phone/whisper and for what follows a
transfer at /webhooks/phone/dialled. Every request must carry a valid X-Twilio-Signature (the `twilio` library's
RequestValidator over PHONE_PUBLIC_URL + the path and the form): anything else gets 403.

- The conversation is the call's CallSid; the caller's number is only metadata of each message (`caller`), used to
  offer a text message to it. Every answer goes through the same guard as the other channels (connectors/guard.py).
- What each answer means and what the caller hears next is decided in call.py (one webhook of one call); the
  call's state between webhooks is in calls.py, the TwiML in twiml.py, the line's own sentences in wording.yml.
- The bot's messages are collected by an output channel named `phone` (so `channel: phone` response variants
  apply) and said with replies.speech.spoken_text; buttons become a keypad menu, long address lists are chosen by
  house number, a postcode is read back for a yes or no before Rasa gets it, and a link is never read out: the
  line offers to send it by text message (texts.py).
- No dead air and no loops: silence or an answer the line can't use gets one reprompt with the keypad options,
  then the offer of a person; silence after that ends the call politely. "Repeat" says the last thing slowly.
  Goodbye, or the end of a journey, ends the call with <Hangup/>.
- A person: <Dial> to the council's staff transfer number with a whisper (staff.py), never to the number the
  caller rang; out of hours, the routes that are open. The line decides to put a caller through when they ask
  (in words, or 0), when it offered a person, or when the assistant answered with `action_handover` (or, before
  it, `action_contact_routes`).
- With a staff console (STAFF_CONSOLE_URL, docs/handover.md; console.py): a caller put through is recorded in the
  console's queue (channel `phone`, the CallSid, the whisper's content written for reading), without delaying the
  transfer; the hang-up tells the console they have gone (presence); and out of hours the assistant's callback form
  takes a callback request instead of only the routes.
- The status callback of a call that ended mid-journey ends the conversation (a Restarted event), so nothing
  unfinished is ever sent; a payment already started is settled by the action server's background check anyway.

Settings: TWILIO_AUTH_TOKEN (credentials.yml `auth_token` as a fallback; the local demo's default is
`sandbox-phone-token`, and outside the local demo a missing token or the demo's stops Rasa from starting),
PHONE_PUBLIC_URL (default http://127.0.0.1:5005: the address Twilio posts to, as it signs it), for the links it
texts NOTIFY_API_URL, NOTIFY_API_KEY and PHONE_LINK_SMS_TEMPLATE (texts.py), and STAFF_CONSOLE_URL with
STAFF_SERVICE_TOKEN for the staff console (console.py), and HANDOVER_HOURS (staff.py). In production each must be set, or
Rasa does not start (`phone_production_problems`).
"""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from connectors import metrics
from connectors.guard import DEFAULT_MAX_MESSAGE_LENGTH, MessageGuard
from connectors.production import ProductionSettingsError, check_production_settings, is_production

from . import staff
from .call import CHANNEL_NAME, Call, PhoneOutput, routes_spoken, tracker_of  # noqa: F401 (PhoneOutput: the package exports it)
from .calls import call_store
from .console import PhoneConsole
from .texts import LinkTexts, production_problems
from .twiml import hang_up, just_say
from .wording import words

logger = logging.getLogger(__name__)

TOKEN_ENV = "TWILIO_AUTH_TOKEN"
PUBLIC_URL_ENV = "PHONE_PUBLIC_URL"
DEMO_TOKEN = "sandbox-phone-token"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5005"
ENDED_STATUSES = {"completed", "busy", "no-answer", "failed", "canceled"}
HANDOVER_STATUS_SLOT = "handover_status"  # docs/handover.md: set by the assistant's handover actions
HANDED_OVER = {"waiting", "active", "callback"}


def auth_token(credentials: Optional[Dict[Text, Any]] = None, environ=None) -> Text:
    """The Twilio auth token that signs the webhooks; refuses to start in production without a real one."""
    environ = os.environ if environ is None else environ
    token = (environ.get(TOKEN_ENV) or str((credentials or {}).get("auth_token") or "")).strip()
    if is_production(environ):
        if not token or token == DEMO_TOKEN:
            raise ProductionSettingsError(
                f"The phone line refuses to start in production without {TOKEN_ENV} (the Twilio account's auth "
                "token): anyone could post a forged call to it."
            )
        return token
    return token or DEMO_TOKEN


def public_address(credentials: Optional[Dict[Text, Any]] = None, environ=None) -> Text:
    """Where Twilio posts (what it signs). In production it must be set, and public: with the local default every
    real webhook's signature would fail, and the line would refuse every call."""
    environ = os.environ if environ is None else environ
    url = str(environ.get(PUBLIC_URL_ENV) or (credentials or {}).get("public_url") or "").strip()
    if is_production(environ) and (not url.startswith("https://") or
                                   any(host in url for host in ("localhost", "127.", "[::1]", "0.0.0.0"))):
        raise ProductionSettingsError(
            f"The phone line refuses to start in production without {PUBLIC_URL_ENV}: the https address Twilio "
            "posts its webhooks to (it signs that address)."
        )
    return url or DEFAULT_PUBLIC_URL


def phone_production_problems(credentials: Dict[Text, Any], environ) -> List[Text]:
    """Everything the phone line needs in production and lacks, named together (nothing outside production)."""
    if not is_production(environ):
        return []
    problems = []
    for check in (auth_token, public_address):
        try:
            check(credentials, environ)
        except ProductionSettingsError as error:
            problems.append(str(error).replace("The phone line refuses to start in production without ", "no "))
    return problems + production_problems(environ)


class PhoneInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        check_production_settings()
        credentials = credentials or {}
        problems = phone_production_problems(credentials, os.environ)
        if problems:
            raise ProductionSettingsError("The phone line refuses to start in production (ASSISTANT_ENV=production):\n"
                                          + "\n".join(f"  - {problem}" for problem in problems))
        public_url = public_address(credentials)
        token = auth_token(credentials)
        # Made now, so a malformed Notify or console setting stops the start, not a call.
        return cls(token, str(public_url), int(credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)),
                   texts=LinkTexts(), console=PhoneConsole.from_env())

    def __init__(self, token: Text = DEMO_TOKEN, public_url: Text = DEFAULT_PUBLIC_URL,
                 max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH, calls: Any = None, texts: Any = None,
                 console: Optional[PhoneConsole] = None) -> None:
        """`console`: the staff console to record transfers in (console.py); None: transfers as before."""
        self.validator = RequestValidator(token)
        self.console = console
        self.public_url = public_url.rstrip("/")
        self.guard = MessageGuard(max_message_length)
        self.calls = calls if calls is not None else call_store()
        self._texts = texts

    @property
    def texts(self) -> LinkTexts:
        if self._texts is None:
            self._texts = LinkTexts()
        return self._texts

    # -- the webhooks ------------------------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = metrics.observe_channel(self, on_new_message)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/voice", methods=["POST"])
        async def voice(request: Request) -> HTTPResponse:
            form = self._signed_form(request)
            if form is None:
                return response.text("Forbidden", status=403)
            if not form.get("CallSid"):
                return response.text("A call needs its CallSid.", status=400)
            call = Call(self, request, form, on_new_message)
            try:
                turn = await call.answer()
            except Exception as error:  # never silence: the caller hears an apology and the call ends
                logger.error("Phone line: an answer could not be handled (%s).", type(error).__name__)
                return _twiml(hang_up(words("something_went_wrong")))
            return _twiml(turn.twiml())

        @webhook.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            form = self._signed_form(request)
            if form is None:
                return response.text("Forbidden", status=403)
            if form.get("CallSid") and form.get("CallStatus") in ENDED_STATUSES:
                await self._call_ended(request, form["CallSid"])
            return response.text("", status=204)

        @webhook.route("/whisper", methods=["POST"])
        async def whisper(request: Request) -> HTTPResponse:
            form = self._signed_form(request)
            if form is None:
                return response.text("Forbidden", status=403)
            tracker = await tracker_of(request, request.args.get("call") or "")
            return _twiml(just_say(words("whisper", summary=staff.whisper_summary(tracker))))

        @webhook.route("/dialled", methods=["POST"])
        async def dialled(request: Request) -> HTTPResponse:
            form = self._signed_form(request)
            if form is None:
                return response.text("Forbidden", status=403)
            if form.get("DialCallStatus") == "completed":
                return _twiml(hang_up())
            council = request.args.get("council")
            return _twiml(hang_up(words("transfer_failed"), routes_spoken(council), words("goodbye")))

        return webhook

    def _signed_form(self, request: Request) -> Optional[Dict[Text, Text]]:
        """The request's form when Twilio signed it, else None."""
        signature = request.headers.get("X-Twilio-Signature") or ""
        form = {key: values[0] for key, values in (request.form or {}).items() if values}
        url = self.public_url + request.path + (f"?{request.query_string}" if request.query_string else "")
        if not signature or not self.validator.validate(url, form, signature):
            logger.warning("Phone line: a request to %s without a valid Twilio signature was refused.", request.path)
            return None
        return form

    async def _call_ended(self, request: Request, call_sid: Text) -> None:
        """The caller hung up (or the call failed): nothing unfinished is sent, the call's state goes, and a
        caller the staff console knows of (put through, or waiting for a callback) is marked as gone."""
        state = await self.calls.load(call_sid)
        await self.calls.drop(call_sid)
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.processor is None:
            if state is not None and state.put_through:
                await self._tell_console_gone(call_sid)
            return
        from rasa.shared.core.events import Restarted

        ended_mid_journey = False
        async with agent.lock_store.lock(call_sid):
            tracker = await agent.tracker_store.retrieve(call_sid)
            handed_over = tracker is not None and tracker.get_slot(HANDOVER_STATUS_SLOT) in HANDED_OVER
            if tracker is not None and tracker.active_loop_name:
                tracker.update(Restarted())
                await agent.tracker_store.save(tracker)
                ended_mid_journey = True
        if ended_mid_journey:
            logger.info("Phone line: a call ended mid-journey; its conversation was ended.")
        if (state is not None and state.put_through) or handed_over:
            await self._tell_console_gone(call_sid)

    async def _tell_console_gone(self, call_sid: Text) -> None:
        if self.console is None:
            return
        try:
            await self.console.call_ended(call_sid)
        except Exception as error:  # the status callback is answered whatever happens here
            logger.warning("Phone line: the staff console was not told a call ended (%s).", type(error).__name__)


def _twiml(text: Text) -> HTTPResponse:
    return response.text(text, content_type="text/xml; charset=utf-8")  # curly quotes in replies must survive


