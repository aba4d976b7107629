"""The NLU gate: intent macro F1 and entity F1 on held-out examples written apart from the training data.

The thresholds are recorded here and in BENCHMARKS.md; raise them as the data improves, never lower them to pass.
"""
from __future__ import annotations

import json
import subprocess
import sys

from tests.stack import RASA, ROOT, newest_model

MACRO_F1_THRESHOLD = 0.85
LABEL_F1_FLOOR = 0.6  # no single label may be this bad, whatever the average
# Entities as the assistant sees them after every extractor (tests/nlu/scoring.py): type, start and end must match.
ENTITY_F1_THRESHOLDS = {"postcode": 0.95, "bin_type": 0.95, "reference": 0.95}


def test_intent_f1_on_held_out_data(tmp_path):
    result = subprocess.run(
        [RASA, "test", "nlu", "--model", str(newest_model()), "--nlu", "tests/nlu/holdout",
         "--out", str(tmp_path), "--no-plot"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "intent_report.json").read_text())
    macro = report["macro avg"]["f1-score"]
    weak = {
        label: round(scores["f1-score"], 2)
        for label, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and label not in ("macro avg", "weighted avg", "micro avg")
        and scores["f1-score"] < LABEL_F1_FLOOR
    }
    assert macro >= MACRO_F1_THRESHOLD, f"macro F1 {macro:.3f} < {MACRO_F1_THRESHOLD}"
    assert not weak, f"labels below {LABEL_F1_FLOOR}: {weak}"


def test_entity_f1_on_held_out_data():
    result = subprocess.run(
        [sys.executable, "-m", "tests.nlu.scoring", "--model", str(newest_model()), "--nlu", "tests/nlu/holdout"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    entities = json.loads(result.stdout)["entities"]
    below = {
        kind: round(entities[kind]["f1"], 3) for kind, threshold in ENTITY_F1_THRESHOLDS.items()
        if entities[kind]["f1"] < threshold
    }
    assert not below, f"entity F1 below {ENTITY_F1_THRESHOLDS}: {below}"
