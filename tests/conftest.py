"""Fixtures shared by the whole suite: the assistant's stack, started once per test run."""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

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


@pytest.fixture(params=["sqlite", "postgresql"])
def actions_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An action server's database of its own (actions/storage/): an SQLite file, or a PostgreSQL schema made for
    the test when TEST_POSTGRES_URL is set (CI sets it; elsewhere that case is skipped, saying so)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'actions.db'}"
        return
    postgres = os.environ.get("TEST_POSTGRES_URL")
    if not postgres:
        pytest.skip("TEST_POSTGRES_URL is not set: the action server's database is proved on SQLite only here "
                    "(CI sets it)")
    schema = f"actions_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres else "?"
    yield f"{postgres}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
