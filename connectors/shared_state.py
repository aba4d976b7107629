"""What the web chat and the message limits remember, kept where every Rasa process of the assistant can see it.

One Rasa process (the local demo, the default) keeps it in its own memory. Several Rasa processes behind nginx
(docs/deployment.md, "More than one Rasa process") keep it in Redis, so that any process can serve any message:

| what | memory (default) | Redis |
|---|---|---|
| which conversation a socket belongs to | a dict | `<prefix>webchat:socket:<socket id>`, refreshed while in use |
| client message ids already received (resends dropped) | a bounded dict | `<prefix>webchat:message:<session>:<id>` for a day |
| a message being handled, by a process still alive | (this process) | `<prefix>webchat:handling:<session>:<id>`, a lease renewed while it is handled |
| rate limits (connectors/limits.py) | token buckets in memory | token buckets in Redis, taken atomically (a Lua script) |
| pushing a message to any browser | python-socketio's own manager | python-socketio's AsyncRedisManager (pub/sub channel `<prefix>socketio`) |

A client's address is never put into Redis: the rate limit's key for it is an opaque HMAC (limits.client_key), and
the address itself stays with its connection, in the process that holds the connection.

Settings, read here and nowhere else:

| variable | meaning |
|---|---|
| WEBCHAT_REDIS_URL (or REDIS_URL) | `redis://host:port/db` (`rediss://` for TLS; a password as `redis://:password@host`): shared state in Redis. Unset: in this process's memory |
| WEBCHAT_REDIS_PREFIX | the keys' prefix, `council-assistant:` by default; each assistant sharing one Redis needs its own |

Redis must be private to the assistant (loopback or a private network, with a password): python-socketio's
manager passes pickled messages through it, and whoever can publish there can push to any browser.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections import OrderedDict
from typing import Any, Dict, Mapping, Optional, Text, Tuple

logger = logging.getLogger(__name__)

REDIS_URL_ENVS = ("WEBCHAT_REDIS_URL", "REDIS_URL")
PREFIX_ENV = "WEBCHAT_REDIS_PREFIX"
DEFAULT_PREFIX = "council-assistant:"

# A socket's conversation is forgotten after this long without a message (a socket.io connection pings every 25 s,
# but only messages refresh it): the widget then simply asks for its session again (`no_session`).
SOCKET_SECONDS = 6 * 60 * 60
# Client message ids are remembered this long: a widget resends an unacknowledged message within seconds or minutes.
MESSAGE_ID_SECONDS = 24 * 60 * 60
# Memory only: ids remembered at most; the oldest are forgotten first.
RECENT_MESSAGE_IDS = 50_000
# A message being handled holds a lease, renewed every LEASE_RENEW_SECONDS by its process. A lease that ran out means
# the process died mid-message: a resend of it is then handled elsewhere, unless the conversation shows it handled.
LEASE_SECONDS = 15
LEASE_RENEW_SECONDS = 5

# What `ReceivedMessages.receive` says about a client message id.
NEW = "new"  # never seen: this process now handles it
DUPLICATE = "duplicate"  # handled, or being handled by this process (its answers reach every tab of the session)
IN_PROGRESS = "in_progress"  # being handled by another process, alive as far as we know: the client asks again later
ORPHANED = "orphaned"  # taken by a process that died before finishing it: the conversation decides (see webchat.py)


def redis_url(environ: Optional[Mapping[Text, Text]] = None) -> Optional[Text]:
    environ = os.environ if environ is None else environ
    for name in REDIS_URL_ENVS:
        value = (environ.get(name) or "").strip()
        if value:
            return value
    return None


def key_prefix(environ: Optional[Mapping[Text, Text]] = None) -> Text:
    environ = os.environ if environ is None else environ
    return (environ.get(PREFIX_ENV) or "").strip() or DEFAULT_PREFIX


# -- which conversation each socket is in --------------------------------------------------------------------------


class MemorySockets:
    def __init__(self) -> None:
        self._sessions: Dict[Text, Text] = {}

    async def join(self, sid: Text, session_id: Text) -> None:
        self._sessions[sid] = session_id

    async def session_of(self, sid: Text) -> Optional[Text]:
        return self._sessions.get(sid)

    async def forget(self, sid: Text) -> None:
        self._sessions.pop(sid, None)


class RedisSockets:
    def __init__(self, redis: Any, prefix: Text) -> None:
        self.redis = redis
        self.prefix = f"{prefix}webchat:socket:"

    async def join(self, sid: Text, session_id: Text) -> None:
        await self.redis.set(self.prefix + sid, session_id, ex=SOCKET_SECONDS)

    async def session_of(self, sid: Text) -> Optional[Text]:
        value = await self.redis.getex(self.prefix + sid, ex=SOCKET_SECONDS)
        return value.decode() if isinstance(value, bytes) else value

    async def forget(self, sid: Text) -> None:
        await self.redis.delete(self.prefix + sid)


# -- client message ids already received ---------------------------------------------------------------------------


class MemoryMessages:
    """In one process the owner of a message being handled is always alive: a resend is simply a duplicate."""

    def __init__(self, size: int = RECENT_MESSAGE_IDS) -> None:
        self.size = size
        self._seen: "OrderedDict[Tuple[Text, Text], None]" = OrderedDict()

    async def receive(self, session_id: Text, message_id: Text) -> Text:
        key = (session_id, message_id)
        if key in self._seen:
            return DUPLICATE
        self._seen[key] = None
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return NEW

    async def take_over(self, session_id: Text, message_id: Text) -> bool:
        return True

    async def handled(self, session_id: Text, message_id: Text) -> None:
        pass

    async def not_handled(self, session_id: Text, message_id: Text) -> None:
        self._seen.pop((session_id, message_id), None)  # refused or failed: a later resend is welcome

    def keep_claim(self, session_id: Text, message_id: Text) -> "_Lease":
        return _Lease(None)


# Marks a message id as received and takes its lease, or says who has it: atomic, so two processes given the same
# resend at once can't both handle it. KEYS: the id's key, its lease key. ARGV: owner, id seconds, lease seconds.
_RECEIVE = """
if redis.call('SET', KEYS[1], 'handling', 'NX', 'EX', ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
  return 'new'
end
if redis.call('GET', KEYS[1]) ~= 'handling' then return 'duplicate' end
local owner = redis.call('GET', KEYS[2])
if not owner then return 'orphaned' end
if owner == ARGV[1] then return 'duplicate' end
return 'in_progress'
"""
# Renews the lease only while this process still holds it. KEYS: lease key. ARGV: owner, lease seconds.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class RedisMessages:
    def __init__(self, redis: Any, prefix: Text) -> None:
        self.redis = redis
        self.prefix = prefix
        self.owner = f"{os.getpid()}-{secrets.token_hex(6)}"  # this process
        self._receive = redis.register_script(_RECEIVE)
        self._renew = redis.register_script(_RENEW)

    def _keys(self, session_id: Text, message_id: Text) -> Tuple[Text, Text]:
        return (f"{self.prefix}webchat:message:{session_id}:{message_id}",
                f"{self.prefix}webchat:handling:{session_id}:{message_id}")

    async def receive(self, session_id: Text, message_id: Text) -> Text:
        answer = await self._receive(keys=self._keys(session_id, message_id),
                                     args=[self.owner, MESSAGE_ID_SECONDS, LEASE_SECONDS])
        return answer.decode() if isinstance(answer, bytes) else answer

    async def take_over(self, session_id: Text, message_id: Text) -> bool:
        """An orphaned message is now this process's (False: another process took it first)."""
        _, lease = self._keys(session_id, message_id)
        return bool(await self.redis.set(lease, self.owner, nx=True, ex=LEASE_SECONDS))

    async def handled(self, session_id: Text, message_id: Text) -> None:
        key, lease = self._keys(session_id, message_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.set(key, "done", ex=MESSAGE_ID_SECONDS).delete(lease).execute()

    async def not_handled(self, session_id: Text, message_id: Text) -> None:
        await self.redis.delete(*self._keys(session_id, message_id))

    def keep_claim(self, session_id: Text, message_id: Text) -> "_Lease":
        if not message_id:
            return _Lease(None)  # a client that sends no ids: nothing to hold
        _, lease = self._keys(session_id, message_id)
        return _Lease(self._renew_forever(lease))

    async def _renew_forever(self, lease: Text) -> None:
        while True:
            await asyncio.sleep(LEASE_RENEW_SECONDS)
            try:
                await self._renew(keys=[lease], args=[self.owner, LEASE_SECONDS])
            except Exception as error:  # Redis away for a moment: the next renewal tries again
                logger.warning("Web chat: a message's lease was not renewed (%s).", type(error).__name__)


class _Lease:
    """`async with` around handling a message: its lease is renewed meanwhile (Redis), then left to the caller."""

    def __init__(self, renewing: Any) -> None:
        self._renewing = renewing
        self._task: Optional[asyncio.Task] = None

    async def __aenter__(self) -> "_Lease":
        if self._renewing is not None:
            self._task = asyncio.ensure_future(self._renewing)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass


# -- the whole of it -------------------------------------------------------------------------------------------------


class SharedState:
    """The state of this Rasa process's web chat: embedded, or in Redis when a Redis URL is configured."""

    def __init__(self, url: Optional[Text] = None, prefix: Text = DEFAULT_PREFIX) -> None:
        self.url = url
        self.prefix = prefix
        if url:
            from redis import asyncio as aioredis

            self.redis = aioredis.Redis.from_url(url)
            self.sockets: Any = RedisSockets(self.redis, prefix)
            self.messages: Any = RedisMessages(self.redis, prefix)
        else:
            self.redis = None
            self.sockets = MemorySockets()
            self.messages = MemoryMessages()

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[Text, Text]] = None) -> "SharedState":
        return cls(redis_url(environ), key_prefix(environ))

    @property
    def shared(self) -> bool:
        return self.redis is not None

    @property
    def socketio_channel(self) -> Text:
        return f"{self.prefix}socketio"

    def client_manager(self) -> Any:
        """python-socketio's manager for the web chat's AsyncServer: with Redis, an emit from any process reaches the
        sockets of the room in every process; without, None (python-socketio's in-memory manager)."""
        if not self.url:
            return None
        return _redis_manager_class()(self.url, channel=self.socketio_channel)

    def describe(self) -> Text:
        """For the start-up log: where the state is, never the Redis password."""
        if not self.url:
            return "in this process's memory (one Rasa process)"
        from redis.connection import parse_url

        options = parse_url(self.url)
        return f"in Redis at {options.get('host', '?')}:{options.get('port', 6379)} db {options.get('db', 0)}"


