"""Rate limits per conversation and per client address, and who the client is behind a trusted proxy.

No person types 30 messages a minute, so a conversation gets a burst of 30 and then one message every 2 seconds.
A client address is shared by everyone behind it (a council office, a library's computers, a mobile network's
NAT), so its limit is far higher: a burst of 1200 and then 20 messages a second, more than one Rasa process answers
(about 14 a second, BENCHMARKS.md), so the test suite and the benchmarks (twenty conversations at once from
127.0.0.1) are never limited, while a script opening new conversations to escape the first limit meets the second.
Both are token buckets shared by every channel: in this process's memory, or, when several Rasa processes serve the
assistant (WEBCHAT_REDIS_URL or REDIS_URL set, connectors/shared_state.py), in Redis, so a client gets the same
allowance however nginx spreads its messages. In Redis a client's bucket is named by its opaque key (client_key),
never its address.

Which address is the client's: the peer's, unless the peer is a trusted proxy; then X-Forwarded-For is read from
the right, past every trusted proxy, to the first address that isn't one. Entries further left were written by the
client and are never believed. A channel whose requests are signed (the phone line, signed per call) passes no
address, and is limited per conversation (the call) only.

| variable | default |
|---|---|
| RATE_LIMIT_CONVERSATION | 30/60 (a burst of 30 messages, refilled over 60 seconds) |
| RATE_LIMIT_CLIENT | 1200/60 |
| TRUSTED_PROXIES | 127.0.0.1,::1 (addresses or networks, e.g. 10.0.0.0/8, whose X-Forwarded-For is believed; required in production, connectors/production.py) |
| CLIENT_KEY_SECRET | the key for the opaque client keys in message metadata; a fixed local-demo key when unset |
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Iterable, List, Mapping, Optional, Text, Tuple, Union

logger = logging.getLogger(__name__)

DEFAULT_CONVERSATION_LIMIT = "30/60"
DEFAULT_CLIENT_LIMIT = "1200/60"
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"
LOCAL_CLIENT_KEY_SECRET = "local-demo-client-key"
# Buckets remembered at most; the least recently used are forgotten (a forgotten bucket is simply full again).
MAX_BUCKETS = 100_000

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def parse_limit(value: Text) -> Tuple[int, float]:
    """"30/60" -> (30 messages, per 60 seconds)."""
    try:
        count, seconds = (part.strip() for part in value.split("/"))
        parsed = int(count), float(seconds)
    except ValueError:
        raise ValueError(f"A rate limit is written messages/seconds, like 30/60, not {value!r}.") from None
    if parsed[0] < 1 or not 0 < parsed[1] < float("inf"):
        raise ValueError(f"A rate limit needs at least 1 message over a positive time, not {value!r}.")
    return parsed


class TokenBuckets:
    """One bucket per key: `size` tokens when full, refilled at `size` per `seconds`; a message takes one token."""

    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.refill_per_second = size / seconds
        self.clock = clock
        self._buckets: "OrderedDict[Text, Tuple[float, float]]" = OrderedDict()  # key -> (tokens, when)
        self._lock = threading.RLock()

    def tokens(self, key: Text) -> float:
        """The tokens in `key`'s bucket now."""
        return self._tokens_at(key, self.clock())

    def _tokens_at(self, key: Text, now: float) -> float:
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.size), now))
        return min(float(self.size), tokens + max(0.0, now - then) * self.refill_per_second)

    def take(self, key: Text) -> bool:
        """Take a token from `key`'s bucket if it has one; whether it had."""
        now = self.clock()
        with self._lock:
            tokens = self._tokens_at(key, now)
            allowed = tokens >= 1
            self._buckets.pop(key, None)
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            while len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        return allowed


class RateLimits:
    def __init__(
        self, conversation: Tuple[int, float], client: Tuple[int, float], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.conversations = TokenBuckets(*conversation, clock=clock)
        self.clients = TokenBuckets(*client, clock=clock)
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[Text, Text]] = None) -> "RateLimits":
        environ = os.environ if environ is None else environ
        return cls(
            parse_limit(environ.get("RATE_LIMIT_CONVERSATION") or DEFAULT_CONVERSATION_LIMIT),
            parse_limit(environ.get("RATE_LIMIT_CLIENT") or DEFAULT_CLIENT_LIMIT),
        )

    def allow(self, conversation: Text, client_address: Optional[Text]) -> bool:
        """Whether a message may go on; it takes a token from both buckets only when both have one, so a message
        refused by one limit doesn't use up the other."""
        buckets = [(self.conversations, f"conversation:{conversation}")]
        if client_address:
            buckets.append((self.clients, f"client:{client_address}"))
        with self._lock:
            if any(limit.tokens(key) < 1 for limit, key in buckets):
                return False
            return all([limit.take(key) for limit, key in buckets])

    async def admit(self, conversation: Text, client_address: Optional[Text]) -> bool:
        """`allow`, as the channels call it (the Redis limits answer asynchronously)."""
        return self.allow(conversation, client_address)


# Both buckets at once, atomically for every Rasa process: refused unless each has a token, then one taken from each.
# KEYS: the buckets. ARGV: each bucket's size and refill per second, in turn. The clock is Redis's own.
_TAKE_TOKENS = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local levels = {}
for i = 1, #KEYS do
  local size, rate = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local kept = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local tokens, at = tonumber(kept[1]), tonumber(kept[2])
  if tokens == nil or at == nil then
    levels[i] = size
  else
    levels[i] = math.min(size, tokens + math.max(0, now - at) * rate)
  end
  if levels[i] < 1 then return 0 end
