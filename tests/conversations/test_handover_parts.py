"""The parts of the handover that need no Rasa: the console client against the real staff console (staff/) on a
free port, reading a call back's contact, when customer services will next call, and configured topics."""
from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from werkzeug.serving import make_server

from actions.clients.staff import StaffConsoleClient, StaffConsoleUnavailable
from actions.handover.callback import read_callback_contact
from actions.handover.topics import topic_in
from actions.handover.when import next_open_words
from tests.stack import _Quiet, free_port, wait_until_up

TOKEN = "handover-parts-service-token-0123456789abcdef"
UK = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def console_url(tmp_path_factory):
    from staff.app import create_app
    from staff.settings import Settings

    database = tmp_path_factory.mktemp("console") / "staff.db"
    app = create_app(Settings.from_env({"STAFF_DATABASE_URL": f"sqlite:///{database}", "STAFF_SERVICE_TOKEN": TOKEN,
                                        "HANDOVER_HOURS": "always", "RASA_URL": f"http://127.0.0.1:{free_port()}",
                                        "RASA_AUTH_TOKEN": "x" * 40}), start_sweeper=False)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    wait_until_up(f"http://127.0.0.1:{port}/health", None, Path("/dev/null"), 10)
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def handover(conversation_id: str) -> dict:
    return {"conversation_id": conversation_id, "channel": "webchat", "council": "chorley",
            "reason": "asked for a person", "summary": "Wanted: to report a missed bin\nWhy: asked for a person",
            "details": {"wanted": "to report a missed bin", "journey": "missed_bin_form", "stopped_at": "which bin",
                        "address": None, "references": [], "told": []},
            "priority": "normal", "status": "waiting", "callback": None}


def test_the_client_asks_availability_and_queues_once_per_conversation(console_url):
    client = StaffConsoleClient(console_url, token=TOKEN)
    free = client.availability("chorley")
    assert free.available and free.why == "in_hours" and "Monday to Friday: 8.45am to 5pm" in free.opening_hours
    first = client.create_handover(handover("parts-1"))
    again = client.create_handover(handover("parts-1"))  # an open handover is given back, never a second one
    assert first.id == again.id and first.status == "waiting" and first.position == 1
    assert client.create_handover(handover("parts-2")).position == 2


def test_a_wrong_token_or_a_console_that_is_down_is_the_consoles_own_error(console_url):
    with pytest.raises(StaffConsoleUnavailable) as refused:
        StaffConsoleClient(console_url, token="not-the-service-token-at-all-0123456789").availability("chorley")
    assert refused.value.status in (401, 403)
    with pytest.raises(StaffConsoleUnavailable):
        StaffConsoleClient(f"http://127.0.0.1:{free_port()}", token=TOKEN).availability(None)
    with pytest.raises(ValueError):
        StaffConsoleClient(console_url, token="")


@pytest.mark.parametrize("said, read", [
    ("07700 900461", "phone:07700900461"),
    ("call me on +44 1257 515151 please", "phone:01257515151"),
    ("oh seven seven double oh nine oh oh four six one", "phone:07700900461"),
    ("sam@example.com", "email:sam@example.com"),
    ("0770 0900", None),
    ("tomorrow", None),
    ("0044 8081 234567", None),  # not a number customer services can ring back (08 is not taken)
])
def test_a_call_back_contact_is_a_uk_number_or_an_email(said, read):
    assert read_callback_contact(said) == read


@pytest.mark.parametrize("now, words", [
    (datetime(2026, 11, 27, 10, 0, tzinfo=UK), "today, before 5pm"),  # a Friday, open
    (datetime(2026, 11, 27, 7, 30, tzinfo=UK), "today, between 8.45am and 5pm"),
    (datetime(2026, 11, 26, 18, 0, tzinfo=UK), "tomorrow, between 8.45am and 5pm"),
    (datetime(2026, 11, 27, 18, 0, tzinfo=UK), "on Monday, between 8.45am and 5pm"),  # Friday evening
])
def test_when_customer_services_will_call(now, words):
    assert next_open_words("chorley", now) == words


def test_configured_topics_match_whole_words_whatever_the_apostrophes():
    assert topic_in("I can't afford my rent", "chorley") == "hardship"
    assert topic_in("My dad passed away last week", "south_ribble") == "bereavement"
    assert topic_in("I want to make a complaint", None) == "complaint"
    assert topic_in("complaints", "chorley") is None and topic_in("", None) is None
