"""Measure the handover: a member of staff's message to the resident's chat, and the resident's message to the
staff console, with many handovers at once.

    .venv/bin/python -m benchmarks.handover [--handovers 20] [--rounds 10] [--events-url amqp://guest:guest@127.0.0.1:5672/%2F]

Starts its own stack on free ports (tests/handover/stack.py: the sandbox, the action server, a Rasa server with the
web chat channel and the handover event broker, the staff console on its own SQLite database). `--handovers`
residents connect over socket.io (long-polling, as tests/connectors/webchat_client.py), each asks for a person and
is taken by a member of staff through the console's API. Then, in every handover at once, `--rounds` times:

- staff to resident: from the console's `POST /api/v1/handovers/{id}/messages` being sent to the message (with the
  member of staff's name) arriving at the resident's socket;
- resident to console: from the resident's `user_uttered` being sent to the message being in the handover's
  transcript in the console's database (what GET /api/v1/handovers/{id} returns). The console's conversation page
  asks for that every 1.5 s, so a member of staff sees it up to that much later again.

Prints a Markdown table for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import sqlalchemy as sa

from tests.connectors.webchat_client import ChatClient
from tests.handover.stack import HandoverStack
from tests.stack import RestartableSandbox

PAGE_POLL_SECONDS = 1.5  # staff/static/conversation.js POLL_MS


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class TranscriptWatch:
    """One thread reads the console's new transcript lines every 10 ms and tells whoever waits for each text."""

    def __init__(self, database_url: str) -> None:
        self.engine = sa.create_engine(database_url, future=True)
        self.waiting: Dict[str, "tuple[asyncio.AbstractEventLoop, asyncio.Future]"] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.last_id = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def expect(self, text: str, loop: asyncio.AbstractEventLoop) -> asyncio.Future:
        future = loop.create_future()
        with self.lock:
            self.waiting[text] = (loop, future)
        return future

    def _run(self) -> None:
        while not self.stop.is_set():
            with self.engine.connect() as connection:
                rows = connection.execute(sa.text(
                    'SELECT id, text FROM handover_messages WHERE id > :last AND "from" = \'resident\' ORDER BY id'),
                    {"last": self.last_id}).all()
            seen = time.perf_counter()
            for row_id, text in rows:
                self.last_id = max(self.last_id, row_id)
                with self.lock:
                    waiter = self.waiting.pop(text, None)
                if waiter:
                    loop, future = waiter
                    loop.call_soon_threadsafe(lambda f=future, t=seen: f.done() or f.set_result(t))
            time.sleep(0.01)


async def one_handover(index: int, stack: HandoverStack, token: str, rounds: int, watch: TranscriptWatch,
                       pool: ThreadPoolExecutor, start: asyncio.Event, results: Dict[str, List[float]]) -> None:
    loop = asyncio.get_running_loop()
    client = await ChatClient(stack.rasa_url).connect()
    try:
        session = await client.start_session()
        await client.say("/request_human")
        handover = None
        for _ in range(100):
            handover = await loop.run_in_executor(pool, stack.handover_for, token, session, "waiting")
            if handover:
                break
            await asyncio.sleep(0.1)
        assert handover, f"resident {index} was not queued"
        accepted = await loop.run_in_executor(pool, lambda: stack.api("POST", f"/handovers/{handover['id']}/accept", token))
        assert accepted.status_code == 200, accepted.text
        await client.next("bot_uttered", 30)  # "Sam from customer services has joined the chat."
        await start.wait()
        for round_ in range(rounds):
            text = f"staff message {index}-{round_}"
            client.drain("bot_uttered")
            sent = time.perf_counter()
            posted = loop.run_in_executor(pool, lambda t=text: stack.api(
                "POST", f"/handovers/{handover['id']}/messages", token, json={"text": t}))
            while True:
                message = await client.next("bot_uttered", 30)
                if message.get("text") == text:
                    results["staff_to_resident"].append((time.perf_counter() - sent) * 1000)
                    break
            answer = await posted
            assert answer.status_code in (200, 201), answer.text

            text = f"resident message {index}-{round_}"
            arrived = watch.expect(text, loop)
            sent = time.perf_counter()
            ack = await client.send({"message": text, "session_id": session})
            assert ack and ack.get("status") == "ok", ack
            results["resident_to_console"].append((await asyncio.wait_for(arrived, 30) - sent) * 1000)
    finally:
        await client.close()


async def measure(stack: HandoverStack, handovers: int, rounds: int) -> Dict[str, List[float]]:
    password = stack.add_user("bench", "agent", "Sam")
    token = stack.token("bench", password)
    watch = TranscriptWatch(stack.database_url)
    results: Dict[str, List[float]] = {"staff_to_resident": [], "resident_to_console": []}
    start = asyncio.Event()
    with ThreadPoolExecutor(max_workers=handovers * 2) as pool:
        tasks = [asyncio.create_task(one_handover(i, stack, token, rounds, watch, pool, start, results))
                 for i in range(handovers)]
        while sum(1 for h in stack.handovers(token, "active")) < handovers and not any(t.done() for t in tasks):
            await asyncio.sleep(0.2)
        start.set()
        await asyncio.gather(*tasks)
    watch.stop.set()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--handovers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--events-url", default=None, help="the event broker and consumer's URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as workdir:
        sandbox = RestartableSandbox(f"sqlite:///{Path(workdir) / 'sandbox.db'}")
        sandbox.start()
        stack = HandoverStack(sandbox.url, Path(workdir), hours="always", events_url=args.events_url).start()
        try:
            results = asyncio.run(measure(stack, args.handovers, args.rounds))
        finally:
            stack.stop()
            sandbox.stop()
    broker = "RabbitMQ" if args.events_url and args.events_url.startswith("amqp") else "SQLite table"
    print(f"\n{args.handovers} handovers at once, {args.rounds} messages each way in each; event broker: {broker}; "
          f"{os.cpu_count()} cores, {platform.python_version()}\n")
    print("| | messages | median | 95th percentile | max |")
    print("|---|---|---|---|---|")
    for name, label in (("staff_to_resident", "staff message to the resident's chat"),
                        ("resident_to_console", "resident message to the console")):
        values = results[name]
        print(f"| {label} | {len(values)} | {statistics.median(values):.0f} ms | {percentile(values, 0.95):.0f} ms "
              f"| {max(values):.0f} ms |")
    print(f"\nThe console's conversation page asks for new messages every {PAGE_POLL_SECONDS:g} s on top of the second "
          "figure.")


if __name__ == "__main__":
    main()
