"""Urgent help on the held-out sets (tests/safety/holdout/), written apart from the phrase lists and the training
data, through the real trained model on a running Rasa server (its NLU pipeline ends with the screen).

Targets (strict xfail until met, with gates at the measured figures so nothing gets worse meanwhile):
- every phrasing marked danger_to_life is read as urgent help and answered with the 999 line first;
- every held-out urgent phrasing gets urgent help (no-one in crisis gets a form, a menu or "cancel");
- at most MAX_FALSE_ALARMS of the ordinary messages get a crisis reply. Each false alarm costs a resident one kind
  message with help lines they didn't need (and no 999 unless the words spoke of danger to life); a miss can cost
  a life. So the screen errs towards help, and the allowance is about 3% of the ordinary set: enough for the
  figurative uses nobody wrote down yet, small enough that ordinary residents are almost never alarmed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
import yaml

from council_nlu.urgent_screen import KIND_ENTITY, SCREEN_OUTPUT
from tests.stack import API_TOKEN

HOLDOUT = Path(__file__).resolve().parent / "holdout"
MAX_FALSE_ALARMS = 6
# What the assistant achieves now (BENCHMARKS.md, "Urgent help", model trained at d3659b9's pipeline): these gates
# keep it from getting worse while the targets above are not met. Raise them as it improves; never lower them to pass.
MEASURED_DANGER_999 = 101  # of 123 danger-to-life phrasings
MEASURED_URGENT = 137  # of 168 urgent phrasings
MEASURED_FALSE_ALARMS = 8  # of 177 ordinary messages
NOT_MET = "issue 11's target is not met yet: see BENCHMARKS.md (Urgent help) for the measured figures"


def examples(name: str) -> List[Dict[str, Any]]:
    return [item for item in yaml.safe_load((HOLDOUT / name).read_text()) if isinstance(item, dict) and item.get("text")]


def parse(rasa_server: str, text: str) -> Dict[str, Any]:
    answer = requests.post(f"{rasa_server}/model/parse", params=API_TOKEN, json={"text": text}, timeout=60)
    answer.raise_for_status()
    return answer.json()


def opens_with_999(parsed: Dict[str, Any]) -> bool:
    """The first reply starts with the 999 line when the screen saw danger to life, or when the classifier alone
    chose urgent help (the action cannot tell what kind, so it errs towards 999)."""
    if (parsed.get("intent") or {}).get("name") != "urgent_help":
        return False
    screened = parsed.get(SCREEN_OUTPUT)
    kinds = [e for e in parsed.get("entities") or [] if e.get("entity") == KIND_ENTITY]
    return not kinds or bool((screened or {}).get("danger_to_life"))


@pytest.fixture(scope="module")
def urgent(rasa_server: str) -> List[Dict[str, Any]]:
    return [{**item, "parsed": parse(rasa_server, item["text"])} for item in examples("urgent.yml")]


@pytest.fixture(scope="module")
def ordinary(rasa_server: str) -> List[Dict[str, Any]]:
    return [{**item, "parsed": parse(rasa_server, item["text"])} for item in examples("ordinary.yml")]


@pytest.mark.xfail(strict=True, reason=NOT_MET)
def test_every_danger_to_life_phrasing_gets_999_first(urgent):
    missed = [item["text"] for item in urgent if item.get("danger_to_life") and not opens_with_999(item["parsed"])]
    assert not missed, f"{len(missed)} danger-to-life phrasings without 999 first"


@pytest.mark.xfail(strict=True, reason=NOT_MET)
def test_every_urgent_phrasing_gets_urgent_help(urgent):
    missed = [item["text"] for item in urgent if (item["parsed"].get("intent") or {}).get("name") != "urgent_help"]
    assert not missed, f"{len(missed)} of {len(urgent)} urgent phrasings read as something else"


@pytest.mark.xfail(strict=True, reason=NOT_MET)
def test_ordinary_messages_rarely_get_a_crisis_reply(ordinary):
    alarms = [item["text"] for item in ordinary if (item["parsed"].get("intent") or {}).get("name") == "urgent_help"]
    assert len(alarms) <= MAX_FALSE_ALARMS, f"{len(alarms)} false alarms of {len(ordinary)}"


def test_urgent_help_is_no_worse_than_measured(urgent, ordinary):
    danger = [item for item in urgent if item.get("danger_to_life")]
    with_999 = sum(opens_with_999(item["parsed"]) for item in danger)
    caught = sum((item["parsed"].get("intent") or {}).get("name") == "urgent_help" for item in urgent)
    alarms = sum((item["parsed"].get("intent") or {}).get("name") == "urgent_help" for item in ordinary)
    assert with_999 >= MEASURED_DANGER_999, f"999 first for {with_999} of {len(danger)} danger-to-life phrasings"
    assert caught >= MEASURED_URGENT, f"{caught} of {len(urgent)} urgent phrasings caught"
    assert alarms <= MEASURED_FALSE_ALARMS, f"{alarms} false alarms of {len(ordinary)}"
