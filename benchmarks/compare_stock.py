"""Compare the assistant with a stock Rasa demo bot (`rasa init`) under the same load over the REST channel.

    .venv/bin/python -m benchmarks.compare_stock [--conversations 20] [--messages 10] [--rounds 2]

Issue 10 asks that twenty residents at once are served at least as fast as a stock Rasa demo bot serves them. The
stock bot is built once with `rasa init --no-prompt` into var/bench/stock/ (it trains its own small model in
a minute or two, no network needed) and reused afterwards. Each server runs alone, one at a time, so the two never
share the machine's cores; rounds alternate (ours, stock, ours, stock...) so a slow spell hits both.

- Ours: the sandbox, the real action server (with its secret) and our Rasa server (with its API token), as
  tests/stack.py starts them. Our REST channel limits each conversation and client (connectors/limits.py); the
  benchmark gives our server generous limits (`BENCH_LIMITS`) so the load measures answering, not refusing.
- Stock: `rasa run` on the template's model, credentials (REST channel) and endpoints; the template's actions are
  all commented out, so it needs no action server.
- Load: `--conversations` conversations at once, each sending the first `--messages` of `SCRIPT` one after another
  and waiting for each answer. After one warm-up conversation, a round's throughput is its messages over its wall
  time; latency is each webhook call's. Any message not answered with 200 is counted as an error.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

import requests

from tests.stack import (
    RASA, ROOT, Conversation, RestartableSandbox, free_port, newest_model, start_action_server, start_rasa_server,
    stop, wait_until_up,
)

STOCK_DIR = ROOT / "var" / "bench" / "stock"
# Far above what any load here sends. Each conversation already comes from its own address (X-Forwarded-For from
# loopback, as tests/stack.py's Conversation), so the defaults would not refuse the default load either; a larger
# `--messages` or `--conversations` must not turn into a measurement of refusals.
BENCH_LIMITS = {"RATE_LIMIT_CONVERSATION": "100000/60", "RATE_LIMIT_CLIENT": "1000000/60"}
# Loading a model takes under a minute on an idle machine, several when other work shares the cores.
STARTUP_SECONDS = 900

# What a resident does: greets, starts a missed-bin report and leaves it, asks their bin day, council tax,
# reports a pothole and leaves it, says goodbye. The stock bot answers the same words with what it knows.
SCRIPT = [
    "hello",
    "my blue bin wasn't emptied",
    "cancel",
    "when is my bin day",
    "PR25 2AX",
    "how do I pay my council tax",
    "there's a pothole on my road",
    "cancel",
    "thank you",
    "goodbye",
]


def build_stock(directory: Path = STOCK_DIR) -> Path:
    """The stock demo bot's trained model, built once (`rasa init` trains it) and reused."""
    models = sorted((directory / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    building = directory.with_name(directory.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    print(f"Building the stock assistant in {directory} (rasa init, a minute or two)...", flush=True)
    subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(building)], cwd=building, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    shutil.rmtree(directory, ignore_errors=True)
    building.rename(directory)  # only a finished build is ever reused
    return sorted((directory / "models").glob("*.tar.gz"))[-1]


def start_stock(model: Path, logs: Path) -> subprocess.Popen:
    """`rasa run` as the template sets it up: its own credentials (REST) and endpoints, on a free loopback port."""
    port = free_port()
    log = logs / f"stock-{port}.log"
    process = subprocess.Popen(
        [RASA, "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port), "-m", str(model),
         "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
        cwd=model.parent.parent, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    try:
        wait_until_up(f"{process.url}/status", process, log, STARTUP_SECONDS,  # type: ignore[attr-defined]
                      ready=lambda answer: bool(answer.json().get("model_file")))
    except BaseException:
        stop(process)  # never left running after the benchmark gave up on it
        raise
    return process


def one_conversation(rasa_url: str, messages: List[str]) -> Tuple[List[float], int]:
    """Each message's latency in ms, and how many were not answered."""
    conversation = Conversation(rasa_url)
    timings: List[float] = []
    errors = 0
    for message in messages:
        started = time.perf_counter()
        try:
            conversation.say(message)
        except requests.RequestException:
            errors += 1
            continue
        timings.append((time.perf_counter() - started) * 1000)
    return timings, errors


def load_round(rasa_url: str, conversations: int, messages: int) -> Dict[str, object]:
    script = SCRIPT[:messages]
    one_conversation(rasa_url, script)  # warm-up: first-call costs are not the load's
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=conversations) as pool:
        results = list(pool.map(lambda _: one_conversation(rasa_url, script), range(conversations)))
    seconds = time.perf_counter() - started
    timings = [t for result in results for t in result[0]]
    return {"seconds": seconds, "timings": timings, "errors": sum(result[1] for result in results),
            "sent": len(script) * (conversations + 1)}


@contextlib.contextmanager
def ours_stack(model: Path, logs: Path) -> Iterator[Tuple[subprocess.Popen, subprocess.Popen]]:
    """Our Rasa server and action server (with the sandbox behind them), started fresh and stopped afterwards."""
    sandbox = RestartableSandbox(f"sqlite:///{logs / f'sandbox-{time.monotonic_ns()}.db'}")
    sandbox.start()
    actions = start_action_server(sandbox.url, logs)
    try:
        rasa = start_rasa_server(model, actions.url, logs, extra_env=BENCH_LIMITS,  # type: ignore[attr-defined]
                                 seconds=STARTUP_SECONDS)
        try:
            yield rasa, actions
        finally:
            stop(rasa)
    finally:
        stop(actions)
        sandbox.stop()


def measured(rasa: subprocess.Popen, run: Callable[[str], Dict[str, object]]) -> Dict[str, object]:
    """A round's results, with the Rasa server's memory after it and its CPU time per message sent (warm-up too)."""
    cpu_before = cpu_seconds(rasa.pid)
    result = run(rasa.url)  # type: ignore[attr-defined]
    cpu_ms = (cpu_seconds(rasa.pid) - cpu_before) * 1000 / result["sent"]  # type: ignore[operator]
    return {**result, "memory": rss_mb(rasa.pid), "cpu_ms_per_message": round(cpu_ms, 1)}


def with_ours(model: Path, logs: Path, run: Callable[[str], Dict[str, object]]) -> Dict[str, object]:
    with ours_stack(model, logs) as (rasa, _):
        return measured(rasa, run)


def with_stock(model: Path, logs: Path, run: Callable[[str], Dict[str, object]]) -> Dict[str, object]:
    rasa = start_stock(model, logs)
    try:
        return measured(rasa, run)
    finally:
        stop(rasa)


def rss_mb(pid: int) -> Dict[str, float]:
    """A server's resident memory now and at its peak (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
              if line.startswith(("VmRSS", "VmHWM"))}
    return {"rss": round(values["VmRSS"] / 1024), "peak": round(values["VmHWM"] / 1024)}


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(rounds: List[Dict[str, object]]) -> Dict[str, float]:
    timings = sorted(t for r in rounds for t in r["timings"])  # type: ignore[attr-defined]
    seconds = sum(r["seconds"] for r in rounds)  # type: ignore[misc]
    return {
        "messages": len(timings),
        "errors": sum(r["errors"] for r in rounds),  # type: ignore[misc]
        "per_second": len(timings) / seconds,
        "median": statistics.median(timings),
        "p95": timings[int(0.95 * (len(timings) - 1))],
        "rounds_per_second": [round(len(r["timings"]) / r["seconds"], 2) for r in rounds],  # type: ignore[arg-type]
        "rss_mb_peak": max(r["memory"]["peak"] for r in rounds),  # type: ignore[index]
        "rasa_cpu_ms_per_message": [r["cpu_ms_per_message"] for r in rounds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10, help=f"per conversation, at most {len(SCRIPT)}")
    parser.add_argument("--rounds", type=int, default=2, help="rounds for each server, alternating")
    args = parser.parse_args()
    ours_model, stock_model = newest_model(), build_stock()
    print(f"Ours: {ours_model.name}; stock: {stock_model}. Our Rasa server runs with generous rate limits, "
          f"{BENCH_LIMITS} (defaults 30/60 and 1200/60), so the load measures answers, not refusals.", flush=True)
    load = lambda url: load_round(url, args.conversations, args.messages)  # noqa: E731
    rounds: Dict[str, List[Dict[str, object]]] = {"ours": [], "stock": []}
    with tempfile.TemporaryDirectory() as work:
        logs = Path(work)
        for number in range(args.rounds):
            for name, serve, model in (("ours", with_ours, ours_model), ("stock", with_stock, stock_model)):
                rounds[name].append(serve(model, logs, load))
                print(f"round {number + 1}, {name}: {rounds[name][-1]['seconds']:.1f} s, "
                      f"{len(rounds[name][-1]['timings']) / rounds[name][-1]['seconds']:.1f} messages/s, "
                      f"load average {os.getloadavg()[0]:.1f}", flush=True)
    ours, stock = summary(rounds["ours"]), summary(rounds["stock"])
    print(json.dumps({"ours": ours, "stock": stock}, indent=2))
    total = args.conversations * args.messages * args.rounds
    print(f"\n{args.conversations} conversations at once, {args.messages} messages each, {args.rounds} rounds "
          f"per server ({total} messages each), one server at a time\n")
    print("| measure | ours | stock `rasa init` | ours / stock |\n|---|---|---|---|")
    print(f"| messages per second | {ours['per_second']:.1f} | {stock['per_second']:.1f} | "
          f"{ours['per_second'] / stock['per_second']:.2f} |")
    for key, label in (("median", "median latency"), ("p95", "95th percentile latency")):
        print(f"| {label} | {ours[key]:.0f} ms | {stock[key]:.0f} ms | {ours[key] / stock[key]:.2f} |")
    print(f"| messages not answered | {ours['errors']} | {stock['errors']} | |")
    print(f"| Rasa server CPU time per message, by round | {ours['rasa_cpu_ms_per_message']} ms | "
          f"{stock['rasa_cpu_ms_per_message']} ms | |")
    print(f"| Rasa server memory (RSS), peak | {ours['rss_mb_peak']} MB | {stock['rss_mb_peak']} MB | |")
    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
