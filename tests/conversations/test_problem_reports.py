"""Reporting problems through Open311: the questions come from each service's own definition."""
from __future__ import annotations

import requests

from tests.conversations.helpers import address_button, home, open311_request, reference_in


def answer_every_question(conversation, sandbox_url: str, service: str) -> None:
    """Answer the service's questions as they come, pressing the first choice or typing a short answer."""
    definition = requests.get(f"{sandbox_url}/open311/v2/services/{service}.json", timeout=10).json()
    for attribute in sorted(definition["attributes"], key=lambda a: a["order"]):
        if not attribute["variable"]:
            continue
        assert attribute["description"] in conversation.text(), conversation.text()
        if attribute["values"]:
            conversation.press(attribute["values"][0]["name"])
        else:
            conversation.say("most evenings after 10pm" if attribute["datatype"] == "text" else "AB12 CDE")


def test_flytipping_at_a_described_place_in_leyland(conversation, sandbox):
    conversation.say("someone has dumped a load of rubbish")
    assert "where" in conversation.text().lower()
    conversation.say("the alley behind the shops on Towngate, Leyland")
    answer_every_question(conversation, sandbox.url, "flytipping")
    assert "updates" in conversation.text().lower()
    conversation.say("no thanks")
    summary = conversation.text()
    assert "Towngate" in summary and "send it" in summary.lower()
    conversation.say("yes")
    reference = reference_in(conversation.text())
    assert reference, conversation.text()
    report = open311_request(sandbox.url, reference)
    assert report["service_code"] == "flytipping"
    assert "Towngate" in report["address"]


def test_noise_report_at_an_address_with_an_email_for_updates(conversation, sandbox):
    house = home(sandbox.url, "ok", "refuse", "chorley", skip=5)
    conversation.say("my neighbours play loud music every night")
    conversation.say(f"it's at {house['postcode']}")
    conversation.press(address_button(house["address"]))
    answer_every_question(conversation, sandbox.url, "noise")
    conversation.say("bob@@example")
    assert "doesn't look like" in conversation.text()
    conversation.say("resident@example.org")
    assert "resident@example.org" in conversation.text()
    conversation.say("yes")
    reference = reference_in(conversation.text())
    assert reference
    assert open311_request(sandbox.url, reference)["address_id"] == house["uprn"]


def test_a_question_that_needs_a_listed_answer_is_asked_again(conversation, sandbox):
    conversation.say("there's graffiti on the bus shelter")
    conversation.say("Station Road, Bamber Bridge, by the post office")
    first_question = conversation.text()
    conversation.say("purple elephants")
    assert "please choose one of" in conversation.text().lower()
    assert conversation.active_form() == "problem_report_form"
    assert first_question.split("?")[0] in conversation.text() or conversation.buttons()


def test_potholes_go_to_lancashire_county_council(conversation):
    conversation.say("there's a massive pothole on my road")
    said = conversation.text()
    assert "Lancashire County Council" in said and "0300 123 6780" in said
    assert conversation.active_form() is None


def test_street_lights_go_to_lancashire_county_council(conversation):
    conversation.say("the street light outside my house is out")
    assert "Lancashire County Council" in conversation.text()
