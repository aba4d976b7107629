"""Garden waste subscriptions and bin requests, end to end over REST with the sandbox as a real server."""
from __future__ import annotations

import requests

from council_sandbox.testing import pay_with_card
from tests.conversations.helpers import address_button, home, notifications, pay_link


def test_subscribe_to_garden_waste_then_already_subscribed(conversation, sandbox):
    for skip in range(70, 110):  # a home that doesn't subscribe yet
        house = home(sandbox.url, "ok", "refuse", "south_ribble", skip=skip)
        status = requests.get(f"{sandbox.url}/council/v1/properties/{house['uprn']}/garden-waste", timeout=10).json()
        if status["next_action"] == "subscribe":
            break
    assert status["next_action"] == "subscribe", status
    conversation.say("I want to sign up for garden waste collection")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    said = conversation.text()
    assert "a bin a year" in said and "How many garden waste bins" in said, said
    price = status["price_per_bin"]
    conversation.press("2")
    conversation.say("garden@example.com")
    summary = conversation.text()
    assert "garden waste subscription" in summary and house["address"] in summary, summary
    assert f"for 2 {status['bin_name']}s" in summary and f"£{2 * price // 100}." in summary, summary
    conversation.press("Yes, pay")
    assert pay_with_card(pay_link(conversation.text())).status_code == 303
    conversation.press("I've paid")
    said = conversation.text()
    assert "went through" in said and "GWS-" in said, said
    sent = [n for n in notifications(sandbox.url, said.split("reference is **")[1].split("**")[0])]
    assert sent and sent[0]["email_address"] == "garden@example.com"

    conversation.say("renew my garden waste")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    assert "subscri" in conversation.text().lower() and pay_link(conversation.text()) is None
    assert conversation.active_form() is None, "already subscribed: nothing to pay"


def test_a_free_replacement_recycling_bin(conversation, sandbox):
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=75)
    conversation.say("my recycling bin is broken, can I have a new one")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    conversation.press("Blue bin")
    conversation.press("Replace a damaged bin")
    assert "free" in conversation.text().lower(), conversation.text()
    conversation.say("bins@example.com")
    assert "no charge" in conversation.text().lower(), conversation.text()
    conversation.press("Yes, go ahead")
    said = conversation.text()
    assert "BIN-" in said and pay_link(said) is None, said
    reference = said.split("reference is **")[1].split("**")[0]
    made = requests.get(f"{sandbox.url}/council/v1/bin-requests/{reference}", timeout=10).json()
    assert made["status"] == "requested" and made["amount"] == 0
    assert notifications(sandbox.url, reference)


def test_a_replacement_rubbish_bin_is_paid_for(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=77)
    conversation.say("I need a replacement bin")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    conversation.press("Green bin")  # Chorley's rubbish bin
    conversation.press("Replace a stolen bin")
    assert "£25.00" in conversation.text(), conversation.text()
    conversation.say("no")
    conversation.press("Yes, pay £25.00")
    assert pay_with_card(pay_link(conversation.text())).status_code == 303
    conversation.say("paid")
    said = conversation.text()
    assert "went through" in said and "BIN-" in said, said


def test_a_bin_the_council_does_not_give_is_explained(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=79)
    conversation.say("can I get an extra bin")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    conversation.press("Green bin")
    conversation.press("An extra bin")
    assert "One rubbish bin per home" in conversation.text(), conversation.text()
    assert conversation.slot("requested_slot") == "bin_request_type"
