"""Where the time goes under load: py-spy on the Rasa server and the action server while residents talk at once.

    .venv/bin/python -m benchmarks.profile_load [--conversations 20] [--seconds 25] [--out var/bench/profile]

Needs py-spy (a developer tool, not a dependency: `.venv/bin/pip install py-spy`). Starts our full stack as
benchmarks/compare_stock.py does (sandbox, real action server, our Rasa server with its tracker store), keeps
`--conversations` residents talking (each one the conversation of `compare_stock.SCRIPT`, then a new one), and
samples both servers for `--seconds` at 100 Hz. Prints, for each server, the share of samples inside the parts of
the work that matter here (a sample counts for every part on its stack, so shares overlap) and the functions most
often running; the raw stacks are kept in `--out` (open them with speedscope or flamegraph.pl), with the servers'
CPU time per message and the Rasa server's memory.
"""
from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import requests

from benchmarks.compare_stock import SCRIPT, cpu_seconds, ours_stack, rss_mb
from tests.stack import ROOT, Conversation, newest_model

PY_SPY = str(Path(sys.executable).with_name("py-spy"))

# Parts of a message's work, found by a frame on the stack: "function (path" as py-spy writes frames.
RASA_PARTS: Sequence[Tuple[str, Sequence[str]]] = (
    ("the REST channel and guard (connectors/rest.py, guard.py)", ("_receive (connectors/rest.py",)),
    ("reading the tracker from the store", ("retrieve (rasa/core/tracker_store.py", "retrieve (connectors/tracker_store.py")),
    ("  of which rebuilding the tracker from its events", ("from_dict (rasa/shared/core/trackers.py",)),
    ("saving the tracker to the store", ("save (rasa/core/tracker_store.py", "save (connectors/tracker_store.py")),
    ("  of which the SQL commit", ("commit (sqlalchemy/orm/session.py",)),
    ("  of which counting stored events", ("_additional_events (",)),
    ("  of which card-number scrubbing", ("scrub_card_numbers (connectors/tracker_store.py",)),
    ("NLU parsing (the model graph)", ("_parse_message_with_graph (rasa/core/processor.py",)),
    ("policy prediction", ("_predict_next_with_tracker (rasa/core/processor.py",)),
    ("calling the action server", ("request (rasa/utils/endpoints.py", "request (connectors/rasa_overrides.py")),
    ("checking action server responses", ("_validate_action_result (", "validate_action_result (")),
    ("running actions (all, incl. the calls above)", ("_run_action (rasa/core/processor.py",)),
    ("Sanic / HTTP server", ("sanic/http", "sanic/server")),
)
ACTION_PARTS: Sequence[Tuple[str, Sequence[str]]] = (
    ("running actions (rasa_sdk executor)", ("run (rasa_sdk/executor.py",)),
    ("calls to council systems (requests)", ("request (requests/sessions.py",)),
    ("protections store (SQL)", ("actions/protections/",)),
    ("SQLAlchemy, any", ("sqlalchemy/",)),
    ("building the response (rasa_sdk endpoint)", ("webhook (rasa_sdk/endpoint.py",)),
)


def keep_talking(rasa_url: str, stop: threading.Event, counts: List[int]) -> None:
    """One resident after another, each the whole SCRIPT, until `stop`; counts the messages answered."""
    while not stop.is_set():
        conversation = Conversation(rasa_url)
        for message in SCRIPT:
            if stop.is_set():
                return
            try:
                conversation.say(message)
                counts.append(1)
            except requests.RequestException:
                pass


def read_stacks(path: Path) -> List[Tuple[List[str], int]]:
    """py-spy's raw format: one line per distinct stack, `frame;frame;... count`, outermost first."""
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def shares(stacks: List[Tuple[List[str], int]], parts: Sequence[Tuple[str, Sequence[str]]]) -> List[Tuple[str, float]]:
    total = sum(count for _, count in stacks) or 1
    found = []
    for name, needles in parts:
        hits = sum(count for frames, count in stacks if any(n in frame for frame in frames for n in needles))
        found.append((name, 100.0 * hits / total))
    return found


def top_functions(stacks: List[Tuple[List[str], int]], how_many: int = 15) -> List[Tuple[str, float]]:
    """Where samples were taken (the innermost Python frame), by function and file, without line numbers."""
    total = sum(count for _, count in stacks) or 1
    counter: Dict[str, int] = collections.Counter()
    for frames, count in stacks:
        leaf = frames[-1]
        function, _, where = leaf.partition(" (")
        counter[f"{function} ({where.rsplit(':', 1)[0].rstrip(')')})"] += count
    return [(name, 100.0 * count / total) for name, count in counter.most_common(how_many)]


def report(title: str, path: Path, parts: Sequence[Tuple[str, Sequence[str]]]) -> None:
    stacks = read_stacks(path)
    total = sum(count for _, count in stacks)
    print(f"\n### {title}: {total} samples ({path})\n\n| where | share of samples |\n|---|---|")
    for name, share in shares(stacks, parts):
        print(f"| {name} | {share:.1f}% |")
    print("\n| running (innermost frame) | share |\n|---|---|")
    for name, share in top_functions(stacks):
        print(f"| `{name}` | {share:.1f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=25)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "profile")
    args = parser.parse_args()
    if not Path(PY_SPY).exists():
        sys.exit("py-spy is not installed: .venv/bin/pip install py-spy")
    args.out.mkdir(parents=True, exist_ok=True)
    model = newest_model()
    with tempfile.TemporaryDirectory() as work, ours_stack(model, Path(work)) as (rasa, actions):
        Conversation(rasa.url).say("hello")  # warm-up
        stop, counts = threading.Event(), []  # type: ignore[var-annotated]
        residents = [threading.Thread(target=keep_talking, args=(rasa.url, stop, counts))
                     for _ in range(args.conversations)]
        for resident in residents:
            resident.start()
        time.sleep(3)  # every resident is talking
        files = {"rasa": args.out / "rasa.txt", "actions": args.out / "actions.txt"}
        cpu_before = {p.pid: cpu_seconds(p.pid) for p in (rasa, actions)}
        answered_before, started = len(counts), time.perf_counter()
        spies = [subprocess.Popen([PY_SPY, "record", "-p", str(process.pid), "-d", str(args.seconds), "-r", "100",
                                   "-f", "raw", "-o", str(files[name])],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for name, process in (("rasa", rasa), ("actions", actions))]
        for spy in spies:
            spy.wait()
        seconds, answered = time.perf_counter() - started, len(counts) - answered_before
        cpu = {pid: cpu_seconds(pid) - before for pid, before in cpu_before.items()}
        memory = rss_mb(rasa.pid)
        stop.set()
        for resident in residents:
            resident.join()
    print(f"{args.conversations} conversations at once; while sampled ({seconds:.0f} s, slowed by sampling): "
          f"{answered} messages, Rasa server CPU {cpu[rasa.pid] * 1000 / max(answered, 1):.0f} ms per message "
          f"(busy {100 * cpu[rasa.pid] / seconds:.0f}% of the time), action server "
          f"{cpu[actions.pid] * 1000 / max(answered, 1):.0f} ms per message; Rasa server memory RSS "
          f"{memory['rss']:.0f} MB (peak {memory['peak']:.0f} MB); load average {os.getloadavg()[0]:.1f}")
    report("Rasa server", files["rasa"], RASA_PARTS)
    report("Action server", files["actions"], ACTION_PARTS)


if __name__ == "__main__":
    main()
