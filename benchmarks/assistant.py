"""Measure the assistant: NLU accuracy on held-out data, training time, per-message latency, Rasa's memory.

    .venv/bin/python -m benchmarks.assistant [--train] [--rounds 10]

Prints a Markdown table for BENCHMARKS.md. Latency is for one conversation at a time over the REST channel, with
the real action server and sandbox on this machine; `--train` also times a full training run (several minutes).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from tests.stack import RASA, ROOT, Conversation, RestartableSandbox, newest_model, start_action_server, start_rasa_server, stop

# A typical missed-bin report plus a question and a lookup: what most residents do.
SCRIPT = [
    "hello",
    "my blue bin wasn't emptied",
    "PR7 1DP",
    "number 102",
    "no",
    "cancel",
    "what time are you open",
    "when is my bin day",
    "PR25 2AX",
    "cancel",
]


def nlu_scores(model: Path) -> Dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [RASA, "test", "nlu", "--model", str(model), "--nlu", "tests/nlu/holdout", "--out", out, "--no-plot"],
            cwd=ROOT, check=True, capture_output=True,
        )
        report = json.loads((Path(out) / "intent_report.json").read_text())
    return {"accuracy": report["accuracy"], "macro_f1": report["macro avg"]["f1-score"],
            "examples": report["macro avg"]["support"]}


def training_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        subprocess.run([RASA, "train", "--force", "--out", out, "--quiet"], cwd=ROOT, check=True, capture_output=True)
        return time.monotonic() - started


def rss_mb(pid: int) -> Dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    values = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith(("VmRSS", "VmHWM"))}
    return {"rss": values["VmRSS"] / 1024, "peak": values["VmHWM"] / 1024}


def latencies(rasa_url: str, rounds: int) -> List[float]:
    timings: List[float] = []
    for _ in range(rounds):
        conversation = Conversation(rasa_url)
        for message in SCRIPT:
            started = time.perf_counter()
            conversation.say(message)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="store_true", help="also time a full training run")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    model = newest_model()
    results: Dict[str, object] = {"nlu": nlu_scores(model)}
    if args.train:
        results["training_seconds"] = training_seconds()
    with tempfile.TemporaryDirectory() as work:
        logs = Path(work)
        sandbox = RestartableSandbox(f"sqlite:///{logs / 'sandbox.db'}")
        sandbox.start()
        actions = start_action_server(sandbox.url, logs)
        rasa = start_rasa_server(model, actions.url, logs)  # type: ignore[attr-defined]
        try:
            memory_loaded = rss_mb(rasa.pid)
            latencies(rasa.url, 1)  # warm-up  # type: ignore[attr-defined]
            timings = latencies(rasa.url, args.rounds)  # type: ignore[attr-defined]
            memory_after = rss_mb(rasa.pid)
        finally:
            stop(rasa)
            stop(actions)
            sandbox.stop()
    timings.sort()
    results["latency_ms"] = {
        "messages": len(timings),
        "median": statistics.median(timings),
        "p95": timings[int(0.95 * (len(timings) - 1))],
    }
    results["rasa_memory_mb"] = {"after_load": memory_loaded["rss"], "after_run": memory_after["rss"], "peak": memory_after["peak"]}
    print(json.dumps(results, indent=2))
    nlu = results["nlu"]
    lat = results["latency_ms"]
    mem = results["rasa_memory_mb"]
    print("\n| measure | figure |\n|---|---|")
    print(f"| NLU intent accuracy, held-out ({nlu['examples']} examples) | {nlu['accuracy']:.3f} |")
    print(f"| NLU intent macro F1, held-out | {nlu['macro_f1']:.3f} |")
    if "training_seconds" in results:
        print(f"| training time (NLU and dialogue, from scratch) | {results['training_seconds']:.0f} s |")
    print(f"| per-message latency over REST, one conversation ({lat['messages']} messages) | median {lat['median']:.0f} ms, 95th percentile {lat['p95']:.0f} ms |")
    print(f"| Rasa server memory (RSS) | {mem['after_load']:.0f} MB loaded, {mem['after_run']:.0f} MB after the run, peak {mem['peak']:.0f} MB |")
    print(f"\nMachine: {platform.machine()}, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
