"""What callers say, as speech recognition writes it down, read into postcodes, numbers, references and choices.

The spoken forms are the ones callers use and the ones speech engines produce for them (letters as words, homophones,
numbers as words, "oh" for zero, run-together letters), for postcodes in Chorley and South Ribble.
"""
import time

import pytest

from connectors.phone.spoken import (
    choose_option,
    is_goodbye,
    is_person_request,
    is_repeat_request,
    keypad_menu,
    read_number,
    read_postcode,
    read_reference,
    read_yes_no,
    say_postcode,
    speech_hints,
)
from councils.postcodes import normalise

SPOKEN_POSTCODES = [
    # As typed or as a speech engine formats a postcode it recognised.
    ("PR7 1DP", "PR7 1DP"),
    ("pr71dp", "PR7 1DP"),
    ("PR71DP", "PR7 1DP"),
    ("pr7 1 dp", "PR7 1DP"),
    ("PR 71 DP", "PR7 1DP"),
    ("P.R.7 1D.P.", "PR7 1DP"),
    ("PR7-1DP", "PR7 1DP"),
    # Letters and digits spaced out.
    ("p r 7 1 d p", "PR7 1DP"),
    ("P R 7, 1 D P.", "PR7 1DP"),
    ("P R 25 1 D H", "PR25 1DH"),
    ("P R 2 5 1 D H", "PR25 1DH"),
    # Numbers as words.
    ("pr seven one dp", "PR7 1DP"),
    ("P R seven one D P", "PR7 1DP"),
    ("PR twenty five one DH", "PR25 1DH"),
    ("PR twenty-five 1DH", "PR25 1DH"),
    ("P R twenty six six T T", "PR26 6TT"),
    ("P R two six six T T", "PR26 6TT"),
    ("PR seventy one DP", "PR7 1DP"),
    ("P R five four U J", "PR5 4UJ"),
    # "Oh" and "o" for zero where a digit belongs; the letter O where a letter belongs.
    ("P R 6 oh H H", "PR6 0HH"),
    ("P R six o h h", "PR6 0HH"),
    ("PR6 OHH", "PR6 0HH"),
    ("PR6 zero HH", "PR6 0HH"),
    ("P R 6 nought aitch aitch", "PR6 0HH"),
    ("oh L one oh one A A", "OL10 1AA"),
    # Letters as words and the NATO alphabet.
    ("papa romeo seven one delta papa", "PR7 1DP"),
    ("Papa Romeo 7 1 Delta Papa", "PR7 1DP"),
    ("P for papa R for romeo 7 1 D for delta P for papa", "PR7 1DP"),
    ("P as in Peter R 7 1 D P", "PR7 1DP"),
    ("papa romeo twenty five one delta hotel", "PR25 1DH"),
    ("P R 1 9 x-ray x-ray", "PR1 9XX"),
    ("P R 5 4 uniform juliet", "PR5 4UJ"),
    # Double and triple.
    ("P R 6 oh double H", "PR6 0HH"),
    ("P R 26 6 double T", "PR26 6TT"),
    ("P R 1 9 double X", "PR1 9XX"),
    ("P R 6 0 double aitch", "PR6 0HH"),
    ("P R double 2 1 A B", "PR22 1AB"),
    ("P R triple 2 A B", "PR22 2AB"),
    ("double B 2 7 A B", "BB2 7AB"),
    # Homophones speech engines write for letters.
    ("P are seven one dee pee", "PR7 1DP"),
    ("pea are seven one dee pea", "PR7 1DP"),
    ("pee ar 7 1 D pee", "PR7 1DP"),
    ("P R 5 4 you jay", "PR5 4UJ"),
    ("P R 5 for you jay", "PR5 4UJ"),
    ("P R 1 9 ex ex", "PR1 9XX"),
    ("P R 26 6 tea tea", "PR26 6TT"),
    ("P R 26 6 tee tee", "PR26 6TT"),
    ("P R 25 1 dee aitch", "PR25 1DH"),
    ("P R 2 6 6 why why", "PR26 6YY"),
    ("P R 7 2 double you why", "PR7 2WY"),
    ("see are zero double you el", None),  # CR0 WL: the inward code has no digit
    ("see are 0 2 double you el", "CR0 2WL"),
    ("bee el one 1 queue are", "BL1 1QR"),
    ("kay tee two 8 en ex", "KT2 8NX"),
    ("em one 1 ay ay", "M1 1AA"),
    ("jay ee 2 3 tee en", "JE2 3TN"),
    ("zed ee 1 1 pea ay", "ZE1 1PA"),
    ("eye pea 1 1 ay bee", "IP1 1AB"),
    # "Four"/"for", "two"/"to", "eight"/"ate" where a digit belongs.
    ("P R for 1 D P", "PR4 1DP"),
    ("P R to 1 D P", "PR2 1DP"),
    ("P R too 1 D P", "PR2 1DP"),
    ("P R ate 1 D P", "PR8 1DP"),
    ("P R eight one D P", "PR8 1DP"),
    ("P R 1 for U J", "PR1 4UJ"),
    # Filler around it.
    ("my postcode is PR7 1DP", "PR7 1DP"),
    ("it's PR7 1DP", "PR7 1DP"),
    ("um it's P R 7 er 1 D P full stop", "PR7 1DP"),
    ("The postcode is PR25 1DH thank you", "PR25 1DH"),
    ("yeah it's pr5 4uj", "PR5 4UJ"),
    ("I think it's PR6 0HH", "PR6 0HH"),
    ("oh it's PR1 9XX", "PR1 9XX"),
    ("I live at PR26 6TT", "PR26 6TT"),
    ("I live at 12 Market Street, PR7 1DP", "PR7 1DP"),
    ("so that's P R 7, 1 D P.", "PR7 1DP"),
    # Other Chorley and South Ribble postcodes.
    ("PR25 2AX", "PR25 2AX"),
    ("PR26 9HA", "PR26 9HA"),
    ("P R 6 7 E F", "PR6 7EF"),
    ("P R 7 1 A L", "PR7 1AL"),
    ("PR4 5 double L", "PR4 5LL"),
    ("P R 4 5 el el", "PR4 5LL"),
    # Nothing like a postcode.
    ("hello", None),
    ("I don't know", None),
    ("", None),
    ("123", None),
    ("I want to report a missed bin", None),
    ("yes", None),
    ("P R 7", None),
    ("twelve", None),
    ("my bin wasn't emptied on Tuesday", None),
]


