"""Waste replies (actions/waste/) as the web chat shows them and as a caller hears them: bin days, bulky waste,
garden waste and bin requests, built by the actions themselves with the council's systems stood in for."""
from __future__ import annotations

from datetime import date

import pytest

from actions.clients.records import (BinKind, BinRequestRule, BinRequestRules, BulkyCatalogue, BulkyItem,
                                     BulkySlots, GardenWastePrices, GardenWasteStatus, NotAccepted, Season, Slot)
from actions.clients.waste import Bin, PropertyBins
from actions.waste import bin_day, bin_request, bulky_waste, garden_waste
from replies.speech import expects, links
from tests.replies.area_helpers import Dispatcher, assert_fit_for_a_caller, run, tracker

ADDRESS = "12 Market Street, Chorley, PR7 1DP"
SEASON = Season("2026/27", date(2026, 4, 1), date(2027, 3, 31), "1 April 2026", "31 March 2027")
CATALOGUE = BulkyCatalogue("chorley", "Chorley Council", 6,
                           [BulkyItem("sofa", "Sofa", 2000, "£20.00"), BulkyItem("chair", "Chair", 550, "£5.50")],
                           [NotAccepted("Asbestos", ["asbestos"], "Ask a licensed contractor: it must be removed safely.")],
                           "We collect from outside your home.")
SLOTS = BulkySlots("100010512345", "chorley", "chorley-friday",
                   [Slot(date(2026, 12, 4), "Friday 4 December", 10, 2, 8, True)])
PRICES = GardenWastePrices("chorley", "Chorley Council", "grey bin", 3000, "£30.00 a bin a year", 3, SEASON, SEASON,
                           date(2027, 2, 1), "Collections are every two weeks.")
STATUS = GardenWasteStatus("100010512345", "chorley", False, SEASON, None, None, None, None, "subscribe", SEASON,
                           "You can subscribe now.", "grey bin", 3000, 3)
RULES = BinRequestRules("chorley", "Chorley Council", ["replacement", "extra"], ["damaged", "stolen"], 10, 6, [
    BinKind("recycling", "blue bin", "blue", "bin", {
        "replacement": BinRequestRule(True, 2500, "£25.00", 1, "A replacement for a stolen bin is charged."),
        "extra": BinRequestRule(False, 0, "free", 0, "Only one recycling bin per home.")}),
])


def answers(monkeypatch, module, **by_method):
    """The module's council calls answered from `by_method` (the client method's name -> its answer)."""
    async def call(function, *args, **kwargs):
        return by_method[function.__name__]

    monkeypatch.setattr(module, "call", call)


def test_bin_days_are_said_as_people_say_them_and_the_subscription_page_is_offered(monkeypatch):
    bins = PropertyBins("100010512345", "chorley", ADDRESS, [
        Bin("refuse", "green bin", "green", "non-recyclable household rubbish", "every two weeks", False, True,
            date(2026, 11, 24), date(2026, 12, 8), "Tuesday"),
        Bin("garden", "grey bin", "grey", "garden waste", "every two weeks", True, False, None, None, None),
    ])
    answers(monkeypatch, bin_day, bins=bins)
    dispatcher = Dispatcher()
    run(bin_day.ActionTellBinDays().run(dispatcher, tracker({"uprn": "100010512345", "council": "chorley"}), {}))
    (message,) = dispatcher.messages
    assert message["text"] == (
        f"Bin collections at **{ADDRESS}**:\n"
        "- **Green bin** (non-recyclable household rubbish): next collected **Tuesday 8 December**, every two weeks.\n"
        "- You don't have a grey bin (garden waste) subscription. "
        "[Find out how to subscribe](https://chorley.gov.uk/garden-waste).\n"
        "Please put your bins out by 7am on collection day.")
    said = assert_fit_for_a_caller(message)
    assert "Tuesday the 8th of December" in said and "There's a page on how to subscribe" in said
    assert [link.url for link in links(message)] == ["https://chorley.gov.uk/garden-waste"]


