"""A report's progress goes to the resident who made it, or to someone who knows the postcode of the place; nobody
is told where a report is, and a stranger can't tell a wrong postcode from a reference that doesn't exist."""
from __future__ import annotations

import re

from tests.conversations.helpers import address_button, home, open311_request, reference_in
from tests.stack import Conversation

WRONG_POSTCODE = "PR25 2AX"  # a real postcode in the area, not the report's


def report_missed_bin(conversation, house) -> str:
    conversation.say("my blue bin wasnt emptied yesterday")
    conversation.say(house["postcode"])
    conversation.press(address_button(house["address"]))
    conversation.say("yes")
    reference = reference_in(conversation.text())
    assert reference, conversation.text()
    return reference


def street_of(house) -> str:
    return house["address"].split(",")[0]  # "12 Market Street"


def neutral(text: str, reference: str) -> str:
    """The answer with the reference taken out, to compare two answers about different references."""
    return text.replace(reference, "REP-XXXXXX")


def test_the_reporter_hears_at_once_in_their_own_conversation(conversation, sandbox):
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=31)
    reference = report_missed_bin(conversation, house)
    conversation.say(f"any news on {reference}")
    said = conversation.text()
    assert "postcode" not in said.lower(), said
    assert reference in said and "open" in said.lower(), said
    assert street_of(house) not in said and house["postcode"] not in said, said


def test_a_stranger_gives_the_postcode_and_never_hears_the_address(conversation, rasa_server, sandbox):
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=32)
    reference = report_missed_bin(conversation, house)
    assert open311_request(sandbox.url, reference)["address"]  # the report does have an address to keep back

    stranger = Conversation(rasa_server)
    stranger.say(f"any news on {reference}")
    asked = stranger.text()
    assert "postcode" in asked.lower() and street_of(house) not in asked, asked

    stranger.say(WRONG_POSTCODE)
    wrong = stranger.text()
    assert "can't find" in wrong.lower() and street_of(house) not in wrong and "open" not in wrong.lower(), wrong

    # A wrong postcode is answered exactly as a reference that doesn't exist.
    other = Conversation(rasa_server)
    other.say("any news on REP-999998")
    other.say(WRONG_POSTCODE)
    assert neutral(other.text(), "REP-999998") == neutral(wrong, reference)

    stranger.press("another reference")
    stranger.say(reference)
    stranger.say(house["postcode"].lower().replace(" ", ""))
    said = stranger.text()
    assert reference in said and "open" in said.lower(), said
    assert street_of(house) not in said and house["postcode"] not in said, said


def test_three_failed_checks_and_the_conversation_checks_no_more(conversation, rasa_server, sandbox):
    house = home(sandbox.url, "ok", "recycling", "chorley", skip=33)
    reference = report_missed_bin(conversation, house)

    stranger = Conversation(rasa_server)
    for guess in ("REP-999997", "REP-999996", reference):
        stranger.say(f"any news on {guess}")
        stranger.say(WRONG_POSTCODE)
        assert "can't find" in stranger.text().lower(), stranger.text()
    assert "can't check any more" in stranger.text().lower()

    stranger.say(f"any news on {reference}")
    said = stranger.text()
    assert "can't check any more" in said.lower() and "postcode" not in said.lower(), said
    stranger.say(house["postcode"])  # the right postcode, too late
    said = stranger.text()
    assert "open" not in said.lower() and street_of(house) not in said, said
    # The reporter still hears about their own report.
    conversation.say(f"any news on {reference}")
    assert "open" in conversation.text().lower(), conversation.text()


# -- what residents type is never echoed back as a link or formatting ------------------------------------------------

LINK = "[click here](https://evil.example)"


def linkable(text: str) -> list:
    """Anything in `text` that the web chat (or a Markdown renderer) would turn into a link or formatting."""
    return re.findall(r"\]\(|https?://|<\s*https?:|\*\*|`", text)


def test_a_markdown_link_in_a_report_comes_back_as_plain_text(conversation):
    conversation.say("my neighbours play loud music every night")
    conversation.say(f"behind the shops on Towngate, Leyland {LINK}")
    for _ in range(4):  # the service's questions: a choice, or words
        buttons = conversation.buttons()
        if "updates" in conversation.text().lower():
            break
        if buttons:
            conversation.press(buttons[0]["title"])
        else:
            conversation.say(f"every night, see {LINK} and <https://evil.example/x> **now** `code`")
    conversation.say("no thanks")
    summary = conversation.text()
    assert "send it" in summary.lower() and "click here" in summary and "evil.example" in summary, summary
    # Only the bot's own wording may be bold; nothing the resident typed may link or format.
    resident_part = summary.split("- Where:", 1)[1].split("Shall I send it")[0]
    assert linkable(resident_part) == [] and "now" in resident_part, resident_part


def test_a_link_typed_as_a_postcode_is_not_echoed_as_a_link(conversation):
    conversation.say("when is my bin day")
    conversation.say(LINK)
    said = conversation.text()
    assert "isn't a postcode" in said and "click here" in said, said
    assert linkable(said) == [], said
