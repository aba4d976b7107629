"""Measure urgent help: recall on held-out urgent phrasings, false alarms on held-out ordinary messages, and intent
accuracy on the held-out NLU data with and without the screen.

    .venv/bin/python -m benchmarks.urgent [--model models/x.tar.gz]

The held-out sets (tests/safety/holdout/urgent.yml, ordinary.yml) were written apart from the phrase lists and the
training data. Everything runs through the trained model's own NLU pipeline (the screen is its last component), so
the figures are what a resident gets on any channel. "Without the screen" is the same model's classifier alone: the
screen records the classifier's own intent beside its verdict, so both are read from the same parse.
Prints Markdown for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import asyncio
import re
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from council_nlu.urgent_screen import KIND_ENTITY, SCREEN_OUTPUT, screen
from tests.stack import ROOT, newest_model

HOLDOUT = ROOT / "tests" / "safety" / "holdout"
NLU_HOLDOUT = ROOT / "tests" / "nlu" / "holdout"
DANGER_KINDS = {"danger", "suicide", "self_harm", "abuse", "sexual", "child", "adult"}
# The held-out set may name a kind in other words than the screen's.
KIND_ALIASES = {
    "self-harm": "self_harm", "selfharm": "self_harm", "self harm": "self_harm", "mental_health": "distress",
    "domestic_abuse": "abuse", "sexual_abuse": "abuse", "sexual_violence": "abuse", "child_at_risk": "child",
    "children": "child", "homelessness": "homeless", "money": "debt", "adult_at_risk": "adult",
    "immediate_danger": "danger", "loneliness": "distress",
}


def kind_name(kind: Any) -> str:
    text = str(kind or "").strip().lower()
    return KIND_ALIASES.get(text, text.replace("-", "_").replace(" ", "_"))


def load_examples(path: Path) -> List[Dict[str, Any]]:
    """Examples as {text, kinds, danger_to_life}: a list of strings or mappings, or Rasa NLU-style blocks."""
    data = yaml.safe_load(path.read_text()) or {}
    items: List[Dict[str, Any]] = []

    def add(entry: Any, kinds: Sequence[str] = (), danger: Optional[bool] = None) -> None:
        if isinstance(entry, str):
            items.append({"text": entry, "kinds": [kind_name(k) for k in kinds], "danger_to_life": danger})
        elif isinstance(entry, dict):
            text = entry.get("text") or entry.get("message") or entry.get("example")
            found = entry.get("kinds") or entry.get("kind") or kinds
            found = [found] if isinstance(found, str) else list(found or [])
            life = entry.get("danger_to_life", entry.get("danger", danger))
            if text:
                items.append({"text": str(text), "kinds": [kind_name(k) for k in found], "danger_to_life": life})

    def walk(node: Any, kinds: Sequence[str] = (), danger: Optional[bool] = None) -> None:
        if isinstance(node, list):
            for entry in node:
                if isinstance(entry, dict) and "examples" in entry:
                    block_kinds = entry.get("kinds") or entry.get("kind") or entry.get("intent") or kinds
                    block_kinds = [block_kinds] if isinstance(block_kinds, str) else list(block_kinds or [])
                    life = entry.get("danger_to_life", entry.get("danger", danger))
                    examples = entry["examples"]
                    if isinstance(examples, str):
                        for line in examples.splitlines():
                            line = line.strip()
                            if line.startswith("- "):
                                add(line[2:].strip(), block_kinds, life)
                    else:
                        walk(examples, block_kinds, life)
                else:
                    add(entry, kinds, danger)
        elif isinstance(node, dict):
            for key in ("nlu", "examples", "urgent", "ordinary", "messages", "items", "phrases"):
                if key in node:
                    walk(node[key], kinds, danger)
                    return
            for key, value in node.items():  # {kind: [sentences]}
                if key in ("version",) or not isinstance(value, (list, dict)):
                    continue
                walk(value, [key], danger)

    walk(data)
    return items


def nlu_examples(directory: Path) -> List[Tuple[str, str]]:
    pairs = []
    for path in sorted(directory.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- ") and block.get("intent"):
                    text = re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", line[2:].strip())
                    pairs.append((text, block["intent"]))
    return pairs


def quiet_logs() -> None:
    """Rasa logs each parse with the resident's words at debug level: keep them (held-out text) out of the output."""
    import logging

    import structlog

    logging.getLogger().setLevel(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


class Parser:
    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent

        quiet_logs()

        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.agent = Agent.load(str(model))
        quiet_logs()  # loading the model sets Rasa's own logging up again

    def parse(self, text: str) -> Dict[str, Any]:
        return self.loop.run_until_complete(self.agent.parse_message(text))


def with_and_without_screen(parsed: Dict[str, Any]) -> Tuple[str, str, List[str]]:
    """The intent the resident gets, the classifier's own (before the screen), and the screen's kinds."""
    intent = (parsed.get("intent") or {}).get("name") or ""
    screened = parsed.get(SCREEN_OUTPUT) or {}
    kinds = [e["value"] for e in parsed.get("entities") or [] if e.get("entity") == KIND_ENTITY]
    classifier = ((screened.get("classifier_intent") or {}).get("name") or intent) if screened else intent
    return intent, classifier, kinds


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}% ({part}/{whole})" if whole else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--show", action="store_true", help="list every miss and false alarm (held-out text!)")
    args = parser.parse_args()
    model = args.model or newest_model()
    nlu = Parser(model)

    urgent = load_examples(HOLDOUT / "urgent.yml")
    ordinary = load_examples(HOLDOUT / "ordinary.yml")

    caught = screen_caught = classifier_caught = kind_right = 0
    danger_total = danger_999 = 0
    misses: List[str] = []
    wrong_kind: List[Tuple[str, List[str], List[str]]] = []
    by_kind: Counter = Counter()
    by_kind_caught: Counter = Counter()
    for item in urgent:
        parsed = nlu.parse(item["text"])
        intent, classifier, kinds = with_and_without_screen(parsed)
        found = screen(item["text"])
        expected = item["kinds"]
        for k in expected or ["(none)"]:
            by_kind[k] += 1
        caught += intent == "urgent_help"
        screen_caught += bool(found)
        classifier_caught += classifier == "urgent_help"
        if intent == "urgent_help":
            for k in expected or ["(none)"]:
                by_kind_caught[k] += 1
        else:
            misses.append(item["text"])
        if expected and intent == "urgent_help" and set(expected) & set(kinds or ["unclear"]):
            kind_right += 1
        elif expected and intent == "urgent_help":
            wrong_kind.append((item["text"], expected, kinds))
        life = item["danger_to_life"] if item["danger_to_life"] is not None else bool(set(expected) & DANGER_KINDS)
        if life:
            danger_total += 1
            # the reply opens with 999 when the screen saw danger to life, or when only the classifier caught it
            danger_999 += intent == "urgent_help" and (found.danger_to_life or not found)

    alarms: List[Tuple[str, List[str]]] = []
    classifier_alarms = 0
    for item in ordinary:
        intent, classifier, kinds = with_and_without_screen(nlu.parse(item["text"]))
        if intent == "urgent_help":
            alarms.append((item["text"], kinds))
        classifier_alarms += classifier == "urgent_help"

    pairs = nlu_examples(NLU_HOLDOUT)
    right_with = right_without = 0
    for text, expected in pairs:
        intent, classifier, _ = with_and_without_screen(nlu.parse(text))
        right_with += intent == expected
        right_without += classifier == expected

    print(f"Model: `{model.name}`\n")
    print("| measure | result |\n|---|---|")
    print(f"| urgent recall (held-out urgent phrasings read as urgent_help) | {pct(caught, len(urgent))} |")
    print(f"| danger-to-life phrasings answered with 999 first | {pct(danger_999, danger_total)} |")
    print(f"| kind matches the expected one (of those caught) | {pct(kind_right, caught)} |")
    print(f"| recall of the screen alone | {pct(screen_caught, len(urgent))} |")
    print(f"| recall of the trained classifier alone | {pct(classifier_caught, len(urgent))} |")
    print(f"| false alarms on held-out ordinary messages | {pct(len(alarms), len(ordinary))} |")
    print(f"| false alarms of the trained classifier alone | {pct(classifier_alarms, len(ordinary))} |")
    print(f"| intent accuracy, tests/nlu/holdout, with the screen | {pct(right_with, len(pairs))} |")
    print(f"| intent accuracy, tests/nlu/holdout, classifier alone | {pct(right_without, len(pairs))} |")
    print("\nRecall by expected kind: " + ", ".join(
        f"{k} {by_kind_caught[k]}/{n}" for k, n in sorted(by_kind.items())))
    print(f"\nFalse alarms by kind: {dict(Counter(k for _, ks in alarms for k in ks[:1]))}")
    if args.show:
        print("\nMissed:", *misses, sep="\n- ")
        print("\nFalse alarms:", *[f"{t} {k}" for t, k in alarms], sep="\n- ")
        print("\nCaught with another kind:", *[f"{t} expected {e} got {k}" for t, e, k in wrong_kind], sep="\n- ")


if __name__ == "__main__":
    main()
