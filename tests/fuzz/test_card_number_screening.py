"""Property-based tests of the message screening (connectors/card_numbers.py): card numbers are found in any spelling
a person or a phone produces, and no text makes the screening fail."""
from __future__ import annotations

import unicodedata

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from connectors.card_numbers import (
    CARD_NUMBER_REMOVED,
    clean_text,
    completes_card_number,
    contains_card_number,
    could_continue_card_number,
    luhn_valid,
    screen,
)
from connectors.card_numbers import _DATE, plain_digits_and_separators


def date_shaped(text: str) -> bool:
    return bool(_DATE.search(plain_digits_and_separators(text)))

# Runs of what people and phones put between the groups of a card number.
SEPARATOR = st.sampled_from([
    " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u202f", "\u2009", "\u3000", ".", "/", "-", "\u2013", "\u2014", "\u2212",
    " - ", " / ", ", ", "_", "*", "#", "\u200b", "\u00ad", "\u2060", "\ufeff",
])
SEPARATOR_RUN = st.lists(SEPARATOR, min_size=1, max_size=3).map("".join)
# Digits as other scripts and keyboards write them.
DIGIT_STYLES = {
    "ascii": "0123456789",
    "full-width": "０１２３４５６７８９",
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "eastern arabic-indic": "۰۱۲۳۴۵۶۷۸۹",
    "devanagari": "०१२३४५६७८९",
    "mathematical bold": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
}


def with_check_digit(body: str) -> str:
    """`body` completed with the Luhn check digit."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    first = draw(st.sampled_from("23456"))
    body = first + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=length - 2, max_size=length - 2)))
    return with_check_digit(body)


@st.composite
def grouped(draw: st.DrawFn, number: str) -> str:
    """The number cut into groups of 1 to 6 digits with a separator run between each."""
    position, parts = 0, []
    while position < len(number):
        size = draw(st.integers(1, 6))
        parts.append(number[position:position + size])
        position += size
    text = parts[0]
    for part in parts[1:]:
        text += draw(SEPARATOR_RUN) + part
    return text


@st.composite
def card_number_spellings(draw: st.DrawFn) -> str:
    number = draw(card_numbers())
    style = DIGIT_STYLES[draw(st.sampled_from(sorted(DIGIT_STYLES)))]
    spelled = draw(grouped(number))
    return "".join(style[int(ch)] if ch.isdigit() else ch for ch in spelled)


WORDS = st.sampled_from(["", "my card is ", "here you go: ", "ok ", "card no. ", "pay with "])
AFTER = st.sampled_from(["", " thanks", " exp 12/30", " 12/30 123", ".", " cheers!"])


@settings(max_examples=400)
@given(before=WORDS, spelling=card_number_spellings(), after=AFTER)
@example(before="", spelling="4242  4242  4242  4242", after="")
@example(before="", spelling="4242 - 4242 - 4242 - 4242", after="")
@example(before="", spelling="4242\u200b4242\u200b4242\u200b4242", after="")
@example(before="", spelling="4242*4242*4242*4242#", after="")
def test_a_card_number_is_found_whatever_separates_its_groups(before, spelling, after):
    assume(not date_shaped(spelling))  # a known gap: groups shaped like a whole date ("1.12.2024") are read as one
    text = before + spelling + after
    assert contains_card_number(text)
    assert contains_card_number(clean_text(text))  # what the guard screens: tidied first
    assert screen(clean_text(text)) == (CARD_NUMBER_REMOVED, True)


@settings(max_examples=300)
@given(number=card_numbers(), data=st.data())
def test_a_card_number_split_over_two_messages_is_found(number, data):
    cut = data.draw(st.integers(1, len(number) - 1))
    first = data.draw(WORDS) + data.draw(grouped(number[:cut]))
    second = data.draw(grouped(number[cut:])) + data.draw(st.sampled_from(["", " thanks", " please"]))
    assume(not date_shaped(first) and not date_shaped(second))  # the same known gap as above
    if contains_card_number(second):
        return  # the second message alone holds a card number: removed on its own
    assert could_continue_card_number(second)
    assert completes_card_number(first, second)


@settings(max_examples=500)
@given(st.text())
def test_no_text_makes_the_screening_fail(text):
    cleaned = clean_text(text)
    screened, removed = screen(cleaned)
    assert removed == (screened == CARD_NUMBER_REMOVED) or cleaned == CARD_NUMBER_REMOVED
    could_continue_card_number(cleaned)
    completes_card_number(text, cleaned)


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)))
def test_tidied_text_is_nfkc_encodable_and_has_no_invisible_or_control_characters(text):
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # no lone surrogates: nothing downstream fails on it
    for ch in cleaned:
        assert ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"), repr(ch)
    assert clean_text(cleaned) == cleaned  # tidying twice changes nothing


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd", "No")), max_size=40))
def test_text_without_digits_is_never_a_card_number(text):
    assert not contains_card_number(text)
    assert screen(text) == (text, False)


@settings(max_examples=300)
@given(st.from_regex(r"\A(PR|BB|L|M)[0-9]{1,2} ?[0-9][A-Z]{2}\Z"), st.from_regex(r"\A[36][0-9]{7}\Z"))
def test_what_residents_type_for_council_services_is_not_a_card_number(postcode, account):
    """Postcodes, an 8-digit council tax account with its postcode, UK phone numbers, dates, PCNs, money."""
    for text in [
        postcode,
        f"account {account} postcode {postcode}",
        f"{account[:4]} {account[4:]}",
        "call 01257 515151 or 07700 900123",
        "+44 1257 515151",
        "text me on 07700 900123, account 38545118",
        "from 12/03/2025 - 14/03/2025",
        "my bin was missed on 27.11.2026 and 04.12.2026",
        "PCN CH40213377 for PF19 KZW",
        "I paid £1,250.00 on 03/02/2026",
    ]:
        assert not contains_card_number(text), text