def test_the_bulky_waste_summary_and_confirmation_read_for_a_caller(monkeypatch):
    answers(monkeypatch, bulky_waste, bulky_waste_catalogue=CATALOGUE)
    slots = {"council": "chorley", "address": ADDRESS, "bulky_items": {"sofa": 1, "chair": 2},
             "bulky_slot": "2026-12-04"}
    summary = run(bulky_waste.BULKY_WASTE.summarise(tracker(slots)))
    assert summary.text == f"a collection of 1 × sofa and 2 × chair from **{ADDRESS}** on **Friday 4 December**"
    assert summary.amount == 3100
    assert summary.spoken == f"a collection of 1 sofa and 2 chairs from {ADDRESS} on Friday the 4th of December"
    confirmation = run(bulky_waste.BULKY_WASTE.confirmation(tracker(slots), "BW-2026-00042", 3100))
    assert confirmation.chat == (
        "Thank you, your payment of £31.00 went through. Your bulky waste collection is booked for **Friday 4 "
        "December**. Your booking reference is **BW-2026-00042**.\n"
        "Please put the items outside by 7am on that day, where the crew can reach them.")
    assert "31 pounds" in confirmation.spoken and "B W, 2 0 2 6, 0 0 0, 4 2" in confirmation.spoken
    assert "**" not in confirmation.spoken


def test_bulky_items_not_taken_or_not_known_and_the_questions(monkeypatch):
    answers(monkeypatch, bulky_waste, bulky_waste_catalogue=CATALOGUE, bulky_waste_slots=SLOTS)
    dispatcher = Dispatcher()
    form = bulky_waste.ValidateBulkyWasteForm()
    run(form.validate_bulky_items("asbestos and a trampoline", dispatcher, tracker({"council": "chorley"}), {}))
    run(bulky_waste.ActionAskBulkyItems().run(dispatcher, tracker({"council": "chorley"}), {}))
    run(bulky_waste.ActionAskBulkySlot().run(dispatcher, tracker({"uprn": "100010512345"}), {}))
    refused, unknown, again, items, day = dispatcher.messages
    assert refused["text"] == "We can't collect asbestos. Ask a licensed contractor: it must be removed safely."
    assert unknown["text"] == ("Sorry, I don't recognise “trampoline” as something we collect. We collect, for "
                               "example: sofa (£20.00), chair (£5.50).")
    assert "sofa (20 pounds), chair (5 pounds 50)" in assert_fit_for_a_caller(unknown)
    assert expects(again) == "description" and expects(items) == "description" and expects(day) == "date"
    assert day["buttons"][0]["title"] == "Friday 4 December"
    for message in dispatcher.messages:
        assert_fit_for_a_caller(message)


def test_garden_waste_prices_summary_and_confirmation(monkeypatch):
    answers(monkeypatch, garden_waste, garden_waste_prices=PRICES, garden_waste_status=STATUS,
            garden_waste_subscription=None)
    dispatcher = Dispatcher()
    run(garden_waste.ActionAskGardenBins().run(dispatcher, tracker({"council": "chorley"}), {}))
    (question,) = dispatcher.messages
    assert question["text"] == "How many garden waste bins would you like? Each costs £30.00 a year."
    assert expects(question) == "number" and "30 pounds a year" in assert_fit_for_a_caller(question)

    slots = {"council": "chorley", "uprn": "100010512345", "address": ADDRESS, "garden_bins": 2}
    summary = run(garden_waste.GARDEN_WASTE.summarise(tracker(slots)))
    assert summary.text == (f"a new garden waste subscription for **2026/27** (1 April 2026 to 31 March 2027), "
                            f"for 2 grey bins, at **{ADDRESS}**")
    assert "2026 to 2027" in summary.spoken and "/" not in summary.spoken and "**" not in summary.spoken

    async def not_readable(function, *args, **kwargs):
        from actions.clients import ServiceUnavailable
        raise ServiceUnavailable("records")

    monkeypatch.setattr(garden_waste, "call", not_readable)
    confirmation = run(garden_waste.GARDEN_WASTE.confirmation(
        tracker({**slots, "order_summary": summary.text}), "GW-2026-00007", 6000))
    assert "Your reference is **GW-2026-00007**." in confirmation.chat
    assert "G W, 2 0 2 6, 0 0 0, 0 7" in confirmation.spoken and "60 pounds" in confirmation.spoken
    assert "subscription for 2026 to 2027 (1 April" in confirmation.spoken
    assert "**" not in confirmation.spoken


