"""Booking a bulky waste collection and paying on GOV.UK Pay's page, end to end: the REST channel, the real action
server, and the sandbox's records, Pay and Notify as a real server. The resident pays as they would: on the card
page, with GOV.UK Pay's test cards."""
from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests

from council_sandbox.seed import SEEDED_POSTCODES
from council_sandbox.testing import PageForms, pay_with_card
from tests.conversations.helpers import address_button, home, notifications, pay_link, payments_for, start_booking

DECLINED_CARD = "4000000000000002"


def booking_reference(conversation) -> str:
    return conversation.slot("order_reference")


def records(sandbox, reference):
    answer = requests.get(f"{sandbox.url}/council/v1/bulky-waste/bookings/{reference}", timeout=10)
    answer.raise_for_status()
    return answer.json()


def round_of(sandbox, uprn):
    return requests.get(f"{sandbox.url}/council/v1/properties/{uprn}/bulky-waste/slots", timeout=10).json()["round"]


def neighbour_books(sandbox, house, day):
    """A neighbour on the house's round books a place on `day`; answers the reference. Each address may hold only
    two unpaid bookings (the records' cap), so the neighbours take turns."""
    wanted = round_of(sandbox, house["uprn"])
    for postcode in SEEDED_POSTCODES:
        found = requests.get(f"{sandbox.url}/addresses/v1/postcodes/{postcode}", timeout=10).json()["addresses"]
        for neighbour in found:
            if neighbour["uprn"] == house["uprn"] or neighbour["council"] != house["council"] \
                    or round_of(sandbox, neighbour["uprn"]) != wanted:
                continue
            made = requests.post(f"{sandbox.url}/council/v1/bulky-waste/bookings", timeout=10, json={
                "uprn": neighbour["uprn"], "slot_date": day, "items": [{"id": "chair", "quantity": 1}]})
            if made.status_code == 409 and made.json()["error"] == "too_many_unpaid":
                continue
            assert made.status_code == 201, made.text
            return made.json()["reference"]
    raise AssertionError("no neighbour on the round could book")


def test_resident_books_pays_and_gets_the_confirmation(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=20)
    day = start_booking(conversation, house)
    summary = conversation.text()
    # Chorley's prices: a sofa £20.00 and two chairs at £5.00
    assert "£30.00" in summary and day in summary and house["address"] in summary, summary
    assert "1 × sofa" in summary and "2 × chair" in summary
    conversation.press("Yes, pay £30.00")
    link = pay_link(conversation.text())
    assert link, conversation.text()
    reference = booking_reference(conversation)
    assert records(sandbox, reference)["status"] == "pending_payment"

    finished = pay_with_card(link)
    assert finished.status_code == 303
    conversation.say("I've paid")
    said = conversation.text()
    assert "went through" in said and reference in said and day in said, said
    assert "confirmation by email to sam@example.com" in said

    booking = records(sandbox, reference)
    assert booking["status"] == "confirmed" and booking["amount"] == 3000
    sent = notifications(sandbox.url, reference)
    assert len(sent) == 1 and sent[0]["type"] == "email" and sent[0]["email_address"] == "sam@example.com"
    assert reference in sent[0]["body"] and "£30.00" in sent[0]["body"]
    paid = payments_for(sandbox.url, reference)
    assert [p["amount"] for p in paid] == [3000] and paid[0]["state"]["status"] == "success"
    assert conversation.active_form() is None


def test_saying_paid_too_soon_shows_the_same_payment_not_a_new_one(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=21)
    start_booking(conversation, house, items="a fridge", contact="no")
    conversation.press("Yes, pay")
    first_link = pay_link(conversation.text())
    conversation.say("done, I've paid")
    assert "isn't finished" in conversation.text(), conversation.text()
    assert booking_reference(conversation)
    conversation.say("paid now")
    assert "isn't finished" in conversation.text()
    reference = booking_reference(conversation)
    assert len(payments_for(sandbox.url, reference)) == 1  # asking again never makes a second payment
    assert pay_with_card(first_link).status_code == 303
    conversation.press("I've paid")
    assert "went through" in conversation.text() and "keep your reference" in conversation.text()
    assert records(sandbox, reference)["status"] == "confirmed"


def test_a_declined_card_then_a_good_one_charges_once(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "south_ribble", skip=22)
    start_booking(conversation, house, items="mattress", contact="07700 900123")
    assert "£12.00" in conversation.text()  # South Ribble's mattress price
    conversation.press("Yes, pay £12.00")
    reference = booking_reference(conversation)
    assert pay_with_card(pay_link(conversation.text()), card_number=DECLINED_CARD).status_code == 303
    conversation.say("I have paid")
    said = conversation.text()
    assert "declined" in said and "Nothing has been charged" in said, said
    assert records(sandbox, reference)["status"] == "pending_payment"
    conversation.press("Try again")
    second_link = pay_link(conversation.text())
    assert second_link
    assert pay_with_card(second_link).status_code == 303
    conversation.press("I've paid")
    assert "went through" in conversation.text() and "text message to 07700900123" in conversation.text()
    statuses = sorted(p["state"]["status"] for p in payments_for(sandbox.url, reference))
    assert statuses == ["failed", "success"]
    sent = notifications(sandbox.url, reference)
    assert [n["type"] for n in sent] == ["sms"] and sent[0]["phone_number"] == "07700900123"


