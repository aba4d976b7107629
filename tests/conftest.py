"""Fixtures shared by the whole suite: the assistant's stack, started once per test run."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.stack import (
    Conversation,
    RestartableSandbox,
    newest_model,
    start_action_server,
    start_rasa_server,
    stop,
)


@pytest.fixture(scope="session")
def logs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack-logs")


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestartableSandbox]:
    database = tmp_path_factory.mktemp("sandbox") / "sandbox.db"
    running = RestartableSandbox(f"sqlite:///{database}")
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def action_server(sandbox: RestartableSandbox, logs_dir: Path) -> Iterator[str]:
    process = start_action_server(sandbox.url, logs_dir)
    yield process.url  # type: ignore[attr-defined]
    stop(process)


@pytest.fixture(scope="session")
def rasa_server(action_server: str, logs_dir: Path) -> Iterator[str]:
    process = start_rasa_server(newest_model(), action_server, logs_dir)
    yield process.url  # type: ignore[attr-defined]
    stop(process)


@pytest.fixture
def conversation(rasa_server: str, sandbox: RestartableSandbox) -> Iterator[Conversation]:
    yield Conversation(rasa_server)
    sandbox.ensure_running()  # a test that stopped the sandbox must not break the next one
