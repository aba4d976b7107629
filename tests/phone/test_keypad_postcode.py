"""A postcode keyed in on the phone keypad: the keys read back into postcodes, checked against the sandbox's address
service, and what a keypad-only caller hears (a scripted bot: no Rasa server needed)."""
from __future__ import annotations

import asyncio
import time
from typing import List, Optional

import pytest

from connectors.phone.keypad_postcode import (
    Found,
    KeyedPostcodeFinder,
    MOST_LOOKUPS,
    address_lookup,
    keys_for,
    postcode_candidates,
    say_start,
)
from connectors.phone.wording import words
from tests.phone.test_phone_channel import ASK_POSTCODE, GREETING, Line

OURS = ["PR7 1DP", "PR25 1DH", "PR26 6TT", "PR5 4UJ", "PR6 0HH"]


# -- the keys, read back into postcodes ---------------------------------------------------------------------------


def test_each_letter_is_the_key_it_is_printed_on_and_digits_are_themselves():
    assert keys_for("PR7 1DP") == "777137"
    assert keys_for("PR25 1DH") == "7725134"
    assert keys_for("PR26 6TT") == "7726688"
    assert keys_for("PR5 4UJ") == "775485"
    assert keys_for("PR6 0HH") == "776044"
    assert keys_for("pr7 1dp") == "777137"


@pytest.mark.parametrize("postcode", OURS)
def test_the_keys_of_a_postcode_read_back_to_it_among_the_local_ones_first(postcode):
    candidates = postcode_candidates(keys_for(postcode))
    assert postcode in candidates
    local = [c for c in candidates if c.split(" ")[0].startswith("PR")]
    assert candidates[:len(local)] == local  # the councils' own districts come first
    assert postcode in candidates[:MOST_LOOKUPS]
    assert all(keys_for(c) == keys_for(postcode) for c in candidates)


def test_the_shape_of_a_postcode_decides_which_key_is_a_digit():
    # 7 7 7 1 3 7: PR7 (letter, letter, digit) and S77 (letter, digit, digit), never P77 (there is no area P).
    candidates = postcode_candidates("777137")
    assert {"PR7 1DP", "S77 1DP"} <= set(candidates)
    assert not [c for c in candidates if c.startswith("P7") or c.startswith("P77")]
    # The inward code is a digit and two letters, never C, I, K, M, O or V: 4 4 is G or H, not I.
    assert {c.split(" ")[1] for c in postcode_candidates("776044") if c.startswith("PR6")} == {"0GG", "0GH", "0HG",
                                                                                              "0HH"}


def test_keys_that_cannot_be_a_postcode_have_no_candidates():
    assert postcode_candidates("1234") == []  # too short
    assert postcode_candidates("77713777") == []  # too long
    assert postcode_candidates("111111") == []  # 1 has no letters
    assert postcode_candidates("777111") == []  # the inward code needs letters
    assert postcode_candidates("") == []


def test_a_start_of_a_postcode_is_said_as_the_read_back_says_it():
    assert say_start("PR7 1DP", 4) == "P R 7, 1"
    assert say_start("PR25 1DH", 4) == "P R 25"
    assert say_start("PR25 1DH", 6) == "P R 25, 1 D"


# -- checked against the address service (the sandbox) ----------------------------------------------------------


class Counted:
    def __init__(self, lookup) -> None:
        self.lookup = lookup
        self.asked: List[str] = []

    def __call__(self, postcode: str) -> Optional[bool]:
        self.asked.append(postcode)
        return self.lookup(postcode)


@pytest.mark.parametrize("postcode", OURS)
def test_the_address_service_finds_the_keyed_postcode_within_twenty_lookups(sandbox, postcode):
    lookup = Counted(address_lookup({"COUNCIL_API_BASE_URL": sandbox.url}))
    found = asyncio.run(KeyedPostcodeFinder(lookup).find(keys_for(postcode)))
    assert found.checked and postcode in found.postcodes
    assert all(p.startswith("PR") for p in found.postcodes)
    assert len(lookup.asked) <= MOST_LOOKUPS
    assert not [p for p in lookup.asked if not p.startswith("PR")]  # a local one found: no others asked


def test_a_postcode_outside_the_councils_is_not_found(sandbox):
    lookup = Counted(address_lookup({"COUNCIL_API_BASE_URL": sandbox.url}))
    found = asyncio.run(KeyedPostcodeFinder(lookup).find(keys_for("L1 8JQ")))
    assert found == Found([]) and 0 < len(lookup.asked) <= MOST_LOOKUPS


def test_an_address_service_that_is_down_leaves_the_local_readings_unchecked():
    found = asyncio.run(KeyedPostcodeFinder(lambda postcode: None).find("776044"))
    assert not found.checked and found.postcodes == ["PR6 0GG", "PR6 0GH", "PR6 0HG", "PR6 0HH"]


