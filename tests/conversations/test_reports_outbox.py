"""Reports survive Open311 failing: kept in the outbox, sent once when it is back, the reference sent on.

Open311 is stopped, slowed or broken mid-journey (the sandbox runs in this process, so a test can stop it or wrap
its Open311 answers), the resident is told the truth, and the outbox pass (`deliver_due`) is run from here with a
clock ten minutes on: the outage is simulated, never waited for. The pass works on the action server's own
database, as its background loop does.
"""
from __future__ import annotations

import random
import time
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

import requests

from actions.clients.notify import NotifyClient
from actions.clients.open311 import Open311Client
from actions.outbox import deliver_due
from actions.outbox.store import OutboxStore, utcnow
from actions.settings import DEFAULT_NOTIFY_API_KEY, DEFAULT_OPEN311_API_KEY
from actions.storage import Database
from tests.conversations.helpers import notifications, reference_in
from tests.conversations.test_problem_reports import answer_every_question
from tests.stack import free_port

TEN_MINUTES = timedelta(minutes=10)
ACTION_SERVER_TIMEOUT = 3  # tests/stack.py: COUNCIL_API_TIMEOUT_SECONDS


def outbox_of(action_server: str, logs_dir) -> OutboxStore:
    port = urlsplit(action_server).port
    return OutboxStore(Database(f"sqlite:///{logs_dir / f'actions-{port}.db'}"))


def open311(sandbox) -> Open311Client:
    return Open311Client(f"{sandbox.url}/open311/v2", api_key=DEFAULT_OPEN311_API_KEY, timeout=3, retries=0)


def notify(url: str) -> NotifyClient:
    return NotifyClient(url, api_key=DEFAULT_NOTIFY_API_KEY, timeout=3, retries=0)


def run_outbox(action_server, logs_dir, sandbox, later=TEN_MINUTES, notify_url=None):
    """One outbox pass, as the action server's loop runs it, at `later` from now."""
    return deliver_due(outbox_of(action_server, logs_dir), open311(sandbox), notify(notify_url or sandbox.url),
                       utcnow() + later)


def reports_at(sandbox, place: str) -> list:
    everything = requests.get(f"{sandbox.url}/open311/v2/requests.json", params={"service_code": "flytipping"},
                              timeout=10).json()
    return [r for r in everything if place in (r["address"] or "")]


def submission_number_in(text: str):
    words = [w.strip("*.,") for w in text.split()]
    return next((w for w in words if w.startswith("SUB-")), None)


def report_flytipping(conversation, sandbox, contact: str) -> str:
    """Answer every question of a fly-tipping report at a place of its own; stop before saying yes."""
    place = f"the alley behind the shops on Towngate, Leyland, spot {random.randint(100000, 999999)}"
    conversation.say("someone has dumped a load of rubbish")
    conversation.say(place)
    answer_every_question(conversation, sandbox.url, "flytipping")
    conversation.say(contact)
    assert "send it" in conversation.text().lower(), conversation.text()
    return place


