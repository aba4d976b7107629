"""The web chat on the councils' websites: a socket.io input channel for Rasa 3.6.

It speaks the protocol of Rasa's own socket.io channel, so existing clients of that protocol work:

    client -> session_request {"session_id": <stored id or null>}
    server -> session_confirm "<session id>"          (32 hex characters; the conversation's sender id)
    client -> user_uttered {"message": "...", "session_id": "...", "customData": {...}}
    server -> bot_uttered {"text": ..., "quick_replies": [...]} (one event per message part)

and differs from Rasa's `socketio` channel where that one fails residents:

- Replies reach the browser whatever python-socketio version is installed: the room is entered with `await`
  (RasaHQ/rasa#13027). Every socket of one session is in the session's room, so several tabs, a reloaded page
  and a reconnected socket all get the replies, and the conversation (sender id = session id) carries on.
- Only origins from configuration may connect (the councils' sites and localhost by default), never "*".
- Malformed, empty and oversized messages never reach Rasa: the sender gets `bot_error {"code", "message"}`.
- `customData` is validated (connectors/webchat_metadata.py) and stored as the message's metadata; a valid
  `council` also fills the `council` slot while it is empty (see `WebChatInput._fill_council_slot`).
- `user_uttered` may carry a client `message_id`: a resend of a message already received is acknowledged and not
  processed twice. With a socket.io acknowledgement callback the client learns when its message was handled:
  `{"status": "ok", "message_id": ...}`, `{"status": "duplicate", ...}` or `{"status": "error", "code": ...}`;
  with several Rasa processes also `{"status": "in_progress", ...}`: another process is handling that message, so
  the client sends it again a few seconds later (see `WebChatInput._seen_before`).
- Its output channel is called `webchat`, so domain responses can have `channel: webchat` variants.
- While customer services have the conversation (Rasa paused it) the "no answer" message is not sent: the resident
  gets an acknowledgement while waiting, nothing while staff answer, urgent help still at once; a member of staff's
  message reaches the browser as `{"text", "from": {"staff": name}}`; the console hears when browsers join and leave
  (connectors/handover.py, docs/handover.md).
- Nothing a resident types is logged.
- Several Rasa processes can serve one web chat (docs/deployment.md): with WEBCHAT_REDIS_URL (or REDIS_URL) set,
  which conversation each socket is in, the message ids received and the rate limits are kept in Redis
  (connectors/shared_state.py), and python-socketio's Redis manager carries each answer to the process holding the
  browser's socket. A message whose process died before finishing it is handled by the process its resend
  reaches, unless the conversation shows it handled. Without a Redis URL all of it stays in this process's memory.

Settings (credentials.yml, under `connectors.webchat.WebChatInput:`), all optional:
`allowed_origins` (list, or comma-separated text; the environment variable WEBCHAT_ALLOWED_ORIGINS overrides it;
an entry may end in `:*` for any port), `max_message_length` (2000 characters), `max_payload_bytes` (65536: a
bigger socket.io packet closes the connection), `socketio_path` (/socket.io), `namespace`, `metadata_key`
(customData), `user_message_evt` (user_uttered), `bot_message_evt` (bot_uttered), `error_evt` (bot_error).
"""
from __future__ import annotations

import inspect
import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from rasa.shared.core.events import BotUttered, SessionStarted, SlotSet, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from connectors import metrics
from connectors.guard import DEFAULT_MAX_MESSAGE_LENGTH, NO_ANSWER, Admitted, MessageGuard
from connectors.handover import PresenceReporter, answer_while_paused, staff_message, staff_name
from connectors.production import check_production_settings
from connectors.limits import client_address, trusted_proxies
from connectors.shared_state import DUPLICATE, IN_PROGRESS, ORPHANED, SharedState
from connectors.webchat_metadata import COUNCIL_KEY, clean_metadata

logger = logging.getLogger(__name__)