@pytest.mark.parametrize("said, postcode", SPOKEN_POSTCODES)
def test_spoken_postcodes_are_read_as_the_caller_meant(said, postcode):
    assert read_postcode(said) == postcode


def test_at_least_forty_spoken_postcodes_are_checked():
    assert len([p for _, p in SPOKEN_POSTCODES if p]) >= 40


def test_a_postcode_outside_any_area_is_still_a_postcode_when_it_has_the_shape():
    # The finer rules choose between readings; they do not turn a caller away (the read-back does that).
    assert read_postcode("Q Q 1 1 A A") == "QQ1 1AA"
    # ...but a misheard word is likelier than an area that does not exist: SX is none, S (Sheffield) is one.
    assert read_postcode("es ex 1 1 ay ay") == "S1 1AA"


@pytest.mark.parametrize("typed", ["PR7 1DP", "pr71dp", "PR25 1DH", "pr26 6tt", "PR5 4UJ", "PR6 0HH", "PR1 9XX",
                                   "PR25 2AX", "PR26 9HA", "SW1A 1AA", "M1 1AA", "EC1A 1BB", "W1A 0AX"])
def test_a_typed_postcode_reads_as_the_rest_of_the_assistant_reads_it(typed):
    assert read_postcode(typed) == normalise(typed)


def test_none_and_whitespace_give_no_postcode():
    assert read_postcode(None) is None
    assert read_postcode("   ") is None
    assert read_postcode("...") is None


