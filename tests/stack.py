"""Run the real assistant for tests: the sandbox (a real HTTP server), the action server and the Rasa server.

The services listen on free ports, so tests never disturb a stack a developer has running on the contract ports.
"""
from __future__ import annotations


import json
import random
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from council_sandbox.app import create_app
from tests.replies.repeats import repeated_sentences

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))
# Friday 27 November 2026, 10am: crews are out today, yesterday's rounds can be reported, Monday's are too late.
SANDBOX_NOW = "2026-11-27T10:00:00"
# Rasa's HTTP API always needs a token, and only our Rasa server may call the action server (a shared secret):
# one of each for the test run. Tests reading a tracker pass `params=API_TOKEN`.
RASA_API_TOKEN = secrets.token_hex(32)
API_TOKEN = {"token": RASA_API_TOKEN}
ACTION_SERVER_SECRET = secrets.token_hex(32)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: Optional[subprocess.Popen], log: Path, seconds: float, ready=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            answer = requests.get(url, timeout=2)
            if answer.status_code == 200 and (ready is None or ready(answer)):
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {seconds}s:\n{log.read_text()[-3000:] if log.exists() else ''}")


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class RestartableSandbox:
    """The council services sandbox on a fixed port, which a test can stop and start again mid-conversation."""

    def __init__(self, database_url: str, now: str = SANDBOX_NOW) -> None:
        self.app = create_app(database_url=database_url, now=now)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True, request_handler=_Quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        wait_until_up(f"{self.url}/health", None, Path("/dev/null"), 10)

    @contextmanager
    def clock_at(self, now: str) -> Iterator[None]:
        """The sandbox's "now" moved (a payment page left open past its 90 minutes), then put back."""
        from council_sandbox.clock import Clock
        from council_sandbox.context import EXTENSION

        state = self.app.extensions[EXTENSION]
        before = state.clock
        state.clock = Clock(now)
        try:
            yield
        finally:
            state.clock = before

    def ensure_running(self) -> None:
        if self._server is None:
            self.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None


def start_action_server(
    sandbox_url: str, logs: Path, extra_env: Optional[Dict[str, str]] = None, port: Optional[int] = None,
) -> subprocess.Popen:
    """`port`: a fixed port, to start it again where a Rasa server already points (and on the same database)."""
    port = port or free_port()
    log = logs / f"actions-{port}.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COUNCIL_API_BASE_URL": sandbox_url,
        "COUNCIL_API_TIMEOUT_SECONDS": "3",
        "PAY_RETURN_ORIGINS": "http://127.0.0.1:*",  # the web chat demo pages are served on a free port
        "ACTION_SERVER_SECRET": ACTION_SERVER_SECRET,
        # Its own protections store (actions/protections/): counts from an earlier run never carry over.
        "ACTIONS_DATABASE_URL": f"sqlite:///{logs / f'actions-{port}.db'}",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    wait_until_up(f"{process.url}/health", process, log, 90)  # type: ignore[attr-defined]
    return process


def tracker_store_config(database: Path) -> str:
    """The project's tracker store (connectors/tracker_store.py) on an SQLite file, as endpoints.yml sets it up."""
    return f"tracker_store:\n  type: connectors.tracker_store.CardSafeSQLTrackerStore\n  dialect: sqlite\n  db: {database}\n"


def event_broker_config(url: str, queue: str = "rasa_handover_events") -> str:
    """The handover event broker (connectors/events.py) writing to `url` (sqlite:///..., postgresql://... or
    amqp://...), for `endpoints_extra`: the staff console's consumer (staff/events.py) reads the same URL."""
    return f'event_broker:\n  type: connectors.events.HandoverEventBroker\n  url: "{url}"\n  queue: {queue}\n'


