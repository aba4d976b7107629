"""Reporting replies (actions/reporting/) as the web chat shows them and as a caller hears them.

Each test calls the code that builds the messages and checks that a caller hears no Markdown and no web address,
with references spelt out, while the web chat keeps its words.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from actions.clients import Attribute, Rejected, ServiceDefinition, ServiceRequest, ServiceUnavailable
from actions.clients.open311 import SubmittedRequest
from actions.reporting import county, missed_bin, outcome, problem_report, report_status
from replies.speech import expects, spoken_text
from tests.replies.area_helpers import Dispatcher, assert_fit_for_a_caller, run, tracker

FLYTIPPING = ServiceDefinition("flytipping", [
    Attribute("waste_type", "singlevaluelist", True, 1,
              "What has been dumped? For example household bags, furniture, rubble or tyres.",
              [("household_bags", "Household bags"), ("furniture", "Furniture or mattresses")]),
    Attribute("amount", "singlevaluelist", True, 2, "Roughly how much is there? One or two bags, or more?",
              [("one_or_two_bags", "One or two bags"), ("car_boot", "A car boot load")]),
    Attribute("colour_of_bags", "string", False, 3, "What colour are the bags? For example black.", []),
])


def test_a_sent_report_gives_its_reference_spelt_out_and_thanks_once():
    dispatcher = Dispatcher()
    notice = "Thank you. Our street scene team aims to clear it by the end of Friday 4 December."
    outcome.report_sent(dispatcher, "fly-tipping", SubmittedRequest("REP-100017", notice))
    (message,) = dispatcher.messages
    assert message["text"] == (
        "Thank you. I've reported fly-tipping. Your reference is **REP-100017**. Our street scene team aims to "
        "clear it by the end of Friday 4 December.\nTo check on it later, ask me about REP-100017.")
    assert message["reported_reference"] == "REP-100017"  # the marker report_access.py reads back
    said = assert_fit_for_a_caller(message)
    assert "R E P, 1 0 0, 0 1 7" in said and said.count("Thank you") == 1


def test_a_sent_report_without_a_reference_yet():
    dispatcher = Dispatcher()
    outcome.report_sent(dispatcher, "your missed green bin", SubmittedRequest(None, "Thank you! We'll be there."))
    (message,) = dispatcher.messages
    assert message["text"].count("Thank you") == 1 and "None" not in message["text"]
    assert_fit_for_a_caller(message)


@pytest.mark.parametrize("error", [ServiceUnavailable("open311"), ServiceUnavailable("open311", maybe_processed=True),
                                   Rejected("open311", status=400, description="That place is not ours.")])
def test_a_failed_report_gives_its_details_and_the_council_without_web_addresses(error):
    dispatcher = Dispatcher()
    outcome.report_failed(dispatcher, error, "fly-tipping at the alley behind Hough Lane", "chorley")
    (message,) = dispatcher.messages
    assert "[the contact form](https://" in message["text"]  # the web chat still links the contact form
    said = assert_fit_for_a_caller(message)
    assert "0 1 2 5 7, 5 1 5, 1 5 1" in said


@pytest.mark.parametrize("maybe_sent, contact", [(True, None), (False, "sam@example.com"), (False, "07700900123")])
def test_a_kept_report_spells_out_its_submission_number(maybe_sent, contact):
    dispatcher = Dispatcher()
    outcome.report_kept(dispatcher, "fly-tipping", "SUB-UZM5ETBLDM", maybe_sent, contact)
    (message,) = dispatcher.messages
    assert "**SUB-UZM5ETBLDM**" in message["text"] and message["kept_submission"] == "SUB-UZM5ETBLDM"
    assert "S U B, U Z M, 5, E T B L D M" in assert_fit_for_a_caller(message)


def test_the_missed_bin_summary_and_its_question():
    slots = {"council": "chorley", "bin_stream": "recycling", "address": "12 Market Street, Chorley, PR7 1DP",
             "missed_collection_date": "2026-11-24"}
    dispatcher = Dispatcher()
    run(missed_bin.ActionAskMissedBinConfirmed().run(dispatcher, tracker(slots), {}))
    (message,) = dispatcher.messages
    assert message["text"] == ("To check: your **blue bin** at **12 Market Street, Chorley, PR7 1DP** was not emptied "
                               "on Tuesday 24 November. Shall I report it?")
    assert [b["title"] for b in message["buttons"]] == ["Yes, report it", "No, change something", "Cancel"]
    assert expects(message) == "yes_no"
    assert "Tuesday the 24th of November" in assert_fit_for_a_caller(message)


def test_the_problem_report_summary_labels_each_detail_with_a_short_noun(monkeypatch):
    async def definition(_tracker):
        return FLYTIPPING

    monkeypatch.setattr(problem_report, "definition", definition)
    slots = {"report_service": "flytipping", "report_location": "the alley behind Hough Lane, Leyland",
             "report_answers": {"waste_type": "household_bags", "amount": "car_boot", "colour_of_bags": "black"},
             "report_contact": "07700900123"}
    dispatcher = Dispatcher()
    run(problem_report.ActionAskReportConfirmed().run(dispatcher, tracker(slots), {}))
    (message,) = dispatcher.messages
    assert message["text"] == (
        "Here's your report:\n- What: fly-tipping\n- Where: the alley behind Hough Lane, Leyland\n"
        "- What was dumped: Household bags\n- How much: A car boot load\n- What colour are the bags: black\n"
        "- Updates to: 07700900123\nShall I send it to the council?")
    said = assert_fit_for_a_caller(message)
    assert "For example" not in said and "What was dumped: Household bags." in said
    assert "0 7 7, 0 0 9, 0 0 1, 2 3" in said and expects(message) == "yes_no"


def test_each_question_of_a_report_says_what_it_expects(monkeypatch):
    async def definition(_tracker):
        return FLYTIPPING

    monkeypatch.setattr(problem_report, "definition", definition)
    for answers, wanted in (({}, "choice"), ({"waste_type": "tyres", "amount": "car_boot"}, "description")):
        dispatcher = Dispatcher()
        run(problem_report.ActionAskAttributeAnswer().run(
            dispatcher, tracker({"report_service": "flytipping", "report_answers": answers}), {}))
        (message,) = dispatcher.messages
        assert expects(message) == (wanted or "")
        assert_fit_for_a_caller(message)


def test_report_status_reads_dates_and_references_for_a_caller():
    report = ServiceRequest("REP-100017", "open", "Crew booked.", "Fly-tipping", "flytipping", None, None, None,
                            datetime(2026, 11, 30, 9), None, datetime(2026, 12, 4, 17), None, None, None, None, None,
                            None)
    template, values = report_status.status_reply(report)
    dispatcher = Dispatcher()
    report_status.tell(dispatcher, template, **values)
    (message,) = dispatcher.messages
    assert message["text"] == ("Report REP-100017 (Fly-tipping) is **open**: we're working on it.\n"
                               "Reported on Monday 30 November.\nLatest update: Crew booked.\n"
                               "We expect to deal with it by Friday 4 December.")
    said = assert_fit_for_a_caller(message)
    assert "R E P, 1 0 0, 0 1 7" in said and "Friday the 4th of December" in said


@pytest.mark.parametrize("failed_before", [0, 2])
def test_a_report_not_found_is_said_without_web_addresses(failed_before):
    events = [{"event": "bot", "text": "x", "metadata": {"report_check_failed": True}}] * failed_before
    dispatcher = Dispatcher()
    report_status.not_found(dispatcher, tracker({"council": "south_ribble"}, events=events), "REP-123456", True)
    (message,) = dispatcher.messages
    assert message["report_check_failed"] is True
    assert "R E P, 1 2 3, 4 5 6" in assert_fit_for_a_caller(message)


def test_a_wrong_postcode_or_reference_is_explained_without_the_example_the_question_then_gives():
    form = report_status.ValidateReportStatusForm()
    dispatcher = Dispatcher()
    run(form.validate_postcode("banana", dispatcher, tracker(), {}))
    run(form.validate_report_reference("banana", dispatcher, tracker(), {}))
    postcode, reference = dispatcher.messages
    assert postcode["text"] == "That doesn't look like a postcode." and expects(postcode) == "postcode"
    assert reference["text"] == ("That doesn't look like a report reference. You'll find yours in the message we "
                                 "gave you when you reported it.")
    assert expects(reference) == "reference"
    for message in dispatcher.messages:
        assert_fit_for_a_caller(message)


def test_a_wrong_place_or_contact_is_explained_without_repeating_the_question(monkeypatch):
    form = problem_report.ValidateProblemReportForm()
    dispatcher = Dispatcher()
    run(form.validate_report_location("here", dispatcher, tracker(), {}))
    run(form.validate_report_contact("bob@@example", dispatcher, tracker(), {}))
    place, contact = dispatcher.messages
    assert "Hough Lane" not in place["text"] and expects(place) == "description"
    assert "say “no”" not in contact["text"] and expects(contact) == "email_or_phone"


@pytest.mark.parametrize("intent", ["report_pothole", "report_street_light"])
def test_county_answers_group_phone_numbers_and_say_links_by_their_words(intent):
    dispatcher = Dispatcher()
    run(county.ActionCountyReferral().run(dispatcher, tracker(intent=intent), {}))
    (message,) = dispatcher.messages
    assert "](https://www.lancashire.gov.uk/" in message["text"]
    said = assert_fit_for_a_caller(message)
    assert "0 3 0 0, 1 2 3, 6 7 8 0" in said and "0300 123 6780" not in said
    assert spoken_text(message).count("page") >= 1


def test_a_bin_already_reported_is_named_once_and_its_reference_spelt_out_on_the_phone():
    from types import SimpleNamespace

    from actions.reporting.missed_bin import _not_eligible
    from replies.speech import spoken_text
    from replies.telling import reply_message

    check = SimpleNamespace(existing_reference="REP-733633", message=(
        "Your blue bin due on Monday 1 December has already been reported as missed, reference REP-733633."))
    template, values = _not_eligible(check, SimpleNamespace(name="blue bin"))
    message = reply_message(template, **values)
    assert message["text"] == check.message
    assert spoken_text(message).endswith("reference R E P, 7 3 3, 6 3 3.")