CHANNEL_NAME = "webchat"
COUNCIL_SLOT = "council"
ORIGINS_ENV = "WEBCHAT_ALLOWED_ORIGINS"
DEFAULT_ALLOWED_ORIGINS = (
    "https://chorley.gov.uk",
    "https://www.chorley.gov.uk",
    "https://southribble.gov.uk",
    "https://www.southribble.gov.uk",
    "http://localhost:*",
    "http://127.0.0.1:*",
)
DEFAULT_MAX_PAYLOAD_BYTES = 65536

_SESSION_ID = re.compile(r"[0-9a-f]{32}")
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_ORIGIN_PATTERN = re.compile(r"(https?)://([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?")

ERRORS = {
    "invalid_payload": "The message could not be read.",
    "invalid_message": "The message could not be read: it has no text.",
    "invalid_message_id": "The message could not be read: its message_id is not valid.",
    "invalid_session": "The session id is not valid. Ask for a session with session_request.",
    "session_mismatch": "This message belongs to a different session than this connection's.",
    "no_session": "Start a session with session_request before sending messages.",
    "empty_message": "The message is empty.",
    "message_too_long": "The message is too long: please keep it under {limit} characters.",
    "too_many_messages": "You're sending messages faster than I can answer. Please wait a moment and try again.",
    "server_error": "Sorry, something went wrong and your message was not handled. Please try again.",
}


class OriginPolicy:
    """Which browser origins may open the web chat: exact origins, or `scheme://host:*` for any port of a host."""

    def __init__(self, patterns: Iterable[Text]) -> None:
        self.exact: set = set()
        self.any_port: set = set()
        for raw in patterns:
            pattern = str(raw).strip().rstrip("/").lower()
            if not pattern:
                continue
            match = _ORIGIN_PATTERN.fullmatch(pattern)
            if pattern == "*" or not match:
                raise ValueError(
                    f"Web chat: {raw!r} is not an allowed origin. Give origins as scheme://host or "
                    "scheme://host:port, or scheme://host:* for any port; '*' is never allowed."
                )
            if match.group(3) == "*":
                self.any_port.add(f"{match.group(1)}://{match.group(2)}")
            else:
                self.exact.add(pattern)
        if not (self.exact or self.any_port):
            raise ValueError("Web chat: no allowed origins are configured.")

    @classmethod
    def from_config(cls, configured: Any = None, environ: Optional[Dict[Text, Text]] = None) -> "OriginPolicy":
        """WEBCHAT_ALLOWED_ORIGINS (comma separated) if set, else `configured` (list or text), else the defaults."""
        environ = os.environ if environ is None else environ
        from_env = (environ.get(ORIGINS_ENV) or "").strip()
        if from_env:
            return cls(from_env.split(","))
        if isinstance(configured, str):
            configured = configured.split(",")
        return cls(configured or DEFAULT_ALLOWED_ORIGINS)

    def allows(self, origin: Optional[Text]) -> bool:
        if not isinstance(origin, str):
            return False
        origin = origin.strip().lower()
        if origin in self.exact:
            return True
        base, _, port = origin.rpartition(":")
        if base in self.any_port and port.isdigit() and len(port) <= 5:
            return True
        return origin in self.any_port  # the host on its default port

    def __call__(self, origin: Optional[Text], environ: Optional[Dict] = None) -> bool:
        """python-engineio's `cors_allowed_origins` callable: checks the handshake and sets the CORS headers."""
        return self.allows(origin)

    def __repr__(self) -> Text:
        return f"OriginPolicy({sorted(self.exact) + sorted(o + ':*' for o in self.any_port)})"


async def _maybe_await(result: Any) -> None:
    """python-socketio < 5.10 enters rooms synchronously; 5.10+ returns a coroutine that must be awaited."""
    if inspect.isawaitable(result):
        await result