end
for i = 1, #KEYS do
  local size, rate = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  redis.call('HSET', KEYS[i], 'tokens', tostring(levels[i] - 1), 'at', tostring(now))
  redis.call('EXPIRE', KEYS[i], math.ceil(size / rate) + 1)
end
return 1
"""


class RedisRateLimits:
    """The same limits as RateLimits, kept in Redis for every Rasa process (a bucket refilled fully is forgotten)."""

    def __init__(self, redis: Any, prefix: Text, conversation: Tuple[int, float], client: Tuple[int, float],
                 environ: Optional[Mapping[Text, Text]] = None) -> None:
        self.redis = redis
        self.prefix = f"{prefix}limit:"
        self.conversation = (conversation[0], conversation[0] / conversation[1])
        self.client = (client[0], client[0] / client[1])
        self.environ = environ
        self._take = redis.register_script(_TAKE_TOKENS)

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[Text, Text]] = None) -> "RedisRateLimits":
        from redis import asyncio as aioredis

        from connectors import shared_state

        environ = os.environ if environ is None else environ
        return cls(
            aioredis.Redis.from_url(shared_state.redis_url(environ)), shared_state.key_prefix(environ),
            parse_limit(environ.get("RATE_LIMIT_CONVERSATION") or DEFAULT_CONVERSATION_LIMIT),
            parse_limit(environ.get("RATE_LIMIT_CLIENT") or DEFAULT_CLIENT_LIMIT),
            environ,
        )

    async def admit(self, conversation: Text, client_address: Optional[Text]) -> bool:
        keys, args = [f"{self.prefix}conversation:{conversation}"], list(self.conversation)
        client = client_key(client_address, self.environ)
        if client:
            keys.append(f"{self.prefix}client:{client}")
            args += list(self.client)
        return bool(await self._take(keys=keys, args=args))


_shared: Optional[Union[RateLimits, RedisRateLimits]] = None
_shared_lock = threading.Lock()


def shared_rate_limits() -> Union[RateLimits, RedisRateLimits]:
    """This process's limits, from the environment, one set for every channel: a client can't get twice the
    allowance by using two channels (nor, with Redis, two Rasa processes)."""
    from connectors import shared_state

    global _shared
    with _shared_lock:
        if _shared is None:
            shared = shared_state.redis_url() is not None
            _shared = RedisRateLimits.from_environment() if shared else RateLimits.from_environment()
        return _shared


# -- who the client is -----------------------------------------------------------------------------------------------


def parse_address(value: Any) -> Optional[Address]:
    """An IP address as a proxy or socket gives it ("203.0.113.7", "203.0.113.7:51234", "[2001:db8::1]:443",
    "::ffff:203.0.113.7"), or None for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]  # IPv4 with a port
    try:
        address = ipaddress.ip_address(text.split("%")[0])  # no IPv6 zone: it names the receiver's interface
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


class TrustedProxies:
    """The proxies whose X-Forwarded-For is believed: addresses or networks."""

    def __init__(self, entries: Iterable[Text]) -> None:
        self.networks: List[Any] = []
        for entry in entries:
            entry = entry.strip()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(
                    f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (like 127.0.0.1 or 10.0.0.0/8)."
                ) from None

    def __contains__(self, address: Any) -> bool:
        parsed = address if isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address)) else parse_address(
            address)
        return parsed is not None and any(parsed in network for network in self.networks)

    def __repr__(self) -> Text:
        return f"TrustedProxies({[str(n) for n in self.networks]})"


def trusted_proxies(environ: Optional[Mapping[Text, Text]] = None) -> TrustedProxies:
    environ = os.environ if environ is None else environ
    return TrustedProxies((environ.get("TRUSTED_PROXIES") or DEFAULT_TRUSTED_PROXIES).split(","))


def client_address(peer: Optional[Text], forwarded_for: Optional[Text], proxies: Any) -> Optional[Text]:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the address the proxies forwarded.

    X-Forwarded-For is read from the right: each trusted proxy appends the address it received the request from,
    so the first untrusted entry from the right is the client; entries left of it were sent by the client itself
    and are never believed. A malformed entry stops the walk at the last address known to be right."""
    proxies = proxies if isinstance(proxies, TrustedProxies) else TrustedProxies(proxies)
    address = parse_address(peer)
    if address is None:
        return peer or None
    hops = (forwarded_for or "").split(",")
    while address in proxies and hops:
        forwarded = parse_address(hops.pop())
        if forwarded is None:
            break
        address = forwarded
    return str(address)


def request_client_address(request: Any, proxies: Any) -> Optional[Text]:
    """`client_address` for a Sanic request: its socket's peer and every X-Forwarded-For header it carries."""
    conn_info = getattr(request, "conn_info", None)
    peer = getattr(conn_info, "client_ip", None) or getattr(request, "ip", None)
    headers = getattr(request, "headers", None)
    values = headers.getall("x-forwarded-for", []) if hasattr(headers, "getall") else []
    return client_address(peer, ",".join(values), proxies)


def client_key(address: Optional[Text], environ: Optional[Mapping[Text, Text]] = None) -> Optional[Text]:
    """An opaque, stable key for a client address: limits can count per client without storing its address."""
    if not address:
        return None
    environ = os.environ if environ is None else environ
    secret = (environ.get("CLIENT_KEY_SECRET") or LOCAL_CLIENT_KEY_SECRET).encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]
