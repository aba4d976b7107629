"""Limits: message length on every channel, rate limits per conversation and per client address, and which address
is the client's behind a trusted proxy.

The token buckets and the address rules are unit tested with an injected clock; the channels are tried through a
real Rasa server (REST and socket.io) started with tight limits, with the real action server and sandbox.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
from requests.adapters import HTTPAdapter
from sanic.compat import Header

from connectors import limits
from connectors.limits import (
    RateLimits,
    TokenBuckets,
    TrustedProxies,
    client_address,
    client_key,
    parse_limit,
    request_client_address,
    trusted_proxies,
)
from tests.connectors.webchat_client import ChatClient, run, texts, user_events
from tests.stack import newest_model, start_rasa_server, stop


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- rate limit settings ----------------------------------------------------------------------------------------------


def test_a_rate_limit_is_written_messages_per_seconds():
    assert parse_limit("30/60") == (30, 60.0)
    assert parse_limit(" 5 / 0.5 ") == (5, 0.5)
    for wrong in ("30", "30/", "/60", "a/60", "30/60/1", "0/60", "-1/60", "30/0", "30/-5", "30/inf", "30/nan", ""):
        with pytest.raises(ValueError, match="rate limit"):
            parse_limit(wrong)


def test_limits_come_from_the_environment_with_defaults():
    defaults = RateLimits.from_environment({})
    assert (defaults.conversations.size, defaults.conversations.refill_per_second) == (30, 0.5)
    assert (defaults.clients.size, defaults.clients.refill_per_second) == (1200, 20.0)
    tight = RateLimits.from_environment({"RATE_LIMIT_CONVERSATION": "5/60", "RATE_LIMIT_CLIENT": "8/10"})
    assert (tight.conversations.size, tight.clients.size, tight.clients.refill_per_second) == (5, 8, 0.8)
    with pytest.raises(ValueError):
        RateLimits.from_environment({"RATE_LIMIT_CLIENT": "lots"})


# -- token buckets ----------------------------------------------------------------------------------------------------


def test_a_bucket_allows_a_burst_then_refills_at_its_rate():
    clock = Clock()
    buckets = TokenBuckets(3, 6, clock=clock)  # 3 at once, then one every 2 seconds
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]
    clock.advance(1.9)
    assert not buckets.take("a")
    clock.advance(0.1)
    assert buckets.take("a") and not buckets.take("a")
    clock.advance(600)  # a long pause fills the bucket, never beyond its size
    assert [buckets.take("a") for _ in range(4)] == [True, True, True, False]


def test_refused_messages_take_nothing_and_buckets_are_separate():
    clock = Clock()
    buckets = TokenBuckets(2, 10, clock=clock)
    assert buckets.take("a") and buckets.take("a")
    for _ in range(50):  # hammering a full bucket doesn't push the refill back
        assert not buckets.take("a")
    assert buckets.take("b")
    clock.advance(5)
    assert buckets.take("a")


def test_a_clock_going_backwards_adds_no_tokens():
    clock = Clock()
    buckets = TokenBuckets(1, 60, clock=clock)
    assert buckets.take("a")
    clock.advance(-3600)
    assert not buckets.take("a")


def test_the_least_recently_used_buckets_are_forgotten(monkeypatch):
    monkeypatch.setattr(limits, "MAX_BUCKETS", 3)
    buckets = TokenBuckets(1, 60, clock=Clock())
    for key in "abcd":
        assert buckets.take(key)
    assert buckets.take("a")  # forgotten, so full again
    assert not buckets.take("d")  # remembered


# -- per conversation and per client ----------------------------------------------------------------------------------


def test_each_conversation_and_each_client_address_has_its_own_limit():
    clock = Clock()
    rate = RateLimits((3, 60), (5, 60), clock=clock)
    assert [rate.allow("c1", "203.0.113.7") for _ in range(4)] == [True, True, True, False]
    assert rate.allow("c2", "203.0.113.7") and rate.allow("c2", "203.0.113.7")  # the address's 5th message
    assert not rate.allow("c3", "203.0.113.7")  # a new conversation doesn't escape the address's limit
    assert rate.allow("c3", "198.51.100.1")  # another address is unaffected


def test_a_message_refused_by_one_limit_uses_none_of_the_other():
    rate = RateLimits((1, 60), (3, 60), clock=Clock())
    assert rate.allow("c1", "203.0.113.7")
    for _ in range(10):
        assert not rate.allow("c1", "203.0.113.7")  # over the conversation's limit
    assert rate.allow("c2", "203.0.113.7") and rate.allow("c3", "203.0.113.7")  # the address still had 2 left


def test_without_an_address_only_the_conversation_is_limited():
    """Signed phone webhooks: limited per call (the conversation), not per address."""
    rate = RateLimits((2, 60), (1, 60), clock=Clock())
    assert rate.allow("CA1", None) and rate.allow("CA1", None) and not rate.allow("CA1", None)
    assert rate.allow("CA2", None) and rate.allow("CA3", None)


def test_the_defaults_never_limit_a_quick_test_conversation_or_twenty_at_once_from_one_address():
    clock = Clock()
    rate = RateLimits.from_environment({})
    # One test conversation, 28 messages as fast as the server answers (50 ms each).
    for _ in range(28):
        assert rate.allow("one-quick-test", "127.0.0.1")
        clock.advance(0.05)
    rate = RateLimits(parse_limit(limits.DEFAULT_CONVERSATION_LIMIT), parse_limit(limits.DEFAULT_CLIENT_LIMIT),
                      clock=clock)
    # Twenty conversations at once from one address for ten minutes, at 20 messages a second between them: more
    # than one Rasa process answers (about 14, BENCHMARKS.md). Each sends 20 messages, then a new one starts.
    for sent in range(20 * 600):
        conversation = f"benchmark-{sent % 20}-{sent // 400}"
        assert rate.allow(conversation, "127.0.0.1"), sent
        clock.advance(1 / 20)
    # Faster still, the address's burst of 1200 lasts a while: 50 seconds at 40 messages a second.
    for sent in range(40 * 50):
        assert rate.allow(f"burst-{sent % 20}-{sent // 400}", "127.0.0.1"), sent
        clock.advance(1 / 40)
    # ...but a person can't type 31 messages in a minute.
    assert not all(rate.allow("typing-fast", "127.0.0.1") for _ in range(31))


# -- which address is the client's ------------------------------------------------------------------------------------

LOOPBACK = TrustedProxies(["127.0.0.1", "::1"])


def test_an_untrusted_peer_is_the_client_whatever_it_forwards():
    assert client_address("203.0.113.7", "198.51.100.1", LOOPBACK) == "203.0.113.7"
    assert client_address("203.0.113.7", None, LOOPBACK) == "203.0.113.7"
    assert client_address("10.0.0.5", "127.0.0.1", TrustedProxies(["192.0.2.1"])) == "10.0.0.5"


def test_a_trusted_proxy_is_believed_for_the_address_it_appended_only():
    assert client_address("127.0.0.1", "198.51.100.1", LOOPBACK) == "198.51.100.1"
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it really saw.
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.1", LOOPBACK) == "198.51.100.1"
    assert client_address("::1", "2001:db8::7", LOOPBACK) == "2001:db8::7"
    assert client_address("127.0.0.1", None, LOOPBACK) == "127.0.0.1"  # a local tool, not proxied
    assert client_address("127.0.0.1", "", LOOPBACK) == "127.0.0.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    proxies = TrustedProxies(["127.0.0.1", "10.0.0.0/8"])  # nginx here, a load balancer on the council's network
    assert client_address("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3", proxies) == "198.51.100.1"
    assert client_address("127.0.0.1", "10.0.0.1, 10.1.2.3", proxies) == "10.0.0.1"  # all trusted: the furthest


def test_malformed_forwarded_entries_are_never_the_client():
    assert client_address("127.0.0.1", "not-an-address", LOOPBACK) == "127.0.0.1"
    assert client_address("127.0.0.1", "198.51.100.1, garbage", LOOPBACK) == "127.0.0.1"
    assert client_address("127.0.0.1", "garbage, 198.51.100.1", LOOPBACK) == "198.51.100.1"


def test_addresses_are_read_as_proxies_and_sockets_write_them():
    assert client_address("127.0.0.1", "198.51.100.1:51234", LOOPBACK) == "198.51.100.1"
    assert client_address("127.0.0.1", "[2001:db8::7]:443", LOOPBACK) == "2001:db8::7"
    assert client_address("::ffff:127.0.0.1", "198.51.100.1", LOOPBACK) == "198.51.100.1"  # dual-stack socket
    assert client_address("::ffff:203.0.113.7", None, LOOPBACK) == "203.0.113.7"  # the same client either way
    assert client_address(None, "198.51.100.1", LOOPBACK) is None


def test_trusted_proxies_come_from_the_environment():
    assert "127.0.0.1" in trusted_proxies({}) and "::1" in trusted_proxies({})
    council = trusted_proxies({"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"})
    assert "10.20.30.40" in council and "192.0.2.1" in council and "127.0.0.1" not in council
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        trusted_proxies({"TRUSTED_PROXIES": "nginx"})


def test_every_forwarded_for_line_of_a_request_is_read():
    """A proxy may add its own X-Forwarded-For line after the client's: the last line's last entry is its word."""

    class Request:
        conn_info = type("ConnInfo", (), {"client_ip": "127.0.0.1"})()
        headers = Header([("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "198.51.100.1")])

    assert request_client_address(Request(), LOOPBACK) == "198.51.100.1"


def test_the_client_key_is_opaque_and_stable():
    key = client_key("198.51.100.1", {"CLIENT_KEY_SECRET": "s3cret"})
    assert key == client_key("198.51.100.1", {"CLIENT_KEY_SECRET": "s3cret"})
    assert len(key) == 32 and "198" not in key
    assert key != client_key("198.51.100.2", {"CLIENT_KEY_SECRET": "s3cret"})
    assert key != client_key("198.51.100.1", {"CLIENT_KEY_SECRET": "another"})
    assert client_key(None) is None


# -- through the real channels ----------------------------------------------------------------------------------------

CONVERSATION_LIMIT = 5  # messages per conversation; refilled over an hour, so nothing comes back during the tests
CLIENT_LIMIT = 12  # messages per client address
KEY_SECRET = "test-client-key-secret"
UNTRUSTED_PEER = "127.0.0.2"  # loopback too, but not a trusted proxy on this server: its X-Forwarded-For is ignored
TOO_MANY = "faster than I can answer"


@pytest.fixture(scope="module")
def limited(action_server: str, logs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Rasa server with the project's REST and web chat channels and tight limits; only 127.0.0.1 is a proxy."""
    credentials = tmp_path_factory.mktemp("limited") / "credentials.yml"
    credentials.write_text("connectors.rest.RedactingRestInput:\nconnectors.webchat.WebChatInput:\n")
    process = start_rasa_server(newest_model(), action_server, logs_dir, credentials=credentials, extra_env={
        "RATE_LIMIT_CONVERSATION": f"{CONVERSATION_LIMIT}/3600",
        "RATE_LIMIT_CLIENT": f"{CLIENT_LIMIT}/3600",
        "TRUSTED_PROXIES": "127.0.0.1",
        "CLIENT_KEY_SECRET": KEY_SECRET,
        "WEBCHAT_ALLOWED_ORIGINS": "http://127.0.0.1:*",
    })
    yield process.url  # type: ignore[attr-defined]
    stop(process)