@contextmanager
def open311_posts(sandbox, fault):
    """Every Open311 POST /requests.json goes through `fault(app, environ, start_response)` for a while."""
    app = sandbox.app
    real = app.wsgi_app

    def faulty(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/open311/v2/requests.json":
            return fault(real, environ, start_response)
        return real(environ, start_response)

    app.wsgi_app = faulty
    try:
        yield
    finally:
        app.wsgi_app = real


def created_then(answer):
    """The report is made, then `answer` is what the assistant gets instead of Open311's answer."""
    def fault(real, environ, start_response):
        b"".join(real(environ, lambda *args, **kwargs: None))
        return answer(environ, start_response)
    return fault


def html_page(status="200 OK"):
    def answer(environ, start_response):
        start_response(status, [("Content-Type", "text/html")])
        return [b"<html><body><h1>Service temporarily unavailable</h1></body></html>"]
    return answer


def too_late(environ, start_response):
    time.sleep(ACTION_SERVER_TIMEOUT + 1.5)  # past the action server's timeout: it can't know the report was made
    start_response("201 CREATED", [("Content-Type", "application/json")])
    return [b"[]"]


def test_open311_down_for_ten_minutes_the_report_arrives_once_and_the_resident_gets_its_reference(
    conversation, sandbox, action_server, logs_dir
):
    place = report_flytipping(conversation, sandbox, "kept.report@example.org")
    sandbox.stop()
    conversation.say("yes")
    said = conversation.text()
    number = submission_number_in(said)
    assert number and "isn't answering" in said and "kept your report" in said, said
    assert "by email" in said and reference_in(said) is None, said  # no reference it can't have yet
    assert outbox_of(action_server, logs_dir).find(number).pending

    run_outbox(action_server, logs_dir, sandbox, later=timedelta(minutes=5))  # still down: tried, kept
    assert outbox_of(action_server, logs_dir).find(number).pending
    sandbox.start()
    run_outbox(action_server, logs_dir, sandbox)
    run_outbox(action_server, logs_dir, sandbox, later=timedelta(hours=1))  # nothing is sent twice

    made = reports_at(sandbox, place)
    assert len(made) == 1, made
    reference = made[0]["service_request_id"]
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["email_address"] == "kept.report@example.org"
    assert reference in sent[0]["body"]

    conversation.say("any news on my report?")
    assert reference in conversation.text() and "reached the council" in conversation.text(), conversation.text()


def test_the_resident_asks_before_open311_is_back_and_is_told_it_is_still_waiting(conversation, sandbox):
    report_flytipping(conversation, sandbox, "no")
    sandbox.stop()
    conversation.say("yes")
    number = submission_number_in(conversation.text())
    assert "ask me about it in this conversation" in conversation.text(), conversation.text()
    conversation.say(f"any news on {number}?")
    assert "hasn't reached the council yet" in conversation.text(), conversation.text()
    assert reference_in(conversation.text()) is None


def test_a_timeout_after_open311_made_the_report_is_checked_not_sent_twice(
    conversation, sandbox, action_server, logs_dir
):
    place = report_flytipping(conversation, sandbox, "no")
    with open311_posts(sandbox, created_then(too_late)):
        conversation.say("yes")
    said = conversation.text()
    number = submission_number_in(said)
    assert number and "can't yet tell whether it arrived" in said, said
    assert len(reports_at(sandbox, place)) == 1  # it did arrive; the assistant couldn't know

    run_outbox(action_server, logs_dir, sandbox)
    assert len(reports_at(sandbox, place)) == 1
    reference = reports_at(sandbox, place)[0]["service_request_id"]
    assert outbox_of(action_server, logs_dir).find(number).result == reference
    conversation.say(f"what's happening with {number}")
    assert reference in conversation.text(), conversation.text()


def test_an_html_answer_after_open311_made_the_report_is_retried_and_arrives_once(
    conversation, sandbox, action_server, logs_dir
):
    place = report_flytipping(conversation, sandbox, "no")
    with open311_posts(sandbox, created_then(html_page())):
        conversation.say("yes")
    assert submission_number_in(conversation.text()), conversation.text()
    assert reference_in(conversation.text()) is None
    run_outbox(action_server, logs_dir, sandbox)
    assert len(reports_at(sandbox, place)) == 1


def test_a_500_is_kept_and_retried_until_open311_takes_it(conversation, sandbox, action_server, logs_dir):
    place = report_flytipping(conversation, sandbox, "07700900123")
    broken = lambda real, environ, start_response: html_page("500 INTERNAL SERVER ERROR")(environ, start_response)
    with open311_posts(sandbox, broken):
        conversation.say("yes")
        said = conversation.text()
        assert submission_number_in(said) and "by text message" in said, said
        run_outbox(action_server, logs_dir, sandbox)  # still broken: kept for later
        assert reports_at(sandbox, place) == []
    run_outbox(action_server, logs_dir, sandbox, later=timedelta(hours=2))
    made = reports_at(sandbox, place)
    assert len(made) == 1
    sent = notifications(sandbox.url, made[0]["service_request_id"])
    assert len(sent) == 1 and sent[0]["phone_number"]


def test_notify_down_when_the_report_arrives_the_confirmation_is_kept_and_sent_later(
    conversation, sandbox, action_server, logs_dir
):
    place = report_flytipping(conversation, sandbox, "notify.down@example.org")
    sandbox.stop()
    conversation.say("yes")
    sandbox.start()
    nowhere = f"http://127.0.0.1:{free_port()}"  # Notify down, Open311 up
    run_outbox(action_server, logs_dir, sandbox, notify_url=nowhere)
    made = reports_at(sandbox, place)
    assert len(made) == 1
    reference = made[0]["service_request_id"]
    assert notifications(sandbox.url, reference) == []
    run_outbox(action_server, logs_dir, sandbox, later=timedelta(hours=1))
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["email_address"] == "notify.down@example.org"


def test_a_sent_report_keeps_no_contact_details_in_the_outbox(conversation, sandbox, action_server, logs_dir):
    report_flytipping(conversation, sandbox, "sam.outbox@example.org")
    sandbox.stop()
    conversation.say("yes")
    number = submission_number_in(conversation.text())
    sandbox.start()
    run_outbox(action_server, logs_dir, sandbox)
    store = outbox_of(action_server, logs_dir)
    assert store.find(number).result and store.find(number).payload == {}
    with store.db.session() as session:
        from sqlalchemy import text
        kept = session.execute(text("SELECT payload FROM outbox")).scalars().all()
    assert not any("sam.outbox@example.org" in payload for payload in kept)


def test_a_missed_bin_reported_while_open311_is_down_arrives_once(conversation, sandbox, action_server, logs_dir):
    from tests.conversations.helpers import address_button, home

    house = home(sandbox.url, "ok", "recycling", "chorley", skip=9)
    conversation.say("my blue bin wasnt emptied yesterday")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    sandbox.stop()
    conversation.say("yes")
    said = conversation.text()
    number = submission_number_in(said)
    assert number and "kept your report of your missed" in said and reference_in(said) is None, said
    sandbox.start()
    run_outbox(action_server, logs_dir, sandbox)
    listed = requests.get(f"{sandbox.url}/open311/v2/requests.json", params={"service_code": "missed_bin"},
                          timeout=10).json()
    made = [r for r in listed if r["address_id"] == house["uprn"]]
    assert len(made) == 1
    conversation.say("any news on my report?")
    assert made[0]["service_request_id"] in conversation.text(), conversation.text()


def test_a_report_open311_takes_at_once_gets_its_reference_by_email_through_the_outbox(
    conversation, sandbox, action_server, logs_dir
):
    report_flytipping(conversation, sandbox, "at.once@example.org")
    conversation.say("yes")
    reference = reference_in(conversation.text())
    assert reference, conversation.text()
    run_outbox(action_server, logs_dir, sandbox, later=timedelta(seconds=1))
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["email_address"] == "at.once@example.org" and reference in sent[0]["body"]
