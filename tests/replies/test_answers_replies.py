"""Council answers (actions/answers/, councils/*.yml) as the web chat shows them and as a caller hears them."""
from __future__ import annotations

import re

import pytest

import councils
from actions.answers import configured, questions
from replies.speech import links, spoken_text
from replies.telling import reply_message
from tests.replies.area_helpers import Dispatcher, assert_fit_for_a_caller, run, tracker

TOPICS = sorted({topic for cid in councils.COUNCIL_IDS for topic in councils.load_council(cid)["answers"]})


@pytest.mark.parametrize("council", councils.COUNCIL_IDS)
@pytest.mark.parametrize("topic", TOPICS)
def test_every_answer_is_shown_as_written_and_said_without_markdown_or_web_addresses(council, topic):
    dispatcher = Dispatcher()
    run(questions.ActionAnswerQuestion().run(dispatcher, tracker({"council": council}, intent=topic), {}))
    (message,) = dispatcher.messages
    assert message["text"] == councils.load_council(council)["answers"][topic].strip()
    said = assert_fit_for_a_caller(message)
    assert not re.search(r"\b0\d{3,4} \d{6}\b", said), f"a phone number not read in groups: {said}"
    assert "gov.uk" not in said.replace("GOV.UK", ""), said
    assert "this chat" not in said


def test_links_in_an_answer_become_offers_to_text_the_page():
    dispatcher = Dispatcher()
    run(questions.ActionAnswerQuestion().run(dispatcher, tracker({"council": "chorley"}, intent="ask_benefits"), {}))
    (message,) = dispatcher.messages
    assert [link.label for link in links(message)] == ["GOV.UK", "benefits page", "cost of living page"]
    assert "on our benefits page and our cost of living page" in spoken_text(message)


def test_a_spoken_answer_from_the_council_file_is_what_a_caller_hears():
    dispatcher = Dispatcher()
    run(questions.ActionAnswerQuestion().run(
        dispatcher, tracker({"council": "south_ribble"}, intent="ask_opening_hours"), {}))
    (message,) = dispatcher.messages
    assert "[southribble.gov.uk](https://www.southribble.gov.uk)" in message["text"]
    assert spoken_text(message).endswith("The phone line, 0 1 7 7 2, 4 2 1, 4 9 1, is open at the same times. Many "
                                         "services are online all day, every day, on the council's website.")


@pytest.mark.parametrize("council", councils.COUNCIL_IDS)
def test_spoken_answers_are_plain_sentences_for_answers_that_exist(council):
    config = councils.load_council(council)
    for topic, spoken in (config.get("spoken_answers") or {}).items():
        assert topic in config["answers"], f"{council}: spoken answer for an unknown answer {topic}"
        assert not re.search(r"\*\*|\]\(|https?:|www\.|@", spoken), f"{council}.{topic}: {spoken}"


def test_mid_journey_both_councils_answer_each_named_by_its_council():
    dispatcher = Dispatcher()
    run(questions.ActionAnswerQuestion().run(
        dispatcher, tracker({}, intent="ask_recycling", active_loop={"name": "missed_bin_form"}), {}))
    chorley, south_ribble = dispatcher.messages
    assert chorley["text"].startswith("**Chorley Council**: In Chorley the **blue bin**")
    assert south_ribble["text"].startswith("**South Ribble Borough Council**: In South Ribble")
    assert spoken_text(chorley).startswith("Chorley Council: In Chorley the blue bin")
    for message in (chorley, south_ribble):
        assert_fit_for_a_caller(message)


def test_which_council_question():
    dispatcher = Dispatcher()
    run(questions.ActionAskCouncilForQuestion().run(dispatcher, tracker(), {}))
    (message,) = dispatcher.messages
    assert [b["title"] for b in message["buttons"]] == ["Chorley", "South Ribble"]
    assert_fit_for_a_caller(message)


def test_markdown_with_braces_and_bold_numbers_renders_exactly():
    text = "Call **01257 515151** or {see} the [page](https://x.example/a_b) at 0300 123 6780."
    template, values = configured.reply_from_markdown(text)
    message = reply_message(template, **values)
    assert message["text"] == text
    assert spoken_text(message) == "Call 0 1 2 5 7, 5 1 5, 1 5 1 or {see} the page at 0 3 0 0, 1 2 3, 6 7 8 0."


def test_a_link_is_offered_with_the_words_that_say_whose_page_it_is():
    text = ("You can report it on the county's [fault page](https://a.example/f). The [what goes where page]"
            "(https://a.example/w) has the list, and so does South Ribble's [bins search](https://a.example/b).")
    template, values = configured.reply_from_markdown(text)
    message = reply_message(template, **values)
    assert message["text"] == text
    assert [link.purpose for link in links(message)] == [
        "the county's fault page", "the what goes where page", "South Ribble's bins search"]
    assert spoken_text(message) == ("You can report it on the county's fault page. The what goes where page has the "
                                    "list, and so does South Ribble's bins search.")
