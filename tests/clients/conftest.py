"""Fixtures for the client tests: real sockets, no mocking of requests.

- `fake_service`: a tiny HTTP server (client_test_servers.py) that answers what a test tells it to, slowly if
  asked, and records every request it gets. For the failure paths the sandbox cannot produce on demand.
- `refused_url`: a URL of a local port with nothing listening.
- `sandbox_url`: the real council services sandbox (council_sandbox.testing.running_sandbox), with its clock fixed;
  tests using it are skipped while the sandbox does not exist yet.
"""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from actions import settings as settings_module
from client_test_servers import SANDBOX_NOW, serving


@pytest.fixture
def fake_service():
    with serving() as service:
        yield service


@pytest.fixture
def refused_url() -> str:
    """A local port with nothing listening: connecting to it is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def clean_settings(monkeypatch):
    """An environment without any of our variables; settings are read again before and after the test."""
    for name in (
        "COUNCIL_API_BASE_URL",
        "ADDRESS_API_URL",
        "WASTE_API_URL",
        "OPEN311_API_URL",
        "OPEN311_API_KEY",
        "COUNCIL_API_TIMEOUT_SECONDS",
        "COUNCIL_API_RETRIES",
    ):
        monkeypatch.delenv(name, raising=False)
    settings_module.reload()
    yield monkeypatch
    monkeypatch.undo()
    settings_module.reload()


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory):
    """The base URL of the real sandbox, running as an HTTP server with its clock at SANDBOX_NOW."""
    if not (Path(__file__).resolve().parents[2] / "council_sandbox" / "testing.py").exists():
        pytest.skip("the council services sandbox (council_sandbox/testing.py) is not there yet")
    from council_sandbox import testing  # once it exists, a broken import must fail, not skip

    with testing.running_sandbox(tmp_path_factory.mktemp("sandbox"), now=SANDBOX_NOW) as url:
        yield url.rstrip("/")
