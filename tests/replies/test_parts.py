"""The reply parts: what the web chat shows and what a caller hears for the same reply."""
from datetime import date

import pytest

from replies import Day, Emphasis, Link, Money, PhoneNumber, Postcode, Reference, Words, part_from_json, tell
from replies.speech import expects, links, plain, spoken_text
from replies.telling import reply_message


class Dispatcher:
    def __init__(self):
        self.messages = []

    def utter_message(self, **kwargs):
        self.messages.append(kwargs)


def test_the_web_gets_markdown_and_the_phone_gets_words_for_the_same_reply():
    message = reply_message(
        "Thank you. Your reference is {reference}. It costs {price}, collected on {day}. {pay}",
        reference=Reference("CH40213377"), price=Money(2550), day=Day(date(2026, 12, 3)),
        pay=Link("https://pay.example/abc", "Pay now", "the secure page to pay for the collection"))
    assert message["text"] == ("Thank you. Your reference is **CH40213377**. It costs £25.50, collected on "
                               "Thursday 3 December. [Pay now](https://pay.example/abc)")
    spoken = spoken_text(message)
    assert "C H, 4 0 2, 1 3 3, 7 7" in spoken and "25 pounds 50" in spoken and "Thursday the 3rd of December" in spoken
    assert "http" not in spoken and "**" not in spoken and "The secure page to pay for the collection" in spoken
    assert links(message) == [Link("https://pay.example/abc", "Pay now", "the secure page to pay for the collection")]


@pytest.mark.parametrize("pence, said", [(2500, "25 pounds"), (100, "1 pound"), (5, "5 pence"), (123456, "1234 pounds 56")])
def test_amounts_are_said_as_people_say_them(pence, said):
    assert Money(pence).spoken() == said


@pytest.mark.parametrize("number, said", [("01257 515151", "0 1 2 5 7, 5 1 5, 1 5 1"), ("999", "9 9 9"),
                                          ("116 123", "1 1 6, 1 2 3"), ("+44 1772 421491", "0 1 7 7 2, 4 2 1, 4 9 1")])
def test_phone_numbers_are_read_in_groups_a_caller_can_write_down(number, said):
    assert PhoneNumber(number).spoken() == said


def test_postcodes_and_emphasis():
    assert Postcode("PR7 1DP").spoken() == "P R 7, 1 D P" and Postcode("PR7 1DP").web() == "PR7 1DP"
    assert Emphasis("Band C").web() == "**Band C**" and Emphasis("Band C").spoken() == "Band C"
    assert Day(None).spoken() == "not scheduled"


def test_parts_survive_the_trip_from_the_action_server_as_json():
    for part in (Reference("X1"), Money(1), Day(date(2026, 1, 2)), Link("u", "l", "p"), PhoneNumber("999"),
                 Words("web", "spoken")):
        assert part_from_json(part.as_json()) == part


def test_tell_sends_text_buttons_metadata_and_what_the_question_expects():
    dispatcher = Dispatcher()
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    tell(dispatcher, "Is {postcode} right?", postcode=Postcode("PR7 1DP"), buttons=buttons, expects="yes_no",
         metadata={"kept": 1})
    (message,) = dispatcher.messages
    assert message["text"] == "Is PR7 1DP right?" and message["buttons"] == buttons and message["kept"] == 1
    assert expects(message) == "yes_no" and spoken_text(message) == "Is P R 7, 1 D P right?"


def test_a_misspelt_field_fails_where_the_reply_is_written():
    with pytest.raises(ValueError):
        reply_message("Your reference is {refernce}.", reference=Reference("X"))


def test_text_without_parts_is_cleaned_for_the_phone():
    said = plain("Call **01257 515151** or use [the contact form](https://chorley.gov.uk/contact-us).\n"
                 "- Bring ID\n- See https://www.gov.uk/council-tax for more 😀")
    assert said == "Call 01257 515151 or use the contact form. Bring ID. See for more."
