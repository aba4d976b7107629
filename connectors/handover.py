"""The web chat while a member of customer services has the conversation (docs/handover.md).

While a conversation is paused (`action_handover` returned `ConversationPaused`), Rasa records what the resident
says, and runs NLU on it, but answers nothing. The web chat would then say its "no answer" message, which is wrong
here: someone is coming, or is already typing. `answer_while_paused` decides what the resident gets instead:

- a message recognised as urgent help (intent `urgent_help`) runs `action_urgent_help` on the paused conversation,
  as Rasa's POST /conversations/{id}/execute would (the processor runs a named action whether or not the
  conversation is paused, and keeps it paused), so the 999 line and the help lines come at once, whoever has the
  chat; the console's event consumer flags the handover urgent from the same message;
- while the handover is `waiting`, a short acknowledgement (`WAITING_ACKNOWLEDGEMENT`);
- while it is `active`, nothing: the member of staff answers.

The tracker is read only when Rasa sent nothing, which for a conversation the assistant is handling never happens
(every turn ends in an answer, or the channel's "no answer" message), so this costs nothing on a normal turn.

Presence (`PresenceReporter`): when a browser joins a session or the last socket of a session in this process
leaves, the console is told (POST /api/v1/presence with the service token), so staff can see whether the resident is
still there. Only when STAFF_CONSOLE_URL is set; fire and forget, with a short timeout: the socket never waits for
the console, and a console that is down only costs a log line.

Staff messages: the console appends a `bot` event with `{"staff_name": "Sam"}` in its metadata through Rasa's HTTP
API (`output_channel=webchat&execute_side_effects=true`). Rasa's `BotUttered.message()` merges the metadata into
the message, so `staff_name` reaches the output channel's `send_text_message` as a keyword; `staff_message` turns
it into the widget's `{"text": ..., "from": {"staff": "Sam"}}`.
"""
from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any, Dict, Optional, Set, Text

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, SlotSet

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_URL_ENV = "STAFF_CONSOLE_URL"
SERVICE_TOKEN_ENV = "STAFF_SERVICE_TOKEN"
SERVICE_TOKEN_FILE = ROOT / "var" / "staff-service-token"
PRESENCE_PATH = "/api/v1/presence"
PRESENCE_TIMEOUT_SECONDS = 3.0

HANDOVER_SLOT = "handover_status"
WAITING, ACTIVE = "waiting", "active"
URGENT_HELP_INTENT = "urgent_help"
URGENT_HELP_ACTION = "action_urgent_help"  # data/rules/safety.yml, rule "urgent help"
WAITING_ACKNOWLEDGEMENT = "Thanks, a member of staff will see this when they join."
LONGEST_STAFF_NAME = 60


async def answer_while_paused(agent: Any, session_id: Text, output: Any) -> bool:
    """Called when Rasa sent nothing for a resident's message. Whether the conversation is paused for a handover
    (and so what the resident got is decided here); False means it isn't, and the channel says its "no answer"."""
    if agent is None:
        return False
    tracker = await agent.tracker_store.retrieve(session_id)
    if tracker is None or not tracker.is_paused():
        return False
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    if intent == URGENT_HELP_INTENT:
        # Under the conversation's lock, as Rasa's HTTP API runs an action: no other message changes it meanwhile.
        async with agent.lock_store.lock(session_id):
            tracker = await agent.execute_action(session_id, URGENT_HELP_ACTION, output, None, None)
            if tracker is not None:
                # Listening again, as after any turn: when staff hand back, the triggered intent follows a listen
                # and the open journey is found again (without it the rules see no turn boundary).
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                await agent.tracker_store.save(tracker)
        logger.info("Web chat: urgent help given in a conversation handed over to staff.")
        return True
    if handover_status(tracker) != ACTIVE:
        await output.send_text_message(session_id, WAITING_ACKNOWLEDGEMENT)
    return True


def handover_status(tracker: Any) -> Optional[Text]:
    """The latest `handover_status` set in the conversation, read from its events rather than its slots: it holds
    whether or not the loaded model's domain has the slot yet (a model trained before the handover was added)."""
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.key == HANDOVER_SLOT:
            return event.value if isinstance(event.value, str) else None
    return None


def staff_name(kwargs: Dict[Text, Any]) -> Optional[Text]:
    """The member of staff a message is from (its `staff_name` metadata), tidied; None for the assistant's own."""
    name = kwargs.get("staff_name")
    if not isinstance(name, str):
        return None
    name = " ".join(name.split())[:LONGEST_STAFF_NAME]
    return name or None


def staff_message(text: Text, name: Text) -> Dict[Text, Any]:
    """What the widget receives for a message from a person: one bubble (not split into paragraphs as the
    assistant's are: a person's message is one message), labelled with who wrote it."""
    return {"text": text.strip(), "from": {"staff": name}}


def service_token(environ: Optional[Dict[Text, Text]] = None) -> Optional[Text]:
    environ = os.environ if environ is None else environ
    token = (environ.get(SERVICE_TOKEN_ENV) or "").strip()
    if token:
        return token
    try:
        return SERVICE_TOKEN_FILE.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


class PresenceReporter:
    """Tells the console when a resident's browser joins or leaves a conversation (see the module's docstring)."""

    def __init__(self, console_url: Optional[Text], token: Optional[Text],
                 timeout: float = PRESENCE_TIMEOUT_SECONDS) -> None:
        self.url = f"{console_url.rstrip('/')}{PRESENCE_PATH}" if console_url else None
        self.token = token
        self.timeout = timeout
        self._sockets: Dict[Text, Set[Text]] = {}  # session id -> this process's sockets in it
        self._tasks: Set["asyncio.Task[Any]"] = set()
        if self.url and not token:
            logger.warning("Web chat: STAFF_CONSOLE_URL is set but there is no service token: presence not sent.")

    @classmethod
    def from_environment(cls, environ: Optional[Dict[Text, Text]] = None) -> "PresenceReporter":
        environ = os.environ if environ is None else environ
        url = (environ.get(CONSOLE_URL_ENV) or "").strip() or None
        return cls(url, service_token(environ) if url else None)

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.token)

    def joined(self, sid: Text, session_id: Text) -> None:
        for sockets in self._sockets.values():
            sockets.discard(sid)
        self._sockets.setdefault(session_id, set()).add(sid)
        self._post(session_id, True)

    def left(self, sid: Text, session_id: Optional[Text]) -> None:
        if not session_id:
            return
        sockets = self._sockets.get(session_id, set())
        sockets.discard(sid)
        if sockets:
            return  # another tab of the same conversation is still open here
        self._sockets.pop(session_id, None)
        self._post(session_id, False)

    def _post(self, session_id: Text, present: bool) -> None:
        if not self.enabled:
            return
        try:
            task = asyncio.get_running_loop().create_task(self._send(session_id, present))
        except RuntimeError:  # no loop (never in the channel): nothing to do
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, session_id: Text, present: bool) -> None:
        import aiohttp

        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                async with session.post(
                    self.url, json={"conversation_id": session_id, "present": present},
                    headers={"Authorization": f"Bearer {self.token}"},
                ) as answer:
                    if answer.status >= 300:
                        logger.warning("Web chat: the staff console refused presence (HTTP %s).", answer.status)
        except Exception as error:  # the console is down or slow: the chat carries on
            logger.warning("Web chat: presence could not be sent to the staff console (%s).", type(error).__name__)


__all__ = [
    "answer_while_paused", "staff_name", "staff_message", "PresenceReporter", "WAITING_ACKNOWLEDGEMENT",
    "URGENT_HELP_ACTION",
]
