"""The urgent replies' wording and facts, without the stack: every kind, both councils, and the facts behind them.
(The conversations themselves, through Rasa and the action server, are in tests/conversations/test_urgent_help*.py.)
"""
from __future__ import annotations

import re

import pytest

import councils
from actions.safety.help_lines import (
    KIND_ORDER, housing_lines, main_lines, more_lines, twenty_four_hour_lines,
)
from actions.safety.support import clear_chat_answer
from actions.safety.urgent_help import CLOSING, PUT_ASIDE, first_reply

DANGER = ["danger", "suicide", "self_harm", "abuse", "child", "adult"]
NO_DANGER = ["homeless", "debt", "distress"]
COUNCILS = [None, *councils.COUNCIL_IDS]
MARKDOWN = re.compile(r"\*\*|__|\]\(|^#|^- ", re.MULTILINE)


@pytest.mark.parametrize("council", COUNCILS)
@pytest.mark.parametrize("kind", DANGER)
def test_when_a_life_may_be_at_risk_999_comes_first_and_once(kind, council):
    reply = first_reply([kind], council)
    assert "999" in reply.splitlines()[0]
    assert reply.count("999") == 1


@pytest.mark.parametrize("council", COUNCILS)
@pytest.mark.parametrize("kind", NO_DANGER)
def test_no_999_when_nothing_said_puts_a_life_at_risk(kind, council):
    assert "999" not in first_reply([kind], council)


@pytest.mark.parametrize("council", COUNCILS)
@pytest.mark.parametrize("kind", KIND_ORDER)
def test_first_replies_are_short_plain_and_kind(kind, council):
    kinds = ["abuse", "sexual"] if kind == "sexual" else [kind]
    reply = f"{first_reply(kinds, council)}\n{PUT_ASIDE} {CLOSING}"
    assert len(reply.split()) <= 100, (kind, len(reply.split()), reply)
    assert not MARKDOWN.search(reply), reply  # read the same in the web chat, over REST and on the phone
    assert re.search(r"sorry|thank you", reply, re.IGNORECASE), reply


def test_each_kind_gets_its_own_help_and_not_the_whole_list():
    national = {h["id"]: h["number"] for h in councils.national()["helplines"]}
    suicide = first_reply(["suicide"], "chorley")
    assert national["samaritans"] in suicide and national["domestic_abuse"] not in suicide
    abuse = first_reply(["abuse"], "chorley")
    assert national["domestic_abuse"] in abuse and national["shelter"] not in abuse
    assert national["rape_crisis"] in first_reply(["abuse", "sexual"], "chorley")
    debt = first_reply(["debt"], "chorley")
    assert national["stepchange"] in debt and national["domestic_abuse"] not in debt and national["shelter"] not in debt
    child = first_reply(["child"], None)
    assert councils.county()["children_social_care"]["out_of_hours"] in child and national["childline"] in child


@pytest.mark.parametrize("council_id", councils.COUNCIL_IDS)
def test_the_out_of_hours_housing_number_is_a_real_field_distinct_from_the_daytime_line(council_id):
    team = councils.load_council(council_id)["urgent_help"]["housing_options"]
    for key in ("daytime_phone", "daytime_hours", "emergency_out_of_hours_phone", "emergency_out_of_hours_hours",
                "emergency_out_of_hours_how"):
        assert isinstance(team.get(key), str) and team[key].strip(), key
    assert team["daytime_phone"] != team["emergency_out_of_hours_phone"]
    for key in ("phone", "hours", "out_of_hours_phone"):  # still there for the code that uses them
        assert team.get(key)
    sources = " ".join(s["fact"] for s in councils.load_council(council_id)["sources"])
    assert "daytime_phone" in sources and "emergency_out_of_hours_phone" in sources
    [line] = housing_lines(council_id)
    assert team["daytime_phone"] in line and team["emergency_out_of_hours_phone"] in line


def test_every_helpline_the_replies_name_has_its_facts_and_a_source():
    national = councils.national()
    ids = {h["id"] for h in national["helplines"]}
    used = {"samaritans", "shout", "domestic_abuse", "shelter", "nhs_111_mental_health", "rape_crisis",
            "mens_advice_line", "nspcc", "childline", "streetlink", "stepchange", "national_debtline",
            "police_non_emergency"}
    assert used <= ids, used - ids
    facts = " ".join(s["fact"] for s in national["sources"]).lower()
    for helpline in national["helplines"]:
        assert helpline["name"] and helpline["how"] and helpline["when"], helpline["id"]
        assert helpline["name"].split()[0].strip(",").lower() in facts, helpline["id"]


def test_out_of_hours_and_more_help_add_what_the_first_reply_did_not_say():
    assert any("when the offices are closed" in line for line in twenty_four_hour_lines(["homeless"], None))
    assert any("0808 2000 247" in line for line in twenty_four_hour_lines(["abuse"], "chorley"))
    first = main_lines(["suicide"], None)
    more = more_lines(["suicide"], None)
    assert more and not set(more) & set(first)


def test_clearing_the_chat_names_the_widgets_restart_only_on_the_web_chat():
    assert "Restart" in clear_chat_answer("webchat")
    assert "Restart" not in clear_chat_answer("rest") and "clear" in clear_chat_answer("rest")
