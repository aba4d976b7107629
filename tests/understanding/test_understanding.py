"""Reading answers as a person means them (actions/common/understanding.py), on many phrasings.

The phrasings here were written for these tests, apart from the examples in the module's docstrings."""
from __future__ import annotations

from datetime import date

import pytest

from actions.common import understanding as u

# Flytipping's amounts and graffiti's surfaces, as the Open311 service offers them.
AMOUNTS = ["One or two bags", "A car boot load", "A small van load", "A lorry load or more"]
SURFACES = ["A wall or building", "A fence or gate", "A bus shelter, bench or bin", "A road sign or lamp post",
            "A bridge or underpass", "The pavement or road", "Something else"]
BINS = ["Green bin", "Blue bin", "Brown bin", "Grey bin"]
HOW_LONG = ["Less than a week", "One to four weeks", "More than a month"]


@pytest.mark.parametrize("text, count", [
    ("2", 2), ("two", 2), ("Two please", 2), ("just the one", 1), ("only the one thanks", 1), ("one", 1),
    ("a couple", 2), ("3 bins", 3), ("three of them", 3), ("twenty one", 21), ("a bin", 1), ("just a single bin", 1),
    ("I'd like four", 4),
])
def test_counts_in_words_and_digits(text, count):
    assert u.number_in(text) == count


@pytest.mark.parametrize("text", ["", "some", "2 or 3", "no idea"])
def test_no_count_when_none_or_several(text):
    assert u.number_in(text) is None


@pytest.mark.parametrize("text, position", [
    ("the second one", 2), ("2nd", 2), ("number two", 2), ("option 3", 3), ("the first", 1), ("Third one please", 3),
    ("the last one", u.LAST), ("no. 4", 4), ("the top one", 1),
])
def test_ordinals(text, position):
    assert u.ordinal_in(text) == position


@pytest.mark.parametrize("text, labels, index", [
    ("the blue one", BINS, 1),
    ("blue", BINS, 1),
    ("erm the grey one I think", BINS, 3),
    ("second", BINS, 1),
    ("the 3rd", BINS, 2),
    ("4", BINS, 3),
    ("the last one", BINS, 3),
    ("just the one", AMOUNTS, 0),
    ("only a couple of bags", AMOUNTS, 0),
    ("car boot full i reckon", AMOUNTS, 1),
    ("loads of black bags mostly", ["Household bags", "Furniture or mattresses", "Tyres"], 0),
    ("about a van's worth", AMOUNTS, 2),
    ("a lorry load", AMOUNTS, 3),
    ("on the bus shelter", SURFACES, 2),
    ("it's on a lamp post", SURFACES, 3),
    ("the fence", SURFACES, 1),
    ("Something else", SURFACES, 6),
    ("one to four weeks", HOW_LONG, 1),
    ("less than a week", HOW_LONG, 0),
])
def test_choose_a_label(text, labels, index):
    assert u.choose(text, labels) == index


@pytest.mark.parametrize("text, labels", [
    ("purple", BINS), ("the bin", BINS), ("", BINS), ("9", BINS), ("a", AMOUNTS), ("every single day", HOW_LONG),
])
def test_no_label_when_it_cant_be_told(text, labels):
    assert u.choose(text, labels) is None


@pytest.mark.parametrize("text, answer", [
    ("every single day", True), ("Yes", True), ("yeah it's constant, all the time", True), ("most nights", True),
    ("nope", False), ("no, first time I've seen it", False), ("not really", False), ("just the once", False),
    ("hmm", None),
])
def test_yes_or_no(text, answer):
    assert u.yes_or_no(text) is answer


@pytest.mark.parametrize("text", [
    "I will have to go and look. Can I come back to this?", "no idea", "dunno mate", "skip", "I can't remember",
    "I'll check and get back to you", "haven't got a clue, it's got no plates",
])
def test_deferrals(text):
    assert u.is_deferral(text)


