"""Unpaid bulky waste holds are capped, over the real REST channel, action server and sandbox records: one open per
conversation (the resident keeps it, or has it cancelled for the new one), a few an hour per client, and two per
address in the records, each said plainly. Each test talks from its own client address."""
from __future__ import annotations

import requests

from tests.conversations.helpers import home, pay_link, start_booking
from tests.conversations.test_protections_council_tax import FromAddress, new_address


def booking(sandbox_url: str, reference: str) -> dict:
    return requests.get(f"{sandbox_url}/council/v1/bulky-waste/bookings/{reference}", timeout=10).json()


def holds_unpaid(talk, house, items="a fridge") -> str:
    """Book up to the payment link and leave it unpaid; answers the booking's reference."""
    start_booking(talk, house, items=items, contact="no")
    talk.press("Yes, pay")
    assert pay_link(talk.text()), talk.text()
    return talk.slot("order_reference")


def test_one_unpaid_order_per_conversation_kept_or_cancelled_for_the_next(rasa_server, sandbox):
    talk = FromAddress(rasa_server, new_address())
    first = holds_unpaid(talk, home(sandbox.url, "ok", "refuse", "chorley", skip=120))
    # A new session of the same conversation forgets every slot, not the unpaid order.
    from tests.stack import API_TOKEN
    requests.post(f"{rasa_server}/conversations/{talk.sender}/execute", params=API_TOKEN, timeout=60,
                  json={"name": "action_session_start"}).raise_for_status()
    second_house = home(sandbox.url, "ok", "refuse", "chorley", skip=121)
    start_booking(talk, second_house, items="a sofa", contact="no")
    said = talk.text()
    assert f"You already have a bulky waste collection waiting for payment (reference **{first}**)" in said, said
    assert pay_link(said) is None
    talk.say("yes")  # not a choice between the two: asked again, nothing placed
    assert "I can only hold one unpaid order at a time" in talk.text() and pay_link(talk.text()) is None
    talk.press(f"Keep {first}")
    assert "haven't ordered anything new" in talk.text(), talk.text()
    assert booking(sandbox.url, first)["status"] == "pending_payment"

    start_booking(talk, second_house, items="a sofa", contact="no")
    talk.press(f"Cancel {first} and go ahead")
    assert pay_link(talk.text()), talk.text()
    assert booking(sandbox.url, first)["status"] == "cancelled"
    second = talk.slot("order_reference")
    assert second != first and booking(sandbox.url, second)["status"] == "pending_payment"


def test_a_client_holds_at_most_three_unpaid_orders_an_hour(rasa_server, sandbox):
    address = new_address()
    for skip in (130, 131, 132):  # three residents behind one address, each leaving a booking unpaid
        holds_unpaid(FromAddress(rasa_server, address), home(sandbox.url, "ok", "refuse", "chorley", skip=skip))
    fourth = FromAddress(rasa_server, address)
    start_booking(fourth, home(sandbox.url, "ok", "refuse", "chorley", skip=133), items="a bed", contact="no")
    fourth.press("Yes, pay")
    said = fourth.text()
    assert "too many orders made from your connection in the last hour are still waiting for payment" in said, said
    assert pay_link(said) is None and fourth.slot("order_reference") is None
    elsewhere = FromAddress(rasa_server, new_address())
    assert holds_unpaid(elsewhere, home(sandbox.url, "ok", "refuse", "chorley", skip=134))


def test_the_records_allow_two_unpaid_collections_per_address_and_the_resident_is_told(rasa_server, sandbox):
    house = home(sandbox.url, "ok", "refuse", "south_ribble", skip=140)
    for _ in range(2):  # two people, from two places, leave a booking for the same address unpaid
        holds_unpaid(FromAddress(rasa_server, new_address()), house)
    third = FromAddress(rasa_server, new_address())
    start_booking(third, house, items="a table", contact="no")
    third.press("Yes, pay")
    said = third.text()
    assert "Sorry, I can't book this collection. This address already has 2 bulky waste collections" in said, said
    assert "Nothing has been charged" in said and pay_link(said) is None
