"""Every reply the assistant can give, on every channel, is easy to read (issues 12 and 13): reading age
(Flesch-Kincaid grade + 5, with addresses, phone numbers, references and links taken out) has a median of at most 9
and none above 12. What is collected and how it is cleaned: tests/replies/readability.py.
"""
from __future__ import annotations

import statistics

import pytest
import yaml

from tests.replies import readability
from tests.replies.readability import MAX_LIMIT, MEDIAN_LIMIT, Reply, cleaned, reading_age


@pytest.fixture(scope="module")
def results():
    return readability.scored()


def test_the_median_reply_is_easy_to_read(results):
    median = statistics.median(s.reading_age for s in results)
    assert median <= MEDIAN_LIMIT, f"median reading age {median:.1f} is above {MEDIAN_LIMIT}"


def test_no_reply_is_hard_to_read(results):
    offenders = readability.hardest(results, above=MAX_LIMIT)
    assert not offenders, f"{len(offenders)} replies have a reading age above {MAX_LIMIT}:\n" + "\n".join(
        f"  {s.reading_age:.1f}  {s.reply.where}: {s.cleaned}" for s in offenders)


def test_every_source_of_replies_is_collected(results):
    """A source that silently found nothing (a moved file, a renamed helper) would make the figures look better."""
    sources = {s.reply.source for s in results}
    assert {"domain", "domain (phone)", "council answers", "council spoken answers", "actions",
            "phone line"} <= sources
    assert sum(s.reply.source == "actions" for s in results) >= 100


def test_a_caller_hears_a_scored_form_of_every_domain_response():
    responses = yaml.safe_load((readability.ROOT / "domain.yml").read_text())["responses"]
    collected = {r.text for r in readability.domain_replies()}
    for name, variants in responses.items():
        for text in readability.phone_form(variants):
            assert text in collected, name


def test_every_council_answer_and_its_spoken_form_is_collected():
    collected = {r.where for r in readability.council_replies()}
    for council in ("chorley", "south_ribble"):
        data = yaml.safe_load((readability.ROOT / "councils" / f"{council}.yml").read_text())
        for section in ("answers", "spoken_answers"):
            for key in data[section]:
                assert f"councils/{council}.yml {section}.{key}" in collected


def test_templates_inside_words_conditionals_and_variables_are_collected(tmp_path):
    """Words kept in a variable or a module constant first are replies too."""
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "example.py").write_text(
        "tell(dispatcher, 'Thank you. Your reference is {ref}.', ref=Words('the web words here', 'the spoken words here'))\n"
        "say(dispatcher, 'on the phone you hear this' if caller else 'on the web you read this')\n"
        "tell(dispatcher, f'Your bin day is {day} this week.', expects='postcode')\n"
        "LOCKED = 'This account is locked for now.'\n"
        "def goodbye(dispatcher, unfinished, opening):\n"
        "    note = ' I have sent nothing yet.' if unfinished else ''\n"
        "    tell(dispatcher, 'Goodbye.{note}', note=note)\n"
        "    tell(dispatcher, opening + ' Please keep this number.')\n"
        "    say(dispatcher, LOCKED)\n")
    texts = {r.text for r in readability.action_replies(tmp_path)}
    assert texts == {"Thank you. Your reference is {ref}.", "the web words here", "the spoken words here",
                     "on the phone you hear this", "on the web you read this", "Your bin day is {value} this week.",
                     "Goodbye.{note}", " I have sent nothing yet.", "", "{value} Please keep this number.",
                     "This account is locked for now."}


@pytest.mark.parametrize("text, words", [
    ("Call 01257 515151 or email contact@chorley.gov.uk.", "Call or email ."),
    ("See [the planning search](https://example.org/planning) for PR7 1DP.", "See the planning search for ."),
    ("Your reference is **CH-2024-0012**.", "Your reference is ."),
    ("Yes. {links}Your history stays.", "Yes. Your history stays."),
    ("Your bin day is {day}.", "Your bin day is it."),
    ("Visit us at the Civic Offices, Union Street, Chorley.", "Visit us at the Civic Offices, , Chorley."),
    ("Try [Learn My Way](https://www.learnmyway.com) today.", "Try Learn My Way today."),
])
def test_what_a_resident_copies_rather_than_reads_is_taken_out(text, words):
    assert cleaned(text) == words


def test_reading_age_is_the_grade_plus_five():
    import textstat
    text = "The bins are emptied on a Monday. Put them out by seven."
    assert reading_age(text) == pytest.approx(textstat.flesch_kincaid_grade(text) + 5)


def test_short_labels_are_not_scored():
    assert readability.scored([Reply("actions", "x", "Goodbye!"), Reply("actions", "y", "Yes please")]) == []
