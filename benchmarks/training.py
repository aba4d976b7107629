"""Time training: from scratch, then after the small changes trainers make, and score each model on held-out data.

    .venv/bin/python -m benchmarks.training [--config config.yml] [--only scratch] [--epoch-fraction 0.25]

Works on a copy of data/, domain.yml and config.yml in a temporary folder, with a Rasa cache of its own, so the
project's models/, data and .rasa/cache are untouched. Runs, in order:

  scratch       `rasa train` with an empty cache (what a fresh clone or CI does)
  response      one response's wording changed in the domain
  rule          one rule added
  nlu_example   one training example added to an existing intent (the labels are unchanged)
  finetune      the same example, `rasa train --finetune <scratch model> --epoch-fraction F`

Each run reports wall time, CPU time (user + system of the training process), the load average when it started
(the machine is shared: CPU time is the steadier figure), which components were trained and which were restored
from Rasa's cache; the models trained from scratch and by finetuning are scored on tests/nlu/holdout
(tests/nlu/scoring.py). Prints a Markdown table for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from tests.nlu.scoring import score
from tests.stack import RASA, ROOT

NEW_EXAMPLE = ("greet", "hiya there council, how's things")
NEW_RULE = """
  - rule: benchmark - thanks at the start of a conversation
    conversation_start: true
    steps:
      - intent: thank
      - action: action_thank
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _train(project: Path, out: Path, name: str, extra: Optional[List[str]] = None) -> Dict:
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(project / "cache"), "PYTHONPATH": str(ROOT),
           "TF_CPP_MIN_LOG_LEVEL": "2", "TQDM_DISABLE": "1", "RASA_TELEMETRY_ENABLED": "false"}
    load = os.getloadavg()[0]
    cpu, started = _children_cpu(), time.monotonic()
    result = subprocess.run(
        [RASA, "train", "--data", str(project / "data"), "--domain", str(project / "domain.yml"),
         "--config", str(project / "config.yml"), "--out", str(out), "--fixed-model-name", name, *(extra or [])],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    wall, cpu = time.monotonic() - started, _children_cpu() - cpu
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise RuntimeError(f"training {name} failed:\n{log[-3000:]}")
    return {
        "run": name, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "load": round(load, 2),
        "trained": re.findall(r"Starting to train component '(\w+)'", log),
        "from_cache": re.findall(r"Restored component '(\w+)' from cache", log),
        "model": out / f"{name}.tar.gz",
    }


def _add_example(project: Path) -> None:
    intent, text = NEW_EXAMPLE
    for path in sorted((project / "data").rglob("*.yml")):
        source = path.read_text()
        marker = f"- intent: {intent}\n  examples: |\n"
        if marker in source:
            path.write_text(source.replace(marker, f"{marker}    - {text}\n", 1))
            return
    raise RuntimeError(f"no examples of {intent} to add to")


def _change_response(project: Path) -> None:
    domain = project / "domain.yml"
    source = domain.read_text()
    changed = re.sub(r"(\n\s+- text: \"?)", r"\1(reworded) ", source, count=1)
    assert changed != source, "no response text found in domain.yml"
    domain.write_text(changed)


def _add_rule(project: Path) -> None:
    rules = project / "data" / "rules" / "conversation.yml"
    rules.write_text(rules.read_text().rstrip("\n") + "\n" + NEW_RULE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--only", choices=["scratch"], help="time only training from scratch")
    parser.add_argument("--epoch-fraction", type=float, default=0.25)
    parser.add_argument("--json", action="store_true", help="print the results as JSON, not Markdown")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="train-bench-") as tmp:
        project, out = Path(tmp) / "project", Path(tmp) / "models"
        shutil.copytree(ROOT / "data", project / "data")
        shutil.copy(ROOT / "domain.yml", project / "domain.yml")
        shutil.copy(args.config, project / "config.yml")

        scratch = _train(project, out, "scratch")
        scratch["scores"] = score(scratch["model"], ROOT / "tests" / "nlu" / "holdout")
        rows.append(scratch)
        if args.only != "scratch":
            _change_response(project)
            rows.append(_train(project, out, "response"))
            _add_rule(project)
            rows.append(_train(project, out, "rule"))
            _add_example(project)
            rows.append(_train(project, out, "nlu_example"))
            # Same data as nlu_example, so finetuning is compared with a full retrain of the same change.
            finetune = _train(project, out, "finetune",
                              ["--finetune", str(scratch["model"]), "--epoch-fraction", str(args.epoch_fraction)])
            finetune["scores"] = score(finetune["model"], ROOT / "tests" / "nlu" / "holdout")
            rows.append(finetune)

    for row in rows:
        row.pop("model")
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print("| run | wall | CPU | load at start | trained | from cache | intent macro F1 | entity F1 (postcode, bin_type, reference) |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        scores = row.get("scores")
        f1 = f"{scores['intent_macro_f1']:.3f}" if scores else ""
        entities = ", ".join(f"{scores['entities'][k]['f1']:.3f}" for k in ("postcode", "bin_type", "reference")) if scores else ""
        print(f"| {row['run']} | {row['wall_s']:.0f} s | {row['cpu_s']:.0f} s | {row['load']} | "
              f"{', '.join(row['trained']) or '-'} | {', '.join(row['from_cache']) or '-'} | {f1} | {entities} |")


if __name__ == "__main__":
    main()