def test_oh_is_read_by_position():
    assert read_postcode("oh ex 4 1 ay bee") == "OX4 1AB"  # a letter in the area
    assert read_postcode("P R oh 1 ay bee") == "PR0 1AB"  # a digit after the area
    assert read_postcode("P R 7 oh ay bee") == "PR7 0AB"  # a digit at the start of the inward code
    # PR7O would break Royal Mail's rule for AA9A districts, PR70 is a possible district.
    assert read_postcode("P R 7 oh 1 D P") == "PR70 1DP"


def test_a_long_answer_around_a_postcode_is_read_quickly():
    said = "um well let me think I've got it here somewhere it's " * 2 + "P R 7 1 D P I'm fairly sure about that"
    started = time.perf_counter()
    assert read_postcode(said) == "PR7 1DP"
    for rambling in ("P R 7 oh 1 D P " * 10, "oh " * 59, "one two three four five six seven eight nine " * 6):
        assert read_postcode(rambling) is None
    assert time.perf_counter() - started < 1.0


def test_a_postcode_said_twice_is_read_once():
    assert read_postcode("P R 7 1 D P P R 7 1 D P") == "PR7 1DP"
    assert read_postcode("PR7 1DP PR7 1DP") == "PR7 1DP"


def test_everyday_words_are_letters_only_among_spelt_characters():
    assert read_postcode("I need a bulky waste collection for a sofa and two chairs") is None
    assert read_postcode("are you there") is None
    assert read_postcode("see are 0 2 double you el") == "CR0 2WL"
    assert read_postcode("a b 1 2 a b") == "AB1 2AB"


def test_postcodes_are_read_back_letter_by_letter():
    assert say_postcode("PR7 1DP") == "P R 7, 1 D P"
    assert say_postcode("pr71dp") == "P R 7, 1 D P"
    assert say_postcode("PR25 1DH") == "P R 25, 1 D H"
    assert say_postcode("PR6 0HH") == "P R 6, 0 H H"
    assert say_postcode("SW1A 1AA") == "S W 1 A, 1 A A"
    assert say_postcode("M1 1AA") == "M 1, 1 A A"


def test_a_read_back_of_something_that_is_no_postcode_still_spells_it():
    assert say_postcode("ab12") == "A B 1 2"


@pytest.mark.parametrize("speech, digits, answer", [
    ("yes", None, True),
    ("Yes.", None, True),
    ("yeah", None, True),
    ("yep", None, True),
    ("that's right", None, True),
    ("That’s right.", None, True),
    ("correct", None, True),
    ("it is", None, True),
    ("yes please", None, True),
    ("yes it is", None, True),
    ("no", None, False),
    ("No.", None, False),
    ("nope", None, False),
    ("that's wrong", None, False),
    ("no it isn't", None, False),
    ("no it isnt", None, False),
    ("that's not right", None, False),
    ("not correct", None, False),
    ("incorrect", None, False),
    ("no thanks", None, False),
    ("that is wrong", None, False),
    ("it's not", None, False),
    ("that's it", None, True),
    ("yes that's it", None, True),
    ("please do", None, True),
    ("don't send it", None, False),
    ("no, that's not it", None, False),
    (None, "1", True),
    (None, "2", False),
    ("", "1#", True),
    ("no", "1", True),  # the keypad is unambiguous
    (None, None, None),
    ("", "", None),
    ("I don't know", None, None),
    ("not sure", None, None),
    ("banana", None, None),
    (None, "5", None),
])
def test_yes_and_no_by_voice_or_keypad(speech, digits, answer):
    assert read_yes_no(speech, digits) is answer


