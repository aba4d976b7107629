"""Logs never hold residents' words, whatever fails: not at DEBUG level, not for a message with a lone surrogate (which
made NLU fail and Rasa's REST channel log the whole text), not when the conversation store fails (Rasa logs the
database's error, which quotes the stored event)."""
from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Iterator

import pytest
import requests

from tests.stack import newest_model, start_rasa_server, stop

# Made-up words that can only reach the log from the residents' messages.
SURROGATE_WORDS = ("Quokkaville", "Wombatshire")
FAILURE_WORDS = ("Numbatfield", "Bilbyton")


@pytest.fixture(scope="module")
def debug_rasa(action_server, logs_dir) -> Iterator:
    """A Rasa server logging everything (LOG_LEVEL=DEBUG), with its own tracker database."""
    process = start_rasa_server(newest_model(), action_server, logs_dir, extra_env={"LOG_LEVEL": "DEBUG"})
    yield process
    stop(process)


def say(rasa, text: str) -> requests.Response:
    body = json.dumps({"sender": f"logs-{uuid.uuid4().hex[:12]}", "message": text})  # ASCII: "\ud800" as JSON sends it
    return requests.post(f"{rasa.url}/webhooks/rest/webhook", data=body,
                         headers={"Content-Type": "application/json"}, timeout=90)


def replies(answer: requests.Response) -> str:
    assert answer.status_code == 200, answer.text
    return "\n".join(message.get("text", "") for message in answer.json())


def log_of(rasa) -> str:
    return rasa.log.read_text(errors="replace").lower()


def test_a_message_with_a_lone_surrogate_is_answered_and_its_words_are_not_logged(debug_rasa):
    answer = say(debug_rasa, f"my bin in {SURROGATE_WORDS[0]} \ud800 near {SURROGATE_WORDS[1]} was missed")
    assert replies(answer).strip()  # a clear reply, not an error
    log = log_of(debug_rasa)
    assert "received user message" in log or "processor.message.parse" in log  # Rasa did log the message, at DEBUG
    for word in SURROGATE_WORDS:
        assert word.lower() not in log, word


def test_when_the_conversation_store_fails_the_words_are_not_logged(debug_rasa):
    lock = sqlite3.connect(debug_rasa.tracker_db, isolation_level=None, timeout=30)
    lock.execute("BEGIN EXCLUSIVE")  # the database is locked: Rasa can neither read nor save the conversation
    try:
        answer = say(debug_rasa, f"someone dumped a sofa in {FAILURE_WORDS[0]} by {FAILURE_WORDS[1]} school")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert replies(answer).strip()  # Rasa carries on with the conversation in memory
    log = log_of(debug_rasa)
    assert "error happened when trying to save" in log  # the failure happened, and was logged
    for word in FAILURE_WORDS:
        assert word.lower() not in log, word