def test_a_bin_request_says_its_charge_and_its_reference(monkeypatch):
    answers(monkeypatch, bin_request, bin_request_rules=RULES)
    dispatcher = Dispatcher()
    form = bin_request.ValidateBinRequestForm()
    slots = {"council": "chorley", "bin_request_stream": "recycling", "address": ADDRESS}
    run(form.validate_bin_request_type("replacement:stolen", dispatcher, tracker(slots), {}))
    run(form.validate_bin_request_type("extra", dispatcher, tracker(slots), {}))
    charge, refused = dispatcher.messages
    assert charge["text"] == "The charge for this is £25.00. A replacement for a stolen bin is charged."
    assert "25 pounds" in assert_fit_for_a_caller(charge)
    assert refused["text"] == "Sorry, we can't do that for this bin. Only one recycling bin per home."

    summary = run(bin_request.BIN_REQUEST.summarise(tracker({**slots, "bin_request_type": "replacement:stolen"})))
    assert summary.text == f"a replacement for a stolen blue bin, delivered to **{ADDRESS}** within 10 working days"
    assert summary.amount == 2500
    confirmation = run(bin_request.BIN_REQUEST.confirmation(tracker({**slots, "order_summary": summary.text}),
                                                            "BR-2026-00003", 2500))
    assert confirmation.chat == ("Thank you, your payment of £25.00 went through. I've asked for " + summary.text
                                 + ". Your reference is **BR-2026-00003**.")
    assert "B R, 2 0 2 6, 0 0 0, 0 3" in confirmation.spoken and "**" not in confirmation.spoken
    free = run(bin_request.BIN_REQUEST.confirmation(tracker({**slots, "order_summary": summary.text}),
                                                    "BR-2026-00004", 0))
    assert free.chat.startswith("I've asked for a replacement")


@pytest.mark.parametrize("action", [bin_request.ActionAskBinRequestStream, bin_request.ActionAskBinRequestType])
def test_bin_request_questions(monkeypatch, action):
    answers(monkeypatch, bin_request, bin_request_rules=RULES)
    dispatcher = Dispatcher()
    run(action().run(dispatcher, tracker({"council": "chorley"}), {}))
    (message,) = dispatcher.messages
    assert message["buttons"]
    assert_fit_for_a_caller(message)
    if action is bin_request.ActionAskBinRequestType:  # six choices: a keypad menu on the phone, not addresses
        assert len(message["buttons"]) == 6 and expects(message) == "choice"


def test_the_items_question_is_not_put_again_straight_after_the_validation_asked_for_the_items(monkeypatch):
    answers(monkeypatch, bulky_waste, bulky_waste_catalogue=CATALOGUE)
    form = {"name": "bulky_waste_form"}
    asked = [{"event": "slot", "name": "requested_slot", "value": "bulky_items"}]
    answered = asked + [{"event": "user", "text": "a trampoline"}, {"event": "action", "name": "bulky_waste_form"},
                        {"event": "bot", "text": "Please tell me all the items again, for example “a sofa and two "
                                                 "chairs”."},
                        {"event": "slot", "name": "requested_slot", "value": "bulky_items"}]
    first, again = Dispatcher(), Dispatcher()
    run(bulky_waste.ActionAskBulkyItems().run(first, tracker({"council": "chorley"}, events=asked,
                                                             active_loop=form), {}))
    run(bulky_waste.ActionAskBulkyItems().run(again, tracker({"council": "chorley"}, events=answered,
                                                             active_loop=form), {}))
    assert first.messages[0]["text"].startswith("What would you like us to collect?")
    assert again.messages == []


def test_a_day_that_is_not_offered_is_explained_with_days_as_people_say_them(monkeypatch):
    answers(monkeypatch, bulky_waste, bulky_waste_slots=SLOTS)
    dispatcher = Dispatcher()
    run(bulky_waste.ValidateBulkyWasteForm().validate_bulky_slot(
        "a wednesday", dispatcher, tracker({"uprn": "100010512345"}), {}))
    (message,) = dispatcher.messages
    assert message["text"] == ("Collections here are on Fridays, so I can't offer a Wednesday. The first day with "
                               "space is Friday 4 December.")
    assert "Friday the 4th of December" in assert_fit_for_a_caller(message) and expects(message) == "date"