@pytest.mark.parametrize("text", ["PF19 KZW", "a silver ford focus", "every night after 11pm"])
def test_answers_are_not_deferrals(text):
    assert not u.is_deferral(text)


# -- dates: a property on a Tuesday round, asked on Thursday 26 November 2026 ----------------------------------------

TODAY = date(2026, 11, 26)
TUESDAYS = [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 22), date(2027, 1, 5)]


@pytest.mark.parametrize("text, chosen", [
    ("whichever is soonest", date(2026, 12, 1)),
    ("The earliest please", date(2026, 12, 1)),
    ("first available", date(2026, 12, 1)),
    ("asap", date(2026, 12, 1)),
    ("don't mind, any", date(2026, 12, 1)),
    ("tuesday 8th", date(2026, 12, 8)),
    ("the 15th", date(2026, 12, 15)),
    ("15 december", date(2026, 12, 15)),
    ("December 22nd", date(2026, 12, 22)),
    ("22/12", date(2026, 12, 22)),
    ("next tuesday", date(2026, 12, 1)),
    ("next week", date(2026, 12, 1)),
    ("the week after next", date(2026, 12, 8)),
    ("in the new year", None),
    ("the second one", date(2026, 12, 8)),
    ("the last one", date(2027, 1, 5)),
    ("5th jan", date(2027, 1, 5)),
    ("2026-12-15", date(2026, 12, 15)),
])
def test_choose_an_offered_date(text, chosen):
    assert u.choose_date(text, TUESDAYS, TODAY).chosen == chosen


def test_a_date_named_but_not_offered_is_understood_not_chosen():
    reading = u.choose_date("monday 7th", TUESDAYS, TODAY)
    assert reading.chosen is None and reading.understood == date(2026, 12, 7)
    tomorrow = u.choose_date("tomorrow please", TUESDAYS, TODAY)
    assert tomorrow.chosen is None and tomorrow.understood == date(2026, 11, 27)
    friday = u.choose_date("can it be a friday", TUESDAYS, TODAY)
    assert friday.chosen is None and friday.weekday == 4


def test_tomorrow_when_tomorrow_is_offered():
    assert u.choose_date("tomorrow", [date(2026, 11, 27), date(2026, 12, 4)], TODAY).chosen == date(2026, 11, 27)


@pytest.mark.parametrize("text", ["every single day", "a tuesday", "", "banana"])
def test_no_date_when_it_cant_be_told(text):
    assert u.choose_date(text, TUESDAYS, TODAY).chosen is None


# -- addresses ----------------------------------------------------------------------------------------------------

def _address(uprn, house, street="Pope Lane", town="Penwortham", postcode="PR1 9AB"):
    named = not house[0].isdigit() and not house.startswith("Flat")
    line = f"{house}, {street}" if named else f"{house} {street}"
    return {"uprn": uprn, "house": house, "street": street, "address": f"{line}, {town}, {postcode}"}


POPE_LANE = [
    _address("1", "12"), _address("2", "14"), _address("3", "16"),
    _address("4", "Flat 1, 28"), _address("5", "Flat 2, 28"), _address("6", "Flat 3, 28"),
    _address("7", "30"), _address("8", "The Old Forge"), _address("9", "Rose Cottage"),
    _address("10", "14", street="Cop Lane"),
]


@pytest.mark.parametrize("text, uprn", [
    ("number 12", "1"),
    ("it's 16", "3"),
    ("16 pope lane", "3"),
    ("I'm at 30", "7"),
    ("flat 3 28 pope lane", "6"),
    ("Flat 2", "5"),
    ("apartment 1, 28", "4"),
    ("2/28", "5"),
    ("the old forge", "8"),
    ("Rose cottage please", "9"),
    ("14 cop lane", "10"),
    ("number sixteen", "3"),
])
def test_choose_an_address(text, uprn):
    assert u.choose_address(text, POPE_LANE).chosen["uprn"] == uprn