def valid_session_id(value: Any) -> Optional[Text]:
    """A session id this channel issued (uuid4 hex), normalised to lower case, else None."""
    if isinstance(value, str) and _SESSION_ID.fullmatch(value.strip().lower()):
        return value.strip().lower()
    return None


class WebChatOutput(SocketIOOutput):
    """Sends the assistant's messages to every socket in the conversation's room (room = session id)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, namespace: Optional[Text] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace
        self.sent = 0  # message parts sent through this output: none at all means the resident got no answer

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent += 1
        await self.sio.emit(self.bot_message_evt, response, room=socket_id, namespace=self.namespace)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        """A member of staff's message (its `staff_name` metadata, connectors/handover.py) goes as one message
        labelled with their name; the assistant's as Rasa's channel sends them, a message per paragraph."""
        name = staff_name(kwargs)
        if name is not None:
            await self._send_message(recipient_id, staff_message(text, name))
            return
        await super().send_text_message(recipient_id, text, **kwargs)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """`custom: {data: ...}` sends `data` (as Rasa's channel does); other custom JSON goes as `{"custom": ...}`.

        Unlike Rasa's channel, a custom payload can never choose the room it is sent to.
        """
        if set(json_message) <= {"data", "room"} and "data" in json_message:
            payload = json_message["data"]
        else:
            payload = {"custom": {k: v for k, v in json_message.items() if k != "room"}}
        await self._send_message(recipient_id, payload)


class _WebChatBlueprint(SocketBlueprint):
    """Attaches the socket.io server and lets the channel reach the Rasa agent of the app it is registered on."""

    def __init__(self, channel: "WebChatInput", sio: AsyncServer, socketio_path: Text, *args: Any, **kwargs: Any):
        super().__init__(sio, socketio_path, *args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        self.ctx.channel.app = app
        super().register(app, options)
        channel = self.ctx.channel

        @app.listener("after_server_start")
        async def share_state(_app: Sanic, _loop: Any) -> None:
            logger.info("Web chat: sessions, message ids and rate limits are kept %s.", channel.state.describe())
            manager = getattr(channel.sio, "manager", None)
            if hasattr(manager, "started") and not await manager.started():
                logger.error("Web chat: not listening to Redis: answers from other processes won't reach browsers.")


class WebChatInput(InputChannel):
    """The councils' web chat: Rasa's socket.io protocol, with persistent sessions that work."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        configured = credentials.get("allowed_origins")
        # The environment's origins replace the configured ones (OriginPolicy.from_config): check those in use.
        in_use = None if os.environ.get(ORIGINS_ENV) else (configured.split(",") if isinstance(configured, str) else configured or DEFAULT_ALLOWED_ORIGINS)
        check_production_settings(allowed_origins=in_use)
        return cls(
            allowed_origins=configured,
            max_message_length=int(credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)),
            max_payload_bytes=int(credentials.get("max_payload_bytes", DEFAULT_MAX_PAYLOAD_BYTES)),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            namespace=credentials.get("namespace"),
            metadata_key=credentials.get("metadata_key", "customData"),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            error_evt=credentials.get("error_evt", "bot_error"),
        )

    def __init__(
        self,
        allowed_origins: Any = None,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
        max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
        socketio_path: Text = "/socket.io",
        namespace: Optional[Text] = None,
        metadata_key: Text = "customData",
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        error_evt: Text = "bot_error",
    ) -> None:
        if max_message_length < 1 or max_payload_bytes < 1024:
            raise ValueError("Web chat: max_message_length must be positive and max_payload_bytes at least 1024.")
        self.origins = OriginPolicy.from_config(allowed_origins)
        self.max_message_length = max_message_length
        self.max_payload_bytes = max_payload_bytes
        self.socketio_path = socketio_path
        self.namespace = namespace
        self.metadata_key = metadata_key
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.error_evt = error_evt
        self.guard = MessageGuard(max_message_length)
        self.proxies = trusted_proxies()
        self.sio: Optional[AsyncServer] = None
        self.app: Optional[Sanic] = None
        # Which session each socket is in, and the client message ids received: here or in Redis.
        self.state = SharedState.from_environment()
        # socket id -> client address: it belongs to the connection, which lives in this process; never logged or
        # stored (not in Redis either).
        self._clients: Dict[Text, Optional[Text]] = {}
        # With STAFF_CONSOLE_URL: the console is told when a resident's browser joins or leaves (connectors/handover.py).
        self.presence = PresenceReporter.from_environment()

    def get_output_channel(self) -> Optional[OutputChannel]:
        """For the HTTP API's `output_channel=webchat` (e.g. a person's reply pushed into the chat)."""
        if self.sio is None:
            return None
        return WebChatOutput(self.sio, self.bot_message_evt, self.namespace)

    # -- socket.io ------------------------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = metrics.observe_channel(self, on_new_message)  # messages, latency, refusals (ops)
        sio = AsyncServer(
            async_mode="sanic",
            client_manager=self.state.client_manager(),  # None: in memory; else answers reach sockets in any process
            cors_allowed_origins=self.origins,  # checked at the handshake; CORS headers for allowed origins only
            cors_credentials=False,
            max_http_buffer_size=self.max_payload_bytes,
            logger=False,
            engineio_logger=False,
        )
        self.sio = sio
        webhook = _WebChatBlueprint(self, sio, self.socketio_path, "webchat_webhook", __name__)
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Any = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin is not None and not self.origins.allows(origin):  # engineio checks too; belt and braces
                logger.info("Web chat: refused a connection from an origin that is not allowed.")
                return False
            self._clients[sid] = _client_address(environ, self.proxies)
            logger.debug("Web chat: socket %s connected.", sid)
            return True

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: Text) -> None:
            self._clients.pop(sid, None)
            if self.presence.enabled:
                self.presence.left(sid, await self.state.sockets.session_of(sid))
            await self.state.sockets.forget(sid)
            logger.debug("Web chat: socket %s disconnected.", sid)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, *args: Any) -> Text:
            data = args[0] if args and isinstance(args[0], dict) else {}
            session_id = valid_session_id(data.get("session_id")) or uuid.uuid4().hex
            await self._join(sid, session_id)
            await self._emit_to_socket("session_confirm", session_id, sid)
            return session_id

        @sio.on(self.user_message_evt, namespace=namespace)
        async def user_uttered(sid: Text, *args: Any) -> Dict[Text, Any]:
            return await self._handle_user_message(sid, args, on_new_message)

        return webhook

    async def _join(self, sid: Text, session_id: Text) -> None:
        assert self.sio is not None
        previous = await self.state.sockets.session_of(sid)
        if previous and previous != session_id:
            await _maybe_await(self.sio.leave_room(sid, previous, namespace=self.namespace))
        # The fix for RasaHQ/rasa#13027: await the room entry (a coroutine from python-socketio 5.10 on).
        await _maybe_await(self.sio.enter_room(sid, session_id, namespace=self.namespace))
        await self.state.sockets.join(sid, session_id)
        self.presence.joined(sid, session_id)
        logger.debug("Web chat: socket %s joined its session.", sid)

    async def _emit_to_socket(self, event: Text, data: Any, sid: Text) -> None:
        """To one socket of this process: with Redis, straight to it rather than round through Redis."""
        assert self.sio is not None
        if hasattr(getattr(self.sio, "manager", None), "flush"):
            await self.sio.emit(event, data, room=sid, namespace=self.namespace, ignore_queue=True)
        else:
            await self.sio.emit(event, data, room=sid, namespace=self.namespace)

    async def _reject(self, sid: Text, code: Text) -> Dict[Text, Any]:
        assert self.sio is not None
        text = ERRORS[code].format(limit=self.max_message_length)
        await self._emit_to_socket(self.error_evt, {"code": code, "message": text}, sid)
        logger.debug("Web chat: rejected an event from socket %s (%s).", sid, code)
        return {"status": "error", "code": code}

    async def _handle_user_message(
        self, sid: Text, args: tuple, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Dict[Text, Any]:
        if len(args) != 1 or not isinstance(args[0], dict):
            return await self._reject(sid, "invalid_payload")
        data: Dict[Text, Any] = args[0]

        text = data.get("message")
        if not isinstance(text, str):
            return await self._reject(sid, "invalid_message")
        if len(text) > 2 * self.max_message_length:  # far too long even before tidying: don't read it
            return await self._reject(sid, "message_too_long")

        message_id = data.get("message_id")
        if message_id is not None and not (isinstance(message_id, str) and _MESSAGE_ID.fullmatch(message_id)):
            return await self._reject(sid, "invalid_message_id")

        session_id = await self.state.sockets.session_of(sid)
        if "session_id" in data and data["session_id"] is not None:
            claimed = valid_session_id(data["session_id"])
            if claimed is None:
                return await self._reject(sid, "invalid_session")
            if session_id is None:  # a client that skipped session_request: same as asking for this session
                await self._join(sid, claimed)
                session_id = claimed
            elif claimed != session_id:
                return await self._reject(sid, "session_mismatch")
        if session_id is None:
            return await self._reject(sid, "no_session")

        if message_id is not None:
            seen = await self._seen_before(sid, session_id, message_id)
            if seen is not None:
                logger.debug("Web chat: a resent message on socket %s (%s).", sid, seen)
                return {"status": seen, "message_id": message_id}

        decision = await self.guard.admit(
            self._agent(), session_id, text, clean_metadata(data.get(self.metadata_key)), self._clients.get(sid)
        )
        if not isinstance(decision, Admitted):
            if message_id is not None:  # refused, not handled: a later resend is welcome
                await self.state.messages.not_handled(session_id, message_id)
            return await self._reject(sid, decision.code)
        assert self.sio is not None
        output = WebChatOutput(self.sio, self.bot_message_evt, self.namespace)
        message = UserMessage(
            decision.text,  # card numbers removed, typed commands neutralised (connectors/guard.py)
            output,
            session_id,
            input_channel=self.name(),
            message_id=message_id,
            metadata=decision.metadata,
        )
        try:
            async with self.state.messages.keep_claim(session_id, message_id or ""):
                await self._fill_council_slot(message)
                await on_new_message(message)
                # Nothing from Rasa: a conversation paused for a handover gets its own answer (or none while a
                # member of staff has it); any other gets the "no answer" message.
                if not output.sent and not await answer_while_paused(self._agent(), session_id, output):
                    await output.send_text_message(session_id, NO_ANSWER)
        except Exception as error:  # never let one message take the connection or the server down
            if message_id is not None:  # a retry is welcome
                await self.state.messages.not_handled(session_id, message_id)
            logger.error("Web chat: a message could not be handled (%s).", type(error).__name__)
            logger.debug("Web chat: traceback of the failure.", exc_info=True)
            return await self._reject(sid, "server_error")
        await self._answers_delivered()
        if message_id is not None:
            await self.state.messages.handled(session_id, message_id)
        return {"status": "ok", "message_id": message.message_id}

    async def _seen_before(self, sid: Text, session_id: Text, message_id: Text) -> Optional[Text]:
        """None if this process should handle the message now; else the acknowledgement's status:

        - `duplicate`: handled already (or being handled in this process: its answers go to every tab);
        - `in_progress`: another Rasa process is handling it; the widget asks again in a few seconds, by when it is
          handled (duplicate) or that process has died and its lease run out (below).
        A message whose process died before finishing it (its lease ran out) is handled here, unless the stored
        conversation has it: then that process got as far as saving it, and its answers, which the resident may not
        have seen, are sent again to this socket.
        """
        seen = await self.state.messages.receive(session_id, message_id)
        if seen in (DUPLICATE, IN_PROGRESS):
            return seen
        if seen == ORPHANED:
            answers = await self._answers_to(session_id, message_id)
            if answers is not None:
                await self.state.messages.handled(session_id, message_id)
                assert self.sio is not None
                output = WebChatOutput(self.sio, self.bot_message_evt, self.namespace)
                for answer in answers:
                    await output.send_response(sid, answer)
                await self._answers_delivered()
                return DUPLICATE
            if not await self.state.messages.take_over(session_id, message_id):
                return IN_PROGRESS  # another process took it over first
        return None

    async def _answers_to(self, session_id: Text, message_id: Text) -> Optional[List[Dict[Text, Any]]]:
        """The stored answers to the conversation's message with this id (Rasa keeps the id on the user event), or
        None when the conversation doesn't have it."""
        agent = self._agent()
        tracker = await agent.tracker_store.retrieve(session_id) if agent is not None else None
        events = list(tracker.events) if tracker is not None else []
        for index, event in enumerate(events):
            if isinstance(event, UserUttered) and event.message_id == message_id:
                answers = []
                for later in events[index + 1:]:
                    if isinstance(later, UserUttered):
                        break
                    if isinstance(later, BotUttered):
                        answer = {"text": later.text, **{k: v for k, v in (later.data or {}).items() if v}}
                        if (later.metadata or {}).get("staff_name"):  # a member of staff's: sent as theirs again
                            answer["staff_name"] = later.metadata["staff_name"]
                        answers.append(answer)
                return answers
        return None

    async def _answers_delivered(self) -> None:
        """With Redis, answers go round through it to the socket's process; the acknowledgement goes straight back.
        Wait for the answers first, so a client that has its acknowledgement has its answers too."""
        manager = getattr(self.sio, "manager", None)
        if hasattr(manager, "flush") and not await manager.flush():
            logger.warning("Web chat: answers were slow to come back through Redis.")

    # -- the council the website belongs to ----------------------------------------------------------------------

    def _agent(self) -> Any:
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        return agent if agent is not None and agent.is_ready() else None

    async def _fill_council_slot(self, message: UserMessage) -> None:
        """Before Rasa handles the message, fill an empty `council` slot with the website's council.

        This is what the HTTP API's POST /conversations/{id}/tracker/events does, in process: under the
        conversation's lock, fetch the tracker (starting a session if one is due, with this message's metadata),
        append `SlotSet("council", ...)` and save. The slot is only filled while it is empty, so a council that the
        conversation established (an address in the other borough, or the resident's own answer) is never
        overwritten by the website's; after a restart or a new session it is filled again. Any other channel, or a
        message without a valid council, is left alone. No user message is injected.
        """
        council = (message.metadata or {}).get(COUNCIL_KEY)
        agent = self._agent()
        if not council or agent is None or COUNCIL_SLOT not in {slot.name for slot in agent.domain.slots}:
            return
        processor = agent.processor
        async with agent.lock_store.lock(message.sender_id):
            tracker = await processor.fetch_tracker_and_update_session(
                message.sender_id, message.output_channel, message.metadata
            )
            if tracker.get_slot(COUNCIL_SLOT) is None:
                tracker.update(SlotSet(COUNCIL_SLOT, council), agent.domain)
            elif not _session_just_started(tracker):
                return  # nothing changed
            await processor.save_tracker(tracker)


def _client_address(environ: Dict, proxies: Any) -> Optional[Text]:
    request = environ.get("sanic.request")
    peer = getattr(getattr(request, "conn_info", None), "client_ip", None) or environ.get("REMOTE_ADDR")
    return client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), proxies)


def _session_just_started(tracker: Any) -> bool:
    """Whether the tracker's current session has no user message yet (so a session start may be unsaved)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, SessionStarted):
            return True
    return True


__all__: List[Text] = ["WebChatInput", "WebChatOutput", "OriginPolicy", "DEFAULT_ALLOWED_ORIGINS", "valid_session_id"]
