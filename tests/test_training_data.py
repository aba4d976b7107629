"""The training data is valid, covers the contract, and stays safe for trainers to change."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.stack import RASA, ROOT

CONTRACT = (ROOT.parent / "shared" / "contract.md")
def contract_labels() -> set:
    if not CONTRACT.exists():
        pytest.skip("shared/contract.md is not beside this checkout")
    section = CONTRACT.read_text().split("## 2.")[0]
    return {m.group(1) for m in re.finditer(r"^\| ([a-z_]+) \|", section, re.M)} - {"label", "entity"}


def examples_by_intent(folder: Path) -> dict:
    counts: dict = {}
    for path in folder.rglob("*.yml"):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            if "intent" in block:
                lines = [l[2:].strip() for l in block["examples"].splitlines() if l.strip().startswith("- ")]
                counts.setdefault(block["intent"], []).extend(lines)
    return counts


def plain(example: str) -> str:
    """The text of an annotated example: "[blue bin](bin_type)" -> "blue bin"."""
    return re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", example).lower().strip()


def utterances_used_outside_stories() -> set:
    """Responses that forms ask with (utter_ask_<slot>) or that actions send: Rasa's validator can't see these."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    slots = {slot for form in domain["forms"].values() for slot in form["required_slots"]}
    asked = {f"utter_ask_{slot}" for slot in slots}
    asked |= {f"utter_ask_{name}_{slot}" for name, form in domain["forms"].items() for slot in form["required_slots"]}
    sent = set()
    for path in (ROOT / "actions").rglob("*.py"):
        sent |= set(re.findall(r'response="(utter_[a-z_]+)"', path.read_text()))
    return asked | sent


# Intents only the staff console triggers (docs/handover.md): no NLU examples on purpose, so that nothing a resident
# writes is ever read as one; Rasa's warning about their missing examples is expected.
CONSOLE_INTENTS = ("handover_returned", "handover_timed_out", "handover_closed")


def test_rasa_data_validate_is_clean():
    result = subprocess.run(
        [RASA, "data", "validate"], cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    unused = set(re.findall(r"The utterance '(utter_[a-z_]+)' is not used", output))
    assert unused - utterances_used_outside_stories() == set()
    other_warnings = [
        line for line in output.splitlines()
        if "UserWarning" in line and "is not used in any story or rule" not in line and "rasa/" in line
        and not any(f"intent '{name}' is listed in the domain file, but is not found in the NLU" in line
                    for name in CONSOLE_INTENTS)
    ]
    assert not other_warnings, other_warnings


def test_every_contract_label_and_entity_is_in_the_domain():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    labels = contract_labels()
    entities = {"postcode", "bin_type", "reference"}
    assert labels - set(domain["intents"]) - entities == set()
    assert entities <= set(domain["entities"])


def test_every_label_has_at_least_twenty_varied_examples():
    counts = examples_by_intent(ROOT / "data" / "nlu")
    for label in contract_labels() - {"postcode", "bin_type", "reference"}:
        examples = {plain(e) for e in counts.get(label, [])}
        assert len(examples) >= 20, f"{label} has only {len(examples)} distinct examples"


def test_held_out_examples_are_not_in_the_training_data():
    training = {plain(e) for examples in examples_by_intent(ROOT / "data" / "nlu").values() for e in examples}
    held_out = {plain(e) for examples in examples_by_intent(ROOT / "tests" / "nlu" / "holdout").values() for e in examples}
    assert not (training & held_out), sorted(training & held_out)[:10]


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def test_no_card_numbers_in_training_or_test_data():
    for path in list((ROOT / "data").rglob("*.yml")) + list((ROOT / "tests").rglob("*.yml")):
        for number in re.findall(r"(?:\d[ -]?){13,19}", path.read_text()):
            digits = re.sub(r"\D", "", number)
            assert not luhn_valid(digits), f"{path}: a card-like number {number!r}"


def test_every_journey_resumes_after_every_interruption():
    """The resume rules are generated (scripts/generate_resume_rules.py), so a new journey or interruption can't be
    forgotten in one place: the file must be what the generator writes, and cover every form the domain has."""
    from scripts.generate_resume_rules import JOURNEY_FORMS, NOT_JOURNEYS, RULES_FILE, generated

    assert RULES_FILE.read_text() == generated(), "run: .venv/bin/python scripts/generate_resume_rules.py"
    domain_forms = set(yaml.safe_load((ROOT / "domain.yml").read_text()).get("forms") or {})
    journeys = domain_forms - set(NOT_JOURNEYS)
    assert journeys <= set(JOURNEY_FORMS), f"add to JOURNEY_FORMS: {sorted(journeys - set(JOURNEY_FORMS))}"


def test_test_stories_pass_with_no_prediction_errors(tmp_path):
    from tests.stack import newest_model

    result = subprocess.run(
        [RASA, "test", "core", "--model", str(newest_model()), "--stories", "tests/stories",
         "--fail-on-prediction-errors", "--out", str(tmp_path), "--no-plot"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    failed = (tmp_path / "failed_test_stories.yml")
    detail = failed.read_text()[:4000] if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, detail