def test_cancelling_on_the_payment_page_and_then_here_releases_the_booking(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=23)
    start_booking(conversation, house, items="a wardrobe", contact="no thanks")
    conversation.press("Yes, pay")
    reference = booking_reference(conversation)
    session = requests.Session()
    page = session.get(pay_link(conversation.text()), timeout=10)
    cancel = PageForms(page.text).form_with_button("Cancel payment")
    session.post(urljoin(page.url, cancel["action"]), data=cancel["fields"], allow_redirects=False, timeout=10)
    conversation.say("done")
    assert "cancelled on the payment page" in conversation.text(), conversation.text()
    conversation.press("No, cancel it")
    assert "nothing has been charged" in conversation.text().lower()
    assert records(sandbox, reference)["status"] == "cancelled"
    assert conversation.slot("order_reference") is None


def test_a_payment_page_left_open_too_long_expires(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=24)
    start_booking(conversation, house, items="a bike", contact="no")
    conversation.press("Yes, pay")
    reference = booking_reference(conversation)
    with sandbox.clock_at("2026-11-27T11:31:00"):  # 91 minutes after the suite's fixed "now"
        conversation.say("I've paid")
        said = conversation.text()
        assert "timed out" in said and "Nothing has been charged" in said, said
        assert records(sandbox, reference)["status"] == "pending_payment"  # the day is held a little longer
    with sandbox.clock_at("2026-11-27T12:00:01"):  # and then it isn't
        conversation.press("Try again")
        assert "run out" in conversation.text(), conversation.text()
        assert records(sandbox, reference)["status"] == "expired"
        assert pay_link(conversation.text()) is None


def test_cancel_while_paying_releases_the_slot(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=25)
    start_booking(conversation, house, items="a table", contact="no")
    conversation.press("Yes, pay")
    reference = booking_reference(conversation)
    link = pay_link(conversation.text())
    conversation.press("Cancel")
    assert "cancelled the order" in conversation.text()
    assert records(sandbox, reference)["status"] == "cancelled"
    page = requests.get(link, timeout=10)
    assert "This payment was cancelled" in page.text  # the link given earlier can't be paid any more
    assert payments_for(sandbox.url, reference)[0]["state"]["status"] == "cancelled"


def test_a_day_that_fills_up_before_confirming_is_chosen_again(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "south_ribble", skip=26)
    day = start_booking(conversation, house, items="a tv", contact="no")
    chosen = conversation.slot("bulky_slot")
    slots = requests.get(f"{sandbox.url}/council/v1/properties/{house['uprn']}/bulky-waste/slots", timeout=10).json()
    remaining = next(s for s in slots["slots"] if s["date"] == chosen)["remaining"]
    for _ in range(remaining):  # neighbours on the same round take the last places meanwhile
        neighbour_books(sandbox, house, chosen)
    conversation.press("Yes, pay")
    said = conversation.text()
    assert "just been fully booked" in said, said
    assert day not in [b["title"] for b in conversation.buttons()]
    assert conversation.buttons(), "other days are offered"
    assert conversation.slot("order_reference") is None


@pytest.mark.parametrize("items, expected", [
    ("a piano", "We can't collect hot tubs and pianos"),
    ("a spaceship and a sofa", "don't recognise “spaceship”"),
    ("seven chairs", "up to 5 items"),
])
def test_items_we_cannot_take_are_explained_and_asked_again(conversation, sandbox, items, expected):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=27)
    conversation.say("I want to book a bulky waste collection")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    conversation.say(items)
    assert expected in conversation.text(), conversation.text()
    assert conversation.slot("requested_slot") == "bulky_items"
    conversation.say("a sofa")
    assert conversation.buttons(), conversation.text()


def test_no_at_the_summary_lets_the_resident_change_the_day_without_starting_again(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=28)
    first_day = start_booking(conversation, house, items="a sofa", contact="no")
    conversation.say("no")
    assert "What would you like to change?" in conversation.text(), conversation.text()
    conversation.press("The day")
    other_day = [b["title"] for b in conversation.buttons() if b["title"] != first_day][0]
    conversation.press(other_day)
    summary = conversation.text()
    assert other_day in summary and first_day not in summary and "£20.00" in summary, summary
    assert conversation.slot("order_reference") is None  # nothing is booked until "yes"
    conversation.say("no")
    conversation.say("no")  # nothing to change either: stop
    assert "haven't ordered anything" in conversation.text(), conversation.text()
    assert conversation.active_form() is None


def test_a_round_with_no_free_day_says_so_before_asking_for_a_day(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "south_ribble", skip=29)
    slots = requests.get(f"{sandbox.url}/council/v1/properties/{house['uprn']}/bulky-waste/slots", timeout=10).json()
    taken = []
    try:
        for slot in slots["slots"]:  # neighbours on the same round have booked every place
            for _ in range(slot["remaining"]):
                taken.append(neighbour_books(sandbox, house, slot["date"]))
        conversation.say("book a bulky waste collection")
        conversation.say(house["postcode"])
        conversation.press(address_button(house["address"]))
        conversation.say("a sofa")
        said = conversation.text()
        assert "fully booked" in said and "Nothing has been booked or charged" in said, said
        assert "call" in said  # the council's other routes
        assert conversation.active_form() is None
    finally:
        for reference in taken:  # free the round for the other tests
            requests.post(f"{sandbox.url}/council/v1/bulky-waste/bookings/{reference}/cancel", timeout=10)
