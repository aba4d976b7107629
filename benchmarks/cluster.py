"""Throughput and latency of the production layout with one and with two Rasa processes behind nginx.

    TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test TEST_REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m benchmarks.cluster [--processes 1 2] [--conversations 20] [--messages 10]

Prints a Markdown table for BENCHMARKS.md. For each process count it starts the layout of tests/deploy/cluster.py
(as tests/deploy/test_cluster.py runs it): a real nginx with deploy/nginx's upstream and locations files, that many
Rasa processes with the web chat channel, conversations in a PostgreSQL database made for the run, locks and the web
chat's state in Redis, two action servers behind nginx's loopback upstream, and the council services sandbox. Then
`--conversations` python-socketio clients (long-polling through nginx, each with its own `route`, as the widget
sends it) at once, each sending `--messages` messages of benchmarks/webchat.py's SCRIPT one after another and
waiting for the acknowledgement (sent once all the replies to a message have gone); messages per second over the
whole run, and each message's latency from emit to acknowledgement. One warm-up message per conversation is not
counted. Everything runs on this machine: the clients share its cores with the servers.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

from benchmarks.webchat import SCRIPT, conversation, load_average, percentile
from tests.deploy.cluster import Cluster, missing
from tests.stack import RestartableSandbox

OVERALL_SECONDS = 900


async def load(base: str, conversations: int, messages: List[str]) -> Dict[str, Any]:
    latencies: List[float] = []
    errors: List[Any] = []
    started = asyncio.Event()
    ready: List[int] = []
    councils = ("chorley", "south_ribble")
    # a warm-up message each (not counted), then the script
    warm: List[float] = []
    tasks = [
        asyncio.create_task(_conversation(f"{base}/?route={uuid.uuid4().hex[:16]}", councils[i % 2], messages,
                                          latencies, warm, errors, started, ready))
        for i in range(conversations)
    ]
    deadline = time.monotonic() + 180
    while len(ready) < conversations:
        failed = [t for t in tasks if t.done()]
        if failed:
            failed[0].result()
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(ready)} of {conversations} clients were ready in 180 s")
        await asyncio.sleep(0.05)
    begun = time.perf_counter()
    started.set()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - begun
    return {
        "messages": len(latencies), "seconds": seconds, "messages_per_second": len(latencies) / seconds,
        "median_ms": statistics.median(latencies), "p95_ms": percentile(latencies, 0.95), "max_ms": max(latencies),
        "error_count": len(errors), "errors": errors[:5],
    }


async def _conversation(url: str, council: str, messages: List[str], latencies: List[float], warm: List[float],
                        errors: List[Any], started: asyncio.Event, ready: List[int]) -> None:
    gate = asyncio.Event()
    gate.set()
    # benchmarks.webchat.conversation connects, starts a session, reports ready, waits for `started`, then sends:
    # its warm-up message is the first of the script, timed into `warm`.
    try:
        await conversation(url, council, messages[:1], warm, errors, gate, [])
    except Exception as error:  # noqa: BLE001  counted, and the conversation still takes part
        errors.append({"warm_up": type(error).__name__})
    try:
        await conversation(url, council, messages, latencies, errors, started, ready)
    except Exception as error:  # noqa: BLE001  a message unanswered in 120 s: counted as an error
        errors.append({"failed": type(error).__name__})
        ready.append(0)  # failed before it was ready: never hold the others' start back


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    reason = missing()
    if reason:
        raise SystemExit(reason)
    messages = SCRIPT[: args.messages]
    results = {}
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as temp:
        logs = Path(temp)
        sandbox = RestartableSandbox(f"sqlite:///{logs / 'sandbox.db'}")
        sandbox.start()
        try:
            for count in args.processes:
                cluster = Cluster(logs, sandbox.url, rasa_count=count, action_count=2)
                try:
                    results[count] = asyncio.run(asyncio.wait_for(
                        load(cluster.url, args.conversations, messages), OVERALL_SECONDS))
                    results[count]["spread"] = _spread(cluster)
                finally:
                    cluster.stop()
                print(f"{count} Rasa process(es): {results[count]}", flush=True)
        finally:
            sandbox.stop()

    print()
    print(f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"load average after: {load_average()}")
    print()
    print("| Rasa processes behind nginx | messages/s | median latency | 95th percentile | max | errors | "
          "conversations per process |")
    print("|---|---|---|---|---|---|---|")
    for count, result in results.items():
        print(f"| {count} | **{result['messages_per_second']:.1f}** | {result['median_ms']:.0f} ms | "
              f"{result['p95_ms']:.0f} ms | {result['max_ms']:.0f} ms | {result['error_count']} | "
              f"{result['spread']} |")


def _spread(cluster: Cluster) -> str:
    """How many conversations (routes) nginx gave each Rasa process."""
    counts: Dict[str, int] = {}
    for upstreams in cluster.nginx.routes().values():
        counts[upstreams[-1]] = counts.get(upstreams[-1], 0) + 1
    return ", ".join(str(counts.get(cluster.upstream_of(p), 0)) for p in cluster.rasa)


if __name__ == "__main__":
    main()