@pytest.mark.parametrize("said, digits", [
    ("oh seven seven double oh nine double oh one two three", "07700900123"),
    ("07700 900123", "07700900123"),
    ("0 7 7 0 0 9 0 0 1 2 3", "07700900123"),
    ("one two three", "123"),
    ("twenty three", "23"),
    ("a hundred and five", "105"),
    ("one hundred and five", "105"),
    ("three hundred and twenty one", "321"),
    ("two thousand and twelve", "2012"),
    ("twelve", "12"),
    ("number 12", "12"),
    ("number twelve", "12"),
    ("it's 61748429", "61748429"),
    ("six one seven four eight four two nine", "61748429"),
    ("six one seven for eight for two nine", "61748429"),
    ("six one triple seven", "61777"),
    ("nineteen eighty four", "1984"),
    ("12a", "12"),
    ("oh seven seven double oh, nine double oh, one two three", "07700900123"),
    ("zero seven seven zero zero nine zero zero one two three", "07700900123"),
    ("oh one two five seven five one five one five one", "01257515151"),
    ("my number is 07700900123", "07700900123"),
    ("one thousand two hundred and thirty four", "1234"),
    ("house number 7", "7"),
])
def test_numbers_from_speech(said, digits):
    assert read_number(said) == digits


@pytest.mark.parametrize("said", ["", None, "hello", "I'd like to pay for it", "oh no"])
def test_no_number_said(said):
    assert read_number(said) is None


@pytest.mark.parametrize("said, reference", [
    ("C H four oh two one three three seven seven", "CH40213377"),
    ("CH40213377", "CH40213377"),
    ("it's C H 40213377", "CH40213377"),
    ("charlie hotel four zero two one three three seven seven", "CH40213377"),
    ("see aitch 4 0 2 1 double 3 double 7", "CH40213377"),
    ("my reference is rep one oh four five two three", "REP104523"),
    ("REP-104523", "REP104523"),
    ("one oh four five two three", "104523"),
    ("A B 1 2 3", "AB123"),
    ("P F 1 9 K Z double you", "PF19KZW"),
    ("pea eff one nine kay zed double you", "PF19KZW"),
    ("R E P 1 0 4 5 2 3", "REP104523"),
    ("are ee pea one oh four five two three", "REP104523"),
    ("I think it's C H 4 0 2 1 3 3 7 7", "CH40213377"),
])
def test_references_spelt_out(said, reference):
    assert read_reference(said) == reference


@pytest.mark.parametrize("said", ["", None, "I don't have one", "C H", "are you there"])
def test_no_reference_said(said):
    assert read_reference(said) is None


MENU = ["Report a missed bin", "Bin day", "Report fly-tipping"]
ADDRESSES = [
    "10 Market Street, Chorley, PR7 1DP",
    "12 Market Street, Chorley, PR7 1DP",
    "12A Market Street, Chorley, PR7 1DP",
    "Flat 1, 14 Market Street, Chorley, PR7 1DP",
    "Flat 2, 14 Market Street, Chorley, PR7 1DP",
    "Flat 3, 14 Market Street, Chorley, PR7 1DP",
    "Rose Cottage, Market Street, Chorley, PR7 1DP",
    "16 Market Street, Chorley, PR7 1DP",
]


@pytest.mark.parametrize("speech, digits, chosen", [
    (None, "1", 0),
    (None, "2", 1),
    ("", "3#", 2),
    (None, "4", None),
    (None, "0", None),
    ("one", None, 0),
    ("number two", None, 1),
    ("the second one", None, 1),
    ("option 3", None, 2),
    ("the last one", None, 2),
    ("two", None, 1),
    ("missed bin", None, 0),
    ("I want to report a missed bin please", None, 0),
    ("bin day", None, 1),
    ("fly tipping", None, 2),
    ("bin", None, None),  # two options mention bins
    ("report", None, None),
    ("banana", None, None),
    (None, None, None),
    ("", "", None),
    ("five", None, None),
])
def test_choosing_from_a_menu(speech, digits, chosen):
    assert choose_option(MENU, speech, digits, by_house_number=False) == chosen


