"""Fixtures for the handover tests: the whole stack with a staff console (tests/handover/stack.py), the demo pages
and headless Chromium (as tests/webchat/: skipped, saying why, without chromium or the npm packages)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.handover.stack import HandoverStack
from tests.webchat.conftest import CHROMIUM_ARGS, _missing, browser, static_server  # noqa: F401  (fixtures)

STAFF_ASSETS = Path(__file__).resolve().parents[2] / "staff" / "node_modules" / "govuk-frontend"


def pytest_collection_modifyitems(config, items):
    reason = _missing() or ("" if STAFF_ASSETS.exists() else
                            "staff/node_modules is missing: run ./scripts/setup.sh or ./scripts/run.sh (npm ci in staff/)")
    if not reason:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents and "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def handover_stack(sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HandoverStack]:
    stack = HandoverStack(sandbox.url, tmp_path_factory.mktemp("handover"), hours="always").start()
    yield stack
    stack.stop()


@pytest.fixture
def demo_page(static_server: str, handover_stack: HandoverStack):
    def address(council: str = "chorley") -> str:
        page = {"chorley": "chorley", "south_ribble": "southribble"}[council]
        return f"{static_server}/demo/{page}.html?rasa={handover_stack.rasa_url}"

    return address


def new_page(browser, errors_allowed: bool = False):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.js_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))  # type: ignore[attr-defined]
    return context, page