class _FromAddress(HTTPAdapter):
    """Connect from another loopback address than 127.0.0.1."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def post(url: str, sender: str, message: str, forwarded_for: Optional[str] = None, peer: Optional[str] = None,
         metadata: Optional[Dict[str, Any]] = None) -> requests.Response:
    session = requests.Session()
    if peer:
        session.mount("http://", _FromAddress(peer))
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    body: Dict[str, Any] = {"sender": sender, "message": message}
    if metadata is not None:
        body["metadata"] = metadata
    with session:
        return session.post(f"{url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)


def sender() -> str:
    return f"limits-{uuid.uuid4().hex[:12]}"


def greeted(answer: requests.Response) -> bool:
    return answer.status_code == 200 and "automated assistant" in " ".join(m.get("text", "") for m in answer.json())


def test_rest_refuses_a_conversation_over_its_limit_and_others_carry_on(limited):
    busy, other = sender(), sender()
    for _ in range(CONVERSATION_LIMIT):
        assert greeted(post(limited, busy, "hello", "198.51.100.10"))
    refused = post(limited, busy, "hello", "198.51.100.10")
    assert refused.status_code == 429, refused.text
    assert TOO_MANY in refused.json()[0]["text"] and refused.json()[0]["error"] == "too_many_messages"
    assert len(user_events(limited, busy)) == CONVERSATION_LIMIT  # the refused message never reached Rasa
    assert greeted(post(limited, other, "hello", "198.51.100.11"))


def test_rest_refuses_an_address_over_its_limit_however_many_conversations_it_opens(limited):
    for _ in range(CLIENT_LIMIT):
        assert greeted(post(limited, sender(), "hello", "198.51.100.20"))
    refused = post(limited, sender(), "hello", "198.51.100.20")
    assert refused.status_code == 429 and TOO_MANY in refused.text
    assert greeted(post(limited, sender(), "hello", "198.51.100.21"))  # another address behind the proxy


def test_a_forged_forwarded_address_from_an_untrusted_peer_cant_dodge_the_address_limit(limited):
    for number in range(CLIENT_LIMIT):
        assert greeted(post(limited, sender(), "hello", f"203.0.113.{number}", peer=UNTRUSTED_PEER))
    refused = post(limited, sender(), "hello", "203.0.113.200", peer=UNTRUSTED_PEER)
    assert refused.status_code == 429 and TOO_MANY in refused.text
    assert greeted(post(limited, sender(), "hello", "198.51.100.22"))  # through the trusted proxy: unaffected


def test_the_client_key_in_metadata_is_the_servers_never_the_clients(limited):
    conversation = sender()
    assert greeted(post(limited, conversation, "hello", "198.51.100.30", metadata={"client": "someone-else"}))
    [event] = user_events(limited, conversation)
    expected = client_key("198.51.100.30", {"CLIENT_KEY_SECRET": KEY_SECRET})
    assert event["metadata"]["client"] == expected != "someone-else"


def test_a_30000_character_message_is_refused_at_once_and_holds_nobody_up(limited):
    long_one, other = sender(), sender()
    refused = post(limited, long_one, "x " * 15000, "198.51.100.40")
    assert refused.status_code == 413, refused.text
    assert "too long" in refused.json()[0]["text"] and "2000" in refused.json()[0]["text"]
    assert user_events(limited, long_one) == []
    assert greeted(post(limited, other, "hello", "198.51.100.41"))
    just_long_enough = post(limited, sender(), "hello " + "a" * 1994, "198.51.100.42")
    assert just_long_enough.status_code == 200, just_long_enough.text


# -- socket.io ----------------------------------------------------------------------------------------------------


class ForwardedChatClient(ChatClient):
    """A browser behind the proxy: the proxy (127.0.0.1, trusted) says which address it came from."""

    def __init__(self, url: str, forwarded_for: str) -> None:
        super().__init__(url)
        self.forwarded_for = forwarded_for

    async def connect(self) -> "ForwardedChatClient":
        await self.sio.connect(self.url, headers={"X-Forwarded-For": self.forwarded_for}, transports=["polling"],
                               wait_timeout=10)
        return self


def test_socketio_refuses_a_conversation_over_its_limit_and_others_carry_on(limited):
    async def scenario():
        busy = await ForwardedChatClient(limited, "198.51.100.50").connect()
        other = await ForwardedChatClient(limited, "198.51.100.51").connect()
        try:
            session = await busy.start_session()
            await other.start_session()
            for _ in range(CONVERSATION_LIMIT):
                assert "automated assistant" in texts(await busy.say("hello"))
            ack = await busy.send({"message": "hello", "session_id": session})
            assert ack == {"status": "error", "code": "too_many_messages"}
            error = await busy.next("bot_error")
            assert error["code"] == "too_many_messages" and TOO_MANY in error["message"]
            assert "automated assistant" in texts(await other.say("hello"))
            return session
        finally:
            await busy.close()
            await other.close()

    session = run(scenario())
    assert len(user_events(limited, session)) == CONVERSATION_LIMIT


def test_socketio_refuses_a_30000_character_message_and_replaces_the_client_key(limited):
    async def scenario():
        client = await ForwardedChatClient(limited, "198.51.100.60").connect()
        try:
            session = await client.start_session()
            ack = await client.send({"message": "x " * 15000, "session_id": session})
            assert ack == {"status": "error", "code": "message_too_long"}
            assert (await client.next("bot_error"))["code"] == "message_too_long"
            assert user_events(limited, session) == []
            replies = await client.say("hello", customData={"client": "someone-else"})
            assert "automated assistant" in texts(replies)
            return session
        finally:
            await client.close()

    session = run(scenario())
    [event] = user_events(limited, session)
    assert event["metadata"]["client"] == client_key("198.51.100.60", {"CLIENT_KEY_SECRET": KEY_SECRET})