@pytest.mark.parametrize("speech, digits, chosen", [
    ("12", None, 1),
    ("twelve", None, 1),
    ("number 12", None, 1),
    ("number 12 market street", None, 1),
    ("12 Market Street, Chorley", None, 1),
    ("12a", None, 2),
    ("twelve a", None, 2),
    ("ten", None, 0),
    ("16", None, 7),
    ("flat 3", None, 5),
    ("flat three", None, 5),
    ("flat 2 14 market street", None, 4),
    ("14", None, None),  # three flats at number 14
    ("it's the one at 16", None, 7),
    ("rose cottage", None, 6),
    ("it's Rose Cottage", None, 6),
    (None, "12", 1),
    (None, "16#", 7),
    (None, "1", 3),  # no house 1, but a flat 1 ("key in your house number, or the number of the flat")
    (None, "5", 4),  # no house or flat 5: the fifth option
    ("the second one", None, 1),
    ("market street", None, None),
    ("99", None, None),
])
def test_choosing_an_address_by_house_number_or_name(speech, digits, chosen):
    assert choose_option(ADDRESSES, speech, digits, by_house_number=True) == chosen


def test_a_number_that_is_a_house_wins_over_the_option_number_only_when_choosing_by_house():
    addresses = [f"{n} Church Road, Leyland, PR25 2AX" for n in (1, 2, 3)]
    shuffled = [addresses[2], addresses[0], addresses[1]]
    assert choose_option(shuffled, "three", None, by_house_number=True) == 0
    assert choose_option(shuffled, "three", None, by_house_number=False) == 2


@pytest.mark.parametrize("speech, chosen", [
    ("yes", 0), ("yeah", 0), ("that's right", 0), ("no", 1), ("nope", 1), ("that's wrong", 1), ("maybe", None),
])
def test_choosing_yes_or_no_options_by_any_way_of_saying_it(speech, chosen):
    assert choose_option(["Yes, that's right", "No, something else"], speech, None, by_house_number=False) == chosen


@pytest.mark.parametrize("speech, chosen", [
    ("the ninth", 0),
    ("9th December", 0),
    ("friday", 1),
    ("the twelfth of December", 1),
    ("Tuesday the sixteenth", 2),
    ("the twenty first", 3),
    ("twenty one", 3),
    ("tuesday", None),  # three Tuesdays
    ("the second one", 1),
])
def test_choosing_a_collection_date(speech, chosen):
    dates = ["Tuesday 9 December", "Friday 12 December", "Tuesday 16 December", "Tuesday 21 December"]
    assert choose_option(dates, speech, None, by_house_number=False) == chosen


@pytest.mark.parametrize("speech, chosen", [
    ("two", 1), ("two bins", 1), ("just the one", 0), ("three please", 2), ("the first one", 0),
])
def test_choosing_how_many(speech, chosen):
    assert choose_option(["1", "2", "3"], speech, None, by_house_number=False) == chosen


@pytest.mark.parametrize("speech, chosen", [
    ("the green one", 0), ("blue", 1), ("the brown bin please", 2), ("bin", None),
])
def test_choosing_a_bin_by_its_colour(speech, chosen):
    assert choose_option(["Green bin", "Blue bin", "Brown bin"], speech, None, by_house_number=False) == chosen


@pytest.mark.parametrize("speech, chosen", [
    ("it's not listed", 3),
    ("my address isn't listed", 3),
    ("not at an address", 2),
    ("near the postcode", 2),
    ("fourteen", 1),
])
def test_the_way_out_of_an_address_list_can_be_said(speech, chosen):
    addresses = ["12 Market Street, Chorley, PR7 1DP", "14 Market Street, Chorley, PR7 1DP",
                 "Not at an address: near this postcode", "My address isn't listed"]
    assert choose_option(addresses, speech, None, by_house_number=True) == chosen


def test_no_options_no_choice():
    assert choose_option([], "one", "1", by_house_number=False) is None


def test_keypad_menus_are_short_sentences():
    assert keypad_menu(["Report a missed bin", "Bin day"]) == "Press 1 for Report a missed bin, press 2 for Bin day."
    assert keypad_menu(["Yes."]) == "Press 1 for Yes."
    assert keypad_menu([]) == ""


