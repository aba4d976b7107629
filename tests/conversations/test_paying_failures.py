"""When GOV.UK Pay or Notify fail, residents get honest answers and nothing is left half-made.

A second assistant runs here whose action server has a wrong Pay API key (Pay answers 401) and a Notify address
where nothing listens; the sandbox, the council records and the trained model are the suite's own.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.conversations.helpers import address_button, home, pay_link, start_booking
from tests.stack import Conversation, free_port, newest_model, start_action_server, start_rasa_server, stop


@pytest.fixture(scope="module")
def broken_payments(sandbox, logs_dir: Path) -> Iterator[str]:
    actions = start_action_server(sandbox.url, logs_dir, extra_env={
        "PAY_API_KEY": "a-key-pay-does-not-know",
        "NOTIFY_API_URL": f"http://127.0.0.1:{free_port()}",
    })
    try:
        rasa = start_rasa_server(newest_model(), actions.url, logs_dir)  # type: ignore[attr-defined]
        try:
            yield rasa.url  # type: ignore[attr-defined]
        finally:
            stop(rasa)
    finally:
        stop(actions)


def test_pay_refusing_leaves_no_booking_and_says_so(broken_payments, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=90)
    talk = Conversation(broken_payments)
    start_booking(talk, house, items="an armchair", contact="no")
    talk.press("Yes, pay")
    said = talk.text()
    assert "couldn't set up the payment" in said and "Nothing has been charged" in said, said
    assert "cancelled the order" in said and pay_link(said) is None
    assert "call" in said  # another way to get it done
    assert talk.active_form() is None
    placed = [e["value"] for e in talk.tracker()["events"]
              if e["event"] == "slot" and e["name"] == "order_reference" and e["value"]]
    assert len(placed) == 1  # the booking was made, then withdrawn when Pay refused
    booking = requests.get(f"{sandbox.url}/council/v1/bulky-waste/bookings/{placed[0]}", timeout=10).json()
    assert booking["status"] == "cancelled"


def test_notify_down_still_completes_with_the_reference(broken_payments, sandbox):
    house = home(sandbox.url, "ok", "paper", "south_ribble", skip=91)
    talk = Conversation(broken_payments)
    talk.say("my paper box was stolen, I need a new one")
    talk.say(house["postcode"])
    talk.press(address_button(house["address"]))
    paper = next(b for b in talk.buttons() if '"paper"' in b["payload"])
    talk.say(paper["payload"])
    talk.press("Replace a stolen bin")
    talk.say("me@example.com")
    talk.press("Yes, go ahead")
    said = talk.text()
    assert "BIN-" in said and "couldn't send your confirmation" in said and "keep your reference" in said, said
    reference = said.split("reference is **")[1].split("**")[0]
    made = requests.get(f"{sandbox.url}/council/v1/bin-requests/{reference}", timeout=10).json()
    assert made["status"] == "requested"


def test_council_systems_down_when_confirming_charges_nothing(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=92)
    start_booking(conversation, house, items="a mattress", contact="no")
    assert "Shall I go ahead?" in conversation.text(), conversation.text()
    sandbox.stop()
    try:
        conversation.press("Yes, pay")
        said = conversation.text()
        assert "Nothing has been charged" in said and pay_link(said) is None, said
        assert "call" in said
        assert conversation.active_form() is None
    finally:
        sandbox.start()


def test_pay_down_when_checking_says_not_to_pay_again_and_checks_later(conversation, sandbox):
    from council_sandbox.testing import pay_with_card

    house = home(sandbox.url, "ok", "refuse", "chorley", skip=93)
    start_booking(conversation, house, items="a chair", contact="no")
    conversation.press("Yes, pay")
    link = pay_link(conversation.text())
    assert pay_with_card(link).status_code == 303
    sandbox.stop()
    try:
        conversation.say("I've paid")
        said = conversation.text()
        assert "can't check your payment" in said and "don't pay again" in said, said
        assert conversation.active_form() == "bulky_waste_form"  # nothing lost: the booking waits
    finally:
        sandbox.start()
    conversation.say("I've paid")
    assert "went through" in conversation.text(), conversation.text()