def start_rasa_server(
    model: Path, action_url: str, logs: Path, endpoints_extra: str = "", credentials: Optional[Path] = None,
    extra_env: Optional[Dict[str, str]] = None, port: Optional[int] = None, seconds: float = 240,
) -> subprocess.Popen:
    """`credentials`: a credentials file instead of the project's credentials.yml (e.g. to enable a channel).
    `extra_env`: environment variables for this server only (e.g. tight rate limits). `port`: a fixed port (e.g. one
    a proxy already points at). `seconds`: how long it may take to load the model."""
    port = port or free_port()
    log = logs / f"rasa-{port}.log"
    endpoints = logs / f"endpoints-{port}.yml"
    tracker_db = logs / f"tracker-{port}.db"  # unless endpoints_extra names another store
    endpoints.write_text(
        f'action_endpoint:\n  url: "{action_url}/webhook"\n'
        "  headers:\n    X-Action-Server-Secret: ${ACTION_SERVER_SECRET}\n"  # as endpoints.yml: from the environment
        f"{endpoints_extra}"
        + ("" if "tracker_store:" in endpoints_extra else tracker_store_config(tracker_db))
    )
    process = subprocess.Popen(
        [RASA, "run", "--enable-api", "--auth-token", RASA_API_TOKEN, "-i", "127.0.0.1", "-p", str(port),
         "-m", str(model), "--endpoints", str(endpoints), "--credentials", str(credentials or ROOT / "credentials.yml")],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "ACTION_SERVER_SECRET": ACTION_SERVER_SECRET,
                       **(extra_env or {})},
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    process.log = log  # type: ignore[attr-defined]
    process.tracker_db = tracker_db  # type: ignore[attr-defined]
    try:
        wait_until_up(
            f"{process.url}/status?token={RASA_API_TOKEN}", process, log, seconds,  # type: ignore[attr-defined]
            ready=lambda answer: bool(answer.json().get("model_file")),
        )
    except BaseException:
        stop(process)  # never left running, loading a model, after the test that wanted it has failed
        raise
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def new_client_address() -> str:
    """An address in the documentation range 198.18.0.0/15: each test resident is on their own connection."""
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


class Conversation:
    """One resident talking to the assistant over Rasa's REST channel, from their own client address.

    The address reaches Rasa as the X-Forwarded-For of a trusted proxy on loopback (as nginx in the production
    layout sends it), so per-client limits (connectors/limits.py, actions/protections/) count each test resident
    apart, as they would count real residents; a test about one client's limits shares an address on purpose."""

    def __init__(self, rasa_url: str, address: Optional[str] = None) -> None:
        self.rasa_url = rasa_url
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        self.address = address or new_client_address()
        self.last: List[Dict[str, Any]] = []

    def say(self, text: str) -> List[Dict[str, Any]]:
        answer = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": self.sender, "message": text},
            headers={"X-Forwarded-For": self.address}, timeout=60,
        )
        answer.raise_for_status()
        self.last = answer.json()
        repeated = repeated_sentences(self.last)
        assert not repeated, f"said twice in one answer to {text!r}: {repeated}\n{self.text()}"
        return self.last

    def press(self, title_part: str) -> List[Dict[str, Any]]:
        """Press the first button of the last answer whose title contains `title_part`."""
        for button in self.buttons():
            if title_part.lower() in button["title"].lower():
                return self.say(button["payload"])
        raise AssertionError(f"no button like {title_part!r} in {self.buttons()}")

    def buttons(self) -> List[Dict[str, str]]:
        return [b for m in self.last for b in m.get("buttons", [])]

    def text(self) -> str:
        """Everything the bot said in its last answer, as one string."""
        return "\n".join(m.get("text", "") for m in self.last)

    def tracker(self) -> Dict[str, Any]:
        answer = requests.get(f"{self.rasa_url}/conversations/{self.sender}/tracker", params=API_TOKEN, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def slot(self, name: str) -> Any:
        return self.tracker()["slots"].get(name)

    def active_form(self) -> Optional[str]:
        return (self.tracker().get("active_loop") or {}).get("name")


def newest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("No trained model in models/: run ./scripts/test.sh (it trains once) or ./scripts/setup.sh")
    return models[-1]


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, default=str)
