"""The production set-up: conversations in PostgreSQL (tracker store) and locks in Redis (lock store).

These run when CI provides the services' URLs (TEST_POSTGRES_URL, TEST_REDIS_URL; .ci/run sets both). Elsewhere
they are skipped, saying which variable is missing: the default set-up keeps conversations in SQLite.
"""
from __future__ import annotations

import os
import threading
from typing import Iterator, List

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.stack import API_TOKEN, Conversation, newest_model, start_rasa_server, stop

POSTGRES = os.environ.get("TEST_POSTGRES_URL")
REDIS = os.environ.get("TEST_REDIS_URL")
needs_both = pytest.mark.skipif(
    not (POSTGRES and REDIS),
    reason="set TEST_POSTGRES_URL and TEST_REDIS_URL (CI does) to prove the PostgreSQL tracker store and Redis lock store",
)


def stores_config() -> str:
    pg = make_url(POSTGRES)
    redis_url = make_url(REDIS)
    return (
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n"
        f"  url: {pg.host}\n  port: {pg.port or 5432}\n  db: {pg.database}\n  username: {pg.username or 'postgres'}\n"
        + (f"  password: {pg.password}\n" if pg.password else "")
        + "lock_store:\n  type: redis\n"
        f"  url: {redis_url.host}\n  port: {redis_url.port or 6379}\n  db: {redis_url.database or 0}\n"
    )


@pytest.fixture(scope="module")
def production_rasa(action_server, logs_dir) -> Iterator[str]:
    process = start_rasa_server(newest_model(), action_server, logs_dir, endpoints_extra=stores_config())
    yield process.url  # type: ignore[attr-defined]
    stop(process)


@needs_both
def test_conversations_are_kept_in_postgresql(production_rasa):
    conversation = Conversation(production_rasa)
    conversation.say("hello")
    conversation.say("am I talking to a robot?")
    engine = create_engine(POSTGRES, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": conversation.sender}
        ).scalars().all()
    assert rows.count("user") == 2
    assert "bot" in rows


@needs_both
def test_messages_for_one_conversation_take_the_redis_lock(production_rasa):
    import redis

    client = redis.Redis.from_url(REDIS)
    conversation = Conversation(production_rasa)
    seen: List[str] = []
    ready = threading.Event()

    def watch() -> None:
        with client.monitor() as monitor:
            ready.set()
            for command in monitor.listen():
                seen.append(command["command"])
                if len(seen) > 200 or any("DEL" in c.upper() and conversation.sender in c for c in seen):
                    return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    ready.wait(5)
    conversation.say("hello")
    watcher.join(timeout=15)
    assert any(conversation.sender in command for command in seen), seen[:20]
    assert requests.get(f"{production_rasa}/conversations/{conversation.sender}/tracker", params=API_TOKEN, timeout=10).ok
