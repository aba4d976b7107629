"""`python -m council_sandbox` as a real process: it serves, logs one line per request without personal data,
and stops cleanly on SIGTERM and SIGINT."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from council_sandbox.testing import open311_form

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(folder, **env):
    port = _free_port()
    environment = {
        **os.environ,
        "SANDBOX_DATABASE_URL": f"sqlite:///{folder / 'server.db'}",
        "SANDBOX_NOW": "2026-11-27T10:00:00",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "council_sandbox", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_until_ready(process, url) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the sandbox exited early:\n{process.stdout.read()}")
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("the sandbox did not start within 30 seconds")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two sandbox processes, started together (starting one takes a second or two)."""
    started = {
        "sigterm": _launch(tmp_path_factory.mktemp("sigterm"), OPEN311_API_KEY="another-key"),
        "sigint": _launch(tmp_path_factory.mktemp("sigint")),
    }
    try:
        for process, url in started.values():
            _wait_until_ready(process, url)
        yield started
    finally:
        for process, _url in started.values():
            if process.poll() is None:
                process.kill()
                process.communicate()


def _stop(process, signum) -> str:
    process.send_signal(signum)
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the sandbox did not stop within 15 seconds")
    assert process.returncode == 0, output
    return output


def test_serves_logs_without_personal_data_and_stops_on_sigterm(servers):
    process, url = servers["sigterm"]
    try:
        answer = requests.post(
            f"{url}/open311/v2/requests.json",
            data=open311_form(
                api_key="another-key", service_code="noise", lat="53.6531", long="-2.6325",
                jurisdiction_id="chorley", attribute_source="neighbour", attribute_when="Every night after 11pm",
                attribute_how_long="longer", email="secret.person@example.org", phone="07700 900456",
                description="My neighbour at number 12 plays drums",
            ),
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        assert requests.get(f"{url}/open311/v2/requests.json?status=open&email=secret.person@example.org",
                            timeout=10).status_code == 200
    finally:
        output = _stop(process, signal.SIGTERM)
    assert "POST /open311/v2/requests.json 201" in output
    assert "GET /health 200" in output
    for secret in ("secret.person", "07700", "drums", "Every night", "another-key"):
        assert secret not in output
    assert "stopped" in output


def test_stops_on_sigint(servers):
    process, _url = servers["sigint"]
    output = _stop(process, signal.SIGINT)
    assert "stopped" in output
