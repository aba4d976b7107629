"""The web chat's shared state (connectors/shared_state.py) and the rate limits (connectors/limits.py): in memory by
default, in a real Redis when a Redis URL is set, where two processes' views are one.

The Redis cases need TEST_REDIS_URL (CI sets it, .ci/run); each test uses a key prefix of its own.
"""
from __future__ import annotations

import asyncio
import os
import uuid
from typing import Iterator

import pytest

from connectors import limits, shared_state
from connectors.limits import RateLimits, RedisRateLimits
from connectors.shared_state import DUPLICATE, IN_PROGRESS, NEW, ORPHANED, MemoryMessages, SharedState

REDIS = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL is not set: shared state in Redis (CI sets it)")


def test_without_a_redis_url_everything_stays_in_the_process():
    state = SharedState.from_environment({})
    assert not state.shared and state.client_manager() is None
    assert isinstance(state.messages, MemoryMessages)
    assert isinstance(RateLimits.from_environment({}), RateLimits)
    assert "memory" in state.describe()


def test_the_redis_url_is_read_in_one_place():
    assert shared_state.redis_url({"WEBCHAT_REDIS_URL": "redis://a/1", "REDIS_URL": "redis://b/2"}) == "redis://a/1"
    assert shared_state.redis_url({"REDIS_URL": "redis://b/2"}) == "redis://b/2"
    assert shared_state.redis_url({"WEBCHAT_REDIS_URL": " "}) is None
    assert shared_state.key_prefix({}) == "council-assistant:"


def test_in_memory_a_resend_is_a_duplicate_until_it_was_refused():
    async def scenario():
        messages = MemoryMessages()
        first = await messages.receive("s1", "m1")
        again = await messages.receive("s1", "m1")
        await messages.not_handled("s1", "m1")
        return first, again, await messages.receive("s1", "m1")

    assert asyncio.run(scenario()) == (NEW, DUPLICATE, NEW)


@pytest.fixture
def environ() -> Iterator[dict]:
    prefix = f"test{uuid.uuid4().hex[:8]}:"
    yield {"WEBCHAT_REDIS_URL": REDIS, "WEBCHAT_REDIS_PREFIX": prefix}
    import redis

    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@needs_redis
def test_two_processes_see_one_set_of_message_ids(environ, monkeypatch):
    monkeypatch.setattr(shared_state, "LEASE_SECONDS", 1)

    async def scenario():
        one, other = SharedState.from_environment(environ), SharedState.from_environment(environ)  # two processes
        seen = [await one.messages.receive("s1", "m1"),
                await one.messages.receive("s1", "m1"),  # its own, still in hand: its answers go to every tab
                await other.messages.receive("s1", "m1")]  # another's, in hand: ask again later
        await one.messages.handled("s1", "m1")
        seen.append(await other.messages.receive("s1", "m1"))
        await other.messages.receive("s1", "m2")  # taken by `other`, which then "dies": its lease runs out
        await asyncio.sleep(1.5)
        seen.append(await one.messages.receive("s1", "m2"))
        seen.append(await one.messages.take_over("s1", "m2"))
        seen.append(await other.messages.take_over("s1", "m2"))  # only one process takes it over
        await one.messages.not_handled("s1", "m2")
        seen.append(await other.messages.receive("s1", "m2"))
        for state in (one, other):
            await state.redis.close()
        return seen

    assert asyncio.run(scenario()) == [NEW, DUPLICATE, IN_PROGRESS, DUPLICATE, ORPHANED, True, False, NEW]


@needs_redis
def test_a_lease_is_renewed_while_its_message_is_handled(environ, monkeypatch):
    monkeypatch.setattr(shared_state, "LEASE_SECONDS", 1)
    monkeypatch.setattr(shared_state, "LEASE_RENEW_SECONDS", 0.3)

    async def scenario():
        one, other = SharedState.from_environment(environ), SharedState.from_environment(environ)
        await one.messages.receive("s1", "slow")
        async with one.messages.keep_claim("s1", "slow"):
            await asyncio.sleep(2)  # twice the lease: still held
            during = await other.messages.receive("s1", "slow")
        await asyncio.sleep(1.5)  # no longer renewed (as if the process had died)
        after = await other.messages.receive("s1", "slow")
        for state in (one, other):
            await state.redis.close()
        return during, after

    assert asyncio.run(scenario()) == (IN_PROGRESS, ORPHANED)


@needs_redis
def test_the_sockets_conversation_is_in_redis(environ):
    async def scenario():
        one, other = SharedState.from_environment(environ), SharedState.from_environment(environ)
        await one.sockets.join("sid1", "a" * 32)
        seen = await other.sockets.session_of("sid1")
        await other.sockets.forget("sid1")
        gone = await one.sockets.session_of("sid1")
        for state in (one, other):
            await state.redis.close()
        return seen, gone

    assert asyncio.run(scenario()) == ("a" * 32, None)


@needs_redis
def test_two_processes_share_the_rate_limits_and_never_store_the_address(environ):
    environ = {**environ, "RATE_LIMIT_CONVERSATION": "3/60", "RATE_LIMIT_CLIENT": "5/60"}

    async def scenario():
        one, other = RedisRateLimits.from_environment(environ), RedisRateLimits.from_environment(environ)
        answers = [await (one if n % 2 else other).admit("c1", "203.0.113.7") for n in range(4)]
        answers.append(await one.admit("c2", "203.0.113.7"))  # the address's 4th and 5th messages
        answers.append(await other.admit("c2", "203.0.113.7"))
        answers.append(await one.admit("c3", "203.0.113.7"))  # a new conversation doesn't escape the address's limit
        answers.append(await other.admit("c4", "198.51.100.1"))  # another address is unaffected
        keys = [key.decode() async for key in one.redis.scan_iter(f"{environ['WEBCHAT_REDIS_PREFIX']}*")]
        for limit in (one, other):
            await limit.redis.close()
        return answers, keys

    answers, keys = asyncio.run(scenario())
    assert answers == [True, True, True, False, True, True, False, True]
    assert keys and not any("203.0.113.7" in key or "198.51.100.1" in key for key in keys)


@needs_redis
def test_the_channels_use_redis_limits_when_a_redis_url_is_set(environ, monkeypatch):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(limits, "_shared", None)
    assert isinstance(limits.shared_rate_limits(), RedisRateLimits)
    monkeypatch.setattr(limits, "_shared", None)  # the next test's channels build their own