def test_a_slow_address_service_costs_the_caller_seconds_not_minutes():
    def slow(postcode: str) -> Optional[bool]:
        time.sleep(3)
        return True

    async def timed():
        started = time.monotonic()
        found = await KeyedPostcodeFinder(slow, seconds=0.5).find("777137")
        return time.monotonic() - started, found

    waited, found = asyncio.run(timed())  # (asyncio.run itself then waits for the threads to finish)
    assert waited < 1.5
    assert not found.checked


# -- what a keypad-only caller hears --------------------------------------------------------------------------------


class Finder:
    """Answers as the address service would if only `known` postcodes existed."""

    def __init__(self, *known: str) -> None:
        self.known = set(known)

    async def find(self, keys: str) -> Found:
        return Found([p for p in postcode_candidates(keys) if p in self.known])


def line_asking_postcode(*known: str) -> Line:
    script = {"/greet": [GREETING], "/check_bin_day": [ASK_POSTCODE]}
    script.update({p: [{"text": f"Thanks, {p}."}] for p in known})
    line = Line(script)
    line.input.keyed_postcodes = Finder(*known)
    line.ring()
    line.press("2")
    return line


def test_a_postcode_question_asked_again_says_how_to_key_it_in():
    line = line_asking_postcode()
    heard = line.silence()
    assert heard.mentions(words("postcode_keypad_how"))
    assert heard.gather.get("numDigits") is None  # several keys, ended by the hash key (Twilio's finishOnKey)
    assert heard.gather.get("finishOnKey") in (None, "#")


def test_one_postcode_from_the_keys_is_read_back():
    line = line_asking_postcode("PR7 1DP")
    heard = line.press("777137")
    assert heard.mentions("I heard P R 7, 1 D P. Is that right?", "press 1", "press 2")
    assert line.bot.received[-1] == "/check_bin_day"
    line.press("1")
    assert line.bot.received[-1] == "PR7 1DP"


def test_a_few_postcodes_from_the_keys_are_a_keypad_menu_read_letter_by_letter():
    line = line_asking_postcode("PR7 1DP", "PR7 1ER")
    heard = line.press("777137")
    assert heard.mentions("Press 1 for P R 7, 1 D P.", "Press 2 for P R 7, 1 E R.")
    assert heard.gather.get("numDigits") == "1"
    line.press("2")
    assert line.bot.received[-1] == "PR7 1ER"


def test_many_postcodes_from_the_keys_are_narrowed_a_character_at_a_time():
    many = ["PR7 1DP", "PR7 1DQ", "PR7 1DR", "PR7 1DS", "PR7 1EP", "PR7 1FS"]
    line = line_asking_postcode(*many)
    heard = line.press("777137")
    assert heard.mentions("starts P R 7, 1. What comes next?", "press 1 for D, press 2 for E, press 3 for F")
    heard = line.say("dee")  # or press 1
    assert heard.mentions("Press 1 for P R 7, 1 D P.", "Press 4 for P R 7, 1 D S.")
    line.press("1")
    assert line.bot.received[-1] == "PR7 1DP"


def test_narrowed_to_one_postcode_it_is_read_back():
    line = line_asking_postcode("PR7 1DP", "PR7 1DQ", "PR7 1DR", "PR7 1DS", "PR7 1FS")
    assert line.press("777137").mentions("press 1 for D, press 2 for F")  # only what the service knows
    assert line.press("2").mentions("I heard P R 7, 1 F S")


def test_keys_that_are_no_postcode_are_said_once_then_a_person_is_offered():
    line = line_asking_postcode()
    heard = line.press("777137")
    assert heard.mentions(words("postcode_keyed_not_found"), "say the postcode instead", "press 0")
    again = line.press("777137")
    assert again.mentions("speak to someone") and line.bot.received[-1] == "/check_bin_day"


def test_after_keys_are_not_found_the_postcode_may_be_said():
    line = line_asking_postcode()
    line.press("777137")
    assert line.say("p r seven one d p").mentions("I heard P R 7, 1 D P")


def test_a_wrong_read_back_of_keys_asks_again_with_how_to_key_it():
    line = line_asking_postcode("PR7 1DP")
    line.press("777137")
    heard = line.press("2")
    assert heard.mentions(words("postcode_again"), words("postcode_keypad_how"))
    line.press("777137")
    assert line.press("2").mentions("speak to someone")  # the second wrong read-back: never a loop


@pytest.mark.parametrize("said, letter", [("dee", "D"), ("D", "D"), ("delta", "D"), ("D for David", "D"),
                                          ("the letter E", "E"), ("seven", "7"), ("ess", "S")])
def test_the_next_character_may_be_said(said, letter):
    from connectors.phone.spoken import read_letter

    assert read_letter(said) == letter


def test_a_sentence_is_no_next_character():
    from connectors.phone.spoken import read_letter

    assert read_letter("I don't know") is None
    assert read_letter("") is None


def test_unusable_address_service_settings_leave_the_readings_unchecked(monkeypatch):
    monkeypatch.setenv("COUNCIL_API_TIMEOUT_SECONDS", "soon")
    found = asyncio.run(KeyedPostcodeFinder().find("776044"))
    assert not found.checked and "PR6 0HH" in found.postcodes
