"""Payments the council's records agree with, even when the conversation moved on (issue 9, payments).

Each resident pays on the sandbox's real card page; the action server's background check is run at once through
POST /payments/check (what its PAYMENT_WATCH_SECONDS loop runs), so no test waits for the interval.
"""
from __future__ import annotations

import requests

from council_sandbox.testing import pay_with_card
from tests.conversations.helpers import home, notifications, pay_link, payments_for, start_booking
from tests.stack import ACTION_SERVER_SECRET, API_TOKEN


def booking(sandbox_url: str, reference: str) -> dict:
    return requests.get(f"{sandbox_url}/council/v1/bulky-waste/bookings/{reference}", timeout=10).json()


def run_the_check(action_server: str) -> dict:
    answer = requests.post(f"{action_server}/payments/check", headers={"X-Action-Server-Secret": ACTION_SERVER_SECRET},
                           timeout=60)
    answer.raise_for_status()
    return answer.json()


def card_page_open(conversation, sandbox, skip: int, contact: str = "sam@example.com"):
    """A bulky waste booking with Pay's card page open: (its link, the booking reference)."""
    start_booking(conversation, home(sandbox.url, "ok", "refuse", "chorley", skip=skip), items="a sofa",
                  contact=contact)
    conversation.press("Yes, pay")
    link = pay_link(conversation.text())
    assert link, conversation.text()
    return link, conversation.slot("order_reference")


def test_an_order_cancelled_while_paying_is_a_refund_never_booked(conversation, sandbox):
    link, reference = card_page_open(conversation, sandbox, skip=140)
    cancelled = requests.post(f"{sandbox.url}/council/v1/bulky-waste/bookings/{reference}/cancel", timeout=10)
    assert cancelled.status_code == 200, cancelled.text
    assert pay_with_card(link).status_code == 303
    conversation.say("I've paid")
    said = conversation.text()
    assert "refund" in said and "is due" in said and reference in said, said
    assert "booked for" not in said and "went through. Your bulky waste collection" not in said
    assert "call" in said  # how to ask about it
    records = booking(sandbox.url, reference)
    assert records["status"] == "cancelled" and "refund due" in records["payments"][0]["note"], records
    assert notifications(sandbox.url, reference) == []  # nothing confirmed by email either


def test_paid_after_asking_for_a_person_is_confirmed_by_the_check(conversation, sandbox, action_server):
    link, reference = card_page_open(conversation, sandbox, skip=141)
    conversation.say("can I talk to a real person please")
    assert pay_with_card(link).status_code == 303
    assert notifications(sandbox.url, reference) == []
    assert run_the_check(action_server)["confirmed"] >= 1
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["email_address"] == "sam@example.com" and reference in sent[0]["body"]
    assert booking(sandbox.url, reference)["status"] == "confirmed"

    conversation.say("I've paid")
    said = conversation.text()
    assert "went through" in said and reference in said and "didn't understand" not in said, said
    run_the_check(action_server)
    assert len(notifications(sandbox.url, reference)) == 1  # never a second confirmation


def test_paid_after_goodbye_is_confirmed_without_the_resident(conversation, sandbox, action_server):
    link, reference = card_page_open(conversation, sandbox, skip=142, contact="07700 900123")
    conversation.say("bye")
    assert pay_with_card(link).status_code == 303
    run_the_check(action_server)
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["type"] == "sms", sent
    assert booking(sandbox.url, reference)["status"] == "confirmed"


def test_paid_after_the_session_expired_is_confirmed_once_and_not_charged_twice(
        conversation, sandbox, rasa_server, action_server):
    link, reference = card_page_open(conversation, sandbox, skip=143)
    # An hour's silence: a new session, which forgets every slot (and the open payment with them).
    requests.post(f"{rasa_server}/conversations/{conversation.sender}/execute", params=API_TOKEN, timeout=60,
                  json={"name": "action_session_start"}).raise_for_status()
    assert pay_with_card(link).status_code == 303
    conversation.say("I've paid")
    said = conversation.text()
    assert "went through" in said and reference in said, said
    run_the_check(action_server)
    assert len(notifications(sandbox.url, reference)) == 1
    assert booking(sandbox.url, reference)["status"] == "confirmed"
    assert len(payments_for(sandbox.url, reference)) == 1


def test_a_card_page_left_to_expire_releases_the_order(conversation, sandbox, action_server):
    link, reference = card_page_open(conversation, sandbox, skip=144, contact="no")
    conversation.say("goodbye")
    with sandbox.clock_at("2026-11-27T11:31:00"):  # 91 minutes on: Pay expires the page when it is next read
        run_the_check(action_server)
    assert booking(sandbox.url, reference)["status"] == "cancelled"
    conversation.say("I've paid")
    said = conversation.text()
    assert "didn't go through" in said and "nothing has been charged" in said.lower(), said



def test_a_declined_card_left_for_the_check_keeps_the_order_for_the_second_try(conversation, sandbox, action_server):
    link, reference = card_page_open(conversation, sandbox, skip=146)
    assert pay_with_card(link, card_number="4000000000000002").status_code == 303  # declined
    conversation.press("I've paid")
    assert "declined" in conversation.text(), conversation.text()
    conversation.press("Try again")
    second_link = pay_link(conversation.text())
    assert second_link and second_link != link
    run_the_check(action_server)  # the failed payment is settled, but the order waits for the second one
    assert booking(sandbox.url, reference)["status"] == "pending_payment"
    conversation.say("bye")
    assert pay_with_card(second_link).status_code == 303
    run_the_check(action_server)
    assert booking(sandbox.url, reference)["status"] == "confirmed"
    assert len(notifications(sandbox.url, reference)) == 1


def test_a_new_session_shows_the_open_payment_again_never_a_second_one(conversation, sandbox, rasa_server):
    def to_the_card_page():
        conversation.say("I need to pay a parking fine")
        conversation.say("SR70018519")
        conversation.say("BJ66 FNE")
        assert "£70.00" in conversation.text(), conversation.text()
        conversation.say("no")
        conversation.press("Yes, pay £70.00")
        link = pay_link(conversation.text())
        assert link, conversation.text()
        return link

    first = to_the_card_page()
    requests.post(f"{rasa_server}/conversations/{conversation.sender}/execute", params=API_TOKEN, timeout=60,
                  json={"name": "action_session_start"}).raise_for_status()
    assert to_the_card_page() == first  # the same page, still open: one payment for one fine