def test_uprn_typed():
    assert u.choose_address("10", [_address("10", "12")]).chosen["uprn"] == "10"


@pytest.mark.parametrize("text, why", [
    ("next door obviously", "relative"),
    ("next door to 12", "relative"),
    ("14", "several"),
    ("28", "which_flat"),
    ("number 99", "not_found"),
    ("the house with the red door", "no_number"),
])
def test_an_address_that_cant_be_told_says_why(text, why):
    reading = u.choose_address(text, POPE_LANE)
    assert reading.chosen is None and reading.why == why


@pytest.mark.parametrize("text, street, house, town", [
    ("I don't know my postcode, I live on Duddle Lane", "Duddle Lane", None, None),
    ("14 duddle ln, bamber bridge", "Duddle Lane", "14", "Bamber Bridge"),
    ("flat 3 28 pope lane penwortham", "Pope Lane", "Flat 3, 28", "Penwortham"),
    ("it's number 7 on station road in bamber bridge", "Station Road", "7", "Bamber Bridge"),
    ("not sure of the postcode but we're on Golden Hill Lane in Leyland", "Golden Hill Lane", None, "Leyland"),
])
def test_street_in_words(text, street, house, town):
    found = u.street_in(text, towns=["Bamber Bridge", "Penwortham", "Leyland"])
    assert found == u.StreetSaid(street=street, house=house, town=town)


@pytest.mark.parametrize("text", ["why do you need my postcode?", "banana", "I live in Leyland", "the road"])
def test_no_street(text):
    assert u.street_in(text, towns=["Leyland"]) is None


@pytest.mark.parametrize("text", [
    "I don't know my postcode", "no idea what the postcode is", "dont know it", "I can't remember the postcode",
])
def test_says_no_postcode(text):
    assert u.says_no_postcode(text)


# -- numbers and references -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, number", [
    ("ok found it 3854 5118", "38545118"),
    ("3854-5118", "38545118"),
    ("my account number is 38545118 thanks", "38545118"),
    ("it says 6012 3456 at the top", "60123456"),
    ("three eight five four five one one eight", "38545118"),
    ("38545118 and the postcode is PR7 1DP", "38545118"),
])
def test_account_numbers_with_chatter(text, number):
    assert u.digits_in(text, 8) == number


@pytest.mark.parametrize("text", ["3854 511", "hang on", "38545118 or maybe 38545119", "12345 678 90"])
def test_no_account_number(text):
    assert u.digits_in(text, 8) is None


@pytest.mark.parametrize("text, pcn", [
    ("CH40213377", "CH40213377"), ("it's ch 4021 3377", "CH40213377"), ("PCN: SR-1234-5678", "SR12345678"),
])
def test_pcn_numbers(text, pcn):
    assert u.pcn_in(text) == pcn


# -- registrations ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, plate", [
    ("PF19 KZW", "PF19 KZW"),
    ("pf19kzw", "PF19 KZW"),
    ("the reg is yk07 abc I think", "YK07 ABC"),
    ("L123 XYZ", "L123 XYZ"),  # prefix
    ("it's an old one, ABC 123D", "ABC 123D"),  # suffix
    ("1 A", "1 A"),  # dateless
    ("reg: ABC 1234", "ABC 1234"),  # dateless, three letters and four digits
    ("the plate says pk 63 fzm", "PK63 FZM"),
])
def test_registrations(text, plate):
    assert u.registration_in(text) == plate


@pytest.mark.parametrize("text", [
    "I will have to go and look. Can I come back to this?",
    "a silver ford focus",
    "it's parked at 10 pope lane",
    "no plates on it",
    "dunno",
    "",
])
def test_not_registrations(text):
    assert u.registration_in(text) is None


def test_kind_of_free_text():
    assert u.kind_of_free_text("registration", "What is the vehicle's registration number?") == u.REGISTRATION
    assert u.kind_of_free_text("make_and_colour", "What make and colour is the vehicle?") is None
