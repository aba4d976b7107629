"""How the paid journeys read what residents type: items, amounts and contact details."""
from __future__ import annotations

import pytest

from actions.clients.records import BulkyCatalogue, BulkyItem, NotAccepted
from actions.payments.contact import as_records_contact, read_contact, say_contact
from actions.payments.money import read_amount, say_money
from actions.waste.bulky_items import describe_items, price_of, read_items

CATALOGUE = BulkyCatalogue(
    council="chorley", council_name="Chorley Council", max_items=5, how_it_works="",
    items=[
        BulkyItem("sofa", "Sofa", 2000, "£20.00", ["settee", "couch", "sofa bed"]),
        BulkyItem("chair", "Chair", 500, "£5.00", ["dining chair", "stool"]),
        BulkyItem("fridge_freezer", "Fridge or freezer", 3000, "£30.00", ["fridge", "freezer", "fridge freezer"]),
        BulkyItem("garden_furniture", "Garden furniture", 1000, "£10.00", ["garden chairs", "bench"]),
    ],
    not_accepted=[NotAccepted("Hot tubs and pianos", ["hot tub", "piano"], "Ask a specialist removal firm.")],
)


@pytest.mark.parametrize("text, items", [
    ("a sofa and two chairs", {"sofa": 1, "chair": 2}),
    ("Settee, 3 dining chairs & an old fridge freezer", {"sofa": 1, "chair": 3, "fridge_freezer": 1}),
    ("I'd like my couch collected please", {"sofa": 1}),
    ("couple of garden chairs", {"garden_furniture": 2}),
    ("2 x stools", {"chair": 2}),
    ("a couch and a sofa bed", {"sofa": 2}),
])
def test_items_are_read_from_the_residents_words(text, items):
    reading = read_items(text, CATALOGUE)
    assert reading.items == items and not reading.unknown and not reading.not_accepted


def test_items_not_taken_and_unknown_items_are_reported_not_dropped():
    reading = read_items("a piano, a sofa and a trampoline", CATALOGUE)
    assert reading.items == {"sofa": 1}
    assert [n.name for n in reading.not_accepted] == ["Hot tubs and pianos"]
    assert reading.unknown == ["trampoline"]


def test_price_and_description_come_from_the_catalogue():
    items = {"sofa": 1, "chair": 2}
    assert price_of(items, CATALOGUE) == 3000
    assert describe_items(items, CATALOGUE) == "1 × sofa and 2 × chair"


@pytest.mark.parametrize("text, pence", [
    ("£50", 5000), ("50", 5000), ("45.5", 4550), ("£1,200.99", 120099), ("20 pounds", 2000), (" £7.05 ", 705),
])
def test_amounts(text, pence):
    assert read_amount(text) == pence


@pytest.mark.parametrize("text", ["fifty", "£", "-5", "£5.999", "the lot", "1e5"])
def test_what_is_not_plainly_an_amount_is_not_guessed(text):
    assert read_amount(text) is None


def test_money_is_said_in_pounds_and_pence():
    assert say_money(3000) == "£30.00" and say_money(2350) == "£23.50" and say_money(120099) == "£1,200.99"


@pytest.mark.parametrize("text, stored", [
    ("sam@example.com", "email:sam@example.com"),
    ("email me at Sam.Smith+bins@example.co.uk please", "email:Sam.Smith+bins@example.co.uk"),
    ("07700 900123", "sms:07700900123"),
    ("text +44 7700 900123", "sms:07700900123"),
    ("no thanks", None),
    ("01257 515151", None),  # a landline can't get a text message
])
def test_contact_details(text, stored):
    assert read_contact(text) == stored


def test_contact_for_the_records_and_the_resident():
    assert as_records_contact("sms:07700900123").phone == "07700900123"
    assert as_records_contact("none") is None
    assert say_contact("email:a@b.com") == "by email to a@b.com"
