"""Fixtures for the council services sandbox tests: real HTTP servers over temporary databases.

- `sandbox_url`: one sandbox for the module (SQLite in a temp folder), clock fixed at NOW (a Friday, 10am).
  Tests that change data (new reports) use `fresh_sandbox` or touch only their own addresses.
- `fresh_sandbox(now=...)`: a new sandbox over a new database, for tests that need a clean slate or another clock.
- `postgres_url`: a PostgreSQL database URL in a schema of its own, dropped afterwards; skipped unless
  TEST_POSTGRES_URL is set (for example postgresql://postgres@127.0.0.1/test).
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # `pytest` run without `python -m` from the repository root
    sys.path.insert(0, str(REPO))

from council_sandbox import testing  # noqa: E402

NOW = "2026-11-27T10:00:00"  # Friday 27 November 2026, before the crews finish


@pytest.fixture(autouse=True)
def _sandbox_environment(monkeypatch):
    # The developer's own settings must not leak into the tests.
    for name in ("SANDBOX_DATABASE_URL", "SANDBOX_NOW", "OPEN311_API_KEY", "COUNCIL_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory):
    with testing.running_sandbox(tmp_path_factory.mktemp("sandbox"), now=NOW) as url:
        yield url


@pytest.fixture
def fresh_sandbox(tmp_path):
    """Call with now=... (default NOW) and optionally database_url=...; every sandbox started is stopped."""
    with_stack = []

    def start(now=NOW, database_url=None, name=None):
        folder = tmp_path / (name or f"db{len(with_stack)}")
        folder.mkdir(exist_ok=True)
        context = testing.running_sandbox(folder, now=now, database_url=database_url)
        url = context.__enter__()
        with_stack.append(context)
        return url

    yield start
    for context in reversed(with_stack):
        context.__exit__(None, None, None)


@pytest.fixture
def postgres_url():
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        pytest.skip("TEST_POSTGRES_URL is not set (for example postgresql://postgres@127.0.0.1/test)")
    sqlalchemy = pytest.importorskip("sqlalchemy")
    schema = f"sandbox_test_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(base, future=True)
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # a server that is down is an environment problem, said clearly
        engine.dispose()
        pytest.skip(f"PostgreSQL at TEST_POSTGRES_URL is not usable: {exc.__class__.__name__}: {exc}")
    separator = "&" if "?" in base else "?"
    # Each test gets its own schema, so parallel runs and other users of the database never collide.
    yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
