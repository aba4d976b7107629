"""Reporting a missed bin, end to end: the REST channel, the real action server and the sandbox's Open311."""
from __future__ import annotations

import requests

from tests.conversations.helpers import address_button, home, open311_request, reference_in


def test_chorley_resident_reports_a_missed_blue_bin(conversation, sandbox):
    house = home(sandbox.url, "ok", "recycling", "chorley")
    conversation.say("my blue bin wasnt emptied yesterday")
    assert conversation.text().startswith("What's the postcode"), conversation.text()

    conversation.say(house["postcode"].lower().replace(" ", ""))  # typed without a space, in lower case
    assert house["address"] in [b["title"] for b in conversation.buttons()]

    conversation.press(address_button(house["address"]))
    summary = conversation.text()
    assert "blue bin" in summary and house["address"] in summary and "report it" in summary.lower()

    conversation.say("yes")
    reference = reference_in(conversation.text())
    assert reference, conversation.text()
    report = open311_request(sandbox.url, reference)
    assert report["service_code"] == "missed_bin"
    assert report["address_id"] == house["uprn"]
    listed = requests.get(f"{sandbox.url}/open311/v2/requests.json", params={"service_code": "missed_bin"}, timeout=10)
    assert reference in [r["service_request_id"] for r in listed.json()]


def test_south_ribble_grey_bin_is_their_general_waste(conversation, sandbox):
    # Grey means garden waste in Chorley and general waste in South Ribble: the address decides.
    house = home(sandbox.url, "ok", "refuse", "south_ribble")
    conversation.say("the bin men missed my grey bin")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    assert "grey bin" in conversation.text()
    conversation.say("yes please")
    reference = reference_in(conversation.text())
    assert reference and open311_request(sandbox.url, reference)["address_id"] == house["uprn"]


def test_resident_picks_the_bin_from_their_own_councils_bins(conversation, sandbox):
    house = home(sandbox.url, "ok", "paper", "chorley")
    conversation.say("report a missed bin collection")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    titles = [b["title"].lower() for b in conversation.buttons()]
    assert "brown bin" in titles and "green bin" in titles  # Chorley's colours
    conversation.press("Brown bin")
    assert "brown bin" in conversation.text()
    conversation.say("yes")
    assert reference_in(conversation.text())


def test_crews_still_out_today_means_no_report_yet(conversation, sandbox):
    house = home(sandbox.url, "round_not_finished", "refuse", "chorley")
    conversation.say("my green bin hasn't been collected")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    said = conversation.text()
    assert reference_in(said) is None
    assert "still" in said.lower() or "today" in said.lower(), said
    assert conversation.active_form() is None


def test_too_late_to_report_is_explained(conversation, sandbox):
    house = home(sandbox.url, "window_closed", "refuse", "chorley")
    conversation.say("my bin was missed")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    conversation.press("Green bin")
    said = conversation.text()
    assert reference_in(said) is None
    assert "too late" in said.lower() or "within" in said.lower() or "window" in said.lower(), said


def test_same_bin_cannot_be_reported_twice(conversation, sandbox, rasa_server):
    from tests.stack import Conversation

    house = home(sandbox.url, "ok", "refuse", "chorley", skip=3)
    conversation.say("my green bin wasn't emptied")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    conversation.say("yes")
    first = reference_in(conversation.text())
    assert first

    again = Conversation(rasa_server)
    again.say("my green bin wasn't emptied")
    again.say(house["postcode"])
    again.press(address_button(house["address"]))
    assert first in again.text(), again.text()
    assert "already" in again.text().lower()


def test_correcting_the_address_at_the_confirmation_step(conversation, sandbox):
    wrong = home(sandbox.url, "ok", "recycling", "chorley", skip=1)
    right = home(sandbox.url, "ok", "recycling", "chorley", skip=2)
    conversation.say("my blue bin wasn't emptied")
    conversation.say(wrong["postcode"])
    conversation.press(address_button(wrong["address"]))
    assert wrong["address"] in conversation.text()

    conversation.say("no")
    assert "changing" in conversation.text().lower()
    conversation.press("The address")
    assert "postcode" in conversation.text().lower()
    conversation.say(right["postcode"])
    conversation.press(address_button(right["address"]))
    assert right["address"] in conversation.text() and "blue bin" in conversation.text()

    conversation.say("yes")
    reference = reference_in(conversation.text())
    assert reference
    assert open311_request(sandbox.url, reference)["address_id"] == right["uprn"]


def test_starting_from_the_greeting_button_asks_only_for_the_postcode(conversation):
    conversation.say("hi")
    conversation.press("Report a missed bin")
    said = conversation.text()
    assert said.startswith("What's the postcode"), said  # no complaint about answers not given yet
    conversation.say("cancel")
    conversation.say("hello again")
    conversation.press("Find my bin day")
    assert conversation.text().startswith("What's the postcode"), conversation.text()
