"""Measure the web chat: the widget's size, time to the first bot message, socket.io throughput under concurrency.

    .venv/bin/python -m benchmarks.webchat [--loads 10] [--conversations 50] [--messages 10]

Prints a Markdown table for BENCHMARKS.md. Starts its own stack on free ports, as benchmarks/assistant.py does (the
sandbox, the real action server and one Rasa server with the trained model), with the web chat channel enabled as
in tests/webchat/conftest.py, and webchat/serve.py for the demo pages. Needs ./scripts/install_browser.sh (Debian's
chromium at /usr/bin/chromium, webchat/node_modules and the playwright package).

- Size: the bytes a council page adds (council-chat.js and socket.io.min.js) and the demo page's own files, raw
  and gzip level 9 (what a web server compressing at its best would send).
- First bot message: from navigation start (performance.timeOrigin) to the greeting shown in the widget, which is
  opened from script as soon as the page is parsed (DOMContentLoaded); the median of `--loads` page loads, each in
  a fresh browser profile (so a new conversation, socket.io loaded afresh), after one warm-up load.
- Throughput: `--conversations` python-socketio clients (long-polling, as tests/connectors/webchat_client.py) at
  once, each sending `--messages` messages one after another and waiting for the server's acknowledgement (sent
  when all the replies to a message have gone); messages per second over the whole run, and the latency of each
  message from emit to acknowledgement.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import importlib.util
import json
import os
import platform
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

from tests.stack import ROOT, RestartableSandbox, newest_model, start_action_server, start_rasa_server, stop

WEBCHAT = ROOT / "webchat"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
CREDENTIALS = "connectors.rest.RedactingRestInput:\nconnectors.webchat.WebChatInput:\n"  # as tests/webchat/conftest.py: the channel's defaults
ORIGIN = "http://127.0.0.1:8080"  # one of the default allowed origins (localhost, any port)
OVERALL_SECONDS = 900

# What residents do in the chat: small talk, questions, a bin-day lookup (action server and sandbox), a missed-bin
# report started and cancelled. Each conversation sends the first `--messages` of these, in order.
SCRIPT = [
    "hello",
    "what are your opening hours",
    "when is my bin day",
    "PR7 1DP",
    "cancel",
    "what goes in my blue bin",
    "my blue bin wasn't emptied",
    "cancel",
    "how do I pay my council tax",
    "thank you",
]

FIRST_BOT_MESSAGE = """
(() => {
  const marks = {};
  window.__bench = marks;
  document.addEventListener("DOMContentLoaded", () => {
    marks.domContentLoaded = performance.now();
    const api = window.CouncilChat && window.CouncilChat.api;
    if (!api) { marks.error = "the widget did not start"; return; }
    api.open();
    const root = document.querySelector("#council-chat").shadowRoot;
    const shown = () => root.querySelector('.cc-msg[data-from="bot"]');
    const done = () => requestAnimationFrame(() => { marks.firstBot = performance.now(); });
    if (shown()) return done();
    const watch = new MutationObserver(() => { if (shown()) { watch.disconnect(); done(); } });
    watch.observe(root, {childList: true, subtree: true});
  });
})();
"""


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


# -- size -----------------------------------------------------------------------------------------------------------


def sizes() -> Dict[str, Dict[str, int]]:
    files = {
        "council-chat.js": WEBCHAT / "src" / "council-chat.js",
        "socket.io.min.js": WEBCHAT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js",
        "demo/chorley.html": WEBCHAT / "demo" / "chorley.html",
        "demo/southribble.html": WEBCHAT / "demo" / "southribble.html",
        "demo/demo.css": WEBCHAT / "demo" / "demo.css",
    }
    out = {}
    for name, path in files.items():
        data = path.read_bytes()
        if name == "council-chat.js":  # as served: with the councils' facts from councils/*.yml in front
            from webchat.serve import widget_preamble

            data = widget_preamble().encode() + data
        out[name] = {"raw": len(data), "gzip9": len(gzip.compress(data, compresslevel=9, mtime=0))}
    return out


# -- time to the first bot message ---------------------------------------------------------------------------------


def static_server():
    spec = importlib.util.spec_from_file_location("webchat_serve", WEBCHAT / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)  # type: ignore[union-attr]
    server = serve.make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def first_bot_message(page_url: str, loads: int) -> Dict[str, Any]:
    from playwright.sync_api import sync_playwright

    timings: List[Dict[str, float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for attempt in range(loads + 1):  # the first is a warm-up, not counted
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                try:
                    page = context.new_page()
                    page.add_init_script(FIRST_BOT_MESSAGE)
                    page.goto(page_url)
                    page.wait_for_function("window.__bench && (window.__bench.firstBot || window.__bench.error)",
                                           timeout=60_000)
                    marks = page.evaluate("window.__bench")
                    if "error" in marks:
                        raise RuntimeError(marks["error"])
                    if attempt:
                        timings.append(marks)
                finally:
                    context.close()
        finally:
            browser.close()
    first = [t["firstBot"] for t in timings]
    return {
        "loads": len(first),
        "median_ms": statistics.median(first),
        "min_ms": min(first),
        "max_ms": max(first),
        "dom_content_loaded_median_ms": statistics.median(t["domContentLoaded"] for t in timings),
    }


# -- throughput over socket.io -------------------------------------------------------------------------------------


async def conversation(url: str, council: str, messages: List[str], latencies: List[float], errors: List[Any],
                       started: asyncio.Event, ready: List[int]) -> None:
    from tests.connectors.webchat_client import ChatClient

    client = ChatClient(url, origin=ORIGIN)
    try:
        await client.connect()
        session = await client.start_session()
        ready.append(1)
        await started.wait()
        for text in messages:
            begun = time.perf_counter()
            ack = await client.send({"message": text, "session_id": session, "message_id": uuid.uuid4().hex,
                                     "customData": {"council": council, "page_url": f"{ORIGIN}/demo/"}}, seconds=120)
            latencies.append((time.perf_counter() - begun) * 1000)
            if not (ack and ack.get("status") == "ok"):
                errors.append(ack)
            if not client.drain("bot_uttered"):
                errors.append({"no_reply_to": text})
            client.drain("bot_error")
    finally:
        await client.close()


async def throughput(url: str, conversations: int, messages: List[str]) -> Dict[str, Any]:
    latencies: List[float] = []
    errors: List[Any] = []
    started = asyncio.Event()
    ready: List[int] = []
    councils = ("chorley", "south_ribble")
    tasks = [
        asyncio.create_task(conversation(url, councils[i % 2], messages, latencies, errors, started, ready))
        for i in range(conversations)
    ]
    deadline = time.monotonic() + 120
    while len(ready) < conversations:  # all connected, each with its session, before the clock starts
        failed = [t for t in tasks if t.done()]
        if failed:
            failed[0].result()
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(ready)} of {conversations} clients connected in 120 s")
        await asyncio.sleep(0.05)
    begun = time.perf_counter()
    started.set()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - begun
    return {
        "conversations": conversations,
        "messages": len(latencies),
        "seconds": seconds,
        "messages_per_second": len(latencies) / seconds,
        "median_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "max_ms": max(latencies),
        "errors": errors[:10],
        "error_count": len(errors),
    }


def load_average() -> List[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10, help="page loads to time (after one warm-up)")
    parser.add_argument("--conversations", type=int, default=50, help="concurrent socket.io conversations")
    parser.add_argument("--messages", type=int, default=10, help=f"messages per conversation (at most {len(SCRIPT)})")
    args = parser.parse_args()
    messages = SCRIPT[: max(1, min(args.messages, len(SCRIPT)))]

    results: Dict[str, Any] = {"size_bytes": sizes(), "load_average_before": load_average()}
    model = newest_model()
    with tempfile.TemporaryDirectory() as work:
        logs = Path(work)
        credentials = logs / "credentials.yml"
        credentials.write_text(CREDENTIALS)
        os.environ.pop("WEBCHAT_ALLOWED_ORIGINS", None)  # the channel's default origins: the councils and localhost
        sandbox = RestartableSandbox(f"sqlite:///{logs / 'sandbox.db'}")
        sandbox.start()
        actions = start_action_server(sandbox.url, logs)
        rasa = start_rasa_server(model, actions.url, logs, credentials=credentials)  # type: ignore[attr-defined]
        server = static_server()
        try:
            page_url = f"http://127.0.0.1:{server.server_address[1]}/demo/chorley.html?rasa={rasa.url}"  # type: ignore[attr-defined]
            results["first_bot_message"] = first_bot_message(page_url, args.loads)
            asyncio.run(asyncio.wait_for(throughput(rasa.url, 1, messages), 120))  # warm-up  # type: ignore[attr-defined]
            results["one_conversation"] = asyncio.run(
                asyncio.wait_for(throughput(rasa.url, 1, messages), 120))  # type: ignore[attr-defined]
            results["concurrent"] = asyncio.run(
                asyncio.wait_for(throughput(rasa.url, args.conversations, messages), OVERALL_SECONDS))  # type: ignore[attr-defined]
        finally:
            server.shutdown()
            server.server_close()
            stop(rasa)
            stop(actions)
            sandbox.stop()
    results["load_average_after"] = load_average()
    print(json.dumps(results, indent=2))

    size = results["size_bytes"]
    widget = size["council-chat.js"]
    sio = size["socket.io.min.js"]
    page = {k: size["demo/chorley.html"][k] + size["demo/demo.css"][k] for k in ("raw", "gzip9")}
    first = results["first_bot_message"]
    one = results["one_conversation"]
    many = results["concurrent"]
    kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
    print("\n| measure | figure |\n|---|---|")
    print(f"| widget, gzip -9 (raw) | council-chat.js {kb(widget['gzip9'])} ({kb(widget['raw'])}) + socket.io.min.js "
          f"{kb(sio['gzip9'])} ({kb(sio['raw'])}) = **{kb(widget['gzip9'] + sio['gzip9'])}** "
          f"({kb(widget['raw'] + sio['raw'])}) |")
    print(f"| demo page's own files, gzip -9 (raw) | chorley.html + demo.css {kb(page['gzip9'])} ({kb(page['raw'])}) |")
    print(f"| page load to the first bot message, widget opened at DOMContentLoaded ({first['loads']} loads) | "
          f"median {first['median_ms']:.0f} ms (min {first['min_ms']:.0f}, max {first['max_ms']:.0f}); "
          f"DOMContentLoaded median {first['dom_content_loaded_median_ms']:.0f} ms |")
    print(f"| one conversation over socket.io ({one['messages']} messages) | median {one['median_ms']:.0f} ms, "
          f"95th percentile {one['p95_ms']:.0f} ms |")
    print(f"| {many['conversations']} concurrent conversations over socket.io, one Rasa process "
          f"({many['messages']} messages in {many['seconds']:.1f} s, {many['error_count']} errors) | "
          f"**{many['messages_per_second']:.1f} messages/s**; latency median {many['median_ms']:.0f} ms, "
          f"95th percentile {many['p95_ms']:.0f} ms, max {many['max_ms']:.0f} ms |")
    print(f"\nMachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
          f"load average before {results['load_average_before']}, after {results['load_average_after']}")


if __name__ == "__main__":
    main()
