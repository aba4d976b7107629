"""The whole handover, running for real: the council sandbox, an action server and a Rasa server (web chat
channel, the handover event broker) that know a staff console, and the staff console itself on its own database.

Used by the end-to-end tests (tests/handover/) and benchmarks/handover.py. Every service listens on a free port;
the console runs in this process (a threaded werkzeug server, as the sandbox does), so a test can change its
settings (HANDOVER_HOURS) between conversations.
"""
from __future__ import annotations

import dataclasses
import secrets
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, Optional

import requests
from werkzeug.serving import make_server

from tests.stack import (
    ROOT, RASA_API_TOKEN, _Quiet, free_port, newest_model, start_action_server, start_rasa_server, stop,
    wait_until_up,
)

CREDENTIALS = "connectors.rest.RedactingRestInput:\nconnectors.webchat.WebChatInput:\n"
BROKER = "event_broker:\n  type: connectors.events.HandoverEventBroker\n"


class HandoverStack:
    def __init__(self, sandbox_url: str, workdir: Path, hours: str = "always",
                 events_url: Optional[str] = None, database_url: Optional[str] = None) -> None:
        self.sandbox_url = sandbox_url
        self.workdir = workdir
        self.service_token = secrets.token_hex(32)
        self.events_url = events_url or f"sqlite:///{workdir / 'rasa_events.db'}"
        self.database_url = database_url or f"sqlite:///{workdir / 'staff.db'}"
        self.hours = hours
        self.rasa_port = free_port()
        self.console_port = free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.console_url = f"http://127.0.0.1:{self.console_port}"
        self._processes: list = []
        self._server = None

    # -- start and stop ----------------------------------------------------------------------------------------------

    def start(self) -> "HandoverStack":
        self._start_console()
        shared = {"STAFF_CONSOLE_URL": self.console_url, "STAFF_SERVICE_TOKEN": self.service_token}
        actions = start_action_server(self.sandbox_url, self.workdir, extra_env=shared)
        self._processes.append(actions)
        credentials = self.workdir / "credentials.yml"
        credentials.write_text(CREDENTIALS)
        rasa = start_rasa_server(
            newest_model(), actions.url, self.workdir, endpoints_extra=BROKER, credentials=credentials,
            extra_env={**shared, "STAFF_EVENTS_URL": self.events_url}, port=self.rasa_port,
        )
        self._processes.append(rasa)
        return self

    def _start_console(self) -> None:
        from staff.app import create_app
        from staff.settings import Settings

        settings = dataclasses.replace(
            Settings.from_env({}), database_url=self.database_url, service_token=self.service_token,
            events_url=self.events_url, rasa_url=self.rasa_url, rasa_auth_token=RASA_API_TOKEN,
            handover_hours=self.hours, sweep_seconds=1.0,
        )
        self.app = create_app(settings)
        self._server = make_server("127.0.0.1", self.console_port, self.app, threaded=True, request_handler=_Quiet)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        wait_until_up(f"{self.console_url}/health", None, Path("/dev/null"), 20)

    def set_hours(self, hours: str) -> None:
        """HANDOVER_HOURS for the console from now on: `always`, `never`, or "" for the councils' hours."""
        from staff.app import EXTENSION

        state = self.app.extensions[EXTENSION]
        state.settings = dataclasses.replace(state.settings, handover_hours=hours or None)

    def stop(self) -> None:
        for process in reversed(self._processes):
            stop(process)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- people ------------------------------------------------------------------------------------------------------

    def add_user(self, username: str, role: str, display_name: str, password: Optional[str] = None) -> str:
        """An account made the way a council makes one: `python -m staff users add`, the password on stdin."""
        password = password or secrets.token_urlsafe(18)
        done = subprocess.run(
            [sys.executable, "-m", "staff", "users", "add", username, "--role", role, "--display-name", display_name],
            input=password + "\n", text=True, capture_output=True, cwd=ROOT, timeout=60,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "STAFF_DATABASE_URL": self.database_url},
        )
        assert done.returncode == 0, done.stderr
        return password

    def token(self, username: str, password: str) -> str:
        answer = requests.post(f"{self.console_url}/api/v1/session",
                               json={"username": username, "password": password}, timeout=10)
        answer.raise_for_status()
        return answer.json()["token"]

    def api(self, method: str, path: str, token: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.console_url}/api/v1{path}",
                                headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)

    def handovers(self, token: str, status: str) -> list:
        answer = self.api("GET", f"/handovers?status={status}", token)
        answer.raise_for_status()
        return answer.json()["handovers"]

    def handover_for(self, token: str, conversation_id: str, status: str) -> Optional[Dict]:
        return next((h for h in self.handovers(token, status) if h["conversation_id"] == conversation_id), None)
