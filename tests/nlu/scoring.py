"""Held-out scores of a trained model, as the assistant sees them: intent macro F1 and entity F1 per entity.

    .venv/bin/python -m tests.nlu.scoring [--model models/x.tar.gz] [--nlu tests/nlu/holdout]

Intents are scored as `rasa test nlu` scores them (an nlu_fallback is undone to the intent below it; macro F1 over
every label seen in the data or the predictions). Entities are scored here, not by `rasa test nlu`, because Rasa's
test drops what SpacyEntityExtractor finds (postcodes and references) and scores each extractor apart: here the
parsed message's final entities, after every extractor, are compared with the annotations. An entity counts as
found only when its type, start and end all match.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

ENTITIES_SCORED = ("postcode", "bin_type", "reference", "council")
FALLBACK = "nlu_fallback"


def _examples(nlu: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(nlu)).intent_examples


def _predicted_intent(parsed: Dict[str, Any]) -> Optional[str]:
    for ranked in parsed.get("intent_ranking") or [parsed.get("intent") or {}]:
        if ranked.get("name") != FALLBACK:
            return ranked.get("name")
    return None


def _macro_f1(targets: List[str], predictions: List[Optional[str]]) -> Dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    predictions = [p or "None" for p in predictions]
    return {"intent_macro_f1": float(f1_score(targets, predictions, average="macro", zero_division=0)),
            "intent_accuracy": float(accuracy_score(targets, predictions))}


def _entity_f1(gold: List[set], found: List[set]) -> Dict[str, Dict[str, float]]:
    counts: Dict[str, Counter] = {kind: Counter() for kind in ENTITIES_SCORED}
    for expected, predicted in zip(gold, found):
        for kind in ENTITIES_SCORED:
            e = {x for x in expected if x[0] == kind}
            p = {x for x in predicted if x[0] == kind}
            counts[kind]["tp"] += len(e & p)
            counts[kind]["fp"] += len(p - e)
            counts[kind]["fn"] += len(e - p)
    scores = {}
    for kind, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[kind] = {"f1": f1, "precision": precision, "recall": recall, "support": c["tp"] + c["fn"]}
    return scores


async def _parse_all(model: Path, texts: List[str]) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def score(model: Path, nlu: Path) -> Dict[str, Any]:
    """Intent macro F1 and accuracy, and entity F1 per entity type, of `model` on the examples in `nlu`."""
    quiet()
    examples = _examples(nlu)
    parsed = asyncio.run(_parse_all(model, [e.get("text") for e in examples]))
    spans = lambda entities: {(e["entity"], e["start"], e["end"]) for e in entities or []}  # noqa: E731
    result: Dict[str, Any] = _macro_f1([e.get("intent") for e in examples], [_predicted_intent(p) for p in parsed])
    result["entities"] = _entity_f1([spans(e.get("entities")) for e in examples],
                                    [spans(p.get("entities")) for p in parsed])
    result["examples"] = len(examples)
    return result


def quiet() -> None:
    """Rasa logs every parsed message at debug level (structlog): residents' words, and noise, kept out."""
    from rasa.utils.log_utils import configure_structlog

    logging.disable(logging.WARNING)
    configure_structlog(logging.WARNING)


def newest_model(folder: Path) -> Path:
    return max(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="default: the newest model in models/")
    parser.add_argument("--nlu", type=Path, default=Path("tests/nlu/holdout"))
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    quiet()
    print(json.dumps(score(args.model or newest_model(Path("models")), args.nlu), indent=2))


if __name__ == "__main__":
    main()