def test_a_keypad_menu_offers_at_most_nine_keys():
    menu = keypad_menu([f"Option {n}" for n in range(1, 13)])
    assert "press 9 for Option 9" in menu
    assert "10" not in menu


def test_speech_hints_say_what_the_question_expects():
    postcode = speech_hints("postcode").split(", ")
    assert postcode[:3] == ["P R", "P R 1", "P R 2"]
    assert {"P R 7", "P R 25", "P R 26", "P R 6", "P R 5", "P R 4"} <= set(postcode)
    assert speech_hints("yes_no") == "yes, no"
    assert speech_hints("house") == "flat, number"
    assert speech_hints("") == ""
    assert speech_hints(None) == ""
    assert speech_hints("something new") == ""
    towns = speech_hints("town").split(", ")
    assert {"Chorley", "South Ribble", "Euxton", "Leyland", "Clayton le Woods", "Buckshaw Village"} <= set(towns)
    for expects in ("postcode", "yes_no", "house", "address", "number", "reference", "town", "date", "email_or_phone"):
        hints = speech_hints(expects).split(", ")
        assert len(hints) <= 500 and all(0 < len(h) <= 100 for h in hints)  # Twilio's limits for hints


@pytest.mark.parametrize("speech, asked", [
    ("repeat", True),
    ("Repeat that please", True),
    ("say that again", True),
    ("pardon?", True),
    ("sorry, what was that?", True),
    ("I didn't catch that", True),
    ("what?", True),
    ("can you repeat the options please", True),
    ("what day is my bin collected", False),
    ("it's been missed again and again and again for the third week running", False),
    ("yes", False),
    ("", False),
    (None, False),
])
def test_asking_to_hear_it_again(speech, asked):
    assert is_repeat_request(speech) is asked


@pytest.mark.parametrize("speech, digits, asked", [
    ("speak to someone", None, True),
    ("can I speak to someone please", None, True),
    ("I want to talk to a real person", None, True),
    ("a person", None, True),
    ("operator", None, True),
    ("agent", None, True),
    ("an adviser please", None, True),
    ("customer services", None, True),
    ("put me through to someone", None, True),
    (None, "0", True),
    ("", "0#", True),
    ("someone has dumped a fridge", None, False),
    ("a person left rubbish on the pavement", None, False),
    ("I want to talk about my council tax", None, False),
    ("customer services told me to ring this number", None, False),
    ("can I have customer services please", None, True),
    ("I'd like an operator", None, True),
    ("yes", "1", False),
    (None, None, False),
])
def test_asking_for_a_person(speech, digits, asked):
    assert is_person_request(speech, digits) is asked


@pytest.mark.parametrize("speech, done", [
    ("goodbye", True),
    ("Bye!", True),
    ("ok bye bye", True),
    ("that's all", True),
    ("nothing else thanks", True),
    ("no that's all thank you", True),
    ("thanks, goodbye", True),
    ("yes", False),
    ("no thanks", False),
    ("that's it", False),  # "yes" to "is that right?"
    ("the bypass", False),
    ("they dumped a mattress and that's all I saw", False),
    ("no more bins have been emptied", False),
    ("", False),
    (None, False),
])
def test_saying_goodbye(speech, done):
    assert is_goodbye(speech) is done


@pytest.mark.parametrize("speech, chosen", [
    ("I want to pay my council tax", None),  # a request of its own, for the conversation to understand
    ("my bin's been missed again", None),
    ("I want to speak to the council about my neighbour", None),
    ("contact the council", 3),
    ("bin day please", 1),
])
def test_a_sentence_sharing_one_word_with_a_menu_option_is_not_that_option(speech, chosen):
    menu = ["Report a problem", "Bin day", "Pay or book", "Contact the council", "Something else"]
    assert choose_option(menu, speech, None, by_house_number=False) == chosen
