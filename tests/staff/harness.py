"""What the staff console's core tests share: its database (SQLite, or a PostgreSQL schema per test), a stand-in
for Rasa's HTTP API that records every call (a real HTTP server on a free port), and the console itself served on
a free port, with requests as the client.

The end-to-end tests elsewhere drive the real Rasa; here Rasa's part is small and fixed, so each call the console
makes (URL, token, output channel, events) can be checked exactly, and Rasa can be made to fail.
"""
from __future__ import annotations

import dataclasses
import os
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text, update
from werkzeug.serving import WSGIRequestHandler, make_server

from staff.app import create_app
from staff.auth import add_user
from staff.models import Handover, StaffSession, User, utcnow
from staff.settings import Settings
from tests.stack import free_port

SERVICE_TOKEN = "service-token-for-the-tests-0123456789abcdef"
RASA_TOKEN = "rasa-token-for-the-tests"
PASSWORD = "a long enough password"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Served:
    """A WSGI app on 127.0.0.1:<free port> in a thread, until `stop()`."""

    def __init__(self, app) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, app, threaded=True, request_handler=_Quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class FakeRasa:
    """Rasa's HTTP API as the console uses it: trackers to read, events appended, intents triggered; every call
    recorded. `failing = 500` makes it answer 500; `stop()` makes it unreachable; `delay` makes it slow."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.trackers: Dict[str, List[Dict[str, Any]]] = {}
        self.failing: Optional[int] = None
        self.delay = 0.0
        self._lock = threading.Lock()
        app = Flask("fake_rasa")

        def answer(conversation_id: str, kind: str):
            with self._lock:
                self.calls.append({"kind": kind, "conversation_id": conversation_id, "method": request.method,
                                   "path": request.path, "args": request.args.to_dict(),
                                   "json": request.get_json(silent=True)})
            if self.delay:
                time.sleep(self.delay)
            if request.args.get("token") != RASA_TOKEN:
                return jsonify({"message": "not authenticated"}), 401
            if self.failing:
                return jsonify({"message": "broken"}), self.failing
            if kind == "events":
                body = request.get_json()
                self.trackers.setdefault(conversation_id, []).extend(body if isinstance(body, list) else [body])
            return jsonify({"sender_id": conversation_id, "events": self.trackers.get(conversation_id, [])})

        app.add_url_rule("/conversations/<conversation_id>/tracker", "tracker",
                         lambda conversation_id: answer(conversation_id, "tracker"), methods=["GET"])
        app.add_url_rule("/conversations/<conversation_id>/tracker/events", "events",
                         lambda conversation_id: answer(conversation_id, "events"), methods=["POST"])
        app.add_url_rule("/conversations/<conversation_id>/trigger_intent", "trigger",
                         lambda conversation_id: answer(conversation_id, "trigger"), methods=["POST"])
        self._served = Served(app)
        self.url = self._served.url
        self.stopped = False

    def calls_for(self, conversation_id: str, kind: Optional[str] = None) -> List[Dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c["conversation_id"] == conversation_id
                    and (kind is None or c["kind"] == kind)]

    def stop(self) -> None:
        if not self.stopped:
            self._served.stop()
            self.stopped = True


@pytest.fixture(params=["sqlite", "postgresql"])
def staff_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The console's own database: an SQLite file, or a PostgreSQL schema made for the test when TEST_POSTGRES_URL
    is set (CI sets it; elsewhere that case is skipped, saying so)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'staff.db'}"
        return
    postgres = os.environ.get("TEST_POSTGRES_URL")
    if not postgres:
        pytest.skip("TEST_POSTGRES_URL is not set: the staff console's database is proved on SQLite only here "
                    "(CI sets it)")
    schema = f"staff_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres else "?"
    yield f"{postgres}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    yield fake
    fake.stop()


class RunningConsole:
    """The console served on a free port, and what tests do with it."""

    def __init__(self, settings: Settings, start_sweeper: bool = False) -> None:
        self.settings = settings
        self.app = create_app(settings, start_sweeper=start_sweeper)
        self.console = self.app.extensions["staff"]
        self.db = self.console.db
        self._served = Served(self.app)
        self.url = self._served.url
        self.api = self.url + "/api/v1"

    def stop(self) -> None:
        self._served.stop()
        self.console.stop()

    # -- people ----------------------------------------------------------------------------------------------------

    def add(self, username: str, role: str = "agent", display_name: Optional[str] = None) -> User:
        return add_user(self.db, username, role, PASSWORD, display_name or username.capitalize())

    def sign_in(self, username: str, password: str = PASSWORD, totp: Optional[str] = None) -> requests.Response:
        body = {"username": username, "password": password}
        if totp is not None:
            body["totp"] = totp
        return requests.post(f"{self.api}/session", json=body, timeout=10)

    def person(self, username: str, role: str = "agent", display_name: Optional[str] = None) -> "Person":
        self.add(username, role, display_name)
        answer = self.sign_in(username)
        assert answer.status_code == 200, answer.text
        return Person(self, answer.json()["token"])

    # -- the assistant ---------------------------------------------------------------------------------------------

    def service(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
        return requests.request(method, self.api + path, headers=headers, timeout=10, **kwargs)

    def hand_over(self, conversation_id: Optional[str] = None, **fields) -> Dict[str, Any]:
        body = {"conversation_id": conversation_id or f"conversation-{uuid.uuid4().hex[:8]}", "channel": "webchat",
                "council": "chorley", "reason": "asked for a person",
                "summary": "Wants to know why the bin was missed twice.", "details": {"journey": "missed_bin"},
                "priority": "normal", "status": "waiting", "callback": None}
        body.update(fields)
        answer = self.service("POST", "/handovers", json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["handover"]

    # -- moving the clock by moving the rows -----------------------------------------------------------------------

    def age_handover(self, handover_id: int, minutes: float) -> None:
        with self.db.writing() as session:
            session.execute(update(Handover).where(Handover.id == handover_id)
                            .values(waiting_since=utcnow() - timedelta(minutes=minutes)))

    def age_sessions(self, idle_minutes: float = 0, created_hours: float = 0, expired: bool = False) -> None:
        values: Dict[str, Any] = {"last_seen_at": utcnow() - timedelta(minutes=idle_minutes)}
        if expired:
            values["expires_at"] = utcnow() - timedelta(seconds=1)
        with self.db.writing() as session:
            session.execute(update(StaffSession).values(**values))

    def handover_row(self, handover_id: int) -> Handover:
        with self.db.session() as session:
            return session.get(Handover, handover_id)


class Person:
    """A signed-in member of staff using the API with their Bearer token."""

    def __init__(self, running: RunningConsole, token: str) -> None:
        self.running = running
        self.token = token

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.running.api + path, headers=headers, timeout=10, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.call("POST", path, **kwargs)


def console_settings(database_url: str, rasa_url: str, tmp_path: Path, **changes) -> Settings:
    settings = Settings(database_url=database_url, service_token=SERVICE_TOKEN, rasa_url=rasa_url,
                        rasa_auth_token=RASA_TOKEN, rasa_timeout_seconds=2.0, handover_hours="always",
                        events_url=f"sqlite:///{tmp_path / 'rasa_events.db'}")
    return dataclasses.replace(settings, **changes)


@pytest.fixture
def running(staff_database: str, rasa: FakeRasa, tmp_path: Path) -> Iterator[RunningConsole]:
    console = RunningConsole(console_settings(staff_database, rasa.url, tmp_path))
    yield console
    console.stop()
