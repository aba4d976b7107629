"""The assistant's own servers restarted mid-conversation: nothing lost, nothing confirmed that didn't happen.

A pair of servers of its own runs here, so stopping them never disturbs another test: an action server on a fixed
port (the Rasa server's endpoints point at that address, and its database is named after the port, so the action
server started again is the same one, as a restarted container would be) and a Rasa server on its own tracker
database (started again on the same file, as after a deploy). The sandbox, the council records and the trained
model are the suite's own.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from council_sandbox.testing import pay_with_card
from tests.conversations.helpers import home, notifications, pay_link, payments_for, reference_in, start_booking
from tests.conversations.test_paying_watched import booking
from tests.conversations.test_reports_outbox import report_flytipping, reports_at
from tests.stack import (
    Conversation, newest_model, start_action_server, start_rasa_server, stop, tracker_store_config,
)

RECORDS_TIMEOUT = 3  # tests/stack.py: COUNCIL_API_TIMEOUT_SECONDS


class RestartablePair:
    """An action server and a Rasa server, each of which a test can stop and start again where it was."""

    def __init__(self, sandbox, logs_dir: Path) -> None:
        self.sandbox, self.logs_dir = sandbox, logs_dir
        self.tracker_db = logs_dir / "restarts-tracker.db"
        self.actions = start_action_server(sandbox.url, logs_dir)
        self.action_port = urlsplit(self.actions.url).port  # type: ignore[attr-defined]
        self.rasa = self._start_rasa()

    def _start_rasa(self):
        return start_rasa_server(newest_model(), self.actions.url, self.logs_dir,  # type: ignore[attr-defined]
                                 endpoints_extra=tracker_store_config(self.tracker_db))

    @property
    def url(self) -> str:
        return self.rasa.url  # type: ignore[attr-defined]

    def stop_actions(self) -> None:
        stop(self.actions)

    def start_actions(self) -> None:
        self.actions = start_action_server(self.sandbox.url, self.logs_dir, port=self.action_port)

    def restart_rasa(self) -> None:
        stop(self.rasa)
        self.rasa = self._start_rasa()

    def close(self) -> None:
        stop(self.rasa)
        stop(self.actions)


@pytest.fixture(scope="module")
def pair(sandbox, logs_dir: Path) -> Iterator[RestartablePair]:
    running = RestartablePair(sandbox, logs_dir)
    yield running
    running.close()


def talk_to(pair: RestartablePair) -> Conversation:
    """A resident of this pair: their conversation follows the Rasa server when it is started again."""
    resident = Conversation(pair.url)
    resident.rasa_url = pair.url
    return resident


def assert_nothing_claimed(said: str) -> None:
    """What a resident must not be told while the action server is down: that anything was sent, made or paid."""
    lowered = said.lower()
    assert reference_in(said) is None and "REP-" not in said, said
    for claim in ("sent your report", "reached the council", "went through", "is booked", "booked for", "confirmed"):
        assert claim not in lowered, said


# -- the action server restarted -----------------------------------------------------------------------------------------


def test_action_server_down_before_yes_then_back_the_report_arrives_once(pair, sandbox):
    resident = talk_to(pair)
    place = report_flytipping(resident, sandbox, "no")
    pair.stop_actions()
    try:
        resident.say("yes")
        said = resident.text()
        assert_nothing_claimed(said)
        assert reports_at(sandbox, place) == []  # and the council's records agree: nothing arrived
    finally:
        pair.start_actions()
    resident.say("yes")
    said = resident.text()
    reference = reference_in(said)
    made = reports_at(sandbox, place)
    assert len(made) == 1, made
    assert reference == made[0]["service_request_id"], said
    resident.say(f"any news on {reference}?")
    assert reference in resident.text() and "didn't find" not in resident.text(), resident.text()


def test_action_server_down_while_the_card_page_is_open_then_paid_is_confirmed_once(pair, sandbox):
    resident = talk_to(pair)
    start_booking(resident, home(sandbox.url, "ok", "refuse", "chorley", skip=200), items="a sofa",
                  contact="kim@example.org")
    resident.press("Yes, pay")
    link = pay_link(resident.text())
    assert link, resident.text()
    reference = resident.slot("order_reference")
    pair.stop_actions()
    try:
        assert pay_with_card(link).status_code == 303
        resident.say("I've paid")
        assert_nothing_claimed(resident.text())
        assert notifications(sandbox.url, reference) == []
    finally:
        pair.start_actions()
    resident.say("I've paid")
    said = resident.text()
    assert "went through" in said and reference in said, said
    assert booking(sandbox.url, reference)["status"] == "confirmed"
    resident.say("I've paid")  # asked again: the same truth, never a second confirmation or charge
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["email_address"] == "kim@example.org", sent
    assert len(payments_for(sandbox.url, reference)) == 1


# -- the Rasa server restarted -------------------------------------------------------------------------------------------


def test_rasa_server_restarted_mid_form_carries_on_at_the_same_question(pair, sandbox):
    resident = talk_to(pair)
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=201)
    resident.say("can you collect a sofa")
    resident.say(house["postcode"])
    resident.press(house["address"].split(",")[0])
    assert "what would you like us to collect" in resident.text().lower(), resident.text()
    before = resident.tracker()
    pair.restart_rasa()
    resident.rasa_url = pair.url
    after = resident.tracker()
    assert after["active_loop"] == before["active_loop"] and after["slots"] == before["slots"]
    resident.say("a sofa and two chairs")
    days = [b["title"] for b in resident.buttons()]
    assert days, resident.text()  # the next question of the same booking: nothing asked again
    resident.press(days[0])
    assert "confirmation" in resident.text().lower(), resident.text()
    resident.say("no")
    assert "Shall I go ahead?" in resident.text() and "sofa" in resident.text(), resident.text()


def test_action_server_down_the_resident_is_told_something_went_wrong(pair, sandbox):
    """Rasa logs the failed custom action and carries on in silence: the channel says the service isn't working."""
    resident = talk_to(pair)
    report_flytipping(resident, sandbox, "no")
    pair.stop_actions()
    try:
        resident.say("yes")
        assert "part of the service isn't working" in resident.text(), resident.last
        assert "reference" not in resident.text().lower()
    finally:
        pair.start_actions()


