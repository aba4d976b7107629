"""Retention through the real thing: a Rasa server keeping conversations in the project's tracker store (SQLite, and
PostgreSQL when TEST_POSTGRES_URL is set), residents talking over the REST channel, and `python -m retention` run
as an operator runs it. Old conversations are made old by moving their stored events into the past."""
from __future__ import annotations

from typing import Iterator, List

import pytest
import requests

from tests.stack import API_TOKEN, Conversation, newest_model, start_rasa_server, stop

from .conftest import age, retention, stored_types


@pytest.fixture(scope="module")
def assistant(tracker_database, action_server, logs_dir) -> Iterator[str]:
    process = start_rasa_server(newest_model(), action_server, logs_dir, endpoints_extra=tracker_database.store_config)
    yield process.url  # type: ignore[attr-defined]
    stop(process)


@pytest.fixture
def run_retention(tracker_database, tmp_path):
    def run(*arguments: str) -> str:
        return retention(*arguments, tracker_url=tracker_database.url,
                         actions_url=f"sqlite:///{tmp_path / 'actions.db'}")
    return run


def said_by_resident(conversation: Conversation) -> List[str]:
    """What the resident said, as Rasa's HTTP API gives the conversation now."""
    answer = requests.get(f"{conversation.rasa_url}/conversations/{conversation.sender}/tracker",
                          params=API_TOKEN, timeout=30)
    answer.raise_for_status()
    return [event["text"] for event in answer.json()["events"] if event["event"] == "user"]


def assert_tells_nothing_personal(output: str, *conversations: Conversation, said=()) -> None:
    for conversation in conversations:
        assert conversation.sender not in output
    for words in said:
        assert words.lower() not in output.lower()
    assert "@" not in output


def test_the_daily_job_deletes_old_conversations_and_keeps_recent_ones(assistant, tracker_database, tmp_path):
    old, recent = Conversation(assistant), Conversation(assistant)
    old.say("hello")
    old.say("my email is old.resident@example.com")
    recent.say("hello")
    recent.say("my email is recent.resident@example.com")
    age(tracker_database.url, old.sender, days=91)

    # Read from an endpoints file as Rasa reads it (the store's settings, not a URL); other sections' variables
    # need not be set.
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text('action_endpoint:\n  headers:\n    X-Secret: ${NOT_SET_FOR_RETENTION}\n'
                         + tracker_database.store_config)
    output = retention("run", tracker_url=None, actions_url=f"sqlite:///{tmp_path / 'actions.db'}",
                       env={"RASA_ENDPOINTS": str(endpoints)})

    assert "conversations: 1 (" in output, output
    assert stored_types(tracker_database.url, old.sender) == []
    assert said_by_resident(old) == []  # Rasa has no such conversation any more
    assert said_by_resident(recent) == ["hello", "my email is recent.resident@example.com"]
    assert_tells_nothing_personal(output, old, recent)


def test_a_conversation_still_going_on_loses_only_its_old_sessions(assistant, tracker_database, run_retention):
    resident = Conversation(assistant)
    resident.say("my number is 07700 900111")
    age(tracker_database.url, resident.sender, days=100)
    resident.say("hello again")  # months later, from the same chat: a new session of the same conversation

    output = run_retention("run")

    assert "older sessions of conversations still going on: 0 events" not in output, output
    assert said_by_resident(resident) == ["hello again"]
    assert "session_started" in stored_types(tracker_database.url, resident.sender)
    resident.say("thanks")  # Rasa goes on with the conversation as before
    assert said_by_resident(resident) == ["hello again", "thanks"]


def test_erasing_one_resident_by_email_phone_or_reference_removes_theirs_and_nothing_else(
        assistant, tracker_database, run_retention):
    ann, bea, cal, dee = (Conversation(assistant) for _ in range(4))
    ann.say("my email is Ann.Example@example.com")
    bea.say("you can call me on 07700 900456")
    cal.say("any news on REP-100017")
    # Someone else, with details that look alike but are not theirs.
    near_misses = ["my email is annexample@example.com", "my number is 07700 900457", "report REP-1000170"]
    for words in near_misses:
        dee.say(words)

    for arguments, resident, said in [
        (["--email", "ANN.example@example.com"], ann, "ann.example"),
        (["--phone", "+447700900456"], bea, "900456"),
        (["--reference", "rep 100017"], cal, "100017"),
    ]:
        output = run_retention("erase", *arguments)
        assert "conversations: 1 (" in output, output
        assert "Erased" in output
        assert stored_types(tracker_database.url, resident.sender) == []
        assert said_by_resident(resident) == []
        assert_tells_nothing_personal(output, ann, bea, cal, dee, said=[said])

    assert said_by_resident(dee) == near_misses


def test_a_dry_run_shows_counts_and_dates_and_deletes_nothing(assistant, tracker_database, run_retention):
    resident, old = Conversation(assistant), Conversation(assistant)
    resident.say("my email is dry.run@example.com")
    old.say("hello")
    age(tracker_database.url, old.sender, days=91)

    erase = run_retention("erase", "--email", "dry.run@example.com", "--dry-run")
    daily = run_retention("run", "--dry-run")

    assert "conversations: 1 (" in erase and "Dry run: nothing was erased." in erase, erase
    assert "conversations: 1 (" in daily and "Dry run: nothing was deleted." in daily, daily
    assert said_by_resident(resident) == ["my email is dry.run@example.com"]
    assert "user" in stored_types(tracker_database.url, old.sender)
    assert_tells_nothing_personal(erase + daily, resident, old, said=["dry.run"])
    run_retention("run")  # the old conversation goes, so other tests count only their own