# The marker a process publishes to itself: when its own listener reads it back, everything published before it has
# been handed to this process's sockets (Redis delivers one channel's messages in order).
_FLUSH_EVENT = "council-assistant:flush"


def _redis_manager_class() -> Any:
    from socketio import AsyncRedisManager

    class OrderedRedisManager(AsyncRedisManager):
        """AsyncRedisManager (python-socketio 5.9.0, redis.asyncio from redis 4.6) that can wait for its own messages.

        Every emit goes through Redis and comes back to each process's listener, while a socket.io acknowledgement
        goes straight to the client: without `flush()` a browser could learn its message was handled before the
        answers arrive. `started()` waits until the listener is subscribed (python-socketio starts it only at the
        first connection, and anything published before that is lost).
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._waiting: Dict[Text, asyncio.Future] = {}

        async def _handle_emit(self, message: Dict[Text, Any]) -> None:
            if message.get("event") == _FLUSH_EVENT:
                waiting = self._waiting.get(message.get("data")) if message.get("host_id") == self.host_id else None
                if waiting is not None and not waiting.done():
                    waiting.set_result(True)
                return
            await super()._handle_emit(message)

        async def flush(self, seconds: float = 5.0) -> bool:
            """Wait until everything this process published has reached its own sockets; False if that took too
            long (the answers still arrive, maybe after the acknowledgement)."""
            token = secrets.token_hex(8)
            self._waiting[token] = asyncio.get_running_loop().create_future()
            try:
                await self._publish({"method": "emit", "event": _FLUSH_EVENT, "data": token, "namespace": "/",
                                     "room": None, "skip_sid": None, "callback": None, "host_id": self.host_id})
                await asyncio.wait_for(asyncio.shield(self._waiting[token]), seconds)
                return True
            except asyncio.TimeoutError:
                return False
            finally:
                self._waiting.pop(token, None)

        async def started(self, seconds: float = 10.0) -> bool:
            """Start the listener now, and wait until it hears this process (i.e. it is subscribed)."""
            if not self.server.manager_initialized:
                self.server.manager_initialized = True
                self.initialize()
            deadline = asyncio.get_running_loop().time() + seconds
            while asyncio.get_running_loop().time() < deadline:
                if await self.flush(0.25):
                    return True
            return False

    return OrderedRedisManager


def push_to_browsers(session_id: Text, message: Dict[Text, Any], *, event: Text = "bot_uttered",
                     environ: Optional[Mapping[Text, Text]] = None) -> Any:
    """A coroutine sending `message` to every browser tab of the web chat conversation `session_id`, from any
    process (a staff relay, a script), connected to any Rasa process: python-socketio's write-only Redis manager.
    Needs the Redis URL (and prefix) the Rasa processes use."""
    url = redis_url(environ)
    if not url:
        raise RuntimeError("Pushing to a browser from another process needs WEBCHAT_REDIS_URL (or REDIS_URL).")
    from socketio import AsyncRedisManager

    async def push() -> None:
        manager = AsyncRedisManager(url, channel=f"{key_prefix(environ)}socketio", write_only=True)
        try:
            await manager.emit(event, message, namespace="/", room=session_id)
        finally:
            await manager.redis.close()

    return push()
