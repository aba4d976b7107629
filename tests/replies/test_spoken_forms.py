"""No web-only text reaches a caller (issue 13): every domain response has a form a phone line can say, and the
actions describe their replies with replies.tell() so the phone channel can read them aloud.

A caller hears what the phone channel picks: a response's `channel: phone` variant if it has one, else its default
(Rasa 3.6's ResponseVariationFilter). That text must have no Markdown, no web address, no emoji, and none of the
words that only make sense on a screen. Actions are checked in the source: a message written straight into
`dispatcher.utter_message(text=...)` has no parts for the phone to read (replies/, docs/architecture.md).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PHONE_CHANNEL = "phone"  # the phone connector's name(): what Rasa matches `channel:` against

MARKDOWN = re.compile(r"\*\*|__|\]\(")
WEB_ADDRESS = re.compile(r"https?:|www\.", re.IGNORECASE)
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\uFE0F]")
SCREEN_WORDS = re.compile(r"\b(click\w*|tap\w*|type|typing|typed|the buttons? below|scroll\w*)\b", re.IGNORECASE)


def web_only(text: str) -> List[str]:
    """What in `text` a caller could not use: empty when it can be said on the phone."""
    found = []
    for name, pattern in (("Markdown", MARKDOWN), ("web address", WEB_ADDRESS), ("emoji", EMOJI),
                          ("screen word", SCREEN_WORDS)):
        found += [f"{name}: {match.group(0)!r}" for match in pattern.finditer(text)]
    return found


def responses() -> Dict[str, List[Dict[str, Any]]]:
    return yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]


def what_a_caller_hears(variants: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The variants Rasa chooses from on the phone channel (no response here has conditions)."""
    assert not any(v.get("condition") for v in variants), "conditional responses: extend this test to pick as Rasa does"
    phone = [v for v in variants if v.get("channel") == PHONE_CHANNEL]
    return phone or [v for v in variants if not v.get("channel")]


@pytest.mark.parametrize("name", sorted(responses()))
def test_every_domain_response_has_a_form_a_caller_can_hear(name):
    heard = what_a_caller_hears(responses()[name])
    assert heard, f"{name}: no variant for the phone channel or default"
    for variant in heard:
        said = [variant.get("text") or ""] + [button["title"] for button in variant.get("buttons") or []]
        problems = [problem for text in said for problem in web_only(text)]
        assert not problems, f"{name}: {problems} in {said}: add a `channel: phone` variant"


@pytest.mark.parametrize("name", sorted(responses()))
def test_the_web_chat_keeps_its_default_text(name):
    """A phone variant is added beside the default, never in its place: the web chat's words do not change."""
    defaults = [v for v in responses()[name] if not v.get("channel")]
    assert defaults and all(v.get("text") for v in defaults), name


def test_the_check_finds_what_a_caller_could_not_use():
    assert web_only("Click the button below or see **this** at https://x.example 😀") and not web_only(
        "Say or key in your mobile number, or say no.")


# -- actions: every message told through replies/ ---------------------------------------------------------------


def direct_texts(source: str) -> List[int]:
    """Lines where `utter_message` is given text itself (a `text=` or `template=` keyword, a positional argument, or
    `**{"text": ...}`), instead of `**reply_message(...)`'s or through replies.tell(). `response=` (a domain
    response, with its own phone variant) and `json_message=` are fine."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "utter_message"):
            continue
        named = {keyword.arg for keyword in node.keywords if keyword.arg}
        spread_text = any(
            keyword.arg is None and isinstance(keyword.value, ast.Dict)
            and any(isinstance(key, ast.Constant) and key.value == "text" for key in keyword.value.keys)
            for keyword in node.keywords)
        if node.args or named & {"text", "template"} or spread_text:
            lines.append(node.lineno)
    return lines


def test_no_action_writes_a_message_straight_into_utter_message():
    found = {}
    for path in sorted((ROOT / "actions").rglob("*.py")):
        lines = direct_texts(path.read_text())
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert not found, f"utter_message(text=...) instead of replies.tell(): {found}"


def test_the_source_check_tells_direct_text_from_replies():
    assert direct_texts('d.utter_message(text="Hi")\nd.utter_message("Hi")\nd.utter_message(**{"text": "Hi"})') == [
        1, 2, 3]
    assert direct_texts('d.utter_message(response="utter_x")\nd.utter_message(**reply_message("Hi"))\n'
                        'd.utter_message(json_message={"a": 1})\ntell(d, "Hi")') == []