# -- the council's records slow at the moment of booking ----------------------------------------------------------------


@contextmanager
def slow_bookings(sandbox, seconds: float = RECORDS_TIMEOUT + 1.5):
    """Every new bulky waste booking is made, then answered after the action server has given up waiting."""
    app = sandbox.app
    real = app.wsgi_app

    def slow(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/council/v1/bulky-waste/bookings":
            answer = b"".join(real(environ, start_response))
            time.sleep(seconds)
            return [answer]
        return real(environ, start_response)

    app.wsgi_app = slow
    try:
        yield
    finally:
        app.wsgi_app = real


def test_records_too_slow_at_yes_charge_nothing_and_say_so_then_booking_works(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=202)
    start_booking(conversation, house, items="a wardrobe", contact="no")
    assert "Shall I go ahead?" in conversation.text(), conversation.text()
    with slow_bookings(sandbox):
        conversation.press("Yes, pay")
    said = conversation.text()
    assert pay_link(said) is None and "Nothing has been charged" in said and "can't tell whether" in said, said
    assert_nothing_claimed(said)
    assert "call" in said and conversation.active_form() is None
    unknown = bookings_at(sandbox, house["uprn"])
    assert len(unknown) == 1 and unknown[0].status == "pending_payment"  # made, as the resident was told it may be
    assert payments_for(sandbox.url, unknown[0].reference) == []  # and nothing charged: the records agree

    start_booking(conversation, house, items="a wardrobe", contact="no")  # the records answer in time again
    conversation.press("Yes, pay")
    link = pay_link(conversation.text())
    assert link, conversation.text()
    reference = conversation.slot("order_reference")
    assert reference != unknown[0].reference
    assert pay_with_card(link).status_code == 303
    conversation.say("I've paid")
    assert "went through" in conversation.text() and reference in conversation.text(), conversation.text()
    assert booking(sandbox.url, reference)["status"] == "confirmed"
    assert len(payments_for(sandbox.url, reference)) == 1
    assert payments_for(sandbox.url, unknown[0].reference) == []  # the order left by the slow answer never charged


def bookings_at(sandbox, uprn: str) -> list:
    """Every bulky waste booking the council's records hold for an address, read from the sandbox's database."""
    from council_sandbox.context import EXTENSION
    from council_sandbox.models import BulkyBooking

    with sandbox.app.extensions[EXTENSION].db.session() as session:
        found = session.query(BulkyBooking).filter_by(uprn=uprn).all()
        session.expunge_all()
        return found
