"""Rate limits per conversation and per client address, and who the client is behind a trusted proxy.

No person types 30 messages a minute; a shared office network sends far more than one person. Both limits are
token buckets: a burst up to the bucket's size, then a steady rate. They are kept in this process's memory.

| variable | default |
|---|---|
| RATE_LIMIT_CONVERSATION | 30/60 (30 messages, refilled over 60 seconds) |
| RATE_LIMIT_CLIENT | 300/60 |
| TRUSTED_PROXIES | 127.0.0.1,::1 (peers whose X-Forwarded-For is believed) |
| CLIENT_KEY_SECRET | a key for the opaque client keys; a fixed local-demo key when unset |
"""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from typing import Callable, Dict, Iterable, Mapping, Optional, Text, Tuple

DEFAULT_CONVERSATION_LIMIT = "30/60"
DEFAULT_CLIENT_LIMIT = "300/60"
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"
LOCAL_CLIENT_KEY_SECRET = "local-demo-client-key"
# Buckets remembered at most; the least recently used are forgotten (a forgotten bucket is simply full again).
MAX_BUCKETS = 100_000


def parse_limit(value: Text) -> Tuple[int, float]:
    """"30/60" -> (30 messages, per 60 seconds)."""
    try:
        count, seconds = (part.strip() for part in value.split("/"))
        parsed = int(count), float(seconds)
    except ValueError:
        raise ValueError(f"A rate limit is written messages/seconds, like 30/60, not {value!r}.") from None
    if parsed[0] < 1 or parsed[1] <= 0:
        raise ValueError(f"A rate limit needs at least 1 message over a positive time, not {value!r}.")
    return parsed


class TokenBuckets:
    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.refill_per_second = size / seconds
        self.clock = clock
        self._buckets: "OrderedDict[Text, Tuple[float, float]]" = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: Text) -> bool:
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(key, (float(self.size), now))
            tokens = min(float(self.size), tokens + (now - then) * self.refill_per_second)
            allowed = tokens >= 1
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            while len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        return allowed


class RateLimits:
    def __init__(self, conversation: Tuple[int, float], client: Tuple[int, float]) -> None:
        self.conversations = TokenBuckets(*conversation)
        self.clients = TokenBuckets(*client)

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[Text, Text]] = None) -> "RateLimits":
        environ = os.environ if environ is None else environ
        return cls(
            parse_limit(environ.get("RATE_LIMIT_CONVERSATION") or DEFAULT_CONVERSATION_LIMIT),
            parse_limit(environ.get("RATE_LIMIT_CLIENT") or DEFAULT_CLIENT_LIMIT),
        )

    def allow(self, conversation: Text, client_address: Optional[Text]) -> bool:
        if not self.conversations.take(f"conversation:{conversation}"):
            return False
        return client_address is None or self.clients.take(f"client:{client_address}")


def trusted_proxies(environ: Optional[Mapping[Text, Text]] = None) -> Iterable[Text]:
    environ = os.environ if environ is None else environ
    value = environ.get("TRUSTED_PROXIES") or DEFAULT_TRUSTED_PROXIES
    return {part.strip() for part in value.split(",") if part.strip()}


def client_address(peer: Optional[Text], forwarded_for: Optional[Text], proxies: Iterable[Text]) -> Optional[Text]:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the address the proxy forwarded.

    Only the last X-Forwarded-For entry is the proxy's own word; earlier entries are whatever the client sent."""
    if peer in proxies and forwarded_for:
        forwarded = forwarded_for.split(",")[-1].strip()
        if forwarded:
            return forwarded
    return peer


def client_key(address: Optional[Text], environ: Optional[Mapping[Text, Text]] = None) -> Optional[Text]:
    """An opaque, stable key for a client address: limits can count per client without storing its address."""
    if not address:
        return None
    environ = os.environ if environ is None else environ
    secret = (environ.get("CLIENT_KEY_SECRET") or LOCAL_CLIENT_KEY_SECRET).encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]
