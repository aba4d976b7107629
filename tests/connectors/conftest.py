"""Fixtures for the connector tests: a Rasa server listening on the web chat channel."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from tests.stack import newest_model, start_rasa_server, stop

# The channel as a council enables it, with its defaults: default origins (the councils' sites and localhost),
# 2000 characters, 64 KiB packets.
CREDENTIALS = "connectors.rest.RedactingRestInput:\nconnectors.webchat.WebChatInput:\n"


@contextmanager
def _without_env(name: str) -> Iterator[None]:
    saved = os.environ.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[name] = saved


@pytest.fixture(scope="module")
def webchat_server(action_server: str, logs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Rasa server (the trained model, the real action server and sandbox) listening on the web chat channel."""
    credentials = tmp_path_factory.mktemp("webchat") / "credentials.yml"
    credentials.write_text(CREDENTIALS)
    with _without_env("WEBCHAT_ALLOWED_ORIGINS"):  # the tests expect the default origins
        process = start_rasa_server(newest_model(), action_server, logs_dir, credentials=credentials)
    yield process.url  # type: ignore[attr-defined]
    stop(process)

